"""Shared-line risk assessments under /api/v1/shared-line (Notice 2025-134 art. 8).

Two readings, as in the web pages:

* ``/shared-line/assessments…`` is the line's CMO's (and its regulator's): the whole assessment,
  every notice with each MAH's feedback, every product's findings, every CAPA with each MAH's
  approval. Anyone else gets 404, a notified MAH included.
* ``/shared-line/notices…`` is a notified MAH's: only ``selectors.notice_view`` — the line, the
  trigger, the conclusion and controls, its own products and their findings, the number of the
  others' products, its own feedback and approvals. No field of it can name another holder
  ("通报信息中如涉及依法应当予以保护的商业信息可不显示").

Writes go through ``weituo.quality.services``; a stale ``expected_version`` is 409.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from weituo.quality import services
from weituo.quality.choices import AssessmentStatus, NoticeStatus, SharedLineTrigger
from weituo.quality.models import Capa, SharedLineAssessment
from weituo.quality.selectors import shared_line as selectors
from weituo.registry import selectors as registry

from ..auth import actor_of
from ..errors import errors
from ..schemas import LineRef, OrganisationRef, PageQuery, Ref, WithExtra, page_of, paginate, text
from .registry import RefPath

router = Router(tags=["shared line 共线生产"])

READ = errors(401, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)
RecordId = Path(..., ge=1, le=2**63 - 1, description="记录编号 the record's id")
Version = Field(
    None, ge=1, le=2_147_483_647, description="您看到的版本（过期则 409）the version you saw (409 if stale)"
)
LONG_TEXT = 5000


# --- what the API shows ---------------------------------------------------------------------------------


class AssessmentOut(Schema):
    ref: str
    line: LineRef
    trigger: str
    trigger_description: str
    status: str
    started_at: dt.datetime
    concluded_at: dt.datetime | None = None
    version: int


class ProductFindingOut(Schema):
    ref: str
    name: str
    findings: str = Field(description="该品种的评估数据与结论（仅该品种持有人可见）the product's findings")

    @staticmethod
    def resolve_ref(obj: Any) -> str:
        return obj.product.ref

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.product.name


class HoldingOut(ProductFindingOut):
    holder: OrganisationRef

    @staticmethod
    def resolve_holder(obj: Any) -> Any:
        return obj.product.holder


class CmoNoticeOut(Schema):
    id: int
    mah: OrganisationRef
    products: list[ProductFindingOut]
    other_products_count: int
    status: str
    sent_at: dt.datetime
    notified_to: str
    feedback: str
    feedback_at: dt.datetime | None = None
    response: str
    agreed_at: dt.datetime | None = None
    version: int


class ApprovalOut(Schema):
    mah: OrganisationRef
    decision: str
    note: str
    decided_at: dt.datetime


class CapaOut(Schema):
    id: int
    description: str
    due_on: dt.date
    status: str
    implemented_at: dt.datetime | None = None
    implementation_note: str
    effectiveness_note: str
    version: int


class CmoCapaOut(CapaOut):
    approvals: list[ApprovalOut]
    undecided: list[OrganisationRef] = Field(description="尚未审核的持有人 MAHs that have not reviewed it")
    rejected: list[OrganisationRef]


class AssessmentDetailOut(AssessmentOut):
    cmo: OrganisationRef
    change: str | None = Field(None, description="起因变更编号 the change that started it")
    conclusion: str
    controls: str
    products: list[HoldingOut]
    notices: list[CmoNoticeOut]
    capas: list[CmoCapaOut]
    close_problems: list[str]


def _capa_row(row: selectors.CapaRow) -> WithExtra:
    return WithExtra(row.capa, id=row.capa.pk, approvals=row.approvals, undecided=row.undecided, rejected=row.rejected)


def _assessment_detail(request: HttpRequest, ref: str) -> WithExtra:
    actor = actor_of(request)
    assessment = selectors.assessment_get(actor=actor, ref=ref)
    view = selectors.assessment_view(actor=actor, assessment=assessment)
    return WithExtra(
        assessment,
        cmo=view.cmo,
        change=assessment.change.ref if assessment.change_id else None,
        products=view.products,
        notices=[WithExtra(r.notice, id=r.notice.pk, products=r.products) for r in view.notices],
        capas=[_capa_row(r) for r in view.capas],
        close_problems=[f"{p.message_zh} / {p.message_en}" for p in view.close_problems],
    )


class RedactedCapaOut(Schema):
    id: int
    description: str
    due_on: dt.date
    status: str
    implemented_at: dt.datetime | None = None
    implementation_note: str
    effectiveness_note: str
    version: int
    own_decision: str = Field(description="贵司的审核意见（未审核为空）your own decision, empty until given")
    own_note: str
    own_decided_at: dt.datetime | None = None


class NoticeOut(Schema):
    """A notice as the notified MAH reads it: nothing of another holder."""

    ref: str = Field(description="共线风险评估编号 the assessment's ref")
    line: LineRef
    cmo_name: str
    trigger: str
    trigger_description: str
    change_ref: str = Field(description="起因变更（仅该变更的协议双方可见）the change, for its parties only")
    change_title: str
    assessment_status: str
    conclusion: str
    controls: str
    mah: OrganisationRef
    own_products: list[ProductFindingOut]
    other_products_count: int = Field(description="其他持有人的共线品种数 the others' products, counted")
    notice_id: int
    notice_status: str
    notice_version: int
    sent_at: dt.datetime
    feedback: str
    feedback_at: dt.datetime | None = None
    response: str
    agreed_at: dt.datetime | None = None
    capas: list[RedactedCapaOut]

    @staticmethod
    def resolve_line(obj: Any) -> dict[str, str]:
        return {"ref": obj.line_ref, "name": obj.line_name}

    @staticmethod
    def resolve_mah(obj: Any) -> dict[str, str]:
        return {"ref": obj.mah_ref, "name": obj.mah_name}


class NoticeSummaryOut(Schema):
    ref: str
    line: LineRef
    trigger: str
    status: str
    sent_at: dt.datetime
    mah: OrganisationRef

    @staticmethod
    def resolve_ref(obj: Any) -> str:
        return obj.assessment.ref

    @staticmethod
    def resolve_line(obj: Any) -> Any:
        return obj.assessment.line

    @staticmethod
    def resolve_trigger(obj: Any) -> str:
        return obj.assessment.trigger


class TimelineEntryOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    old: dict[str, Any]
    new: dict[str, Any]
    reason: str

    @staticmethod
    def resolve_old(obj: Any) -> dict[str, Any]:
        return json.loads(obj.old or "{}")

    @staticmethod
    def resolve_new(obj: Any) -> dict[str, Any]:
        return json.loads(obj.new or "{}")


# --- what the API accepts ---------------------------------------------------------------------------


class AssessmentFilter(PageQuery):
    status: AssessmentStatus | None = None


class NoticeFilter(PageQuery):
    status: NoticeStatus | None = None


class StartIn(Schema):
    line: Ref = Field(description="生产线编号 the line's ref")
    trigger: SharedLineTrigger
    description: text(LONG_TEXT) = Field(description="变化说明（所有被通报持有人可见）read by every notified MAH")


class FindingsIn(Schema):
    product: Ref = Field(description="品种编号 the product's ref")
    findings: text(LONG_TEXT)


class NotifyIn(Schema):
    conclusion: text(LONG_TEXT)
    controls: text(LONG_TEXT)
    expected_version: int | None = Version


class RespondIn(Schema):
    response: text(LONG_TEXT)
    expected_version: int | None = Version


class CapaIn(Schema):
    description: text(LONG_TEXT)
    due_on: dt.date


class ImplementIn(Schema):
    note: text(LONG_TEXT)
    expected_version: int | None = Version


class EffectivenessIn(Schema):
    effective: bool
    note: text(LONG_TEXT)
    expected_version: int | None = Version


class CloseIn(Schema):
    expected_version: int | None = Version


class FeedbackIn(Schema):
    feedback: text(LONG_TEXT)
    expected_version: int | None = Version


class AgreeIn(Schema):
    note: text(LONG_TEXT) = ""
    expected_version: int | None = Version


class DecisionIn(Schema):
    decision: Literal["approve", "reject"]
    note: text(LONG_TEXT) = Field("", description="不同意时必填 required to reject")


# --- the CMO's assessments --------------------------------------------------------------------------


@router.get(
    "/shared-line/assessments", response={200: page_of(AssessmentOut), **READ}, summary="共线风险评估列表 assessments"
)
def assessments(request: HttpRequest, filters: Query[AssessmentFilter]):
    """The assessments of the lines the caller sees whole (the CMO's own); an MAH reads its notices."""
    qs = selectors.assessment_list(actor=actor_of(request), status=filters.status.value if filters.status else "")
    return paginate(qs, filters)


@router.post("/shared-line/assessments", response={201: AssessmentDetailOut, **WRITE}, summary="发起共线风险评估 start")
def assessment_start(request: HttpRequest, payload: StartIn):
    actor = actor_of(request)
    line = registry.line_get(actor=actor, ref=payload.line)
    assessment = services.assessment_start(
        actor=actor, line=line, trigger=payload.trigger.value, description=payload.description
    )
    return Status(201, _assessment_detail(request, assessment.ref))


@router.get(
    "/shared-line/assessments/{ref}", response={200: AssessmentDetailOut, **READ}, summary="共线风险评估 assessment"
)
def assessment(request: HttpRequest, ref: str = RefPath):
    return _assessment_detail(request, ref)


def _assessment(request: HttpRequest, ref: str) -> SharedLineAssessment:
    return selectors.assessment_get(actor=actor_of(request), ref=ref)


@router.post(
    "/shared-line/assessments/{ref}/findings",
    response={200: AssessmentDetailOut, **WRITE},
    summary="品种评估数据 a product's findings",
)
def findings_set(request: HttpRequest, payload: FindingsIn, ref: str = RefPath):
    actor = actor_of(request)
    services.assessment_product_risk_set(
        actor=actor,
        assessment=_assessment(request, ref),
        product=registry.product_get(actor=actor, ref=payload.product),
        findings=payload.findings,
    )
    return _assessment_detail(request, ref)


@router.post(
    "/shared-line/assessments/{ref}/notify",
    response={200: AssessmentDetailOut, **WRITE},
    summary="通报所有共线持有人 notify every MAH",
)
def assessment_notify(request: HttpRequest, payload: NotifyIn, ref: str = RefPath):
    services.assessment_notify(
        actor=actor_of(request),
        assessment=_assessment(request, ref),
        conclusion=payload.conclusion,
        controls=payload.controls,
        expected_version=payload.expected_version,
    )
    return _assessment_detail(request, ref)


@router.post(
    "/shared-line/assessments/{ref}/notices/{notice_id}/response",
    response={200: AssessmentDetailOut, **WRITE},
    summary="答复持有人反馈 respond",
)
def notice_respond(request: HttpRequest, payload: RespondIn, ref: str = RefPath, notice_id: int = RecordId):
    services.notice_respond(
        actor=actor_of(request),
        notice=selectors.assessment_notice_get(
            actor=actor_of(request), assessment=_assessment(request, ref), notice_id=notice_id
        ),
        response=payload.response,
        expected_version=payload.expected_version,
    )
    return _assessment_detail(request, ref)


def _capa(request: HttpRequest, ref: str, capa_id: int) -> Capa:
    return selectors.assessment_capa_get(actor=actor_of(request), ref=ref, capa_id=capa_id)


@router.post(
    "/shared-line/assessments/{ref}/capas",
    response={201: AssessmentDetailOut, **WRITE},
    summary="新增纠正预防措施 add a CAPA",
)
def capa_add(request: HttpRequest, payload: CapaIn, ref: str = RefPath):
    services.assessment_capa_add(
        actor=actor_of(request),
        assessment=_assessment(request, ref),
        description=payload.description,
        due_on=payload.due_on,
    )
    return Status(201, _assessment_detail(request, ref))


@router.post(
    "/shared-line/assessments/{ref}/capas/{capa_id}/implement",
    response={200: AssessmentDetailOut, **WRITE},
    summary="措施已实施 implemented",
)
def capa_implement(request: HttpRequest, payload: ImplementIn, ref: str = RefPath, capa_id: int = RecordId):
    """Refused (409 ``capa_not_approved``) until every notified MAH approved the CAPA."""
    _assessment(request, ref)
    services.assessment_capa_implement(
        actor=actor_of(request),
        capa=_capa(request, ref, capa_id),
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _assessment_detail(request, ref)


@router.post(
    "/shared-line/assessments/{ref}/capas/{capa_id}/effectiveness",
    response={200: AssessmentDetailOut, **WRITE},
    summary="有效性确认 effectiveness check",
)
def capa_effectiveness(request: HttpRequest, payload: EffectivenessIn, ref: str = RefPath, capa_id: int = RecordId):
    _assessment(request, ref)
    services.assessment_capa_check(
        actor=actor_of(request),
        capa=_capa(request, ref, capa_id),
        effective=payload.effective,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _assessment_detail(request, ref)


@router.post(
    "/shared-line/assessments/{ref}/close", response={200: AssessmentDetailOut, **WRITE}, summary="关闭评估 close"
)
def assessment_close(request: HttpRequest, payload: CloseIn, ref: str = RefPath):
    services.assessment_close(
        actor=actor_of(request), assessment=_assessment(request, ref), expected_version=payload.expected_version
    )
    return _assessment_detail(request, ref)


@router.get(
    "/shared-line/assessments/{ref}/timeline",
    response={200: list[TimelineEntryOut], **READ},
    summary="评估时间线 timeline",
)
def assessment_timeline(request: HttpRequest, ref: str = RefPath):
    actor = actor_of(request)
    return selectors.assessment_trail(actor=actor, assessment=selectors.assessment_get(actor=actor, ref=ref))


# --- an MAH's notices ---------------------------------------------------------------------------------


@router.get("/shared-line/notices", response={200: page_of(NoticeSummaryOut), **READ}, summary="共线风险通报 notices")
def notices(request: HttpRequest, filters: Query[NoticeFilter]):
    """The notices sent to the caller's MAH organisations."""
    qs = selectors.notice_list(actor=actor_of(request), status=filters.status.value if filters.status else "")
    return paginate(qs, filters)


def _notice_view(request: HttpRequest, ref: str) -> selectors.RedactedNotice:
    return selectors.notice_view(actor=actor_of(request), assessment=ref)


@router.get("/shared-line/notices/{ref}", response={200: NoticeOut, **READ}, summary="共线风险通报 notice")
def notice(request: HttpRequest, ref: str = RefPath):
    """The assessment as notified to the caller's MAH: nothing of another holder."""
    return _notice_view(request, ref)


@router.post("/shared-line/notices/{ref}/feedback", response={200: NoticeOut, **WRITE}, summary="反馈意见 feedback")
def notice_feedback(request: HttpRequest, payload: FeedbackIn, ref: str = RefPath):
    actor = actor_of(request)
    services.notice_feedback(
        actor=actor,
        notice=selectors.notice_get(actor=actor, ref=ref),
        feedback=payload.feedback,
        expected_version=payload.expected_version,
    )
    return _notice_view(request, ref)


@router.post("/shared-line/notices/{ref}/agreement", response={200: NoticeOut, **WRITE}, summary="达成一致 agree")
def notice_agree(request: HttpRequest, payload: AgreeIn, ref: str = RefPath):
    """The MAH's QA or head of quality confirms agreement reached (after the CMO answered its feedback)."""
    actor = actor_of(request)
    services.notice_agree(
        actor=actor,
        notice=selectors.notice_get(actor=actor, ref=ref),
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _notice_view(request, ref)


@router.post(
    "/shared-line/notices/{ref}/capas/{capa_id}/decision",
    response={200: NoticeOut, **WRITE},
    summary="审核纠正预防措施 approve or reject a CAPA",
)
def capa_decide(request: HttpRequest, payload: DecisionIn, ref: str = RefPath, capa_id: int = RecordId):
    actor = actor_of(request)
    notice = selectors.notice_get(actor=actor, ref=ref)
    services.assessment_capa_decide(
        actor=actor,
        capa=_capa(request, ref, capa_id),
        approve=payload.decision == "approve",
        note=payload.note,
        mah=notice.mah,
    )
    return _notice_view(request, ref)


@router.get(
    "/shared-line/notices/{ref}/timeline",
    response={200: list[TimelineEntryOut], **READ},
    summary="通报时间线 timeline",
)
def notice_timeline(request: HttpRequest, ref: str = RefPath):
    """Entries about the caller's own notice and the shared parts only; never another MAH's."""
    actor = actor_of(request)
    return selectors.assessment_trail(actor=actor, assessment=selectors.notice_get(actor=actor, ref=ref).assessment)
