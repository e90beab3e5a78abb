"""Chinese working days: official holidays and the adjusted working days (调休) that replace them.

Deadlines in the NMPA notices are counted in working days, and the State Council moves working days
onto weekends around most holidays, so "Monday to Friday" is wrong several times a year.
``chinesecalendar`` knows the published schedules up to the last year it was released for; a later
year is loaded by an admin from a data file (see ``weituo/core/data/calendar/README.md``), and until
then its days are counted as Monday to Friday and every answer that touched it says so
(``provisional``), instead of crashing or silently pretending to be exact.

This module is pure Python (no Django): the rule engine receives a :class:`WorkingCalendar` built by
``weituo.core.selectors.working_calendar`` and never reads the database itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import chinese_calendar
import yaml

from weituo.core.errors import ErrorDetail, ValidationFailed

# China's one time zone: the notices' days and every time shown to a person are Beijing time.
CHINA = ZoneInfo("Asia/Shanghai")

__all__ = [
    "CHINA",
    "CountAnswer",
    "DateAnswer",
    "WorkingCalendar",
    "YearCoverage",
    "YearSchedule",
    "chinese_calendar_supports",
    "parse_schedule",
    "read_schedule_file",
    "schedule_problems",
]

_ONE_DAY = dt.timedelta(days=1)
# Strict on purpose: date.fromisoformat also accepts "20270205" and "2027-W05-1", which in a
# hand-edited holiday file are far more likely to be typos than intent.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE_SEPARATOR = ".."
_KNOWN_FIELDS = frozenset({"year", "source", "holidays", "workdays"})
_WEEKDAY_ZH = "一二三四五六日"


@dataclass(frozen=True)
class YearSchedule:
    """The holiday schedule of one year, as published by the General Office of the State Council.

    ``holidays`` may include weekend days of a holiday period (they are non-working either way);
    ``workdays`` are only the adjusted working days, which always fall on a Saturday or Sunday.
    """

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str


@dataclass(frozen=True)
class DateAnswer:
    """A computed date, and whether it rests on a year whose schedule is not known."""

    value: dt.date
    provisional: bool
    provisional_years: tuple[int, ...]


@dataclass(frozen=True)
class CountAnswer:
    """A computed number of working days, and whether it rests on a year whose schedule is not known."""

    value: int
    provisional: bool
    provisional_years: tuple[int, ...]


@dataclass(frozen=True)
class YearCoverage:
    """Where the working days of a year come from."""

    year: int
    kind: Literal["loaded", "chinesecalendar", "provisional"]
    source: str | None


# --------------------------------------------------------------------------------------------------
# chinesecalendar support


@cache
def chinese_calendar_supports(year: int) -> bool:
    """Whether ``chinesecalendar`` has the official schedule of ``year``.

    Asked once per year and cached: the library raises NotImplementedError for any date of a year
    it has no data for, and that must never reach a user as a crash.
    """
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return False
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _chinese_calendar_years() -> list[int]:
    candidates = {d.year for d in chinese_calendar.holidays}
    return sorted(y for y in candidates if chinese_calendar_supports(y))


def _chinese_calendar_schedule(year: int) -> YearSchedule:
    return YearSchedule(
        year=year,
        holidays=frozenset(d for d in chinese_calendar.holidays if d.year == year),
        workdays=frozenset(d for d in chinese_calendar.workdays if d.year == year),
        source=f"chinesecalendar {chinese_calendar.__version__}",
    )


# --------------------------------------------------------------------------------------------------
# Reading schedule files


def _describe(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _parse_one_date(value: Any, field: str, errors: list[ErrorDetail]) -> dt.date | None:
    # YAML turns an unquoted 2027-02-05 into a date and "2027-02-05 08:00" into a datetime; the
    # latter is a date subclass but a time of day in a holiday list means the file is wrong.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.append(
        ErrorDetail(
            message_zh=f"{field} 的日期无法解析：{_describe(value)}（应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD）",
            message_en=(
                f"{field}: cannot parse date {_describe(value)} (expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)"
            ),
            field=field,
        )
    )
    return None


def _parse_date_item(value: Any, field: str, errors: list[ErrorDetail]) -> list[dt.date]:
    if isinstance(value, str) and _RANGE_SEPARATOR in value:
        first_text, _, last_text = value.partition(_RANGE_SEPARATOR)
        before = len(errors)
        first = _parse_one_date(first_text, field, errors)
        last = _parse_one_date(last_text, field, errors)
        if first is None or last is None:
            # Name the whole range the admin wrote, not only the half we failed on.
            errors[before:] = [
                ErrorDetail(
                    message_zh=f"{field} 的日期范围无法解析：{value!r}（应为 YYYY-MM-DD..YYYY-MM-DD）",
                    message_en=f"{field}: cannot parse date range {value!r} (expected YYYY-MM-DD..YYYY-MM-DD)",
                    field=field,
                )
            ]
            return []
        if last < first:
            errors.append(
                ErrorDetail(
                    message_zh=f"{field} 的日期范围结束早于开始：{value!r}",
                    message_en=f"{field}: date range ends before it starts: {value!r}",
                    field=field,
                )
            )
            return []
        return [first + _ONE_DAY * i for i in range((last - first).days + 1)]
    day = _parse_one_date(value, field, errors)
    return [] if day is None else [day]


def _parse_date_list(data: Mapping[str, Any], name: str, errors: list[ErrorDetail]) -> set[dt.date]:
    raw = data.get(name)
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        errors.append(
            ErrorDetail(
                message_zh=f"{name} 应为日期列表，实为：{_describe(raw)}",
                message_en=f"{name} must be a list of dates, got: {_describe(raw)}",
                field=name,
            )
        )
        return set()
    days: set[dt.date] = set()
    for index, item in enumerate(raw):
        days.update(_parse_date_item(item, f"{name}[{index}]", errors))
    return days


def _parse_year(data: Mapping[str, Any], errors: list[ErrorDetail]) -> int | None:
    if "year" not in data or data["year"] is None:
        errors.append(ErrorDetail(message_zh="缺少年份 year", message_en="year is missing", field="year"))
        return None
    raw = data["year"]
    year: int | None = None
    # bool is an int subclass; "year: yes" must not become year 1.
    if isinstance(raw, int) and not isinstance(raw, bool):
        year = raw
    elif isinstance(raw, str) and raw.strip().isdigit():
        year = int(raw.strip())
    if year is None or not dt.MINYEAR <= year <= dt.MAXYEAR:
        errors.append(
            ErrorDetail(
                message_zh=f"年份 year 无效：{_describe(raw)}",
                message_en=f"year is not a valid year: {_describe(raw)}",
                field="year",
            )
        )
        return None
    return year


def schedule_problems(schedule: YearSchedule, *, empty_holidays: bool = True) -> list[ErrorDetail]:
    """What is wrong with a schedule as a whole (empty when it is consistent).

    Shared by the file reader and the load service, so that a schedule built in code cannot get
    into the database with a contradiction the file reader would have refused. ``empty_holidays=False``
    skips the "no holidays" complaint, for a file whose holiday entries were all unreadable and are
    already reported one by one.
    """
    problems: list[ErrorDetail] = []
    year = schedule.year
    if not schedule.source or not schedule.source.strip():
        problems.append(
            ErrorDetail(
                message_zh="缺少来源 source（国务院办公厅通知的名称）",
                message_en="source is missing (the title of the State Council General Office notice)",
                field="source",
            )
        )
    if empty_holidays and not schedule.holidays:
        problems.append(
            ErrorDetail(
                message_zh=f"{year} 年没有列出任何法定节假日 holidays",
                message_en=f"holidays lists no day for {year}",
                field="holidays",
            )
        )
    for name, days in (("holidays", schedule.holidays), ("workdays", schedule.workdays)):
        for day in sorted(days):
            if day.year != year:
                problems.append(
                    ErrorDetail(
                        message_zh=f"{name} 中的日期 {day.isoformat()} 不在所声明的年份 {year} 内",
                        message_en=f"{name}: date {day.isoformat()} is outside the declared year {year}",
                        field=name,
                    )
                )
    for day in sorted(schedule.holidays & schedule.workdays):
        problems.append(
            ErrorDetail(
                message_zh=f"日期 {day.isoformat()} 同时列为法定节假日 holidays 和调休上班日 workdays",
                message_en=f"date {day.isoformat()} is listed both in holidays and in workdays",
                field="workdays",
            )
        )
    for day in sorted(schedule.workdays):
        if day.weekday() < 5:
            problems.append(
                ErrorDetail(
                    message_zh=(
                        f"workdays 中的 {day.isoformat()} 是星期{_WEEKDAY_ZH[day.weekday()]}，"
                        "调休上班日只能是星期六或星期日"
                    ),
                    message_en=(
                        f"workdays: {day.isoformat()} is a {day.strftime('%A')}; "
                        "an adjusted working day must be a Saturday or Sunday"
                    ),
                    field="workdays",
                )
            )
    return problems


def _refused(details: list[ErrorDetail]) -> ValidationFailed:
    # This module stays free of Django (the rules package, which is pure, reads working days through
    # it), so its messages are written in both languages here rather than through the catalogue.
    return ValidationFailed(
        code="validation_failed",
        message_zh=f"节假日安排文件有{len(details)}处错误，未写入任何数据",
        message_en=f"holiday schedule file has {len(details)} error(s); nothing was written",
        details=details,
    )


def parse_schedule(data: Mapping[str, Any]) -> YearSchedule:
    """Build a :class:`YearSchedule` from the parsed content of a schedule file.

    Reports every problem at once (not only the first), so an admin fixes the file in one pass.
    Raises :class:`~weituo.core.errors.ValidationFailed`.
    """
    if not isinstance(data, Mapping):
        raise _refused(
            [
                ErrorDetail(
                    message_zh=f"文件内容应为键值映射（year、source、holidays、workdays），实为：{_describe(data)}",
                    message_en=(
                        f"the file must contain a mapping (year, source, holidays, workdays), got: {_describe(data)}"
                    ),
                )
            ],
        )
    errors: list[ErrorDetail] = []
    for key in sorted(set(map(str, data)) - _KNOWN_FIELDS):
        # A misspelt "holiday:" would otherwise silently load a year without holidays.
        errors.append(
            ErrorDetail(
                message_zh=f"未知字段 {key!r}（允许：year、source、holidays、workdays）",
                message_en=f"unknown field {key!r} (allowed: year, source, holidays, workdays)",
                field=key,
            )
        )
    year = _parse_year(data, errors)
    raw_source = data.get("source")
    if raw_source is not None and not isinstance(raw_source, str):
        errors.append(
            ErrorDetail(
                message_zh=f"来源 source 应为文字，实为：{_describe(raw_source)}",
                message_en=f"source must be text, got: {_describe(raw_source)}",
                field="source",
            )
        )
        raw_source = None
    source = (raw_source or "").strip()
    holidays = _parse_date_list(data, "holidays", errors)
    workdays = _parse_date_list(data, "workdays", errors)
    if year is None:
        if not source:
            errors.append(
                ErrorDetail(
                    message_zh="缺少来源 source（国务院办公厅通知的名称）",
                    message_en="source is missing (the title of the State Council General Office notice)",
                    field="source",
                )
            )
        raise _refused(errors)
    schedule = YearSchedule(year=year, holidays=frozenset(holidays), workdays=frozenset(workdays), source=source)
    holidays_unreadable = any((e.field or "").startswith("holidays") for e in errors)
    errors.extend(schedule_problems(schedule, empty_holidays=not holidays_unreadable))
    if errors:
        raise _refused(errors)
    return schedule


def read_schedule_file(path: str | Path) -> YearSchedule:
    """Read a schedule from a ``.yaml``/``.yml`` or ``.json`` file; see :func:`parse_schedule`."""
    path = Path(path)

    def fail(message_zh: str, message_en: str) -> ValidationFailed:
        return _refused([ErrorDetail(message_zh=message_zh, message_en=message_en, field=str(path))])

    suffix = path.suffix.lower()
    if suffix not in {".yaml", ".yml", ".json"}:
        raise fail(
            f"不支持的文件类型 {path.suffix!r}：应为 .yaml、.yml 或 .json",
            f"unsupported file type {path.suffix!r}: expected .yaml, .yml or .json",
        )
    try:
        # utf-8-sig: files saved by Windows Notepad on a plant's PC start with a BOM.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise fail(f"文件不存在：{path}", f"file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"无法读取文件 {path}：{exc}", f"cannot read file {path}: {exc}") from None
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise fail(f"文件格式错误 {path}：{exc}", f"malformed file {path}: {exc}") from None
    return parse_schedule(data)


# --------------------------------------------------------------------------------------------------
# The calendar


class WorkingCalendar:
    """Answers working-day questions from chinesecalendar and the schedules loaded for other years.

    For each year the source is, in order: a loaded schedule (an admin's correction wins over the
    library), chinesecalendar, or nothing, in which case Monday to Friday count as working days and
    the answer is marked provisional.
    """

    def __init__(self, extra_years: Mapping[int, YearSchedule] | None = None) -> None:
        extra = dict(extra_years or {})
        for key, schedule in extra.items():
            if key != schedule.year:
                raise ValueError(f"schedule for {schedule.year} given under key {key}")
        self._extra: dict[int, YearSchedule] = extra

    def is_working_day(self, d: dt.date) -> tuple[bool, bool]:
        """``(working?, provisional?)`` for one day."""
        schedule = self._extra.get(d.year)
        if schedule is not None:
            if d in schedule.workdays:
                return True, False
            return (d.weekday() < 5 and d not in schedule.holidays), False
        if chinese_calendar_supports(d.year):
            return chinese_calendar.is_workday(d), False
        return d.weekday() < 5, True

    def add_working_days(self, start: dt.date, n: int) -> DateAnswer:
        """The last day of "within ``n`` working days of ``start``".

        ``start`` itself does not count (the day of receipt is day zero); the answer is the
        ``n``-th working day after it. ``n == 0`` answers ``start``.
        """
        if n < 0:
            raise ValueError(f"n must be zero or more, got {n}")
        day = start
        counted = 0
        provisional_years: set[int] = set()
        while counted < n:
            day += _ONE_DAY
            working, provisional = self.is_working_day(day)
            if provisional:
                provisional_years.add(day.year)
            if working:
                counted += 1
        return DateAnswer(day, bool(provisional_years), tuple(sorted(provisional_years)))

    def working_days_between(self, start: dt.date, end: dt.date) -> CountAnswer:
        """Working days in ``(start, end]``: how many working days of a time limit have been used."""
        count = 0
        provisional_years: set[int] = set()
        for day in _days_after(start, end):
            working, provisional = self.is_working_day(day)
            if provisional:
                provisional_years.add(day.year)
            if working:
                count += 1
        return CountAnswer(count, bool(provisional_years), tuple(sorted(provisional_years)))

    def covered_years(self) -> tuple[int, ...]:
        """Every year whose schedule is known, from chinesecalendar or loaded."""
        return tuple(sorted(set(_chinese_calendar_years()) | set(self._extra)))

    def coverage(self, year: int) -> YearCoverage:
        """Where the working days of ``year`` come from."""
        if year in self._extra:
            return YearCoverage(year, "loaded", self._extra[year].source)
        if chinese_calendar_supports(year):
            return YearCoverage(year, "chinesecalendar", f"chinesecalendar {chinese_calendar.__version__}")
        return YearCoverage(year, "provisional", None)

    def year_schedule(self, year: int) -> YearSchedule | None:
        """The schedule in force for ``year``, or None when the year is not covered."""
        if year in self._extra:
            return self._extra[year]
        if chinese_calendar_supports(year):
            return _chinese_calendar_schedule(year)
        return None


def _days_after(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start + _ONE_DAY
    while day <= end:
        yield day
        day += _ONE_DAY
