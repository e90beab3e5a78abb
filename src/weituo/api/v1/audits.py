"""Audits of the CMO by the MAH under /api/v1/audits (Notice 2025-134 arts. 13, 14): list, get, plan,
conduct, findings, report (multipart, with an optional report file), the CMO's CAPA for a finding and
the MAH's check of it, close, cancel, and each audit's timeline.

Reads through ``weituo.quality.selectors`` with the request's actor (an audit the caller may not see
is 404, exactly as one that does not exist — another MAH on a shared line learns nothing); writes
through ``weituo.quality.services``, which check who may act, validate, lock the row and ledger in
the same transaction. Writes take the ``expected_version`` the client showed: a stale one is 409, as
is an action the audit's status does not allow.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile as NinjaUploadedFile
from pydantic import Field

from weituo.contracts import selectors as contracts
from weituo.core.errors import NotFound
from weituo.core.i18n import messages
from weituo.integrity.stored_files import open_verified
from weituo.quality import selectors, services
from weituo.quality.choices import AuditMode, AuditStatus, FindingSeverity
from weituo.quality.models import Audit

from ..auth import actor_of
from ..errors import errors
from ..schemas import ContractRef, OrganisationRef, PageQuery, Ref, WithExtra, page_of, paginate, text
from .quality_schemas import TimelineEntryOut, user_name
from .registry import RefPath

router = Router(tags=["audits 对受托方的审核"])

READ = errors(401, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)
Version = Field(None, ge=1, le=2_147_483_647, description="客户端所见版本 the version the client showed (409 if stale)")
LONG_TEXT = 5000
RecordId = Path(..., ge=1, le=2**63 - 1, description="记录编号 the record's id")
# Dates a person could mean: the schema refuses the rest (a year 1 or 9999 date is a typo, not an audit).
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _date_field(description: str, default: Any = ...) -> Any:
    return Field(default, ge=EARLIEST, le=LATEST, description=description)


# --- output -----------------------------------------------------------------------------------------


class CapaOut(Schema):
    id: int
    description: str
    owner_party: str
    due_on: dt.date
    status: str
    implemented_at: dt.datetime | None = None
    implementation_note: str
    effectiveness_checked_at: dt.datetime | None = None
    effectiveness_note: str
    version: int


class FindingOut(Schema):
    id: int
    severity: str
    description: str
    reference: str
    response_due_on: dt.date
    capas: list[CapaOut] = Field(description="受托方的整改措施 the CMO's CAPA for this finding")

    @staticmethod
    def resolve_capas(obj: Any) -> Any:
        return getattr(obj, "capa_list", [])


class ReportOut(Schema):
    due_on: dt.date | None = Field(None, description="报告应完成日期 the report's due date")
    provisional: bool = Field(description="默认日期按未知年度的节假日暂定 the default date is provisional")
    overdue: bool = Field(description="已过应完成日期仍未出具 not written by its due date")
    late: bool = Field(description="逾期出具（已接受）written after its due date (accepted)")
    summary: str
    reported_at: dt.datetime | None = None
    reported_by: str | None = None
    file_name: str | None = None
    sha256: str


class AuditOut(Schema):
    ref: str
    contract: ContractRef
    mah: OrganisationRef
    cmo: OrganisationRef
    mode: str
    status: str
    planned_on: dt.date
    conducted_from: dt.date | None = None
    conducted_to: dt.date | None = None
    report_due_on: dt.date | None = None
    version: int

    @staticmethod
    def resolve_mah(obj: Any) -> Any:
        return obj.contract.mah

    @staticmethod
    def resolve_cmo(obj: Any) -> Any:
        return obj.contract.cmo


class AuditDetailOut(AuditOut):
    scope: str
    auditors: str
    report: ReportOut
    findings: list[FindingOut]
    close_problems: list[str] = Field(description="尚不能关闭的原因 what still prevents closing (reported audits)")
    closed_at: dt.datetime | None = None
    conclusion: str


class AuditFilter(PageQuery):
    contract: Ref | None = None
    status: AuditStatus | None = None
    mode: AuditMode | None = None


# --- input ------------------------------------------------------------------------------------------


class PlanIn(Schema):
    contract: Ref = Field(description="委托生产协议编号 the contract's ref")
    mode: AuditMode = Field(description="on_site 现场审核 / remote 非现场审核（须约定电子数据交换）")
    scope: text(LONG_TEXT, 1)
    auditors: text(300, 1)
    planned_on: dt.date = _date_field("计划日期 the planned date")


class ConductIn(Schema):
    conducted_from: dt.date = _date_field("实施开始日期 first day")
    conducted_to: dt.date = _date_field("实施结束日期 last day (not after today)")
    report_due_on: dt.date | None = _date_field(
        "报告应完成日期；为空则默认审核结束后 15 个工作日 report due date (default: 15 working days)", None
    )
    expected_version: int | None = Version


class FindingIn(Schema):
    severity: FindingSeverity
    description: text(LONG_TEXT, 1)
    reference: text(200) = ""
    response_due_on: dt.date = _date_field("整改应完成日期 the CMO's response due date")
    expected_version: int | None = Version


class ReportIn(Schema):
    summary: text(LONG_TEXT, 1) = Field(description="审核报告结论 the report's conclusion")
    expected_version: int | None = Version


class CapaIn(Schema):
    description: text(LONG_TEXT, 1)
    due_on: dt.date = _date_field("计划完成日期 due date")
    expected_version: int | None = Field(
        None, ge=1, le=2_147_483_647, description="审核的版本 the audit's version you saw (409 if stale)"
    )


class NoteIn(Schema):
    note: text(LONG_TEXT, 1)
    expected_version: int | None = Version


class CheckIn(NoteIn):
    effective: bool = Field(description="整改是否有效 whether the CAPA remedied the finding")


class ConclusionIn(Schema):
    conclusion: text(LONG_TEXT, 1)
    expected_version: int | None = Version


class ReasonIn(Schema):
    reason: text(LONG_TEXT, 1)
    expected_version: int | None = Version


# --- helpers ----------------------------------------------------------------------------------------


def _audit(request: HttpRequest, ref: str) -> Audit:
    return selectors.audit_get(actor=actor_of(request), ref=ref)


def _detail(request: HttpRequest, ref: str) -> WithExtra:
    actor = actor_of(request)
    audit = selectors.audit_get(actor=actor, ref=ref)
    state = selectors.report_state(audit=audit)
    problems = services.audit_close_problems(audit) if audit.status == AuditStatus.REPORTED else []
    report = {
        "due_on": state.due_on,
        "provisional": state.provisional,
        "overdue": state.overdue,
        "late": state.late,
        "summary": audit.report_summary,
        "reported_at": audit.reported_at,
        "reported_by": user_name(audit.reported_by),
        "file_name": audit.report_file.name.rsplit("/", 1)[-1] if audit.report_file else None,
        "sha256": audit.report_sha256,
    }
    return WithExtra(
        audit,
        report=report,
        findings=list(selectors.finding_list(actor=actor, audit=audit)),
        close_problems=[f"{p.message_zh} / {p.message_en}" for p in problems],
    )


# --- reads ------------------------------------------------------------------------------------------


@router.get("/audits", response={200: page_of(AuditOut), **READ}, summary="审核列表 audits")
def audits(request: HttpRequest, filters: Query[AuditFilter]):
    actor = actor_of(request)
    qs = selectors.audit_list(
        actor=actor,
        contract=contracts.contract_get(actor=actor, ref=filters.contract) if filters.contract else None,
        status=filters.status.value if filters.status else "",
        mode=filters.mode.value if filters.mode else "",
    )
    return paginate(qs, filters)


@router.get("/audits/{ref}", response={200: AuditDetailOut, **READ}, summary="审核 audit")
def audit(request: HttpRequest, ref: str = RefPath):
    """The audit with its report (due date, provisional / overdue / late), findings and their CAPA."""
    return _detail(request, ref)


@router.get(
    "/audits/{ref}/report/file",
    response={**READ, **errors(409)},
    summary="下载审核报告 download the report file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "报告文件 the report file",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def audit_report_file(request: HttpRequest, ref: str = RefPath):
    """The report file as stored (an attachment, ``application/octet-stream``), its SHA-256 in the
    ``ETag``. 404 for an audit the caller may not see or one without a report file, and
    ``file_missing`` for a file missing from storage (the record and its SHA-256 remain); 409
    ``file_altered`` for a file that no longer matches its recorded SHA-256 (never served)."""
    audit = _audit(request, ref)
    if not audit.report_file:
        raise NotFound(
            code="no_report_file",
            **messages(gettext_lazy("this audit has no report file")),
        )
    handle = open_verified(audit.report_file, audit.report_sha256, what=gettext_lazy("audit report"), ref=audit.ref)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(audit.report_file.name),
        content_type="application/octet-stream",
    )
    response["ETag"] = f'"{audit.report_sha256}"'
    return response


@router.get("/audits/{ref}/timeline", response={200: list[TimelineEntryOut], **READ}, summary="审核时间线 timeline")
def audit_timeline(request: HttpRequest, ref: str = RefPath):
    """Every ledger entry of the audit, its findings and their CAPA, oldest first."""
    actor = actor_of(request)
    return selectors.audit_trail(actor=actor, audit=selectors.audit_get(actor=actor, ref=ref))


# --- writes -----------------------------------------------------------------------------------------


@router.post("/audits", response={201: AuditDetailOut, **WRITE}, summary="计划审核 plan an audit")
def audit_plan(request: HttpRequest, payload: PlanIn):
    """A writer of the contract's MAH plans an audit of its CMO. ``remote`` is refused (403
    ``remote_audit_not_allowed``) unless the quality agreement in force on ``planned_on`` agrees
    electronic data exchange, and (403 ``remote_audit_replaces_part_only``) unless the contract has
    an on-site audit: art. 14 lets a remote audit replace only part of the on-site audits."""
    actor = actor_of(request)
    audit = services.audit_plan(
        actor=actor,
        contract=contracts.contract_get(actor=actor, ref=payload.contract),
        mode=payload.mode.value,
        scope=payload.scope,
        auditors=payload.auditors,
        planned_on=payload.planned_on,
    )
    return Status(201, _detail(request, audit.ref))


@router.post("/audits/{ref}/conduct", response={200: AuditDetailOut, **WRITE}, summary="登记实施 conducted")
def audit_conduct(request: HttpRequest, payload: ConductIn, ref: str = RefPath):
    """The MAH records the audit's dates; the report is due on ``report_due_on`` or, by default,
    15 working days after the last day (art. 13 says "promptly", without a number)."""
    services.audit_conduct(
        actor=actor_of(request),
        audit=_audit(request, ref),
        conducted_from=payload.conducted_from,
        conducted_to=payload.conducted_to,
        report_due_on=payload.report_due_on,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/audits/{ref}/findings", response={201: AuditDetailOut, **WRITE}, summary="登记审核发现 add a finding")
def finding_add(request: HttpRequest, payload: FindingIn, ref: str = RefPath):
    """The MAH records a finding of a conducted audit, before its report."""
    services.audit_finding_add(
        actor=actor_of(request),
        audit=_audit(request, ref),
        severity=payload.severity.value,
        description=payload.description,
        reference=payload.reference,
        response_due_on=payload.response_due_on,
        expected_version=payload.expected_version,
    )
    return Status(201, _detail(request, ref))


@router.post("/audits/{ref}/report", response={200: AuditDetailOut, **WRITE}, summary="出具审核报告 report")
def audit_report(
    request: HttpRequest,
    payload: Form[ReportIn],
    file: File[NinjaUploadedFile] = None,
    ref: str = RefPath,
):
    """``multipart/form-data``: ``summary``, ``expected_version`` and optionally ``file`` (PDF, OFD or
    Word, at most 50 MB, stored with its SHA-256). A refused file leaves no change, no stored file
    and no ledger entry (422 naming ``file``). A report after its due date is accepted and shown late."""
    upload: UploadedFile | None = file
    services.audit_report(
        actor=actor_of(request),
        audit=_audit(request, ref),
        summary=payload.summary,
        file=upload,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post(
    "/audits/{ref}/findings/{finding}/capas",
    response={201: AuditDetailOut, **WRITE},
    summary="制定整改措施 add a CAPA",
)
def capa_add(request: HttpRequest, payload: CapaIn, finding: int = RecordId, ref: str = RefPath):
    """The CMO's corrective or preventive action for a finding (``expected_version``: the audit's)."""
    actor = actor_of(request)
    audit = _audit(request, ref)
    services.finding_capa_add(
        actor=actor,
        finding=selectors.finding_get(actor=actor, audit=audit, pk=finding),
        description=payload.description,
        due_on=payload.due_on,
        expected_version=payload.expected_version,
    )
    return Status(201, _detail(request, ref))


@router.post(
    "/audits/{ref}/capas/{capa}/implement",
    response={200: AuditDetailOut, **WRITE},
    summary="整改措施已实施 CAPA implemented",
)
def capa_implement(request: HttpRequest, payload: NoteIn, capa: int = RecordId, ref: str = RefPath):
    """The CMO reports a finding's CAPA done (``expected_version``: the CAPA's)."""
    actor = actor_of(request)
    services.finding_capa_implement(
        actor=actor,
        capa=selectors.finding_capa_get(actor=actor, audit=_audit(request, ref), pk=capa),
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post(
    "/audits/{ref}/capas/{capa}/check",
    response={200: AuditDetailOut, **WRITE},
    summary="整改有效性确认 CAPA effectiveness",
)
def capa_check(request: HttpRequest, payload: CheckIn, capa: int = RecordId, ref: str = RefPath):
    """QA or the head of quality of the MAH records whether the CAPA was effective."""
    actor = actor_of(request)
    services.finding_capa_check(
        actor=actor,
        capa=selectors.finding_capa_get(actor=actor, audit=_audit(request, ref), pk=capa),
        effective=payload.effective,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/audits/{ref}/close", response={200: AuditDetailOut, **WRITE}, summary="关闭审核 close")
def audit_close(request: HttpRequest, payload: ConclusionIn, ref: str = RefPath):
    """The MAH closes a reported audit once every finding has a CAPA checked effective (else 422,
    each finding in ``details``)."""
    services.audit_close(
        actor=actor_of(request),
        audit=_audit(request, ref),
        conclusion=payload.conclusion,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/audits/{ref}/cancel", response={200: AuditDetailOut, **WRITE}, summary="取消审核 cancel")
def audit_cancel(request: HttpRequest, payload: ReasonIn, ref: str = RefPath):
    """The MAH cancels a planned audit, with its reason."""
    services.audit_cancel(
        actor=actor_of(request),
        audit=_audit(request, ref),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)
