"""What the compliance scans leave behind: the findings with their history, and the scans themselves.

A ``Finding`` is the current answer of one rule about one subject: keyed by the rule, the kind and
ref of the subject, and the fact graph it was evaluated in (``scope_ref``: the contract of a contract,
agreement or product finding — a product belongs to several contracts, and each contract answers
for it — or the enterprise of an enterprise, line or person finding). It holds the outcome, the
deadline, whether the deadline is provisional, and the facts and parameters the rule read.

Every change of outcome is a ``FindingEvent`` (opened, met, reopened, changed, closed) written in
the transaction that changes the finding, together with its audit-ledger entry (``ledger_seq``).
Findings are derived data: only the services of this app write them (``services.py``), never a
view or a person; the ledger records each change of outcome, not each re-evaluation.
"""

from __future__ import annotations

from django.db import models

from weituo.contracts.models import CommissionContract
from weituo.core.models import BaseModel
from weituo.registry.models import Organisation


class Outcome(models.TextChoices):
    """The engine's outcomes (``weituo.rules.Outcome``)."""

    MET = "met", "符合 met"
    NOT_MET = "not_met", "不符合 not met"
    NEEDS_INFORMATION = "needs_information", "需补充信息 needs information"
    NOT_APPLICABLE = "not_applicable", "不适用 not applicable"


OPEN_OUTCOMES = (Outcome.NOT_MET, Outcome.NEEDS_INFORMATION)
APPLICABLE_OUTCOMES = (Outcome.MET, Outcome.NOT_MET, Outcome.NEEDS_INFORMATION)


class EventKind(models.TextChoices):
    OPENED = "opened", "发现 opened"  # first recorded, not met or needing information
    MET = "met", "符合 met"  # first recorded as met, or fixed
    REOPENED = "reopened", "重新打开 reopened"  # was met (or not applicable), now open again
    CHANGED = "changed", "变化 changed"  # between not met and needs information
    CLOSED = "closed", "不再适用 closed"  # no longer applies (or its subject is gone)


class ScopeKind(models.TextChoices):
    CONTRACT = "contract", "委托生产协议 contract"
    ENTERPRISE = "enterprise", "企业 enterprise"


class SubjectKind(models.TextChoices):
    CONTRACT = "contract", "委托生产协议 contract"
    AGREEMENT = "agreement", "质量协议 quality agreement"
    PRODUCT = "product", "产品 product"
    ENTERPRISE = "enterprise", "企业 enterprise"
    LINE = "line", "生产线 line"
    PERSON = "person", "人员 person"


class Scan(BaseModel):
    """One run of the rules: what it covered, on which date, who ran it, what it found and changed."""

    class Kind(models.TextChoices):
        FULL = "full", "全部 full"
        ORGANISATION = "organisation", "单个企业 one enterprise"
        RECHECK = "recheck", "变更后复核 re-check after a change"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    scope_ref = models.CharField("范围（企业或变更的记录）", max_length=200, blank=True)
    as_of = models.DateField("评估日期")
    include_draft = models.BooleanField("包括草案规则", default=False)
    actor = models.CharField("操作人", max_length=200)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    subjects = models.PositiveIntegerField("评估对象数", default=0)  # fact graphs: contracts and enterprises
    findings = models.PositiveIntegerField("结论数", default=0)
    changes = models.PositiveIntegerField("结论变化数", default=0)
    counts = models.JSONField("各结论数量", default=dict)

    class Meta:
        verbose_name = "合规检查"
        verbose_name_plural = "合规检查"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scope_ref} @ {self.as_of}"


class Finding(BaseModel):
    rule_id = models.CharField("规则编号", max_length=80)
    rule_version = models.PositiveIntegerField("规则版本", default=1)
    notice = models.CharField("公告", max_length=40)
    severity = models.CharField("严重程度", max_length=10)
    subject_kind = models.CharField("对象类型", max_length=12, choices=SubjectKind.choices)
    subject_ref = models.CharField("对象编号", max_length=64, blank=True)  # "" : an agreement not made yet
    scope_kind = models.CharField("所属", max_length=12, choices=ScopeKind.choices)
    scope_ref = models.CharField("所属编号", max_length=64)
    # The records the finding is about, for the visibility policy and the per-enterprise reports.
    # SET_NULL: the finding and its history outlive a deleted record (scope_ref still names it).
    contract = models.ForeignKey(
        CommissionContract,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="委托生产协议",
    )
    enterprise = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="企业"
    )
    mah = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="持有人"
    )
    cmo = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="受托方"
    )
    outcome = models.CharField("结论", max_length=20, choices=Outcome.choices)
    deadline = models.DateField("期限", null=True, blank=True)
    provisional = models.BooleanField("期限为暂定（缺少官方节假日安排）", default=False)
    overdue = models.BooleanField("已逾期", default=False)
    deadline_basis = models.CharField("期限依据", max_length=300, blank=True)
    facts = models.JSONField("所用事实", default=dict)
    parameters = models.JSONField("所用参数", default=dict)
    missing = models.JSONField("缺少的信息", default=list)
    excepted_by = models.JSONField("适用的例外", default=list)
    reason_zh = models.TextField("理由", blank=True)
    reason_en = models.TextField("reason", blank=True)
    action_zh = models.TextField("措施", blank=True)
    action_en = models.TextField("action", blank=True)
    error = models.TextField("求值错误", blank=True)
    as_of = models.DateField("评估日期")  # of the evaluation that gave the content held now
    digest = models.CharField(max_length=64)  # SHA-256 of the content: a re-scan rewrites only what changed
    scan = models.ForeignKey(
        Scan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="最近变化的检查"
    )

    class Meta:
        verbose_name = "合规结论"
        verbose_name_plural = "合规结论"
        constraints = [
            models.UniqueConstraint(
                fields=["rule_id", "subject_kind", "subject_ref", "scope_ref"], name="finding_rule_subject_unique"
            )
        ]
        indexes = [
            models.Index(fields=["scope_kind", "scope_ref"], name="finding_scope_idx"),
            models.Index(fields=["enterprise", "outcome"], name="finding_enterprise_idx"),
            models.Index(fields=["mah", "outcome"], name="finding_mah_idx"),
            models.Index(fields=["cmo", "outcome"], name="finding_cmo_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject_kind}:{self.subject_ref or '—'}@{self.scope_ref} {self.outcome}"

    @property
    def is_open(self) -> bool:
        return self.outcome in OPEN_OUTCOMES


class FindingEvent(models.Model):
    """One change of a finding's outcome, with the ledger entry that records it."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events", verbose_name="结论")
    kind = models.CharField("事件", max_length=10, choices=EventKind.choices)
    outcome_from = models.CharField("原结论", max_length=20, choices=Outcome.choices, blank=True)
    outcome_to = models.CharField("新结论", max_length=20, choices=Outcome.choices)
    deadline = models.DateField("期限", null=True, blank=True)
    as_of = models.DateField("评估日期")
    at = models.DateTimeField("时间")
    actor = models.CharField("操作人", max_length=200)
    scan = models.ForeignKey(Scan, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    ledger_seq = models.BigIntegerField("审计追踪序号", null=True, blank=True)
    reason_en = models.TextField("reason", blank=True)

    class Meta:
        verbose_name = "合规结论变化"
        verbose_name_plural = "合规结论变化"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.kind} {self.outcome_from or '—'} → {self.outcome_to}"
