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

from weituo.core.models import BaseModel, ReferencedModel
from weituo.registry.models import Line, Organisation, Product

from ..choices import ApprovalDecision, AssessmentStatus, NoticeStatus, SharedLineTrigger

USER = settings.AUTH_USER_MODEL


class SharedLineAssessment(ReferencedModel):
    """The CMO's risk assessment of one line after its shared-production conditions changed."""

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="assessments", verbose_name="生产线")
    change = models.ForeignKey(
        "quality.Change",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name="起因变更",
    )
    trigger = models.CharField("共线条件变化", max_length=30, choices=SharedLineTrigger.choices)
    trigger_description = models.TextField("变化说明")
    started_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("开始时间")
    conclusion = models.TextField("评估结论（向各持有人通报）", blank=True)
    controls = models.TextField("风险控制措施（向各持有人通报）", blank=True)
    concluded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    concluded_at = models.DateTimeField("通报时间", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "共线生产风险评估"
        verbose_name_plural = "共线生产风险评估"
        ordering = ["-started_at", "ref"]

    def __str__(self) -> str:
        return f"{self.ref} {self.line}"


class SharedLineProductRisk(BaseModel):
    """What the assessment found for one product on the line: seen only by the CMO and its holder."""

    assessment = models.ForeignKey(
        SharedLineAssessment, on_delete=models.PROTECT, related_name="product_risks", verbose_name="共线风险评估"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name="品种")
    findings = models.TextField("该品种的评估数据与结论")

    class Meta:
        verbose_name = "共线评估（品种数据）"
        verbose_name_plural = "共线评估（品种数据）"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "product"], name="one_risk_row_per_product")]

    def __str__(self) -> str:
        return f"{self.assessment.ref} {self.product}"


class SharedLineNotice(BaseModel):
    """The assessment as notified to one MAH with a product on the line, and that MAH's feedback."""

    assessment = models.ForeignKey(
        SharedLineAssessment, on_delete=models.PROTECT, related_name="notices", verbose_name="共线风险评估"
    )
    mah = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="持有人")
    products = models.ManyToManyField(Product, related_name="+", verbose_name="该持有人的共线品种")
    other_products_count = models.PositiveIntegerField("其他持有人的共线品种数")
    sent_at = models.DateTimeField("通报时间")
    notified_to = models.CharField("通知邮箱", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.SENT)
    feedback = models.TextField("持有人反馈意见", blank=True)
    feedback_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    response = models.TextField("受托方研判及措施", blank=True)
    agreed_at = models.DateTimeField("达成一致时间", null=True, blank=True)
    agreed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "共线风险通报"
        verbose_name_plural = "共线风险通报"
        ordering = ["assessment", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "mah"], name="one_notice_per_mah")]

    def __str__(self) -> str:
        return f"{self.assessment.ref} → {self.mah}"


class CapaApproval(BaseModel):
    """One MAH's approval of a CAPA of a shared-line assessment ("经持有人审核过的纠正预防措施")."""

    capa = models.ForeignKey("quality.Capa", on_delete=models.PROTECT, related_name="approvals", verbose_name="措施")
    mah = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="持有人")
    decision = models.CharField("审核意见", max_length=10, choices=ApprovalDecision.choices)
    note = models.TextField("说明", blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审核时间")

    class Meta:
        verbose_name = "措施审核（持有人）"
        verbose_name_plural = "措施审核（持有人）"
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.capa_id} {self.mah} {self.get_decision_display()}"
