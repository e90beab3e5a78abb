"""Batches under /api/v1: the batch, its release package (files and structured results), the
two-step release (factory release by the CMO's QP, market release by the MAH's QP, Notice 2025-134
art. 12) and the batch's timeline.

Reads through ``weituo.batches.selectors`` (a batch or a file the caller may not see is 404, as one
that does not exist); writes through ``weituo.batches.services``. The release services are called
here outside any transaction (django-ninja opens none and ``ATOMIC_REQUESTS`` is off): a refused
release then leaves its ``release_refused`` ledger entry, as the services' docstring requires.

Release statuses: 200 released; 403 not the right QP, or the signature refused (wrong password —
the signer was not confirmed, so the act is not allowed); 409 blocked by what is still open or
missing (``release_blocked``, every reason in ``details``), already released (``already_released``)
or a stale ``expected_version`` (``stale_record``); 422 a missing or malformed field. Every refused
attempt past the request's schema is in the ledger.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile as NinjaUploadedFile
from pydantic import Field

from weituo.accounts.reauth import lockout_counted
from weituo.batches import selectors, services
from weituo.batches.choices import BatchStatus, DocumentKind, ReleaseStep
from weituo.batches.models import Batch
from weituo.batches.permissions import next_release_step
from weituo.contracts import selectors as contracts
from weituo.integrity.stored_files import open_verified
from weituo.quality import selectors as quality
from weituo.registry import selectors as registry

from ..auth import actor_of
from ..errors import ErrorDetailOut, errors
from ..schemas import ContractRef, LineRef, PageQuery, ProductRef, Ref, Volume, WithExtra, page_of, paginate, text
from .quality_schemas import TimelineEntryOut, user_name
from .registry import RefPath

router = Router(tags=["batches 批次与放行"])

READ = errors(401, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)
RecordId = Path(..., ge=1, le=2**63 - 1, description="记录编号 the record's id")
Version = Field(None, ge=1, le=2_147_483_647, description="您看到的批次版本（过期则 409）the batch version you saw")


# --- schemas -----------------------------------------------------------------------------------------


class BatchOut(Schema):
    ref: str
    number: str
    product: ProductRef
    contract: ContractRef
    line: LineRef
    manufactured_on: dt.date
    expiry_on: dt.date
    quantity: Decimal
    quantity_unit: str
    status: str
    version: int


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    filename: str
    size: int
    sha256: str
    event: str | None = Field(None, description="所记录的偏差 the deviation it records")
    added_by: str | None = None
    added_at: dt.datetime

    @staticmethod
    def resolve_filename(obj: Any) -> str:
        return os.path.basename(obj.file.name)

    @staticmethod
    def resolve_event(obj: Any) -> str | None:
        return obj.event.ref if obj.event_id else None

    @staticmethod
    def resolve_added_by(obj: Any) -> str | None:
        return user_name(obj.added_by)

    @staticmethod
    def resolve_added_at(obj: Any) -> dt.datetime:
        return obj.created_at


class ResultOut(Schema):
    id: int
    test_name: str
    specification: str
    result: str
    passed: bool
    entered_by: str | None = None

    @staticmethod
    def resolve_entered_by(obj: Any) -> str | None:
        return user_name(obj.entered_by)


class SignatureOut(Schema):
    signer: str
    meaning: str
    meaning_label: str
    signed_at: dt.datetime
    valid: bool = Field(description="签名后记录未被修改 the record is unchanged since it was signed")


class DecisionOut(Schema):
    step: str
    decided_by: str | None = None
    decided_at: dt.datetime
    package_digest: str = Field(description="放行时放行资料的 SHA-256 the release package's digest when signed")
    signatures: list[SignatureOut]

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return user_name(obj.decided_by)


class PackageOut(Schema):
    complete: bool
    missing: list[ErrorDetailOut]


class BatchDetailOut(BatchOut):
    theoretical_quantity: Decimal | None = None
    factory_released_at: dt.datetime | None = None
    market_released_at: dt.datetime | None = None
    rejected_at: dt.datetime | None = None
    rejected_by: str | None = None
    rejection_reason: str
    documents: list[DocumentOut]
    results: list[ResultOut]
    decisions: list[DecisionOut] = Field(description="放行决定及其电子签名 the releases as signed")
    package: PackageOut
    next_step: str | None = Field(None, description="下一步放行：factory、market 或 null the next release step")
    blockers: list[ErrorDetailOut] = Field(description="阻止下一步放行的事项 what prevents the next step")
    factory_blockers: list[ErrorDetailOut]
    market_blockers: list[ErrorDetailOut]

    @staticmethod
    def resolve_rejected_by(obj: Any) -> str | None:
        return user_name(obj.rejected_by)


class BatchFilter(PageQuery):
    contract: Ref | None = None
    product: Ref | None = None
    status: BatchStatus | None = None


class BatchIn(Schema):
    contract: Ref
    product: Ref
    line: Ref
    number: text(60, 1)
    manufactured_on: dt.date
    expiry_on: dt.date
    quantity: Volume
    quantity_unit: text(30, 1)
    theoretical_quantity: Volume | None = None
    ref: Ref | None = Field(None, description="编号（缺省自动生成）the ref (generated if absent)")


class ResultIn(Schema):
    test_name: text(200, 1)
    specification: text(300, 1)
    result: text(300, 1)
    passed: bool


class DocumentIn(Schema):
    kind: DocumentKind
    title: text(200, 1)
    event: Ref | None = Field(None, description="偏差调查记录所记录的偏差编号 for a deviation record: the event's ref")


class SigningOut(Schema):
    signing_token: str = Field(description="签名会话令牌，随签名提交 the session token to send with the signature")
    expires_at: dt.datetime = Field(description="会话到期时间（此后签名被拒绝）when the session expires")
    package_digest: str = Field(description="放行资料的 SHA-256 the SHA-256 of the package as it is now")
    blockers: list[ErrorDetailOut]


class ReleaseIn(Schema):
    password: str = Field(min_length=1, max_length=256, description="签名人重新输入的密码 the signer's password")
    signing_token: str = Field(
        max_length=200,
        description="GET …/releases/{step}/signing 给出的签名会话令牌（过期则 403 signing_expired）"
        " the token of the signing session",
    )
    reason: text(500) = ""
    expected_version: int | None = Version


class RejectIn(Schema):
    reason: text(2000, 1)
    expected_version: int | None = Version


# --- reads -----------------------------------------------------------------------------------------------


def _detail(request: HttpRequest, ref: str) -> WithExtra:
    actor = actor_of(request)
    batch = selectors.batch_get(actor=actor, ref=ref)
    package = selectors.release_package(actor=actor, batch=batch)
    step = next_release_step(batch)
    blockers = {ReleaseStep.FACTORY: package.factory_blockers, ReleaseStep.MARKET: package.market_blockers}
    return WithExtra(
        batch,
        documents=package.documents,
        results=package.results,
        decisions=[
            WithExtra(d["decision"], signatures=d["signatures"])
            for d in selectors.release_decisions(actor=actor, batch=batch)
        ],
        package={"complete": package.complete, "missing": package.missing},
        next_step=step or None,
        blockers=blockers[step] if step else [],
        factory_blockers=package.factory_blockers,
        market_blockers=package.market_blockers,
    )


def _batch(request: HttpRequest, ref: str) -> Batch:
    return selectors.batch_get(actor=actor_of(request), ref=ref)


@router.get("/batches", response={200: page_of(BatchOut), **READ}, summary="批次列表 batches")
def batches(request: HttpRequest, filters: Query[BatchFilter]):
    actor = actor_of(request)
    qs = selectors.batch_list(
        actor=actor,
        contract=contracts.contract_get(actor=actor, ref=filters.contract) if filters.contract else None,
        product=registry.product_get(actor=actor, ref=filters.product) if filters.product else None,
        status=filters.status.value if filters.status else "",
    )
    return paginate(qs, filters)


@router.get("/batches/{ref}", response={200: BatchDetailOut, **READ}, summary="批次及放行资料 batch")
def batch(request: HttpRequest, ref: str = RefPath):
    """The batch with its release package (files, structured results), the signed release decisions
    (signer, time, meaning, still valid), and what still blocks each release step."""
    return _detail(request, ref)


@router.get("/batches/{ref}/timeline", response={200: list[TimelineEntryOut], **READ}, summary="批次时间线 timeline")
def batch_timeline(request: HttpRequest, ref: str = RefPath):
    """Every ledger entry of the batch, its package and its release decisions, refused release
    attempts (``release_refused``) included, oldest first."""
    actor = actor_of(request)
    return selectors.batch_trail(actor=actor, batch=selectors.batch_get(actor=actor, ref=ref))


@router.get(
    "/batches/{ref}/documents/{document_id}",
    response={**READ, **errors(409)},
    summary="下载放行资料 download a file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "文件内容 the file",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def document_download(request: HttpRequest, ref: str = RefPath, document_id: int = RecordId):
    """The file as stored (always as an attachment, ``application/octet-stream``); its SHA-256 in
    the ``ETag``. A file of a batch the caller may not see is 404; a file missing from storage is 404
    ``file_missing`` (the record and its SHA-256 remain); a file that no longer matches its recorded
    SHA-256 is 409 ``file_altered`` (possible tampering: never served)."""
    actor = actor_of(request)
    batch = selectors.batch_get(actor=actor, ref=ref)
    document = selectors.release_document_get(actor=actor, batch=batch, pk=document_id)
    response = FileResponse(
        open_verified(
            document.file,
            document.sha256,
            what=gettext_lazy("release document"),
            ref=f"{batch.ref}#{document.pk}",
        ),
        as_attachment=True,
        filename=os.path.basename(document.file.name),
        content_type="application/octet-stream",
    )
    response["ETag"] = f'"{document.sha256}"'
    return response


# --- writes ----------------------------------------------------------------------------------------------


@router.post("/batches", response={201: BatchDetailOut, **WRITE}, summary="登记批次 create a batch")
def batch_create(request: HttpRequest, payload: BatchIn):
    """A writer of the contract's CMO records a batch (awaiting release); the batch number is unique per product."""
    actor = actor_of(request)
    batch = services.batch_create(
        actor=actor,
        contract=contracts.contract_get(actor=actor, ref=payload.contract),
        product=registry.product_get(actor=actor, ref=payload.product),
        line=registry.line_get(actor=actor, ref=payload.line),
        number=payload.number,
        ref=payload.ref,
        manufactured_on=payload.manufactured_on,
        expiry_on=payload.expiry_on,
        quantity=payload.quantity,
        quantity_unit=payload.quantity_unit,
        theoretical_quantity=payload.theoretical_quantity,
    )
    return Status(201, _detail(request, batch.ref))


@router.post("/batches/{ref}/results", response={201: ResultOut, **WRITE}, summary="登记检验结果 add a result")
def result_add(request: HttpRequest, payload: ResultIn, ref: str = RefPath):
    """One structured result of the batch test record (the CMO, before the factory release)."""
    result = services.batch_result_add(actor=actor_of(request), batch=_batch(request, ref), **payload.model_dump())
    return Status(201, result)


@router.post("/batches/{ref}/documents", response={201: DocumentOut, **WRITE}, summary="上传放行资料 upload a file")
def document_add(
    request: HttpRequest,
    payload: Form[DocumentIn],
    file: File[NinjaUploadedFile],
    ref: str = RefPath,
):
    """``multipart/form-data``: ``kind``, ``title``, ``file`` and, for a deviation record, ``event``
    (the deviation's ref). PDF, OFD, Word, Excel, CSV, XML, JPEG or PNG, at most 50 MB; a refused
    file leaves no row, no stored file and no ledger entry (422 naming ``file``)."""
    actor = actor_of(request)
    upload: UploadedFile = file
    document = services.release_document_add(
        actor=actor,
        batch=_batch(request, ref),
        kind=payload.kind.value,
        title=payload.title,
        file=upload,
        event=quality.event_get(actor=actor, ref=payload.event) if payload.event else None,
    )
    return Status(201, document)


@router.get(
    "/batches/{ref}/releases/{step}/signing",
    response={200: SigningOut, **READ},
    summary="开始签署放行 open a signing session",
)
def release_signing(request: HttpRequest, step: ReleaseStep, ref: str = RefPath):
    """The package as the QP signs it now (digest, blockers of this step) and the token of a signing
    session: send it with the signature within the signing window."""
    actor = actor_of(request)
    batch = selectors.batch_get(actor=actor, ref=ref)
    session = selectors.batch_signing_open(actor=actor, batch=batch, step=step.value)
    package = selectors.release_package(actor=actor, batch=batch)
    return {
        "signing_token": session.token,
        "expires_at": session.expires_at,
        "package_digest": selectors.release_package_digest(actor=actor, batch=batch),
        "blockers": package.factory_blockers if step == ReleaseStep.FACTORY else package.market_blockers,
    }


RELEASE_DOC = """

First ``GET /batches/{ref}/releases/{step}/signing``: the package as it is now and a signing token;
then within the signing window (``WEITUO_SIGNING_WINDOW_SECONDS``, 5 minutes by default) this call
with ``password`` (re-entered: the electronic signature, meaning "released"), ``signing_token``,
``reason``, ``expected_version`` (the batch version you reviewed). An expired or foreign token is
refused (403 ``signing_expired``) before the password is checked. 403: not the QP of the right organisation,
or the signature refused (``signature_refused``: wrong password; ``signature_locked_out``: the
failures, counted with failed logins, locked the account for the cool-off time). 409: blocked
(``release_blocked``: every open deviation/OOS and missing record in ``details``), already released
(``already_released``), a rejected batch, or a stale version. Every refused attempt is ledgered
(``release_refused`` in the batch timeline)."""


@router.post(
    "/batches/{ref}/factory-release",
    response={200: BatchDetailOut, **WRITE},
    summary="出厂放行 factory release",
    description="A QP of the contract's CMO signs the factory (device: production) release." + RELEASE_DOC,
)
def factory_release(request: HttpRequest, payload: ReleaseIn, ref: str = RefPath):
    services.batch_factory_release(
        actor=actor_of(request),
        batch=_batch(request, ref),
        password=payload.password,
        signing_token=payload.signing_token,
        reason=payload.reason,
        check_password=lockout_counted(request),
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post(
    "/batches/{ref}/market-release",
    response={200: BatchDetailOut, **WRITE},
    summary="上市放行 market release",
    description="A QP of the product's MAH (device: registrant) signs the market release, after the factory release."
    + RELEASE_DOC,
)
def market_release(request: HttpRequest, payload: ReleaseIn, ref: str = RefPath):
    services.batch_market_release(
        actor=actor_of(request),
        batch=_batch(request, ref),
        password=payload.password,
        signing_token=payload.signing_token,
        reason=payload.reason,
        check_password=lockout_counted(request),
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/batches/{ref}/reject", response={200: BatchDetailOut, **WRITE}, summary="不予放行 reject")
def batch_reject(request: HttpRequest, payload: RejectIn, ref: str = RefPath):
    """The QP whose step is next (the CMO's before the factory release, the holder's after it)
    decides not to release, with the reason. 409 once market released or already rejected."""
    services.batch_reject(
        actor=actor_of(request),
        batch=_batch(request, ref),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)
