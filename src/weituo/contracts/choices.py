"""Enumerations of commission contracts and structured quality agreements."""

from __future__ import annotations

from django.db import models


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "草稿 draft"
    IN_FORCE = "in_force", "生效 in force"
    TERMINATED = "terminated", "已终止 terminated"


# The only status changes allowed; services refuse any other (nobody assigns .status by hand).
CONTRACT_TRANSITIONS: dict[str, set[str]] = {
    ContractStatus.DRAFT: {ContractStatus.IN_FORCE, ContractStatus.TERMINATED},
    ContractStatus.IN_FORCE: {ContractStatus.TERMINATED},
    ContractStatus.TERMINATED: set(),
}


class Party(models.TextChoices):
    MAH = "mah", "持有人 MAH"
    CMO = "cmo", "受托方 CMO"
    BOTH = "both", "双方 both"
    UNASSIGNED = "unassigned", "未明确 unassigned"


class Activity(models.TextChoices):
    """Activities a responsibility matrix assigns (GMP annex on contract manufacturing, art. 15 of 134)."""

    MATERIAL_PURCHASING = "material_purchasing", "物料采购 material purchasing"
    SUPPLIER_AUDIT = "supplier_audit", "供应商审计 supplier audit"
    INCOMING_TESTING = "incoming_testing", "物料检验 incoming material testing"
    RELEASE_TESTING = "release_testing", "成品检验 release testing"
    FACTORY_RELEASE = "factory_release", "出厂放行 factory release"
    MARKET_RELEASE = "market_release", "上市放行 market release"
    RETENTION = "retention", "留样 retained samples"
    STABILITY = "stability", "持续稳定性考察 ongoing stability"
    DEVIATION_HANDLING = "deviation_handling", "偏差处理 deviation handling"
    CHANGE_APPROVAL = "change_approval", "变更批准 change approval"
    OOS_INVESTIGATION = "oos_investigation", "OOS/OOT调查 OOS/OOT investigation"
    COMPLAINTS = "complaints", "投诉处理 complaints"
    RECALL = "recall", "召回 recall"
    PHARMACOVIGILANCE = "pharmacovigilance", "药物警戒 pharmacovigilance"
    REVALIDATION = "revalidation", "再验证（周期） revalidation (period)"
    RECORD_ARCHIVING = "record_archiving", "记录归档 record archiving"
    ANNUAL_REVIEW = "annual_review", "年度产品质量回顾 annual product quality review"


class CommunicationCategory(models.TextChoices):
    """The communication list. The first eight are the minimum of Notice 2025-134 art. 7."""

    DEVIATION = "deviation", "偏差 deviation"
    CHANGE = "change", "变更 change"
    OOS_OOT = "oos_oot", "检验结果超标/超趋势 OOS/OOT"
    VALIDATION = "validation", "确认与验证 qualification and validation"
    RETENTION_STABILITY = "retention_stability", "留样和稳定性考察 retained samples and stability"
    PHARMACOVIGILANCE = "pharmacovigilance", "药物警戒 pharmacovigilance"
    REGULATORY_INSPECTION = "regulatory_inspection", "接受药品监督管理部门检查情况 regulatory inspection"
    CREDIT_RECORD = "credit_record", "不良信用记录 adverse credit record"
    COMPLAINT = "complaint", "投诉 complaint"
    RECALL = "recall", "召回 recall"
    OTHER = "other", "其他 other"


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
    SYSTEM = "system", "系统通知 in the system"
    EMAIL = "email", "电子邮件 email"
    PHONE = "phone", "电话 phone"
    LETTER = "letter", "书面函件 letter"
    MEETING = "meeting", "会议 meeting"


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "工作日 working days"
    HOURS = "hours", "小时 hours"


class EvaluationConclusion(models.TextChoices):
    ACCEPTABLE = "acceptable", "符合要求 acceptable"
    NOT_ACCEPTABLE = "not_acceptable", "不符合要求 not acceptable"


# --- technology transfer (Notice 2025-134 art. 4) ------------------------------------------------


class TransferStep(models.TextChoices):
    """The recorded steps of a technology transfer, in the order they are done (art. 4 (2)–(5)).

    Each value names the ``TechTransfer`` date field ``<value>_on`` that the rules read.
    """

    PLAN_REVIEWED = "plan_reviewed", "(2) 技术转移方案可行性审核 transfer plan feasibility reviewed"
    EQUIPMENT_QUALIFIED = "equipment_qualified", "(3) 设施设备确认 facilities and equipment qualified"
    CLEANING_VALIDATED = "cleaning_validated", "(3) 清洁方法验证 cleaning method validated"
    ANALYTICAL_VALIDATED = "analytical_validated", "(3) 分析方法验证 analytical methods validated"
    PROCESS_VALIDATED = "process_validated", "(3) 生产工艺验证 manufacturing process validated"
    SHARED_LINE_ASSESSED = "shared_line_assessed", "(3) 共线生产风险评估 shared-line risk assessed"
    REPORT_REVIEWED = "report_reviewed", "(4) 技术转移报告审核 transfer report reviewed"
    MASTER_DOCUMENTS_APPROVED = (
        "master_documents_approved",
        "(5) 工艺规程、空白批记录经持有人批准 master documents approved by the MAH",
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

    OPEN = "open", "待处置 open"
    CONTROLLED = "controlled", "已控制 controlled"
    STOPPED = "stopped", "已停止合作 stopped"


TRANSFER_RISK_TRANSITIONS: dict[str, set[str]] = {
    TransferRiskStatus.OPEN: {TransferRiskStatus.CONTROLLED, TransferRiskStatus.STOPPED},
    TransferRiskStatus.CONTROLLED: set(),
    TransferRiskStatus.STOPPED: set(),
}
