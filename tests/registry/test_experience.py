"""Years of practice as art. 17 counts them: overlaps once, open periods to the assessment date."""

from __future__ import annotations

import datetime as dt

from weituo.registry.experience import Period, practice_years, union_years

d = dt.date


def test_overlapping_periods_count_once():
    assert union_years([(d(2010, 1, 1), d(2015, 1, 1)), (d(2013, 1, 1), d(2016, 1, 1))]) == round(
        (d(2016, 1, 1) - d(2010, 1, 1)).days / 365.25, 2
    )


def test_sterile_years_are_a_subset_and_rnd_does_not_count():
    periods = [
        Period(d(2014, 7, 1), d(2018, 7, 1), "production", sterile=True),
        Period(d(2018, 7, 1), None, "quality"),
        Period(d(2005, 1, 1), d(2014, 7, 1), "rnd", sterile=True),
    ]
    years = practice_years(periods, as_of=d(2026, 7, 1))
    assert years.practice == 12.0
    assert years.sterile == 4.0
    assert years.tcm_injection == 0


def test_future_periods_and_time_after_as_of_are_ignored():
    periods = [Period(d(2020, 1, 1), None, "quality", sterile=True), Period(d(2027, 1, 1), None, "production")]
    assert practice_years(periods, as_of=d(2025, 1, 1)).practice == round(
        (d(2025, 1, 1) - d(2020, 1, 1)).days / 365.25, 2
    )
