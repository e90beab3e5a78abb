"""Runs every YAML case of every notice (``weituo/rules/notices/*/cases/*.yaml``), and checks that
the cases cover what the design asks: every rule, the day before and the day of each effective
date (and the last and next day of an effective period that ends), and each exception applying."""

from __future__ import annotations

import datetime as dt

import pytest

from weituo.core.calendar import WorkingCalendar
from weituo.rules import all_rules
from weituo.rules.cases import case_files, load_case_file, run_case

CASES = [case for path in case_files() for case in load_case_file(path)]
CALENDAR = WorkingCalendar()
ONE_DAY = dt.timedelta(days=1)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case):
    problems, _ = run_case(case, CALENDAR)
    assert not problems, "\n".join(problems)


def _dates_by_rule() -> dict[str, set[dt.date]]:
    out: dict[str, set[dt.date]] = {}
    for case in CASES:
        for rule in case.rules():
            out.setdefault(rule, set()).add(case.as_of)
    return out


def test_every_rule_has_cases():
    covered = _dates_by_rule()
    assert [r.id for r in all_rules() if r.id not in covered] == []


def test_effective_dates_are_tested_on_both_sides():
    covered = _dates_by_rule()
    gaps = []
    for rule in all_rules():
        dates = covered.get(rule.id, set())
        wanted = []
        if rule.effective_from:
            wanted += [rule.effective_from - ONE_DAY, rule.effective_from]
        if rule.effective_until:
            wanted += [rule.effective_until, rule.effective_until + ONE_DAY]
        gaps += [f"{rule.id} on {d}" for d in wanted if d not in dates]
    assert gaps == []


def test_every_exception_is_tested_applying():
    applied = {
        name for case in CASES for e in case.expectations if isinstance(e.excepted_by, list) for name in e.excepted_by
    }
    exceptions = [r.id for r in all_rules() if r.exception_to]
    assert exceptions
    assert [r for r in exceptions if r not in applied] == []
