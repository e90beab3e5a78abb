"""Calendar periods as the notices count them: months and years by the corresponding day, experience in years.

Periods in months or years end on the corresponding day of the final month (Civil Code art. 201–202:
the starting day is not counted; with no corresponding day, the last day of the month is the last
day of the period). Working days are the :class:`~weituo.core.calendar.WorkingCalendar`'s business.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable

DAYS_PER_YEAR = 365.25  # as weituo.registry.experience counts years of practice


def add_months(start: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later (or earlier, if negative); the month's last day if none."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, _calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def add_years(start: dt.date, years: int) -> dt.date:
    return add_months(start, 12 * years)


def union_years(spans: Iterable[tuple[dt.date, dt.date]]) -> float:
    """Length of the union of date spans, in years (overlaps count once), rounded as the registry does."""
    total = 0
    current_start: dt.date | None = None
    current_end: dt.date | None = None
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).days
    return round(total / DAYS_PER_YEAR, 2)
