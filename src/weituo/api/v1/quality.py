"""Quality events under /api/v1: the communication list between the MAH and the CMO — events,
deviations and their reclassification and investigation, CAPA, the art. 11 retention obligations —
the caller's deadlines, and each event's timeline.

Reads through ``weituo.quality.selectors`` with the request's actor (an event the caller may not
see is 404, exactly as one that does not exist); writes through ``weituo.quality.services``, which
check who may act, validate, lock the row and ledger in the same transaction. A state change takes
the ``expected_version`` the client showed where the service checks one: a stale one is 409.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Path, Query, Router, Status

from weituo.batches import selectors as batches
from weituo.contracts import selectors as contracts
from weituo.core.deadlines import my_deadlines
from weituo.core.i18n import detail, validation_failed
from weituo.quality import selectors, services
from weituo.quality.choices import EventCategory
from weituo.quality.models import QualityEvent

from ..auth import actor_of
from ..errors import errors
from ..schemas import PageQuery, WithExtra, page_of, paginate
from .quality_schemas import (
    AcknowledgeIn,
    CapaIn,
    CapaOut,
    CloseIn,
    DeadlineOut,
    DecisionIn,
    EffectivenessIn,
    EventDetailOut,
    EventFilter,
    EventIn,
    EventOut,
    FulfilIn,
    ImplementIn,
    InvestigateIn,
    ObligationFilter,
    ObligationOut,
    ReclassificationOut,
    ReclassifyIn,
    TimelineEntryOut,
    WithdrawIn,
)
from .registry import RefPath

router = Router(tags=["quality 质量事件"])

READ = errors(401, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)
RecordId = Path(..., ge=1, le=2**63 - 1, description="记录编号 the record's id")


def _detail(request: HttpRequest, ref: str) -> WithExtra:
    """An event as ``EventDetailOut`` shows it: with its deviation, CAPA and obligations, each read
    through a selector with the caller as actor."""
    actor = actor_of(request)
    event = selectors.event_get(actor=actor, ref=ref)
    deviation = None
    if event.category == EventCategory.DEVIATION:
        found = selectors.deviation_get(actor=actor, ref=ref)
        deviation = WithExtra(
            found, reclassifications=list(selectors.reclassification_list(actor=actor, deviation=found))
        )
    return WithExtra(
        event,
        deviation=deviation,
        capas=list(selectors.capa_list(actor=actor, event=event)),
        obligations=list(selectors.retention_obligation_list(actor=actor, event=event)),
    )


# --- events --------------------------------------------------------------------------------------------


@router.get("/events", response={200: page_of(EventOut), **READ}, summary="质量事件列表 quality events")
def events(request: HttpRequest, filters: Query[EventFilter]):
    """The events the caller may see, newest first; ``overdue=true``: those not acknowledged by their due time."""
    actor = actor_of(request)
    qs = selectors.event_list(
        actor=actor,
        contract=contracts.contract_get(actor=actor, ref=filters.contract) if filters.contract else None,
        batch=batches.batch_get(actor=actor, ref=filters.batch) if filters.batch else None,
        category=filters.category.value if filters.category else "",
        status=filters.status.value if filters.status else "",
        overdue=filters.overdue,
    )
    return paginate(qs, filters)


@router.get("/events/{ref}", response={200: EventDetailOut, **READ}, summary="质量事件 quality event")
def event(request: HttpRequest, ref: str = RefPath):
    """The event with its routing and deadline (from the quality agreement), its flags, the
    deviation data, CAPA and art. 11 obligations; ``version`` for the next change."""
    return _detail(request, ref)


@router.post("/events", response={201: EventDetailOut, **WRITE}, summary="提出质量事件 raise an event")
def event_raise(request: HttpRequest, payload: EventIn):
    """Raise an item of the communication list to the counterparty, routed and timed by the quality
    agreement in force. A deviation (``category=deviation``) needs its ``classification``; a major or
    critical deviation on a batch creates the art. 11 retention obligations. ``party``: only for a
    user who writes for both sides."""
    actor = actor_of(request)
    contract = contracts.contract_get(actor=actor, ref=payload.contract)
    batch = batches.batch_get(actor=actor, ref=payload.batch) if payload.batch else None
    common: dict[str, Any] = {
        "actor": actor,
        "contract": contract,
        "title": payload.title,
        "description": payload.description,
        "batch": batch,
        "party": payload.party.value if payload.party else None,
        "discovered_at": payload.discovered_at,
        "ref": payload.ref,
    }
    if payload.category == EventCategory.DEVIATION:
        # An absent classification is refused by the service, naming the field.
        classification = payload.classification.value if payload.classification else ""
        event = services.deviation_raise(classification=classification, **common).event
    else:
        if payload.classification is not None:
            raise validation_failed(
                [detail(gettext_lazy("only a deviation has a classification"), field="classification")]
            )
        event = services.event_raise(category=payload.category.value, **common)
    return Status(201, _detail(request, event.ref))


def _event(request: HttpRequest, ref: str) -> QualityEvent:
    return selectors.event_get(actor=actor_of(request), ref=ref)


@router.post("/events/{ref}/acknowledge", response={200: EventDetailOut, **WRITE}, summary="确认 acknowledge")
def event_acknowledge(request: HttpRequest, payload: AcknowledgeIn, ref: str = RefPath):
    """The recipient (the counterparty) acknowledges receipt. Twice, or with a stale version: 409."""
    services.event_acknowledge(
        actor=actor_of(request),
        event=_event(request, ref),
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/events/{ref}/withdraw", response={200: EventDetailOut, **WRITE}, summary="撤回 withdraw")
def event_withdraw(request: HttpRequest, payload: WithdrawIn, ref: str = RefPath):
    """The raising party withdraws an event raised by mistake, before it is acknowledged (with a reason)."""
    services.event_withdraw(
        actor=actor_of(request),
        event=_event(request, ref),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post("/events/{ref}/close", response={200: EventDetailOut, **WRITE}, summary="关闭 close")
def event_close(request: HttpRequest, payload: CloseIn, ref: str = RefPath):
    """The raising party closes an acknowledged event with its conclusion. A deviation only once its
    root cause is recorded, no downgrade is pending and (major/critical) a CAPA is implemented: else
    422 listing what is missing."""
    services.event_close(
        actor=actor_of(request),
        event=_event(request, ref),
        conclusion=payload.conclusion,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.get("/events/{ref}/timeline", response={200: list[TimelineEntryOut], **READ}, summary="事件时间线 timeline")
def event_timeline(request: HttpRequest, ref: str = RefPath):
    """Every ledger entry of the event, its deviation, reclassifications, CAPA and art. 11 obligations, oldest first."""
    actor = actor_of(request)
    return selectors.event_trail(actor=actor, event=selectors.event_get(actor=actor, ref=ref))


# --- deviations ------------------------------------------------------------------------------------------


@router.post("/events/{ref}/investigation", response={200: EventDetailOut, **WRITE}, summary="偏差调查 investigate")
def deviation_investigate(request: HttpRequest, payload: InvestigateIn, ref: str = RefPath):
    """Either party records the deviation's root cause and conclusion. ``expected_version`` is the
    deviation's ``version`` (``deviation.version`` in the event)."""
    actor = actor_of(request)
    services.deviation_investigate(
        actor=actor,
        deviation=selectors.deviation_get(actor=actor, ref=ref),
        root_cause=payload.root_cause,
        summary=payload.summary,
        party=payload.party.value if payload.party else None,
        expected_version=payload.expected_version,
    )
    return _detail(request, ref)


@router.post(
    "/events/{ref}/reclassifications",
    response={201: ReclassificationOut, **WRITE},
    summary="偏差分类变更 reclassify",
)
def deviation_reclassify(request: HttpRequest, payload: ReclassifyIn, ref: str = RefPath):
    """An upgrade applies at once (status ``applied``); a downgrade is ``pending`` until a second
    person, QA or head of quality of the same party, decides it."""
    actor = actor_of(request)
    change = services.deviation_reclassify(
        actor=actor,
        deviation=selectors.deviation_get(actor=actor, ref=ref),
        to=payload.to.value,
        reason=payload.reason,
        party=payload.party.value if payload.party else None,
        expected_version=payload.expected_version,
    )
    return Status(201, change)


@router.post(
    "/events/{ref}/reclassifications/{reclassification_id}/decision",
    response={200: ReclassificationOut, **WRITE},
    summary="批准/驳回降级 decide a downgrade",
)
def reclassification_decide(
    request: HttpRequest, payload: DecisionIn, ref: str = RefPath, reclassification_id: int = RecordId
):
    """QA or the head of quality of the requesting party, not the requester, approves or rejects."""
    actor = actor_of(request)
    deviation = selectors.deviation_get(actor=actor, ref=ref)
    return services.reclassification_decide(
        actor=actor,
        reclassification=selectors.reclassification_get(actor=actor, deviation=deviation, pk=reclassification_id),
        approve=payload.approve,
        note=payload.note,
    )


# --- CAPA ------------------------------------------------------------------------------------------------


@router.post("/events/{ref}/capas", response={201: CapaOut, **WRITE}, summary="新增纠正预防措施 add a CAPA")
def capa_add(request: HttpRequest, payload: CapaIn, ref: str = RefPath):
    """A corrective or preventive action for an open event, with the party responsible and its due date."""
    actor = actor_of(request)
    capa = services.capa_add(
        actor=actor,
        event=_event(request, ref),
        description=payload.description,
        owner_party=payload.owner_party.value,
        due_on=payload.due_on,
        party=payload.party.value if payload.party else None,
    )
    return Status(201, capa)


@router.post(
    "/events/{ref}/capas/{capa_id}/implement", response={200: CapaOut, **WRITE}, summary="措施已实施 implemented"
)
def capa_implement(request: HttpRequest, payload: ImplementIn, ref: str = RefPath, capa_id: int = RecordId):
    """The CAPA's owner party reports it done."""
    actor = actor_of(request)
    capa = selectors.capa_get(actor=actor, event=_event(request, ref), pk=capa_id)
    return services.capa_implement(actor=actor, capa=capa, note=payload.note, expected_version=payload.expected_version)


@router.post(
    "/events/{ref}/capas/{capa_id}/effectiveness",
    response={200: CapaOut, **WRITE},
    summary="有效性确认 effectiveness check",
)
def capa_effectiveness(request: HttpRequest, payload: EffectivenessIn, ref: str = RefPath, capa_id: int = RecordId):
    """QA or the head of quality of either party records whether the implemented CAPA worked."""
    actor = actor_of(request)
    capa = selectors.capa_get(actor=actor, event=_event(request, ref), pk=capa_id)
    return services.capa_check_effectiveness(
        actor=actor,
        capa=capa,
        effective=payload.effective,
        note=payload.note,
        expected_version=payload.expected_version,
    )


# --- retention obligations (art. 11) -------------------------------------------------------------------


@router.get(
    "/retention-obligations",
    response={200: page_of(ObligationOut), **READ},
    summary="留样及稳定性考察义务 retention obligations",
)
def obligations(request: HttpRequest, filters: Query[ObligationFilter]):
    """The art. 11 obligations the caller may see: retained samples and ongoing stability, per batch and party."""
    actor = actor_of(request)
    qs = selectors.retention_obligation_list(
        actor=actor,
        batch=batches.batch_get(actor=actor, ref=filters.batch) if filters.batch else None,
        contract=contracts.contract_get(actor=actor, ref=filters.contract) if filters.contract else None,
        status=filters.status.value if filters.status else "",
    )
    return paginate(qs, filters)


@router.post(
    "/retention-obligations/{obligation_id}/fulfil",
    response={200: ObligationOut, **WRITE},
    summary="履行义务 fulfil",
)
def obligation_fulfil(request: HttpRequest, payload: FulfilIn, obligation_id: int = RecordId):
    """The obligated party records the samples kept or the stability study started."""
    actor = actor_of(request)
    return services.retention_obligation_fulfil(
        actor=actor, obligation=selectors.retention_obligation_get(actor=actor, pk=obligation_id), note=payload.note
    )


# --- my deadlines --------------------------------------------------------------------------------------


@router.get("/deadlines", response={200: page_of(DeadlineOut), **READ}, summary="我的待办时限 my deadlines")
def deadlines(request: HttpRequest, page: Query[PageQuery]):
    """What the caller's organisations owe, soonest first (no agreed time limit last): events to
    acknowledge, CAPA to implement. Viewers owe nothing."""
    items = my_deadlines(actor=actor_of(request))
    offset = (page.page - 1) * page.page_size
    return {
        "count": len(items),
        "page": page.page,
        "page_size": page.page_size,
        "items": items[offset : offset + page.page_size],
    }
