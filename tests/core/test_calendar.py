"""The working-day calendar, without the database.

Expected dates were checked against chinesecalendar 1.11.0 (the 2026 notice of the State Council
General Office) and counted by hand:

- Spring Festival 2026: off 15–23 February; Saturday 14 and Saturday 28 February are working days.
- Mid-Autumn and National Day 2026: off 25–27 September and 1–7 October; Sunday 20 September and
  Saturday 10 October are working days.
- New Year 2026: off 1–3 January; Sunday 4 January is a working day.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import chinese_calendar
import pytest

from weituo.core import calendar as cal
from weituo.core.calendar import (
    CountAnswer,
    DateAnswer,
    WorkingCalendar,
    YearSchedule,
    parse_schedule,
    read_schedule_file,
)
from weituo.core.errors import ValidationFailed

D = dt.date
SAMPLE_2027 = Path(__file__).parent / "data" / "calendar-2027-sample.yaml"


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture
def sample_2027() -> YearSchedule:
    return read_schedule_file(SAMPLE_2027)


def test_the_installed_chinesecalendar_has_the_2026_schedule_these_tests_expect():
    # If a new chinesecalendar release changed 2026, the hand-counted answers below would be stale.
    holidays = {d for d in chinese_calendar.holidays if d.year == 2026}
    workdays = {d for d in chinese_calendar.workdays if d.year == 2026}
    assert {D(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)} <= holidays
    assert {D(2026, 9, 25), D(2026, 9, 26), D(2026, 9, 27)} <= holidays
    assert {D(2026, 10, i) for i in range(1, 8)} <= holidays
    assert workdays == {
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    }


# ---------------------------------------------------------------------------------------------------
# Single days


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 13), True),  # Friday before the Spring Festival
        (D(2026, 2, 14), True),  # Saturday, adjusted working day
        (D(2026, 2, 15), False),  # Sunday, first day off
        (D(2026, 2, 16), False),  # Monday, holiday
        (D(2026, 2, 23), False),  # Monday, last day off
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, adjusted working day
        (D(2026, 3, 1), False),  # ordinary Sunday
        (D(2026, 9, 20), True),  # Sunday, adjusted working day
        (D(2026, 9, 25), False),  # Friday, Mid-Autumn
        (D(2026, 10, 5), False),  # Monday, National Day
        (D(2026, 10, 10), True),  # Saturday, adjusted working day
        (D(2026, 1, 4), True),  # Sunday, adjusted working day after New Year
    ],
)
def test_is_working_day_follows_the_2026_schedule(calendar, day, working):
    assert calendar.is_working_day(day) == (working, False)


def test_an_uncovered_year_counts_monday_to_friday_and_says_it_is_provisional(calendar):
    assert not cal.chinese_calendar_supports(2027)
    assert calendar.is_working_day(D(2027, 1, 1)) == (True, True)  # Friday: surely a holiday, but unknown
    assert calendar.is_working_day(D(2027, 1, 2)) == (False, True)  # Saturday


def test_chinesecalendar_is_never_asked_about_a_year_it_does_not_know(calendar, monkeypatch):
    real_is_workday = chinese_calendar.is_workday
    asked: list[dt.date] = []

    def spy(day: dt.date) -> bool:
        asked.append(day)
        return real_is_workday(day)

    monkeypatch.setattr(chinese_calendar, "is_workday", spy)
    cal.chinese_calendar_supports.cache_clear()
    try:
        calendar.add_working_days(D(2026, 12, 20), 40)
        calendar.working_days_between(D(2027, 1, 1), D(2027, 3, 1))
    finally:
        cal.chinese_calendar_supports.cache_clear()
    # Only the one support probe (1 January) touches 2027; no day-by-day call raises in production.
    assert [d for d in asked if d.year == 2027] == [D(2027, 1, 1)]


def test_support_probe_is_cached(monkeypatch):
    calls: list[dt.date] = []

    def probe(day: dt.date) -> bool:
        calls.append(day)
        raise NotImplementedError("no data")

    monkeypatch.setattr(chinese_calendar, "is_workday", probe)
    cal.chinese_calendar_supports.cache_clear()
    try:
        assert cal.chinese_calendar_supports(2031) is False
        assert cal.chinese_calendar_supports(2031) is False
    finally:
        cal.chinese_calendar_supports.cache_clear()
    assert calls == [D(2031, 1, 1)]


def test_support_probe_handles_years_no_date_can_have():
    assert cal.chinese_calendar_supports(0) is False
    assert cal.chinese_calendar_supports(10000) is False


# ---------------------------------------------------------------------------------------------------
# Deadlines


def test_fifteen_working_days_across_the_2026_spring_festival(calendar):
    # Received Tuesday 10 Feb. Counted: 11, 12, 13, Sat 14 (4); 15–23 off; 24, 25, 26, 27, Sat 28 (9);
    # 2, 3, 4, 5, 6 March (14); Monday 9 March (15). Plain Monday-to-Friday would give 3 March.
    assert calendar.add_working_days(D(2026, 2, 10), 15) == DateAnswer(D(2026, 3, 9), False, ())


def test_the_adjusted_saturday_itself_can_be_the_deadline(calendar):
    # Received Wednesday 11 Feb: 12, 13, then Saturday 14 is the third working day.
    assert calendar.add_working_days(D(2026, 2, 11), 3).value == D(2026, 2, 14)
    # Received Thursday 24 Sep: 25–27 off; 28, 29, 30; 1–7 Oct off; 8, 9, then Saturday 10 Oct.
    assert calendar.add_working_days(D(2026, 9, 24), 6).value == D(2026, 10, 10)
    assert calendar.add_working_days(D(2026, 9, 24), 5).value == D(2026, 10, 9)


def test_counting_starts_the_day_after_receipt(calendar):
    assert calendar.add_working_days(D(2026, 3, 2), 1).value == D(2026, 3, 3)
    # A receipt on a holiday: the first working day after it is day one.
    assert calendar.add_working_days(D(2026, 10, 1), 1).value == D(2026, 10, 8)


def test_zero_days_is_the_start_and_negative_is_refused(calendar):
    assert calendar.add_working_days(D(2026, 2, 16), 0) == DateAnswer(D(2026, 2, 16), False, ())
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2026, 2, 16), -1)


def test_a_deadline_crossing_into_2027_is_provisional_and_names_2027(calendar):
    # 30, 31 Dec (2); then 2027 counted Monday to Friday: Fri 1 Jan, Mon 4, Tue 5.
    answer = calendar.add_working_days(D(2026, 12, 29), 5)
    assert answer == DateAnswer(D(2027, 1, 5), True, (2027,))


def test_a_deadline_that_stays_in_2026_is_not_provisional(calendar):
    # Monday 28 Dec + 3 = Thursday 31 Dec: nothing in 2027 was looked at.
    assert calendar.add_working_days(D(2026, 12, 28), 3) == DateAnswer(D(2026, 12, 31), False, ())


def test_a_loaded_2027_schedule_makes_the_same_deadline_exact(sample_2027):
    calendar = WorkingCalendar({2027: sample_2027})
    # 30, 31 Dec; 1–3 Jan off (sample); Mon 4, Tue 5, Wed 6.
    assert calendar.add_working_days(D(2026, 12, 29), 5) == DateAnswer(D(2027, 1, 6), False, ())
    assert calendar.is_working_day(D(2027, 2, 8)) == (False, False)  # Monday inside the sample range
    assert calendar.is_working_day(D(2027, 2, 20)) == (True, False)  # sample adjusted Saturday
    assert calendar.is_working_day(D(2027, 4, 5)) == (False, False)  # unquoted YAML date


def test_a_loaded_schedule_takes_precedence_over_chinesecalendar():
    override = YearSchedule(
        year=2026, holidays=frozenset({D(2026, 3, 2)}), workdays=frozenset(), source="test override"
    )
    calendar = WorkingCalendar({2026: override})
    assert calendar.is_working_day(D(2026, 3, 2)) == (False, False)
    assert calendar.is_working_day(D(2026, 2, 16)) == (True, False)  # the override has no Spring Festival
    assert calendar.is_working_day(D(2026, 2, 14)) == (False, False)  # nor its adjusted Saturday
    assert calendar.coverage(2026).kind == "loaded"


def test_a_schedule_under_the_wrong_year_key_is_refused(sample_2027):
    with pytest.raises(ValueError):
        WorkingCalendar({2028: sample_2027})


# ---------------------------------------------------------------------------------------------------
# Counting days used


def test_working_days_between_national_day(calendar):
    # (18 Sep, 11 Oct]: Sun 20 Sep, 21–24, 28–30, 8–9 Oct, Sat 10 Oct.
    assert calendar.working_days_between(D(2026, 9, 18), D(2026, 10, 11)) == CountAnswer(11, False, ())


def test_working_days_between_is_half_open(calendar):
    assert calendar.working_days_between(D(2026, 3, 2), D(2026, 3, 3)).value == 1  # the end counts
    assert calendar.working_days_between(D(2026, 3, 2), D(2026, 3, 2)).value == 0  # the start does not
    assert calendar.working_days_between(D(2026, 3, 9), D(2026, 3, 2)) == CountAnswer(0, False, ())


def test_working_days_between_agrees_with_add_working_days(calendar):
    start = D(2026, 2, 10)
    for n in (1, 4, 5, 9, 15, 30):
        deadline = calendar.add_working_days(start, n).value
        assert calendar.working_days_between(start, deadline).value == n


def test_working_days_between_across_the_year_end(calendar, sample_2027):
    # (29 Dec 2026, 8 Jan 2027]: 30, 31 Dec, then Mon–Fri 1, 4–8 Jan.
    assert calendar.working_days_between(D(2026, 12, 29), D(2027, 1, 8)) == CountAnswer(8, True, (2027,))
    loaded = WorkingCalendar({2027: sample_2027})
    assert loaded.working_days_between(D(2026, 12, 29), D(2027, 1, 8)) == CountAnswer(7, False, ())


def test_covered_years_and_coverage(calendar, sample_2027):
    assert 2026 in calendar.covered_years()
    assert 2027 not in calendar.covered_years()
    assert calendar.coverage(2026).kind == "chinesecalendar"
    assert calendar.coverage(2027).kind == "provisional"
    loaded = WorkingCalendar({2027: sample_2027})
    assert 2027 in loaded.covered_years()
    assert loaded.coverage(2027).source == sample_2027.source
    assert calendar.year_schedule(2027) is None
    schedule_2026 = calendar.year_schedule(2026)
    assert schedule_2026 is not None
    assert D(2026, 10, 10) in schedule_2026.workdays


# ---------------------------------------------------------------------------------------------------
# Schedule files


def test_the_sample_file_reads_ranges_single_dates_and_unquoted_dates(sample_2027):
    assert sample_2027.year == 2027
    assert "TEST SAMPLE" in sample_2027.source
    assert sample_2027.holidays == frozenset(
        {D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3), D(2027, 4, 5)}
        | {D(2027, 2, 5) + dt.timedelta(days=i) for i in range(8)}
    )
    assert sample_2027.workdays == frozenset({D(2027, 2, 20)})


def test_a_json_file_reads_the_same(tmp_path):
    path = tmp_path / "calendar-2027.json"
    data = {"year": 2027, "source": "test", "holidays": ["2027-01-01..2027-01-03"], "workdays": []}
    path.write_text(json.dumps(data), encoding="utf-8")
    schedule = read_schedule_file(path)
    assert schedule.holidays == frozenset({D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)})


def _problems(data) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_schedule(data)
    assert caught.value.code == "validation_failed"
    return [str(detail) for detail in caught.value.details]


def _valid(**changes) -> dict:
    data = {"year": 2027, "source": "test", "holidays": ["2027-01-01"], "workdays": ["2027-02-20"]}
    data.update(changes)
    return data


def test_a_valid_minimal_schedule_parses():
    assert parse_schedule(_valid()).holidays == frozenset({D(2027, 1, 1)})


@pytest.mark.parametrize("bad", ["2027-02-30", "2027/02/05", "20270205", "next friday", 20270205])
def test_an_unparseable_date_is_named(bad):
    (problem,) = _problems(_valid(holidays=["2027-01-01", bad]))
    assert "holidays[1]" in problem
    assert str(bad) in problem
    assert "无法解析" in problem
    assert "cannot parse" in problem


def test_an_unparseable_range_is_named():
    (problem,) = _problems(_valid(holidays=["2027-02-05..2027-02-31"]))
    assert "holidays[0]" in problem
    assert "2027-02-05..2027-02-31" in problem


def test_a_backwards_range_is_refused():
    (problem,) = _problems(_valid(holidays=["2027-02-11..2027-02-05"]))
    assert "2027-02-11..2027-02-05" in problem


def test_a_date_outside_the_declared_year_is_named():
    problems = _problems(_valid(holidays=["2027-01-01", "2026-12-31"], workdays=["2028-01-08"]))
    assert len(problems) == 2
    assert any("holidays" in p and "2026-12-31" in p and "2027" in p for p in problems)
    assert any("workdays" in p and "2028-01-08" in p for p in problems)
    assert all("不在所声明的年份" in p and "outside the declared year" in p for p in problems)


def test_a_date_both_holiday_and_workday_is_refused():
    (problem,) = _problems(_valid(holidays=["2027-02-13..2027-02-14"], workdays=["2027-02-13"]))
    assert "2027-02-13" in problem
    assert "holidays" in problem
    assert "workdays" in problem


def test_a_workday_on_a_weekday_is_refused():
    (problem,) = _problems(_valid(workdays=["2027-02-22"]))  # a Monday
    assert "workdays" in problem
    assert "2027-02-22" in problem
    assert "Monday" in problem
    assert "星期一" in problem


def test_a_holiday_on_a_weekend_is_allowed():
    schedule = parse_schedule(_valid(holidays=["2027-01-02", "2027-01-03"]))  # Saturday, Sunday
    assert schedule.holidays == frozenset({D(2027, 1, 2), D(2027, 1, 3)})


@pytest.mark.parametrize("missing", ["year", "source"])
def test_a_missing_year_or_source_is_named(missing):
    data = _valid()
    del data[missing]
    problems = _problems(data)
    assert any(f"field {missing}" in p and "缺少" in p and "missing" in p for p in problems)


def test_a_blank_source_or_a_non_year_is_refused():
    assert any("field source" in p for p in _problems(_valid(source="   ")))
    assert any("field year" in p and "'MMXXVII'" in p for p in _problems(_valid(year="MMXXVII")))
    assert any("field year" in p for p in _problems(_valid(year=True)))


def test_a_misspelt_field_is_refused_not_ignored():
    data = _valid()
    data["holiday"] = data.pop("holidays")
    problems = _problems(data)
    assert any("'holiday'" in p for p in problems)


def test_every_problem_is_reported_at_once():
    problems = _problems({"year": 2027, "holidays": ["2027-13-01", "2026-05-01"], "workdays": ["2027-03-03"]})
    assert len(problems) == 4  # source missing, bad date, outside the year, weekday workday


def test_a_file_that_is_not_a_mapping_or_not_yaml_is_refused(tmp_path):
    listing = tmp_path / "list.yaml"
    listing.write_text("- 2027-01-01\n", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        read_schedule_file(listing)
    broken = tmp_path / "broken.json"
    broken.write_text("{year: 2027", encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"broken\.json"):
        read_schedule_file(broken)
    with pytest.raises(ValidationFailed, match="not found"):
        read_schedule_file(tmp_path / "absent.yaml")
    other = tmp_path / "calendar.txt"
    other.write_text("year: 2027\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="unsupported file type"):
        read_schedule_file(other)


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE_2027.read_bytes())
    assert read_schedule_file(path) == read_schedule_file(SAMPLE_2027)
