"""The compliance scan reads the platform's own audits (art. 13; production-conduct draft art. 13)
and shared-line assessments (art. 8): a rule that reads them answers on what the parties recorded,
never "needs information" beside the record that answers it."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.quality.test_audits import ENDED, conducted
from tests.quality.test_shared_line import lw as shared_line_world  # noqa: F401 (a fixture, used by name)
from tests.quality.test_shared_line import notified, start
from tests.quality.world import World, build_world
from weituo.compliance.facts import load_facts
from weituo.compliance.services import compliance_scan
from weituo.core.actors import system_actor
from weituo.quality import services

pytestmark = pytest.mark.django_db
AFTER = ENDED + dt.timedelta(days=30)


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def findings(as_of: dt.date) -> dict[tuple[str, str | None], object]:
    # the production-conduct draft is scanned too: its art. 13 reads the same audits
    result = compliance_scan(actor=system_actor("tests: audit facts"), as_of=as_of, store=False, include_draft=True)
    return {(f.rule_id, f.subject.get("ref")): f for f in result.findings}


def outcome(found, rule: str, ref: str) -> str:
    return str(found[(rule, ref)].outcome)


def test_no_audit_recorded_is_an_answer_not_a_question(world):
    found = findings(AFTER)
    assert outcome(found, "draft-pc-13.on-site-audit", "CON-1") == "not_met"
    assert outcome(found, "134-13.audit-report", "CON-1") == "not_applicable"  # no on-site audit to report on


def test_an_on_site_audit_and_its_report_turn_the_audit_rules_met(world):
    audit = conducted(world)
    [fact] = next(c for c in load_facts(as_of=AFTER, everything=True).contracts if c.ref == "CON-1").audits
    assert (fact.ref, fact.kind, fact.audited_on, fact.report_on) == (audit.ref, "on_site", ENDED, None)
    found = findings(AFTER)
    assert outcome(found, "draft-pc-13.on-site-audit", "CON-1") == "met"
    assert outcome(found, "134-13.audit-report", "CON-1") == "not_met"  # conducted, no report yet

    services.audit_report(actor=world.mah_qa, audit=audit, summary="总体符合")
    assert outcome(findings(AFTER), "134-13.audit-report", "CON-1") == "met"


def test_a_planned_or_cancelled_audit_audited_nothing(world):
    from tests.quality.test_audits import plan

    plan(world)  # planned, never conducted
    cancelled = plan(world)
    services.audit_cancel(actor=world.mah_qa, audit=cancelled, reason="受托方停产")
    contract = next(c for c in load_facts(as_of=AFTER, everything=True).contracts if c.ref == "CON-1")
    assert contract.audits == ()
    assert outcome(findings(AFTER), "draft-pc-13.on-site-audit", "CON-1") == "not_met"


def test_a_shared_line_assessment_notified_to_every_holder_meets_art_8(
    shared_line_world,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    lw = shared_line_world
    today = dt.date.today()
    assert outcome(findings(today), "134-8.shared-line-change", "LINE-1") == "met"  # no change recorded

    started = start(lw)
    found = findings(today)
    assert outcome(found, "134-8.shared-line-change", "LINE-1") == "not_met"  # not concluded, nobody told
    assert started.ref in found[("134-8.shared-line-change", "LINE-1")].reason_en

    assessment = notified(lw, django_capture_on_commit_callbacks)
    line = next(
        line for o in load_facts(as_of=today, everything=True).enterprises for line in o.lines if line.ref == "LINE-1"
    )
    fact = next(c for c in line.shared_line_changes if c.ref == assessment.ref)
    assert fact.notified_holder_refs == frozenset({"ORG-MAH", "ORG-MAH2"})
    assert fact.assessed_on == today
    from weituo.compliance.dependencies import affected_by
    from weituo.registry.models import Organisation

    assert Organisation.objects.get(ref="ORG-CMO").pk in affected_by(assessment).enterprise_ids
    # the first assessment was never concluded: the line is still not met until it is
    assert outcome(findings(today), "134-8.shared-line-change", "LINE-1") == "not_met"


def test_recording_an_audit_rechecks_its_contract(world):
    """The re-check after a change maps an audit to its contract's graph (and a shared-line assessment
    to its line's CMO): the stored finding follows the record without a full scan."""
    from weituo.compliance.dependencies import affected_by
    from weituo.compliance.models import Finding
    from weituo.compliance.services import compliance_recheck

    system = system_actor("tests: audit facts")
    compliance_scan(actor=system, as_of=AFTER)
    assert not Finding.objects.filter(rule_id="134-13.audit-report", scope_ref="CON-1").exists()  # n/a: none kept
    audit = conducted(world)
    assert affected_by(audit).contract_ids == {world.contract.pk}
    compliance_recheck(actor=system, changed=audit, as_of=AFTER)
    stored = Finding.objects.get(rule_id="134-13.audit-report", scope_ref="CON-1")
    assert stored.outcome == "not_met" and audit.ref in stored.reason_en


def test_an_assessment_concluded_and_notified_to_every_holder_is_met(
    shared_line_world,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    notified(shared_line_world, django_capture_on_commit_callbacks)
    finding = findings(dt.date.today())[("134-8.shared-line-change", "LINE-1")]
    assert str(finding.outcome) == "met" and "notified to every MAH" in finding.reason_en
