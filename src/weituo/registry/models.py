"""Registry models: who the enterprises are, what they may make, where, and who answers for it.

Validation lives here (``clean``) so that the admin, the importer and the services all refuse the
same bad data with the same message. Writes go through ``services.py``; reads through ``selectors.py``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from weituo.core.models import BaseModel, ReferencedModel

from .choices import (
    RISK_FLAGS,
    DeviceClass,
    DrugCategory,
    ExperienceActivity,
    InspectionConclusion,
    InspectionKind,
    KeyRole,
    LicenceClass,
    LicenceKind,
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
            {end_field: f"结束日期早于开始日期（{start_field}） / ends before it starts ({start_field})"}
        )


class EnterpriseGroup(ReferencedModel):
    """A corporate group. Art. 3, 11 and 17 relax requirements within a group with one quality system."""

    name = models.CharField("集团名称", max_length=200)
    unified_qms = models.BooleanField("执行统一质量管理体系 one quality system", default=False)

    class Meta:
        verbose_name = "企业集团"
        verbose_name_plural = "企业集团"

    def __str__(self) -> str:
        return self.name


class Organisation(ReferencedModel):
    """An enterprise: MAH, CMO, device registrant or CMO, testing lab — often several at once."""

    name = models.CharField("企业名称", max_length=200)
    uscc = models.CharField("统一社会信用代码 USCC", max_length=18, unique=True, validators=[validate_uscc])
    province = models.CharField("省份", max_length=2, choices=Province.choices)
    address = models.CharField("注册地址", max_length=300, blank=True)
    is_mah = models.BooleanField("药品上市许可持有人 MAH", default=False)
    is_cmo = models.BooleanField("受托生产企业 CMO", default=False)
    is_registrant = models.BooleanField("医疗器械注册人", default=False)
    is_device_cmo = models.BooleanField("医疗器械受托生产企业", default=False)
    is_testing_lab = models.BooleanField("检验机构", default=False)
    group = models.ForeignKey(EnterpriseGroup, null=True, blank=True, on_delete=models.PROTECT, verbose_name="所属集团")

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.uscc = (self.uscc or "").strip().upper()
        if not any((self.is_mah, self.is_cmo, self.is_registrant, self.is_device_cmo, self.is_testing_lab)):
            raise ValidationError({"is_mah": "企业至少应具有一种角色 / an organisation must play at least one role"})

    def same_group_unified_qms(self, other: Organisation) -> bool:
        """Art. 3/11/17: both in one group that runs one quality system."""
        return bool(self.group_id and self.group_id == other.group_id and self.group.unified_qms)


class Site(ReferencedModel):
    """A production site (生产地址) of an organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sites", verbose_name="企业")
    name = models.CharField("名称", max_length=200)
    address = models.CharField("生产地址", max_length=300)
    province = models.CharField("省份", max_length=2, choices=Province.choices)

    class Meta:
        verbose_name = "生产地址"
        verbose_name_plural = "生产地址"

    def __str__(self) -> str:
        return f"{self.organisation} · {self.name}"


class Workshop(ReferencedModel):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="workshops", verbose_name="生产地址")
    name = models.CharField("车间名称", max_length=200)

    class Meta:
        verbose_name = "车间"
        verbose_name_plural = "车间"

    def __str__(self) -> str:
        return f"{self.site} · {self.name}"


class Line(ReferencedModel):
    """A production line. Several products (of several MAHs) on one line make it a shared line (art. 8)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.PROTECT, related_name="lines", verbose_name="车间")
    name = models.CharField("生产线名称", max_length=200)
    dosage_forms = models.CharField("剂型（以、分隔）", max_length=300)
    sterile = models.BooleanField("无菌生产线", default=False)
    design_capacity = models.DecimalField(
        "设计产能", max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    capacity_unit = models.CharField("产能单位（如 万支/年）", max_length=30)
    commercial_since = models.DateField("首次商业化生产日期", null=True, blank=True)
    last_commercial_production = models.DateField("最近一次商业化生产日期", null=True, blank=True)
    products = models.ManyToManyField(
        "Product", through="LineProduct", related_name="lines", blank=True, verbose_name="生产品种"
    )

    class Meta:
        verbose_name = "生产线"
        verbose_name_plural = "生产线"

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

    kind = models.CharField("类别", max_length=10, choices=ProductKind.choices)
    holder = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="products", verbose_name="持有人/注册人"
    )
    name = models.CharField("通用名称/产品名称", max_length=200)
    status = models.CharField("状态", max_length=20, choices=ProductStatus.choices)
    # drugs
    approval_number = models.CharField(
        "药品批准文号", max_length=20, unique=True, null=True, blank=True, validators=[validate_approval_number]
    )
    dosage_form = models.CharField("剂型", max_length=50, blank=True)
    strength = models.CharField("规格", max_length=100, blank=True)
    category = models.CharField("药品类别", max_length=1, choices=DrugCategory.choices, blank=True)
    # devices
    device_class = models.CharField("管理类别", max_length=3, choices=DeviceClass.choices, blank=True)
    implantable = models.BooleanField("植入性医疗器械", default=False)
    prohibited_catalogue = models.BooleanField("列入禁止委托生产医疗器械目录", default=False)
    last_commercial_batch_released = models.DateField("最近一次商业规模批次放行日期", null=True, blank=True)
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
        verbose_name = "产品"
        verbose_name_plural = "产品"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.approval_number or self.ref}）"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.approval_number == "":
            self.approval_number = None
        if self.kind == ProductKind.DRUG:
            if not self.dosage_form:
                errors["dosage_form"] = "药品应填写剂型 / a drug needs a dosage form"
            if self.device_class or self.implantable or self.prohibited_catalogue:
                errors["device_class"] = "药品不适用医疗器械字段 / device fields do not apply to a drug"
            if self.status == ProductStatus.MARKETED and not self.approval_number:
                errors["approval_number"] = "已上市药品应有批准文号 / a marketed drug needs an approval number"
            if self.approval_number and self.category:
                match = APPROVAL_NUMBER_RE.match(self.approval_number)
                expected = {"H": "h", "Z": "z", "S": "s"}.get(match["kind"]) if match else None
                if expected and self.category not in (expected, "x", "t", "d", "q"):
                    errors["category"] = (
                        f"批准文号类别（{match['kind']}）与药品类别（{self.category}）不一致 / "
                        f"approval number kind {match['kind']} does not match category {self.category}"
                    )
        elif self.kind == ProductKind.DEVICE:
            if not self.device_class:
                errors["device_class"] = "医疗器械应填写管理类别 / a device needs its class (I/II/III)"
            if self.approval_number:
                errors["approval_number"] = "医疗器械无药品批准文号 / a device has no drug approval number"
        if self.holder_id:
            holder = self.holder
            if self.kind == ProductKind.DRUG and not holder.is_mah:
                errors["holder"] = "药品的持有人应为持有人企业 / a drug's holder must be an MAH"
            if self.kind == ProductKind.DEVICE and not holder.is_registrant:
                errors["holder"] = "医疗器械的注册人应为注册人企业 / a device's holder must be a registrant"
        if errors:
            raise ValidationError(errors)


class LineProduct(BaseModel):
    """A product made on a line, with its planned volume (to check the line's capacity, art. 8)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, verbose_name="生产线")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, verbose_name="产品")
    annual_volume = models.DecimalField(
        "计划年产量（与设计产能同单位）",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = "生产线品种"
        verbose_name_plural = "生产线品种"
        constraints = [models.UniqueConstraint(fields=["line", "product"], name="line_product_unique")]

    def __str__(self) -> str:
        return f"{self.line} ← {self.product}"


class RegistrationCertificate(ReferencedModel):
    """A device registration certificate, annotated "(委托生产)" with the CMO's name and USCC when commissioned."""

    product = models.OneToOneField(
        Product, on_delete=models.PROTECT, related_name="certificate", verbose_name="医疗器械"
    )
    number = models.CharField("注册证编号", max_length=30, unique=True, validators=[validate_device_certificate_number])
    issued_on = models.DateField("批准日期")
    valid_until = models.DateField("有效期至")
    annotation = models.CharField("备注（受托生产企业名称、统一社会信用代码）", max_length=300, blank=True)

    class Meta:
        verbose_name = "医疗器械注册证"
        verbose_name_plural = "医疗器械注册证"

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        _check_period(self.issued_on, self.valid_until, "issued_on", "valid_until")
        if self.product_id and self.product.kind != ProductKind.DEVICE:
            raise ValidationError({"product": "注册证只适用于医疗器械 / a registration certificate is for a device"})


class Licence(ReferencedModel):
    """A drug manufacturing licence (class codes A/B/C/D + category letters) or a device production licence."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="licences", verbose_name="企业"
    )
    kind = models.CharField("许可证类别", max_length=10, choices=LicenceKind.choices)
    number = models.CharField("许可证编号", max_length=40, unique=True)
    class_codes = models.CharField("分类码大写字母（A/B/C/D）", max_length=4, blank=True)
    category_letters = models.CharField("分类码小写字母（h/z/s/d/y/q/t/x）", max_length=8, blank=True)
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至")
    sites = models.ManyToManyField(Site, through="LicenceScope", related_name="licences", verbose_name="生产地址")

    class Meta:
        verbose_name = "生产许可证"
        verbose_name_plural = "生产许可证"

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        _check_period(self.issued_on, self.valid_until, "issued_on", "valid_until")
        if self.kind == LicenceKind.DRUG:
            try:
                validate_drug_licence_number(self.number)
            except ValidationError as e:
                raise ValidationError({"number": e.messages}) from None
            bad = {c for c in self.class_codes} - set(LicenceClass.values)
            if not self.class_codes or bad:
                raise ValidationError(
                    {"class_codes": "分类码大写字母应为 A、B、C、D 之一或组合 / class codes must be from A, B, C, D"}
                )
            bad = {c for c in self.category_letters} - set(DrugCategory.values)
            if bad:
                raise ValidationError(
                    {"category_letters": f"未知的分类码小写字母 {''.join(sorted(bad))} / unknown category letters"}
                )
        else:
            try:
                validate_device_licence_number(self.number)
            except ValidationError as e:
                raise ValidationError({"number": e.messages}) from None
            if self.class_codes or self.category_letters:
                raise ValidationError(
                    {"class_codes": "医疗器械生产许可证无分类码 / a device licence has no class codes"}
                )

    @property
    def issuing_province(self) -> str | None:
        return licence_province(self.number)


class LicenceScope(BaseModel):
    """One entry of a licence: a site, the class it is held under, its scope, and the products it names.

    Art. 19: after the MAH gets its B licence, the CMO's licence must name (载明) the MAH, the product
    and its approval number within 60 working days; ``entered_on`` records when that was done.
    """

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="scopes", verbose_name="许可证")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, verbose_name="生产地址")
    class_code = models.CharField("分类码", max_length=1, choices=LicenceClass.choices, blank=True)
    scope = models.CharField("生产范围", max_length=300)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, verbose_name="载明品种")
    counterparty = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="委托/受托方",
    )
    entered_on = models.DateField("载明日期", null=True, blank=True)

    class Meta:
        verbose_name = "许可范围"
        verbose_name_plural = "许可范围"

    def __str__(self) -> str:
        return f"{self.licence} · {self.scope}"

    def clean(self) -> None:
        if self.licence_id and self.class_code and self.class_code not in self.licence.class_codes:
            raise ValidationError(
                {"class_code": f"许可证分类码不含 {self.class_code} / the licence has no class {self.class_code}"}
            )


class Person(ReferencedModel):
    """A person of an organisation; key roles are held through appointments."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people", verbose_name="企业")
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务/职称", max_length=100, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"


class Appointment(BaseModel):
    """A person holding a key role (head of production, QP …) from one date, until another or still."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="appointments", verbose_name="人员")
    role = models.CharField("岗位", max_length=30, choices=KeyRole.choices)
    since = models.DateField("任职日期")
    until = models.DateField("离任日期", null=True, blank=True)

    class Meta:
        verbose_name = "关键人员任职"
        verbose_name_plural = "关键人员任职"
        constraints = [models.UniqueConstraint(fields=["person", "role", "since"], name="appointment_unique")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"

    def clean(self) -> None:
        _check_period(self.since, self.until, "since", "until")


class ExperienceRecord(BaseModel):
    """One period of a person's CV: what they did, and whether it was sterile or same-type (art. 17)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="experience", verbose_name="人员")
    employer = models.CharField("任职单位", max_length=200)
    activity = models.CharField("从事工作", max_length=20, choices=ExperienceActivity.choices)
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("截止日期（空为至今）", null=True, blank=True)
    sterile = models.BooleanField("无菌药品", default=False)
    tcm_injection = models.BooleanField("中药注射剂", default=False)
    multicomponent_biochemical = models.BooleanField("多组分生化药", default=False)

    class Meta:
        verbose_name = "从业经历"
        verbose_name_plural = "从业经历"
        ordering = ["started_on"]
        constraints = [models.UniqueConstraint(fields=["person", "employer", "started_on"], name="experience_unique")]

    def __str__(self) -> str:
        return f"{self.person} · {self.employer} {self.started_on}–{self.ended_on or '至今'}"

    def clean(self) -> None:
        _check_period(self.started_on, self.ended_on, "started_on", "ended_on")


class InspectionRecord(ReferencedModel):
    """A GMP compliance or licensing inspection of a line or a dosage form, and its conclusion."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="inspections", verbose_name="被检查企业"
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, verbose_name="生产地址")
    line = models.ForeignKey(Line, null=True, blank=True, on_delete=models.PROTECT, verbose_name="生产线")
    dosage_form = models.CharField("剂型", max_length=50, blank=True)
    inspected_on = models.DateField("检查日期")
    kind = models.CharField("检查类型", max_length=20, choices=InspectionKind.choices)
    conclusion = models.CharField("检查结论", max_length=20, choices=InspectionConclusion.choices)
    notice_number = models.CharField("告知书编号", max_length=60, blank=True)

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["-inspected_on"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.inspected_on} {self.get_kind_display()}"

    def clean(self) -> None:
        if not self.line_id and not self.dosage_form:
            raise ValidationError(
                {"dosage_form": "检查记录应指明生产线或剂型 / an inspection names a line or a dosage form"}
            )
        if self.line_id and self.organisation_id and self.line.workshop.site.organisation_id != self.organisation_id:
            raise ValidationError({"line": "生产线不属于该企业 / the line is not this organisation's"})
