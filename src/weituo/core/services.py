"""Every write of the core app, as ``<entity>_<action>(*, actor, ...)`` services.

Views, the API and management commands call these; none of them saves a core model itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from weituo.core.calendar import YearSchedule, schedule_problems
from weituo.core.errors import ErrorDetail, validation_failed
from weituo.core.models import CalendarYear
from weituo.core.validation import validate


@transaction.atomic
def calendar_year_load(*, actor: AbstractBaseUser | None, schedule: YearSchedule) -> CalendarYear:
    """Store the holiday schedule of one year, replacing any schedule loaded before for that year.

    ``actor`` is None when an admin loads the file from the command line. Raises
    :class:`~weituo.core.errors.ValidationFailed` (and writes nothing) if the schedule contradicts
    itself, since a schedule can be built in code without going through the file reader.
    """
    problems = schedule_problems(schedule)
    max_source = CalendarYear._meta.get_field("source").max_length
    if max_source is not None and len(schedule.source) > max_source:
        # SQLite would store it anyway; PostgreSQL would fail mid-transaction with a bare DataError.
        problems.append(
            ErrorDetail(
                message_zh=f"来源 source 过长：{len(schedule.source)} 个字符，最多 {max_source} 个",
                message_en=f"source is too long: {len(schedule.source)} characters, at most {max_source}",
                field="source",
            )
        )
    if problems:
        raise validation_failed(problems, what_zh="节假日安排", what_en="holiday schedule")
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=schedule.year,
        defaults={
            "holidays": sorted(d.isoformat() for d in schedule.holidays),
            "workdays": sorted(d.isoformat() for d in schedule.workdays),
            "source": schedule.source,
            "loaded_by": actor,
        },
    )
    # The audit ledger entry (old and new schedule, actor) is written here, in this transaction,
    # once the integrity app provides ledger_append.
    return calendar_year


@transaction.atomic
def record_create(*, actor: AbstractBaseUser | None, model: type[models.Model], **fields: Any) -> models.Model:
    """Validate and store a new record of any model; the shared body of the apps' ``<entity>_create``."""
    instance = model(**fields)
    validate(instance)
    instance.save()
    # The audit ledger entry (new values, actor) is written here once the integrity app exists.
    return instance


@transaction.atomic
def record_update(*, actor: AbstractBaseUser | None, instance: models.Model, **fields: Any) -> models.Model:
    """Validate and store changes to a record; ``status`` fields are refused (they change by transition)."""
    if "status" in fields:
        raise ValueError("status changes go through the entity's transition service")
    for name, value in fields.items():
        instance._meta.get_field(name)  # an unknown field is a programming error, raised here
        setattr(instance, name, value)
    validate(instance)
    instance.save()
    return instance
