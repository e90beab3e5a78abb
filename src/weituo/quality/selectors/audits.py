"""Every read of the audits of CMOs by their MAHs (Notice 2025-134 arts. 13, 14). Each takes the
``actor`` and narrows what it reads with the visibility policy: the audit of one MAH's contract is
``NotFound`` to another MAH on the same shared line (it never learns that it exists).

``audit_deadlines`` is the audits' provider of "my deadlines": the MAH owes each conducted audit's
report by its due date (kind ``audit_report``); the CMO owes a response to each finding by the
date the MAH set (kind ``finding_response``) until a CAPA of it is implemented or checked effective.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from weituo.access import policy
from weituo.access.parties import is_qa_of, writer_orgs, writes_for_party
from weituo.contracts.models import CommissionContract
from weituo.core.actors import Actor
from weituo.core.deadlines import Deadline
from weituo.core.roles import Party
from weituo.core.selectors import working_calendar
from weituo.integrity.audited import object_type
from weituo.integrity.models import LedgerEntry
from weituo.integrity.writes import not_found

from ..audit_due import report_due_provisional, report_late, report_overdue
from ..choices import AuditStatus, CapaStatus, DeadlineKind
from ..deadlines import end_of_day
from ..models import Audit, AuditFinding, Capa


@dataclass(frozen=True)
class ReportState:
    """Where an audit's report stands: its due date, and whether that date is provisional, the report
    overdue (not written, past due) or late (written after its due date)."""

    due_on: dt.date | None
    provisional: bool
    overdue: bool
    late: bool


def audit_list(
    *, actor: Actor, contract: CommissionContract | None = None, status: str = "", mode: str = ""
) -> QuerySet[Audit]:
    qs = policy.visible(actor, Audit).select_related("contract__mah", "contract__cmo")
    if contract is not None:
        qs = qs.filter(contract=contract)
    if status:
        qs = qs.filter(status=status)
    if mode:
        qs = qs.filter(mode=mode)
    return qs.order_by("-planned_on", "ref")


def audit_get(*, actor: Actor, ref: str) -> Audit:
    """An audit the actor may see, with its contract and parties."""
    try:
        return (
            policy.visible(actor, Audit)
            .select_related("contract__mah", "contract__cmo", "planned_by", "reported_by", "closed_by")
            .get(ref=ref)
        )
    except Audit.DoesNotExist:
        raise not_found(Audit, ref) from None


def report_state(*, audit: Audit, at: dt.datetime | None = None) -> ReportState:
    """The report's due date and its provisional / overdue / late flags (see ``audit_due``)."""
    at = at or timezone.now()
    return ReportState(
        due_on=audit.report_due_on,
        provisional=report_due_provisional(audit, working_calendar()) if audit.reported_at is None else False,
        overdue=audit.status == AuditStatus.CONDUCTED and report_overdue(audit, at),
        late=report_late(audit),
    )


def finding_list(*, actor: Actor, audit: Audit) -> QuerySet[AuditFinding]:
    """The audit's findings, each with its CAPA (oldest first) prefetched as ``capa_list``."""
    capas = policy.visible(actor, Capa).filter(finding__audit=audit).order_by("pk")
    return (
        policy.visible(actor, AuditFinding)
        .filter(audit=audit)
        .prefetch_related(Prefetch("capas", queryset=capas, to_attr="capa_list"))
        .order_by("pk")
    )


def finding_get(*, actor: Actor, audit: Audit, pk: int) -> AuditFinding:
    """One finding of the audit (``NotFound`` if it is another audit's or not visible)."""
    try:
        return policy.visible(actor, AuditFinding).select_related("audit__contract").get(audit=audit, pk=pk)
    except AuditFinding.DoesNotExist:
        raise not_found(AuditFinding, pk) from None


def finding_capa_get(*, actor: Actor, audit: Audit, pk: int) -> Capa:
    """One CAPA answering a finding of the audit (``NotFound`` otherwise)."""
    try:
        return policy.visible(actor, Capa).select_related("finding__audit__contract").get(finding__audit=audit, pk=pk)
    except Capa.DoesNotExist:
        raise not_found(Capa, pk) from None


def audit_trail(*, actor: Actor, audit: Audit) -> list[LedgerEntry]:
    """Every ledger entry about the audit, its findings and their CAPA, oldest first. ``audit``
    comes from ``audit_get`` (so the actor may see it)."""
    q = Q(object_type=object_type(Audit), object_id=str(audit.pk))
    findings = [str(pk) for pk in AuditFinding.objects.filter(audit=audit).values_list("pk", flat=True)]
    if findings:
        q |= Q(object_type=object_type(AuditFinding), object_id__in=findings)
        capas = [str(pk) for pk in Capa.objects.filter(finding__audit=audit).values_list("pk", flat=True)]
        if capas:
            q |= Q(object_type=object_type(Capa), object_id__in=capas)
    return list(LedgerEntry.objects.filter(q).order_by("seq"))


def audit_deadlines(*, actor: Actor, at: dt.datetime) -> list[Deadline]:
    """Reports the actor's MAHs owe (``audit_report``) and finding responses its CMOs owe
    (``finding_response``). Viewers owe nothing."""
    orgs = writer_orgs(actor)
    items: list[Deadline] = []
    calendar = None
    if orgs[Party.MAH]:
        audits = policy.visible(actor, Audit).filter(
            status=AuditStatus.CONDUCTED, contract__mah_id__in=orgs[Party.MAH], report_due_on__isnull=False
        )
        for audit in audits.select_related("contract"):
            calendar = calendar or working_calendar()
            due = end_of_day(audit.report_due_on)
            items.append(
                Deadline(
                    kind=DeadlineKind.AUDIT_REPORT,
                    ref=audit.ref,
                    title=audit.scope[:80],
                    record=audit,
                    due_at=due,
                    provisional=report_due_provisional(audit, calendar),
                    overdue=due < at,
                )
            )
    if orgs[Party.CMO]:
        answered = Capa.objects.filter(
            finding__isnull=False, status__in=[CapaStatus.IMPLEMENTED, CapaStatus.EFFECTIVE]
        ).values("finding_id")
        findings = (
            policy.visible(actor, AuditFinding)
            .filter(
                audit__status__in=[AuditStatus.CONDUCTED, AuditStatus.REPORTED],
                audit__contract__cmo_id__in=orgs[Party.CMO],
            )
            .exclude(pk__in=answered)
            .select_related("audit")
        )
        for finding in findings:
            due = end_of_day(finding.response_due_on)
            items.append(
                Deadline(
                    kind=DeadlineKind.FINDING_RESPONSE,
                    ref=finding.audit.ref,
                    title=finding.description[:80],
                    record=finding,
                    due_at=due,
                    provisional=False,
                    overdue=due < at,
                )
            )
    return items


# --- what the audit pages offer ------------------------------------------------------------------


def plannable_contracts(*, actor: Actor) -> QuerySet[CommissionContract]:
    """The contracts the actor may plan an audit on: those it sees and writes for the MAH of (a
    platform admin: every contract it sees)."""
    qs = policy.visible(actor, CommissionContract).select_related("mah", "cmo").order_by("number", "ref")
    if actor.system or actor.is_platform_admin:
        return qs
    return qs.filter(mah_id__in=writer_orgs(actor)[Party.MAH])


@dataclass
class AuditActions:
    """What the audit page offers the actor now. Only an offer: each service checks again, under a
    lock, and is the authority."""

    conduct: bool = False
    cancel: bool = False
    add_finding: bool = False
    report: bool = False
    close: bool = False
    capa_add: set[int] = field(default_factory=set)  # finding ids
    implement: set[int] = field(default_factory=set)  # CAPA ids
    check: set[int] = field(default_factory=set)  # CAPA ids


def audit_actions(*, actor: Actor, audit: Audit, findings: list[AuditFinding]) -> AuditActions:
    """The actions on ``audit`` (from ``audit_get``) and its ``findings`` (from ``finding_list``)."""
    actions = AuditActions()
    if not actor.can_write:
        return actions
    contract = audit.contract
    mah = writes_for_party(actor, contract, Party.MAH) or actor.is_platform_admin
    cmo = writes_for_party(actor, contract, Party.CMO) or actor.is_platform_admin
    qa = is_qa_of(actor, contract, Party.MAH)
    status = audit.status
    actions.conduct = actions.cancel = mah and status == AuditStatus.PLANNED
    actions.add_finding = actions.report = mah and status == AuditStatus.CONDUCTED
    actions.close = mah and status == AuditStatus.REPORTED
    if status in (AuditStatus.CONDUCTED, AuditStatus.REPORTED):
        for finding in findings:
            if cmo:
                actions.capa_add.add(finding.pk)
            for capa in getattr(finding, "capa_list", []):
                if cmo and capa.status == CapaStatus.PLANNED:
                    actions.implement.add(capa.pk)
                if qa and capa.status == CapaStatus.IMPLEMENTED:
                    actions.check.add(capa.pk)
    return actions
