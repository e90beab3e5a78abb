"""``weituo calendar``: load a year's holiday schedule and ask working-day questions from the shell.

weituo calendar load FILE            load a .yaml/.json schedule (replaces that year's schedule)
weituo calendar show YEAR            where the year's working days come from, and its dates
weituo calendar add DATE N           the deadline "within N working days of DATE"
weituo calendar between DATE DATE    working days in (first DATE, second DATE]
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext, gettext_lazy

from weituo.core import selectors
from weituo.core.actors import system_actor
from weituo.core.calendar import read_schedule_file
from weituo.core.commands import Command as WeituoCommand
from weituo.core.commands import command_error
from weituo.core.errors import ValidationFailed
from weituo.registry import calendar_services


def _date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            gettext("cannot parse date %(text)s, expected YYYY-MM-DD") % {"text": repr(text)}
        ) from None


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            gettext("number of working days must be a whole number ≥ 0: %(text)s") % {"text": repr(text)}
        )
    return value


def _provisional_note(years: tuple[int, ...]) -> str:
    listed = ", ".join(map(str, years))
    note = gettext("(provisional) — no holiday schedule for %(years)s, Monday to Friday counted as working days")
    return " " + note % {"years": listed}


class Command(WeituoCommand):
    help = gettext_lazy("Working-day calendar: load a year's schedule, query it")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,show,add,between}")
        load = actions.add_parser("load", help=gettext_lazy("load a holiday schedule file"))
        load.add_argument("file", help=gettext_lazy(".yaml, .yml or .json"))
        show = actions.add_parser("show", help=gettext_lazy("show where a year's working days come from"))
        show.add_argument("year", type=int)
        add = actions.add_parser("add", help=gettext_lazy("deadline N working days after DATE"))
        add.add_argument("date", type=_date_argument)
        add.add_argument("n", type=_non_negative_int)
        between = actions.add_parser("between", help=gettext_lazy("working days in (START, END]"))
        between.add_argument("start", type=_date_argument)
        between.add_argument("end", type=_date_argument)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "load":
            self._load(options["file"])
        elif action == "show":
            self._show(options["year"])
        elif action == "add":
            answer = selectors.working_calendar().add_working_days(options["date"], options["n"])
            note = _provisional_note(answer.provisional_years) if answer.provisional else ""
            self.stdout.write(f"{answer.value.isoformat()}{note}")
        elif action == "between":
            count = selectors.working_calendar().working_days_between(options["start"], options["end"])
            note = _provisional_note(count.provisional_years) if count.provisional else ""
            self.stdout.write(f"{count.value}{note}")

    def _load(self, file: str) -> None:
        try:
            schedule = read_schedule_file(file)
            calendar_year = calendar_services.calendar_year_load(
                actor=system_actor(f"calendar load {file}"), schedule=schedule
            )
        except ValidationFailed as exc:
            raise command_error(exc) from exc
        self.stdout.write(
            self.style.SUCCESS(
                gettext(
                    "loaded the %(year)s schedule: %(holidays)d holidays, %(workdays)d adjusted workdays — %(source)s"
                )
                % {
                    "year": calendar_year.year,
                    "holidays": len(schedule.holidays),
                    "workdays": len(schedule.workdays),
                    "source": schedule.source,
                }
            )
        )

    def _show(self, year: int) -> None:
        calendar = selectors.working_calendar()
        coverage = calendar.coverage(year)
        if coverage.kind == "provisional":
            self.stdout.write(
                gettext(
                    "%(year)s: not covered: Monday to Friday counted as working days, "
                    "every answer that touches this year is provisional"
                )
                % {"year": year}
            )
            return
        if coverage.kind == "loaded":
            self.stdout.write(gettext("%(year)s: loaded — %(source)s") % {"year": year, "source": coverage.source})
        else:
            self.stdout.write(gettext("%(year)s: from %(source)s") % {"year": year, "source": coverage.source})
        schedule = calendar.year_schedule(year)
        assert schedule is not None  # covered years always have one
        self.stdout.write("  " + gettext("holidays (%(count)d):") % {"count": len(schedule.holidays)})
        for day in sorted(schedule.holidays):
            self.stdout.write(f"    {day.isoformat()} {WEEKDAYS_ABBR[day.weekday()]}")
        self.stdout.write("  " + gettext("adjusted workdays (%(count)d):") % {"count": len(schedule.workdays)})
        for day in sorted(schedule.workdays):
            self.stdout.write(f"    {day.isoformat()} {WEEKDAYS_ABBR[day.weekday()]}")
