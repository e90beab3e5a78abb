"""Every write of the quality app: raising, acknowledging and closing quality events; deviations,
their reclassification and investigation; CAPA; the art. 11 retention obligations.

Each service takes the ``actor``, checks that they write for the right party of the contract,
changes the records through ``records`` (row lock, optimistic version, full ledger values) and
ledgers in the same transaction. Who may do what:

===========================  ===============================================================
action                       who
===========================  ===============================================================
raise an event / deviation   a writer of either party of the contract (system and platform
                             admin only naming the party they act for)
acknowledge                  a user writing for the recipient (the counterparty)
withdraw, close              a writer of the raising party (close: after acknowledgement)
investigate, add a CAPA      a writer of either party
upgrade a deviation          a writer of either party: applies at once
downgrade a deviation        requested by a writer of a party, applied only when a second
                             person, QA or head of quality of that same party, approves
implement a CAPA             a writer of the CAPA's owner party
check CAPA effectiveness     QA or head of quality of either party
fulfil a retention duty      a writer of the obligated party
===========================  ===============================================================
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import (
    is_qa_in,
    is_qa_of,
    organisation_of,
    party_of,
    refuse,
    require_party,
    require_user,
    user_id,
    writes_for_party,
)
from weituo.accounts.models import Membership
from weituo.batches.models import Batch
from weituo.contracts.choices import Assignee, ContractStatus
from weituo.contracts.models import CommissionContract, CommunicationItem, QualityAgreement
from weituo.core.actors import Actor
from weituo.core.calendar import CHINA
from weituo.core.errors import ErrorDetail, InvalidTransition
from weituo.core.i18n import bounded, detail, messages, validation_failed, zh
from weituo.core.ids import new_ref
from weituo.core.roles import QA_ROLES, Party, counterparty
from weituo.core.selectors import working_calendar
from weituo.core.validation import required_text
from weituo.integrity import writes
from weituo.integrity.mail import notify_ledgered, render_mail

from .. import capa as capa_steps
from ..choices import (
    EVENT_TRANSITIONS,
    OBLIGATION_TRANSITIONS,
    OPEN_STATUSES,
    RECLASSIFICATION_TRANSITIONS,
    SERIOUS,
    SEVERITY,
    CapaStatus,
    Classification,
    EventCategory,
    EventStatus,
    ObligationException,
    ObligationKind,
    ObligationStatus,
    ReclassificationStatus,
)
from ..deadlines import due_at
from ..models import Capa, Deviation, QualityEvent, Reclassification, RetentionObligation
from ..regulation import art11_citation, art11_deviation_classes

logger = logging.getLogger("weituo.quality")


# --- routing -----------------------------------------------------------------------------------------


def agreement_in_force(contract: CommissionContract, on=None) -> QualityAgreement | None:
    """The quality agreement of the contract in force on ``on`` (today): the latest effective one."""
    on = on or timezone.localdate()
    return (
        contract.quality_agreements.filter(status=ContractStatus.IN_FORCE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=on))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .order_by("-effective_from", "-pk")
        .first()
    )


def _qa_emails(organisation_id: int, party: str) -> list[str]:
    users = (
        Membership.objects.filter(
            organisation_id=organisation_id, role__in=QA_ROLES[party], active=True, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(users))


def _route(contract: CommissionContract, category: str, recipient_party: str, raised_at) -> dict:
    """The event's routing and deadline fields, from the agreement's communication-list row."""
    agreement = agreement_in_force(contract, timezone.localdate(raised_at))
    item = (
        CommunicationItem.objects.filter(agreement=agreement, category=category)
        .select_related("mah_contact", "cmo_contact")
        .first()
        if agreement
        else None
    )
    contact = (item.mah_contact if recipient_party == Party.MAH else item.cmo_contact) if item else None
    limit, unit = (item.time_limit, item.time_unit) if item and item.time_limit else (None, "")
    due, provisional = due_at(raised_at, limit, unit, working_calendar())
    recipient_id = organisation_of(contract, recipient_party)
    emails = [contact.email] if contact is not None and contact.email else _qa_emails(recipient_id, recipient_party)
    return {
        "agreement": agreement,
        "recipient_id": recipient_id,
        "recipient_contact": contact,
        "channel": item.channel if item else "",
        "time_limit": limit,
        "time_unit": unit,
        "due_at": due,
        "due_provisional": provisional,
        "no_agreed_contact": contact is None,
        "no_agreed_time_limit": limit is None,
        "notified_to": ",".join(emails)[:500],
    }


# --- notification (after commit) -------------------------------------------------------------------


def _notify(actor: Actor, event_pk: int) -> None:
    """Email the recipient of a raised event; runs after the raising transaction committed, and
    ledgers whether the mail went out (a failed mail never undoes the raised event)."""
    event = QualityEvent.objects.select_related("contract", "batch", "recipient").get(pk=event_pk)
    to = [a for a in event.notified_to.split(",") if a]
    if not to:
        return
    due = timezone.localtime(event.due_at).strftime("%Y-%m-%d %H:%M") if event.due_at else ""
    subject, body = render_mail("event_raised", {"event": event, "due": due, "actor_label": actor.label})
    notify_ledgered(actor, event, to=to, subject=subject, body=body, logger=logger, what=f"quality event {event.ref}")


# --- raising events ----------------------------------------------------------------------------------


def _discovered(discovered_at: dt.datetime | None, raised_at: dt.datetime) -> dt.datetime:
    """When the raising party found the event: as it says (Beijing time if no zone is given), never
    after it is raised; when it does not say, the moment it raises it."""
    if discovered_at is None:
        return raised_at
    if not isinstance(discovered_at, dt.datetime):
        raise validation_failed(
            [detail(gettext_lazy("the discovery time must be a date and time"), field="discovered_at")]
        )
    if timezone.is_naive(discovered_at):
        discovered_at = timezone.make_aware(discovered_at, CHINA)
    if discovered_at > raised_at:
        raise validation_failed(
            [detail(gettext_lazy("the discovery time cannot be in the future"), field="discovered_at")]
        )
    return discovered_at


def _raise(
    actor: Actor,
    contract: CommissionContract,
    category: str,
    title: str,
    description: str,
    batch: Batch | None,
    party: str | None,
    ref: str | None,
    discovered_at: dt.datetime | None,
) -> QualityEvent:
    if not policy.visible(actor, CommissionContract).filter(pk=contract.pk).exists():
        raise writes.not_found(CommissionContract, contract.ref)
    raising = party_of(actor, contract, party)
    if batch is not None and not policy.visible(actor, Batch).filter(pk=batch.pk).exists():
        raise writes.not_found(Batch, batch.ref)
    raised_at = timezone.now()
    discovered_at = _discovered(discovered_at, raised_at)
    routing = _route(contract, category, counterparty(raising), raised_at)
    routing["discovered_at"] = discovered_at
    routing["notify_by"], routing["notify_by_provisional"] = (
        due_at(discovered_at, routing["time_limit"], routing["time_unit"], working_calendar())
        if routing["time_limit"]
        else (None, False)
    )
    event = QualityEvent(
        ref=ref or new_ref("QE"),
        contract=contract,
        agreement=routing.pop("agreement"),
        batch=batch,
        category=category,
        title=title,
        description=description,
        raised_by_party=raising,
        raised_by_id=user_id(actor),
        raised_at=raised_at,
        **routing,
    )
    writes.create(actor, event, acting_for=organisation_of(contract, raising))
    transaction.on_commit(partial(_notify, actor, event.pk))
    return event


@transaction.atomic
def event_raise(
    *,
    actor: Actor,
    contract: CommissionContract,
    category: str,
    title: str,
    description: str = "",
    batch: Batch | None = None,
    party: str | None = None,
    ref: str | None = None,
    discovered_at: dt.datetime | None = None,
) -> QualityEvent:
    """Raise an item of the communication list to the counterparty, routed and timed by the quality
    agreement in force; emailed to the counterparty's contact once the transaction commits.
    ``discovered_at``: when the raising party found it (default: now); the agreed time limit runs
    from it to this notification (``notify_by``), as it runs from the notification to the
    acknowledgement (``due_at``).

    If the agreement has no row, contact or time limit for the category, the event is still raised,
    flagged ``no_agreed_contact`` / ``no_agreed_time_limit`` (and mailed to the recipient's QA).
    Deviations go through ``deviation_raise`` (they need a classification).
    """
    if category == EventCategory.DEVIATION:
        raise ValueError("a deviation is raised with deviation_raise (it needs its classification)")
    if category not in EventCategory.values:
        raise validation_failed(
            [detail(gettext_lazy("unknown category '%(category)s'"), category=bounded(category), field="category")]
        )
    return _raise(actor, contract, category, title, description, batch, party, ref, discovered_at)


@transaction.atomic
def deviation_raise(
    *,
    actor: Actor,
    contract: CommissionContract,
    classification: str,
    title: str,
    description: str = "",
    batch: Batch | None = None,
    party: str | None = None,
    ref: str | None = None,
    discovered_at: dt.datetime | None = None,
) -> Deviation:
    """Raise a deviation (an event of category deviation) with its classification. A major or
    critical deviation on a batch creates the art. 11 retention and stability obligations."""
    if classification not in Classification.values:
        raise validation_failed(
            [
                detail(
                    gettext_lazy("unknown classification '%(classification)s' (critical, major, minor)"),
                    classification=bounded(classification),
                    field="classification",
                )
            ]
        )
    event = _raise(actor, contract, EventCategory.DEVIATION, title, description, batch, party, ref, discovered_at)
    deviation = writes.create(
        actor,
        Deviation(event=event, classification=classification),
        acting_for=organisation_of(contract, event.raised_by_party),
    )
    _retention_obligations(actor, deviation)
    return deviation


def _retention_obligations(actor: Actor, deviation: Deviation) -> list[RetentionObligation]:
    """Art. 11: for a batch with a 重大偏差 (the classes the notice's parameter names: critical), the
    retention and stability duties of ``art11_obligations``."""
    event = deviation.event
    if event.batch_id is None or deviation.classification not in art11_deviation_classes():
        return []
    return art11_obligations(
        actor,
        batch_id=event.batch_id,
        contract=event.contract,
        agreement=event.agreement or agreement_in_force(event.contract),
        basis=f"{zh(deviation.get_classification_display)}偏差 {event.ref}；{art11_citation()}",
        event=event,
    )


def art11_obligations(
    actor: Actor,
    *,
    batch_id: int,
    contract: CommissionContract,
    agreement: QualityAgreement | None,
    basis: str,
    event: QualityEvent | None = None,
    change=None,
) -> list[RetentionObligation]:
    """Art. 11: both parties keep retained samples of the batch and run ongoing stability on it — or
    only the party the agreement names, when the parties are one group with one quality system or
    the CMO records production and testing electronically and exchanges the data with the MAH (art. 11
    para. 2: both conditions). With the exception but no single
    party named in the agreement, both parties remain obliged. The cause is ``event`` (a major
    deviation) or ``change`` (a major change). A duty the batch already carries (one per batch,
    party and kind, whatever its cause) is not made twice."""
    if contract.mah.same_group_unified_qms(contract.cmo):
        exception = ObligationException.SAME_GROUP
    elif agreement is not None and agreement.records_exchanged_electronically:
        exception = ObligationException.ELECTRONIC_DATA_EXCHANGE
    else:
        exception = ObligationException.NONE
    created = []
    for kind, field in (
        (ObligationKind.RETAINED_SAMPLE, "retained_samples_party"),
        (ObligationKind.ONGOING_STABILITY, "stability_party"),
    ):
        named = getattr(agreement, field) if agreement is not None else Assignee.UNASSIGNED
        one = exception and named in (Party.MAH, Party.CMO)
        parties = [named] if one else [Party.MAH, Party.CMO]
        for party in parties:
            if RetentionObligation.objects.filter(batch_id=batch_id, party=party, kind=kind).exists():
                continue
            obligation = RetentionObligation(
                batch_id=batch_id,
                event=event,
                change=change,
                party=party,
                kind=kind,
                basis=basis[:200],
                exception=exception if one else ObligationException.NONE,
            )
            created.append(writes.create(actor, obligation, reason="art. 11"))
    return created


# --- the life of an event --------------------------------------------------------------------------


@transaction.atomic
def event_acknowledge(
    *, actor: Actor, event: QualityEvent, note: str = "", expected_version: int | None = None
) -> QualityEvent:
    """The counterparty acknowledges receipt (the deadline is met if before ``due_at``)."""
    event = writes.lock(actor, event, expected_version=expected_version)
    require_user(actor, gettext_lazy("acknowledging"))
    recipient = counterparty(event.raised_by_party)
    if not writes_for_party(actor, event.contract, recipient):
        raise refuse(
            "not_recipient",
            gettext_lazy("only the recipient (the counterparty) may acknowledge this event"),
        )
    return writes.transition(
        actor,
        event,
        EVENT_TRANSITIONS,
        EventStatus.ACKNOWLEDGED,
        acting_for=organisation_of(event.contract, recipient),
        acknowledged_at=timezone.now(),
        acknowledged_by_id=actor.user_id,
        acknowledgement_note=note,
    )


@transaction.atomic
def event_withdraw(
    *, actor: Actor, event: QualityEvent, reason: str, expected_version: int | None = None
) -> QualityEvent:
    """The raising party withdraws an event raised by mistake, before it was acknowledged; it stays on record."""
    event = writes.lock(actor, event, expected_version=expected_version)
    require_party(actor, event.contract, event.raised_by_party, gettext_lazy("withdraw this event"))
    reason = required_text(reason, "reason", gettext_lazy("a withdrawal needs its reason"))
    return writes.transition(
        actor,
        event,
        EVENT_TRANSITIONS,
        EventStatus.WITHDRAWN,
        reason=reason,
        closed_at=timezone.now(),
        closed_by_id=user_id(actor),
        conclusion=reason,
        acting_for=organisation_of(event.contract, event.raised_by_party),
    )


def deviation_close_problems(deviation: Deviation) -> list[ErrorDetail]:
    """What still prevents closing a deviation: the root cause; for a major or critical one, a CAPA
    implemented and none still planned; no downgrade awaiting approval."""
    problems = []
    if not deviation.root_cause.strip():
        problems.append(detail(gettext_lazy("the root cause has not been recorded"), field="root_cause"))
    if deviation.reclassifications.filter(status=ReclassificationStatus.PENDING).exists():
        problems.append(detail(gettext_lazy("a reclassification is awaiting approval"), field="classification"))
    if deviation.classification in SERIOUS:
        capas = list(deviation.event.capas.values_list("status", flat=True))
        if not capas:
            problems.append(
                detail(
                    gettext_lazy("a major or critical deviation needs a CAPA"),
                    field="capas",
                )
            )
        elif CapaStatus.PLANNED in capas:
            problems.append(detail(gettext_lazy("a CAPA is not implemented yet"), field="capas"))
        elif not {CapaStatus.IMPLEMENTED, CapaStatus.EFFECTIVE} & set(capas):
            problems.append(
                detail(
                    gettext_lazy("every CAPA was found not effective: a new one is needed"),
                    field="capas",
                )
            )
    return problems


@transaction.atomic
def event_close(
    *, actor: Actor, event: QualityEvent, conclusion: str, expected_version: int | None = None
) -> QualityEvent:
    """The raising party closes an acknowledged event with its conclusion; a deviation only once
    ``deviation_close_problems`` has nothing left."""
    event = writes.lock(actor, event, expected_version=expected_version)
    require_party(actor, event.contract, event.raised_by_party, gettext_lazy("close this event"))
    conclusion = required_text(conclusion, "conclusion", gettext_lazy("closing needs a conclusion"))
    if event.category == EventCategory.DEVIATION:
        problems = deviation_close_problems(event.deviation)
        if problems:
            raise validation_failed(problems, what=gettext_lazy("deviation closure"))
    return writes.transition(
        actor,
        event,
        EVENT_TRANSITIONS,
        EventStatus.CLOSED,
        closed_at=timezone.now(),
        closed_by_id=user_id(actor),
        conclusion=conclusion,
        acting_for=organisation_of(event.contract, event.raised_by_party),
    )


def _require_open(event: QualityEvent) -> None:
    if event.status not in OPEN_STATUSES:
        raise InvalidTransition(
            code="event_not_open",
            **messages(
                gettext_lazy("quality event %(ref)s is %(status)s and cannot be changed"),
                ref=event.ref,
                status=event.get_status_display,
            ),
            details=[detail(gettext_lazy("the event is closed or withdrawn"), field="status")],
        )


# --- deviations --------------------------------------------------------------------------------------


def _lock_deviation(actor: Actor, deviation: Deviation, expected_version: int | None) -> Deviation:
    deviation = writes.lock(actor, deviation, expected_version=expected_version)
    _require_open(deviation.event)
    return deviation


@transaction.atomic
def deviation_investigate(
    *,
    actor: Actor,
    deviation: Deviation,
    root_cause: str,
    summary: str = "",
    party: str | None = None,
    expected_version: int | None = None,
) -> Deviation:
    """Record the investigation by either party: its root cause (required) and conclusion."""
    deviation = _lock_deviation(actor, deviation, expected_version)
    party_of(actor, deviation.event.contract, party)
    root_cause = required_text(root_cause, "root_cause", gettext_lazy("the root cause is required"))
    return writes.change(
        actor,
        deviation,
        root_cause=root_cause,
        investigation_summary=summary,
        investigated_at=timezone.now(),
        investigated_by_id=user_id(actor),
    )


@transaction.atomic
def deviation_reclassify(
    *,
    actor: Actor,
    deviation: Deviation,
    to: str,
    reason: str,
    party: str | None = None,
    expected_version: int | None = None,
) -> Reclassification:
    """Change a deviation's classification. An upgrade applies at once (and may create art. 11
    obligations); a downgrade is a request that a second person, QA or head of quality of the same
    party, must approve (``reclassification_decide``). Both stay in the trail."""
    deviation = _lock_deviation(actor, deviation, expected_version)
    acting = party_of(actor, deviation.event.contract, party)
    reason = required_text(reason, "reason", gettext_lazy("a reclassification needs its reason"))
    if to not in Classification.values or to == deviation.classification:
        raise validation_failed(
            [
                detail(
                    gettext_lazy("new classification '%(to)s' is unknown or unchanged"),
                    to=bounded(to),
                    field="to_classification",
                )
            ]
        )
    upgrade = SEVERITY[to] > SEVERITY[deviation.classification]
    if not upgrade and deviation.reclassifications.filter(status=ReclassificationStatus.PENDING).exists():
        raise InvalidTransition(
            code="reclassification_pending",
            **messages(gettext_lazy("a reclassification is already awaiting approval")),
            details=[detail(gettext_lazy("one is pending"), field="to_classification")],
        )
    request = writes.create(
        actor,
        Reclassification(
            deviation=deviation,
            from_classification=deviation.classification,
            to_classification=to,
            reason=reason,
            party=acting,
            requested_by_id=user_id(actor),
            requested_at=timezone.now(),
            status=ReclassificationStatus.APPLIED if upgrade else ReclassificationStatus.PENDING,
        ),
        reason=reason,
        acting_for=organisation_of(deviation.event.contract, acting),
    )
    if upgrade:
        writes.change(
            actor,
            deviation,
            reason=reason,
            classification=to,
            acting_for=organisation_of(deviation.event.contract, acting),
        )
        _retention_obligations(actor, deviation)
    return request


@transaction.atomic
def reclassification_decide(
    *, actor: Actor, reclassification: Reclassification, approve: bool, note: str = ""
) -> Reclassification:
    """QA approval (or rejection) of a downgrade: by a QA or head of quality of the party that asked,
    who is not the person who asked. Approval applies the new classification."""
    reclassification = writes.lock(actor, reclassification)
    require_user(actor, gettext_lazy("approving a reclassification"))
    deviation = Deviation.objects.select_for_update().get(pk=reclassification.deviation_id)
    _require_open(deviation.event)
    party = reclassification.party
    org = organisation_of(deviation.event.contract, party)
    if not is_qa_in(actor, org, party):
        raise refuse(
            "qa_approval_required",
            gettext_lazy("a downgrade must be approved by QA or the head of quality of the %(party)s"),
            party=Party(party).label,
        )
    if reclassification.requested_by_id == actor.user_id:
        raise refuse(
            "second_person_required",
            gettext_lazy("the requester cannot approve their own downgrade: a second person must"),
        )
    to = ReclassificationStatus.APPROVED if approve else ReclassificationStatus.REJECTED
    if approve and deviation.classification != reclassification.from_classification:
        raise writes.StaleRecord(
            code="stale_record",
            **messages(gettext_lazy("the classification changed since the request; request again")),
            details=[detail(gettext_lazy("classification changed"), field="classification")],
        )
    writes.transition(
        actor,
        reclassification,
        RECLASSIFICATION_TRANSITIONS,
        to,
        reason=note,
        decided_by_id=actor.user_id,
        decided_at=timezone.now(),
        decision_note=note,
    )
    if approve:
        writes.change(
            actor, deviation, reason=reclassification.reason, classification=reclassification.to_classification
        )
    return reclassification


# --- CAPA ------------------------------------------------------------------------------------------


@transaction.atomic
def capa_add(
    *,
    actor: Actor,
    event: QualityEvent,
    description: str,
    owner_party: str,
    due_on,
    party: str | None = None,
    expected_version: int | None = None,
) -> Capa:
    """A corrective or preventive action for an open event, with the party responsible and its due date.
    ``expected_version``: the event's version the actor saw (a form on the event page passes it)."""
    event = writes.lock(actor, event, expected_version=expected_version)
    _require_open(event)
    party_of(actor, event.contract, party)
    if owner_party not in Party.values:
        raise validation_failed(
            [
                detail(
                    gettext_lazy("unknown owner party '%(party)s'"),
                    party=bounded(owner_party),
                    field="owner_party",
                )
            ]
        )
    description = required_text(description, "description", gettext_lazy("the action is required"))
    return writes.create(
        actor,
        Capa(
            event=event, description=description, owner_party=owner_party, due_on=due_on, created_by_id=user_id(actor)
        ),
    )


def _require_event_capa(capa: Capa) -> None:
    # A CAPA of a shared-line assessment or of an audit finding has its own approvals and owners:
    # its services are in ``shared_line`` and ``audits``.
    if capa.event_id is None:
        raise ValueError("this CAPA answers an assessment or an audit finding: use that workflow's service")


@transaction.atomic
def capa_implement(*, actor: Actor, capa: Capa, note: str, expected_version: int | None = None) -> Capa:
    """The owner party reports the action done."""
    capa = writes.lock(actor, capa, expected_version=expected_version)
    _require_event_capa(capa)
    contract = capa.event.contract
    require_party(actor, contract, capa.owner_party, gettext_lazy("report this CAPA implemented"))
    return capa_steps.mark_implemented(actor, capa, note, acting_for=organisation_of(contract, capa.owner_party))


@transaction.atomic
def capa_check_effectiveness(
    *, actor: Actor, capa: Capa, effective: bool, note: str, expected_version: int | None = None
) -> Capa:
    """QA (or the head of quality) of either party records whether the implemented action worked."""
    capa = writes.lock(actor, capa, expected_version=expected_version)
    _require_event_capa(capa)
    contract = capa.event.contract
    checking = [p for p in Party.values if is_qa_of(actor, contract, p)]
    if not checking:
        raise refuse(
            "qa_required",
            gettext_lazy("the effectiveness check is for QA or the head of quality of either party"),
        )
    # QA of both parties (one person holding both roles): the entry is for the party that owns the CAPA.
    party = capa.owner_party if capa.owner_party in checking else checking[0]
    return capa_steps.mark_checked(actor, capa, effective, note, acting_for=organisation_of(contract, party))


# --- retention obligations -------------------------------------------------------------------------


@transaction.atomic
def retention_obligation_fulfil(*, actor: Actor, obligation: RetentionObligation, note: str) -> RetentionObligation:
    """The obligated party records the samples kept or the stability study started."""
    obligation = writes.lock(actor, obligation)
    # The batch's contract: an obligation caused by a change has no event.
    require_party(actor, obligation.batch.contract, obligation.party, gettext_lazy("fulfil this obligation"))
    note = required_text(note, "note", gettext_lazy("describe how it was fulfilled"))
    return writes.transition(
        actor,
        obligation,
        OBLIGATION_TRANSITIONS,
        ObligationStatus.FULFILLED,
        fulfilled_at=timezone.now(),
        fulfilled_by_id=user_id(actor),
        note=note,
        acting_for=organisation_of(obligation.batch.contract, obligation.party),
    )
