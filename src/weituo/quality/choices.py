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


# --- change control (Notice 2025-134 art. 9) -----------------------------------------------------


class ChangeClass(models.TextChoices):
    """The class of a change as each party assesses it (药品上市后变更管理办法: 重大/中等/微小)."""

    MAJOR = "major", "重大变更 major"
    MODERATE = "moderate", "中等变更 moderate"
    MINOR = "minor", "微小变更 minor"


class RegulatoryPath(models.TextChoices):
    """How the change goes to the regulator: prior approval, filing, or the annual report."""

    APPROVAL = "approval", "审批 approval"
    FILING = "filing", "备案 filing"
    REPORT = "report", "报告 report"


# Art. 9: "委托双方关于变更类别未达成一致的，应当按照较高级别进行变更管理" — the higher of the two governs.
CHANGE_CLASS_RANK: dict[str, int] = {ChangeClass.MINOR: 1, ChangeClass.MODERATE: 2, ChangeClass.MAJOR: 3}
REGULATORY_PATH_RANK: dict[str, int] = {RegulatoryPath.REPORT: 1, RegulatoryPath.FILING: 2, RegulatoryPath.APPROVAL: 3}


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", "已提出 proposed"
    CLASSIFIED = "classified", "双方已定类 classified by both"
    APPROVED = "approved", "持有人已批准 approved by the MAH"
    REJECTED = "rejected", "持有人不批准 rejected by the MAH"
    IMPLEMENTED = "implemented", "已实施 implemented"
    CLOSED = "closed", "已关闭 closed"
    WITHDRAWN = "withdrawn", "已撤回 withdrawn"


# Art. 9: "未经持有人批准，不得擅自实施" — implemented only from approved.
CHANGE_TRANSITIONS: dict[str, set[str]] = {
    ChangeStatus.PROPOSED: {ChangeStatus.CLASSIFIED, ChangeStatus.WITHDRAWN},
    ChangeStatus.CLASSIFIED: {ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN},
    ChangeStatus.APPROVED: {ChangeStatus.IMPLEMENTED, ChangeStatus.WITHDRAWN},
    ChangeStatus.IMPLEMENTED: {ChangeStatus.CLOSED},
    ChangeStatus.REJECTED: set(),
    ChangeStatus.CLOSED: set(),
    ChangeStatus.WITHDRAWN: set(),
}


class FilingStatus(models.TextChoices):
    """The regulatory step of a change: approval or filing with the regulator, or the annual report."""

    NOT_DETERMINED = "", "未定（待双方定类） not determined yet"
    PENDING = "pending", "待申报 to be submitted"
    SUBMITTED = "submitted", "已申报 submitted"
    ACCEPTED = "accepted", "已获批/已备案 approved or filed"
    REFUSED = "refused", "未获批 refused"
    IN_ANNUAL_REPORT = "in_annual_report", "已纳入年度报告 in the annual report"


FILING_TRANSITIONS: dict[str, set[str]] = {
    FilingStatus.PENDING: {FilingStatus.SUBMITTED, FilingStatus.IN_ANNUAL_REPORT},
    FilingStatus.SUBMITTED: {FilingStatus.ACCEPTED, FilingStatus.REFUSED},
    FilingStatus.ACCEPTED: set(),
    FilingStatus.REFUSED: set(),
    FilingStatus.IN_ANNUAL_REPORT: set(),
}

# Art. 11: "重大变更获批实施后生产的最初三批次产品".
BATCHES_AFTER_MAJOR_CHANGE = 3


# --- shared-line assessment (art. 8) --------------------------------------------------------------


class SharedLineTrigger(models.TextChoices):
    """The changes of shared-line conditions art. 8 lists."""

    NEW_COMMERCIAL_PRODUCT = "new_commercial_product", "新增商业化生产药品 new commercial product"
    NEW_NON_COMMERCIAL_PRODUCT = "new_non_commercial_product", "新增非商业化品种 new non-commercial product"
    FORMULA_OR_PROCESS_CHANGE = "formula_or_process_change", "处方及生产工艺变更 formula or process change"
    EQUIPMENT_CHANGE = "equipment_change", "设备设施变更 equipment or facility change"
    OTHER_MAJOR_CHANGE = "other_major_change", "其他重大变更 other major change"


class AssessmentStatus(models.TextChoices):
    OPEN = "open", "评估中 assessing"
    NOTIFIED = "notified", "已通报持有人 notified to the MAHs"
    CLOSED = "closed", "已关闭 closed"


ASSESSMENT_TRANSITIONS: dict[str, set[str]] = {
    AssessmentStatus.OPEN: {AssessmentStatus.NOTIFIED},
    AssessmentStatus.NOTIFIED: {AssessmentStatus.CLOSED},
    AssessmentStatus.CLOSED: set(),
}


class NoticeStatus(models.TextChoices):
    SENT = "sent", "已通报 sent"
    FEEDBACK = "feedback", "持有人已反馈 feedback given"
    AGREED = "agreed", "已达成一致 agreed"


NOTICE_TRANSITIONS: dict[str, set[str]] = {
    NoticeStatus.SENT: {NoticeStatus.FEEDBACK, NoticeStatus.AGREED},
    NoticeStatus.FEEDBACK: {NoticeStatus.FEEDBACK, NoticeStatus.AGREED},
    NoticeStatus.AGREED: set(),
}


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", "同意 approved"
    REJECTED = "rejected", "不同意 rejected"


# --- audits of the CMO (arts. 13, 14) --------------------------------------------------------------


class AuditMode(models.TextChoices):
    ON_SITE = "on_site", "现场审核 on-site audit"
    REMOTE = "remote", "非现场审核 remote audit"


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "已计划 planned"
    CONDUCTED = "conducted", "已实施 conducted"
    REPORTED = "reported", "已出具报告 reported"
    CLOSED = "closed", "已关闭 closed"
    CANCELLED = "cancelled", "已取消 cancelled"


AUDIT_TRANSITIONS: dict[str, set[str]] = {
    AuditStatus.PLANNED: {AuditStatus.CONDUCTED, AuditStatus.CANCELLED},
    AuditStatus.CONDUCTED: {AuditStatus.REPORTED},
    AuditStatus.REPORTED: {AuditStatus.CLOSED},
    AuditStatus.CLOSED: set(),
    AuditStatus.CANCELLED: set(),
}


class FindingSeverity(models.TextChoices):
    """As inspection defects are graded (缺陷：严重/主要/一般)."""

    CRITICAL = "critical", "严重缺陷 critical"
    MAJOR = "major", "主要缺陷 major"
    OTHER = "other", "一般缺陷 other"


# --- deadlines ("my deadlines", the reminder mail) ------------------------------------------------


class DeadlineKind(models.TextChoices):
    """What a deadline asks of the user's organisation: one name per kind, for the page and the mail."""

    ACKNOWLEDGE = "acknowledge", "确认质量事件 acknowledge the event"
    CAPA = "capa", "实施纠正预防措施 implement the CAPA"
    CHANGE_CLASSIFY = "change_classify", "变更定类 classify the change"
    CHANGE_DECIDE = "change_decide", "审批变更 decide on the change"
    NOTICE_FEEDBACK = "notice_feedback", "反馈共线生产风险通报 give feedback on a shared-line notice"
    CAPA_APPROVAL = "capa_approval", "审核纠正预防措施 approve a CAPA"
    AUDIT_REPORT = "audit_report", "出具审核报告 issue the audit report"
    FINDING_RESPONSE = "finding_response", "回复审核发现 respond to an audit finding"
