"""Audits of the CMO by the MAH (Notice 2025-134 arts. 13, 14): plan, conduct, findings, report,
the CMO's CAPA for each finding and the MAH's check of it, close or cancel.

Who may do what:

===========================  ===============================================================
action                       who
===========================  ===============================================================
plan, conduct, add a         a writer of the contract's MAH
finding, report, close,
cancel
add / implement a CAPA for   a writer of the contract's CMO (art. 13: "对审核…发现的问题应当及时
a finding                    整改" — the CMO remedies what the audit found)
check a finding's CAPA       QA or head of quality of the MAH (the auditing party judges
                             whether its finding was remedied)
===========================  ===============================================================

Remote audits (art. 14): "受托生产企业采用信息化手段记录药品生产、检验全过程数据，并能与持有人进行电子数据交换的，
持有人在定期审核工作中，可以以非现场审核形式代替部分现场审核". So a remote audit is refused unless
the quality agreement in force on the audit's date records both conditions, electronic records of
production and testing and electronic data exchange
(``QualityAgreement.records_exchanged_electronically``), checked when it is planned and again when it is
conducted; and, because the text lets it replace only *part* (部分) of the on-site audits, a remote
audit is refused on a contract that has no on-site audit (planned, conducted, reported or closed).

The report's due date: see ``weituo.quality.audit_due`` (a named default of 15 working days, which
the auditor may replace). Every write goes through ``records`` (row lock, optimistic ``version``,
full ledger values) in the service's transaction; bad input writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import is_qa_of, organisation_of, refuse, require_party, require_user, user_id
from weituo.contracts.models import CommissionContract
from weituo.core.actors import Actor
from weituo.core.calendar import CHINA
from weituo.core.errors import ErrorDetail, InvalidTransition
from weituo.core.i18n import bounded, detail, messages, stored_text, validation_failed
from weituo.core.ids import new_ref
from weituo.core.roles import Party
from weituo.core.selectors import working_calendar
from weituo.core.validation import required_text
from weituo.integrity import writes
from weituo.integrity.stored_files import sha256_of, upload_problems

from .. import capa as capa_steps
from ..audit_due import REPORT_DUE_WORKING_DAYS, default_report_due, reported_late
from ..choices import AUDIT_TRANSITIONS, AuditMode, AuditStatus, CapaStatus, FindingSeverity
from ..models import Audit, AuditFinding, Capa
from .events import agreement_in_force

ART14 = "《公告》（2025年第134号）第十四条"
REPORT_MAX_BYTES = 50 * 1024 * 1024
REPORT_TYPES = frozenset({".pdf", ".ofd", ".docx", ".doc"})
# While an audit is conducted or reported, its findings may get CAPA; a closed or cancelled audit is final.
OPEN_FOR_CAPA = frozenset({AuditStatus.CONDUCTED, AuditStatus.REPORTED})


# --- shared checks ---------------------------------------------------------------------------------


def _require_mah(actor: Actor, contract: CommissionContract, what: Any) -> None:
    """Refuse unless the actor writes for the contract's MAH; ``what`` is the act (a lazy phrase)."""
    require_party(actor, contract, Party.MAH, what)


def _require_status(audit: Audit, allowed: set[str] | frozenset[str], what: Any) -> None:
    """Refuse unless the audit is in one of ``allowed``; ``what`` (a lazy phrase) is what cannot be done."""
    if audit.status not in allowed:
        raise InvalidTransition(
            code="audit_status",
            **messages(
                gettext_lazy("audit %(ref)s is %(status)s: cannot %(what)s"),
                ref=audit.ref,
                status=audit.get_status_display,
                what=what,
            ),
            details=[detail(gettext_lazy("cannot %(what)s"), what=what, field="status")],
        )


def _require_remote_allowed(contract: CommissionContract, on: dt.date, *, exclude: Audit | None = None) -> None:
    """Art. 14: electronic data exchange agreed in the agreement in force on ``on``, and on-site audits
    that the remote one replaces only in part."""
    agreement = agreement_in_force(contract, on)
    if agreement is None or not agreement.records_exchanged_electronically:
        raise refuse(
            "remote_audit_not_allowed",
            gettext_lazy(
                "the quality agreement in force on %(on)s does not record that the CMO keeps production and "
                "testing records electronically and exchanges them with the MAH, so a remote audit cannot "
                "replace an on-site audit (Notice 2025-134 art. 14)"
            ),
            "mode",
            on=f"{on:%Y-%m-%d}",
        )
    on_site = Audit.objects.filter(contract=contract, mode=AuditMode.ON_SITE).exclude(status=AuditStatus.CANCELLED)
    if exclude is not None:
        on_site = on_site.exclude(pk=exclude.pk)
    if not on_site.exists():
        raise refuse(
            "remote_audit_replaces_part_only",
            gettext_lazy(
                "a remote audit may replace only part of the on-site audits: this contract has no on-site "
                "audit; plan one first (Notice 2025-134 art. 14)"
            ),
            "mode",
        )


def _lock_audit(actor: Actor, audit: Audit, expected_version: int | None) -> Audit:
    return writes.lock(actor, audit, expected_version=expected_version)


# --- plan, conduct, findings, report ---------------------------------------------------------------


@transaction.atomic
def audit_plan(
    *,
    actor: Actor,
    contract: CommissionContract,
    mode: str,
    scope: str,
    auditors: str,
    planned_on: dt.date,
    ref: str | None = None,
) -> Audit:
    """The MAH plans an audit of its CMO, on-site or remote (remote only as art. 14 allows)."""
    if not policy.visible(actor, CommissionContract).filter(pk=contract.pk).exists():
        raise writes.not_found(CommissionContract, contract.ref)
    _require_mah(actor, contract, gettext_lazy("plan an audit of the CMO"))
    if mode not in AuditMode.values:
        raise validation_failed(
            [detail(gettext_lazy("unknown mode '%(mode)s' (on_site, remote)"), mode=bounded(mode), field="mode")]
        )
    scope = required_text(scope, "scope", gettext_lazy("the scope of the audit is required"))
    auditors = required_text(auditors, "auditors", gettext_lazy("the auditors are required"))
    if not isinstance(planned_on, dt.date):
        raise validation_failed([detail(gettext_lazy("the planned date is required"), field="planned_on")])
    if mode == AuditMode.REMOTE:
        _require_remote_allowed(contract, planned_on)
    audit = Audit(
        ref=ref or new_ref("AUD"),
        contract=contract,
        mode=mode,
        scope=scope,
        auditors=auditors,
        planned_on=planned_on,
        planned_by_id=user_id(actor),
    )
    return writes.create(actor, audit, reason=ART14 if mode == AuditMode.REMOTE else "")


@transaction.atomic
def audit_conduct(
    *,
    actor: Actor,
    audit: Audit,
    conducted_from: dt.date,
    conducted_to: dt.date,
    report_due_on: dt.date | None = None,
    expected_version: int | None = None,
) -> Audit:
    """Record the audit's dates and set when its report is due: by default ``REPORT_DUE_WORKING_DAYS``
    working days after the last day (``audit_due``), or the date the auditor gives (not before the
    audit's last day). The audit cannot end in the future."""
    audit = _lock_audit(actor, audit, expected_version)
    _require_mah(actor, audit.contract, gettext_lazy("record the audit as conducted"))
    problems = []
    if not isinstance(conducted_from, dt.date):
        problems.append(detail(gettext_lazy("the first day of the audit is required"), field="conducted_from"))
    if not isinstance(conducted_to, dt.date):
        problems.append(detail(gettext_lazy("the last day of the audit is required"), field="conducted_to"))
    if problems:
        raise validation_failed(problems, what=gettext_lazy("audit conduct"))
    today = timezone.localdate(timezone.now(), CHINA)
    if conducted_to > today:
        problems.append(
            detail(
                gettext_lazy("the audit's last day %(conducted_to)s is after today: it has not ended yet"),
                conducted_to=conducted_to,
                field="conducted_to",
            )
        )
    if conducted_from > conducted_to:
        problems.append(detail(gettext_lazy("the audit ends before it starts"), field="conducted_to"))
    if report_due_on is not None and report_due_on < conducted_to:
        problems.append(detail(gettext_lazy("the report is due before the audit ends"), field="report_due_on"))
    if problems:
        raise validation_failed(problems, what=gettext_lazy("audit conduct"))
    if audit.mode == AuditMode.REMOTE:
        _require_remote_allowed(audit.contract, conducted_from, exclude=audit)
    if report_due_on is None:
        answer = default_report_due(conducted_to, working_calendar())
        due = answer.value
        reason = stored_text(
            gettext_lazy("report due %(days)d working days after the audit (default), provisional")
            if answer.provisional
            else gettext_lazy("report due %(days)d working days after the audit (default)"),
            days=REPORT_DUE_WORKING_DAYS,
        )
    else:
        due = report_due_on
        reason = stored_text(gettext_lazy("report due date set by the auditor"))
    return writes.transition(
        actor,
        audit,
        AUDIT_TRANSITIONS,
        AuditStatus.CONDUCTED,
        reason=reason,
        conducted_from=conducted_from,
        conducted_to=conducted_to,
        report_due_on=due,
    )


@transaction.atomic
def audit_finding_add(
    *,
    actor: Actor,
    audit: Audit,
    severity: str,
    description: str,
    response_due_on: dt.date,
    reference: str = "",
    expected_version: int | None = None,
) -> AuditFinding:
    """The MAH records a finding of a conducted audit (before its report), graded like an inspection
    defect, with the clause it rests on and the date the CMO's response is due. The audit counts a
    new version (its findings changed)."""
    audit = _lock_audit(actor, audit, expected_version)
    _require_mah(actor, audit.contract, gettext_lazy("record an audit finding"))
    _require_status(audit, {AuditStatus.CONDUCTED}, gettext_lazy("add a finding now"))
    problems = []
    if severity not in FindingSeverity.values:
        problems.append(
            detail(
                gettext_lazy("unknown severity '%(severity)s' (critical, major, other)"),
                severity=bounded(severity),
                field="severity",
            )
        )
    if not (description or "").strip():
        problems.append(detail(gettext_lazy("the finding's description is required"), field="description"))
    if not isinstance(response_due_on, dt.date):
        problems.append(detail(gettext_lazy("the response due date is required"), field="response_due_on"))
    elif audit.conducted_to and response_due_on < audit.conducted_to:
        problems.append(
            detail(
                gettext_lazy("the response is due before the audit ended"),
                field="response_due_on",
            )
        )
    if problems:
        raise validation_failed(problems, what=gettext_lazy("audit finding"))
    finding = writes.create(
        actor,
        AuditFinding(
            audit=audit,
            severity=severity,
            description=description.strip(),
            reference=(reference or "").strip(),
            response_due_on=response_due_on,
            recorded_by_id=user_id(actor),
        ),
    )
    writes.change(actor, audit, reason=stored_text(gettext_lazy("finding %(finding)s added"), finding=finding.pk))
    return finding


@transaction.atomic
def audit_report(
    *,
    actor: Actor,
    audit: Audit,
    summary: str,
    file: UploadedFile | None = None,
    expected_version: int | None = None,
) -> Audit:
    """The MAH's audit report (art. 13): its conclusion (required) and optionally the report file,
    stored with its SHA-256. A report after its due date is accepted, and stays shown as late
    (``audit_due.report_late``; the ledger entry says so too). Every problem is reported at once
    and nothing is written — no row, no file."""
    audit = _lock_audit(actor, audit, expected_version)
    _require_mah(actor, audit.contract, gettext_lazy("write the audit report"))
    require_user(actor, gettext_lazy("writing an audit report"))
    _require_status(audit, {AuditStatus.CONDUCTED}, gettext_lazy("report it"))
    problems = []
    if not (summary or "").strip():
        problems.append(detail(gettext_lazy("the report's conclusion is required"), field="summary"))
    if file is not None:
        problems += upload_problems(
            file, types=REPORT_TYPES, max_bytes=REPORT_MAX_BYTES, noun=gettext_lazy("report file")
        )
    if problems:
        raise validation_failed(problems, what=gettext_lazy("audit report"))
    fields: dict = {
        "report_summary": summary.strip(),
        "reported_at": timezone.now(),
        "reported_by_id": user_id(actor),
    }
    if file is not None:
        fields["report_file"] = file
        fields["report_sha256"] = sha256_of(file)
    late = reported_late(audit.report_due_on, fields["reported_at"])
    reason = (
        stored_text(gettext_lazy("late: the report was due by %(due_on)s"), due_on=audit.report_due_on) if late else ""
    )
    # ``writes.transition`` validates before ``save()``, and only ``save()`` writes the file.
    return writes.transition(actor, audit, AUDIT_TRANSITIONS, AuditStatus.REPORTED, reason=reason, **fields)


# --- CAPA for a finding --------------------------------------------------------------------------


def _lock_finding_capa(actor: Actor, capa: Capa, expected_version: int | None) -> Capa:
    capa = writes.lock(actor, capa, expected_version=expected_version)
    if capa.finding_id is None:
        raise ValueError("this CAPA answers an event or an assessment: use that workflow's service")
    return capa


@transaction.atomic
def finding_capa_add(
    *, actor: Actor, finding: AuditFinding, description: str, due_on: dt.date, expected_version: int | None = None
) -> Capa:
    """The CMO's corrective or preventive action answering a finding (art. 13: "对审核…发现的问题应当及时
    整改"), with its due date; owned by the CMO. ``expected_version`` is the audit's."""
    audit = _lock_audit(actor, finding.audit, expected_version)
    finding = writes.lock(actor, finding)
    require_party(actor, audit.contract, Party.CMO, gettext_lazy("answer an audit finding"))
    _require_status(audit, OPEN_FOR_CAPA, gettext_lazy("add a CAPA"))
    problems = []
    if not (description or "").strip():
        problems.append(detail(gettext_lazy("the action is required"), field="description"))
    if not isinstance(due_on, dt.date):
        problems.append(detail(gettext_lazy("the due date is required"), field="due_on"))
    if problems:
        raise validation_failed(problems, what=gettext_lazy("CAPA"))
    capa = writes.create(
        actor,
        Capa(
            finding=finding,
            description=description.strip(),
            owner_party=Party.CMO,
            due_on=due_on,
            created_by_id=user_id(actor),
        ),
        acting_for=organisation_of(audit.contract, Party.CMO),
    )
    writes.change(
        actor,
        audit,
        reason=stored_text(gettext_lazy("CAPA %(capa)s for finding %(finding)s"), capa=capa.pk, finding=finding.pk),
        acting_for=organisation_of(audit.contract, Party.CMO),
    )
    return capa


@transaction.atomic
def finding_capa_implement(*, actor: Actor, capa: Capa, note: str, expected_version: int | None = None) -> Capa:
    """The CMO reports a finding's CAPA done."""
    capa = _lock_finding_capa(actor, capa, expected_version)
    audit = capa.finding.audit
    require_party(actor, audit.contract, Party.CMO, gettext_lazy("report this CAPA implemented"))
    _require_status(audit, OPEN_FOR_CAPA, gettext_lazy("change its CAPA"))
    return capa_steps.mark_implemented(actor, capa, note, acting_for=organisation_of(audit.contract, Party.CMO))


@transaction.atomic
def finding_capa_check(
    *, actor: Actor, capa: Capa, effective: bool, note: str, expected_version: int | None = None
) -> Capa:
    """QA or the head of quality of the MAH (the auditing party) records whether the implemented CAPA
    remedied the finding. Not effective: the CMO adds another CAPA."""
    capa = _lock_finding_capa(actor, capa, expected_version)
    require_user(actor, gettext_lazy("the effectiveness check"))
    audit = capa.finding.audit
    if not is_qa_of(actor, audit.contract, Party.MAH):
        raise refuse(
            "qa_required",
            gettext_lazy("the effectiveness check is for QA or the head of quality of the MAH"),
        )
    _require_status(audit, OPEN_FOR_CAPA, gettext_lazy("check its CAPA"))
    return capa_steps.mark_checked(actor, capa, effective, note, acting_for=organisation_of(audit.contract, Party.MAH))


# --- close, cancel -------------------------------------------------------------------------------


def audit_close_problems(audit: Audit) -> list[ErrorDetail]:
    """What still prevents closing a reported audit: a finding without a CAPA checked effective, or
    a CAPA still planned or awaiting its check."""
    problems = []
    for finding in audit.findings.all():
        statuses = set(finding.capas.values_list("status", flat=True))
        # The finding named by its severity (in each language) and the start of its description.
        named = {"severity": finding.get_severity_display, "description": finding.description[:40]}
        if CapaStatus.EFFECTIVE not in statuses:
            problems.append(
                detail(
                    gettext_lazy("finding '%(severity)s: %(description)s' has no CAPA checked effective"),
                    field="findings",
                    **named,
                )
            )
        elif statuses & {CapaStatus.PLANNED, CapaStatus.IMPLEMENTED}:
            problems.append(
                detail(
                    gettext_lazy("finding '%(severity)s: %(description)s' has a CAPA still open or awaiting its check"),
                    field="findings",
                    **named,
                )
            )
    return problems


@transaction.atomic
def audit_close(*, actor: Actor, audit: Audit, conclusion: str, expected_version: int | None = None) -> Audit:
    """The MAH closes a reported audit once every finding has a CAPA checked effective."""
    audit = _lock_audit(actor, audit, expected_version)
    _require_mah(actor, audit.contract, gettext_lazy("close the audit"))
    _require_status(audit, {AuditStatus.REPORTED}, gettext_lazy("close it (report it first)"))
    conclusion = required_text(conclusion, "conclusion", gettext_lazy("closing needs a conclusion"))
    problems = audit_close_problems(audit)
    if problems:
        raise validation_failed(problems, what=gettext_lazy("audit closure"))
    return writes.transition(
        actor,
        audit,
        AUDIT_TRANSITIONS,
        AuditStatus.CLOSED,
        closed_at=timezone.now(),
        closed_by_id=user_id(actor),
        conclusion=conclusion,
    )


@transaction.atomic
def audit_cancel(*, actor: Actor, audit: Audit, reason: str, expected_version: int | None = None) -> Audit:
    """The MAH cancels a planned audit, with its reason; it stays on record."""
    audit = _lock_audit(actor, audit, expected_version)
    _require_mah(actor, audit.contract, gettext_lazy("cancel the audit"))
    reason = required_text(reason, "reason", gettext_lazy("a cancellation needs its reason"))
    return writes.transition(
        actor,
        audit,
        AUDIT_TRANSITIONS,
        AuditStatus.CANCELLED,
        reason=reason,
        closed_at=timezone.now(),
        closed_by_id=user_id(actor),
        conclusion=reason,
    )
