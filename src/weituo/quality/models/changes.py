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
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.contracts.models import CommissionContract
from weituo.core.models import ReferencedModel
from weituo.core.roles import Party
from weituo.registry.models import Line, Product

from ..choices import ChangeClass, ChangeStatus, FilingStatus, RegulatoryPath

USER = settings.AUTH_USER_MODEL


class Change(ReferencedModel):
    """One change of a commissioned product's manufacture, classified by both parties."""

    contract = models.ForeignKey(
        CommissionContract, on_delete=models.PROTECT, related_name="changes", verbose_name=_("contract")
    )
    products = models.ManyToManyField(Product, related_name="changes", verbose_name=pgettext_lazy("Change", "products"))
    lines = models.ManyToManyField(
        Line, blank=True, related_name="changes", verbose_name=pgettext_lazy("Change", "lines")
    )
    title = models.CharField(pgettext_lazy("Change", "title"), max_length=200)
    description = models.TextField(pgettext_lazy("Change", "description"))
    proposed_by_party = models.CharField(_("proposed by party"), max_length=3, choices=Party.choices)
    proposed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"))

    mah_class = models.CharField(_("MAH class"), max_length=10, choices=ChangeClass.choices, blank=True)
    mah_path = models.CharField(_("MAH path"), max_length=10, choices=RegulatoryPath.choices, blank=True)
    mah_rationale = models.TextField(_("MAH rationale"), blank=True)
    mah_classified_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("MAH classified by")
    )
    mah_classified_at = models.DateTimeField(_("MAH classified at"), null=True, blank=True)
    cmo_class = models.CharField(_("CMO class"), max_length=10, choices=ChangeClass.choices, blank=True)
    cmo_path = models.CharField(_("CMO path"), max_length=10, choices=RegulatoryPath.choices, blank=True)
    cmo_rationale = models.TextField(_("CMO rationale"), blank=True)
    cmo_classified_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("CMO classified by")
    )
    cmo_classified_at = models.DateTimeField(_("CMO classified at"), null=True, blank=True)
    # The governing class and path: the higher of the two parties' (set once both have classified).
    change_class = models.CharField(_("change class"), max_length=10, choices=ChangeClass.choices, blank=True)
    regulatory_path = models.CharField(_("regulatory path"), max_length=10, choices=RegulatoryPath.choices, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PROPOSED)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(pgettext_lazy("Change", "decided at"), null=True, blank=True)
    decision_note = models.TextField(pgettext_lazy("Change", "decision note"), blank=True)

    filing_status = models.CharField(
        _("filing status"), max_length=20, choices=FilingStatus.choices, blank=True, default=FilingStatus.NOT_DETERMINED
    )
    filing_reference = models.CharField(_("filing reference"), max_length=100, blank=True)
    filing_submitted_on = models.DateField(_("filing submitted on"), null=True, blank=True)
    filing_concluded_on = models.DateField(_("filing concluded on"), null=True, blank=True)

    implemented_on = models.DateField(_("implemented on"), null=True, blank=True)
    implemented_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("implemented by")
    )
    implementation_note = models.TextField(_("implementation note"), blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("Change", "closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    conclusion = models.TextField(pgettext_lazy("Change", "conclusion"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = pgettext_lazy("Change", "change")
        verbose_name_plural = pgettext_lazy("Change", "changes")
        ordering = ["-proposed_at", "ref"]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for party in ("mah", "cmo"):
            if bool(getattr(self, f"{party}_class")) != bool(getattr(self, f"{party}_path")):
                errors[f"{party}_path"] = _("give the class with its regulatory path")
        if (
            self.filing_submitted_on
            and self.filing_concluded_on
            and self.filing_concluded_on < self.filing_submitted_on
        ):
            errors["filing_concluded_on"] = _("concluded before it was submitted")
        if errors:
            raise ValidationError(errors)
