"""The quality app's models, one module per workflow: communication-list events and deviations
(``events``), change control (``changes``), shared-line assessment (``shared_line``) and audits of
the CMO (``audits``)."""

from .audits import Audit, AuditFinding
from .changes import Change
from .events import Capa, Deviation, QualityEvent, Reclassification, RetentionObligation
from .shared_line import CapaApproval, SharedLineAssessment, SharedLineNotice, SharedLineProductRisk

__all__ = [
    "Audit",
    "AuditFinding",
    "Capa",
    "CapaApproval",
    "Change",
    "Deviation",
    "QualityEvent",
    "Reclassification",
    "RetentionObligation",
    "SharedLineAssessment",
    "SharedLineNotice",
    "SharedLineProductRisk",
]
