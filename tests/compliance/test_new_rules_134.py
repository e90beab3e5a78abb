"""The rules of Notice 2025-134 added for issue #12 read what the parties record through the services:
shared-line feedback, agreements and CAPA reviews (art. 8), the regulatory step of a change before it is
implemented (art. 9), periodic audits and the rectification of their findings (art. 13), remote
audits (art. 14), and the licences each party holds for the commission (arts. 16 and 19). Each test
enters the record through its service and sees the finding change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.compliance.test_change_facts import implemented_major_change
from tests.quality.test_audits import ENDED, add_finding, conducted, plan, set_exchange
from tests.quality.test_changes import approved
from tests.quality.test_shared_line import lw as shared_line_world  # noqa: F401 (a fixture, used by name)
from tests.quality.test_shared_line import notice_of, notified
from tests.quality.world import World, build_world
from weituo.compliance.dependencies import affected_by
from weituo.compliance.facts import load_facts
from weituo.compliance.services import compliance_scan
from weituo.core.actors import system_actor
from weituo.integrity.writes import record_update
from weituo.quality import services as quality
from weituo.quality.models import Capa, Change
from weituo.quality.services import shared_line as sl
from weituo.registry.models import Licence, LicenceScope, Organisation

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("tests: new rules of 134")
AFTER = ENDED + dt.timedelta(days=30)


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def findings(as_of: dt.date) -> dict[tuple[str, str | None], object]:
    result = compliance_scan(actor=SYSTEM, as_of=as_of, store=False)
    return {(f.rule_id, f.subject.get("ref")): f for f in result.findings}


def outcome(as_of: dt.date, rule: str, ref: str) -> str:
    return str(findings(as_of)[(rule, ref)].outcome)


def contract_facts(as_of: dt.date, ref: str = "CON-1"):
    return next(c for c in load_facts(as_of=as_of, everything=True).contracts if c.ref == ref)


# --- art. 8: feedback agreed, CAPA approved by every notified MAH ------------------------------------


def test_feedback_on_a_shared_line_notice_is_open_until_agreement_is_recorded(
    shared_line_world,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    lw = shared_line_world
    today = timezone.localdate()
    assessment = notified(lw, django_capture_on_commit_callbacks)
    assert outcome(today, "134-8.feedback-agreed", "LINE-1") == "not_applicable"  # nobody answered

    notice = sl.notice_feedback(actor=lw.w.mah_qa, notice=notice_of(assessment, "ORG-MAH"), feedback="请增加擦拭点")
    finding = findings(today)[("134-8.feedback-agreed", "LINE-1")]
    assert str(finding.outcome) == "not_met" and "ORG-MAH" in finding.reason_en

    notice = sl.notice_respond(actor=lw.w.cmo_qa, notice=notice, response="已增加擦拭取样点")
    assert outcome(today, "134-8.feedback-agreed", "LINE-1") == "not_met"  # answered, not agreed yet
    sl.notice_agree(actor=lw.w.mah_hoq, notice=notice, note="已达成一致")
    [fact] = [c for c in _line(today).shared_line_changes if c.ref == assessment.ref]
    assert (fact.feedback_holder_refs, fact.agreed_holder_refs) == (frozenset({"ORG-MAH"}), frozenset({"ORG-MAH"}))
    assert outcome(today, "134-8.feedback-agreed", "LINE-1") == "met"


def _line(as_of: dt.date):
    return next(
        line for o in load_facts(as_of=as_of, everything=True).enterprises for line in o.lines if line.ref == "LINE-1"
    )


def test_a_shared_line_capa_is_judged_on_the_mahs_reviews_before_it_was_taken(
    shared_line_world,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    lw = shared_line_world
    today = timezone.localdate()
    assessment = notified(lw, django_capture_on_commit_callbacks)
    capa = sl.assessment_capa_add(actor=lw.w.cmo_qa, assessment=assessment, description="灌装针头专用", due_on=today)
    cmo = Organisation.objects.get(ref="ORG-CMO").pk
    assert cmo in affected_by(capa).enterprise_ids  # a fact of the line, in its CMO's graph
    assert outcome(today, "134-8.capa-approved", "LINE-1") == "not_applicable"  # planned, not taken

    approval = sl.assessment_capa_decide(actor=lw.w.mah_qa, capa=capa, approve=True)
    assert cmo in affected_by(approval).enterprise_ids
    sl.assessment_capa_decide(actor=lw.mah2_hoq, capa=capa, approve=True, note="同意")
    sl.assessment_capa_implement(actor=lw.w.cmo_qa, capa=capa, note="已完成")
    [fact] = [c for c in _line(today).shared_line_changes if c.ref == assessment.ref]
    [capa_fact] = fact.capas
    assert capa_fact.ref == f"{assessment.ref}-CAPA1"  # numbered within its assessment
    assert {a.holder_ref for a in capa_fact.approvals} == {"ORG-MAH", "ORG-MAH2"}
    assert capa_fact.implemented_on == today
    assert outcome(today, "134-8.capa-approved", "LINE-1") == "met"

    # A CAPA recorded as taken without the reviews (the service refuses it; an imported or legacy
    # record can hold it): the rule reads the record and says so.
    other = sl.assessment_capa_add(actor=lw.w.cmo_qa, assessment=assessment, description="换品种清洁", due_on=today)
    Capa.objects.filter(pk=other.pk).update(status="implemented", implemented_at=timezone.now())
    finding = findings(today)[("134-8.capa-approved", "LINE-1")]
    assert str(finding.outcome) == "not_met" and "ORG-MAH2" in finding.reason_en


# --- art. 9: the regulator's approval or the filing before implementation -----------------------------


def test_a_change_on_the_approval_path_implemented_after_the_approval_is_met(world):
    today = timezone.localdate()
    assert outcome(today, "134-9.authority-before-implementation", "CON-1") == "not_applicable"
    change = implemented_major_change(world, today)
    [fact] = contract_facts(today).changes
    assert (fact.regulatory_path, fact.authority_approved_on, fact.implemented_on) == ("approval", today, today)
    assert outcome(today, "134-9.authority-before-implementation", "CON-1") == "met"

    # The approval recorded a day after the implementation (the service refuses this order; a record
    # entered otherwise can hold it).
    Change.objects.filter(pk=change.pk).update(filing_concluded_on=today + dt.timedelta(days=1))
    finding = findings(today + dt.timedelta(days=1))[("134-9.authority-before-implementation", "CON-1")]
    assert str(finding.outcome) == "not_met" and change.ref in finding.reason_en


def test_a_change_on_the_filing_path_is_implemented_once_filed(world):
    today = timezone.localdate()
    change = approved(world, mah=("moderate", "filing"), cmo=("minor", "report"))
    change = quality.change_filing_record(actor=world.mah_qa, change=change, to="submitted", reference="BA2600001")
    assert outcome(today, "134-9.authority-before-implementation", "CON-1") == "not_applicable"  # not implemented
    quality.change_implement(actor=world.cmo_qa, change=change, on=today, note="已备案后实施")
    [fact] = contract_facts(today).changes
    assert (fact.regulatory_path, fact.authority_filed_on) == ("filing", today)
    assert outcome(today, "134-9.authority-before-implementation", "CON-1") == "met"


# --- art. 13: periodic audits, findings rectified ------------------------------------------------------


def test_a_year_without_an_audit_is_overdue_and_an_audit_brings_it_up_to_date(world):
    a_year_on = dt.date(2027, 1, 7)  # CON-1 was in force when the notice applied: first due 2027-01-06
    finding = findings(a_year_on)[("134-13.periodic-audit", "CON-1")]
    assert str(finding.outcome) == "not_met" and finding.overdue and finding.deadline == dt.date(2027, 1, 6)
    conducted(world)
    finding = findings(a_year_on)[("134-13.periodic-audit", "CON-1")]
    assert str(finding.outcome) == "met" and finding.deadline == dt.date(2027, 10, 1)


def test_an_audit_finding_is_open_until_the_cmo_carries_out_its_capa(world):
    audit = conducted(world)
    assert outcome(AFTER, "134-13.findings-rectified", "CON-1") == "not_applicable"  # nothing found
    finding = add_finding(world, audit)  # response due 2026-11-30
    assert affected_by(finding).contract_ids == {world.contract.pk}
    found = findings(AFTER)[("134-13.findings-rectified", "CON-1")]
    assert str(found.outcome) == "not_met" and not found.overdue and found.deadline == dt.date(2026, 11, 30)

    today = timezone.localdate()
    capa = quality.finding_capa_add(
        actor=world.cmo_qa, finding=finding, description="补充压差记录复核", due_on=today + dt.timedelta(days=10)
    )
    assert affected_by(capa).contract_ids == {world.contract.pk}
    found = findings(today)[("134-13.findings-rectified", "CON-1")]
    assert str(found.outcome) == "not_met" and found.deadline == today + dt.timedelta(days=10)
    quality.finding_capa_implement(actor=world.cmo_qa, capa=capa, note="已补签并培训")
    [audit_fact] = contract_facts(today).audits
    [finding_fact] = audit_fact.findings
    assert finding_fact.ref == f"{audit.ref}-F1"  # numbered within its audit: no database id shown
    assert finding_fact.capas[0].implemented_on == today
    assert outcome(today, "134-13.findings-rectified", "CON-1") == "met"

    quality.finding_capa_check(actor=world.mah_qa, capa=capa, effective=False, note="复核仍缺签名")
    assert outcome(today, "134-13.findings-rectified", "CON-1") == "not_met"  # a new CAPA is owed


# --- art. 14: remote audits ----------------------------------------------------------------------------


def test_a_remote_audit_is_judged_on_the_agreement_in_force_on_its_day(world):
    conducted(world)  # an on-site audit first: the remote one replaces only part of them
    assert outcome(AFTER, "134-14.remote-audit", "CON-1") == "not_applicable"
    set_exchange(world, True)
    remote = plan(world, "remote", planned_on=dt.date(2026, 10, 10))
    quality.audit_conduct(
        actor=world.mah_qa, audit=remote, conducted_from=dt.date(2026, 10, 10), conducted_to=dt.date(2026, 10, 11)
    )
    assert outcome(AFTER, "134-14.remote-audit", "CON-1") == "met"

    set_exchange(world, False)  # the agreement no longer records the electronic exchange
    finding = findings(AFTER)[("134-14.remote-audit", "CON-1")]
    assert str(finding.outcome) == "not_met" and remote.ref in finding.reason_en


# --- arts. 16 and 19: the licences held ---------------------------------------------------------------


def test_the_cmo_c_licence_is_judged_on_its_validity(world):
    # the mini registry's CMO licence ran until 2025-12-31
    finding = findings(AFTER)[("134-16.cmo-c-licence", "P-1")]
    assert str(finding.outcome) == "not_met" and "2025-12-31" in finding.reason_en
    licence = Licence.objects.get(ref="LIC-CMO")
    record_update(actor=SYSTEM, instance=licence, valid_until=dt.date(2030, 12, 31), reason="重新发证")
    assert Organisation.objects.get(ref="ORG-CMO").pk in affected_by(licence).enterprise_ids
    finding = findings(AFTER)[("134-16.cmo-c-licence", "P-1")]
    assert str(finding.outcome) == "met" and finding.deadline == dt.date(2030, 12, 31)


def test_the_mah_b_licence_entry_must_name_the_cmo(world):
    # the mini registry's B entry names the product but not the CMO: which commission it is, is asked
    finding = findings(AFTER)[("134-19.mah-b-licence", "P-1")]
    assert str(finding.outcome) == "needs_information"
    assert [m.name for m in finding.missing] == ["mah.licences[LIC-MAH].counterparty"]
    entry = LicenceScope.objects.get(licence__ref="LIC-MAH", class_code="B")
    record_update(actor=SYSTEM, instance=entry, counterparty=Organisation.objects.get(ref="ORG-CMO"))
    assert outcome(AFTER, "134-19.mah-b-licence", "P-1") == "met"
    record_update(actor=SYSTEM, instance=entry, counterparty=Organisation.objects.get(ref="ORG-MAH2"))
    assert outcome(AFTER, "134-19.mah-b-licence", "P-1") == "not_met"  # another CMO's commission
