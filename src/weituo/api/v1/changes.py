"""Change control under /api/v1/changes (Notice 2025-134 art. 9, with art. 11 and art. 8): list,
get, propose, classify, decide, filing, implement, close, withdraw, and each change's timeline.

Reads through ``weituo.quality.selectors`` with the request's actor (a change the caller may not see
is 404, exactly as one that does not exist — another MAH on a shared line learns nothing); writes
through ``weituo.quality.services``, which check who may act, validate, lock the row and ledger in
the same transaction. Every write takes the ``expected_version`` the client showed: a stale one is
409, as is an action the change's status does not allow (implementing before the MAH's approval, or
before the regulator's approval or the filing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from weituo.contracts import selectors as contracts
from weituo.core.roles import Party
from weituo.quality import selectors, services
from weituo.quality.choices import ChangeClass, ChangeStatus, FilingStatus, RegulatoryPath
from weituo.quality.models import Change
from weituo.registry import selectors as registry

from ..auth import actor_of
from ..errors import errors
from ..schemas import ContractRef, LineRef, PageQuery, ProductRef, Ref, Search, WithExtra, page_of, paginate, text
from .quality_schemas import ObligationOut, TimelineEntryOut, user_name
from .registry import RefPath

router = Router(tags=["changes 变更控制"])

READ = errors(401, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)
Version = Field(None, ge=1, le=2_147_483_647, description="客户端所见版本 the version the client showed (409 if stale)")


# --- output -----------------------------------------------------------------------------------------


class ClassificationOut(Schema):
    change_class: str = Field(description="major / moderate / minor，未定类为空 empty until classified")
    regulatory_path: str = Field(description="approval / filing / report")
    rationale: str
    classified_by: str | None = None
    classified_at: dt.datetime | None = None


class ChangeOut(Schema):
    ref: str
    contract: ContractRef
    title: str
    status: str
    proposed_by_party: str
    proposed_at: dt.datetime
    change_class: str = Field(description="执行的变更类别（双方较高者）the governing class, the higher of both")
    regulatory_path: str = Field(description="执行的管理类别（双方较高者）the governing path, the higher of both")
    filing_status: str
    implemented_on: dt.date | None = None
    version: int


class AssessmentRefOut(Schema):
    ref: str
    line: LineRef
    trigger: str
    status: str


class ActionsOut(Schema):
    """What the caller may do now (the services check again)."""

    classify_as: list[str]
    decide: bool
    filing_steps: list[str]
    implement: bool
    close: bool
    withdraw: bool


class ChangeDetailOut(ChangeOut):
    description: str
    products: list[ProductRef]
    lines: list[LineRef]
    proposed_by: str | None = None
    mah: ClassificationOut
    cmo: ClassificationOut
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    decision_note: str
    filing_reference: str
    filing_submitted_on: dt.date | None = None
    filing_concluded_on: dt.date | None = None
    implemented_by: str | None = None
    implementation_note: str
    closed_at: dt.datetime | None = None
    conclusion: str
    obligations: list[ObligationOut] = Field(description="第十一条留样及稳定性考察义务 the art. 11 obligations")
    assessments: list[AssessmentRefOut] = Field(description="由此发起的共线风险评估 shared-line assessments (art. 8)")
    actions: ActionsOut


def _classification(change: Change, party: str) -> dict[str, Any]:
    return {
        "change_class": getattr(change, f"{party}_class"),
        "regulatory_path": getattr(change, f"{party}_path"),
        "rationale": getattr(change, f"{party}_rationale"),
        "classified_by": user_name(getattr(change, f"{party}_classified_by")),
        "classified_at": getattr(change, f"{party}_classified_at"),
    }


def _detail(request: HttpRequest, ref: str) -> WithExtra:
    actor = actor_of(request)
    change = selectors.change_get(actor=actor, ref=ref)
    actions = selectors.change_actions(actor=actor, change=change)
    return WithExtra(
        change,
        products=list(selectors.change_products(actor=actor, change=change)),
        lines=list(selectors.change_lines(actor=actor, change=change)),
        proposed_by=user_name(change.proposed_by),
        mah=_classification(change, Party.MAH),
        cmo=_classification(change, Party.CMO),
        decided_by=user_name(change.decided_by),
        implemented_by=user_name(change.implemented_by),
        obligations=list(selectors.change_obligations(actor=actor, change=change)),
        assessments=list(selectors.change_assessments(actor=actor, change=change)),
        actions={
            "classify_as": actions.classify_as,
            "decide": actions.decide,
            "filing_steps": actions.filing_steps,
            "implement": actions.implement,
            "close": actions.close,
            "withdraw": actions.withdraw,
        },
    )


# --- input ------------------------------------------------------------------------------------------


class ChangeFilter(PageQuery):
    contract: Ref | None = None
    product: Ref | None = None
    status: ChangeStatus | None = None
    change_class: ChangeClass | None = None
    search: Search = Field("", description="编号或标题 ref or title")


class ProposeIn(Schema):
    contract: Ref
    products: list[Ref] = Field(min_length=1, max_length=50, description="涉及的委托品种 the contract's products")
    lines: list[Ref] = Field([], max_length=50, description="涉及的受托方生产线 lines of the contract's CMO")
    title: text(200)
    description: text(10_000)
    trigger: str = Field(
        "formula_or_process_change",
        max_length=30,
        description="共线条件变化（第八条）formula_or_process_change / equipment_change / other_major_change",
    )
    party: Party | None = Field(None, description="仅当本人同时代表双方时填写 only for a user writing for both")
    ref: Ref | None = None


class ClassifyIn(Schema):
    change_class: ChangeClass
    regulatory_path: RegulatoryPath
    rationale: text(5_000)
    party: Party | None = None
    expected_version: int | None = Version


class DecideIn(Schema):
    approve: bool
    note: text(5_000)
    expected_version: int | None = Version


class FilingIn(Schema):
    to: FilingStatus = Field(description="submitted / accepted / refused / in_annual_report")
    on: dt.date | None = Field(None, description="申报或结论日期（默认今天）the date (today by default)")
    reference: text(100) = ""
    expected_version: int | None = Version


class ImplementIn(Schema):
    on: dt.date = Field(description="实施日期 the implementation date")
    note: text(5_000)
    expected_version: int | None = Version


class ConclusionIn(Schema):
    conclusion: text(5_000)
    expected_version: int | None = Version


class ReasonIn(Schema):
    reason: text(5_000)
    expected_version: int | None = Version


# --- endpoints -------------------------------------------------------------------------------------


@router.get("/changes", response={200: page_of(ChangeOut), **READ}, summary="变更列表 changes")
def changes(request: HttpRequest, filters: Query[ChangeFilter]):
    """The changes the caller may see, newest first."""
    actor = actor_of(request)
    qs = selectors.change_list(
        actor=actor,
        contract=contracts.contract_get(actor=actor, ref=filters.contract) if filters.contract else None,
        product=registry.product_get(actor=actor, ref=filters.product) if filters.product else None,
        status=filters.status.value if filters.status else "",
        change_class=filters.change_class.value if filters.change_class else "",
        search=filters.search,
    )
    return paginate(qs, filters)


@router.get("/changes/{ref}", response={200: ChangeDetailOut, **READ}, summary="变更 change")
def change(request: HttpRequest, ref: str = RefPath):
    """Both parties' classifications and the governing one, the decision, the filing, the
    implementation, the art. 11 obligations, the assessments it started and what the caller may do."""
    return _detail(request, ref)


@router.post("/changes", response={201: ChangeDetailOut, **WRITE}, summary="提出变更 propose a change")
def change_propose(request: HttpRequest, payload: ProposeIn):
    """Either party proposes a change of products of the contract, possibly naming lines of its CMO;
    a line on which more than one product is made starts a shared-line assessment (art. 8)."""
    actor = actor_of(request)
    contract = contracts.contract_get(actor=actor, ref=payload.contract)
    created = services.change_propose(
        actor=actor,
        contract=contract,
        products=[registry.product_get(actor=actor, ref=r) for r in dict.fromkeys(payload.products)],
        lines=[registry.line_get(actor=actor, ref=r) for r in dict.fromkeys(payload.lines)],
        title=payload.title,
        description=payload.description,
        trigger=payload.trigger,
        party=payload.party.value if payload.party else None,
        ref=payload.ref,
    )
    return Status(201, _detail(request, created.ref))


def _change(request: HttpRequest, ref: str) -> Change:
    return selectors.change_get(actor=actor_of(request), ref=ref)


@router.post("/changes/{ref}/classification", response={200: ChangeDetailOut, **WRITE}, summary="定类 classify")
def change_classify(request: HttpRequest, payload: ClassifyIn, ref: str = RefPath):
    """The caller's party records its class, regulatory path and rationale; once both have, the
    higher of each governs (art. 9). Revisable until the MAH decides (then 409)."""
    services.change_classify(
        actor=actor_of(request),
        change=_change(request, ref),
        change_class=payload.change_class.value,
        regulatory_path=payload.regulatory_path.value,
        rationale=payload.rationale,
        party=payload.party.value if payload.party else None,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/changes/{ref}/decision", response={200: ChangeDetailOut, **WRITE}, summary="持有人批准 decide")
def change_decide(request: HttpRequest, payload: DecideIn, ref: str = RefPath):
    """The MAH's QA or head of quality approves or rejects a classified change, with a note."""
    services.change_decide(
        actor=actor_of(request),
        change=_change(request, ref),
        approve=payload.approve,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/changes/{ref}/filing", response={200: ChangeDetailOut, **WRITE}, summary="申报登记 filing")
def change_filing(request: HttpRequest, payload: FilingIn, ref: str = RefPath):
    """The MAH records the regulatory step: approval path submitted → accepted/refused; filing path
    submitted → accepted; report path in_annual_report."""
    services.change_filing_record(
        actor=actor_of(request),
        change=_change(request, ref),
        to=payload.to.value,
        on=payload.on,
        reference=payload.reference,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/changes/{ref}/implementation", response={200: ChangeDetailOut, **WRITE}, summary="实施 implement")
def change_implement(request: HttpRequest, payload: ImplementIn, ref: str = RefPath):
    """The CMO records the change implemented: 409 before the MAH's approval, before the regulator's
    approval (approval path) or before the filing (filing path). A major change creates the art. 11
    obligations of the first three batches made since."""
    services.change_implement(
        actor=actor_of(request),
        change=_change(request, ref),
        on=payload.on,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/changes/{ref}/close", response={200: ChangeDetailOut, **WRITE}, summary="关闭 close")
def change_close(request: HttpRequest, payload: ConclusionIn, ref: str = RefPath):
    """The MAH closes an implemented change with its conclusion."""
    services.change_close(
        actor=actor_of(request),
        change=_change(request, ref),
        conclusion=payload.conclusion,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/changes/{ref}/withdraw", response={200: ChangeDetailOut, **WRITE}, summary="撤回 withdraw")
def change_withdraw(request: HttpRequest, payload: ReasonIn, ref: str = RefPath):
    """The proposing party withdraws the change before it is implemented, with its reason."""
    services.change_withdraw(
        actor=actor_of(request),
        change=_change(request, ref),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.get("/changes/{ref}/timeline", response={200: list[TimelineEntryOut], **READ}, summary="变更时间线 timeline")
def change_timeline(request: HttpRequest, ref: str = RefPath):
    """Every ledger entry of the change and of the obligations it caused, oldest first."""
    actor = actor_of(request)
    return selectors.change_trail(actor=actor, change=selectors.change_get(actor=actor, ref=ref))
