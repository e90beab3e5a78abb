"""The technology-transfer workflow under /api/v1 (Notice 2025-134 art. 4): start a transfer, appoint
the CMO's lead and working group, record each step by its party and in order, complete it, and raise a
risk that is then controlled or stops the cooperation.

The list and the plain record (``GET /tech-transfers``, ``GET /tech-transfers/{ref}``) are in
``contracts``; here ``GET /tech-transfers/{ref}/progress`` gives the workflow's view: the state, every
step with whose it is and its record, and the risks. Reads through the contracts selectors, writes
through ``weituo.contracts.tech_transfer``; a transfer the caller may not see is 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from weituo.contracts import selectors
from weituo.contracts import tech_transfer as services
from weituo.contracts.choices import TransferStep
from weituo.contracts.models import TechTransfer
from weituo.core.roles import Party
from weituo.registry import selectors as registry

from ..auth import actor_of
from ..errors import errors
from ..schemas import Ref, WithExtra, text
from .contracts import TechTransferDetailOut
from .contracts import router as contracts_router
from .registry import RefPath

router = Router(tags=["tech transfer 技术转移"])

READ = errors(401, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)


class StepOut(Schema):
    step: str
    label: str
    party: str = Field(description="由哪一方完成 the party whose step it is (mah/cmo)")
    done_on: dt.date | None = None
    is_next: bool
    note: str = ""
    evidence: str = ""
    recorded_by: str = ""


class RiskOut(Schema):
    ref: str
    status: str
    raised_by_party: str
    raised_on: dt.date
    description: str
    measures: str
    resolved_on: dt.date | None = None
    resolved_by_party: str
    resolution: str
    version: int


class ProgressOut(TechTransferDetailOut):
    state: str = Field(description="in_progress / completed / stopped")
    steps: list[StepOut]
    risks: list[RiskOut]


class StartIn(Schema):
    contract: Ref
    product: Ref
    started_on: dt.date
    ref: Ref | None = None


class TeamIn(Schema):
    lead: Ref = Field(description="受托方技术转移负责人 the CMO's transfer lead (art. 4(1))")
    working_group: list[Ref] = Field(max_length=50)
    reason: text(500) = ""


class StepIn(Schema):
    step: TransferStep
    done_on: dt.date
    note: text(4000)
    evidence: text(300) = ""


class CorrectionIn(Schema):
    reason: text(500) = Field(description="更正原因 why (kept in the audit trail)")
    done_on: dt.date | None = None
    note: text(4000) | None = None
    evidence: text(300) | None = None


class CompleteIn(Schema):
    completed_on: dt.date


class RiskIn(Schema):
    description: text(4000)
    raised_on: dt.date
    measures: text(4000) = ""
    party: Party | None = Field(None, description="代表哪一方（双方兼任时）the party you act for")
    ref: Ref | None = None


class ControlIn(Schema):
    resolved_on: dt.date
    resolution: text(4000)
    measures: text(4000) | None = None
    expected_version: int | None = Field(None, ge=1, le=2**31 - 1)
    party: Party | None = None


class StopIn(Schema):
    resolved_on: dt.date
    reason: text(4000)
    expected_version: int | None = Field(None, ge=1, le=2**31 - 1)
    party: Party | None = None


def _progress(request: HttpRequest, ref: str) -> WithExtra:
    actor = actor_of(request)
    transfer = selectors.tech_transfer_get(actor=actor, ref=ref)
    steps = [
        {
            "step": row.step,
            "label": str(row.label),
            "party": row.party,
            "done_on": row.done_on,
            "is_next": row.is_next,
            "note": row.record.note if row.record else "",
            "evidence": row.record.evidence if row.record else "",
            "recorded_by": (row.record.recorded_by.get_full_name() or row.record.recorded_by.username)
            if row.record and row.record.recorded_by
            else "",
        }
        for row in selectors.tech_transfer_progress(actor=actor, transfer=transfer)
    ]
    return WithExtra(transfer, state=services.transfer_state(transfer), steps=steps, risks=list(transfer.risks.all()))


def _transfer(request: HttpRequest, ref: str) -> TechTransfer:
    return selectors.tech_transfer_get(actor=actor_of(request), ref=ref)


def _party(value: Party | None) -> str | None:
    return value.value if value else None


@router.get("/tech-transfers/{ref}/progress", response={200: ProgressOut, **READ}, summary="技术转移进度 progress")
def progress(request: HttpRequest, ref: str = RefPath):
    """The transfer's state, each step of art. 4 in order (whose it is, its date, note, evidence and
    who recorded it; ``is_next`` marks the one to record next), and the risks raised during it."""
    return _progress(request, ref)


# On the contracts router, beside its ``GET /tech-transfers``: Django resolves a path to the first
# router that declares it, so a POST on a second router with the same path would answer 405.
@contracts_router.post(
    "/tech-transfers",
    response={201: ProgressOut, **WRITE},
    summary="启动技术转移 start a transfer",
    tags=["tech transfer 技术转移"],
)
def start(request: HttpRequest, payload: StartIn):
    """The MAH starts the transfer of one product of the contract to the CMO."""
    actor = actor_of(request)
    contract = selectors.contract_get(actor=actor, ref=payload.contract)
    product = registry.product_get(actor=actor, ref=payload.product)
    transfer = services.tech_transfer_start(
        actor=actor, contract=contract, product=product, started_on=payload.started_on, ref=payload.ref
    )
    return Status(201, _progress(request, transfer.ref))


@router.put("/tech-transfers/{ref}/team", response={200: ProgressOut, **WRITE}, summary="负责人和工作组 team")
def team(request: HttpRequest, payload: TeamIn, ref: str = RefPath):
    """The CMO appoints its transfer lead (the CMO's person) and the working group (art. 4(1))."""
    actor = actor_of(request)
    transfer = _transfer(request, ref)
    lead = registry.person_get(actor=actor, ref=payload.lead)
    group = [registry.person_get(actor=actor, ref=r) for r in dict.fromkeys(payload.working_group)]
    services.tech_transfer_set_team(
        actor=actor, transfer=transfer, lead=lead, working_group=group, reason=payload.reason
    )
    return _progress(request, ref)


@router.post("/tech-transfers/{ref}/steps", response={201: ProgressOut, **WRITE}, summary="记录步骤 record a step")
def step(request: HttpRequest, payload: StepIn, ref: str = RefPath):
    """Record the next step, by the party whose step it is (CMO: (2)–(4); MAH: approval of the master
    documents, (5)); dated not before the previous step and not in the future. Out of order or
    already recorded: 409."""
    services.tech_transfer_record_step(
        actor=actor_of(request),
        transfer=_transfer(request, ref),
        step=payload.step.value,
        done_on=payload.done_on,
        note=payload.note,
        evidence=payload.evidence,
    )
    return Status(201, _progress(request, ref))


@router.patch(
    "/tech-transfers/{ref}/steps/{step}", response={200: ProgressOut, **WRITE}, summary="更正步骤 correct a step"
)
def step_correct(request: HttpRequest, payload: CorrectionIn, step: TransferStep, ref: str = RefPath):
    """Correct a recorded step (date, note, evidence) while the transfer is in progress, by the step's
    party, with a reason; the date stays between the neighbouring steps' dates."""
    services.tech_transfer_correct_step(
        actor=actor_of(request),
        transfer=_transfer(request, ref),
        step=step.value,
        reason=payload.reason,
        done_on=payload.done_on,
        note=payload.note,
        evidence=payload.evidence,
    )
    return _progress(request, ref)


@router.post("/tech-transfers/{ref}/complete", response={200: ProgressOut, **WRITE}, summary="完成 complete")
def complete(request: HttpRequest, payload: CompleteIn, ref: str = RefPath):
    """The MAH completes the transfer; refused (409) while a step is not recorded or a risk is open."""
    services.tech_transfer_complete(
        actor=actor_of(request), transfer=_transfer(request, ref), completed_on=payload.completed_on
    )
    return _progress(request, ref)


@router.post("/tech-transfers/{ref}/risks", response={201: RiskOut, **WRITE}, summary="报告风险 raise a risk")
def risk_raise(request: HttpRequest, payload: RiskIn, ref: str = RefPath):
    """Either party records a risk found during the transfer (art. 4: "应当立即沟通并采取措施控制风险")."""
    risk = services.tech_transfer_risk_raise(
        actor=actor_of(request),
        transfer=_transfer(request, ref),
        description=payload.description,
        raised_on=payload.raised_on,
        measures=payload.measures,
        party=_party(payload.party),
        ref=payload.ref,
    )
    return Status(201, risk)


def _risk(request: HttpRequest, ref: str, risk_ref: str) -> Any:
    actor = actor_of(request)
    return selectors.tech_transfer_risk_get(actor=actor, transfer=_transfer(request, ref), ref=risk_ref)


@router.post(
    "/tech-transfers/{ref}/risks/{risk_ref}/control", response={200: RiskOut, **WRITE}, summary="风险已控制 controlled"
)
def risk_control(request: HttpRequest, payload: ControlIn, ref: str = RefPath, risk_ref: str = RefPath):
    """The measures taken control the risk; the transfer goes on. A stale ``expected_version``: 409."""
    return services.tech_transfer_risk_control(
        actor=actor_of(request),
        risk=_risk(request, ref, risk_ref),
        resolved_on=payload.resolved_on,
        resolution=payload.resolution,
        measures=payload.measures,
        version=payload.expected_version,
        party=_party(payload.party),
    )


@router.post("/tech-transfers/{ref}/risks/{risk_ref}/stop", response={200: RiskOut, **WRITE}, summary="停止合作 stop")
def risk_stop(request: HttpRequest, payload: StopIn, ref: str = RefPath, risk_ref: str = RefPath):
    """The risk cannot be controlled effectively: the transfer stops, with the reason
    ("风险难以有效控制的，应当停止合作"). Nothing more can be recorded on it."""
    return services.tech_transfer_stop(
        actor=actor_of(request),
        risk=_risk(request, ref, risk_ref),
        resolved_on=payload.resolved_on,
        reason=payload.reason,
        version=payload.expected_version,
        party=_party(payload.party),
    )
