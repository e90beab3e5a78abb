"""Every read of the contracts app. Each takes the ``actor`` and narrows what it reads with the
visibility policy (``weituo.accounts.policy``): a contract the actor may not see is ``NotFound``."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from weituo.accounts import policy
from weituo.accounts.actors import Actor
from weituo.core.errors import ErrorDetail, NotFound
from weituo.registry.models import Line, Organisation, Product

from .choices import ART7_CATEGORIES
from .models import CommissionContract, CommunicationItem, QualityAgreement


def _not_found(what_zh: str, what_en: str, ref: str) -> NotFound:
    return NotFound(
        code="not_found",
        message_zh=f"未找到{what_zh} {ref}",
        message_en=f"{what_en} {ref} not found",
        details=[ErrorDetail(f"未找到 {ref}", f"{ref} not found", field="ref")],
    )


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
        raise _not_found("委托生产协议", "contract", ref) from None


def missing_communication_categories(*, actor: Actor, agreement: QualityAgreement) -> list[str]:
    """The art. 7 categories the agreement's communication list does not cover."""
    if (
        not policy.sees_everything(actor)
        and not policy.visible(actor, QualityAgreement).filter(pk=agreement.pk).exists()
    ):
        raise _not_found("质量协议", "quality agreement", agreement.ref)
    present = {item.category for item in agreement.communications.all()}
    return [c for c in ART7_CATEGORIES if c not in present]
