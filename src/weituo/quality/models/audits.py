"""Audits of the CMO by the MAH (Notice 2025-134 arts. 13, 14).

An ``Audit`` is planned, conducted on-site or remotely — remotely only where the quality agreement
in force agrees electronic data exchange (art. 14: "能与持有人进行电子数据交换的…可以以非现场审核
形式代替部分现场审核") — then reported by its due date (art. 13: "应当及时撰写现场审核报告") and
closed when every finding's CAPA is done. Findings are graded as inspection defects are.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.contracts.models import CommissionContract
from weituo.core.models import BaseModel, ReferencedModel

from ..choices import AuditMode, AuditStatus, FindingSeverity

USER = settings.AUTH_USER_MODEL


class Audit(ReferencedModel):
    """One audit of a contract's CMO by its MAH."""

    contract = models.ForeignKey(
        CommissionContract, on_delete=models.PROTECT, related_name="audits", verbose_name=_("contract")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=AuditMode.choices)
    scope = models.TextField(pgettext_lazy("Audit", "scope"))
    auditors = models.CharField(_("auditors"), max_length=300)
    planned_on = models.DateField(_("planned on"))
    planned_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    conducted_from = models.DateField(_("conducted from"), null=True, blank=True)
    conducted_to = models.DateField(_("conducted to"), null=True, blank=True)
    report_due_on = models.DateField(_("report due on"), null=True, blank=True)
    report_summary = models.TextField(_("report summary"), blank=True)
    report_sha256 = models.CharField(_("report SHA-256"), max_length=64, blank=True)
    report_file = models.FileField(_("report file"), upload_to="audits/", max_length=300, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    status = models.CharField(_("status"), max_length=10, choices=AuditStatus.choices, default=AuditStatus.PLANNED)
    closed_at = models.DateTimeField(pgettext_lazy("Audit", "closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    conclusion = models.TextField(pgettext_lazy("Audit", "conclusion"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = pgettext_lazy("Audit", "audit")
        verbose_name_plural = _("audits")
        ordering = ["-planned_on", "ref"]

    def __str__(self) -> str:
        return f"{self.ref} {self.get_mode_display()}"

    def get_absolute_url(self) -> str:
        # The audit's page (the "my deadlines" list links a deadline to its record's URL).
        return reverse("web:audit_detail", args=[self.ref])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.conducted_from and self.conducted_to and self.conducted_to < self.conducted_from:
            errors["conducted_to"] = _("the audit ends before it starts")
        if self.report_due_on and self.conducted_to and self.report_due_on < self.conducted_to:
            errors["report_due_on"] = _("the report is due before the audit ends")
        if errors:
            raise ValidationError(errors)


class AuditFinding(BaseModel):
    """One finding of an audit, with its grade and the date the CMO's response is due."""

    audit = models.ForeignKey(
        Audit, on_delete=models.PROTECT, related_name="findings", verbose_name=pgettext_lazy("AuditFinding", "audit")
    )
    severity = models.CharField(
        pgettext_lazy("AuditFinding", "severity"), max_length=10, choices=FindingSeverity.choices
    )
    description = models.TextField(pgettext_lazy("AuditFinding", "description"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    response_due_on = models.DateField(_("response due on"))
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        ordering = ["audit", "pk"]

    def __str__(self) -> str:
        return f"{self.audit.ref} {self.get_severity_display()}"

    def get_absolute_url(self) -> str:
        return reverse("web:audit_detail", args=[self.audit.ref]) + f"#finding-{self.pk}"
