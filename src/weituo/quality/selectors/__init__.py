"""Every read of the quality app, one module per workflow, re-exported here. Each takes the
``actor`` and narrows what it reads with the visibility policy (``blocking_events`` excepted, see there)."""

from .deadlines import Deadline, my_deadlines
from .events import (
    blocking_events,
    capa_list,
    deviation_get,
    event_get,
    event_list,
    event_trail,
    overdue_events,
    reclassification_list,
    retention_obligation_list,
)

__all__ = [
    "Deadline",
    "blocking_events",
    "capa_list",
    "deviation_get",
    "event_get",
    "event_list",
    "event_trail",
    "my_deadlines",
    "overdue_events",
    "reclassification_list",
    "retention_obligation_list",
]
