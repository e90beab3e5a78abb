"""Every read of the contracts app. Each takes the ``actor`` and narrows what it reads with the
visibility policy (``weituo.access.policy``): a contract the actor may not see is ``NotFound``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import writes_for_contract
from weituo.core.actors import Actor
from weituo.core.errors import NotFound
from weituo.core.i18n import not_found
from weituo.core.roles import Side
from weituo.integrity.audited import object_type
from weituo.integrity.models import LedgerEntry, Signature
from weituo.integrity.services import record_signing_digest
from weituo.registry.models import Line, LineProduct, Organisation, Person, Product

from .choices import ART7_CATEGORIES, TRANSFER_STEP_PARTY, TransferStep
from .models import (
    AgreementAttachment,
    CommissionContract,
    CommunicationItem,
    MahEvaluation,
    QualityAgreement,
    ResidentStaff,
    ResponsibilityItem,
    TechTransfer,
    TechTransferRisk,
    TechTransferStep,
)


def _not_found(what: Any, ref: str) -> NotFound:
    return not_found(what, ref)


def contract_list(
    *, actor: Actor, organisation: Organisation | None = None, status: str = ""
) -> QuerySet[CommissionContract]:
    qs = policy.visible(actor, CommissionContract).select_related("mah", "cmo").order_by("-signed_on", "ref")
    if organisation is not None:
        qs = qs.filter(mah=organisation) | qs.filter(cmo=organisation)
    if status:
        qs = qs.filter(status=status)
    return qs


def contract_get(*, actor: Actor, ref: str) -> CommissionContract:
    """A contract with its products, lines and every agreement's matrix and list, in a fixed number of
    queries; the products and lines are those the actor may see (for the contract's parties: all)."""
    qs = (
        policy.visible(actor, CommissionContract)
        .select_related("mah", "cmo")
        .prefetch_related(
            Prefetch("products", queryset=policy.visible(actor, Product)),
            Prefetch("lines", queryset=policy.visible(actor, Line)),
            Prefetch(
                "quality_agreements",
                queryset=QualityAgreement.objects.select_related("cmo_link_person").prefetch_related(
                    "responsibilities",
                    Prefetch(
                        "communications",
                        queryset=CommunicationItem.objects.select_related("mah_contact", "cmo_contact"),
                    ),
                    "resident_staff__person",
                    "attachments",
                ),
            ),
        )
    )
    try:
        return qs.get(ref=ref)
    except CommissionContract.DoesNotExist:
        raise _not_found(gettext_lazy("contract"), ref) from None


def missing_communication_categories(*, actor: Actor, agreement: QualityAgreement) -> list[str]:
    """The art. 7 categories the agreement's communication list does not cover."""
    if (
        not policy.sees_everything(actor)
        and not policy.visible(actor, QualityAgreement).filter(pk=agreement.pk).exists()
    ):
        raise _not_found(gettext_lazy("quality agreement"), agreement.ref)
    present = {item.category for item in agreement.communications.all()}
    return [c for c in ART7_CATEGORIES if c not in present]


# --- reads of the web pages ---------------------------------------------------------------------


def contract_search(
    *,
    actor: Actor,
    search: str = "",
    organisation: Organisation | None = None,
    status: str = "",
    product: Product | None = None,
    line: Line | None = None,
) -> QuerySet[CommissionContract]:
    """``contract_list`` with the filters of a list page: the number or ref, a product, a line."""
    qs = contract_list(actor=actor, organisation=organisation, status=status)
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(ref__iexact=search))
    if product is not None:
        qs = qs.filter(products=product)
    if line is not None:
        qs = qs.filter(lines=line)
    return qs


def counterparties(*, actor: Actor, organisation: Organisation) -> QuerySet[Organisation]:
    """Whom ``organisation`` works with, as far as the actor may see: for an MAH its CMOs (of its
    contracts, or owning a line its products are made on), for a CMO the MAHs it serves (of its
    contracts, or holding a product on its lines)."""
    contracts = policy.visible(actor, CommissionContract)
    rows = policy.visible(actor, LineProduct)
    q = Q(pk__in=contracts.filter(mah=organisation).values("cmo_id"))
    q |= Q(pk__in=contracts.filter(cmo=organisation).values("mah_id"))
    q |= Q(pk__in=rows.filter(product__holder=organisation).values("line__workshop__site__organisation_id"))
    q |= Q(pk__in=rows.filter(line__workshop__site__organisation=organisation).values("product__holder_id"))
    return policy.visible(actor, Organisation).filter(q).exclude(pk=organisation.pk).order_by("name")


def agreement_get(*, actor: Actor, ref: str) -> QualityAgreement:
    """A quality agreement the actor may see, with its contract and parties."""
    try:
        return (
            policy.visible(actor, QualityAgreement)
            .select_related("contract__mah", "contract__cmo", "cmo_link_person")
            .get(ref=ref)
        )
    except QualityAgreement.DoesNotExist:
        raise _not_found(gettext_lazy("quality agreement"), ref) from None


def contract_may_edit(*, actor: Actor, contract: CommissionContract) -> bool:
    """Whether the actor may change the contract's quality agreements: a writer role in one of its parties."""
    return writes_for_contract(actor, contract)


def contract_trail(*, actor: Actor, contract: CommissionContract) -> list[LedgerEntry]:
    """Every ledger entry about a contract, its quality agreements and their rows, oldest first, in one
    query. ``contract`` comes from ``contract_get`` (so the actor may see it, and its agreements and
    rows are already loaded)."""
    targets: dict[str, set[str]] = {object_type(CommissionContract): {str(contract.pk)}}
    for agreement in contract.quality_agreements.all():
        targets.setdefault(object_type(QualityAgreement), set()).add(str(agreement.pk))
        for kind, rows in (
            (ResponsibilityItem, agreement.responsibilities.all()),
            (CommunicationItem, agreement.communications.all()),
            (ResidentStaff, agreement.resident_staff.all()),
            (AgreementAttachment, agreement.attachments.all()),
        ):
            targets.setdefault(object_type(kind), set()).update(str(r.pk) for r in rows)
    q = Q(pk__in=[])
    for kind, ids in targets.items():
        if ids:
            q |= Q(object_type=kind, object_id__in=sorted(ids))
    return list(LedgerEntry.objects.filter(q).order_by("seq"))


# --- reads of the REST API -----------------------------------------------------------------------


def agreement_search(
    *, actor: Actor, contract: CommissionContract | None = None, status: str = ""
) -> QuerySet[QualityAgreement]:
    qs = policy.visible(actor, QualityAgreement).select_related("contract__mah", "contract__cmo").order_by("ref")
    if contract is not None:
        qs = qs.filter(contract=contract)
    if status:
        qs = qs.filter(status=status)
    return qs


def agreement_detail(*, actor: Actor, ref: str) -> QualityAgreement:
    """A quality agreement with its responsibility matrix, communication list (with the contacts) and
    resident staff, in a fixed number of queries."""
    qs = (
        policy.visible(actor, QualityAgreement)
        .select_related("contract__mah", "contract__cmo", "cmo_link_person")
        .prefetch_related(
            Prefetch("responsibilities", queryset=ResponsibilityItem.objects.order_by("activity")),
            Prefetch(
                "communications",
                queryset=CommunicationItem.objects.select_related("mah_contact", "cmo_contact").order_by("category"),
            ),
            Prefetch(
                "resident_staff",
                queryset=ResidentStaff.objects.select_related("person").prefetch_related("products").order_by("pk"),
            ),
        )
    )
    try:
        return qs.get(ref=ref)
    except QualityAgreement.DoesNotExist:
        raise _not_found(gettext_lazy("quality agreement"), ref) from None


def tech_transfer_search(
    *, actor: Actor, contract: CommissionContract | None = None, product: Product | None = None
) -> QuerySet[TechTransfer]:
    qs = policy.visible(actor, TechTransfer).select_related("contract", "product", "lead").order_by("ref")
    if contract is not None:
        qs = qs.filter(contract=contract)
    if product is not None:
        qs = qs.filter(product=product)
    return qs


def tech_transfer_get(*, actor: Actor, ref: str) -> TechTransfer:
    """A technology transfer with its working group (the people the actor may see)."""
    qs = (
        policy.visible(actor, TechTransfer)
        .select_related("contract__mah", "contract__cmo", "product", "lead")
        .prefetch_related(
            Prefetch("working_group", queryset=policy.visible(actor, Person).order_by("ref")),
            Prefetch(
                "steps",
                queryset=policy.visible(actor, TechTransferStep)
                .select_related("recorded_by")
                .order_by("done_on", "pk"),
            ),
            Prefetch(
                "risks",
                queryset=policy.visible(actor, TechTransferRisk)
                .select_related("raised_by", "resolved_by")
                .order_by("raised_on", "pk"),
            ),
        )
    )
    try:
        return qs.get(ref=ref)
    except TechTransfer.DoesNotExist:
        raise _not_found(gettext_lazy("tech transfer"), ref) from None


def evaluation_search(
    *, actor: Actor, cmo: Organisation | None = None, mah: Organisation | None = None
) -> QuerySet[MahEvaluation]:
    qs = policy.visible(actor, MahEvaluation).select_related("cmo", "mah").order_by("-evaluated_on", "ref")
    if cmo is not None:
        qs = qs.filter(cmo=cmo)
    if mah is not None:
        qs = qs.filter(mah=mah)
    return qs


def evaluation_get(*, actor: Actor, ref: str) -> MahEvaluation:
    """The CMO's evaluation of an MAH, with the products evaluated that the actor may see."""
    qs = (
        policy.visible(actor, MahEvaluation)
        .select_related("cmo", "mah")
        .prefetch_related(Prefetch("products", queryset=policy.visible(actor, Product).order_by("ref")))
    )
    try:
        return qs.get(ref=ref)
    except MahEvaluation.DoesNotExist:
        raise _not_found(gettext_lazy("evaluation"), ref) from None


def contract_signatures(*, actor: Actor, contract: CommissionContract) -> dict[int | None, list[dict[str, Any]]]:
    """The signature manifestations of a contract (key ``None``) and of each of its agreements (key: the
    agreement's pk), as ``integrity.selectors.signature_manifestations`` gives them, in one query."""
    agreements = {a.pk: a for a in contract.quality_agreements.all()}
    q = Q(object_type=object_type(CommissionContract), object_id=str(contract.pk))
    if agreements:
        q |= Q(object_type=object_type(QualityAgreement), object_id__in=[str(pk) for pk in agreements])
    signatures = list(Signature.objects.filter(q).order_by("signed_at", "pk"))
    if not signatures:
        return {}
    digests: dict[int | None, str] = {}
    result: dict[int | None, list[dict[str, Any]]] = {}
    for s in signatures:
        key = None if s.object_type == object_type(CommissionContract) else int(s.object_id)
        if key not in digests:
            digests[key] = record_signing_digest(contract if key is None else agreements[key])
        result.setdefault(key, []).append(
            {
                "signer": s.signer_name,
                "meaning": s.meaning,
                "meaning_label": s.get_meaning_display(),
                "signed_at": s.signed_at,
                "valid": s.record_digest == digests[key],
                "ledger_seq": s.ledger_seq,
            }
        )
    return result


def communication_item_get(*, actor: Actor, agreement: QualityAgreement, category: str) -> CommunicationItem | None:
    """One row of an agreement's communication list (``None``: the category has no row yet)."""
    return (
        policy.visible(actor, CommunicationItem)
        .filter(agreement=agreement, category=category)
        .select_related("mah_contact", "cmo_contact")
        .first()
    )


def responsibility_get(*, actor: Actor, agreement: QualityAgreement, activity: str) -> ResponsibilityItem | None:
    """One row of an agreement's responsibility matrix (``None``: the activity is not assigned yet)."""
    return policy.visible(actor, ResponsibilityItem).filter(agreement=agreement, activity=activity).first()


def tech_transfer_trail(*, actor: Actor, transfer: TechTransfer) -> list[LedgerEntry]:
    """The ledger entries of a transfer, its steps and its risks, oldest first. ``transfer`` comes from
    ``tech_transfer_get``, so the actor may see it, and so its steps and risks."""
    steps = [str(pk) for pk in TechTransferStep.objects.filter(transfer=transfer).values_list("pk", flat=True)]
    risks = [str(pk) for pk in TechTransferRisk.objects.filter(transfer=transfer).values_list("pk", flat=True)]
    return list(
        LedgerEntry.objects.filter(
            Q(object_type=object_type(TechTransfer), object_id=str(transfer.pk))
            | Q(object_type=object_type(TechTransferStep), object_id__in=steps)
            | Q(object_type=object_type(TechTransferRisk), object_id__in=risks)
        ).order_by("seq")
    )


def tech_transfer_risk_get(*, actor: Actor, transfer: TechTransfer, ref: str) -> TechTransferRisk:
    """A risk of ``transfer`` (already read through ``tech_transfer_get``) by its ref."""
    try:
        return policy.visible(actor, TechTransferRisk).select_related("transfer").get(transfer=transfer, ref=ref)
    except TechTransferRisk.DoesNotExist:
        raise _not_found(gettext_lazy("tech transfer risk"), ref) from None


@dataclass(frozen=True)
class TransferStepRow:
    """One step of art. 4 as a page or the API shows it: whose it is, and its record if made."""

    step: str
    label: str
    party: str
    done_on: dt.date | None
    record: TechTransferStep | None
    is_next: bool


def tech_transfer_progress(*, actor: Actor, transfer: TechTransfer) -> list[TransferStepRow]:
    """Every step in order with its record (from ``tech_transfer_get``'s prefetch), and which is next."""
    recorded = {s.step: s for s in transfer.steps.all()}
    rows, next_found = [], transfer.completed_on is not None
    for step, label in TransferStep.choices:
        done_on = getattr(transfer, f"{step}_on")
        is_next = not next_found and done_on is None
        next_found = next_found or is_next
        rows.append(TransferStepRow(step, label, TRANSFER_STEP_PARTY[step], done_on, recorded.get(step), is_next))
    return rows


def tech_transfer_may_start(*, actor: Actor, contract: CommissionContract) -> bool:
    """Whether the actor writes for the contract's MAH, who starts a transfer (the page's link)."""
    if not actor.can_write:
        return False
    if actor.system or actor.is_platform_admin:
        return True
    return actor.writes_in(contract.mah_id, Side.MAH)
