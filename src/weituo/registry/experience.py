"""Years of practice from a person's CV periods, as Notice 2025-134 art. 17 counts them.

Overlapping periods count once (two jobs at once are not two years of experience); an open period
runs to the date of assessment. Pure Python: the rules engine receives the figures, not the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

DAYS_PER_YEAR = 365.25
PRACTICE = {"production", "quality"}  # art. 17: 从事药品生产和质量管理的实践经验


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date | None
    activity: str
    sterile: bool = False
    tcm_injection: bool = False
    multicomponent_biochemical: bool = False


@dataclass(frozen=True)
class PracticeYears:
    practice: float  # drug production and quality management
    sterile: float  # of which sterile products
    tcm_injection: float  # of which TCM injections
    multicomponent_biochemical: float  # of which multi-component biochemical drugs


def union_years(spans: Iterable[tuple[dt.date, dt.date]]) -> float:
    """Length of the union of date spans, in years."""
    total = 0
    current_start = current_end = None
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).days
    return round(total / DAYS_PER_YEAR, 2)


def practice_years(periods: Iterable[Period], *, as_of: dt.date) -> PracticeYears:
    spans = [(p, (p.start, min(p.end or as_of, as_of))) for p in periods if p.activity in PRACTICE and p.start <= as_of]
    return PracticeYears(
        practice=union_years(s for _, s in spans),
        sterile=union_years(s for p, s in spans if p.sterile),
        tcm_injection=union_years(s for p, s in spans if p.tcm_injection),
        multicomponent_biochemical=union_years(s for p, s in spans if p.multicomponent_biochemical),
    )
