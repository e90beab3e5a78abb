"""Schemas of the quality-event and batch operations: what the API shows of an event, its deviation,
CAPA and retention obligations, and of a batch's timeline; and what it accepts to change them.

State-changing bodies carry ``expected_version`` where the service checks one: the version the
client last showed. A stale one is refused (409 ``stale_record``) instead of overwriting a change
the client never saw.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from weituo.contracts.choices import CommunicationCategory
from weituo.core.roles import Party
from weituo.quality.choices import Classification, EventStatus, ObligationStatus

from ..schemas import ContractRef, OrganisationRef, PageQuery, PersonRef, Ref, text

# An optimistic version, as shown by a GET: positive, within the column's range.
Version = Field(
    None, ge=1, le=2_147_483_647, description="您看到的版本（过期则 409）the version you saw (409 if stale)"
)
LONG_TEXT = 5000


def user_name(user: Any) -> str | None:
    """A user as a record shows them: full name, else the username (None: nobody, or a system job)."""
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class BatchRef(Schema):
    ref: str
    number: str


# --- reads -------------------------------------------------------------------------------------------


class EventOut(Schema):
    ref: str
    category: str
    title: str
    status: str
    contract: ContractRef
    batch: BatchRef | None = None
    raised_by_party: str
    raised_at: dt.datetime
    recipient: OrganisationRef
    due_at: dt.datetime | None = Field(None, description="确认时限 acknowledgement due (null: no agreed limit)")
    provisional: bool = Field(description="时限暂定（节假日安排未知）the due time is provisional")
    overdue: bool = Field(description="已超时未确认 not acknowledged by its due time")
    flagged: bool = Field(description="质量协议未约定联系人或时限 the agreement lacks a contact or time limit")
    version: int

    @staticmethod
    def resolve_provisional(obj: Any) -> bool:
        return obj.due_provisional

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return obj.status == EventStatus.OPEN and obj.due_at is not None and obj.due_at < timezone.now()


class FlagsOut(Schema):
    no_agreed_contact: bool
    no_agreed_time_limit: bool


class RoutingOut(Schema):
    recipient: OrganisationRef
    recipient_contact: PersonRef | None = None
    channel: str
    time_limit: int | None = None
    time_unit: str
    notified_to: list[str]


class ReclassificationOut(Schema):
    id: int
    from_classification: str
    to_classification: str
    reason: str
    party: str
    status: str
    requested_by: str | None = None
    requested_at: dt.datetime
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    decision_note: str

    @staticmethod
    def resolve_requested_by(obj: Any) -> str | None:
        return user_name(obj.requested_by)

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return user_name(obj.decided_by)


class DeviationOut(Schema):
    classification: str
    root_cause: str
    investigation_summary: str
    investigated_at: dt.datetime | None = None
    investigated_by: str | None = None
    version: int
    reclassifications: list[ReclassificationOut]

    @staticmethod
    def resolve_investigated_by(obj: Any) -> str | None:
        return user_name(obj.investigated_by)


class CapaOut(Schema):
    id: int
    description: str
    owner_party: str
    due_on: dt.date
    status: str
    implemented_at: dt.datetime | None = None
    implemented_by: str | None = None
    implementation_note: str
    effectiveness_checked_at: dt.datetime | None = None
    effectiveness_checked_by: str | None = None
    effectiveness_note: str
    version: int

    @staticmethod
    def resolve_implemented_by(obj: Any) -> str | None:
        return user_name(obj.implemented_by)

    @staticmethod
    def resolve_effectiveness_checked_by(obj: Any) -> str | None:
        return user_name(obj.effectiveness_checked_by)


class ObligationOut(Schema):
    id: int
    batch: BatchRef
    event: str | None = Field(None, description="起因事件编号 the event that caused it")
    party: str
    kind: str
    basis: str
    exception: str
    status: str
    fulfilled_at: dt.datetime | None = None
    note: str

    @staticmethod
    def resolve_event(obj: Any) -> str | None:
        return obj.event.ref if obj.event_id else None


class EventDetailOut(EventOut):
    description: str
    raised_by: str | None = None
    routing: RoutingOut
    flags: FlagsOut
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str | None = None
    acknowledgement_note: str
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    conclusion: str
    deviation: DeviationOut | None = Field(None, description="偏差数据（仅偏差）the deviation data, for a deviation")
    capas: list[CapaOut]
    obligations: list[ObligationOut] = Field(description="第十一条留样及稳定性考察义务 art. 11 obligations")

    @staticmethod
    def resolve_raised_by(obj: Any) -> str | None:
        return user_name(obj.raised_by)

    @staticmethod
    def resolve_acknowledged_by(obj: Any) -> str | None:
        return user_name(obj.acknowledged_by)

    @staticmethod
    def resolve_closed_by(obj: Any) -> str | None:
        return user_name(obj.closed_by)

    @staticmethod
    def resolve_routing(obj: Any) -> dict[str, Any]:
        return {
            "recipient": obj.recipient,
            "recipient_contact": obj.recipient_contact,
            "channel": obj.channel,
            "time_limit": obj.time_limit,
            "time_unit": obj.time_unit,
            "notified_to": [a for a in obj.notified_to.split(",") if a],
        }

    @staticmethod
    def resolve_flags(obj: Any) -> dict[str, bool]:
        return {"no_agreed_contact": obj.no_agreed_contact, "no_agreed_time_limit": obj.no_agreed_time_limit}


class TimelineEntryOut(Schema):
    """One ledger entry: who did what to which record, when, old → new, why."""

    seq: int
    at: dt.datetime
    actor: str
    organisation: str
    action: str
    object_type: str
    object_id: str
    old: dict[str, Any]
    new: dict[str, Any]
    reason: str
    meaning: str

    @staticmethod
    def resolve_old(obj: Any) -> dict[str, Any]:
        return json.loads(obj.old or "{}")

    @staticmethod
    def resolve_new(obj: Any) -> dict[str, Any]:
        return json.loads(obj.new or "{}")


class DeadlineOut(Schema):
    """One thing the caller's organisation owes, from any workflow (events, changes, audits,
    shared-line notices): ``kind`` says what, ``record_type`` and ``ref`` which record."""

    kind: str = Field(description="acknowledge（待确认事件）、capa（待实施措施）… what is owed")
    ref: str = Field(description="所涉记录编号 the ref of the record concerned")
    record_type: str = Field(description="记录类型，如 quality.qualityevent the record's type")
    title: str
    due_at: dt.datetime | None = None
    provisional: bool
    overdue: bool
    time_limit: int | None = None
    time_unit: str
    capa: int | None = Field(None, description="措施编号（kind=capa）the CAPA's id")

    @staticmethod
    def resolve_record_type(obj: Any) -> str:
        return obj.record._meta.label_lower

    @staticmethod
    def resolve_capa(obj: Any) -> int | None:
        return obj.capa.pk if obj.capa is not None else None


# --- filters and inputs ------------------------------------------------------------------------------


class EventFilter(PageQuery):
    category: CommunicationCategory | None = None
    status: EventStatus | None = None
    contract: Ref | None = None
    batch: Ref | None = Field(None, description="批次编号 the batch's ref")
    overdue: bool | None = Field(None, description="true：仅超时未确认；false：不含超时 only / without overdue")


class ObligationFilter(PageQuery):
    batch: Ref | None = None
    contract: Ref | None = None
    status: ObligationStatus | None = None


class EventIn(Schema):
    contract: Ref = Field(description="委托生产协议编号 the contract's ref")
    category: CommunicationCategory
    title: text(200, 1)
    description: text(LONG_TEXT) = ""
    batch: Ref | None = Field(None, description="批次编号 the batch's ref")
    classification: Classification | None = Field(None, description="偏差分类（偏差必填）required for a deviation")
    party: Party | None = Field(None, description="代表哪一方（双方兼任时）the party you act for")
    ref: Ref | None = Field(None, description="编号（缺省自动生成）the ref (generated if absent)")
    discovered_at: dt.datetime | None = Field(
        None,
        description="发现时间（缺省为提出时；无时区按北京时间），约定时限自此起算至通报 "
        "when it was found (default: now; without a zone, Beijing time): the agreed limit runs from it to the notification",
    )


class AcknowledgeIn(Schema):
    note: text(LONG_TEXT) = ""
    expected_version: int | None = Version


class WithdrawIn(Schema):
    reason: text(LONG_TEXT, 1)
    expected_version: int | None = Version


class CloseIn(Schema):
    conclusion: text(LONG_TEXT, 1)
    expected_version: int | None = Version


class InvestigateIn(Schema):
    root_cause: text(LONG_TEXT, 1)
    summary: text(LONG_TEXT) = ""
    party: Party | None = None
    expected_version: int | None = Field(
        None, ge=1, le=2_147_483_647, description="偏差数据的版本 the deviation's version (409 if stale)"
    )


class ReclassifyIn(Schema):
    to: Classification = Field(description="新分类 the new classification")
    reason: text(LONG_TEXT, 1)
    party: Party | None = None
    expected_version: int | None = Field(
        None, ge=1, le=2_147_483_647, description="偏差数据的版本 the deviation's version (409 if stale)"
    )


class DecisionIn(Schema):
    approve: bool
    note: text(LONG_TEXT) = ""


class CapaIn(Schema):
    description: text(LONG_TEXT, 1)
    owner_party: Party
    due_on: dt.date
    party: Party | None = None


class ImplementIn(Schema):
    note: text(LONG_TEXT, 1)
    expected_version: int | None = Version


class EffectivenessIn(Schema):
    effective: bool
    note: text(LONG_TEXT, 1)
    expected_version: int | None = Version


class FulfilIn(Schema):
    note: text(LONG_TEXT, 1)
