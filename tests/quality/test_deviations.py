"""Deviations: classification and its changes (a downgrade needs QA approval by a second person of
the same party), investigation, CAPA and its effectiveness, closing, and the art. 11 obligations."""

from __future__ import annotations

import datetime as dt

import pytest

from weituo.contracts.services import quality_agreement_update
from weituo.core.deadlines import my_deadlines
from weituo.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from weituo.integrity.verify import verify_all
from weituo.integrity.writes import record_create
from weituo.quality import selectors, services
from weituo.quality.models import Deviation, RetentionObligation
from weituo.registry.models import EnterpriseGroup, Organisation
from weituo.registry.services import organisation_update

from .world import SYSTEM, make_batch

pytestmark = pytest.mark.django_db


def raise_deviation(world, classification="minor", batch=None, actor=None):
    return services.deviation_raise(
        actor=actor or world.cmo_qa,
        contract=world.contract,
        classification=classification,
        title="灌装量偏差",
        description="第 3 号灌装针灌装量低于下限",
        batch=batch,
    )


def obligations(batch):
    return sorted(RetentionObligation.objects.filter(batch=batch).values_list("kind", "party", "exception"))


# --- classification -------------------------------------------------------------------------------


def test_a_downgrade_waits_for_a_second_person_qa_of_the_same_party(world):
    deviation = raise_deviation(world, "major")
    with pytest.raises(ValidationFailed) as excinfo:
        services.deviation_reclassify(actor=world.cmo_qa, deviation=deviation, to="minor", reason="")
    assert excinfo.value.details[0].field == "reason"

    request = services.deviation_reclassify(
        actor=world.cmo_qa, deviation=deviation, to="minor", reason="灌装量仍在工艺验证范围内"
    )
    assert request.status == "pending"
    assert Deviation.objects.get(pk=deviation.pk).classification == "major"  # not until approved
    with pytest.raises(InvalidTransition):  # one pending downgrade at a time
        services.deviation_reclassify(actor=world.cmo_hoq, deviation=deviation, to="minor", reason="同上")

    for actor, code in (
        (world.cmo_qa, "second_person_required"),  # the requester
        (world.cmo_production, "qa_approval_required"),  # not QA
        (world.cmo_qp, "qa_approval_required"),
    ):
        with pytest.raises(PermissionDenied) as excinfo:
            services.reclassification_decide(actor=actor, reclassification=request, approve=True)
        assert excinfo.value.code == code
    with pytest.raises(PermissionDenied):  # QA, but of the other party
        services.reclassification_decide(actor=world.mah_qa, reclassification=request, approve=True)
    with pytest.raises(NotFound):
        services.reclassification_decide(actor=world.mah2_qa, reclassification=request, approve=True)

    services.reclassification_decide(actor=world.cmo_hoq, reclassification=request, approve=True, note="同意")
    assert Deviation.objects.get(pk=deviation.pk).classification == "minor"
    history = selectors.reclassification_list(actor=world.mah_qa, deviation=deviation)
    assert [(r.from_classification, r.to_classification, r.status) for r in history] == [("major", "minor", "approved")]
    trail = [(e.object_type, e.action) for e in selectors.event_trail(actor=world.mah_qa, event=deviation.event)]
    assert ("quality.reclassification", "transition") in trail and ("quality.deviation", "update") in trail


def test_a_rejected_downgrade_keeps_the_classification(world):
    deviation = raise_deviation(world, "critical")
    request = services.deviation_reclassify(actor=world.cmo_hoq, deviation=deviation, to="major", reason="影响有限")
    services.reclassification_decide(actor=world.cmo_qa, reclassification=request, approve=False, note="证据不足")
    assert Deviation.objects.get(pk=deviation.pk).classification == "critical"
    with pytest.raises(InvalidTransition):
        services.reclassification_decide(actor=world.cmo_qa, reclassification=request, approve=True)


def test_an_upgrade_applies_at_once_and_creates_the_art11_obligations(world):
    batch = make_batch(world)
    deviation = raise_deviation(world, "minor", batch)
    assert obligations(batch) == []
    change = services.deviation_reclassify(
        actor=world.mah_qa, deviation=deviation, to="critical", reason="涉及无菌保证", party="mah"
    )
    assert (change.status, change.party) == ("applied", "mah")
    assert Deviation.objects.get(pk=deviation.pk).classification == "critical"
    assert obligations(batch) == [
        ("ongoing_stability", "cmo", ""),
        ("ongoing_stability", "mah", ""),
        ("retained_sample", "cmo", ""),
        ("retained_sample", "mah", ""),
    ]


# --- retention obligations (art. 11) ---------------------------------------------------------------


def test_a_critical_deviation_on_a_batch_obliges_both_parties(world):
    batch = make_batch(world)
    deviation = raise_deviation(world, "critical", batch)
    assert len(obligations(batch)) == 4
    raise_deviation(world, "critical", batch)  # a second one adds nothing: one duty per batch, party, kind
    assert len(obligations(batch)) == 4
    rows = selectors.retention_obligation_list(actor=world.mah_qa, batch=batch)
    assert all("134" in r.basis and deviation.event.ref in r.basis for r in rows)
    assert not selectors.retention_obligation_list(actor=world.mah2_qa).exists()


def test_no_obligation_for_a_minor_deviation_or_one_without_a_batch(world):
    batch = make_batch(world)
    raise_deviation(world, "minor", batch)
    raise_deviation(world, "critical")
    assert RetentionObligation.objects.count() == 0


def test_a_major_deviation_is_not_the_重大偏差_of_art_11(world):
    """GMP art. 250 classes deviations 重大 (critical), 主要 (major), 次要 (minor); art. 11 names 重大偏差:
    a 主要偏差 on a batch creates no retention or stability duty (it did under the old reading)."""
    batch = make_batch(world)
    raise_deviation(world, "major", batch)
    assert obligations(batch) == []


def test_electronic_data_exchange_leaves_it_to_the_party_the_agreement_names(world):
    # QA-1 names "both" for retained samples and "cmo" for stability
    quality_agreement_update(
        actor=SYSTEM, agreement=world.agreement, electronic_production_records=True, electronic_data_exchange=True
    )
    batch = make_batch(world)
    raise_deviation(world, "critical", batch)
    assert obligations(batch) == [
        ("ongoing_stability", "cmo", "electronic_data_exchange"),
        ("retained_sample", "cmo", ""),
        ("retained_sample", "mah", ""),
    ]


def test_one_group_with_one_quality_system_leaves_it_to_one_party(world):
    quality_agreement_update(actor=SYSTEM, agreement=world.agreement, retained_samples_party="mah")
    group = record_create(actor=SYSTEM, model=EnterpriseGroup, ref="G-1", name="康宁集团", unified_qms=True)
    for ref in ("ORG-MAH", "ORG-CMO"):
        organisation_update(actor=SYSTEM, organisation=Organisation.objects.get(ref=ref), group=group)
    batch = make_batch(world)
    raise_deviation(world, "critical", batch)
    assert obligations(batch) == [
        ("ongoing_stability", "cmo", "same_group_unified_qms"),
        ("retained_sample", "mah", "same_group_unified_qms"),
    ]


def test_the_obligated_party_fulfils_its_obligation(world):
    batch = make_batch(world)
    raise_deviation(world, "critical", batch)
    mine = RetentionObligation.objects.get(batch=batch, party="mah", kind="retained_sample")
    with pytest.raises(PermissionDenied):
        services.retention_obligation_fulfil(actor=world.cmo_qa, obligation=mine, note="已留样")
    with pytest.raises(ValidationFailed):
        services.retention_obligation_fulfil(actor=world.mah_qa, obligation=mine, note="")
    services.retention_obligation_fulfil(actor=world.mah_qa, obligation=mine, note="留样 2×10 支，库位 R-12")
    mine.refresh_from_db()
    assert (mine.status, mine.fulfilled_by_id) == ("fulfilled", world.mah_qa.user_id)


# --- investigation, CAPA, closing ------------------------------------------------------------------


def test_closing_a_major_deviation_needs_root_cause_and_an_implemented_capa(world):
    deviation = raise_deviation(world, "major")
    event = services.event_acknowledge(actor=world.mah_qa, event=deviation.event)

    def close():
        return services.event_close(actor=world.cmo_qa, event=event, conclusion="偏差已处理")

    with pytest.raises(ValidationFailed) as excinfo:
        close()
    assert {d.field for d in excinfo.value.details} == {"root_cause", "capas"}

    with pytest.raises(ValidationFailed):
        services.deviation_investigate(actor=world.cmo_qa, deviation=deviation, root_cause="  ")
    services.deviation_investigate(
        actor=world.cmo_qa, deviation=deviation, root_cause="灌装针磨损", summary="更换灌装针后复测合格"
    )
    capa = services.capa_add(
        actor=world.mah_qa,
        event=event,
        description="灌装针纳入预防性维护计划",
        owner_party="cmo",
        due_on=dt.date(2026, 12, 31),
    )
    with pytest.raises(ValidationFailed) as excinfo:
        close()
    assert [d.message_en for d in excinfo.value.details] == ["a CAPA is not implemented yet"]
    with pytest.raises(PermissionDenied):  # the owner party implements it
        services.capa_implement(actor=world.mah_qa, capa=capa, note="done")
    with pytest.raises(InvalidTransition):  # effectiveness only after implementation
        services.capa_check_effectiveness(actor=world.mah_qa, capa=capa, effective=True, note="有效")
    capa = services.capa_implement(actor=world.cmo_production, capa=capa, note="已修订 SOP-EQ-012")
    with pytest.raises(PermissionDenied):  # QA or head of quality only
        services.capa_check_effectiveness(actor=world.cmo_production, capa=capa, effective=True, note="有效")
    close()
    assert Deviation.objects.get(pk=deviation.pk).event.status == "closed"
    # the effectiveness check may follow the closure (months later, typically)
    capa = services.capa_check_effectiveness(actor=world.mah_qa, capa=capa, effective=True, note="三个月无复发")
    assert capa.status == "effective"
    with pytest.raises(InvalidTransition):  # a closed deviation is no longer changed
        services.deviation_investigate(actor=world.cmo_qa, deviation=deviation, root_cause="另一原因")


def test_capa_found_not_effective_needs_a_new_one(world):
    deviation = raise_deviation(world, "critical")
    event = services.event_acknowledge(actor=world.mah_qa, event=deviation.event)
    services.deviation_investigate(actor=world.cmo_qa, deviation=deviation, root_cause="培训不足")
    capa = services.capa_add(
        actor=world.cmo_qa, event=event, description="再培训", owner_party="cmo", due_on=dt.date(2026, 12, 1)
    )
    services.capa_implement(actor=world.cmo_qa, capa=capa, note="已培训")
    services.capa_check_effectiveness(actor=world.cmo_hoq, capa=capa, effective=False, note="再次发生")
    with pytest.raises(ValidationFailed) as excinfo:
        services.event_close(actor=world.cmo_qa, event=event, conclusion="x")
    assert "not effective" in excinfo.value.details[0].message_en


def test_a_minor_deviation_closes_with_its_root_cause_and_a_pending_downgrade_blocks(world):
    deviation = raise_deviation(world, "major")
    event = services.event_acknowledge(actor=world.mah_qa, event=deviation.event)
    services.deviation_investigate(actor=world.cmo_qa, deviation=deviation, root_cause="称量误差")
    request = services.deviation_reclassify(actor=world.cmo_qa, deviation=deviation, to="minor", reason="无质量影响")
    with pytest.raises(ValidationFailed) as excinfo:
        services.event_close(actor=world.cmo_qa, event=event, conclusion="x")
    assert "classification" in {d.field for d in excinfo.value.details}
    services.reclassification_decide(actor=world.cmo_hoq, reclassification=request, approve=True)
    services.event_close(actor=world.cmo_qa, event=event, conclusion="次要偏差，已处理")


def test_capa_deadlines_are_the_owner_party_s(world):
    deviation = raise_deviation(world, "major")
    services.capa_add(
        actor=world.cmo_qa, event=deviation.event, description="x", owner_party="cmo", due_on=dt.date(2026, 12, 1)
    )
    kinds = [(d.kind, d.capa is not None) for d in my_deadlines(actor=world.cmo_production)]
    assert kinds == [("capa", True)]
    assert [d.kind for d in my_deadlines(actor=world.mah_qa)] == ["acknowledge"]
    report = verify_all()
    assert report.ok, report.problems
