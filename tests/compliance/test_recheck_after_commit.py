"""A write that changes a fact re-checks what depends on it once its transaction commits: the
finding beside the record follows the record without anyone pressing "check now"."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.quality.test_audits import conducted
from tests.quality.world import World, build_world
from weituo.compliance.dependencies import Affected, affected_by_changes
from weituo.compliance.models import Finding, Scan
from weituo.compliance.services import compliance_scan
from weituo.core.actors import system_actor
from weituo.integrity import committed
from weituo.quality import services
from weituo.quality.models import Audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    with committed.paused():  # built like the demo: paused, then one full scan
        world = build_world()
    compliance_scan(actor=system_actor("tests: first scan"))  # as of today, as the re-checks are
    return world


def outcome(rule: str, scope: str = "CON-1") -> str:
    return Finding.objects.get(rule_id=rule, scope_ref=scope, subject_kind="contract").outcome


def test_an_audit_and_its_report_turn_the_finding_without_a_scan(world, django_capture_on_commit_callbacks):
    scans = Scan.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        audit = conducted(world)
    assert outcome("134-13.audit-report") == "not_met"  # conducted, no report yet
    with django_capture_on_commit_callbacks(execute=True):
        services.audit_report(actor=world.mah_qa, audit=audit, summary="总体符合")
    assert outcome("134-13.audit-report") == "met"
    rechecks = Scan.objects.filter(kind=Scan.Kind.RECHECK).order_by("started_at", "id")
    assert Scan.objects.count() == scans + 2  # one re-check per commit, not per record written
    assert [s.scope_ref.split(":")[0] for s in rechecks] == ["quality.audit", "quality.audit"]
    assert world.mah_qa.label in rechecks.last().actor  # on behalf of whoever wrote


def test_a_write_rolled_back_rechecks_nothing(world, django_capture_on_commit_callbacks):
    scans = Scan.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        conducted(world)
        raise RuntimeError("the request failed after the audit was written")
    assert Scan.objects.count() == scans and not Audit.objects.exists()


def test_a_deleted_or_moved_record_rechecks_where_it_was(world):
    # the audit is gone: what it fed is found from the values the ledger recorded before
    gone = affected_by_changes([("quality.audit", "999999", {"contract_id": world.contract.pk, "ref": "AUD-X"})])
    assert gone.contract_ids == frozenset({world.contract.pk})
    # an audit moved from another contract: both contracts are re-checked
    with committed.paused():
        audit = conducted(world)
    before = world.contract.pk + 1000  # the contract the ledger says it belonged to
    moved = affected_by_changes([("quality.audit", str(audit.pk), {"contract_id": before})])
    assert moved.contract_ids == frozenset({world.contract.pk, before})
    # a change of no fact (an account, a finding) re-checks nothing
    nothing = affected_by_changes([("accounts.membership", "1", {}), ("compliance.finding", "1", {})])
    assert nothing == Affected()
