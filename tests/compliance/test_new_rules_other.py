"""The rules added for the device notice 2024-38 (art. 1, 9, 11) and the production-conduct draft
(art. 7, 12) read the platform's own records: entered through the services, the finding flips."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.quality.world import SYSTEM, World, build_world
from weituo.compliance.services import compliance_scan
from weituo.contracts.models import CommissionContract, QualityAgreement
from weituo.contracts.services import (
    contract_change_status,
    contract_create,
    quality_agreement_change_status,
    quality_agreement_create,
    responsibility_edit,
)
from weituo.quality import services as quality
from weituo.registry.models import Organisation
from weituo.registry.services import organisation_update, product_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def findings(as_of: dt.date, *, include_draft: bool = False) -> dict[tuple[str, str | None], object]:
    result = compliance_scan(actor=SYSTEM, as_of=as_of, store=False, include_draft=include_draft)
    return {(f.rule_id, f.subject.get("ref")): f for f in result.findings}


def outcome(found, rule: str, ref: str) -> str:
    return str(found[(rule, ref)].outcome)


# --- the device notice ------------------------------------------------------------------------------


def device_commission(world: World, took_effect: dt.date) -> tuple[CommissionContract, QualityAgreement]:
    """ORG-MAH, also a device registrant, commissions a class II device from ORG-CMO, also a device CMO."""
    mah = organisation_update(actor=SYSTEM, organisation=Organisation.objects.get(ref="ORG-MAH"), is_registrant=True)
    cmo = organisation_update(actor=SYSTEM, organisation=Organisation.objects.get(ref="ORG-CMO"), is_device_cmo=True)
    device = product_create(
        actor=SYSTEM,
        ref="D-1",
        kind="device",
        holder=mah,
        name="一次性使用输液器",
        status="marketed",
        device_class="II",
    )
    contract = contract_create(
        actor=SYSTEM,
        mah=mah,
        cmo=cmo,
        products=[device],
        ref="CON-D",
        number="QX-2024-009",
        signed_on=took_effect,
        effective_from=took_effect,
        expires_on=took_effect + dt.timedelta(days=5 * 365),
    )
    contract = contract_change_status(actor=SYSTEM, contract=contract, to="in_force")
    agreement = quality_agreement_create(
        actor=SYSTEM, contract=contract, ref="QA-D", signed_on=took_effect, effective_from=took_effect
    )
    agreement = quality_agreement_change_status(actor=SYSTEM, agreement=agreement, to="in_force")
    return contract, agreement


def test_the_registrant_audit_of_the_cmo_turns_art_1_met(world):
    today = timezone.localdate()
    contract, _ = device_commission(world, today - dt.timedelta(days=2 * 365))
    found = findings(today)
    assert outcome(found, "38-1.periodic-audit", "CON-D") == "not_met"  # none in the first twelve months
    assert found[("38-1.periodic-audit", "CON-D")].overdue
    assert found[("38-1.periodic-audit", "CON-D")].parameters["cmo_audit_interval_months"]["value"] == 12
    assert ("134-13.audit-report", "CON-D") not in found  # drug rules stay off a device contract

    audit = quality.audit_plan(
        actor=world.mah_qa,
        contract=contract,
        mode="on_site",
        scope="灭菌过程及质量管理体系运行情况",
        auditors="李晓梅",
        planned_on=today - dt.timedelta(days=20),
    )
    found = findings(today)
    assert outcome(found, "38-1.periodic-audit", "CON-D") == "not_met"  # planned is not audited
    quality.audit_conduct(
        actor=world.mah_qa,
        audit=audit,
        conducted_from=today - dt.timedelta(days=11),
        conducted_to=today - dt.timedelta(days=10),
    )
    finding = findings(today)[("38-1.periodic-audit", "CON-D")]
    assert str(finding.outcome) == "met"
    assert finding.deadline is not None and finding.deadline > today


def test_the_responsibility_matrix_answers_art_9_and_art_11(world):
    today = timezone.localdate()
    _, agreement = device_commission(world, today - dt.timedelta(days=100))
    found = findings(today)  # the matrix has neither row: who does them is asked for
    assert outcome(found, "38-9.capa-duties", "QA-D") == "needs_information"
    assert outcome(found, "38-11.adverse-event-monitoring", "QA-D") == "needs_information"

    responsibility_edit(actor=world.mah_qa, agreement=agreement, activity="capa", party="unassigned")
    responsibility_edit(actor=world.mah_qa, agreement=agreement, activity="pharmacovigilance", party="cmo")
    found = findings(today)
    assert outcome(found, "38-9.capa-duties", "QA-D") == "not_met"
    assert outcome(found, "38-11.adverse-event-monitoring", "QA-D") == "not_met"
    assert found[("38-11.adverse-event-monitoring", "QA-D")].bearer == "mah"

    responsibility_edit(actor=world.mah_qa, agreement=agreement, activity="capa", party="both", reason="补充约定")
    responsibility_edit(actor=world.mah_qa, agreement=agreement, activity="pharmacovigilance", party="mah")
    found = findings(today)
    assert outcome(found, "38-9.capa-duties", "QA-D") == "met"
    assert outcome(found, "38-11.adverse-event-monitoring", "QA-D") == "met"
    assert ("38-11.adverse-event-monitoring", "QA-1") not in found  # the drug agreement is not concerned


# --- the production-conduct draft (scanned only with include_draft) -------------------------------------


def test_an_oos_result_is_not_met_until_its_investigation_is_closed(world):
    today = timezone.localdate()
    assert outcome(findings(today, include_draft=True), "draft-pc-7.oos-investigation", "CON-1") == "met"  # none
    event = quality.event_raise(
        actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="含量检验结果超标（批 240101）"
    )
    assert ("draft-pc-7.oos-investigation", "CON-1") not in findings(today)  # a draft, not asked for
    found = findings(today, include_draft=True)
    assert outcome(found, "draft-pc-7.oos-investigation", "CON-1") == "not_met"
    assert event.ref in found[("draft-pc-7.oos-investigation", "CON-1")].reason_en

    event = quality.event_acknowledge(actor=world.mah_qa, event=event, note="已收到")
    assert outcome(findings(today, include_draft=True), "draft-pc-7.oos-investigation", "CON-1") == "not_met"
    quality.event_close(actor=world.cmo_qa, event=event, conclusion="根本原因：标准品称量错误；复测符合规定")
    finding = findings(today, include_draft=True)[("draft-pc-7.oos-investigation", "CON-1")]
    assert str(finding.outcome) == "met"
    assert finding.facts["oos_oot_events"] == [[event.ref, today.isoformat(), today.isoformat()]]


def test_a_deviation_downgrade_is_read_with_its_approval(world):
    from weituo.compliance.dependencies import affected_by
    from weituo.compliance.facts import load_facts
    from weituo.integrity import writes
    from weituo.quality.models import Reclassification

    today = timezone.localdate()
    deviation = quality.deviation_raise(
        actor=world.cmo_qa, contract=world.contract, classification="major", title="灌装间压差低于标准"
    )
    assert outcome(findings(today, include_draft=True), "draft-pc-12.deviation-downgrade", "CON-1") == "met"

    request = quality.deviation_reclassify(
        actor=world.cmo_qa, deviation=deviation, to="minor", reason="调查证实压差波动未影响产品"
    )
    assert affected_by(request).contract_ids == {world.contract.pk}
    finding = findings(today, include_draft=True)[("draft-pc-12.deviation-downgrade", "CON-1")]
    assert str(finding.outcome) == "met" and finding.facts["downgrades"] == []  # pending: not in effect

    quality.reclassification_decide(actor=world.cmo_hoq, reclassification=request, approve=True)
    [fact] = next(c for c in load_facts(as_of=today, everything=True).contracts if c.ref == "CON-1").deviations
    [change] = fact.reclassifications
    assert (fact.ref, fact.classification, fact.batch_ref) == (deviation.event.ref, "minor", None)
    assert (change.status, change.second_person, change.decided_on) == ("approved", True, today)
    finding = findings(today, include_draft=True)[("draft-pc-12.deviation-downgrade", "CON-1")]
    assert str(finding.outcome) == "met"
    assert finding.facts["downgrades"] == [[deviation.event.ref, "major", "minor", "approved"]]

    # A downgrade that took effect without approval can only come from outside the services (an import,
    # a legacy record): written here through the audited write path directly, the rule reports it.
    other = quality.deviation_raise(
        actor=world.cmo_qa, contract=world.contract, classification="critical", title="无菌检验阳性"
    )
    writes.create(
        SYSTEM,
        Reclassification(
            deviation=other,
            from_classification="critical",
            to_classification="minor",
            reason="历史数据导入",
            party="cmo",
            requested_at=timezone.now(),
            status="applied",
        ),
    )
    finding = findings(today, include_draft=True)[("draft-pc-12.deviation-downgrade", "CON-1")]
    assert str(finding.outcome) == "not_met"
    assert other.event.ref in finding.reason_en and "without approval" in finding.reason_en
