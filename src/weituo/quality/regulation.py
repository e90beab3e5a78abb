"""The numbers of Notice 2025-134 that the quality and batch services enforce, read from the rules
package (``rules/notices/n2025_134/parameters.yaml``), where each is dated and cited: a change of the
notice is one edit there, and the services and the compliance rules cannot disagree.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from weituo.rules import parameter
from weituo.rules.engine import ParameterValue

NOTICE_134 = "2025-134"


def _in_force(name: str, on: dt.date | None) -> ParameterValue | None:
    """The parameter on ``on`` (today if not given); ``None`` before the notice applied."""
    try:
        return parameter(NOTICE_134, name, on or timezone.localdate())
    except LookupError:
        return None


def batches_after_major_change(on: dt.date) -> int:
    """Art. 11: how many first batches after a major change carry the retention and stability duties;
    none for a change implemented before the notice applied, which it does not reach."""
    value = _in_force("batches_after_major_change", on)
    return int(value.value) if value is not None else 0


def release_blocking_categories(on: dt.date | None = None) -> frozenset[str]:
    """Art. 12: the quality-event categories whose open events on a batch block its release (before
    the notice applied, today's: GMP blocked such releases then too)."""
    value = _in_force("release_blocking_event_categories", on) or _in_force("release_blocking_event_categories", None)
    assert value is not None  # the notice is in force today
    return frozenset(value.value)


def art11_deviation_classes(on: dt.date | None = None) -> frozenset[str]:
    """Art. 11: the deviation classes ("重大偏差") whose batches carry both parties' retention and
    stability duties (before the notice applied, today's reading)."""
    value = _in_force("art11_deviation_classifications", on) or _in_force("art11_deviation_classifications", None)
    assert value is not None  # the notice is in force today
    return frozenset(value.value)


def art11_citation() -> str:
    """The citation a retention duty records as its basis (both languages, as the ledger shows it)."""
    value = _in_force("batches_after_major_change", None)
    assert value is not None
    return f"{value.citation.label_zh} / {value.citation.label_en}"
