"""Registry models: who the enterprises are, what they may make, where, and who answers for it.

Validation lives here (``clean``) so that the admin, the importer and the services all refuse the
same bad data with the same message. Writes go through ``services.py``; reads through ``selectors.py``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.core.models import BaseModel, ReferencedModel

from .choices import (
    RISK_FLAGS,
    DeviceClass,
    DrugCategory,
    EnterpriseActivity,
    ExperienceActivity,
    InspectionConclusion,
    InspectionKind,
    KeyRole,
    LicenceClass,
    LicenceKind,
    PilotCategory,
    ProductKind,
    ProductStatus,
)
from .provinces import Province
from .validators import (
    APPROVAL_NUMBER_RE,
    licence_province,
    validate_approval_number,
    validate_device_certificate_number,
    validate_device_licence_number,
    validate_drug_licence_number,
    validate_uscc,
)


def _check_period(start: date | None, end: date | None, start_field: str, end_field: str) -> None:
    if start and end and end < start:
        raise ValidationError(
            {end_field: ValidationError(_("ends before it starts (%(start)s)"), params={"start": start_field})}
        )


class EnterpriseGroup(ReferencedModel):
    """A corporate group. Art. 3, 11 and 17 relax requirements within a group with one quality system."""

    name = models.CharField(pgettext_lazy("EnterpriseGroup", "name"), max_length=200)
    unified_qms = models.BooleanField(_("unified QMS"), default=False)

    class Meta:
        verbose_name = _("enterprise group")
        verbose_name_plural = _("enterprise groups")

    def __str__(self) -> str:
        return self.name


class Organisation(ReferencedModel):
    """An enterprise: MAH, CMO, device registrant or CMO, testing lab — often several at once."""

    owner_attributes = ("pk",)  # an organisation's records are its own

    name = models.CharField(pgettext_lazy("Organisation", "name"), max_length=200)
    uscc = models.CharField(
        pgettext_lazy("Organisation", "USCC"), max_length=18, unique=True, validators=[validate_uscc]
    )
    province = models.CharField(pgettext_lazy("Organisation", "province"), max_length=2, choices=Province.choices)
    address = models.CharField(pgettext_lazy("Organisation", "address"), max_length=300, blank=True)
    is_mah = models.BooleanField(_("is MAH"), default=False)
    is_cmo = models.BooleanField(_("is CMO"), default=False)
    is_registrant = models.BooleanField(_("is registrant"), default=False)
    is_device_cmo = models.BooleanField(_("is device CMO"), default=False)
    is_testing_lab = models.BooleanField(_("is testing lab"), default=False)
    group = models.ForeignKey(EnterpriseGroup, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("group"))

    class Meta:
        verbose_name = pgettext_lazy("Organisation", "organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.uscc = (self.uscc or "").strip().upper()
        if not any((self.is_mah, self.is_cmo, self.is_registrant, self.is_device_cmo, self.is_testing_lab)):
            raise ValidationError({"is_mah": _("an organisation must play at least one role")})

    def same_group_unified_qms(self, other: Organisation) -> bool:
        """Art. 3/11/17: both in one group that runs one quality system."""
        return bool(self.group_id and self.group_id == other.group_id and self.group.unified_qms)


class Site(ReferencedModel):
    """A production site (生产地址) of an organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sites", verbose_name=pgettext_lazy("Site", "organisation")
    )
    name = models.CharField(pgettext_lazy("Site", "name"), max_length=200)
    address = models.CharField(pgettext_lazy("Site", "address"), max_length=300)
    province = models.CharField(pgettext_lazy("Site", "province"), max_length=2, choices=Province.choices)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.name}"


class Workshop(ReferencedModel):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="workshops", verbose_name=_("site"))
    name = models.CharField(pgettext_lazy("Workshop", "name"), max_length=200)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return f"{self.site} · {self.name}"


class Line(ReferencedModel):
    """A production line. Several products (of several MAHs) on one line make it a shared line (art. 8)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.PROTECT, related_name="lines", verbose_name=_("workshop"))
    name = models.CharField(pgettext_lazy("Line", "name"), max_length=200)
    dosage_forms = models.CharField(_("dosage forms"), max_length=300)
    sterile = models.BooleanField(pgettext_lazy("Line", "sterile"), default=False)
    design_capacity = models.DecimalField(
        _("design capacity"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    capacity_unit = models.CharField(_("capacity unit"), max_length=30)
    commercial_since = models.DateField(_("commercial since"), null=True, blank=True)
    last_commercial_production = models.DateField(_("last commercial production"), null=True, blank=True)
    products = models.ManyToManyField(
        "Product",
        through="LineProduct",
        related_name="lines",
        blank=True,
        verbose_name=pgettext_lazy("Line", "products"),
    )

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = pgettext_lazy("Line", "lines")

    def __str__(self) -> str:
        return f"{self.workshop} · {self.name}"

    def clean(self) -> None:
        _check_period(
            self.commercial_since, self.last_commercial_production, "commercial_since", "last_commercial_production"
        )

    @property
    def dosage_form_list(self) -> list[str]:
        return [f.strip() for f in self.dosage_forms.replace(",", "、").split("、") if f.strip()]


class Product(ReferencedModel):
    """A drug or a medical device held by an MAH (drugs) or a device registrant (devices)."""

    kind = models.CharField(pgettext_lazy("Product", "kind"), max_length=10, choices=ProductKind.choices)
    holder = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="products", verbose_name=_("holder")
    )
    name = models.CharField(pgettext_lazy("Product", "name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=ProductStatus.choices)
    # drugs
    approval_number = models.CharField(
        _("approval number"), max_length=20, unique=True, null=True, blank=True, validators=[validate_approval_number]
    )
    dosage_form = models.CharField(_("dosage form"), max_length=50, blank=True)
    strength = models.CharField(_("strength"), max_length=100, blank=True)
    category = models.CharField(
        pgettext_lazy("Product", "category"), max_length=1, choices=DrugCategory.choices, blank=True
    )
    # devices
    device_class = models.CharField(_("device class"), max_length=3, choices=DeviceClass.choices, blank=True)
    implantable = models.BooleanField(_("implantable"), default=False)
    prohibited_catalogue = models.BooleanField(_("prohibited catalogue"), default=False)
    last_commercial_batch_released = models.DateField(_("last commercial batch released"), null=True, blank=True)
    # art. 18: the re-registration cycle, and a product restored after a stop
    approval_valid_from = models.DateField(_("approval valid from"), null=True, blank=True)
    commissioned_before_stop = models.BooleanField(_("commissioned before it stopped"), null=True, blank=True)
    production_restored_on = models.DateField(_("production restored on"), null=True, blank=True)
    # the biologics pilot of segmented production (国家药监局 2024)
    segmented_pilot = models.BooleanField(_("segmented-production pilot"), default=False)
    pilot_category = models.CharField(_("pilot category"), max_length=20, choices=PilotCategory.choices, blank=True)
    # risk flags named in the notices (see choices.RISK_FLAGS for the citation of each)
    sterile = models.BooleanField(RISK_FLAGS["sterile"][0], default=False)
    high_risk = models.BooleanField(RISK_FLAGS["high_risk"][0], default=False)
    tcm_injection = models.BooleanField(RISK_FLAGS["tcm_injection"][0], default=False)
    multicomponent_biochemical = models.BooleanField(RISK_FLAGS["multicomponent_biochemical"][0], default=False)
    biologic = models.BooleanField(RISK_FLAGS["biologic"][0], default=False)
    vaccine = models.BooleanField(RISK_FLAGS["vaccine"][0], default=False)
    innovative = models.BooleanField(RISK_FLAGS["innovative"][0], default=False)
    improved_new_drug = models.BooleanField(RISK_FLAGS["improved_new_drug"][0], default=False)
    shortage = models.BooleanField(RISK_FLAGS["shortage"][0], default=False)
    clinically_necessary_short = models.BooleanField(RISK_FLAGS["clinically_necessary_short"][0], default=False)
    clinically_urgent = models.BooleanField(RISK_FLAGS["clinically_urgent"][0], default=False)
    public_health_emergency = models.BooleanField(RISK_FLAGS["public_health_emergency"][0], default=False)
    rare_disease = models.BooleanField(RISK_FLAGS["rare_disease"][0], default=False)
    foreign_transferred = models.BooleanField(RISK_FLAGS["foreign_transferred"][0], default=False)
    consistency_evaluated = models.BooleanField(RISK_FLAGS["consistency_evaluated"][0], default=False)
    procurement_winner = models.BooleanField(RISK_FLAGS["procurement_winner"][0], default=False)

    class Meta:
        verbose_name = pgettext_lazy("Product", "product")
        verbose_name_plural = pgettext_lazy("Product", "products")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.approval_number or self.ref}）"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.approval_number == "":
            self.approval_number = None
        if self.kind == ProductKind.DRUG:
            if not self.dosage_form:
                errors["dosage_form"] = _("a drug needs a dosage form")
            if self.device_class or self.implantable or self.prohibited_catalogue:
                errors["device_class"] = _("device fields do not apply to a drug")
            if self.status == ProductStatus.MARKETED and not self.approval_number:
                errors["approval_number"] = _("a marketed drug needs an approval number")
            if self.approval_number and self.category:
                match = APPROVAL_NUMBER_RE.match(self.approval_number)
                expected = {"H": "h", "Z": "z", "S": "s"}.get(match["kind"]) if match else None
                if expected and self.category not in (expected, "x", "t", "d", "q"):
                    errors["category"] = ValidationError(
                        _("approval number kind %(kind)s does not match category %(category)s"),
                        params={"kind": match["kind"], "category": self.category},
                    )
        elif self.kind == ProductKind.DEVICE:
            if not self.device_class:
                errors["device_class"] = _("a device needs its class (I/II/III)")
            if self.approval_number:
                errors["approval_number"] = _("a device has no drug approval number")
        if self.holder_id:
            holder = self.holder
            if self.kind == ProductKind.DRUG and not holder.is_mah:
                errors["holder"] = _("a drug's holder must be an MAH")
            if self.kind == ProductKind.DEVICE and not holder.is_registrant:
                errors["holder"] = _("a device's holder must be a registrant")
        if errors:
            raise ValidationError(errors)


class LineProduct(BaseModel):
    """A product made on a line, with its planned volume (to check the line's capacity, art. 8)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, verbose_name=_("line"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, verbose_name=pgettext_lazy("LineProduct", "product"))
    annual_volume = models.DecimalField(
        _("annual volume"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("line product")
        verbose_name_plural = _("line products")
        constraints = [models.UniqueConstraint(fields=["line", "product"], name="line_product_unique")]

    def __str__(self) -> str:
        return f"{self.line} ← {self.product}"


class RegistrationCertificate(ReferencedModel):
    """A device registration certificate, annotated "(委托生产)" with the CMO's name and USCC when commissioned."""

    product = models.OneToOneField(
        Product,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=pgettext_lazy("RegistrationCertificate", "product"),
    )
    number = models.CharField(
        pgettext_lazy("RegistrationCertificate", "number"),
        max_length=30,
        unique=True,
        validators=[validate_device_certificate_number],
    )
    issued_on = models.DateField(pgettext_lazy("RegistrationCertificate", "issued on"))
    valid_until = models.DateField(_("valid until"))
    annotation = models.CharField(_("annotation"), max_length=300, blank=True)
    # 生产地址 as printed: the CMO's address while commissioned, removed when it ends (device art. 14)
    production_address = models.CharField(_("production address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("registration certificate")
        verbose_name_plural = _("registration certificates")

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        _check_period(self.issued_on, self.valid_until, "issued_on", "valid_until")
        if self.product_id and self.product.kind != ProductKind.DEVICE:
            raise ValidationError({"product": _("a registration certificate is for a device")})


class Licence(ReferencedModel):
    """A drug manufacturing licence (class codes A/B/C/D + category letters) or a device production licence."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="licences",
        verbose_name=pgettext_lazy("Licence", "organisation"),
    )
    kind = models.CharField(pgettext_lazy("Licence", "kind"), max_length=10, choices=LicenceKind.choices)
    number = models.CharField(pgettext_lazy("Licence", "number"), max_length=40, unique=True)
    class_codes = models.CharField(_("class codes"), max_length=4, blank=True)
    category_letters = models.CharField(_("category letters"), max_length=8, blank=True)
    issued_on = models.DateField(pgettext_lazy("Licence", "issued on"))
    valid_until = models.DateField(_("valid until"))
    sites = models.ManyToManyField(Site, through="LicenceScope", related_name="licences", verbose_name=_("sites"))

    class Meta:
        verbose_name = pgettext_lazy("Licence", "licence")
        verbose_name_plural = _("licences")

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        _check_period(self.issued_on, self.valid_until, "issued_on", "valid_until")
        if self.kind == LicenceKind.DRUG:
            try:
                validate_drug_licence_number(self.number)
            except ValidationError as e:
                raise ValidationError({"number": e}) from None
            bad = {c for c in self.class_codes} - set(LicenceClass.values)
            if not self.class_codes or bad:
                raise ValidationError({"class_codes": _("class codes must be from A, B, C, D")})
            bad = {c for c in self.category_letters} - set(DrugCategory.values)
            if bad:
                raise ValidationError(
                    {
                        "category_letters": ValidationError(
                            _("unknown category letters %(letters)s"), params={"letters": "".join(sorted(bad))}
                        )
                    }
                )
        else:
            try:
                validate_device_licence_number(self.number)
            except ValidationError as e:
                raise ValidationError({"number": e}) from None
            if self.class_codes or self.category_letters:
                raise ValidationError({"class_codes": _("a device licence has no class codes")})

    @property
    def issuing_province(self) -> str | None:
        return licence_province(self.number)


class LicenceScope(BaseModel):
    """One entry of a licence: a site, the class it is held under, its scope, and the products it names.

    Art. 19: after the MAH gets its B licence, the CMO's licence must name (载明) the MAH, the product
    and its approval number within 60 working days; ``entered_on`` records when that was done.
    """

    licence = models.ForeignKey(
        Licence, on_delete=models.CASCADE, related_name="scopes", verbose_name=pgettext_lazy("LicenceScope", "licence")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, verbose_name=_("site"))
    class_code = models.CharField(_("class code"), max_length=1, choices=LicenceClass.choices, blank=True)
    scope = models.CharField(pgettext_lazy("LicenceScope", "scope"), max_length=300)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, verbose_name=pgettext_lazy("LicenceScope", "product")
    )
    counterparty = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("counterparty"),
    )
    entered_on = models.DateField(_("entered on"), null=True, blank=True)
    # art. 20: the application to cancel the entry once the commission ended
    removal_applied_on = models.DateField(_("removal applied on"), null=True, blank=True)

    class Meta:
        verbose_name = _("licence scope")
        verbose_name_plural = _("licence scopes")

    def __str__(self) -> str:
        return f"{self.licence} · {self.scope}"

    def clean(self) -> None:
        if self.licence_id and self.class_code and self.class_code not in self.licence.class_codes:
            raise ValidationError(
                {
                    "class_code": ValidationError(
                        _("the licence has no class %(class_code)s"), params={"class_code": self.class_code}
                    )
                }
            )


class Person(ReferencedModel):
    """A person of an organisation; key roles are held through appointments."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=pgettext_lazy("Person", "organisation"),
    )
    name = models.CharField(pgettext_lazy("Person", "name"), max_length=50)
    title = models.CharField(pgettext_lazy("Person", "title"), max_length=100, blank=True)
    email = models.EmailField(pgettext_lazy("Person", "email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("Person", "person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"


class Appointment(BaseModel):
    """A person holding a key role (head of production, QP …) from one date, until another or still."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="appointments",
        verbose_name=pgettext_lazy("Appointment", "person"),
    )
    role = models.CharField(pgettext_lazy("Appointment", "role"), max_length=30, choices=KeyRole.choices)
    since = models.DateField(pgettext_lazy("Appointment", "since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [models.UniqueConstraint(fields=["person", "role", "since"], name="appointment_unique")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"

    def clean(self) -> None:
        _check_period(self.since, self.until, "since", "until")


class EnterpriseExperience(BaseModel):
    """A period of an enterprise's R&D or non-commercial production of a dosage form (art. 17's
    exceptions count "研发或者生产经验"; its commercial production comes from its lines)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="enterprise_experience",
        verbose_name=pgettext_lazy("EnterpriseExperience", "enterprise"),
    )
    activity = models.CharField(
        pgettext_lazy("EnterpriseExperience", "activity"), max_length=20, choices=EnterpriseActivity.choices
    )
    dosage_form = models.CharField(_("dosage form"), max_length=50)
    sterile = models.BooleanField(pgettext_lazy("EnterpriseExperience", "sterile"), default=False)
    biologic = models.BooleanField(pgettext_lazy("EnterpriseExperience", "biologic"), default=False)
    started_on = models.DateField(pgettext_lazy("EnterpriseExperience", "started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("enterprise experience")
        verbose_name_plural = _("enterprise experience")
        ordering = ["started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "activity", "dosage_form", "started_on"], name="enterprise_experience_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_activity_display()} {self.dosage_form} {self.started_on}"

    def clean(self) -> None:
        _check_period(self.started_on, self.ended_on, "started_on", "ended_on")


class ExperienceRecord(BaseModel):
    """One period of a person's CV: what they did, and whether it was sterile or same-type (art. 17)."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="experience",
        verbose_name=pgettext_lazy("ExperienceRecord", "person"),
    )
    employer = models.CharField(_("employer"), max_length=200)
    activity = models.CharField(
        pgettext_lazy("ExperienceRecord", "activity"), max_length=20, choices=ExperienceActivity.choices
    )
    started_on = models.DateField(pgettext_lazy("ExperienceRecord", "started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    sterile = models.BooleanField(pgettext_lazy("ExperienceRecord", "sterile"), default=False)
    tcm_injection = models.BooleanField(_("tcm injection"), default=False)
    multicomponent_biochemical = models.BooleanField(_("multicomponent biochemical"), default=False)

    class Meta:
        verbose_name = _("experience record")
        verbose_name_plural = _("experience records")
        ordering = ["started_on"]
        constraints = [models.UniqueConstraint(fields=["person", "employer", "started_on"], name="experience_unique")]

    def __str__(self) -> str:
        return f"{self.person} · {self.employer} {self.started_on}–{self.ended_on or '至今'}"

    def clean(self) -> None:
        _check_period(self.started_on, self.ended_on, "started_on", "ended_on")


class InspectionRecord(ReferencedModel):
    """A GMP compliance or licensing inspection of a line or a dosage form, and its conclusion."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=pgettext_lazy("InspectionRecord", "organisation"),
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("site"))
    line = models.ForeignKey(Line, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("line"))
    dosage_form = models.CharField(_("dosage form"), max_length=50, blank=True)
    inspected_on = models.DateField(_("inspected on"))
    kind = models.CharField(pgettext_lazy("InspectionRecord", "kind"), max_length=20, choices=InspectionKind.choices)
    conclusion = models.CharField(
        pgettext_lazy("InspectionRecord", "conclusion"), max_length=20, choices=InspectionConclusion.choices
    )
    notice_number = models.CharField(_("notice number"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("inspection record")
        verbose_name_plural = _("inspection records")
        ordering = ["-inspected_on"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.inspected_on} {self.get_kind_display()}"

    def clean(self) -> None:
        if not self.line_id and not self.dosage_form:
            raise ValidationError({"dosage_form": _("an inspection names a line or a dosage form")})
        if self.line_id and self.organisation_id and self.line.workshop.site.organisation_id != self.organisation_id:
            raise ValidationError({"line": _("the line is not this organisation's")})
