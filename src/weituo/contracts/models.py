"""Contract models: the commission contract, the quality agreement as structured data, technology
transfer, and the CMO's evaluation of the MAH before signing.

The quality agreement drives the system: its responsibility matrix says who does what, its
communication list says whom to tell of what and how fast. Rules check it against the notices.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.core.models import BaseModel, ReferencedModel
from weituo.core.roles import Party
from weituo.registry.models import Line, Organisation, Person, Product

from .choices import (
    Activity,
    Assignee,
    Channel,
    CommunicationCategory,
    ContractStatus,
    EvaluationConclusion,
    TimeUnit,
    TransferRiskStatus,
    TransferStep,
)


def _check_dates(obj: models.Model, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    for earlier, later in pairs:
        a, b = getattr(obj, earlier), getattr(obj, later)
        if a and b and b < a:
            errors[later] = ValidationError(_("must not be before %(earlier)s"), params={"earlier": earlier})
    return errors


class CommissionContract(ReferencedModel):
    """The commission contract (委托生产协议) between an MAH/registrant and a CMO."""

    number = models.CharField(pgettext_lazy("CommissionContract", "number"), max_length=60)
    mah = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contracts_as_mah",
        verbose_name=pgettext_lazy("CommissionContract", "MAH"),
    )
    cmo = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contracts_as_cmo",
        verbose_name=pgettext_lazy("CommissionContract", "CMO"),
    )
    products = models.ManyToManyField(
        Product, related_name="contracts", verbose_name=pgettext_lazy("CommissionContract", "products")
    )
    lines = models.ManyToManyField(
        Line, related_name="contracts", blank=True, verbose_name=pgettext_lazy("CommissionContract", "lines")
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    expires_on = models.DateField(pgettext_lazy("CommissionContract", "expires on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    # art. 17 exception 4: the products whose R&D or clinical-trial batches the CMO mainly made
    cmo_rnd_products = models.ManyToManyField(
        Product, related_name="+", blank=True, verbose_name=_("products the CMO developed")
    )
    # the biologics pilot 二（二）: the parties run one quality system (a group's counts without it)
    unified_qms_confirmed = models.BooleanField(_("one quality system confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("commission contract")
        verbose_name_plural = _("commission contracts")
        constraints = [models.UniqueConstraint(fields=["mah", "number"], name="contract_number_per_mah")]

    def __str__(self) -> str:
        return f"{self.number}（{self.mah} → {self.cmo}）"

    def clean(self) -> None:
        errors = _check_dates(
            self,
            [("signed_on", "effective_from"), ("effective_from", "expires_on"), ("effective_from", "terminated_on")],
        )
        if self.mah_id and self.cmo_id:
            if self.mah_id == self.cmo_id:
                errors["cmo"] = _("the MAH cannot commission itself")
            elif not (self.mah.is_mah or self.mah.is_registrant):
                errors["mah"] = _("the commissioning party must be an MAH or registrant")
            elif not (self.cmo.is_cmo or self.cmo.is_device_cmo):
                errors["cmo"] = _("the contracted party must be a CMO")
        if self.status == ContractStatus.TERMINATED and not self.terminated_on:
            errors["terminated_on"] = _("a terminated contract needs its date")
        if self.status != ContractStatus.TERMINATED and self.terminated_on:
            errors["terminated_on"] = _("only a terminated contract has that date")
        if self.status == ContractStatus.IN_FORCE and not self.effective_from:
            errors["effective_from"] = _("a contract in force needs its effective date")
        if errors:
            raise ValidationError(errors)


class QualityAgreement(ReferencedModel):
    """The quality agreement (质量协议), one version of it, as structured data."""

    contract = models.ForeignKey(
        CommissionContract, on_delete=models.PROTECT, related_name="quality_agreements", verbose_name=_("contract")
    )
    # The agreement document's own version ("1.0", "2.0"), not an optimistic-lock counter.
    document_version = models.CharField(_("document version"), max_length=20, default="1.0")
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    expires_on = models.DateField(pgettext_lazy("QualityAgreement", "expires on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    # art. 6: the MAH may consult records and visit sites; the CMO names its link person
    mah_may_consult_records = models.BooleanField(_("MAH may consult records"), default=False)
    mah_may_visit_sites = models.BooleanField(_("MAH may visit sites"), default=False)
    cmo_link_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("CMO link person"),
    )
    # art. 11: who keeps retained samples and runs ongoing stability studies
    retained_samples_party = models.CharField(
        _("retained samples party"), max_length=12, choices=Assignee.choices, default=Assignee.UNASSIGNED
    )
    stability_party = models.CharField(
        _("stability party"), max_length=12, choices=Assignee.choices, default=Assignee.UNASSIGNED
    )
    production_date_definition = models.CharField(_("production date definition"), max_length=300, blank=True)
    # Three facts the notice names separately (art. 11 para. 2 and art. 14: the CMO records production
    # and testing electronically *and* exchanges the data with the MAH; art. 17 item 3 adds materials).
    electronic_production_records = models.BooleanField(
        _("production and testing recorded electronically"), default=False
    )
    electronic_data_exchange = models.BooleanField(_("electronic data exchange"), default=False)
    electronic_material_management = models.BooleanField(_("materials managed electronically"), default=False)
    last_annual_review = models.DateField(_("last annual review"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("quality agreement")
        verbose_name_plural = _("quality agreements")
        constraints = [
            models.UniqueConstraint(fields=["contract", "document_version"], name="agreement_version_unique")
        ]

    @property
    def records_exchanged_electronically(self) -> bool:
        """Art. 11 para. 2 and art. 14: "采用信息化手段记录生产、检验全过程数据，并能与持有人进行电子数据交换"."""
        return self.electronic_production_records and self.electronic_data_exchange

    def __str__(self) -> str:
        return f"{self.contract.number} 质量协议 v{self.document_version}"

    def clean(self) -> None:
        errors = _check_dates(self, [("signed_on", "effective_from"), ("effective_from", "expires_on")])
        if self.status == ContractStatus.TERMINATED and not self.terminated_on:
            errors["terminated_on"] = _("a terminated agreement needs its date")
        if (
            self.cmo_link_person_id
            and self.contract_id
            and self.cmo_link_person.organisation_id != self.contract.cmo_id
        ):
            errors["cmo_link_person"] = _("the link person must be the CMO's")
        if errors:
            raise ValidationError(errors)


class ResponsibilityItem(BaseModel):
    """One row of the responsibility matrix: an activity and the party that does it."""

    agreement = models.ForeignKey(
        QualityAgreement,
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=pgettext_lazy("ResponsibilityItem", "agreement"),
    )
    activity = models.CharField(
        pgettext_lazy("ResponsibilityItem", "activity"), max_length=30, choices=Activity.choices
    )
    party = models.CharField(pgettext_lazy("ResponsibilityItem", "party"), max_length=12, choices=Assignee.choices)
    period_months = models.PositiveSmallIntegerField(_("period months"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("responsibility item")
        verbose_name_plural = _("responsibility items")
        constraints = [models.UniqueConstraint(fields=["agreement", "activity"], name="responsibility_unique")]

    def __str__(self) -> str:
        return f"{self.get_activity_display()} → {self.get_party_display()}"

    def clean(self) -> None:
        if self.activity == Activity.REVALIDATION and not self.period_months:
            raise ValidationError({"period_months": _("revalidation needs its period in months")})


class CommunicationItem(BaseModel):
    """One row of the communication list: what, to whom on each side, how, and how fast."""

    agreement = models.ForeignKey(
        QualityAgreement,
        on_delete=models.CASCADE,
        related_name="communications",
        verbose_name=pgettext_lazy("CommunicationItem", "agreement"),
    )
    category = models.CharField(
        pgettext_lazy("CommunicationItem", "category"), max_length=30, choices=CommunicationCategory.choices
    )
    mah_contact = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("MAH contact")
    )
    cmo_contact = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("CMO contact")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    time_limit = models.PositiveIntegerField(_("time limit"), null=True, blank=True, validators=[MinValueValidator(1)])
    time_unit = models.CharField(_("time unit"), max_length=12, choices=TimeUnit.choices, blank=True)

    class Meta:
        verbose_name = _("communication item")
        verbose_name_plural = _("communication items")
        constraints = [models.UniqueConstraint(fields=["agreement", "category"], name="communication_unique")]

    def __str__(self) -> str:
        return self.get_category_display()

    def clean(self) -> None:
        if bool(self.time_limit) != bool(self.time_unit):
            raise ValidationError({"time_unit": _("give the time limit with its unit")})
        # Whether a contact belongs to the right party is deliberately NOT refused here: agreements
        # copied from a template name another company's people, and the rules must be able to find it.


class ResidentStaff(BaseModel):
    """The MAH's resident staff at the CMO and their duties (device notice: implantables; biologics pilot)."""

    agreement = models.ForeignKey(
        QualityAgreement,
        on_delete=models.CASCADE,
        related_name="resident_staff",
        verbose_name=pgettext_lazy("ResidentStaff", "agreement"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("ResidentStaff", "person")
    )
    duties = models.CharField(_("duties"), max_length=500)
    # The biologics pilot asks for two or more residents per pilot product (四（二）"每个试点品种…选派两名
    # 以上"): the products this person is stationed for; none named means the agreement's products.
    products = models.ManyToManyField(
        Product, blank=True, related_name="+", verbose_name=pgettext_lazy("ResidentStaff", "products stationed for")
    )

    class Meta:
        verbose_name = _("resident staff")
        verbose_name_plural = _("resident staffs")
        constraints = [models.UniqueConstraint(fields=["agreement", "person"], name="resident_unique")]

    def __str__(self) -> str:
        return str(self.person)


def _attachment_path(instance: AgreementAttachment, filename: str) -> str:
    return f"agreements/{instance.agreement.ref}/{filename}"


class AgreementAttachment(BaseModel):
    """A signed scan or other file kept beside the structured agreement (never instead of it)."""

    agreement = models.ForeignKey(
        QualityAgreement,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=pgettext_lazy("AgreementAttachment", "agreement"),
    )
    title = models.CharField(pgettext_lazy("AgreementAttachment", "title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)

    class Meta:
        verbose_name = _("agreement attachment")
        verbose_name_plural = _("agreement attachments")

    def __str__(self) -> str:
        return self.title


class TechTransfer(ReferencedModel):
    """Technology transfer to the CMO, following the five duties of art. 4."""

    contract = models.ForeignKey(
        CommissionContract, on_delete=models.PROTECT, related_name="tech_transfers", verbose_name=_("contract")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="tech_transfers",
        verbose_name=pgettext_lazy("TechTransfer", "product"),
    )
    lead = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead")
    )
    working_group = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name=_("working group"))
    started_on = models.DateField(pgettext_lazy("TechTransfer", "started on"), null=True, blank=True)
    plan_reviewed_on = models.DateField(_("plan reviewed on"), null=True, blank=True)
    equipment_qualified_on = models.DateField(_("equipment qualified on"), null=True, blank=True)
    cleaning_validated_on = models.DateField(_("cleaning validated on"), null=True, blank=True)
    analytical_validated_on = models.DateField(_("analytical validated on"), null=True, blank=True)
    process_validated_on = models.DateField(_("process validated on"), null=True, blank=True)
    shared_line_assessed_on = models.DateField(_("shared line assessed on"), null=True, blank=True)
    report_reviewed_on = models.DateField(_("report reviewed on"), null=True, blank=True)
    master_documents_approved_on = models.DateField(_("master documents approved on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("tech transfer")
        verbose_name_plural = _("tech transfers")

    def __str__(self) -> str:
        return f"{self.product} → {self.contract.cmo}"

    def clean(self) -> None:
        errors = _check_dates(self, [("started_on", "completed_on")])
        if self.contract_id and self.product_id and self.product.holder_id != self.contract.mah_id:
            errors["product"] = _("the product is not the contract MAH's")
        if self.lead_id and self.contract_id and self.lead.organisation_id != self.contract.cmo_id:
            errors["lead"] = _("the transfer lead must be the CMO's (art. 4(1))")
        if errors:
            raise ValidationError(errors)


class MahEvaluation(ReferencedModel):
    """The CMO's evaluation of an MAH and its product before signing (art. 3)."""

    cmo = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("MahEvaluation", "CMO")
    )
    mah = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("MahEvaluation", "MAH")
    )
    products = models.ManyToManyField(
        Product, related_name="evaluations", verbose_name=pgettext_lazy("MahEvaluation", "products")
    )
    evaluated_on = models.DateField(_("evaluated on"))
    covers_qualification = models.BooleanField(_("covers qualification"), default=False)
    covers_quality_capability = models.BooleanField(_("covers quality capability"), default=False)
    covers_product_risk = models.BooleanField(_("covers product risk"), default=False)
    covers_tech_transfer_feasibility = models.BooleanField(_("covers tech transfer feasibility"), default=False)
    covers_shared_line_feasibility = models.BooleanField(_("covers shared line feasibility"), default=False)
    simplified_same_group = models.BooleanField(_("simplified same group"), default=False)
    conclusion = models.CharField(
        pgettext_lazy("MahEvaluation", "conclusion"), max_length=20, choices=EvaluationConclusion.choices
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("MAH evaluation")
        verbose_name_plural = _("MAH evaluations")

    def __str__(self) -> str:
        return f"{self.cmo} 评估 {self.mah} {self.evaluated_on}"

    def clean(self) -> None:
        if self.cmo_id and self.mah_id and self.simplified_same_group and not self.cmo.same_group_unified_qms(self.mah):
            raise ValidationError({"simplified_same_group": _("simplification needs one group, one QMS")})


class TechTransferStep(BaseModel):
    """One recorded step of a technology transfer (art. 4 (2)–(5)): its date, the party that did it,
    who recorded it, and the note and evidence behind it. The step's date is also written to the
    ``TechTransfer`` date field the rules read, in the same transaction."""

    transfer = models.ForeignKey(
        TechTransfer, on_delete=models.PROTECT, related_name="steps", verbose_name=_("transfer")
    )
    step = models.CharField(pgettext_lazy("TechTransferStep", "step"), max_length=30, choices=TransferStep.choices)
    party = models.CharField(pgettext_lazy("TechTransferStep", "party"), max_length=12, choices=Party.choices)
    done_on = models.DateField(_("done on"))
    note = models.TextField(_("note"))
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("tech transfer step")
        verbose_name_plural = _("tech transfer steps")
        constraints = [models.UniqueConstraint(fields=["transfer", "step"], name="transfer_step_unique")]

    def __str__(self) -> str:
        return f"{self.transfer.ref} {self.step}"


class TechTransferRisk(ReferencedModel):
    """A risk found during a technology transfer (art. 4): raised by either party, then controlled by
    measures, or — where it cannot be controlled effectively — the end of the cooperation, with its reason."""

    transfer = models.ForeignKey(
        TechTransfer, on_delete=models.PROTECT, related_name="risks", verbose_name=_("transfer")
    )
    raised_by_party = models.CharField(_("raised by party"), max_length=12, choices=Party.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_on = models.DateField(_("raised on"))
    description = models.TextField(pgettext_lazy("TechTransferRisk", "description"))
    measures = models.TextField(_("measures"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TransferRiskStatus.choices, default=TransferRiskStatus.OPEN
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_by_party = models.CharField(_("resolved by party"), max_length=12, choices=Party.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution = models.TextField(_("resolution"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("tech transfer risk")
        verbose_name_plural = _("tech transfer risks")

    def __str__(self) -> str:
        return self.ref

    def clean(self) -> None:
        errors = _check_dates(self, [("raised_on", "resolved_on")])
        if self.status != TransferRiskStatus.OPEN and not (self.resolved_on and self.resolution.strip()):
            errors["resolution"] = _("a resolution needs its date and conclusion")
        if errors:
            raise ValidationError(errors)
