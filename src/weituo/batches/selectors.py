"""Every read of the batches app, narrowed by the visibility policy: a batch the actor may not see
is ``NotFound`` (another MAH with a product on the same line never learns it exists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from weituo.accounts import policy
from weituo.accounts.actors import Actor
from weituo.contracts.models import CommissionContract
from weituo.core.errors import ErrorDetail
from weituo.integrity.audited import object_type
from weituo.integrity.models import LedgerEntry
from weituo.integrity.selectors import signature_manifestations
from weituo.quality.records import not_found
from weituo.registry.models import Product

from .checks import package_problems, release_problems
from .choices import ReleaseStep
from .models import Batch, ReleaseDecision, ReleaseDocument, TestResult


def batch_list(
    *, actor: Actor, contract: CommissionContract | None = None, product: Product | None = None, status: str = ""
) -> QuerySet[Batch]:
    qs = policy.visible(actor, Batch).select_related("product", "contract", "line")
    if contract is not None:
        qs = qs.filter(contract=contract)
    if product is not None:
        qs = qs.filter(product=product)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-manufactured_on", "number")


def batch_get(*, actor: Actor, ref: str) -> Batch:
    try:
        return (
            policy.visible(actor, Batch)
            .select_related("product", "contract__mah", "contract__cmo", "line")
            .get(ref=ref)
        )
    except Batch.DoesNotExist:
        raise not_found(Batch, ref) from None


@dataclass(frozen=True)
class ReleasePackage:
    """A batch's release package as its reviewers see it, and what still prevents each release."""

    batch: Batch
    documents: list[ReleaseDocument]
    results: list[TestResult]
    missing: list[ErrorDetail] = field(default_factory=list)  # of the package itself
    factory_blockers: list[ErrorDetail] = field(default_factory=list)
    market_blockers: list[ErrorDetail] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def release_package(*, actor: Actor, batch: Batch) -> ReleasePackage:
    """``batch`` comes from ``batch_get`` (so the actor may see it)."""
    return ReleasePackage(
        batch=batch,
        documents=list(policy.visible(actor, ReleaseDocument).filter(batch=batch).order_by("kind", "pk")),
        results=list(policy.visible(actor, TestResult).filter(batch=batch).order_by("pk")),
        missing=package_problems(batch),
        factory_blockers=release_problems(batch, ReleaseStep.FACTORY),
        market_blockers=release_problems(batch, ReleaseStep.MARKET),
    )


def release_decisions(*, actor: Actor, batch: Batch) -> list[dict[str, Any]]:
    """Each release of the batch with its signatures as they must be shown (name, time, meaning, valid)."""
    return [
        {"decision": d, "signatures": signature_manifestations(actor=actor, record=d)}
        for d in policy.visible(actor, ReleaseDecision).filter(batch=batch).order_by("decided_at", "pk")
    ]


def batch_trail(*, actor: Actor, batch: Batch) -> list[LedgerEntry]:
    """Every ledger entry about a batch (refused release attempts included), its package and its
    release decisions, oldest first. ``batch`` comes from ``batch_get``."""
    q = Q(object_type=object_type(Batch), object_id=str(batch.pk))
    for model in (ReleaseDocument, TestResult, ReleaseDecision):
        ids = [str(pk) for pk in model.objects.filter(batch=batch).values_list("pk", flat=True)]
        if ids:
            q |= Q(object_type=object_type(model), object_id__in=ids)
    return list(LedgerEntry.objects.filter(q).order_by("seq"))
