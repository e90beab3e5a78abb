"""The sheets of the registry workbook, in the order they must be loaded (parents before children).

Columns are derived from the model fields, so a field added to a model appears in the workbook
with its Chinese verbose name as header without a second list to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db import models
from django.utils import translation

from weituo.contracts import models as c
from weituo.contracts.choices import CONTRACT_TRANSITIONS
from weituo.core.models import ReferencedModel
from weituo.registry import models as r

SKIPPED_FIELDS = {"id", "created_at", "updated_at"}


@dataclass(frozen=True)
class Column:
    """One column: the model field, its Chinese header, how its cells are read and written."""

    field: str
    header: str
    kind: str  # str, int, decimal, date, bool, choice, fk, m2m
    required: bool
    choices: tuple[tuple[str, str], ...] = ()  # (code, Chinese label): what the workbook writes
    target: type[models.Model] | None = None  # for fk and m2m: the referenced model
    english: tuple[tuple[str, str], ...] = ()  # (code, English label): also read on import


@dataclass(frozen=True)
class Sheet:
    name: str  # stable code, the key in JSON
    title: str  # Chinese sheet title in the workbook
    model: type[models.Model]
    key: tuple[str, ...]  # natural key: ("ref",) or a unique constraint's fields
    exclude: tuple[str, ...] = field(default=())
    # (status field, transition table): an import may set any status on a new record, but may
    # change a stored record's status only along the table, like every other write.
    transitions: tuple[str, dict[str, set[str]]] | None = None

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        # The workbook's headers and choice labels are Chinese whatever language the request speaks:
        # the file format does not change with the reader.
        with translation.override("zh-hans"):
            return self._columns()

    def _columns(self) -> tuple[Column, ...]:
        cols = []
        for f in self.model._meta.get_fields():
            if not f.concrete or f.auto_created or f.name in SKIPPED_FIELDS or f.name in self.exclude:
                continue
            if isinstance(f, models.ManyToManyField):
                if f.remote_field.through._meta.auto_created:
                    cols.append(Column(f.name, str(f.verbose_name), "m2m", False, target=f.related_model))
                continue
            if isinstance(f, models.FileField) or not f.editable:
                continue
            required = not f.blank and not f.has_default()
            if f.is_relation:
                cols.append(Column(f.name, str(f.verbose_name), "fk", not f.null, target=f.related_model))
            elif f.choices:
                with translation.override("en"):
                    english = tuple((str(k), str(v)) for k, v in f.choices)
                chinese = tuple((str(k), str(v)) for k, v in f.choices)
                cols.append(Column(f.name, str(f.verbose_name), "choice", required, chinese, english=english))
            else:
                cols.append(Column(f.name, str(f.verbose_name), _kind(f), required))
        return tuple(cols)

    @cached_property
    def column_by_field(self) -> dict[str, Column]:
        return {col.field: col for col in self.columns}

    @property
    def referenced(self) -> bool:
        return issubclass(self.model, ReferencedModel)


def _kind(f: models.Field) -> str:
    if isinstance(f, models.BooleanField):
        return "bool"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.DecimalField):
        return "decimal"
    if isinstance(f, models.IntegerField):
        return "int"
    return "str"


SHEETS: tuple[Sheet, ...] = (
    Sheet("groups", "企业集团", r.EnterpriseGroup, ("ref",)),
    Sheet("organisations", "企业", r.Organisation, ("ref",)),
    Sheet("sites", "生产地址", r.Site, ("ref",)),
    Sheet("workshops", "车间", r.Workshop, ("ref",)),
    Sheet("lines", "生产线", r.Line, ("ref",)),
    Sheet("products", "产品", r.Product, ("ref",)),
    Sheet("line_products", "生产线品种", r.LineProduct, ("line", "product")),
    Sheet("certificates", "医疗器械注册证", r.RegistrationCertificate, ("ref",)),
    Sheet("licences", "生产许可证", r.Licence, ("ref",)),
    Sheet("licence_scopes", "许可范围", r.LicenceScope, ("licence", "site", "class_code", "scope", "product")),
    Sheet("people", "人员", r.Person, ("ref",)),
    Sheet("appointments", "关键人员任职", r.Appointment, ("person", "role", "since")),
    Sheet("experience", "从业经历", r.ExperienceRecord, ("person", "employer", "started_on")),
    Sheet(
        "enterprise_experience",
        "企业研发和生产经验",
        r.EnterpriseExperience,
        ("organisation", "activity", "dosage_form", "started_on"),
    ),
    Sheet("inspections", "检查记录", r.InspectionRecord, ("ref",)),
    Sheet("contracts", "委托生产协议", c.CommissionContract, ("ref",), transitions=("status", CONTRACT_TRANSITIONS)),
    Sheet("agreements", "质量协议", c.QualityAgreement, ("ref",), transitions=("status", CONTRACT_TRANSITIONS)),
    Sheet("responsibilities", "职责分工", c.ResponsibilityItem, ("agreement", "activity")),
    Sheet("communications", "沟通信息清单", c.CommunicationItem, ("agreement", "category")),
    Sheet("resident_staff", "驻厂人员", c.ResidentStaff, ("agreement", "person")),
    Sheet("tech_transfers", "技术转移", c.TechTransfer, ("ref",)),
    Sheet("evaluations", "持有人及品种评估", c.MahEvaluation, ("ref",)),
)

SHEET_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
SHEET_BY_TITLE: dict[str, Sheet] = {s.title: s for s in SHEETS}
SHEET_BY_MODEL: dict[type[models.Model], Sheet] = {s.model: s for s in SHEETS}
