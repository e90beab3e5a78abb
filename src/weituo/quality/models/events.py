"""Quality models: quality events, deviations, their reclassifications, CAPA, retention obligations.

A ``QualityEvent`` is one item of the communication list raised by one party of a commission
contract to the other (Notice 2025-134 art. 7): its routing (the counterparty's contact, the
channel) and its time limit are copied from the quality agreement in force when it was raised, so a
later change of the agreement does not move a deadline already running. When the agreement has no
row for the category (or no contact, or no time limit), the event is still raised and says so.

A deviation is an event of category ``deviation`` with a ``Deviation`` beside it. ``version`` on
the records two users may change at once counts their changes (optimistic check, see services).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from weituo.batches.models import Batch
from weituo.contracts.choices import Channel, TimeUnit
from weituo.contracts.models import CommissionContract, QualityAgreement
from weituo.core.models import BaseModel, ReferencedModel
from weituo.registry.models import Organisation, Person

from ..choices import (
    CapaStatus,
    Classification,
    EventCategory,
    EventParty,
    EventStatus,
    ObligationException,
    ObligationKind,
    ObligationStatus,
    ReclassificationStatus,
)

USER = settings.AUTH_USER_MODEL


class QualityEvent(ReferencedModel):
    """One communication-list item raised by a party of a contract to the other, with its deadline."""

    contract = models.ForeignKey(
        CommissionContract, on_delete=models.PROTECT, related_name="quality_events", verbose_name="委托生产协议"
    )
    agreement = models.ForeignKey(
        QualityAgreement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quality_events",
        verbose_name="依据的质量协议",
    )
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="quality_events", verbose_name="批次"
    )
    category = models.CharField("沟通事项", max_length=30, choices=EventCategory.choices)
    title = models.CharField("标题", max_length=200)
    description = models.TextField("描述", blank=True)
    raised_by_party = models.CharField("提出方", max_length=3, choices=EventParty.choices)
    raised_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField("提出时间")
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="接收方（对方企业）"
    )
    recipient_contact = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="对方联系人"
    )
    channel = models.CharField("沟通方式", max_length=10, choices=Channel.choices, blank=True)
    time_limit = models.PositiveIntegerField("时限", null=True, blank=True)
    time_unit = models.CharField("时限单位", max_length=12, choices=TimeUnit.choices, blank=True)
    due_at = models.DateTimeField("确认时限", null=True, blank=True)
    due_provisional = models.BooleanField("时限为暂定（节假日安排未知）", default=False)
    no_agreed_contact = models.BooleanField("质量协议未约定联系人", default=False)
    no_agreed_time_limit = models.BooleanField("质量协议未约定时限", default=False)
    notified_to = models.CharField("通知邮箱", max_length=500, blank=True)
    status = models.CharField("状态", max_length=20, choices=EventStatus.choices, default=EventStatus.OPEN)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledgement_note = models.TextField("确认意见", blank=True)
    closed_at = models.DateTimeField("关闭/撤回时间", null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    conclusion = models.TextField("结论/撤回理由", blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "质量事件"
        verbose_name_plural = "质量事件"
        ordering = ["-raised_at", "ref"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="quality_event_due_idx"),
            models.Index(fields=["batch", "category", "status"], name="quality_event_batch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def raising_organisation_id(self) -> int:
        return self.contract.mah_id if self.raised_by_party == EventParty.MAH else self.contract.cmo_id

    @property
    def flagged(self) -> bool:
        """No agreed contact or time limit for this category: the agreement needs completing."""
        return self.no_agreed_contact or self.no_agreed_time_limit

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.batch_id and self.contract_id and self.batch.contract_id != self.contract_id:
            errors["batch"] = "批次不属于该委托生产协议 / the batch is not made under this contract"
        if self.agreement_id and self.contract_id and self.agreement.contract_id != self.contract_id:
            errors["agreement"] = "质量协议不属于该委托生产协议 / the agreement is not this contract's"
        if bool(self.time_limit) != bool(self.time_unit):
            errors["time_unit"] = "时限与单位应同时填写 / give the time limit with its unit"
        if errors:
            raise ValidationError(errors)


class Deviation(BaseModel):
    """The deviation data of an event of category deviation: classification, investigation."""

    event = models.OneToOneField(
        QualityEvent, on_delete=models.PROTECT, related_name="deviation", verbose_name="质量事件"
    )
    classification = models.CharField("分类", max_length=10, choices=Classification.choices)
    root_cause = models.TextField("根本原因", blank=True)
    investigation_summary = models.TextField("调查结论", blank=True)
    investigated_at = models.DateTimeField("调查完成时间", null=True, blank=True)
    investigated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "偏差"
        verbose_name_plural = "偏差"

    def __str__(self) -> str:
        return f"{self.event.ref} {self.get_classification_display()}"


class Reclassification(BaseModel):
    """A change of a deviation's classification: an upgrade applies at once; a downgrade waits for
    the approval of a second person, QA or head of quality of the same party. Kept forever."""

    deviation = models.ForeignKey(
        Deviation, on_delete=models.PROTECT, related_name="reclassifications", verbose_name="偏差"
    )
    from_classification = models.CharField("原分类", max_length=10, choices=Classification.choices)
    to_classification = models.CharField("新分类", max_length=10, choices=Classification.choices)
    reason = models.TextField("理由")
    party = models.CharField("申请方", max_length=3, choices=EventParty.choices)
    requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    status = models.CharField("状态", max_length=10, choices=ReclassificationStatus.choices)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("批准/驳回时间", null=True, blank=True)
    decision_note = models.TextField("批准意见", blank=True)

    class Meta:
        verbose_name = "偏差分类变更"
        verbose_name_plural = "偏差分类变更"
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_classification} → {self.to_classification}（{self.get_status_display()}）"

    def clean(self) -> None:
        if self.from_classification == self.to_classification:
            raise ValidationError({"to_classification": "新分类与原分类相同 / the classification does not change"})
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "分类变更应说明理由 / a reclassification needs its reason"})


class Capa(BaseModel):
    """A corrective or preventive action, and the check of its effectiveness.

    It answers exactly one thing: a quality event (a deviation…), a shared-line assessment (art. 8:
    the CMO applies it only once every affected MAH approved it, see ``CapaApproval``), or a finding
    of an audit of the CMO.
    """

    event = models.ForeignKey(
        QualityEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="capas", verbose_name="质量事件"
    )
    assessment = models.ForeignKey(
        "quality.SharedLineAssessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capas",
        verbose_name="共线风险评估",
    )
    finding = models.ForeignKey(
        "quality.AuditFinding",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capas",
        verbose_name="审核发现",
    )
    description = models.TextField("措施")
    owner_party = models.CharField("责任方", max_length=3, choices=EventParty.choices)
    due_on = models.DateField("计划完成日期")
    status = models.CharField("状态", max_length=20, choices=CapaStatus.choices, default=CapaStatus.PLANNED)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    implemented_at = models.DateTimeField("实施完成时间", null=True, blank=True)
    implemented_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    implementation_note = models.TextField("实施情况", blank=True)
    effectiveness_checked_at = models.DateTimeField("有效性确认时间", null=True, blank=True)
    effectiveness_checked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effectiveness_note = models.TextField("有效性确认结论", blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "纠正预防措施"
        verbose_name_plural = "纠正预防措施"
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(event__isnull=False, assessment__isnull=True, finding__isnull=True)
                    | models.Q(event__isnull=True, assessment__isnull=False, finding__isnull=True)
                    | models.Q(event__isnull=True, assessment__isnull=True, finding__isnull=False)
                ),
                name="capa_answers_one_thing",
                violation_error_message="纠正预防措施应对应一个事件、共线评估或审核发现 / a CAPA answers one event, "
                "assessment or audit finding",
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]


class RetentionObligation(BaseModel):
    """Art. 11: a party must keep retained samples of, or run an ongoing stability study on, a batch.

    Created by the services when a major or critical deviation is raised on (or upgraded on) a batch,
    or for each of the first three batches made after a major change was approved and implemented:
    for both parties, or for one when the agreement's same-group or electronic-data-exchange exception
    applies (``exception``). The cause is the ``event`` or the ``change``. The compliance engine reads
    these records.
    """

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="retention_obligations", verbose_name="批次"
    )
    event = models.ForeignKey(
        QualityEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retention_obligations",
        verbose_name="起因事件",
    )
    change = models.ForeignKey(
        "quality.Change",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retention_obligations",
        verbose_name="起因变更",
    )
    party = models.CharField("责任方", max_length=3, choices=EventParty.choices)
    kind = models.CharField("类别", max_length=20, choices=ObligationKind.choices)
    basis = models.CharField("依据", max_length=200)
    exception = models.CharField(
        "一方开展的例外", max_length=30, choices=ObligationException.choices, blank=True, default=""
    )
    status = models.CharField("状态", max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    fulfilled_at = models.DateTimeField("履行时间", null=True, blank=True)
    fulfilled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "留样及稳定性考察义务"
        verbose_name_plural = "留样及稳定性考察义务"
        ordering = ["batch", "kind", "party"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "party", "kind"], name="one_obligation_per_batch_party_kind"),
            models.CheckConstraint(
                condition=models.Q(event__isnull=False, change__isnull=True)
                | models.Q(event__isnull=True, change__isnull=False),
                name="obligation_has_one_cause",
                violation_error_message="义务应有一个起因（偏差或变更） / an obligation has one cause: an event or a change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.get_kind_display()} → {self.get_party_display()}"
