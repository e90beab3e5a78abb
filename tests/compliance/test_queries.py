"""A fixed number of queries for a scan, whatever the size of the data: the same count for the mini
registry (one contract) and for the small demo added to it (a few contracts, a dozen enterprises);
the same for the scan of one small and one larger enterprise (an enterprise with no contract at all
skips the contracts' queries). Recording grows only by batches."""

from __future__ import annotations

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.compliance.conftest import DEMO_AS_OF, DEMO_SEED, SYSTEM
from tests.exchange.dataset import load_mini
from weituo.compliance.facts import load_facts
from weituo.compliance.models import Finding
from weituo.compliance.services import BATCH, compliance_scan
from weituo.demo.generator import build_dataset
from weituo.exchange.services import registry_import
from weituo.registry.models import Organisation

pytestmark = pytest.mark.django_db


def queries(fn) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        value = fn()
    return len(captured), value


def test_loading_and_evaluating_take_the_same_queries_for_two_sizes():
    load_mini()
    small_load, small = queries(lambda: load_facts(as_of=DEMO_AS_OF, everything=True))
    small_scan, _ = queries(lambda: compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF, store=False))
    registry_import(actor=SYSTEM, dataset=build_dataset(size="small", seed=DEMO_SEED), source="queries test")
    large_load, large = queries(lambda: load_facts(as_of=DEMO_AS_OF, everything=True))
    large_scan, _ = queries(lambda: compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF, store=False))
    assert len(large) > 4 * len(small)
    assert (
        large_load == small_load <= 38
    )  # 38: + the audits with their findings and CAPAs, the shared-line assessments, notices, CAPAs and
    # the MAHs' reviews of them, the residents' products, the enterprises' R&D experience, the
    # products their CMOs developed, the deviations' reclassifications
    assert large_scan == small_scan == small_load + 1  # + the working-day calendar


def test_one_enterprise_takes_the_same_queries_whatever_its_size():
    load_mini()
    registry_import(actor=SYSTEM, dataset=build_dataset(size="small", seed=DEMO_SEED), source="queries test")
    counts = {}
    for ref in ("ORG-MAH", "ORG-0003"):  # one contract, no line; a CMO with lines and several contracts
        org = Organisation.objects.get(ref=ref)
        counts[ref], _ = queries(
            lambda org=org: compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF, organisation=org, store=False)
        )
    assert counts["ORG-MAH"] == counts["ORG-0003"]


def test_recording_grows_by_batches_not_by_rows():
    load_mini()
    registry_import(actor=SYSTEM, dataset=build_dataset(size="small", seed=DEMO_SEED), source="queries test")
    count, _ = queries(lambda: compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF))
    stored = Finding.objects.count()
    assert stored > 100
    # load + evaluate, then: the scan, existing findings, inserts by batch, ledger lock and tail,
    # ledger inserts, events by batch (each batch may split further on SQLite's parameter limit)
    assert count <= 46 + 4 * math.ceil(stored / BATCH) * 3  # 46: the load (37) and the scan's own
