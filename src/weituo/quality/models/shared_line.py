"""Shared-line risk assessment and its notices to the MAHs (Notice 2025-134 art. 8).

When the conditions of a shared line change, the CMO concludes a risk assessment and its controls
(``SharedLineAssessment``) and notifies every MAH with a product on the line
(``SharedLineNotice``, one per MAH). A notice shows the conclusion and the controls, which are
written for every MAH; "通报信息中如涉及依法应当予以保护的商业信息可不显示": other holders and
their products are never named, only counted. What concerns one product (its residue limits, its
cleaning results…) is a ``SharedLineProductRisk`` row that only that product's holder sees. Each MAH
answers (``feedback``), the CMO records the agreement reached, and a CAPA of the assessment is
applied only once every notified MAH approved it (``CapaApproval``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.core.models import BaseModel, ReferencedModel
from weituo.registry.models import Line, Organisation, Product

from ..choices import ApprovalDecision, AssessmentStatus, NoticeStatus, SharedLineTrigger

USER = settings.AUTH_USER_MODEL


class SharedLineAssessment(ReferencedModel):
    """The CMO's risk assessment of one line after its shared-production conditions changed."""

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("line"))
    change = models.ForeignKey(
        "quality.Change",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=pgettext_lazy("SharedLineAssessment", "change"),
    )
    trigger = models.CharField(_("trigger"), max_length=30, choices=SharedLineTrigger.choices)
    trigger_description = models.TextField(_("trigger description"))
    started_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    started_at = models.DateTimeField(_("started at"))
    conclusion = models.TextField(pgettext_lazy("SharedLineAssessment", "conclusion"), blank=True)
    controls = models.TextField(_("controls"), blank=True)
    concluded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("concluded by")
    )
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN
    )
    closed_at = models.DateTimeField(pgettext_lazy("SharedLineAssessment", "closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("shared line assessment")
        verbose_name_plural = _("shared line assessments")
        ordering = ["-started_at", "ref"]

    def __str__(self) -> str:
        return f"{self.ref} {self.line}"


class SharedLineProductRisk(BaseModel):
    """What the assessment found for one product on the line: seen only by the CMO and its holder."""

    assessment = models.ForeignKey(
        SharedLineAssessment, on_delete=models.PROTECT, related_name="product_risks", verbose_name=_("assessment")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("SharedLineProductRisk", "product"),
    )
    findings = models.TextField(pgettext_lazy("SharedLineProductRisk", "findings"))

    class Meta:
        verbose_name = _("shared line product risk")
        verbose_name_plural = _("shared line product risks")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "product"], name="one_risk_row_per_product")]

    def __str__(self) -> str:
        return f"{self.assessment.ref} {self.product}"


class SharedLineNotice(BaseModel):
    """The assessment as notified to one MAH with a product on the line, and that MAH's feedback."""

    assessment = models.ForeignKey(
        SharedLineAssessment, on_delete=models.PROTECT, related_name="notices", verbose_name=_("assessment")
    )
    mah = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("SharedLineNotice", "MAH")
    )
    products = models.ManyToManyField(
        Product, related_name="+", verbose_name=pgettext_lazy("SharedLineNotice", "products")
    )
    other_products_count = models.PositiveIntegerField(_("other products count"))
    sent_at = models.DateTimeField(_("sent at"))
    notified_to = models.CharField(_("notified to"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.SENT)
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("feedback by")
    )
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    agreed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("agreed by")
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("shared line notice")
        verbose_name_plural = _("shared line notices")
        ordering = ["assessment", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "mah"], name="one_notice_per_mah")]

    def __str__(self) -> str:
        return f"{self.assessment.ref} → {self.mah}"


class CapaApproval(BaseModel):
    """One MAH's approval of a CAPA of a shared-line assessment ("经持有人审核过的纠正预防措施")."""

    capa = models.ForeignKey(
        "quality.Capa",
        on_delete=models.PROTECT,
        related_name="approvals",
        verbose_name=pgettext_lazy("CapaApproval", "CAPA"),
    )
    mah = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("CapaApproval", "MAH")
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ApprovalDecision.choices)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(pgettext_lazy("CapaApproval", "decided at"))

    class Meta:
        verbose_name = _("CAPA approval")
        verbose_name_plural = _("CAPA approvals")
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.capa_id} {self.mah} {self.get_decision_display()}"
