"""The compliance scan reads the platform's own changes (art. 9, 11): the change rules answer on the
records, and the first batches after a major change are judged on their art. 11 duties with the
number the notice's parameters give (``batches_after_major_change``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.quality.test_changes import approved
from tests.quality.world import World, build_world, make_batch
from weituo.compliance.facts import load_facts
from weituo.compliance.services import compliance_scan
from weituo.core.actors import system_actor
from weituo.quality import services as quality
from weituo.rules import parameter

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("tests: change facts")


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def findings(as_of: dt.date) -> dict[tuple[str, str | None], object]:
    result = compliance_scan(actor=SYSTEM, as_of=as_of, store=False)
    return {(f.rule_id, f.subject.get("ref")): f for f in result.findings}


def implemented_major_change(world: World, on: dt.date):
    change = approved(world)  # the MAH classes it major / approval, the CMO minor: major governs
    change = quality.change_filing_record(actor=world.mah_qa, change=change, to="submitted", reference="CYHB2600002")
    change = quality.change_filing_record(actor=world.mah_qa, change=change, to="accepted")
    return quality.change_implement(actor=world.cmo_qa, change=change, on=on, note="已按批准工艺实施")


def test_a_change_is_a_fact_per_product_with_its_approvals(world):
    on = timezone.localdate()
    change = implemented_major_change(world, on)
    [fact] = [c for c in next(g for g in load_facts(as_of=on, everything=True).contracts if g.ref == "CON-1").changes]
    assert (fact.ref, fact.product_ref, fact.implemented_on) == (change.ref, "P-1", on)
    assert (fact.mah_class, fact.cmo_class, fact.managed_as) == ("major", "minor", "major")
    assert fact.mah_approved_on == timezone.localtime(change.decided_at).date()
    assert fact.authority_approved_on == change.filing_concluded_on
    found = findings(on)
    assert str(found[("134-9.mah-approval", "CON-1")].outcome) == "met"
    assert str(found[("134-9.higher-class", "CON-1")].outcome) == "met"


def test_the_first_batches_after_a_major_change_carry_both_parties_duties(world):
    on = timezone.localdate()  # implemented today (it cannot precede the approvals given today)
    implemented_major_change(world, on)
    count = parameter("2025-134", "batches_after_major_change", on).value
    assert count == 3
    batches = [make_batch(world, f"24{i:04d}", manufactured_on=on) for i in range(count + 1)]  # by number
    finding = findings(on)[("134-11.major-change-batches", "CON-1")]
    # the services placed both parties' duties on exactly the first three (none released yet): met
    assert str(finding.outcome) == "met"
    assert finding.facts["first_batches"] == sorted(b.ref for b in batches[:count])
    assert finding.parameters["batches_after_major_change"]["value"] == 3
