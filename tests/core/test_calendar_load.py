"""Loading a year's holiday schedule into the database, and the ``weituo calendar`` command."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from weituo import cli
from weituo.core import selectors
from weituo.core.actors import Actor, MembershipView, system_actor
from weituo.core.calendar import DateAnswer, YearSchedule, read_schedule_file
from weituo.core.commands import LANGUAGE_VARIABLES
from weituo.core.errors import ValidationFailed
from weituo.core.models import CalendarYear
from weituo.registry import calendar_services as services

SYSTEM = system_actor("tests")

D = dt.date
SAMPLE_2027 = Path(__file__).parent / "data" / "calendar-2027-sample.yaml"

BAD_2027 = """\
year: 2027
source: "TEST SAMPLE with mistakes"
holidays:
  - "2027-01-01..2027-01-03"
  - "2027-02-30"
workdays:
  - "2027-02-22"
"""


@pytest.fixture(autouse=True)
def chinese_command_line(monkeypatch):
    """The command speaks Chinese, the site's language, whatever the shell running the tests asks for."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def bad_file(tmp_path) -> Path:
    path = tmp_path / "calendar-2027-bad.yaml"
    path.write_text(BAD_2027, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_loading_2027_turns_a_provisional_deadline_into_an_exact_one():
    before = selectors.working_calendar().add_working_days(D(2026, 12, 29), 5)
    assert before == DateAnswer(D(2027, 1, 5), True, (2027,))

    user = get_user_model().objects.create_user("zhang.wei", password="x")
    admin = Actor(user.pk, "zhang.wei", "张伟", (MembershipView(role="platform_admin", organisation_id=None),))
    row = services.calendar_year_load(actor=admin, schedule=read_schedule_file(SAMPLE_2027))

    row.refresh_from_db()
    assert row.year == 2027
    assert row.loaded_by == user
    assert "2027-01-01" in row.holidays
    assert row.workdays == ["2027-02-20"]
    # 30, 31 Dec; 1–3 Jan are sample holidays; Mon 4, Tue 5, Wed 6.
    after = selectors.working_calendar().add_working_days(D(2026, 12, 29), 5)
    assert after == DateAnswer(D(2027, 1, 6), False, ())
    assert selectors.working_calendar().is_working_day(D(2027, 2, 20)) == (True, False)


@pytest.mark.django_db
def test_loading_a_year_again_replaces_it():
    services.calendar_year_load(actor=SYSTEM, schedule=read_schedule_file(SAMPLE_2027))
    replacement = YearSchedule(
        year=2027, holidays=frozenset({D(2027, 1, 1)}), workdays=frozenset(), source="TEST SAMPLE v2"
    )
    services.calendar_year_load(actor=SYSTEM, schedule=replacement)
    assert CalendarYear.objects.count() == 1
    row = CalendarYear.objects.get()
    assert (row.holidays, row.workdays, row.source, row.loaded_by) == (["2027-01-01"], [], "TEST SAMPLE v2", None)
    assert selectors.working_calendar().is_working_day(D(2027, 2, 8)) == (True, False)


@pytest.mark.django_db
def test_the_service_refuses_an_inconsistent_schedule_and_writes_nothing():
    schedule = YearSchedule(
        year=2027,
        holidays=frozenset({D(2027, 1, 1), D(2026, 12, 31)}),
        workdays=frozenset({D(2027, 1, 1)}),
        source="x" * 301,
    )
    with pytest.raises(ValidationFailed) as caught:
        services.calendar_year_load(actor=SYSTEM, schedule=schedule)
    text = str(caught.value)
    assert "2026-12-31" in text  # outside the year
    assert "2027-01-01" in text  # both holiday and workday (and a Friday)
    assert "source" in text  # too long for the column
    assert not CalendarYear.objects.exists()


@pytest.mark.django_db
def test_command_load_end_to_end():
    assert "（暂定）— 2027 年节假日安排未知" in run("add", "2026-12-29", "5")
    assert "结果为暂定" in run("show", "2027")

    output = run("load", str(SAMPLE_2027))
    assert "已载入 2027 年节假日安排" in output
    assert CalendarYear.objects.filter(year=2027).exists()

    assert run("add", "2026-12-29", "5").strip() == "2027-01-06"
    assert run("between", "2026-12-29", "2027-01-08").strip() == "7"
    shown = run("show", "2027")
    assert "2027：已载入" in shown
    assert "TEST SAMPLE" in shown
    assert "2027-02-20 星期六" in shown


@pytest.mark.django_db
def test_command_add_and_between_on_2026():
    assert run("add", "2026-02-10", "15").strip() == "2026-03-09"
    assert run("between", "2026-09-18", "2026-10-11").strip() == "11"
    shown = run("show", "2026")
    assert "chinesecalendar" in shown
    assert "2026-10-10" in shown


@pytest.mark.django_db
def test_command_load_of_a_bad_file_fails_in_chinese_and_writes_nothing(bad_file):
    with pytest.raises(CommandError) as caught:
        run("load", str(bad_file))
    message = str(caught.value)
    assert "未写入任何数据" in message
    assert "nothing was written" not in message  # one language, not both
    assert "holidays[1]" in message
    assert "2027-02-30" in message
    assert "2027-02-22" in message
    assert "workdays" in message
    assert not CalendarYear.objects.exists()


@pytest.mark.django_db
def test_a_bad_file_does_not_replace_a_loaded_year(bad_file):
    run("load", str(SAMPLE_2027))
    with pytest.raises(CommandError):
        run("load", str(bad_file))
    assert CalendarYear.objects.get(year=2027).workdays == ["2027-02-20"]


@pytest.mark.django_db
def test_the_command_speaks_english_when_the_environment_asks(bad_file, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "(provisional) — no holiday schedule for 2027" in run("add", "2026-12-29", "5")
    assert "every answer that touches this year is provisional" in run("show", "2027")
    assert "2026-10-10 Sat" in run("show", "2026")
    with pytest.raises(CommandError) as caught:
        run("load", str(bad_file))
    assert "nothing was written" in str(caught.value) and "未写入" not in str(caught.value)
    with pytest.raises(CommandError, match="cannot parse date '2026-02-30', expected YYYY-MM-DD"):
        run("add", "2026-02-30", "5")


def test_the_weituo_command_exits_non_zero_on_a_bad_file(bad_file, capsys):
    # No database access here: the file is refused before anything touches the database.
    with pytest.raises(SystemExit) as caught:
        cli.main(["calendar", "load", str(bad_file)])
    assert caught.value.code != 0
    assert "2027-02-30" in capsys.readouterr().err


@pytest.mark.django_db
def test_command_refuses_a_bad_date_argument():
    with pytest.raises(CommandError):
        run("add", "2026-02-30", "5")
    with pytest.raises(CommandError):
        run("add", "2026-02-10", "-1")
