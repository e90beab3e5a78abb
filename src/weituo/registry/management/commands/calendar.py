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

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weituo.core import selectors
from weituo.core.actors import system_actor
from weituo.core.calendar import read_schedule_file
from weituo.core.errors import ValidationFailed
from weituo.registry import calendar_services


def _date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期无法解析 {text!r}，应为 YYYY-MM-DD / cannot parse date {text!r}, expected YYYY-MM-DD"
        ) from None


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"工作日数应为非负整数：{text!r} / number of working days must be a whole number ≥ 0: {text!r}"
        )
    return value


def _provisional_note(years: tuple[int, ...]) -> str:
    listed = ", ".join(map(str, years))
    return (
        f" (provisional 暂定) — {listed} 年节假日安排未知，按周一至周五计算 / "
        f"no holiday schedule for {listed}, Monday to Friday counted as working days"
    )


class Command(BaseCommand):
    help = "工作日历：载入年度节假日安排、查询工作日 / Working-day calendar: load a year's schedule, query it"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,show,add,between}")
        load = actions.add_parser("load", help="载入节假日安排文件 / load a holiday schedule file")
        load.add_argument("file", help=".yaml, .yml or .json")
        show = actions.add_parser("show", help="显示年度覆盖情况 / show where a year's working days come from")
        show.add_argument("year", type=int)
        add = actions.add_parser("add", help="N 个工作日后的期限 / deadline N working days after DATE")
        add.add_argument("date", type=_date_argument)
        add.add_argument("n", type=_non_negative_int)
        between = actions.add_parser("between", help="两日期间的工作日数 / working days in (START, END]")
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
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入 {calendar_year.year} 年节假日安排 / loaded the {calendar_year.year} schedule: "
                f"{len(schedule.holidays)} 天节假日 holidays, {len(schedule.workdays)} 天调休上班 "
                f"adjusted workdays — {schedule.source}"
            )
        )

    def _show(self, year: int) -> None:
        calendar = selectors.working_calendar()
        coverage = calendar.coverage(year)
        if coverage.kind == "provisional":
            self.stdout.write(
                f"{year}: 未覆盖，按周一至周五工作计算，结果为暂定 / not covered: Monday to Friday "
                "counted as working days, every answer that touches this year is provisional"
            )
            return
        if coverage.kind == "loaded":
            self.stdout.write(f"{year}: 已载入 / loaded — {coverage.source}")
        else:
            self.stdout.write(f"{year}: 来自 / from {coverage.source}")
        schedule = calendar.year_schedule(year)
        assert schedule is not None  # covered years always have one
        self.stdout.write(f"  法定节假日 holidays ({len(schedule.holidays)}):")
        for day in sorted(schedule.holidays):
            self.stdout.write(f"    {day.isoformat()} {day.strftime('%a')}")
        self.stdout.write(f"  调休上班日 adjusted workdays ({len(schedule.workdays)}):")
        for day in sorted(schedule.workdays):
            self.stdout.write(f"    {day.isoformat()} {day.strftime('%a')}")
