"""The registry under /api/v1: organisations, sites, workshops, lines, products, licences, people,
inspections. Every read goes through a registry selector with the request's actor, every write
through a registry service (validated, ledgered, refused to whoever may not make it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field, create_model, field_validator

from weituo.registry import selectors, services
from weituo.registry.choices import (
    RISK_FLAGS,
    DeviceClass,
    DrugCategory,
    OrganisationRole,
    ProductKind,
    ProductStatus,
)
from weituo.registry.models import Line, Organisation
from weituo.registry.provinces import Province

from ..auth import actor_of
from ..errors import errors
from ..schemas import (
    REF_PATTERN,
    LineRef,
    OrganisationRef,
    PageQuery,
    PersonRef,
    ProductRef,
    Ref,
    Search,
    SiteRef,
    Volume,
    WithExtra,
    page_of,
    paginate,
    text,
)

router = Router(tags=["registry 登记"])

READ = errors(401, 404, 422)
WRITE = errors(400, 401, 403, 404, 422)
RefPath = Path(..., min_length=1, max_length=64, pattern=REF_PATTERN, description="编号 ref")


def plain(schema: Schema, **kwargs: Any) -> dict[str, Any]:
    """A schema's values as a service takes them: enumerations as their stored value."""
    return {k: v.value if isinstance(v, Enum) else v for k, v in schema.model_dump(**kwargs).items()}


def _organisation(request: HttpRequest, ref: str | None) -> Organisation | None:
    """The organisation a filter or a field names (``NotFound`` if the actor may not see it)."""
    return selectors.organisation_get(actor=actor_of(request), ref=ref) if ref else None


# --- organisations ---------------------------------------------------------------------------------


class GroupOut(Schema):
    ref: str
    name: str
    unified_qms: bool


class OrganisationOut(Schema):
    ref: str
    name: str
    uscc: str
    province: str
    address: str
    is_mah: bool
    is_cmo: bool
    is_registrant: bool
    is_device_cmo: bool
    is_testing_lab: bool
    group: GroupOut | None = None


class YearsOut(Schema):
    practice: float
    sterile: float
    tcm_injection: float
    multicomponent_biochemical: float


class KeyPersonOut(Schema):
    person: PersonRef
    roles: list[str]
    years: YearsOut | None = Field(description="从业年限；对方企业人员不公开（null）/ null for a counterparty's people")


class OrganisationDetailOut(OrganisationOut):
    pure_b: bool = Field(description="无自有生产地址的持有人（B 证）/ an MAH with no site of its own")
    key_people: list[KeyPersonOut]


class OrganisationFilter(PageQuery):
    search: Search = Field("", description="名称、USCC 或编号 name, USCC or ref")
    province: Province | None = None
    role: OrganisationRole | None = None


class OrganisationIn(Schema):
    ref: Ref
    name: text(200, 1)
    uscc: text(18, 1)
    province: Province
    address: text(300) = ""
    is_mah: bool = False
    is_cmo: bool = False
    is_registrant: bool = False
    is_device_cmo: bool = False
    is_testing_lab: bool = False


class OrganisationPatch(Schema):
    name: text(200, 1) = None
    uscc: text(18, 1) = None
    province: Province = None
    address: text(300) = None
    is_mah: bool = None
    is_cmo: bool = None
    is_registrant: bool = None
    is_device_cmo: bool = None
    is_testing_lab: bool = None


def _organisation_detail(request: HttpRequest, organisation: Organisation) -> WithExtra:
    actor = actor_of(request)
    return WithExtra(
        organisation,
        pure_b=selectors.organisation_is_pure_b(actor=actor, organisation=organisation),
        key_people=selectors.key_people(actor=actor, organisation=organisation, as_of=timezone.localdate()),
    )


@router.get("/organisations", response={200: page_of(OrganisationOut), **READ}, summary="企业列表 organisations")
def organisations(request: HttpRequest, filters: Query[OrganisationFilter]):
    qs = selectors.organisation_list(
        actor=actor_of(request),
        search=filters.search,
        province=filters.province.value if filters.province else "",
        role=filters.role.value if filters.role else "",
    )
    return paginate(qs, filters)


@router.get("/organisations/{ref}", response={200: OrganisationDetailOut, **READ}, summary="企业 organisation")
def organisation(request: HttpRequest, ref: str = RefPath):
    return _organisation_detail(request, selectors.organisation_get(actor=actor_of(request), ref=ref))


@router.post("/organisations", response={201: OrganisationDetailOut, **WRITE}, summary="登记企业 register")
def organisation_create(request: HttpRequest, payload: OrganisationIn):
    """Platform administrators only: a new enterprise has no members yet to register it."""
    organisation = services.organisation_create(actor=actor_of(request), **plain(payload))
    return Status(201, _organisation_detail(request, organisation))


@router.patch("/organisations/{ref}", response={200: OrganisationDetailOut, **WRITE}, summary="修改企业 update")
def organisation_update(request: HttpRequest, payload: OrganisationPatch, ref: str = RefPath):
    """The organisation's own writers (and the platform): a counterparty gets 403."""
    actor = actor_of(request)
    organisation = selectors.organisation_get(actor=actor, ref=ref)
    organisation = services.organisation_update(
        actor=actor, organisation=organisation, **plain(payload, exclude_unset=True)
    )
    return _organisation_detail(request, organisation)


# --- sites and workshops ---------------------------------------------------------------------------


class WorkshopRef(Schema):
    ref: str
    name: str


class SiteOut(Schema):
    ref: str
    name: str
    address: str
    province: str
    organisation: OrganisationRef


class SiteDetailOut(SiteOut):
    workshops: list[WorkshopRef]


class SiteFilter(PageQuery):
    organisation: Ref | None = None
    province: Province | None = None


class WorkshopOut(Schema):
    ref: str
    name: str
    site: SiteRef
    organisation: OrganisationRef

    @staticmethod
    def resolve_organisation(obj: Any) -> Organisation:
        return obj.site.organisation


class WorkshopDetailOut(WorkshopOut):
    lines: list[LineRef]


class WorkshopFilter(PageQuery):
    site: Ref | None = None


@router.get("/sites", response={200: page_of(SiteOut), **READ}, summary="生产地址列表 sites")
def sites(request: HttpRequest, filters: Query[SiteFilter]):
    qs = selectors.site_search(
        actor=actor_of(request),
        organisation=_organisation(request, filters.organisation),
        province=filters.province.value if filters.province else "",
    )
    return paginate(qs, filters)


@router.get("/sites/{ref}", response={200: SiteDetailOut, **READ}, summary="生产地址 site")
def site(request: HttpRequest, ref: str = RefPath):
    actor = actor_of(request)
    site = selectors.site_get(actor=actor, ref=ref)
    return WithExtra(site, workshops=selectors.workshop_search(actor=actor, site=site))


@router.get("/workshops", response={200: page_of(WorkshopOut), **READ}, summary="车间列表 workshops")
def workshops(request: HttpRequest, filters: Query[WorkshopFilter]):
    actor = actor_of(request)
    site = selectors.site_get(actor=actor, ref=filters.site) if filters.site else None
    return paginate(selectors.workshop_search(actor=actor, site=site), filters)


@router.get("/workshops/{ref}", response={200: WorkshopDetailOut, **READ}, summary="车间 workshop")
def workshop(request: HttpRequest, ref: str = RefPath):
    actor = actor_of(request)
    workshop = selectors.workshop_get(actor=actor, ref=ref)
    lines = selectors.line_list(actor=actor, organisation=workshop.site.organisation).filter(workshop=workshop)
    return WithExtra(workshop, lines=lines.order_by("ref"))


# --- lines -----------------------------------------------------------------------------------------


class LineOut(Schema):
    ref: str
    name: str
    workshop: WorkshopRef
    site: SiteRef
    organisation: OrganisationRef
    dosage_forms: str
    sterile: bool
    design_capacity: Decimal
    capacity_unit: str
    commercial_since: dt.date | None = None
    last_commercial_production: dt.date | None = None

    @staticmethod
    def resolve_site(obj: Any) -> Any:
        return obj.workshop.site

    @staticmethod
    def resolve_organisation(obj: Any) -> Any:
        return obj.workshop.site.organisation


class LineProductOut(Schema):
    product: ProductRef
    holder: OrganisationRef
    annual_volume: Decimal | None = None

    @staticmethod
    def resolve_holder(obj: Any) -> Any:
        return obj.product.holder


class LineLoadOut(Schema):
    """What the actor may know of the line's load (art. 8). On a shared line an MAH sees its own
    products only (``complete`` false): the number of holders and the utilisation are then null."""

    complete: bool
    shared: bool
    holders: int | None = None
    planned_volume: Decimal
    utilisation: Decimal | None = None
    products: list[LineProductOut]


class LineDetailOut(LineOut):
    load: LineLoadOut


class LineFilter(PageQuery):
    organisation: Ref | None = None
    search: Search = Field("", description="名称、剂型或编号 name, dosage form or ref")


class LineProductIn(Schema):
    annual_volume: Volume | None = Field(None, description="计划年产量（与设计产能同单位）planned annual volume")
    allow_over_capacity: bool = Field(False, description="明知超出设计产能仍记录 record beyond design capacity")


class LineProductSetOut(Schema):
    line: LineRef
    product: ProductRef
    annual_volume: Decimal | None = None

    @field_validator("annual_volume")
    @classmethod
    def _as_stored(cls, value: Decimal | None) -> Decimal | None:
        """At the column's scale (1500 → 1500.00), as a read of the row would give it."""
        return value.quantize(Decimal("0.01")) if value is not None else None


def _line_detail(request: HttpRequest, line: Line) -> WithExtra:
    return WithExtra(line, load=selectors.line_load(actor=actor_of(request), line=line))


@router.get("/lines", response={200: page_of(LineOut), **READ}, summary="生产线列表 lines")
def lines(request: HttpRequest, filters: Query[LineFilter]):
    qs = selectors.line_list(
        actor=actor_of(request), search=filters.search, organisation=_organisation(request, filters.organisation)
    )
    return paginate(qs, filters)


@router.get("/lines/{ref}", response={200: LineDetailOut, **READ}, summary="生产线 line")
def line(request: HttpRequest, ref: str = RefPath):
    return _line_detail(request, selectors.line_get(actor=actor_of(request), ref=ref))


@router.put(
    "/lines/{ref}/products/{product}",
    response={200: LineProductSetOut, **WRITE},
    summary="安排生产线品种 set a line's product",
)
def line_product_set(
    request: HttpRequest,
    payload: LineProductIn,
    ref: str = RefPath,
    product: str = Path(..., min_length=1, max_length=64, pattern=REF_PATTERN, description="产品编号 product ref"),
):
    """The CMO that runs the line puts a product on it or changes its planned volume (art. 8); a
    plan beyond design capacity is refused (422) unless ``allow_over_capacity``."""
    actor = actor_of(request)
    line = selectors.line_get(actor=actor, ref=ref)
    row = services.line_product_set(
        actor=actor,
        line=line,
        product=selectors.product_get(actor=actor, ref=product),
        annual_volume=payload.annual_volume,
        allow_over_capacity=payload.allow_over_capacity,
    )
    return row


# --- products --------------------------------------------------------------------------------------

_FLAGS: dict[str, Any] = {
    name: (bool, Field(False, description=f"{label}（{citation}）")) for name, (label, citation) in RISK_FLAGS.items()
}
ProductFlags = create_model("ProductFlags", __base__=Schema, **_FLAGS)
ProductFlagsPatch = create_model(
    "ProductFlagsPatch",
    __base__=Schema,
    **{name: (bool, Field(None, description=field.description)) for name, (_, field) in _FLAGS.items()},
)


class ProductOut(ProductFlags):
    ref: str
    kind: str
    holder: OrganisationRef
    name: str
    status: str
    approval_number: str | None = None
    dosage_form: str
    strength: str
    category: str
    device_class: str
    implantable: bool
    prohibited_catalogue: bool
    last_commercial_batch_released: dt.date | None = None
    approval_valid_from: dt.date | None = Field(
        None, description="批准证明文件有效期起始日 start of the approval's validity (art. 18)"
    )
    commissioned_before_stop: bool | None = Field(
        None, description="停产前为委托生产 made under commission before it stopped (art. 18); null: unknown"
    )
    production_restored_on: dt.date | None = Field(None, description="恢复生产日期 production restored on (art. 18)")
    segmented_pilot: bool = Field(
        False, description="生物制品分段生产试点品种 a product of the segmented-production pilot"
    )


class ProductFilter(PageQuery):
    holder: Ref | None = None
    search: Search = Field("", description="名称、批准文号或编号 name, approval number or ref")
    kind: ProductKind | None = None
    status: ProductStatus | None = None


class ProductIn(ProductFlags):
    ref: Ref
    kind: ProductKind
    holder: Ref = Field(description="持有人/注册人编号 the holder's ref")
    name: text(200, 1)
    status: ProductStatus
    approval_number: text(20) | None = None
    dosage_form: text(50) = ""
    strength: text(100) = ""
    category: DrugCategory | None = None
    device_class: DeviceClass | None = None
    implantable: bool = False
    prohibited_catalogue: bool = False
    last_commercial_batch_released: dt.date | None = None


class ProductPatch(ProductFlagsPatch):
    """The fields to change. The status, kind and holder are not changed here."""

    name: text(200, 1) = None
    approval_number: text(20) | None = None
    dosage_form: text(50) = None
    strength: text(100) = None
    category: DrugCategory | None = None
    device_class: DeviceClass | None = None
    implantable: bool = None
    prohibited_catalogue: bool = None
    last_commercial_batch_released: dt.date | None = None


def _product_fields(values: dict[str, Any]) -> dict[str, Any]:
    """``null`` for a choice means "none": the model stores that as an empty choice."""
    for name in ("category", "device_class"):
        if name in values and values[name] is None:
            values[name] = ""
    return values


@router.get("/products", response={200: page_of(ProductOut), **READ}, summary="产品列表 products")
def products(request: HttpRequest, filters: Query[ProductFilter]):
    qs = selectors.product_search(
        actor=actor_of(request),
        search=filters.search,
        holder=_organisation(request, filters.holder),
        kind=filters.kind.value if filters.kind else "",
        status=filters.status.value if filters.status else "",
    )
    return paginate(qs, filters)


@router.get("/products/{ref}", response={200: ProductOut, **READ}, summary="产品 product")
def product(request: HttpRequest, ref: str = RefPath):
    return selectors.product_get(actor=actor_of(request), ref=ref)


@router.post("/products", response={201: ProductOut, **WRITE}, summary="登记产品 register")
def product_create(request: HttpRequest, payload: ProductIn):
    """The holder's writers register its products; the holder must be visible (404) and theirs (403)."""
    actor = actor_of(request)
    values = _product_fields(plain(payload))
    holder = selectors.organisation_get(actor=actor, ref=values.pop("holder"))
    return Status(201, services.product_create(actor=actor, holder=holder, **values))


@router.patch("/products/{ref}", response={200: ProductOut, **WRITE}, summary="修改产品 update")
def product_update(request: HttpRequest, payload: ProductPatch, ref: str = RefPath):
    """The holder's writers change its products; a CMO that makes it sees it but gets 403."""
    actor = actor_of(request)
    product = selectors.product_get(actor=actor, ref=ref)
    return services.product_update(actor=actor, product=product, **_product_fields(plain(payload, exclude_unset=True)))


# --- licences --------------------------------------------------------------------------------------


class LicenceOut(Schema):
    ref: str
    organisation: OrganisationRef
    kind: str
    number: str
    class_codes: str
    category_letters: str
    issued_on: dt.date
    valid_until: dt.date


class LicenceScopeOut(Schema):
    site: SiteRef
    class_code: str
    scope: str
    product: ProductRef | None = None
    counterparty: OrganisationRef | None = None
    entered_on: dt.date | None = None
    removal_applied_on: dt.date | None = Field(None, description="申请核减日期 cancellation applied for (art. 20)")


class LicenceDetailOut(LicenceOut):
    scopes: list[LicenceScopeOut] = Field(description="本人可见的许可范围条目 the entries the caller may see")

    @staticmethod
    def resolve_scopes(obj: Any) -> Any:
        return obj.visible_scopes


class OrganisationOnlyFilter(PageQuery):
    organisation: Ref | None = None


@router.get("/licences", response={200: page_of(LicenceOut), **READ}, summary="许可证列表 licences")
def licences(request: HttpRequest, filters: Query[OrganisationOnlyFilter]):
    qs = selectors.licence_search(actor=actor_of(request), organisation=_organisation(request, filters.organisation))
    return paginate(qs, filters)


@router.get("/licences/{ref}", response={200: LicenceDetailOut, **READ}, summary="许可证 licence")
def licence(request: HttpRequest, ref: str = RefPath):
    return selectors.licence_get(actor=actor_of(request), ref=ref)


# --- people ----------------------------------------------------------------------------------------


class PersonOut(Schema):
    ref: str
    name: str
    title: str
    organisation: OrganisationRef


class AppointmentOut(Schema):
    role: str
    since: dt.date
    until: dt.date | None = None


class ExperienceOut(Schema):
    employer: str
    activity: str
    started_on: dt.date
    ended_on: dt.date | None = None
    sterile: bool
    tcm_injection: bool
    multicomponent_biochemical: bool


class PersonDetailOut(PersonOut):
    email: str
    phone: str
    appointments: list[AppointmentOut]
    experience: list[ExperienceOut] | None = Field(
        description="从业经历；仅本企业及其监管部门可见，否则为 null / the CV: null unless the caller's own "
        "organisation or its regulator"
    )


class PersonFilter(PageQuery):
    organisation: Ref | None = None
    search: Search = Field("", description="姓名或编号 name or ref")


@router.get("/people", response={200: page_of(PersonOut), **READ}, summary="人员列表 people")
def people(request: HttpRequest, filters: Query[PersonFilter]):
    qs = selectors.person_search(
        actor=actor_of(request), organisation=_organisation(request, filters.organisation), search=filters.search
    )
    return paginate(qs, filters)


@router.get("/people/{ref}", response={200: PersonDetailOut, **READ}, summary="人员 person")
def person(request: HttpRequest, ref: str = RefPath):
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, ref=ref)
    return WithExtra(person, experience=selectors.person_cv(actor=actor, person=person))


# --- inspections -----------------------------------------------------------------------------------


class InspectionOut(Schema):
    ref: str
    organisation: OrganisationRef
    site: SiteRef | None = None
    line: LineRef | None = None
    dosage_form: str
    inspected_on: dt.date
    kind: str
    conclusion: str
    notice_number: str


class InspectionFilter(PageQuery):
    organisation: Ref | None = None
    line: Ref | None = None


@router.get("/inspections", response={200: page_of(InspectionOut), **READ}, summary="检查记录列表 inspections")
def inspections(request: HttpRequest, filters: Query[InspectionFilter]):
    actor = actor_of(request)
    qs = selectors.inspection_list(
        actor=actor,
        organisation=_organisation(request, filters.organisation),
        line=selectors.line_get(actor=actor, ref=filters.line) if filters.line else None,
    )
    return paginate(qs, filters)


@router.get("/inspections/{ref}", response={200: InspectionOut, **READ}, summary="检查记录 inspection")
def inspection(request: HttpRequest, ref: str = RefPath):
    return selectors.inspection_get(actor=actor_of(request), ref=ref)
