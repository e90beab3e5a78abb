"""Every read of the quality app. Each takes the ``actor`` and narrows what it reads with the
visibility policy: an event the actor may not see is ``NotFound`` (another MAH on a shared line
never learns that it exists).

``blocking_events`` is the one exception, documented there: the release services must see every
blocker of a batch whoever asks.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from weituo.access import policy
from weituo.access.parties import writer_orgs
from weituo.batches.models import Batch
from weituo.contracts.models import CommissionContract
from weituo.core.actors import Actor
from weituo.core.deadlines import Deadline
from weituo.core.roles import Party
from weituo.integrity.audited import object_type
from weituo.integrity.models import LedgerEntry
from weituo.integrity.writes import not_found

from ..choices import OPEN_STATUSES, CapaStatus, DeadlineKind, EventStatus
from ..deadlines import end_of_day
from ..models import Capa, Deviation, QualityEvent, Reclassification, RetentionObligation
from ..regulation import release_blocking_categories


def event_list(
    *,
    actor: Actor,
    contract: CommissionContract | None = None,
    batch: Batch | None = None,
    category: str = "",
    status: str = "",
    open_only: bool = False,
    overdue: bool | None = None,
    at: dt.datetime | None = None,
) -> QuerySet[QualityEvent]:
    """The events the actor may see, newest first. ``overdue``: True only those still unacknowledged
    past their deadline as of ``at`` (now), False only the others, None all."""
    qs = policy.visible(actor, QualityEvent).select_related("contract", "batch", "recipient", "recipient_contact")
    if overdue is not None:
        late = Q(status=EventStatus.OPEN, due_at__lt=at or timezone.now())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    if contract is not None:
        qs = qs.filter(contract=contract)
    if batch is not None:
        qs = qs.filter(batch=batch)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by("-raised_at", "ref")


def event_get(*, actor: Actor, ref: str) -> QualityEvent:
    """An event the actor may see, with its contract, batch, recipient and deviation data."""
    try:
        return (
            policy.visible(actor, QualityEvent)
            .select_related("contract__mah", "contract__cmo", "batch", "recipient", "recipient_contact", "agreement")
            .get(ref=ref)
        )
    except QualityEvent.DoesNotExist:
        raise not_found(QualityEvent, ref) from None


def deviation_get(*, actor: Actor, ref: str) -> Deviation:
    """The deviation of the event ``ref``."""
    try:
        return (
            policy.visible(actor, Deviation)
            .select_related("event__contract__mah", "event__contract__cmo", "event__batch")
            .get(event__ref=ref)
        )
    except Deviation.DoesNotExist:
        raise not_found(Deviation, ref) from None


def overdue_events(*, actor: Actor, at: dt.datetime | None = None) -> QuerySet[QualityEvent]:
    """Events not acknowledged by their deadline, as of ``at`` (now), most overdue first."""
    at = at or timezone.now()
    return event_list(actor=actor, status=EventStatus.OPEN).filter(due_at__lt=at).order_by("due_at", "ref")


def event_deadlines(*, actor: Actor, at: dt.datetime) -> list[Deadline]:
    """Events raised to the actor's organisations still to acknowledge, with the agreement's time
    limit; CAPA of events owed by their party still to implement."""
    orgs = writer_orgs(actor)
    to_me = Q(pk__in=[])
    mine = Q(pk__in=[])
    for party, ids in orgs.items():
        if not ids:
            continue
        raised_by = Party.CMO if party == Party.MAH else Party.MAH
        to_me |= Q(recipient_id__in=ids, raised_by_party=raised_by)
        contract_side = "event__contract__mah_id__in" if party == Party.MAH else "event__contract__cmo_id__in"
        mine |= Q(owner_party=party, **{contract_side: ids})
    items = [
        Deadline(
            kind=DeadlineKind.ACKNOWLEDGE,
            ref=e.ref,
            title=e.title,
            record=e,
            event=e,
            due_at=e.due_at,
            provisional=e.due_provisional,
            overdue=e.due_at is not None and e.due_at < at,
            time_limit=e.time_limit,
            time_unit=e.time_unit,
        )
        for e in event_list(actor=actor, status=EventStatus.OPEN).filter(to_me)
    ]
    capas = (
        policy.visible(actor, Capa)
        .filter(mine, status=CapaStatus.PLANNED, event__status__in=OPEN_STATUSES)
        .select_related("event__contract", "event__batch")
    )
    for capa in capas:
        due = end_of_day(capa.due_on)
        items.append(
            Deadline(
                kind=DeadlineKind.CAPA,
                ref=capa.event.ref,
                title=capa.description[:80],
                record=capa,
                event=capa.event,
                due_at=due,
                provisional=False,
                overdue=due < at,
                capa=capa,
            )
        )
    return items


def capa_list(*, actor: Actor, event: QualityEvent) -> QuerySet[Capa]:
    return policy.visible(actor, Capa).filter(event=event).order_by("due_on", "pk")


def capa_get(*, actor: Actor, event: QualityEvent, pk: int) -> Capa:
    """One CAPA of the event (``NotFound`` if it is another record's or not visible)."""
    try:
        return capa_list(actor=actor, event=event).select_related("event__contract").get(pk=pk)
    except Capa.DoesNotExist:
        raise not_found(Capa, pk) from None


def reclassification_list(*, actor: Actor, deviation: Deviation) -> QuerySet[Reclassification]:
    """Every change of the deviation's classification, applied, pending, approved or rejected."""
    return policy.visible(actor, Reclassification).filter(deviation=deviation).order_by("requested_at", "pk")


def reclassification_get(*, actor: Actor, deviation: Deviation, pk: int) -> Reclassification:
    """One reclassification of the deviation (``NotFound`` if it is another's or not visible)."""
    try:
        return reclassification_list(actor=actor, deviation=deviation).get(pk=pk)
    except Reclassification.DoesNotExist:
        raise not_found(Reclassification, pk) from None


def retention_obligation_list(
    *,
    actor: Actor,
    batch: Batch | None = None,
    contract: CommissionContract | None = None,
    status: str = "",
    event: QualityEvent | None = None,
) -> QuerySet[RetentionObligation]:
    qs = policy.visible(actor, RetentionObligation).select_related("batch__product", "event")
    if batch is not None:
        qs = qs.filter(batch=batch)
    if event is not None:  # those the event (a major or critical deviation) created
        qs = qs.filter(event=event)
    if contract is not None:
        qs = qs.filter(batch__contract=contract)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("batch", "kind", "party")


def retention_obligation_get(*, actor: Actor, pk: int) -> RetentionObligation:
    """One retention obligation the actor may see (``NotFound`` otherwise)."""
    try:
        return policy.visible(actor, RetentionObligation).select_related("batch", "event").get(pk=pk)
    except RetentionObligation.DoesNotExist:
        raise not_found(RetentionObligation, pk) from None


def event_trail(*, actor: Actor, event: QualityEvent) -> list[LedgerEntry]:
    """Every ledger entry about an event, its deviation, reclassifications, CAPA and the retention
    obligations it created, oldest first.
    ``event`` comes from ``event_get`` (so the actor may see it)."""
    q = Q(object_type=object_type(QualityEvent), object_id=str(event.pk))
    capas = [str(pk) for pk in Capa.objects.filter(event=event).values_list("pk", flat=True)]
    if capas:
        q |= Q(object_type=object_type(Capa), object_id__in=capas)
    deviation = Deviation.objects.filter(event=event).first()
    if deviation is not None:
        q |= Q(object_type=object_type(Deviation), object_id=str(deviation.pk))
        changes = [str(pk) for pk in deviation.reclassifications.values_list("pk", flat=True)]
        if changes:
            q |= Q(object_type=object_type(Reclassification), object_id__in=changes)
    duties = [str(pk) for pk in RetentionObligation.objects.filter(event=event).values_list("pk", flat=True)]
    if duties:  # the art. 11 obligations the event created, and their fulfilment
        q |= Q(object_type=object_type(RetentionObligation), object_id__in=duties)
    return list(LedgerEntry.objects.filter(q).order_by("seq"))


def blocking_events(*, batch: Batch) -> list[QualityEvent]:
    """The open deviation and OOS/OOT events of a batch, which block its release (art. 12).

    Deliberately NOT narrowed by an actor: a release check must see every blocker whoever asks; the
    release services name the blockers only to the parties of the batch's contract, who see them all.
    """
    return list(
        QualityEvent.objects.filter(
            batch=batch, category__in=release_blocking_categories(), status__in=OPEN_STATUSES
        ).order_by("raised_at", "ref")
    )
