"""Runs every YAML case of every notice (``weituo/rules/notices/*/cases/*.yaml``), and checks that
the cases cover what the design asks: every rule, the day before and the day of each effective
date (and the last and next day of an effective period that ends), and each exception applying."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from weituo.core.calendar import WorkingCalendar
from weituo.rules import all_notices, all_rules
from weituo.rules.cases import case_files, load_case_file, run_case

CASES = [case for path in case_files() for case in load_case_file(path)]
BY_ID = {case.id: case for case in CASES}
CALENDAR = WorkingCalendar()
ONE_DAY = dt.timedelta(days=1)


@cache
def _run(case_id: str):
    return run_case(BY_ID[case_id], CALENDAR)


@pytest.mark.parametrize("case_id", list(BY_ID))
def test_case(case_id):
    problems, _ = _run(case_id)
    assert not problems, "\n".join(problems)


def test_every_parameter_is_read_by_some_case():
    read = {(f.notice, name) for case_id in BY_ID for f in _run(case_id)[1] for name in f.parameters}
    declared = {(notice.id, name) for notice in all_notices() for name in notice.parameters.names()}
    assert sorted(declared - read) == []


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
