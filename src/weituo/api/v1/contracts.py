"""Contracts under /api/v1: commission contracts, quality agreements (the responsibility matrix and
the communication list), technology transfers, the CMO's evaluations of MAHs. Reads through the
contracts selectors with the request's actor, writes through the contracts services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from weituo.contracts import selectors, services
from weituo.contracts.choices import Activity, Assignee, Channel, CommunicationCategory, ContractStatus, TimeUnit
from weituo.contracts.models import CommissionContract
from weituo.registry import selectors as registry

from ..auth import actor_of
from ..errors import errors
from ..schemas import (
    ContractRef,
    LineRef,
    OrganisationRef,
    PageQuery,
    PersonRef,
    ProductRef,
    Ref,
    Search,
    WithExtra,
    page_of,
    paginate,
    text,
)
from .registry import RefPath, plain

router = Router(tags=["contracts 委托生产"])

READ = errors(401, 404, 422)
WRITE = errors(400, 401, 403, 404, 422)
TRANSITION = errors(400, 401, 403, 404, 409, 422)


# --- commission contracts --------------------------------------------------------------------------


class ContractOut(Schema):
    ref: str
    number: str
    mah: OrganisationRef
    cmo: OrganisationRef
    status: str
    signed_on: dt.date | None = None
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None
    terminated_on: dt.date | None = None
    cmo_rnd_products: list[str] = Field(
        default_factory=list,
        description="受托方主要参与研发或者临床试验批次生产的品种编号 products the CMO mainly developed (art. 17, exception 4)",
    )

    unified_qms_confirmed: bool | None = Field(
        None,
        description="双方执行统一的质量管理体系（生物制品分段生产试点）one quality system confirmed; null: unknown",
    )

    @staticmethod
    def resolve_cmo_rnd_products(obj: Any) -> list[str]:
        return sorted(p.ref for p in obj.cmo_rnd_products.all())


class AgreementSummaryOut(Schema):
    ref: str
    document_version: str = Field(description="质量协议文本的版本号 the agreement document's version")
    status: str


class ContractDetailOut(ContractOut):
    products: list[ProductRef] = Field(description="本人可见的委托品种 the products the caller may see")
    lines: list[LineRef] = Field(description="本人可见的受托生产线 the lines the caller may see")
    agreements: list[AgreementSummaryOut]

    @staticmethod
    def resolve_agreements(obj: Any) -> Any:
        return obj.quality_agreements.all()


class ContractFilter(PageQuery):
    organisation: Ref | None = Field(None, description="委托方或受托方 the MAH or the CMO")
    status: ContractStatus | None = None
    search: Search = Field("", description="合同编号或编号 number or ref")
    product: Ref | None = None
    line: Ref | None = None


class ContractIn(Schema):
    ref: Ref
    number: text(60, 1)
    mah: Ref = Field(description="委托方编号 the MAH's ref")
    cmo: Ref = Field(description="受托方编号 the CMO's ref")
    products: list[Ref] = Field(min_length=1, max_length=200)
    lines: list[Ref] = Field([], max_length=200)
    signed_on: dt.date | None = None
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None


class TransitionIn(Schema):
    to: ContractStatus = Field(description="目标状态 the status to change to")
    on: dt.date | None = Field(None, description="生效或终止日期 the date it takes effect")
    reason: text(500) = ""


def _contract_detail(request: HttpRequest, contract: CommissionContract) -> CommissionContract:
    return selectors.contract_get(actor=actor_of(request), ref=contract.ref)


@router.get("/contracts", response={200: page_of(ContractOut), **READ}, summary="委托生产协议列表 contracts")
def contracts(request: HttpRequest, filters: Query[ContractFilter]):
    actor = actor_of(request)
    qs = selectors.contract_search(
        actor=actor,
        search=filters.search,
        organisation=registry.organisation_get(actor=actor, ref=filters.organisation) if filters.organisation else None,
        status=filters.status.value if filters.status else "",
        product=registry.product_get(actor=actor, ref=filters.product) if filters.product else None,
        line=registry.line_get(actor=actor, ref=filters.line) if filters.line else None,
    )
    return paginate(qs.prefetch_related("cmo_rnd_products"), filters)


@router.get("/contracts/{ref}", response={200: ContractDetailOut, **READ}, summary="委托生产协议 contract")
def contract(request: HttpRequest, ref: str = RefPath):
    return selectors.contract_get(actor=actor_of(request), ref=ref)


@router.post("/contracts", response={201: ContractDetailOut, **WRITE}, summary="起草委托生产协议 draft")
def contract_create(request: HttpRequest, payload: ContractIn):
    """A writer of the MAH or of the CMO drafts a contract (always as a draft; it enters into force
    by a transition). The products must be the MAH's and the lines the CMO's."""
    actor = actor_of(request)
    values = plain(payload)
    contract = services.contract_create(
        actor=actor,
        mah=registry.organisation_get(actor=actor, ref=values.pop("mah")),
        cmo=registry.organisation_get(actor=actor, ref=values.pop("cmo")),
        products=[registry.product_get(actor=actor, ref=r) for r in dict.fromkeys(values.pop("products"))],
        lines=[registry.line_get(actor=actor, ref=r) for r in dict.fromkeys(values.pop("lines"))],
        **values,
    )
    return Status(201, _contract_detail(request, contract))


@router.post(
    "/contracts/{ref}/transitions",
    response={200: ContractDetailOut, **TRANSITION},
    summary="协议状态变更 change status",
)
def contract_transition(request: HttpRequest, payload: TransitionIn, ref: str = RefPath):
    """draft → in_force (needs ``on``, the effective date, unless set) or terminated; in_force →
    terminated (needs ``on``; its agreements are terminated with it). Anything else is 409."""
    actor = actor_of(request)
    contract = selectors.contract_get(actor=actor, ref=ref)
    contract = services.contract_change_status(
        actor=actor, contract=contract, to=payload.to.value, on=payload.on, reason=payload.reason
    )
    return _contract_detail(request, contract)


# --- quality agreements ----------------------------------------------------------------------------


class AgreementOut(Schema):
    ref: str
    contract: ContractRef
    document_version: str = Field(description="质量协议文本的版本号 the agreement document's version")
    status: str
    signed_on: dt.date | None = None
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None
    terminated_on: dt.date | None = None


class ResponsibilityOut(Schema):
    activity: str
    party: str
    period_months: int | None = None
    detail: str


class CommunicationOut(Schema):
    category: str
    mah_contact: PersonRef | None = None
    cmo_contact: PersonRef | None = None
    channel: str
    time_limit: int | None = None
    time_unit: str


class ResidentOut(Schema):
    person: PersonRef
    duties: str
    products: list[str] = Field(
        description="所驻品种编号（空：协议的全部品种）the refs of the products stationed for (empty: all the agreement's)"
    )

    @staticmethod
    def resolve_products(obj: Any) -> list[str]:
        return sorted(p.ref for p in obj.products.all())


class AgreementDetailOut(AgreementOut):
    mah: OrganisationRef
    cmo: OrganisationRef
    mah_may_consult_records: bool
    mah_may_visit_sites: bool
    cmo_link_person: PersonRef | None = None
    retained_samples_party: str
    stability_party: str
    production_date_definition: str
    electronic_production_records: bool
    electronic_data_exchange: bool
    electronic_material_management: bool
    last_annual_review: dt.date | None = None
    notes: str
    responsibilities: list[ResponsibilityOut] = Field(description="职责分工 the responsibility matrix")
    communications: list[CommunicationOut] = Field(description="沟通信息清单 the communication list")
    missing_categories: list[str] = Field(
        description="沟通信息清单未涵盖的第七条事项 art. 7 categories the communication list lacks"
    )
    resident_staff: list[ResidentOut]

    @staticmethod
    def resolve_mah(obj: Any) -> Any:
        return obj.contract.mah

    @staticmethod
    def resolve_cmo(obj: Any) -> Any:
        return obj.contract.cmo


class AgreementFilter(PageQuery):
    contract: Ref | None = None
    status: ContractStatus | None = None


class ResponsibilityIn(Schema):
    party: Assignee
    period_months: int | None = Field(None, ge=1, le=32767, description="再验证等的周期（月）period in months")
    detail: text(300) = ""
    reason: text(500) = Field("", description="变更原因（记入审计追踪）why, for the audit trail")


class CommunicationIn(Schema):
    mah_contact: Ref | None = Field(None, description="持有人联系人编号 the MAH's contact (person ref)")
    cmo_contact: Ref | None = Field(None, description="受托方联系人编号 the CMO's contact (person ref)")
    channel: Channel | None = None
    time_limit: int | None = Field(None, ge=1, le=2_147_483_647)
    time_unit: TimeUnit | None = None
    reason: text(500) = Field("", description="变更原因（记入审计追踪）why, for the audit trail")


def _agreement_detail(request: HttpRequest, ref: str) -> WithExtra:
    actor = actor_of(request)
    agreement = selectors.agreement_detail(actor=actor, ref=ref)
    return WithExtra(
        agreement, missing_categories=selectors.missing_communication_categories(actor=actor, agreement=agreement)
    )


@router.get("/quality-agreements", response={200: page_of(AgreementOut), **READ}, summary="质量协议列表 agreements")
def agreements(request: HttpRequest, filters: Query[AgreementFilter]):
    actor = actor_of(request)
    qs = selectors.agreement_search(
        actor=actor,
        contract=selectors.contract_get(actor=actor, ref=filters.contract) if filters.contract else None,
        status=filters.status.value if filters.status else "",
    )
    return paginate(qs, filters)


@router.get("/quality-agreements/{ref}", response={200: AgreementDetailOut, **READ}, summary="质量协议 agreement")
def agreement(request: HttpRequest, ref: str = RefPath):
    return _agreement_detail(request, ref)


@router.put(
    "/quality-agreements/{ref}/responsibilities/{activity}",
    response={200: ResponsibilityOut, **WRITE},
    summary="设定职责分工 set a responsibility",
)
def responsibility_set(request: HttpRequest, payload: ResponsibilityIn, activity: Activity, ref: str = RefPath):
    """One row of the responsibility matrix, by activity: who does it (and for revalidation, how
    often). The MAH's or the CMO's writers only; a terminated agreement is not changed (403)."""
    actor = actor_of(request)
    agreement = selectors.agreement_get(actor=actor, ref=ref)
    values = plain(payload)
    return services.responsibility_edit(
        actor=actor,
        agreement=agreement,
        activity=activity.value,
        reason=values.pop("reason"),
        **values,
    )


@router.put(
    "/quality-agreements/{ref}/communications/{category}",
    response={200: CommunicationOut, **WRITE},
    summary="设定沟通事项 set a communication item",
)
def communication_item_set(
    request: HttpRequest, payload: CommunicationIn, category: CommunicationCategory, ref: str = RefPath
):
    """One row of the communication list, by category: the contact on each side, the channel, the
    time limit and its unit (both or neither). The MAH's or the CMO's writers only."""
    actor = actor_of(request)
    agreement = selectors.agreement_get(actor=actor, ref=ref)
    values = plain(payload)
    for side in ("mah_contact", "cmo_contact"):
        values[side] = registry.person_get(actor=actor, ref=values[side]) if values[side] else None
    for name in ("channel", "time_unit"):
        values[name] = values[name] or ""
    return services.communication_item_edit(
        actor=actor, agreement=agreement, category=category.value, reason=values.pop("reason"), **values
    )


# --- technology transfers --------------------------------------------------------------------------


class TechTransferOut(Schema):
    ref: str
    contract: ContractRef
    product: ProductRef
    lead: PersonRef | None = None
    started_on: dt.date | None = None
    completed_on: dt.date | None = None


class TechTransferDetailOut(TechTransferOut):
    mah: OrganisationRef
    cmo: OrganisationRef
    working_group: list[PersonRef]
    plan_reviewed_on: dt.date | None = None
    equipment_qualified_on: dt.date | None = None
    cleaning_validated_on: dt.date | None = None
    analytical_validated_on: dt.date | None = None
    process_validated_on: dt.date | None = None
    shared_line_assessed_on: dt.date | None = None
    report_reviewed_on: dt.date | None = None
    master_documents_approved_on: dt.date | None = None

    @staticmethod
    def resolve_mah(obj: Any) -> Any:
        return obj.contract.mah

    @staticmethod
    def resolve_cmo(obj: Any) -> Any:
        return obj.contract.cmo


class TechTransferFilter(PageQuery):
    contract: Ref | None = None
    product: Ref | None = None


@router.get("/tech-transfers", response={200: page_of(TechTransferOut), **READ}, summary="技术转移列表 transfers")
def tech_transfers(request: HttpRequest, filters: Query[TechTransferFilter]):
    actor = actor_of(request)
    qs = selectors.tech_transfer_search(
        actor=actor,
        contract=selectors.contract_get(actor=actor, ref=filters.contract) if filters.contract else None,
        product=registry.product_get(actor=actor, ref=filters.product) if filters.product else None,
    )
    return paginate(qs, filters)


@router.get("/tech-transfers/{ref}", response={200: TechTransferDetailOut, **READ}, summary="技术转移 transfer")
def tech_transfer(request: HttpRequest, ref: str = RefPath):
    return selectors.tech_transfer_get(actor=actor_of(request), ref=ref)


# --- evaluations of MAHs by CMOs -------------------------------------------------------------------


class EvaluationOut(Schema):
    ref: str
    cmo: OrganisationRef
    mah: OrganisationRef
    evaluated_on: dt.date
    conclusion: str


class EvaluationDetailOut(EvaluationOut):
    products: list[ProductRef]
    covers_qualification: bool
    covers_quality_capability: bool
    covers_product_risk: bool
    covers_tech_transfer_feasibility: bool
    covers_shared_line_feasibility: bool
    simplified_same_group: bool
    notes: str


class EvaluationFilter(PageQuery):
    cmo: Ref | None = None
    mah: Ref | None = None


@router.get("/evaluations", response={200: page_of(EvaluationOut), **READ}, summary="持有人评估列表 evaluations")
def evaluations(request: HttpRequest, filters: Query[EvaluationFilter]):
    actor = actor_of(request)
    qs = selectors.evaluation_search(
        actor=actor,
        cmo=registry.organisation_get(actor=actor, ref=filters.cmo) if filters.cmo else None,
        mah=registry.organisation_get(actor=actor, ref=filters.mah) if filters.mah else None,
    )
    return paginate(qs, filters)


@router.get("/evaluations/{ref}", response={200: EvaluationDetailOut, **READ}, summary="持有人评估 evaluation")
def evaluation(request: HttpRequest, ref: str = RefPath):
    return selectors.evaluation_get(actor=actor_of(request), ref=ref)
