"""Enumerations and transition tables of quality events, deviations, CAPA and retention obligations.

A quality event's category is a category of the communication list (``CommunicationCategory``: the
eight of Notice 2025-134 art. 7, plus complaint, recall and other), so that routing and time limits
come straight from the quality agreement's row for that category.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.contracts.choices import CommunicationCategory

EventCategory = CommunicationCategory


class EventStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("EventStatus", "open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    CLOSED = "closed", pgettext_lazy("EventStatus", "closed")
    WITHDRAWN = "withdrawn", _("withdrawn")


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


class Classification(models.TextChoices):
    """Deviation classification (药品GMP 第二百五十条: 重大、主要、次要 in this project's terms)."""

    CRITICAL = "critical", pgettext_lazy("Classification", "critical")
    MAJOR = "major", pgettext_lazy("Classification", "major")
    MINOR = "minor", pgettext_lazy("Classification", "minor")


# Higher is more severe; a change to a lower rank is a downgrade and needs QA approval.
SEVERITY: dict[str, int] = {Classification.MINOR: 1, Classification.MAJOR: 2, Classification.CRITICAL: 3}

# Art. 11: "重大偏差" — major and critical deviations on a batch oblige retained samples and stability.
SERIOUS: frozenset[str] = frozenset({Classification.MAJOR, Classification.CRITICAL})


class ReclassificationStatus(models.TextChoices):
    APPLIED = "applied", _("applied (upgrade)")
    PENDING = "pending", _("awaiting QA approval")
    APPROVED = "approved", pgettext_lazy("ReclassificationStatus", "approved")
    REJECTED = "rejected", pgettext_lazy("ReclassificationStatus", "rejected")


RECLASSIFICATION_TRANSITIONS: dict[str, set[str]] = {
    ReclassificationStatus.PENDING: {ReclassificationStatus.APPROVED, ReclassificationStatus.REJECTED},
    ReclassificationStatus.APPLIED: set(),
    ReclassificationStatus.APPROVED: set(),
    ReclassificationStatus.REJECTED: set(),
}


class CapaStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("CapaStatus", "planned")
    IMPLEMENTED = "implemented", _("implemented")
    EFFECTIVE = "effective", _("effective")
    NOT_EFFECTIVE = "not_effective", _("not effective")


CAPA_TRANSITIONS: dict[str, set[str]] = {
    CapaStatus.PLANNED: {CapaStatus.IMPLEMENTED},
    CapaStatus.IMPLEMENTED: {CapaStatus.EFFECTIVE, CapaStatus.NOT_EFFECTIVE},
    CapaStatus.EFFECTIVE: set(),
    CapaStatus.NOT_EFFECTIVE: set(),
}


class ObligationKind(models.TextChoices):
    RETAINED_SAMPLE = "retained_sample", _("retained sample")
    ONGOING_STABILITY = "ongoing_stability", _("ongoing stability study")


class ObligationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ObligationStatus", "open")
    FULFILLED = "fulfilled", _("fulfilled")


OBLIGATION_TRANSITIONS: dict[str, set[str]] = {
    ObligationStatus.OPEN: {ObligationStatus.FULFILLED},
    ObligationStatus.FULFILLED: set(),
}


class ObligationException(models.TextChoices):
    """Art. 11 para. 2: when one party may keep the samples and run the stability study alone."""

    NONE = "", _("none: both parties")
    SAME_GROUP = "same_group_unified_qms", _("same group, one QMS")
    ELECTRONIC_DATA_EXCHANGE = "electronic_data_exchange", _("electronic data exchange")


# --- change control (Notice 2025-134 art. 9) -----------------------------------------------------


class ChangeClass(models.TextChoices):
    """The class of a change as each party assesses it (药品上市后变更管理办法: 重大/中等/微小)."""

    MAJOR = "major", pgettext_lazy("ChangeClass", "major")
    MODERATE = "moderate", _("moderate")
    MINOR = "minor", pgettext_lazy("ChangeClass", "minor")


class RegulatoryPath(models.TextChoices):
    """How the change goes to the regulator: prior approval, filing, or the annual report."""

    APPROVAL = "approval", _("approval")
    FILING = "filing", _("filing")
    REPORT = "report", _("report")


# Art. 9: "委托双方关于变更类别未达成一致的，应当按照较高级别进行变更管理" — the higher of the two governs.
CHANGE_CLASS_RANK: dict[str, int] = {ChangeClass.MINOR: 1, ChangeClass.MODERATE: 2, ChangeClass.MAJOR: 3}
REGULATORY_PATH_RANK: dict[str, int] = {RegulatoryPath.REPORT: 1, RegulatoryPath.FILING: 2, RegulatoryPath.APPROVAL: 3}


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    CLASSIFIED = "classified", _("classified by both")
    APPROVED = "approved", _("approved by the MAH")
    REJECTED = "rejected", _("rejected by the MAH")
    IMPLEMENTED = "implemented", _("implemented")
    CLOSED = "closed", pgettext_lazy("ChangeStatus", "closed")
    WITHDRAWN = "withdrawn", _("withdrawn")


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

    NOT_DETERMINED = "", _("not determined yet")
    PENDING = "pending", _("to be submitted")
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("approved or filed")
    REFUSED = "refused", _("refused")
    IN_ANNUAL_REPORT = "in_annual_report", _("in the annual report")


FILING_TRANSITIONS: dict[str, set[str]] = {
    FilingStatus.PENDING: {FilingStatus.SUBMITTED, FilingStatus.IN_ANNUAL_REPORT},
    FilingStatus.SUBMITTED: {FilingStatus.ACCEPTED, FilingStatus.REFUSED},
    FilingStatus.ACCEPTED: set(),
    FilingStatus.REFUSED: set(),
    FilingStatus.IN_ANNUAL_REPORT: set(),
}


# --- shared-line assessment (art. 8) --------------------------------------------------------------


class SharedLineTrigger(models.TextChoices):
    """The changes of shared-line conditions art. 8 lists."""

    NEW_COMMERCIAL_PRODUCT = "new_commercial_product", _("new commercial product")
    NEW_NON_COMMERCIAL_PRODUCT = "new_non_commercial_product", _("new non-commercial product")
    FORMULA_OR_PROCESS_CHANGE = "formula_or_process_change", _("formula or process change")
    EQUIPMENT_CHANGE = "equipment_change", _("equipment or facility change")
    OTHER_MAJOR_CHANGE = "other_major_change", _("other major change")


class AssessmentStatus(models.TextChoices):
    OPEN = "open", _("assessing")
    NOTIFIED = "notified", _("notified to the MAHs")
    CLOSED = "closed", pgettext_lazy("AssessmentStatus", "closed")


ASSESSMENT_TRANSITIONS: dict[str, set[str]] = {
    AssessmentStatus.OPEN: {AssessmentStatus.NOTIFIED},
    AssessmentStatus.NOTIFIED: {AssessmentStatus.CLOSED},
    AssessmentStatus.CLOSED: set(),
}


class NoticeStatus(models.TextChoices):
    SENT = "sent", _("sent")
    FEEDBACK = "feedback", _("feedback given")
    AGREED = "agreed", _("agreed")


NOTICE_TRANSITIONS: dict[str, set[str]] = {
    NoticeStatus.SENT: {NoticeStatus.FEEDBACK, NoticeStatus.AGREED},
    NoticeStatus.FEEDBACK: {NoticeStatus.FEEDBACK, NoticeStatus.AGREED},
    NoticeStatus.AGREED: set(),
}


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", pgettext_lazy("ApprovalDecision", "approved")
    REJECTED = "rejected", pgettext_lazy("ApprovalDecision", "rejected")


# --- audits of the CMO (arts. 13, 14) --------------------------------------------------------------


class AuditMode(models.TextChoices):
    ON_SITE = "on_site", _("on-site audit")
    REMOTE = "remote", _("remote audit")


class AuditStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("AuditStatus", "planned")
    CONDUCTED = "conducted", _("conducted")
    REPORTED = "reported", _("reported")
    CLOSED = "closed", pgettext_lazy("AuditStatus", "closed")
    CANCELLED = "cancelled", _("cancelled")


AUDIT_TRANSITIONS: dict[str, set[str]] = {
    AuditStatus.PLANNED: {AuditStatus.CONDUCTED, AuditStatus.CANCELLED},
    AuditStatus.CONDUCTED: {AuditStatus.REPORTED},
    AuditStatus.REPORTED: {AuditStatus.CLOSED},
    AuditStatus.CLOSED: set(),
    AuditStatus.CANCELLED: set(),
}


class FindingSeverity(models.TextChoices):
    """As inspection defects are graded (缺陷：严重/主要/一般)."""

    CRITICAL = "critical", pgettext_lazy("FindingSeverity", "critical")
    MAJOR = "major", pgettext_lazy("FindingSeverity", "major")
    OTHER = "other", pgettext_lazy("FindingSeverity", "other")


# --- deadlines ("my deadlines", the reminder mail) ------------------------------------------------


class DeadlineKind(models.TextChoices):
    """What a deadline asks of the user's organisation: one name per kind, for the page and the mail."""

    ACKNOWLEDGE = "acknowledge", _("acknowledge the event")
    CAPA = "capa", _("implement the CAPA")
    CHANGE_CLASSIFY = "change_classify", _("classify the change")
    CHANGE_DECIDE = "change_decide", _("decide on the change")
    NOTICE_FEEDBACK = "notice_feedback", _("give feedback on a shared-line notice")
    CAPA_APPROVAL = "capa_approval", _("approve a CAPA")
    AUDIT_REPORT = "audit_report", _("issue the audit report")
    FINDING_RESPONSE = "finding_response", _("respond to an audit finding")
