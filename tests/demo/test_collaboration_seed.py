"""The demo's collaboration records: batches in each state of the two-step release, a closed minor
deviation with its CAPA, an open OOS with its deadline, mah2's own batch; all through the services
(the ledger verifies), idempotent, and isolated between the two MAHs of the shared line."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from weituo.accounts.actors import system_actor
from weituo.accounts.selectors import actor_for_user
from weituo.batches import selectors as batch_selectors
from weituo.batches.choices import BatchStatus
from weituo.batches.models import Batch, ReleaseDecision
from weituo.core.errors import NotFound
from weituo.demo.collaboration import seed_collaboration
from weituo.demo.generator import generate
from weituo.demo.users import ensure_demo_users
from weituo.exchange.services import registry_import
from weituo.integrity.models import LedgerEntry
from weituo.integrity.verify import verify_all
from weituo.quality import selectors as quality_selectors
from weituo.quality.models import Capa, QualityEvent

pytestmark = pytest.mark.django_db
SEED = 1


def actor(username: str):
    return actor_for_user(get_user_model().objects.get(username=username))


@pytest.fixture
def seeded(tmp_data_dir):
    system = system_actor("demo tests")
    registry_import(actor=system, dataset=generate(size="small", seed=SEED).dataset, source="demo tests")
    ensure_demo_users(actor=system)
    return seed_collaboration(seed=SEED)


def test_the_batches_are_in_each_state_of_the_two_step_release(seeded):
    li_na = actor("li.na")
    mine = {b.ref.rsplit("-", 1)[1]: b for b in batch_selectors.batch_list(actor=li_na)}
    assert {k: b.status for k, b in mine.items()} == {
        "01": BatchStatus.MARKET_RELEASED,
        "02": BatchStatus.FACTORY_RELEASED,
        "03": BatchStatus.IN_PRODUCTION,
        "04": BatchStatus.IN_PRODUCTION,
    }
    journey = mine["03"]
    assert seeded.created and seeded.journey_batch == journey.number
    assert any(journey.number in line for line in seeded.lines)
    assert not journey.quality_events.exists()  # the journey raises the first event on it
    assert {d.kind for d in journey.documents.all()} == {"batch_record", "test_record"}
    for document in journey.documents.all():
        with document.file.open("rb") as fh:
            content = fh.read()
        assert document.file.name.endswith(".pdf") and content.startswith(b"%PDF-") and b"%%EOF" in content
        assert len(content) == document.size
    assert all(r.passed for r in journey.test_results.all())
    steps = set(ReleaseDecision.objects.filter(batch=mine["01"]).values_list("step", flat=True))
    assert steps == {"factory", "market"}


def test_the_events_a_user_relies_on(seeded):
    batches = {b.ref.rsplit("-", 1)[1]: b for b in batch_selectors.batch_list(actor=actor("li.na"))}
    deviation = QualityEvent.objects.get(batch=batches["01"])
    assert deviation.category == "deviation" and deviation.status == "closed"
    assert deviation.deviation.classification == "minor" and deviation.deviation.root_cause
    assert Capa.objects.get(event=deviation).status == "effective"
    oos = QualityEvent.objects.get(batch=batches["04"])
    assert oos.category == "oos_oot" and oos.status == "open" and oos.due_at is not None
    # the MAH QA sees the OOS among the events addressed to it
    assert oos.pk in {e.pk for e in quality_selectors.event_list(actor=actor("li.na"))}


def test_every_record_is_in_the_ledger_and_the_ledger_verifies(seeded):
    for batch in Batch.objects.filter(ref__startswith="DEMO-"):
        assert LedgerEntry.objects.filter(object_id=str(batch.pk), object_type="batches.batch", action="create")
    assert LedgerEntry.objects.filter(action="sign", meaning="released").count() == 3
    report = verify_all()
    assert report.ok, report.problems


def test_a_rerun_changes_nothing(seeded):
    before = LedgerEntry.objects.count()
    again = seed_collaboration(seed=SEED)
    assert not again.created and again.journey_batch == seeded.journey_batch
    assert LedgerEntry.objects.count() == before


def test_the_two_mahs_of_the_shared_line_never_see_each_others_batches(seeded):
    li_na, zhao_lei, sun_li = actor("li.na"), actor("zhao.lei"), actor("sun.li")
    mine = list(batch_selectors.batch_list(actor=li_na))
    theirs = list(batch_selectors.batch_list(actor=zhao_lei))
    assert len(mine) == 4 and len(theirs) == 1
    assert {b.line_id for b in mine} == {theirs[0].line_id}  # the same line
    assert not {b.pk for b in mine} & {b.pk for b in theirs}
    for batch in mine:
        with pytest.raises(NotFound):
            batch_selectors.batch_get(actor=zhao_lei, ref=batch.ref)
    with pytest.raises(NotFound):
        batch_selectors.batch_get(actor=li_na, ref=theirs[0].ref)
    assert not list(quality_selectors.event_list(actor=zhao_lei))
    assert len(list(batch_selectors.batch_list(actor=sun_li))) == 5  # the CMO sees both
