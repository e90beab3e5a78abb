"""Every read of the core app.

The holiday schedules are public information, the same for every organisation, so these reads take
no actor and apply no visibility policy.
"""

from __future__ import annotations

import datetime as dt

from weituo.core.calendar import WorkingCalendar, YearSchedule
from weituo.core.models import CalendarYear


def working_calendar() -> WorkingCalendar:
    """The working-day calendar: chinesecalendar plus every schedule an admin has loaded."""
    return WorkingCalendar(
        {
            row.year: YearSchedule(
                year=row.year,
                holidays=frozenset(dt.date.fromisoformat(d) for d in row.holidays),
                workdays=frozenset(dt.date.fromisoformat(d) for d in row.workdays),
                source=row.source,
            )
            for row in CalendarYear.objects.all()
        }
    )
