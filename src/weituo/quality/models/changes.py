"""Change control between the MAH and the CMO (Notice 2025-134 art. 9).

A ``Change`` concerns products and, possibly, lines of one commission contract. Either party
proposes it; each party records its own classification (major/moderate/minor) and regulatory path
(approval/filing/report); once both have, the higher of each governs (art. 9: "按照较高级别"), and
the MAH approves or rejects. It cannot be implemented before the MAH approved it, nor — for an
approval or filing path — before the regulator approved or received it. A major change, once
implemented, obliges both parties to keep retained samples of and study the stability of the first
three batches made after it (art. 11). A change touching a line that more than one product shares
starts a shared-line assessment (art. 8).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from weituo.contracts.models import CommissionContract
from weituo.core.models import ReferencedModel
from weituo.registry.models import Line, Product

from ..choices import ChangeClass, ChangeStatus, EventParty, FilingStatus, RegulatoryPath

USER = settings.AUTH_USER_MODEL


class Change(ReferencedModel):
    """One change of a commissioned product's manufacture, classified by both parties."""

    contract = models.ForeignKey(
        CommissionContract, on_delete=models.PROTECT, related_name="changes", verbose_name="委托生产协议"
    )
    products = models.ManyToManyField(Product, related_name="changes", verbose_name="涉及品种")
    lines = models.ManyToManyField(Line, blank=True, related_name="changes", verbose_name="涉及生产线")
    title = models.CharField("标题", max_length=200)
    description = models.TextField("变更内容及理由")
    proposed_by_party = models.CharField("提出方", max_length=3, choices=EventParty.choices)
    proposed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("提出时间")

    mah_class = models.CharField("持有人定类", max_length=10, choices=ChangeClass.choices, blank=True)
    mah_path = models.CharField("持有人认定的管理类别", max_length=10, choices=RegulatoryPath.choices, blank=True)
    mah_rationale = models.TextField("持有人定类依据", blank=True)
    mah_classified_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mah_classified_at = models.DateTimeField("持有人定类时间", null=True, blank=True)
    cmo_class = models.CharField("受托方定类", max_length=10, choices=ChangeClass.choices, blank=True)
    cmo_path = models.CharField("受托方认定的管理类别", max_length=10, choices=RegulatoryPath.choices, blank=True)
    cmo_rationale = models.TextField("受托方定类依据", blank=True)
    cmo_classified_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cmo_classified_at = models.DateTimeField("受托方定类时间", null=True, blank=True)
    # The governing class and path: the higher of the two parties' (set once both have classified).
    change_class = models.CharField("执行的变更类别", max_length=10, choices=ChangeClass.choices, blank=True)
    regulatory_path = models.CharField("执行的管理类别", max_length=10, choices=RegulatoryPath.choices, blank=True)

    status = models.CharField("状态", max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PROPOSED)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("持有人批准/不批准时间", null=True, blank=True)
    decision_note = models.TextField("持有人意见", blank=True)

    filing_status = models.CharField(
        "申报状态", max_length=20, choices=FilingStatus.choices, blank=True, default=FilingStatus.NOT_DETERMINED
    )
    filing_reference = models.CharField("申报/备案编号", max_length=100, blank=True)
    filing_submitted_on = models.DateField("申报日期", null=True, blank=True)
    filing_concluded_on = models.DateField("批准/备案完成日期", null=True, blank=True)

    implemented_on = models.DateField("实施日期", null=True, blank=True)
    implemented_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    implementation_note = models.TextField("实施情况", blank=True)
    closed_at = models.DateTimeField("关闭/撤回时间", null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    conclusion = models.TextField("结论/撤回理由", blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "变更"
        verbose_name_plural = "变更"
        ordering = ["-proposed_at", "ref"]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for party in ("mah", "cmo"):
            if bool(getattr(self, f"{party}_class")) != bool(getattr(self, f"{party}_path")):
                errors[f"{party}_path"] = "变更类别与管理类别应同时认定 / give the class with its regulatory path"
        if (
            self.filing_submitted_on
            and self.filing_concluded_on
            and self.filing_concluded_on < self.filing_submitted_on
        ):
            errors["filing_concluded_on"] = "完成日期早于申报日期 / concluded before it was submitted"
        if errors:
            raise ValidationError(errors)
