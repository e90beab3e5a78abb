"""Every write of the quality app, one module per workflow; the public services are re-exported here
so callers write ``from weituo.quality import services`` and ``services.event_raise(...)``."""

from .events import (
    agreement_in_force,
    capa_add,
    capa_check_effectiveness,
    capa_implement,
    deviation_close_problems,
    deviation_investigate,
    deviation_raise,
    deviation_reclassify,
    event_acknowledge,
    event_close,
    event_raise,
    event_withdraw,
    reclassification_decide,
    retention_obligation_fulfil,
)

__all__ = [
    "agreement_in_force",
    "capa_add",
    "capa_check_effectiveness",
    "capa_implement",
    "deviation_close_problems",
    "deviation_investigate",
    "deviation_raise",
    "deviation_reclassify",
    "event_acknowledge",
    "event_close",
    "event_raise",
    "event_withdraw",
    "reclassification_decide",
    "retention_obligation_fulfil",
]
