"""The facts builder on the small demo: every contract, agreement, line and key person of the
generated dataset becomes part of a fact graph, with its products and lines."""

from __future__ import annotations

import pytest

from tests.compliance.conftest import DEMO_AS_OF
from weituo.compliance.facts import load_facts

pytestmark = pytest.mark.django_db


def test_the_small_demo_is_built_whole(demo):
    graphs = load_facts(as_of=DEMO_AS_OF, everything=True)
    dataset = demo.dataset
    assert {c.ref for c in graphs.contracts} == {c["ref"] for c in dataset["contracts"]}
    assert {e.ref for e in graphs.enterprises} == {o["ref"] for o in dataset["organisations"]}
    agreements = {a.ref for c in graphs.contracts for a in c.agreements}
    assert agreements == {a["ref"] for a in dataset["agreements"]}
    lines = {ln.ref for e in graphs.enterprises for ln in e.lines}
    assert lines == {ln["ref"] for ln in dataset["lines"]}
    people = {p.ref for e in graphs.enterprises for p in e.key_persons}
    assert people == {a["person"] for a in dataset["appointments"]}
    for c in graphs.contracts:
        wanted = next(x for x in dataset["contracts"] if x["ref"] == c.ref)
        assert {p.ref for p in c.products} == set(wanted["products"])
        assert set(c.line_refs) == set(wanted.get("lines") or [])


def test_shared_organisation_facts_and_cmos_of_each_product(demo):
    graphs = load_facts(as_of=DEMO_AS_OF, everything=True)
    enterprises = {e.ref: e for e in graphs.enterprises}
    for c in graphs.contracts:
        assert c.mah is enterprises[c.mah.ref] and c.cmo is enterprises[c.cmo.ref]
        for p in c.products:
            if c.in_force_on(DEMO_AS_OF):
                assert c.cmo.ref in p.cmo_refs
