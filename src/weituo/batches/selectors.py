"""Every read of the batches app, narrowed by the visibility policy: a batch the actor may not see
is ``NotFound`` (another MAH with a product on the same line never learns it exists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from weituo.access import policy
from weituo.contracts.models import CommissionContract
from weituo.core.actors import Actor
from weituo.core.errors import ErrorDetail
from weituo.core.roles import Side
from weituo.integrity.audited import object_type
from weituo.integrity.models import LedgerEntry
from weituo.integrity.selectors import signature_manifestations
from weituo.integrity.writes import not_found
from weituo.registry.models import Line, Product

from .checks import package_digest, package_problems, release_problems
from .choices import ReleaseStep
from .models import Batch, ReleaseDecision, ReleaseDocument, TestResult
from .permissions import may_edit_package, may_reject, may_release
from .signing import SigningSession, open_session


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
        documents=list(
            policy.visible(actor, ReleaseDocument)
            .filter(batch=batch)
            .select_related("added_by", "event")
            .order_by("kind", "pk")
        ),
        results=list(policy.visible(actor, TestResult).filter(batch=batch).order_by("pk")),
        missing=package_problems(batch),
        factory_blockers=release_problems(batch, ReleaseStep.FACTORY),
        market_blockers=release_problems(batch, ReleaseStep.MARKET),
    )


def release_document_get(*, actor: Actor, batch: Batch, pk: int) -> ReleaseDocument:
    """One file of the batch's release package (``NotFound`` if it is not this batch's or not
    visible). ``batch`` comes from ``batch_get``."""
    try:
        return policy.visible(actor, ReleaseDocument).get(batch=batch, pk=pk)
    except ReleaseDocument.DoesNotExist:
        raise not_found(ReleaseDocument, pk) from None


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


# --- what the batch pages offer (the services decide; these only shape the forms) ------------------


@dataclass(frozen=True)
class BatchCreateOptions:
    """What a CMO writer may choose from when recording a batch: the contracts it manufactures under,
    their products, and its own lines. The service checks the combination."""

    contracts: QuerySet[CommissionContract]
    products: QuerySet[Product]
    lines: QuerySet[Line]


def batch_create_options(*, actor: Actor) -> BatchCreateOptions:
    cmo_ids = actor.writer_organisations(Side.CMO)
    contracts = (
        policy.visible(actor, CommissionContract)
        .filter(cmo_id__in=cmo_ids)
        .select_related("mah", "cmo")
        .order_by("number", "pk")
    )
    products = (
        policy.visible(actor, Product).filter(contracts__in=contracts.values("pk")).distinct().order_by("name", "pk")
    )
    lines = (
        policy.visible(actor, Line)
        .filter(workshop__site__organisation_id__in=cmo_ids)
        .select_related("workshop__site")
        .order_by("name", "pk")
    )
    return BatchCreateOptions(contracts=contracts, products=products, lines=lines)


def batch_filter_options(*, actor: Actor) -> tuple[QuerySet[Product], QuerySet[CommissionContract]]:
    """The products and contracts of the batches the actor sees (the choices of the list's filters)."""
    batches = policy.visible(actor, Batch).values("pk")
    products = policy.visible(actor, Product).filter(batches__in=batches).distinct().order_by("name", "pk")
    contracts = (
        policy.visible(actor, CommissionContract).filter(batches__in=batches).distinct().order_by("number", "pk")
    )
    return products, contracts


@dataclass(frozen=True)
class BatchAbilities:
    """Which forms the batch page offers the actor. Only a hint for the page: every service checks
    again and refuses whoever is not entitled."""

    edit_package: bool  # a writer of the contract's CMO, while the package is open
    factory_release: bool  # a QP of the contract's CMO, batch awaiting release
    market_release: bool  # a QP of the product's holder, batch factory released
    reject: bool  # the QP whose step is next


def batch_abilities(*, actor: Actor, batch: Batch) -> BatchAbilities:
    """``batch`` comes from ``batch_get``."""
    return BatchAbilities(
        edit_package=may_edit_package(actor, batch),
        factory_release=may_release(actor, batch, ReleaseStep.FACTORY),
        market_release=may_release(actor, batch, ReleaseStep.MARKET),
        reject=may_reject(actor, batch),
    )


def batch_signing_open(*, actor: Actor, batch: Batch, step: str) -> SigningSession:
    """A signing session for ``step`` of ``batch`` (from ``batch_get``): the token a face shows with
    the package and sends back with the signature (``batches.signing``)."""
    return open_session(actor, batch, step)


def release_package_digest(*, actor: Actor, batch: Batch) -> str:
    """The SHA-256 of the package as it is now: what a QP signing now signs. ``batch`` comes from ``batch_get``."""
    return package_digest(batch)
