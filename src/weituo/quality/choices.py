"""Enumerations and transition tables of quality events, deviations, CAPA and retention obligations.

A quality event's category is a category of the communication list (``CommunicationCategory``: the
eight of Notice 2025-134 art. 7, plus complaint, recall and other), so that routing and time limits
come straight from the quality agreement's row for that category.
"""

from __future__ import annotations

from django.db import models

from weituo.accounts.roles import Role, Side
from weituo.contracts.choices import CommunicationCategory

EventCategory = CommunicationCategory


class EventParty(models.TextChoices):
    """The side of the contract that raised, or receives, an event."""

    MAH = "mah", "持有人 MAH"
    CMO = "cmo", "受托方 CMO"


SIDE_OF_PARTY: dict[str, str] = {EventParty.MAH: Side.MAH, EventParty.CMO: Side.CMO}

# Who approves a deviation downgrade and checks CAPA effectiveness, per party.
QA_ROLES: dict[str, frozenset[str]] = {
    EventParty.MAH: frozenset({Role.MAH_QA, Role.MAH_HEAD_OF_QUALITY}),
    EventParty.CMO: frozenset({Role.CMO_QA, Role.CMO_HEAD_OF_QUALITY}),
}


def counterparty(party: str) -> str:
    return EventParty.CMO if party == EventParty.MAH else EventParty.MAH


class EventStatus(models.TextChoices):
    OPEN = "open", "待确认 open"
    ACKNOWLEDGED = "acknowledged", "已确认 acknowledged"
    CLOSED = "closed", "已关闭 closed"
    WITHDRAWN = "withdrawn", "已撤回 withdrawn"


# Raised → acknowledged by the counterparty → closed by the raising party. An event raised by
# mistake is withdrawn (with a reason) before the counterparty acknowledged it; never deleted.
EVENT_TRANSITIONS: dict[str, set[str]] = {
    EventStatus.OPEN: {EventStatus.ACKNOWLEDGED, EventStatus.WITHDRAWN},
    EventStatus.ACKNOWLEDGED: {EventStatus.CLOSED},
    EventStatus.CLOSED: set(),
    EventStatus.WITHDRAWN: set(),
}

# Not yet closed or withdrawn: what blocks a release and counts as open.
OPEN_STATUSES: frozenset[str] = frozenset({EventStatus.OPEN, EventStatus.ACKNOWLEDGED})

# The categories whose open events on a batch block its factory and market release (art. 12).
RELEASE_BLOCKING_CATEGORIES: frozenset[str] = frozenset(
    {CommunicationCategory.DEVIATION, CommunicationCategory.OOS_OOT}
)


class Classification(models.TextChoices):
    """Deviation classification (药品GMP 第二百五十条: 重大、主要、次要 in this project's terms)."""

    CRITICAL = "critical", "重大 critical"
    MAJOR = "major", "主要 major"
    MINOR = "minor", "次要 minor"


# Higher is more severe; a change to a lower rank is a downgrade and needs QA approval.
SEVERITY: dict[str, int] = {Classification.MINOR: 1, Classification.MAJOR: 2, Classification.CRITICAL: 3}

# Art. 11: "重大偏差" — major and critical deviations on a batch oblige retained samples and stability.
SERIOUS: frozenset[str] = frozenset({Classification.MAJOR, Classification.CRITICAL})


class ReclassificationStatus(models.TextChoices):
    APPLIED = "applied", "已生效（升级） applied (upgrade)"
    PENDING = "pending", "待 QA 批准 awaiting QA approval"
    APPROVED = "approved", "已批准 approved"
    REJECTED = "rejected", "已驳回 rejected"


RECLASSIFICATION_TRANSITIONS: dict[str, set[str]] = {
    ReclassificationStatus.PENDING: {ReclassificationStatus.APPROVED, ReclassificationStatus.REJECTED},
    ReclassificationStatus.APPLIED: set(),
    ReclassificationStatus.APPROVED: set(),
    ReclassificationStatus.REJECTED: set(),
}


class CapaStatus(models.TextChoices):
    PLANNED = "planned", "计划中 planned"
    IMPLEMENTED = "implemented", "已实施 implemented"
    EFFECTIVE = "effective", "有效性确认：有效 effective"
    NOT_EFFECTIVE = "not_effective", "有效性确认：无效 not effective"


CAPA_TRANSITIONS: dict[str, set[str]] = {
    CapaStatus.PLANNED: {CapaStatus.IMPLEMENTED},
    CapaStatus.IMPLEMENTED: {CapaStatus.EFFECTIVE, CapaStatus.NOT_EFFECTIVE},
    CapaStatus.EFFECTIVE: set(),
    CapaStatus.NOT_EFFECTIVE: set(),
}


class ObligationKind(models.TextChoices):
    RETAINED_SAMPLE = "retained_sample", "留样 retained sample"
    ONGOING_STABILITY = "ongoing_stability", "持续稳定性考察 ongoing stability study"


class ObligationStatus(models.TextChoices):
    OPEN = "open", "待履行 open"
    FULFILLED = "fulfilled", "已履行 fulfilled"


OBLIGATION_TRANSITIONS: dict[str, set[str]] = {
    ObligationStatus.OPEN: {ObligationStatus.FULFILLED},
    ObligationStatus.FULFILLED: set(),
}


class ObligationException(models.TextChoices):
    """Art. 11 para. 2: when one party may keep the samples and run the stability study alone."""

    NONE = "", "无（双方均应开展） none: both parties"
    SAME_GROUP = "same_group_unified_qms", "同一集团统一质量管理体系 same group, one QMS"
    ELECTRONIC_DATA_EXCHANGE = "electronic_data_exchange", "电子数据交换 electronic data exchange"


ART11_CITATION = "国家药监局公告2025年第134号 第（十一）条 / NMPA Notice 2025-134 art. 11"
