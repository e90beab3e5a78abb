"""Every read of change control (Notice 2025-134 art. 9). Each takes the ``actor`` and narrows what
it reads with the visibility policy: a change is seen by the two parties of its contract and their
regulators; another MAH on a shared line never learns that it exists (``NotFound``, an empty list).

``change_actions`` says what the actor may do with a change, so that pages and clients offer only
those; the services decide again when the action is taken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from weituo.access import policy
from weituo.access.parties import is_qa_of, writer_orgs, writes_for_party
from weituo.contracts.choices import ContractStatus
from weituo.contracts.models import CommissionContract, CommunicationItem
from weituo.core.actors import Actor
from weituo.core.deadlines import Deadline
from weituo.core.roles import Party
from weituo.core.selectors import working_calendar
from weituo.integrity.audited import object_type
from weituo.integrity.models import LedgerEntry
from weituo.integrity.writes import not_found
from weituo.registry.models import Line, Product

from ..choices import FILING_TRANSITIONS, ChangeStatus, DeadlineKind
from ..deadlines import due_at
from ..models import Change, RetentionObligation, SharedLineAssessment

# The regulatory steps each path goes through (as ``services.changes.FILING_STEPS``; read here so
# that selectors need not import services).
_FILING_STEPS: dict[str, tuple[str, ...]] = {
    "approval": ("submitted", "accepted", "refused"),
    "filing": ("submitted", "accepted"),
    "report": ("in_annual_report",),
}


def change_list(
    *,
    actor: Actor,
    contract: CommissionContract | None = None,
    product: Product | None = None,
    status: str = "",
    change_class: str = "",
    search: str = "",
) -> QuerySet[Change]:
    """The changes the actor may see, newest first, filtered."""
    qs = policy.visible(actor, Change).select_related("contract__mah", "contract__cmo")
    if contract is not None:
        qs = qs.filter(contract=contract)
    if product is not None:
        qs = qs.filter(products=product)
    if status:
        qs = qs.filter(status=status)
    if change_class:
        qs = qs.filter(change_class=change_class)
    if search:
        qs = qs.filter(Q(ref__icontains=search) | Q(title__icontains=search))
    return qs.distinct().order_by("-proposed_at", "ref")


def change_get(*, actor: Actor, ref: str) -> Change:
    """A change the actor may see, with its contract and the people who acted on it."""
    try:
        return (
            policy.visible(actor, Change)
            .select_related(
                "contract__mah",
                "contract__cmo",
                "proposed_by",
                "mah_classified_by",
                "cmo_classified_by",
                "decided_by",
                "implemented_by",
                "closed_by",
            )
            .get(ref=ref)
        )
    except Change.DoesNotExist:
        raise not_found(Change, ref) from None


def change_products(*, actor: Actor, change: Change) -> QuerySet[Product]:
    return policy.visible(actor, Product).filter(changes=change).order_by("name", "pk")


def change_lines(*, actor: Actor, change: Change):
    return policy.visible(actor, Line).filter(changes=change).order_by("name", "pk")


def change_obligations(*, actor: Actor, change: Change) -> QuerySet[RetentionObligation]:
    """The art. 11 duties the change caused, by batch."""
    return (
        policy.visible(actor, RetentionObligation)
        .filter(change=change)
        .select_related("batch__product")
        .order_by("batch__manufactured_on", "batch__pk", "kind", "party")
    )


def change_assessments(*, actor: Actor, change: Change) -> QuerySet[SharedLineAssessment]:
    """The shared-line assessments the change started (art. 8), as far as the actor sees them (an
    MAH sees an assessment once it was notified of it)."""
    return policy.visible(actor, SharedLineAssessment).filter(change=change).select_related("line")


def change_trail(*, actor: Actor, change: Change) -> list[LedgerEntry]:
    """Every ledger entry of the change and of the obligations it caused, oldest first. ``change``
    comes from ``change_get`` (so the actor may see it)."""
    q = Q(object_type=object_type(Change), object_id=str(change.pk))
    obligations = [str(pk) for pk in change_obligations(actor=actor, change=change).values_list("pk", flat=True)]
    if obligations:
        q |= Q(object_type=object_type(RetentionObligation), object_id__in=obligations)
    return list(LedgerEntry.objects.filter(q).order_by("seq"))


# --- what the actor may do ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeActions:
    """What the actor may do with a change now (the services check again when it is done)."""

    classify_as: list[str] = field(default_factory=list)  # the parties it may classify for
    decide: bool = False
    filing_steps: list[str] = field(default_factory=list)
    implement: bool = False
    close: bool = False
    withdraw: bool = False

    @property
    def any(self) -> bool:
        return bool(
            self.classify_as or self.decide or self.filing_steps or self.implement or self.close or self.withdraw
        )


def change_actions(*, actor: Actor, change: Change) -> ChangeActions:
    contract = change.contract
    if not actor.can_write:
        return ChangeActions()
    anywhere = actor.system or actor.is_platform_admin
    writes = {p: anywhere or writes_for_party(actor, contract, p) for p in Party.values}
    status = change.status
    steps = []
    if writes[Party.MAH] and status in (ChangeStatus.APPROVED, ChangeStatus.IMPLEMENTED, ChangeStatus.CLOSED):
        allowed = FILING_TRANSITIONS.get(change.filing_status, set())
        steps = [s for s in _FILING_STEPS.get(change.regulatory_path, ()) if s in allowed]
    return ChangeActions(
        classify_as=[p for p in Party.values if writes[p]]
        if status in (ChangeStatus.PROPOSED, ChangeStatus.CLASSIFIED)
        else [],
        decide=status == ChangeStatus.CLASSIFIED
        and not actor.system
        and is_qa_of(actor, contract, Party.MAH)
        and writes[Party.MAH],
        filing_steps=steps,
        implement=status == ChangeStatus.APPROVED and writes[Party.CMO],
        close=status == ChangeStatus.IMPLEMENTED and writes[Party.MAH],
        withdraw=status in (ChangeStatus.PROPOSED, ChangeStatus.CLASSIFIED, ChangeStatus.APPROVED)
        and writes[change.proposed_by_party],
    )


# --- deadlines --------------------------------------------------------------------------------------


def _time_limits(changes: list[Change]) -> dict[int, tuple[int | None, str]]:
    """The communication list's time limit for category "change" of each contract's agreement in
    force (the latest effective one), by contract id."""
    today = timezone.localdate()
    contract_ids = {c.contract_id for c in changes}
    items = (
        CommunicationItem.objects.filter(
            agreement__contract_id__in=contract_ids,
            agreement__status=ContractStatus.IN_FORCE,
            category="change",
            time_limit__isnull=False,
        )
        .filter(Q(agreement__effective_from__isnull=True) | Q(agreement__effective_from__lte=today))
        .filter(Q(agreement__expires_on__isnull=True) | Q(agreement__expires_on__gte=today))
        .order_by("agreement__contract_id", "-agreement__effective_from", "-agreement__pk")
        .values_list("agreement__contract_id", "time_limit", "time_unit")
    )
    limits: dict[int, tuple[int | None, str]] = {}
    for contract_id, limit, unit in items:
        limits.setdefault(contract_id, (limit, unit))
    return limits


def change_deadlines(*, actor: Actor, at: dt.datetime) -> list[Deadline]:
    """What the actor's organisations owe on changes: their own classification of a proposed change
    (kind ``change_classify``, timed from the proposal) and, for an MAH, the decision on a classified
    one (kind ``change_decide``, timed from the second classification) — each due by the time limit
    of category "change" in the communication list of the agreement in force, else without one."""
    orgs = writer_orgs(actor)
    wanted = Q(pk__in=[])
    if orgs[Party.MAH]:
        wanted |= Q(contract__mah_id__in=orgs[Party.MAH], status=ChangeStatus.PROPOSED, mah_class="")
        wanted |= Q(contract__mah_id__in=orgs[Party.MAH], status=ChangeStatus.CLASSIFIED)
    if orgs[Party.CMO]:
        wanted |= Q(contract__cmo_id__in=orgs[Party.CMO], status=ChangeStatus.PROPOSED, cmo_class="")
    changes = list(policy.visible(actor, Change).filter(wanted).select_related("contract"))
    if not changes:
        return []
    limits = _time_limits(changes)
    calendar = working_calendar()
    items = []
    for change in changes:
        limit, unit = limits.get(change.contract_id, (None, ""))
        owed = []
        if change.status == ChangeStatus.CLASSIFIED:
            since = max(t for t in (change.mah_classified_at, change.cmo_classified_at) if t)
            owed.append((DeadlineKind.CHANGE_DECIDE, since))
        else:
            for party in Party.values:
                if not getattr(change, f"{party}_class") and getattr(change.contract, f"{party}_id") in orgs[party]:
                    owed.append((DeadlineKind.CHANGE_CLASSIFY, change.proposed_at))
        for kind in dict(owed):
            due, provisional = due_at(dict(owed)[kind], limit, unit, calendar)
            items.append(
                Deadline(
                    kind=kind,
                    ref=change.ref,
                    title=change.title,
                    record=change,
                    due_at=due,
                    provisional=provisional,
                    overdue=due is not None and due < at,
                    time_limit=limit,
                    time_unit=unit,
                )
            )
    return items


# --- what a proposal may name ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalScope:
    """A contract the actor may propose a change under, with its products and its CMO's lines."""

    contract: CommissionContract
    products: list[Product]
    lines: list


def change_proposal_scopes(*, actor: Actor) -> list[ProposalScope]:
    """The contracts (in force or draft) the actor writes for a party of, with what a change may name."""
    if not actor.can_write:
        return []
    anywhere = actor.system or actor.is_platform_admin
    scopes = []
    contracts = (
        policy.visible(actor, CommissionContract)
        .exclude(status=ContractStatus.TERMINATED)
        .select_related("mah", "cmo")
        .order_by("number")
    )
    for contract in contracts:
        if not (anywhere or any(writes_for_party(actor, contract, p) for p in Party.values)):
            continue
        products = list(policy.visible(actor, Product).filter(pk__in=contract.products.values("pk")).order_by("name"))
        lines = list(
            policy.visible(actor, Line).filter(workshop__site__organisation_id=contract.cmo_id).order_by("name")
        )
        scopes.append(ProposalScope(contract=contract, products=products, lines=lines))
    return scopes
