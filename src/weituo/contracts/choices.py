"""Enumerations of commission contracts and structured quality agreements."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.core.roles import Party


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_FORCE = "in_force", _("in force")
    TERMINATED = "terminated", _("terminated")


# The only status changes allowed; services refuse any other (nobody assigns .status by hand).
CONTRACT_TRANSITIONS: dict[str, set[str]] = {
    ContractStatus.DRAFT: {ContractStatus.IN_FORCE, ContractStatus.TERMINATED},
    ContractStatus.IN_FORCE: {ContractStatus.TERMINATED},
    ContractStatus.TERMINATED: set(),
}


class Assignee(models.TextChoices):
    """Whom a quality agreement assigns a duty to: one party, both, or (a gap the rules report) nobody."""

    MAH = "mah", pgettext_lazy("Assignee", "MAH")
    CMO = "cmo", pgettext_lazy("Assignee", "CMO")
    BOTH = "both", _("both")
    UNASSIGNED = "unassigned", _("unassigned")


class Activity(models.TextChoices):
    """Activities a responsibility matrix assigns (GMP annex on contract manufacturing, art. 15 of 134)."""

    MATERIAL_PURCHASING = "material_purchasing", _("material purchasing")
    SUPPLIER_AUDIT = "supplier_audit", _("supplier audit")
    INCOMING_TESTING = "incoming_testing", _("incoming material testing")
    RELEASE_TESTING = "release_testing", _("release testing")
    FACTORY_RELEASE = "factory_release", pgettext_lazy("Activity", "factory release")
    MARKET_RELEASE = "market_release", _("market release")
    RETENTION = "retention", _("retained samples")
    STABILITY = "stability", _("ongoing stability")
    DEVIATION_HANDLING = "deviation_handling", _("deviation handling")
    CAPA = "capa", _("corrective and preventive action (CAPA)")  # device notice 2024-38 art. 9
    CHANGE_APPROVAL = "change_approval", _("change approval")
    OOS_INVESTIGATION = "oos_investigation", _("OOS/OOT investigation")
    COMPLAINTS = "complaints", _("complaints")
    RECALL = "recall", _("recall")
    PHARMACOVIGILANCE = "pharmacovigilance", _("pharmacovigilance")
    REVALIDATION = "revalidation", _("revalidation (period)")
    RECORD_ARCHIVING = "record_archiving", _("record archiving")
    ANNUAL_REVIEW = "annual_review", _("annual product quality review")


class CommunicationCategory(models.TextChoices):
    """The communication list. The first eight are the minimum of Notice 2025-134 art. 7."""

    DEVIATION = "deviation", _("deviation")
    CHANGE = "change", _("change")
    OOS_OOT = "oos_oot", _("OOS/OOT")
    VALIDATION = "validation", _("qualification and validation")
    RETENTION_STABILITY = "retention_stability", _("retained samples and stability")
    PHARMACOVIGILANCE = "pharmacovigilance", _("pharmacovigilance")
    REGULATORY_INSPECTION = "regulatory_inspection", _("regulatory inspection")
    CREDIT_RECORD = "credit_record", _("adverse credit record")
    COMPLAINT = "complaint", _("complaint")
    RECALL = "recall", _("recall")
    OTHER = "other", pgettext_lazy("CommunicationCategory", "other")


ART7_CATEGORIES: tuple[str, ...] = (
    CommunicationCategory.DEVIATION,
    CommunicationCategory.CHANGE,
    CommunicationCategory.OOS_OOT,
    CommunicationCategory.VALIDATION,
    CommunicationCategory.RETENTION_STABILITY,
    CommunicationCategory.PHARMACOVIGILANCE,
    CommunicationCategory.REGULATORY_INSPECTION,
    CommunicationCategory.CREDIT_RECORD,
)


class Channel(models.TextChoices):
    SYSTEM = "system", _("in the system")
    EMAIL = "email", _("email")
    PHONE = "phone", _("phone")
    LETTER = "letter", _("letter")
    MEETING = "meeting", _("meeting")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    HOURS = "hours", _("hours")


class EvaluationConclusion(models.TextChoices):
    ACCEPTABLE = "acceptable", _("acceptable")
    NOT_ACCEPTABLE = "not_acceptable", _("not acceptable")


# --- technology transfer (Notice 2025-134 art. 4) ------------------------------------------------


class TransferStep(models.TextChoices):
    """The recorded steps of a technology transfer, in the order they are done (art. 4 (2)–(5)).

    Each value names the ``TechTransfer`` date field ``<value>_on`` that the rules read.
    """

    PLAN_REVIEWED = "plan_reviewed", _("(2) transfer plan feasibility reviewed")
    EQUIPMENT_QUALIFIED = "equipment_qualified", _("(3) facilities and equipment qualified")
    CLEANING_VALIDATED = "cleaning_validated", _("(3) cleaning method validated")
    ANALYTICAL_VALIDATED = "analytical_validated", _("(3) analytical methods validated")
    PROCESS_VALIDATED = "process_validated", _("(3) manufacturing process validated")
    SHARED_LINE_ASSESSED = "shared_line_assessed", _("(3) shared-line risk assessed")
    REPORT_REVIEWED = "report_reviewed", _("(4) transfer report reviewed")
    MASTER_DOCUMENTS_APPROVED = (
        "master_documents_approved",
        _("(5) master documents approved by the MAH"),
    )


# Whose duty each step is. Art. 4 gives duties (1)–(5) to the CMO ("受托生产企业在技术转移过程中应当做好
# 以下工作"); in (5) the CMO drafts the master documents and the MAH approves them ("并经持有人审核批准"),
# so the recorded step — the approval — is the MAH's.
TRANSFER_STEP_PARTY: dict[str, str] = {
    **{step: Party.CMO for step in TransferStep.values},
    TransferStep.MASTER_DOCUMENTS_APPROVED: Party.MAH,
}


class TransferRiskStatus(models.TextChoices):
    """A risk found during a transfer (art. 4: "立即沟通并采取措施控制风险；风险难以有效控制的，应当停止合作")."""

    OPEN = "open", pgettext_lazy("TransferRiskStatus", "open")
    CONTROLLED = "controlled", _("controlled")
    STOPPED = "stopped", _("stopped")


TRANSFER_RISK_TRANSITIONS: dict[str, set[str]] = {
    TransferRiskStatus.OPEN: {TransferRiskStatus.CONTROLLED, TransferRiskStatus.STOPPED},
    TransferRiskStatus.CONTROLLED: set(),
    TransferRiskStatus.STOPPED: set(),
}
