"""Loading a year's holiday schedule (``core.models.CalendarYear``), ledgered: the calendar's one write.

Views, the API and management commands call these; none of them saves a core model itself.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy

from weituo.access.parties import require_writer
from weituo.core.actors import Actor
from weituo.core.calendar import YearSchedule, schedule_problems
from weituo.core.i18n import detail, validation_failed
from weituo.core.models import CalendarYear
from weituo.integrity import writes


@transaction.atomic
def calendar_year_load(*, actor: Actor, schedule: YearSchedule) -> CalendarYear:
    """Store the holiday schedule of one year, replacing any schedule loaded before for that year.

    ``actor`` is a system actor when an admin loads the file from the command line. Raises
    :class:`~weituo.core.errors.ValidationFailed` (and writes nothing) if the schedule contradicts
    itself, since a schedule can be built in code without going through the file reader.
    """
    require_writer(actor)
    problems = schedule_problems(schedule)
    max_source = CalendarYear._meta.get_field("source").max_length
    if max_source is not None and len(schedule.source) > max_source:
        # SQLite would store it anyway; PostgreSQL would fail mid-transaction with a bare DataError.
        problems.append(
            detail(
                gettext_lazy("source is too long: %(source)s characters, at most %(max_source)s"),
                source=len(schedule.source),
                max_source=max_source,
                field="source",
            )
        )
    if problems:
        raise validation_failed(problems, what=gettext_lazy("holiday schedule"))
    values = {
        "holidays": sorted(d.isoformat() for d in schedule.holidays),
        "workdays": sorted(d.isoformat() for d in schedule.workdays),
        "source": schedule.source,
        "loaded_by_id": actor.user_id,
    }
    previous = CalendarYear.objects.select_for_update().filter(year=schedule.year).first()
    if previous is None:
        return writes.create(actor, CalendarYear(year=schedule.year, **values), reason=schedule.source)
    return writes.record_update(actor=actor, instance=previous, reason=schedule.source, **values)
