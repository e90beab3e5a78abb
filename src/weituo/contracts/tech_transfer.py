"""Every write of the technology-transfer workflow (Notice 2025-134 art. 4).

The record it produces is the one the rules ``134-4.transfer-complete`` and ``134-4.cmo-duties`` read:
the transfer's lead and working group and the date of each duty on ``TechTransfer``, set here, each
beside a ``TechTransferStep`` that says who recorded it, for which party, with what note and evidence.

（四）…在技术转移过程中，委托双方如发现在软硬件条件、生产管理、质量管理等方面难以完成技术转移，或者可能产生
药品生产质量风险的，应当立即沟通并采取措施控制风险；风险难以有效控制的，应当停止合作。
受托生产企业在技术转移过程中应当做好以下工作：（1）配备对接技术转移的负责人，成立技术转移工作组…（2）…审核技术
转移相关方制定的技术转移方案可行性…（3）…设施设备、清洁方法、分析方法、生产工艺等确认或者验证工作，以及共线
生产风险评估…（4）…审核技术转移报告…（5）…制定生产工艺规程、空白批记录等技术文件，并经持有人审核批准。

===================================  ==========================================================
action                               who
===================================  ==========================================================
start a transfer                     a writer of the contract's MAH (the product's holder)
appoint the lead and working group   a writer of the CMO (duty (1) is the CMO's)
record steps (2)–(4)                 a writer of the CMO, in order (``TransferStep``)
correct a recorded step              a writer of the step's party, with a reason, while in progress
record step (5): master documents    a writer of the MAH ("经持有人审核批准")
complete the transfer                a writer of the MAH, once every step is recorded and no
                                     risk is open
raise a risk, control it, or stop    a writer of either party ("委托双方…应当立即沟通")
===================================  ==========================================================

A transfer's state is derived, not stored: completed once ``completed_on`` is set, stopped once a
risk of it ended in a stop, otherwise in progress. The model predates this workflow and is also
written by the registry import and the demo, which know no status field; deriving the state keeps
those records consistent. Every write locks the transfer row first, so two users recording the same
step at once are serialised and the second is refused ("already recorded"), never applied twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import organisation_of, party_of, require_party, user_id, writes_for_party
from weituo.accounts.models import Membership
from weituo.core.actors import Actor
from weituo.core.errors import ErrorDetail, InvalidTransition
from weituo.core.i18n import bounded, detail, messages, validation_failed
from weituo.core.ids import new_ref
from weituo.core.roles import QA_ROLES, Party
from weituo.core.validation import required_text
from weituo.integrity import writes
from weituo.integrity.mail import notify_ledgered, render_mail
from weituo.registry.models import Person, Product

from .choices import TRANSFER_RISK_TRANSITIONS, TRANSFER_STEP_PARTY, ContractStatus, TransferRiskStatus, TransferStep
from .models import CommissionContract, TechTransfer, TechTransferRisk, TechTransferStep

logger = logging.getLogger("weituo.contracts")

STEPS: tuple[str, ...] = tuple(TransferStep.values)

IN_PROGRESS, COMPLETED, STOPPED = "in_progress", "completed", "stopped"


def _today() -> dt.date:
    return timezone.localdate()


def _conflict(code: str, message: Any, field: str | None = None, **params: Any) -> InvalidTransition:
    """The conflict ``code``, saying why in one gettext message (``params`` interpolated per language)."""
    return InvalidTransition(code=code, **messages(message, **params), details=[detail(message, field=field, **params)])


def _about_step(message: Any, step: str) -> Callable[[], str]:
    """``message`` (a phrase naming ``%(step)s``) with the step's label, rendered in whatever language
    the error is being written in (the ``what`` of ``require_party``)."""
    return lambda: str(message) % {"step": TransferStep(step).label}


def _listing(items: list[Any], *, strong: bool = False) -> Callable[[], str]:
    """``items`` (labels or refs) as one list in the language being written: 、 (；when ``strong``)
    between them in Chinese, a comma (a semicolon) in English."""

    def render() -> str:
        chinese = (translation.get_language() or "").startswith("zh")
        separator = ("；" if chinese else "; ") if strong else ("、" if chinese else ", ")
        return separator.join(str(item) for item in items)

    return render


def _unknown_step(step: str) -> ErrorDetail:
    return detail(gettext_lazy("unknown transfer step '%(step)s'"), step=bounded(step), field="step")


def transfer_state(transfer: TechTransfer) -> str:
    """``completed``, ``stopped`` or ``in_progress`` (derived, see the module docstring)."""
    if transfer.completed_on is not None:
        return COMPLETED
    if transfer.risks.filter(status=TransferRiskStatus.STOPPED).exists():
        return STOPPED
    return IN_PROGRESS


def step_date(transfer: TechTransfer, step: str) -> dt.date | None:
    return getattr(transfer, f"{step}_on")


def _require_in_progress(transfer: TechTransfer) -> None:
    state = transfer_state(transfer)
    if state == COMPLETED:
        raise _conflict(
            "transfer_completed",
            gettext_lazy("the technology transfer was completed on %(completed_on)s; it cannot be changed"),
            completed_on=transfer.completed_on,
        )
    if state == STOPPED:
        raise _conflict(
            "transfer_stopped",
            gettext_lazy(
                "the technology transfer was stopped (a risk could not be controlled); nothing more can be recorded"
            ),
        )


def _check_date(
    value: dt.date | None, field: str, *, not_before: dt.date | None, before: Any = None
) -> list[ErrorDetail]:
    """A date given, not in the future, and not before ``not_before`` (the previous step), which
    ``before`` (a lazy phrase: "the previous step's date") names."""
    if value is None:
        return [detail(gettext_lazy("give the date"), field=field)]
    problems = []
    if value > _today():
        problems.append(detail(gettext_lazy("the date %(value)s is in the future"), value=value, field=field))
    if not_before is not None and value < not_before:
        problems.append(
            detail(
                gettext_lazy("the date %(value)s is before %(before)s (%(not_before)s)"),
                value=value,
                before=before,
                not_before=not_before,
                field=field,
            )
        )
    return problems


def _lock(actor: Actor, transfer: TechTransfer) -> TechTransfer:
    locked = writes.lock(actor, transfer)
    return TechTransfer.objects.select_related("contract", "lead").get(pk=locked.pk)


# --- start and team -----------------------------------------------------------------------------


@transaction.atomic
def tech_transfer_start(
    *,
    actor: Actor,
    contract: CommissionContract,
    product: Product,
    started_on: dt.date,
    ref: str | None = None,
) -> TechTransfer:
    """The MAH starts the transfer of one product of the contract to the CMO."""
    if not policy.visible(actor, CommissionContract).filter(pk=contract.pk).exists():
        raise writes.not_found(CommissionContract, contract.ref)
    require_party(actor, contract, Party.MAH, gettext_lazy("start a technology transfer"))
    problems = _check_date(started_on, "started_on", not_before=None)
    if not contract.products.filter(pk=product.pk).exists():
        problems.append(
            detail(
                gettext_lazy("product %(ref)s is not commissioned by this contract"),
                ref=product.ref,
                field="product",
            )
        )
    if contract.status == ContractStatus.TERMINATED:
        problems.append(detail(gettext_lazy("the commission contract is terminated"), field="contract"))
    if problems:
        raise validation_failed(problems, what=gettext_lazy("technology transfer"))
    running = [
        t
        for t in TechTransfer.objects.select_for_update().filter(contract=contract, product=product)
        if transfer_state(t) == IN_PROGRESS
    ]
    if running:
        raise _conflict(
            "transfer_in_progress",
            gettext_lazy("a technology transfer of this product is already in progress (%(ref)s)"),
            "product",
            ref=running[0].ref,
        )
    return writes.create(
        actor,
        TechTransfer(ref=ref or new_ref("TT"), contract=contract, product=product, started_on=started_on),
        acting_for=organisation_of(contract, Party.MAH),
    )


@transaction.atomic
def tech_transfer_set_team(
    *, actor: Actor, transfer: TechTransfer, lead: Person, working_group: list[Person], reason: str = ""
) -> TechTransfer:
    """The CMO appoints its transfer lead and working group (art. 4(1)). The lead is the CMO's person;
    the group's members are people of either party (the MAH's experts join the CMO's group)."""
    transfer = _lock(actor, transfer)
    contract = transfer.contract
    require_party(actor, contract, Party.CMO, gettext_lazy("appoint the transfer lead and working group"))
    _require_in_progress(transfer)
    problems = []
    if lead is None or lead.organisation_id != contract.cmo_id:
        problems.append(
            detail(
                gettext_lazy("the transfer lead must be the CMO's person (art. 4(1))"),
                field="lead",
            )
        )
    if not working_group:
        problems.append(detail(gettext_lazy("name the working group's members"), field="working_group"))
    parties = {contract.mah_id, contract.cmo_id}
    problems += [
        detail(
            gettext_lazy("working group member %(name)s is not a person of either party"),
            name=p.name,
            field="working_group",
        )
        for p in working_group
        if p.organisation_id not in parties
    ]
    if problems:
        raise validation_failed(problems, what=gettext_lazy("transfer working group"))
    return writes.record_update(
        actor=actor,
        instance=transfer,
        reason=reason,
        lead=lead,
        many={"working_group": working_group},
        acting_for=organisation_of(contract, Party.CMO),
    )


# --- steps ----------------------------------------------------------------------------------------


@transaction.atomic
def tech_transfer_record_step(
    *,
    actor: Actor,
    transfer: TechTransfer,
    step: str,
    done_on: dt.date,
    note: str,
    evidence: str = "",
) -> TechTransferStep:
    """Record one step, by the party the article gives it to, in order: not before the previous step's
    date (the start, for the first), not in the future, with a note. Sets the date the rules read."""
    if step not in STEPS:
        raise validation_failed([_unknown_step(step)])
    transfer = _lock(actor, transfer)
    contract = transfer.contract
    party = TRANSFER_STEP_PARTY[step]
    label = TransferStep(step).label
    require_party(actor, contract, party, _about_step(gettext_lazy("record %(step)s"), step))
    _require_in_progress(transfer)
    if step_date(transfer, step) is not None:
        raise _conflict(
            "step_recorded",
            gettext_lazy("%(step)s was already recorded on %(done_on)s"),
            "step",
            step=label,
            done_on=step_date(transfer, step),
        )
    if transfer.lead_id is None or not transfer.working_group.exists():
        raise _conflict(
            "team_missing",
            gettext_lazy("the CMO first appoints its transfer lead and working group (art. 4(1))"),
            "lead",
        )
    index = STEPS.index(step)
    missing = [s for s in STEPS[:index] if step_date(transfer, s) is None]
    if missing:
        first = TransferStep(missing[0])
        raise _conflict(
            "step_out_of_order",
            gettext_lazy("record %(step)s first (the steps are recorded in order)"),
            "step",
            step=first.label,
        )
    previous = step_date(transfer, STEPS[index - 1]) if index else transfer.started_on
    before = gettext_lazy("the previous step's date") if index else gettext_lazy("the transfer's start")
    problems = _check_date(done_on, "done_on", not_before=previous, before=before)
    if not (note or "").strip():
        problems.append(detail(gettext_lazy("give a note (what was done, its conclusion)"), field="note"))
    if problems:
        raise validation_failed(problems, what=gettext_lazy("transfer step"))
    record = writes.create(
        actor,
        TechTransferStep(
            transfer=transfer,
            step=step,
            party=party,
            done_on=done_on,
            note=note.strip(),
            evidence=(evidence or "").strip(),
            recorded_by_id=user_id(actor),
        ),
        acting_for=organisation_of(contract, party),
    )
    # The reason names the step as people read it (the step's code is in the changed field already).
    reason = f"{TransferStep(step).label}：{note.strip()}"[:500]
    writes.change(
        actor, transfer, reason=reason, **{f"{step}_on": done_on}, acting_for=organisation_of(contract, party)
    )
    return record


@transaction.atomic
def tech_transfer_correct_step(
    *,
    actor: Actor,
    transfer: TechTransfer,
    step: str,
    reason: str,
    done_on: dt.date | None = None,
    note: str | None = None,
    evidence: str | None = None,
) -> TechTransferStep:
    """Correct a recorded step while the transfer is in progress, by the step's party, with a reason;
    the ledger keeps the old values beside the new. The date stays between its neighbours' dates."""
    if step not in STEPS:
        raise validation_failed([_unknown_step(step)])
    transfer = _lock(actor, transfer)
    label = TransferStep(step).label
    require_party(
        actor, transfer.contract, TRANSFER_STEP_PARTY[step], _about_step(gettext_lazy("correct %(step)s"), step)
    )
    _require_in_progress(transfer)
    record = TechTransferStep.objects.select_for_update().filter(transfer=transfer, step=step).first()
    if record is None:
        raise _conflict("step_not_recorded", gettext_lazy("%(step)s is not recorded yet"), "step", step=label)
    reason = required_text(reason, "reason", gettext_lazy("give the reason for the correction"))
    fields: dict = {}
    problems: list[ErrorDetail] = []
    if done_on is not None and done_on != record.done_on:
        index = STEPS.index(step)
        previous = step_date(transfer, STEPS[index - 1]) if index else transfer.started_on
        problems += _check_date(
            done_on, "done_on", not_before=previous, before=gettext_lazy("the previous step's date")
        )
        following = step_date(transfer, STEPS[index + 1]) if index + 1 < len(STEPS) else None
        if following is not None and done_on > following:
            problems.append(
                detail(
                    gettext_lazy("the date %(done_on)s is after the next step's date (%(following)s)"),
                    done_on=done_on,
                    following=following,
                    field="done_on",
                )
            )
        fields["done_on"] = done_on
    if note is not None:
        if not note.strip():
            problems.append(detail(gettext_lazy("the note cannot be empty"), field="note"))
        fields["note"] = note.strip()
    if evidence is not None:
        fields["evidence"] = evidence.strip()
    if problems:
        raise validation_failed(problems, what=gettext_lazy("step correction"))
    changed = {k: v for k, v in fields.items() if getattr(record, k) != v}
    if not changed:
        return record
    record = writes.change(
        actor,
        record,
        reason=reason,
        **changed,
        acting_for=organisation_of(transfer.contract, TRANSFER_STEP_PARTY[step]),
    )
    if "done_on" in changed:
        writes.change(
            actor,
            transfer,
            reason=reason,
            **{f"{step}_on": changed["done_on"]},
            acting_for=organisation_of(transfer.contract, TRANSFER_STEP_PARTY[step]),
        )
    return record


@transaction.atomic
def tech_transfer_complete(*, actor: Actor, transfer: TechTransfer, completed_on: dt.date) -> TechTransfer:
    """The MAH completes the transfer: every step recorded, the team appointed, no risk open."""
    transfer = _lock(actor, transfer)
    require_party(actor, transfer.contract, Party.MAH, gettext_lazy("complete a technology transfer"))
    _require_in_progress(transfer)
    missing = [TransferStep(s).label for s in STEPS if step_date(transfer, s) is None]
    if transfer.lead_id is None or not transfer.working_group.exists():
        missing.insert(0, gettext_lazy("(1) transfer lead and working group"))
    if missing:
        raise _conflict(
            "transfer_incomplete",
            gettext_lazy("the technology transfer is incomplete; not recorded: %(missing)s"),
            "completed_on",
            missing=_listing(missing, strong=True),
        )
    open_risks = list(transfer.risks.filter(status=TransferRiskStatus.OPEN).values_list("ref", flat=True))
    if open_risks:
        raise _conflict(
            "risk_open",
            gettext_lazy("a transfer risk is still open: %(risks)s"),
            "completed_on",
            risks=_listing(open_risks),
        )
    last = step_date(transfer, STEPS[-1])
    problems = _check_date(
        completed_on,
        "completed_on",
        not_before=last,
        before=gettext_lazy("the date the MAH approved the master documents (the last step)"),
    )
    if problems:
        raise validation_failed(problems, what=gettext_lazy("technology transfer"))
    return writes.change(
        actor,
        transfer,
        action="transition",
        reason="completed",
        completed_on=completed_on,
        acting_for=organisation_of(transfer.contract, Party.MAH),
    )


# --- risks ----------------------------------------------------------------------------------------


@transaction.atomic
def tech_transfer_risk_raise(
    *,
    actor: Actor,
    transfer: TechTransfer,
    description: str,
    raised_on: dt.date,
    measures: str = "",
    party: str | None = None,
    ref: str | None = None,
) -> TechTransferRisk:
    """Either party records a risk found during the transfer; the other party sees it on the transfer at
    once and is emailed once the transaction commits (its QA, and its people in the transfer's team)."""
    transfer = _lock(actor, transfer)
    raising = party_of(actor, transfer.contract, party)
    _require_in_progress(transfer)
    description = required_text(description, "description", gettext_lazy("describe the risk found"))
    problems = _check_date(
        raised_on, "raised_on", not_before=transfer.started_on, before=gettext_lazy("the transfer's start")
    )
    if problems:
        raise validation_failed(problems, what=gettext_lazy("transfer risk"))
    risk = writes.create(
        actor,
        TechTransferRisk(
            ref=ref or new_ref("TTR"),
            transfer=transfer,
            raised_by_party=raising,
            raised_by_id=user_id(actor),
            raised_on=raised_on,
            description=description,
            measures=(measures or "").strip(),
        ),
        acting_for=organisation_of(transfer.contract, raising),
    )
    transaction.on_commit(partial(_notify_risk, actor, risk.pk))
    return risk


def _counterparty_emails(transfer: TechTransfer, party: str) -> list[str]:
    """Whom to tell at once of a risk raised by the other party: ``party``'s QA and head of quality,
    and the transfer's lead and working-group members who work for it (with an email address)."""
    contract = transfer.contract
    org = contract.mah_id if party == Party.MAH else contract.cmo_id
    users = (
        Membership.objects.filter(organisation_id=org, role__in=QA_ROLES[party], active=True, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    people = [p for p in (transfer.lead, *transfer.working_group.all()) if p is not None and p.organisation_id == org]
    return sorted({*users, *(p.email for p in people if p.email)})


def _notify_risk(actor: Actor, risk_pk: int) -> None:
    """Email the counterparty of a raised risk ("应当立即沟通"); runs once the raising transaction has
    committed, and ledgers whether the mail went out (a failed mail never undoes the recorded risk)."""
    risk = TechTransferRisk.objects.select_related(
        "transfer__contract__mah", "transfer__contract__cmo", "transfer__product", "transfer__lead"
    ).get(pk=risk_pk)
    transfer = risk.transfer
    recipient = Party.CMO if risk.raised_by_party == Party.MAH else Party.MAH
    to = _counterparty_emails(transfer, recipient)
    if not to:
        return
    subject, body = render_mail("transfer_risk", {"transfer": transfer, "risk": risk, "actor_label": actor.label})
    notify_ledgered(actor, risk, to=to, subject=subject, body=body, logger=logger, what=f"transfer risk {risk.ref}")


def _resolve(
    actor: Actor,
    risk: TechTransferRisk,
    to: str,
    resolved_on: dt.date,
    resolution: str,
    measures: str | None,
    version: int | None,
    party: str | None,
) -> TechTransferRisk:
    transfer = _lock(actor, risk.transfer)
    risk = writes.lock(actor, risk, expected_version=version)
    acting = party_of(actor, transfer.contract, party)
    _require_in_progress(transfer)
    resolution = required_text(
        resolution,
        "resolution",
        gettext_lazy("give why the risk is controlled")
        if to == TransferRiskStatus.CONTROLLED
        else gettext_lazy("give the reason to stop"),
    )
    problems = _check_date(
        resolved_on, "resolved_on", not_before=risk.raised_on, before=gettext_lazy("the date the risk was raised")
    )
    fields = {}
    if measures is not None:
        fields["measures"] = measures.strip()
    if to == TransferRiskStatus.CONTROLLED and not (fields.get("measures") or risk.measures).strip():
        problems.append(detail(gettext_lazy("give the measures taken to control it"), field="measures"))
    if problems:
        raise validation_failed(problems, what=gettext_lazy("transfer risk"))
    return writes.transition(
        actor,
        risk,
        TRANSFER_RISK_TRANSITIONS,
        to,
        reason=resolution,
        resolved_on=resolved_on,
        resolved_by_party=acting,
        resolved_by_id=user_id(actor),
        resolution=resolution,
        **fields,
        acting_for=organisation_of(transfer.contract, acting),
    )


@transaction.atomic
def tech_transfer_risk_control(
    *,
    actor: Actor,
    risk: TechTransferRisk,
    resolved_on: dt.date,
    resolution: str,
    measures: str | None = None,
    version: int | None = None,
    party: str | None = None,
) -> TechTransferRisk:
    """The measures taken control the risk: the transfer goes on (a writer of either party)."""
    return _resolve(actor, risk, TransferRiskStatus.CONTROLLED, resolved_on, resolution, measures, version, party)


@transaction.atomic
def tech_transfer_stop(
    *,
    actor: Actor,
    risk: TechTransferRisk,
    resolved_on: dt.date,
    reason: str,
    version: int | None = None,
    party: str | None = None,
) -> TechTransferRisk:
    """The risk cannot be controlled effectively: the cooperation on this transfer stops, with its reason
    ("风险难以有效控制的，应当停止合作"). The transfer can no longer be continued or completed; ending the
    commission contract itself is ``contract_change_status`` (a separate, deliberate act)."""
    return _resolve(actor, risk, TransferRiskStatus.STOPPED, resolved_on, reason, None, version, party)


def acting_parties(actor: Actor, transfer: TechTransfer) -> set[str]:
    """The parties of the transfer's contract the actor writes for (which forms a page offers)."""
    if not actor.can_write:
        return set()
    if actor.system or actor.is_platform_admin:
        return {Party.MAH, Party.CMO}
    return {p for p in (Party.MAH, Party.CMO) if writes_for_party(actor, transfer.contract, p)}


__all__ = [
    "COMPLETED",
    "IN_PROGRESS",
    "STEPS",
    "STOPPED",
    "acting_parties",
    "step_date",
    "tech_transfer_complete",
    "tech_transfer_correct_step",
    "tech_transfer_record_step",
    "tech_transfer_risk_control",
    "tech_transfer_risk_raise",
    "tech_transfer_set_team",
    "tech_transfer_start",
    "tech_transfer_stop",
    "transfer_state",
]
