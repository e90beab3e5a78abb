"""Registry reads: shared lines, line load, key persons' years, not-found."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.exchange.dataset import load_mini
from weituo.core.actors import system_actor
from weituo.core.errors import NotFound
from weituo.registry.models import Line, Organisation
from weituo.registry.selectors import (
    key_people,
    line_load,
    organisation_get,
    organisation_is_pure_b,
    organisation_list,
    shared_lines,
)

SYSTEM = system_actor("tests")

pytestmark = pytest.mark.django_db


def test_shared_line_and_its_load():
    load_mini()
    [line] = shared_lines(actor=SYSTEM)
    assert line.ref == "LINE-1" and line.holder_count == 2
    load = line_load(actor=SYSTEM, line=Line.objects.get(ref="LINE-1"))
    assert load.shared and load.planned_volume == Decimal("2000")
    assert load.utilisation == Decimal("0.400")


def test_pure_b_mah_and_search():
    load_mini()
    assert organisation_is_pure_b(actor=SYSTEM, organisation=Organisation.objects.get(ref="ORG-MAH"))
    assert not organisation_is_pure_b(actor=SYSTEM, organisation=Organisation.objects.get(ref="ORG-CMO"))
    assert [o.ref for o in organisation_list(actor=SYSTEM, search="华瑞")] == ["ORG-CMO"]
    assert [o.ref for o in organisation_list(actor=SYSTEM, role="cmo")] == ["ORG-CMO"]
    with pytest.raises(NotFound):
        organisation_get(actor=SYSTEM, ref="ORG-NONE")


def test_key_people_with_years_on_a_date():
    load_mini()
    cmo = Organisation.objects.get(ref="ORG-CMO")
    [qp] = key_people(actor=SYSTEM, organisation=cmo, as_of=dt.date(2025, 7, 1))
    assert qp.roles == ["qp"] and qp.years.practice == 10.0 and qp.years.sterile == 10.0
    assert key_people(actor=SYSTEM, organisation=cmo, as_of=dt.date(2019, 1, 1)) == []  # not yet appointed
