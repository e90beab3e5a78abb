"""The numbers of Notice 2025-134 that the quality and batch services enforce, read from the rules
package (``rules/notices/n2025_134/parameters.yaml``), where each is dated and cited: a change of the
notice is one edit there, and the services and the compliance rules cannot disagree.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from weituo.rules import parameter

NOTICE_134 = "2025-134"
_APPLIES = dt.date(2026, 1, 6)  # the notice's publication, from which it applies (art. 28)


def batches_after_major_change(on: dt.date) -> int:
    """Art. 11: how many first batches after a major change carry the retention and stability duties;
    none for a change implemented before the notice applied (2026-01-06), which it does not reach."""
    try:
        return int(parameter(NOTICE_134, "batches_after_major_change", on).value)
    except LookupError:
        return 0


def release_blocking_categories(on: dt.date | None = None) -> frozenset[str]:
    """Art. 12: the quality-event categories whose open events on a batch block its release."""
    on = max(on or timezone.localdate(), _APPLIES)  # GMP blocked such releases before the notice too
    return frozenset(parameter(NOTICE_134, "release_blocking_event_categories", on).value)


def art11_citation(on: dt.date | None = None) -> str:
    """The citation a retention duty records as its basis (both languages, as the ledger shows it)."""
    cited = parameter(NOTICE_134, "batches_after_major_change", max(on or timezone.localdate(), _APPLIES)).citation
    return f"国家药监局公告{cited.notice_id.replace('-', '年第')}号 第（十一）条 / {cited.label_en}"
