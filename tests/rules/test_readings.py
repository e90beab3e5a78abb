"""Readings of Notice 2025-134 fixed against its text (issue "Compliance from the platform's own
records"): each test fails on the old reading."""

from __future__ import annotations

import dataclasses

from weituo.core.calendar import WorkingCalendar
from weituo.rules import get_rule
from weituo.rules.cases import build_subjects, case_files, load_case_file
from weituo.rules.engine import evaluate
from weituo.rules.facts import OpinionLetterFacts

CALENDAR = WorkingCalendar()


def _case(file_stem: str, name: str):
    [path] = [p for p in case_files() if p.stem == file_stem]
    return next(c for c in load_case_file(path) if c.name == name)


def test_the_provinces_time_limit_is_not_the_parties_to_rectify():
    """Art. 25 binds the two parties ("委托双方应当…完成整改"); the 15 working days of annex 2 are the
    province's. A letter issued late is the province's not-met finding, and the self-inspection of
    the parties does not count it."""
    assert get_rule("134-19.letter-time-limit").bearer == "regulator"
    case = _case("art25_rectification", "a commission in line with the notice")
    [contract] = build_subjects(case.facts)
    late = OpinionLetterFacts(
        ref="OL1",
        province=contract.cmo.province,
        received_on=case.as_of.replace(month=1, day=5),
        issued_on=case.as_of.replace(month=2, day=27),
        agreed=True,
        product_refs=frozenset({"P1"}),
    )
    contract = dataclasses.replace(
        contract, mah=dataclasses.replace(contract.mah, province="11"), opinion_letters=(late,)
    )
    findings = {f.rule_id: f for f in evaluate([contract], as_of=case.as_of, calendar=CALENDAR)}
    assert str(findings["134-19.letter-time-limit"].outcome) == "not_met"  # 37 working days, not 15
    rectification = findings["134-25.rectification"]
    assert "134-19.letter-time-limit" not in rectification.facts["rules_not_met"]
