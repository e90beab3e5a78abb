"""Reads behind the quality-event pages: what a user may raise an event on, the sub-records of one
event by their id, and which actions the user may take on an event right now.

``event_actions`` only decides what to *offer*: every action is checked again, under a lock, by its
service (``quality.services.events``), which is the authority. Offering a button the service then
refuses would only confuse; offering none where the service would allow one hides work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from weituo.access import policy
from weituo.access.parties import is_qa_of, writer_orgs, writes_for_party
from weituo.contracts.models import CommissionContract
from weituo.core.actors import Actor
from weituo.core.roles import Party, counterparty
from weituo.integrity.writes import not_found

from ..choices import OPEN_STATUSES, CapaStatus, EventStatus, ObligationStatus, ReclassificationStatus
from ..models import Capa, Deviation, QualityEvent, Reclassification, RetentionObligation


def raisable_contracts(*, actor: Actor) -> QuerySet[CommissionContract]:
    """The contracts the actor may see and writes for a party of: those they may raise an event on.
    A platform admin acts for either party of any contract they see."""
    qs = policy.visible(actor, CommissionContract).select_related("mah", "cmo").order_by("number", "ref")
    if actor.system or actor.is_platform_admin:
        return qs
    orgs = writer_orgs(actor)
    return qs.filter(Q(mah_id__in=orgs[Party.MAH]) | Q(cmo_id__in=orgs[Party.CMO]))


def writes_for_both(*, actor: Actor, contract: CommissionContract | None = None) -> bool:
    """Whether the actor writes for both parties (of ``contract``, or of some contract): they must
    name the party they act for."""
    if actor.system or actor.is_platform_admin:
        return True
    if contract is not None:
        return all(writes_for_party(actor, contract, p) for p in Party.values)
    orgs = writer_orgs(actor)
    return bool(orgs[Party.MAH]) and bool(orgs[Party.CMO])


def capa_get(*, actor: Actor, event: QualityEvent, pk: int) -> Capa:
    """A CAPA of ``event`` the actor may see."""
    capa = policy.visible(actor, Capa).filter(event=event, pk=pk).first()
    if capa is None:
        raise not_found(Capa, pk)
    return capa


def reclassification_get(*, actor: Actor, deviation: Deviation, pk: int) -> Reclassification:
    """A reclassification of ``deviation`` the actor may see."""
    found = policy.visible(actor, Reclassification).filter(deviation=deviation, pk=pk).first()
    if found is None:
        raise not_found(Reclassification, pk)
    return found


def retention_obligation_get(*, actor: Actor, event: QualityEvent, pk: int) -> RetentionObligation:
    """A retention obligation created by ``event`` the actor may see."""
    found = policy.visible(actor, RetentionObligation).filter(event=event, pk=pk).select_related("batch").first()
    if found is None:
        raise not_found(RetentionObligation, pk)
    return found


@dataclass
class EventActions:
    """What the actor may do on one event now; the per-record sets hold primary keys."""

    acknowledge: bool = False
    withdraw: bool = False
    close: bool = False
    investigate: bool = False
    reclassify: bool = False
    capa_add: bool = False
    name_party: bool = False  # the actor writes for both parties: the forms ask which one
    decide: set[int] = field(default_factory=set)
    implement: set[int] = field(default_factory=set)
    effectiveness: set[int] = field(default_factory=set)
    fulfil: set[int] = field(default_factory=set)

    @property
    def any(self) -> bool:
        return any(
            (self.acknowledge, self.withdraw, self.close, self.investigate, self.reclassify, self.capa_add)
        ) or bool(self.decide or self.implement or self.effectiveness or self.fulfil)


def event_actions(
    *,
    actor: Actor,
    event: QualityEvent,
    deviation: Deviation | None,
    capas: list[Capa],
    reclassifications: list[Reclassification],
    obligations: list[RetentionObligation],
) -> EventActions:
    """The actions to offer ``actor`` on ``event`` (which they may see), as the services decide them."""
    contract = event.contract
    anywhere = actor.system or actor.is_platform_admin

    def writes(party: str) -> bool:
        return anywhere or writes_for_party(actor, contract, party)

    def qa(party: str) -> bool:
        return is_qa_of(actor, contract, party)

    raiser, recipient = event.raised_by_party, counterparty(event.raised_by_party)
    is_open = event.status in OPEN_STATUSES
    either = writes(Party.MAH) or writes(Party.CMO)
    actions = EventActions(
        # acknowledging needs a named user of the recipient (never a platform admin acting "anywhere")
        acknowledge=event.status == EventStatus.OPEN and writes_for_party(actor, contract, recipient),
        withdraw=event.status == EventStatus.OPEN and writes(raiser),
        close=event.status == EventStatus.ACKNOWLEDGED and writes(raiser),
        investigate=is_open and deviation is not None and either,
        reclassify=is_open and deviation is not None and either,
        capa_add=is_open and either,
        name_party=writes_for_both(actor=actor, contract=contract),
    )
    if is_open:
        actions.decide = {
            r.pk
            for r in reclassifications
            if r.status == ReclassificationStatus.PENDING and qa(r.party) and r.requested_by_id != actor.user_id
        }
    actions.implement = {c.pk for c in capas if c.status == CapaStatus.PLANNED and writes(c.owner_party)}
    if qa(Party.MAH) or qa(Party.CMO):
        actions.effectiveness = {c.pk for c in capas if c.status == CapaStatus.IMPLEMENTED}
    actions.fulfil = {o.pk for o in obligations if o.status == ObligationStatus.OPEN and writes(o.party)}
    return actions
