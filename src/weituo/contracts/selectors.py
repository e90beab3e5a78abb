"""Every read of the contracts app. Each takes the ``actor``; the visibility policy is applied here
once accounts exist (integrity issue)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from weituo.core.errors import ErrorDetail, NotFound
from weituo.registry.models import Organisation

from .choices import ART7_CATEGORIES
from .models import CommissionContract, CommunicationItem, QualityAgreement


def contract_list(
    *, actor: Any, organisation: Organisation | None = None, status: str = ""
) -> QuerySet[CommissionContract]:
    qs = CommissionContract.objects.select_related("mah", "cmo").order_by("-signed_on", "ref")
    if organisation is not None:
        qs = qs.filter(mah=organisation) | qs.filter(cmo=organisation)
    if status:
        qs = qs.filter(status=status)
    return qs


def contract_get(*, actor: Any, ref: str) -> CommissionContract:
    """A contract with its products, lines and every agreement's matrix and list, in a fixed number of queries."""
    qs = CommissionContract.objects.select_related("mah", "cmo").prefetch_related(
        "products",
        "lines",
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
    try:
        return qs.get(ref=ref)
    except CommissionContract.DoesNotExist:
        raise NotFound(
            code="not_found",
            message_zh=f"未找到委托生产协议 {ref}",
            message_en=f"contract {ref} not found",
            details=[ErrorDetail(f"未找到 {ref}", f"{ref} not found", field="ref")],
        ) from None


def missing_communication_categories(*, actor: Any, agreement: QualityAgreement) -> list[str]:
    """The art. 7 categories the agreement's communication list does not cover."""
    present = {item.category for item in agreement.communications.all()}
    return [c for c in ART7_CATEGORIES if c not in present]
