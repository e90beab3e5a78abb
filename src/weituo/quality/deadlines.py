"""When a quality event is due: its raised time plus the quality agreement's time limit.

A limit in working days counts Chinese working days (``core.calendar``: official holidays and the
adjusted working days) from the day the event was raised, in China Standard Time, that day being
day zero; the event is due at the end of the last working day. A day of a year whose holiday
schedule is not known yet is counted Monday to Friday and the deadline is marked provisional.
A limit in hours is simply added to the raised time.
"""

from __future__ import annotations

import datetime as dt

from weituo.contracts.choices import TimeUnit
from weituo.core.calendar import CHINA, WorkingCalendar


def due_at(
    raised_at: dt.datetime, time_limit: int | None, time_unit: str, calendar: WorkingCalendar
) -> tuple[dt.datetime | None, bool]:
    """``(due time, provisional?)``; ``(None, False)`` when there is no agreed time limit."""
    if raised_at.tzinfo is None:
        raise ValueError("raised_at must be an aware datetime")
    if not time_limit or not time_unit:
        return None, False
    if time_unit == TimeUnit.HOURS:
        return raised_at + dt.timedelta(hours=time_limit), False
    if time_unit != TimeUnit.WORKING_DAYS:
        raise ValueError(f"unknown time unit {time_unit!r}")
    answer = calendar.add_working_days(raised_at.astimezone(CHINA).date(), time_limit)
    return dt.datetime.combine(answer.value, dt.time.max, tzinfo=CHINA), answer.provisional


def end_of_day(day: dt.date) -> dt.datetime:
    """The end of a day in China Standard Time (a CAPA due on a date is due until that day ends)."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=CHINA)
