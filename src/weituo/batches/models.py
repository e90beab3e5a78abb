"""Batch models: a batch made under a commission contract, its release package, its release decisions.

A release is an immutable ``ReleaseDecision`` record signed with the meaning "released"
(``integrity.services.signature_apply``): the signature is bound to the decision's digest, which
never changes, so a later change of the batch (its market release) does not invalidate the factory
release signature. The decision carries the digest of the release package as it was when signed.

Status changes go through ``services`` and ``choices.BATCH_TRANSITIONS``; ``version`` counts the
changes of a batch, so that a form submitted on a stale copy is refused instead of overwriting.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.contracts.models import CommissionContract
from weituo.core.models import BaseModel, ReferencedModel
from weituo.registry.models import Line, Product

from .choices import BatchStatus, DocumentKind, ReleaseStep

USER = settings.AUTH_USER_MODEL


class Batch(ReferencedModel):
    """One batch of a commissioned product, made on a line of the contract's CMO."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="batches", verbose_name=pgettext_lazy("Batch", "product")
    )
    contract = models.ForeignKey(
        CommissionContract, on_delete=models.PROTECT, related_name="batches", verbose_name=_("contract")
    )
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="batches", verbose_name=_("line"))
    number = models.CharField(pgettext_lazy("Batch", "number"), max_length=60)
    manufactured_on = models.DateField(_("manufactured on"))
    expiry_on = models.DateField(_("expiry on"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    quantity_unit = models.CharField(_("quantity unit"), max_length=30)
    theoretical_quantity = models.DecimalField(
        _("theoretical quantity"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.IN_PRODUCTION
    )
    factory_released_at = models.DateTimeField(_("factory released at"), null=True, blank=True)
    factory_released_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("factory released by")
    )
    market_released_at = models.DateTimeField(_("market released at"), null=True, blank=True)
    market_released_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("market released by")
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("rejected by")
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batchs")
        ordering = ["-manufactured_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "number"],
                name="batch_number_per_product",
                violation_error_message=_("this product already has a batch with this number"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.number}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.manufactured_on and self.expiry_on and self.expiry_on <= self.manufactured_on:
            errors["expiry_on"] = _("the expiry date must be after the manufacturing date")
        if self.contract_id and self.product_id:
            if self.product.holder_id != self.contract.mah_id:
                errors["product"] = _("the product is not held by the contract's MAH")
            elif not self.contract.products.filter(pk=self.product_id).exists():
                errors["product"] = _("the product is not commissioned by this contract")
        if self.contract_id and self.line_id and self.line.workshop.site.organisation_id != self.contract.cmo_id:
            errors["line"] = _("the line is not the contract CMO's")
        if errors:
            raise ValidationError(errors)


def _document_path(instance: ReleaseDocument, filename: str) -> str:
    return f"batches/{instance.batch.ref}/{instance.kind}/{filename}"


class ReleaseDocument(BaseModel):
    """A file of the release package (batch production record, batch test record, deviation record)."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="documents", verbose_name=_("batch"))
    kind = models.CharField(pgettext_lazy("ReleaseDocument", "kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(pgettext_lazy("ReleaseDocument", "title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    event = models.ForeignKey(
        "quality.QualityEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="release_documents",
        verbose_name=pgettext_lazy("ReleaseDocument", "event"),
    )
    added_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )

    class Meta:
        verbose_name = _("release document")
        verbose_name_plural = _("release documents")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.kind == DocumentKind.DEVIATION_RECORD and not self.event_id:
            raise ValidationError({"event": _("a deviation record names its deviation")})
        if self.kind != DocumentKind.DEVIATION_RECORD and self.event_id:
            raise ValidationError({"event": _("only a deviation record names a deviation")})
        if self.event_id and self.batch_id and self.event.batch_id != self.batch_id:
            raise ValidationError({"event": _("the deviation is not on this batch")})


class TestResult(BaseModel):
    """One structured result of the batch test record: test, specification, result, pass/fail."""

    __test__ = False  # not a pytest test class, despite its name

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="test_results", verbose_name=_("batch"))
    test_name = models.CharField(_("test name"), max_length=200)
    specification = models.CharField(_("specification"), max_length=300)
    result = models.CharField(_("result"), max_length=300)
    passed = models.BooleanField(_("passed"))
    entered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )

    class Meta:
        verbose_name = _("test result")
        verbose_name_plural = _("test results")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.test_name}: {self.result}"


class ReleaseDecision(BaseModel):
    """A release as signed: who released which step, when, and the digest of the package released.

    Written once, never changed: the electronic signature (meaning "released") is applied to it.
    """

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("batch"))
    step = models.CharField(pgettext_lazy("ReleaseDecision", "step"), max_length=10, choices=ReleaseStep.choices)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("ReleaseDecision", "decided by")
    )
    decided_at = models.DateTimeField(pgettext_lazy("ReleaseDecision", "decided at"))
    package_digest = models.CharField(_("package digest"), max_length=64)

    class Meta:
        verbose_name = _("release decision")
        verbose_name_plural = _("release decisions")
        ordering = ["decided_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["batch", "step"], name="one_release_per_step")]

    def __str__(self) -> str:
        return f"{self.batch} {self.get_step_display()}"
