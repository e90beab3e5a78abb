"""The technology-transfer workflow (Notice 2025-134 art. 4): started by the MAH, the CMO's lead and
working group, each step by the party the article gives it to and in order, completion only when
everything is recorded, a risk controlled or stopping the cooperation; the rules see the result; and
another MAH of the same CMO sees nothing of it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from tests.contracts.transfer_world import (
    COMPLETED_ON,
    START,
    STEP_DATES,
    appoint,
    build_transfer_world,
    completed,
    con2,
    record,
    run_all_steps,
    start,
)
from tests.quality.world import SYSTEM, World
from weituo.compliance.facts import load_facts
from weituo.contracts import selectors
from weituo.contracts import tech_transfer as tt
from weituo.contracts.choices import TransferStep
from weituo.contracts.models import TechTransfer, TechTransferRisk, TechTransferStep
from weituo.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from weituo.core.selectors import working_calendar
from weituo.integrity import committed
from weituo.integrity.audited import object_type
from weituo.integrity.models import LedgerEntry
from weituo.integrity.verify import Report, verify_records
from weituo.integrity.writes import StaleRecord, record_update
from weituo.registry.models import Person, Product
from weituo.rules.engine import all_rules, evaluate

pytestmark = pytest.mark.django_db

STEPS = TransferStep.values


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_transfer_world()


def fields(transfer: TechTransfer) -> dict:
    t = TechTransfer.objects.get(pk=transfer.pk)
    return {f"{s}_on": getattr(t, f"{s}_on") for s in STEPS} | {"completed_on": t.completed_on}


# --- start and team ------------------------------------------------------------------------------


def test_the_mah_starts_a_transfer_of_its_contracts_product(world):
    transfer = start(world)
    assert (transfer.contract.ref, transfer.product.ref, transfer.started_on) == ("CON-1", "P-1", START)
    assert tt.transfer_state(transfer) == tt.IN_PROGRESS
    entry = LedgerEntry.objects.filter(object_type=object_type(TechTransfer), object_id=str(transfer.pk)).get()
    assert (entry.action, entry.actor_user_id) == ("create", world.mah_qa.user_id)


def test_the_cmo_cannot_start_a_transfer(world):
    with pytest.raises(PermissionDenied):
        tt.tech_transfer_start(
            actor=world.cmo_qa, contract=world.contract, product=Product.objects.get(ref="P-1"), started_on=START
        )
    assert not TechTransfer.objects.exists()


def test_a_product_outside_the_contract_or_a_future_start_is_refused(world):
    with pytest.raises(NotFound):  # P-2 is another holder's: the MAH does not see CON-2 at all
        tt.tech_transfer_start(
            actor=world.mah_qa, contract=con2(), product=Product.objects.get(ref="P-2"), started_on=START
        )
    with pytest.raises(ValidationFailed) as e:
        tt.tech_transfer_start(
            actor=world.admin, contract=world.contract, product=Product.objects.get(ref="P-2"), started_on=START
        )
    assert [d.field for d in e.value.details] == ["product"]
    with pytest.raises(ValidationFailed) as e:
        tt.tech_transfer_start(
            actor=world.mah_qa,
            contract=world.contract,
            product=Product.objects.get(ref="P-1"),
            started_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert [d.field for d in e.value.details] == ["started_on"]
    assert not TechTransfer.objects.exists()


def test_a_second_transfer_of_the_product_while_one_is_in_progress_is_refused(world):
    start(world)
    with pytest.raises(InvalidTransition) as e:
        start(world, ref="TT-2")
    assert e.value.code == "transfer_in_progress"
    assert TechTransfer.objects.count() == 1


def test_the_cmo_appoints_its_lead_and_working_group(world):
    transfer = appoint(world, start(world))
    assert transfer.lead.ref == "PER-TTL"
    assert sorted(p.ref for p in transfer.working_group.all()) == ["PER-MQA", "PER-TTE"]
    update = LedgerEntry.objects.filter(
        object_type=object_type(TechTransfer), object_id=str(transfer.pk), action="update"
    ).get()
    new = json.loads(update.new)
    assert set(new) == {"lead_id", "working_group"}


def test_the_lead_must_be_the_cmos_and_the_mah_cannot_appoint_it(world):
    transfer = start(world)
    mah_person, group = Person.objects.get(ref="PER-MQA"), [Person.objects.get(ref="PER-TTE")]
    with pytest.raises(PermissionDenied):
        tt.tech_transfer_set_team(
            actor=world.mah_qa, transfer=transfer, lead=Person.objects.get(ref="PER-TTL"), working_group=group
        )
    with pytest.raises(ValidationFailed) as e:
        tt.tech_transfer_set_team(actor=world.cmo_qa, transfer=transfer, lead=mah_person, working_group=[])
    assert {d.field for d in e.value.details} == {"lead", "working_group"}
    transfer.refresh_from_db()
    assert transfer.lead_id is None and not transfer.working_group.exists()


# --- steps ------------------------------------------------------------------------------------------


def test_no_step_before_the_team_is_appointed(world):
    transfer = start(world)
    with pytest.raises(InvalidTransition) as e:
        record(world, transfer, TransferStep.PLAN_REVIEWED)
    assert e.value.code == "team_missing"


def test_steps_are_recorded_in_order(world):
    transfer = appoint(world, start(world))
    with pytest.raises(InvalidTransition) as e:
        record(world, transfer, TransferStep.CLEANING_VALIDATED)
    assert e.value.code == "step_out_of_order"
    record(world, transfer, TransferStep.PLAN_REVIEWED)
    record(world, transfer, TransferStep.EQUIPMENT_QUALIFIED)
    with pytest.raises(InvalidTransition):
        record(world, transfer, TransferStep.PROCESS_VALIDATED)  # cleaning and analytical come first
    assert fields(transfer) == {
        **{f"{s}_on": None for s in STEPS},
        "plan_reviewed_on": STEP_DATES["plan_reviewed"],
        "equipment_qualified_on": STEP_DATES["equipment_qualified"],
        "completed_on": None,
    }


def test_a_step_is_recorded_once(world):
    transfer = appoint(world, start(world))
    record(world, transfer, TransferStep.PLAN_REVIEWED)
    with pytest.raises(InvalidTransition) as e:
        record(world, transfer, TransferStep.PLAN_REVIEWED, done_on=STEP_DATES["equipment_qualified"])
    assert e.value.code == "step_recorded"
    assert fields(transfer)["plan_reviewed_on"] == STEP_DATES["plan_reviewed"]


def test_each_step_by_the_party_the_article_gives_it_to(world):
    transfer = appoint(world, start(world))
    # (2)-(4) are the CMO's duties: the MAH cannot record them
    with pytest.raises(PermissionDenied):
        tt.tech_transfer_record_step(
            actor=world.mah_qa, transfer=transfer, step="plan_reviewed", done_on=START, note="reviewed"
        )
    for step in STEPS[:-1]:
        record(world, transfer, step)
    # (5) the master documents are approved by the MAH: the CMO cannot record the approval
    with pytest.raises(PermissionDenied):
        tt.tech_transfer_record_step(
            actor=world.cmo_qa,
            transfer=transfer,
            step="master_documents_approved",
            done_on=STEP_DATES["master_documents_approved"],
            note="approved",
        )
    # a viewer of the CMO writes nothing
    with pytest.raises(PermissionDenied):
        tt.tech_transfer_record_step(
            actor=world.cmo_viewer, transfer=transfer, step="master_documents_approved", done_on=START, note="x"
        )
    record(world, transfer, TransferStep.MASTER_DOCUMENTS_APPROVED)
    steps = {s.step: s for s in TechTransferStep.objects.filter(transfer=transfer)}
    assert steps["master_documents_approved"].party == "mah"
    assert steps["master_documents_approved"].recorded_by_id == world.mah_qa.user_id
    assert {steps[s].party for s in STEPS[:-1]} == {"cmo"}
    assert steps["plan_reviewed"].evidence == "DOC-plan_reviewed"


def test_a_step_date_before_the_previous_one_or_in_the_future_is_refused(world):
    transfer = appoint(world, start(world))
    with pytest.raises(ValidationFailed) as e:
        record(world, transfer, TransferStep.PLAN_REVIEWED, done_on=START - dt.timedelta(days=1))
    assert [d.field for d in e.value.details] == ["done_on"]
    record(world, transfer, TransferStep.PLAN_REVIEWED)
    with pytest.raises(ValidationFailed):
        record(world, transfer, TransferStep.EQUIPMENT_QUALIFIED, done_on=STEP_DATES["plan_reviewed"] - dt.timedelta(1))
    with pytest.raises(ValidationFailed):
        record(world, transfer, TransferStep.EQUIPMENT_QUALIFIED, done_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ValidationFailed) as e:
        record(world, transfer, TransferStep.EQUIPMENT_QUALIFIED, note="  ")
    assert [d.field for d in e.value.details] == ["note"]
    # the same day as the previous step is fine
    record(world, transfer, TransferStep.EQUIPMENT_QUALIFIED, done_on=STEP_DATES["plan_reviewed"])
    assert TechTransferStep.objects.filter(transfer=transfer).count() == 2


def test_each_step_and_its_date_are_in_the_ledger(world):
    transfer = appoint(world, start(world))
    step = record(world, transfer, TransferStep.PLAN_REVIEWED)
    assert LedgerEntry.objects.filter(object_type=object_type(TechTransferStep), object_id=str(step.pk)).exists()
    change = LedgerEntry.objects.filter(object_type=object_type(TechTransfer), object_id=str(transfer.pk)).last()
    assert json.loads(change.new) == {"plan_reviewed_on": STEP_DATES["plan_reviewed"].isoformat()}


# --- completion ---------------------------------------------------------------------------------------


def test_completion_is_refused_until_every_step_is_recorded(world):
    transfer = appoint(world, start(world))
    for step in STEPS:
        with pytest.raises(InvalidTransition) as e:
            tt.tech_transfer_complete(actor=world.mah_qa, transfer=transfer, completed_on=COMPLETED_ON)
        assert e.value.code == "transfer_incomplete"
        assert fields(transfer)["completed_on"] is None
        record(world, transfer, step)
    done = tt.tech_transfer_complete(actor=world.mah_qa, transfer=transfer, completed_on=COMPLETED_ON)
    assert done.completed_on == COMPLETED_ON and tt.transfer_state(done) == tt.COMPLETED


def test_only_the_mah_completes_and_not_before_the_last_step(world):
    transfer = run_all_steps(world, start(world))
    with pytest.raises(PermissionDenied):
        tt.tech_transfer_complete(actor=world.cmo_qa, transfer=transfer, completed_on=COMPLETED_ON)
    with pytest.raises(ValidationFailed):
        tt.tech_transfer_complete(
            actor=world.mah_qa,
            transfer=transfer,
            completed_on=STEP_DATES["master_documents_approved"] - dt.timedelta(days=1),
        )
    assert fields(transfer)["completed_on"] is None


def test_a_completed_transfer_is_closed_to_changes(world):
    transfer = completed(world)
    with pytest.raises(InvalidTransition) as e:
        tt.tech_transfer_complete(actor=world.mah_qa, transfer=transfer, completed_on=COMPLETED_ON)
    assert e.value.code == "transfer_completed"
    with pytest.raises(InvalidTransition):
        tt.tech_transfer_risk_raise(actor=world.cmo_qa, transfer=transfer, description="late", raised_on=COMPLETED_ON)
    # the product may now be transferred again (e.g. to a new line), as a new record
    assert start(world, ref="TT-2").ref == "TT-2"


# --- risks -------------------------------------------------------------------------------------------------


def test_an_open_risk_blocks_completion_until_controlled(world):
    transfer = run_all_steps(world, start(world))
    risk = tt.tech_transfer_risk_raise(
        actor=world.cmo_qa,
        transfer=transfer,
        description="清洁验证残留限度接近上限",
        raised_on=STEP_DATES["cleaning_validated"],
    )
    assert (risk.raised_by_party, risk.status) == ("cmo", "open")
    with pytest.raises(InvalidTransition) as e:
        tt.tech_transfer_complete(actor=world.mah_qa, transfer=transfer, completed_on=COMPLETED_ON)
    assert e.value.code == "risk_open"
    with pytest.raises(ValidationFailed) as e:  # controlled needs its measures
        tt.tech_transfer_risk_control(
            actor=world.mah_qa, risk=risk, resolved_on=COMPLETED_ON, resolution="acceptable", version=risk.version
        )
    assert [d.field for d in e.value.details] == ["measures"]
    risk = tt.tech_transfer_risk_control(
        actor=world.mah_qa,
        risk=risk,
        resolved_on=COMPLETED_ON,
        resolution="复验合格",
        measures="增加一次清洁并复验",
        version=risk.version,
    )
    assert (risk.status, risk.resolved_by_party) == ("controlled", "mah")
    tt.tech_transfer_complete(actor=world.mah_qa, transfer=transfer, completed_on=COMPLETED_ON)


def test_a_risk_that_cannot_be_controlled_stops_the_transfer(world):
    transfer = appoint(world, start(world))
    record(world, transfer, TransferStep.PLAN_REVIEWED)
    risk = tt.tech_transfer_risk_raise(
        actor=world.mah_qa,
        transfer=transfer,
        description="受托方设备无法满足无菌工艺要求",
        raised_on=STEP_DATES["plan_reviewed"],
    )
    with pytest.raises(ValidationFailed) as e:
        tt.tech_transfer_stop(actor=world.cmo_qa, risk=risk, resolved_on=COMPLETED_ON, reason=" ")
    assert [d.field for d in e.value.details] == ["resolution"]
    risk = tt.tech_transfer_stop(actor=world.cmo_qa, risk=risk, resolved_on=COMPLETED_ON, reason="风险难以有效控制")
    assert (risk.status, risk.resolution) == ("stopped", "风险难以有效控制")
    assert tt.transfer_state(transfer) == tt.STOPPED
    with pytest.raises(InvalidTransition) as e:
        record(world, transfer, TransferStep.EQUIPMENT_QUALIFIED)
    assert e.value.code == "transfer_stopped"
    with pytest.raises(InvalidTransition):
        tt.tech_transfer_complete(actor=world.mah_qa, transfer=transfer, completed_on=COMPLETED_ON)
    entry = LedgerEntry.objects.filter(object_type=object_type(TechTransferRisk), object_id=str(risk.pk)).last()
    assert (entry.action, entry.reason) == ("transition", "风险难以有效控制")


def test_a_stale_risk_resolution_is_refused(world):
    transfer = appoint(world, start(world))
    risk = tt.tech_transfer_risk_raise(actor=world.cmo_qa, transfer=transfer, description="x", raised_on=START)
    seen = risk.version
    tt.tech_transfer_risk_control(
        actor=world.cmo_qa, risk=risk, resolved_on=START, resolution="ok", measures="m", version=seen
    )
    with pytest.raises(InvalidTransition):  # StaleRecord is an InvalidTransition (409)
        tt.tech_transfer_stop(actor=world.mah_qa, risk=risk, resolved_on=START, reason="stop", version=seen)
    with pytest.raises(StaleRecord):
        tt.tech_transfer_stop(actor=world.mah_qa, risk=risk, resolved_on=START, reason="stop", version=seen)
    assert TechTransferRisk.objects.get(pk=risk.pk).status == "controlled"


# --- the rules read the record -----------------------------------------------------------------------------


def _findings(contract, as_of):
    graphs = load_facts(as_of=as_of, contract_ids=[contract.pk])
    rules = [r for r in all_rules() if r.id in {"134-4.transfer-complete", "134-4.cmo-duties"}]
    found = evaluate(graphs.contracts, as_of=as_of, calendar=working_calendar(), rules=rules)
    return {(f.rule_id, f.subject.get("product_ref", f.subject.get("product"))): f.outcome.value for f in found}


def test_the_rules_see_a_completed_transfer_as_complete(world):
    today = timezone.localdate()
    transfer = run_all_steps(world, start(world))
    before = _findings(world.contract, today)
    assert "not_met" in before.values()  # marketed, in production, transfer not complete
    tt.tech_transfer_complete(actor=world.mah_qa, transfer=transfer, completed_on=COMPLETED_ON)
    after = _findings(world.contract, today)
    assert set(after.values()) == {"met"}, after
    assert {rule for rule, _ in after} == {"134-4.transfer-complete", "134-4.cmo-duties"}


# --- isolation ---------------------------------------------------------------------------------------------


def _mah2_transfer(world: World) -> TechTransfer:
    transfer = tt.tech_transfer_start(
        actor=world.mah2_qa, contract=con2(), product=Product.objects.get(ref="P-2"), started_on=START, ref="TT-M2"
    )
    tt.tech_transfer_risk_raise(actor=world.cmo_qa, transfer=transfer, description="m2 risk", raised_on=START)
    return transfer


def test_a_cmos_mahs_never_see_each_others_transfers(world):
    mine = start(world)
    theirs = _mah2_transfer(world)
    assert [t.ref for t in selectors.tech_transfer_search(actor=world.mah_qa)] == ["TT-1"]
    assert [t.ref for t in selectors.tech_transfer_search(actor=world.mah2_qa)] == ["TT-M2"]
    assert {t.ref for t in selectors.tech_transfer_search(actor=world.cmo_qa)} == {"TT-1", "TT-M2"}
    with pytest.raises(NotFound):
        selectors.tech_transfer_get(actor=world.mah_qa, ref="TT-M2")
    with pytest.raises(NotFound):
        selectors.tech_transfer_get(actor=world.mah2_qa, ref="TT-1")
    # writing to the other holder's transfer is NotFound too (never a 403 that confirms it exists)
    with pytest.raises(NotFound):
        tt.tech_transfer_record_step(actor=world.mah_qa, transfer=theirs, step="plan_reviewed", done_on=START, note="x")
    with pytest.raises(NotFound):
        tt.tech_transfer_risk_raise(actor=world.mah2_qa, transfer=mine, description="x", raised_on=START)
    risk = TechTransferRisk.objects.get(transfer=theirs)
    with pytest.raises(NotFound):
        tt.tech_transfer_stop(actor=world.mah_qa, risk=risk, resolved_on=START, reason="x")
    assert TechTransferRisk.objects.get(pk=risk.pk).status == "open"
    # an inspector of another province sees neither
    assert not selectors.tech_transfer_search(actor=world.inspector_zj).exists()
    assert selectors.tech_transfer_search(actor=world.inspector_js).count() == 2


def test_the_detail_shows_steps_risks_and_trail_only_of_the_visible_transfer(world):
    transfer = appoint(world, start(world))
    record(world, transfer, TransferStep.PLAN_REVIEWED)
    tt.tech_transfer_risk_raise(actor=world.cmo_qa, transfer=transfer, description="r", raised_on=START)
    _mah2_transfer(world)
    detail = selectors.tech_transfer_get(actor=world.mah_qa, ref="TT-1")
    assert [s.step for s in detail.steps.all()] == ["plan_reviewed"]
    assert [r.description for r in detail.risks.all()] == ["r"]
    # the MAH sees the CMO's working-group member it did not know before
    assert sorted(p.ref for p in detail.working_group.all()) == ["PER-MQA", "PER-TTE"]
    trail = selectors.tech_transfer_trail(actor=world.mah_qa, transfer=detail)
    types = {e.object_type for e in trail}
    assert types == {object_type(TechTransfer), object_type(TechTransferStep), object_type(TechTransferRisk)}
    other = TechTransfer.objects.get(ref="TT-M2")
    assert (object_type(TechTransfer), str(other.pk)) not in {(e.object_type, e.object_id) for e in trail}
    assert len([e for e in trail if e.object_type == object_type(TechTransferRisk)]) == 1


def test_the_ledger_replays_to_every_transfer_record_as_stored(world):
    transfer = appoint(world, start(world))
    risk = tt.tech_transfer_risk_raise(actor=world.mah_qa, transfer=transfer, description="r", raised_on=START)
    tt.tech_transfer_risk_control(actor=world.cmo_qa, risk=risk, resolved_on=START, resolution="ok", measures="m")
    for step in STEPS:
        record(world, transfer, step)
    tt.tech_transfer_complete(actor=world.mah_qa, transfer=transfer, completed_on=COMPLETED_ON)
    report = Report()
    verify_records(report)
    assert report.problems == []
    assert report.records > 0


def test_a_risk_is_mailed_to_the_counterparty_once_committed(world, django_capture_on_commit_callbacks):
    transfer = appoint(world, start(world))
    record_update(actor=SYSTEM, instance=Person.objects.get(ref="PER-TTL"), email="qian.lixin@huarui.example.cn")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        risk = tt.tech_transfer_risk_raise(
            actor=world.mah_qa, transfer=transfer, description="原料药供应商变更", raised_on=START
        )
    [notify] = committed.other_than_flush(callbacks)
    assert mail.outbox == []  # nothing leaves before the commit
    notify()
    [message] = mail.outbox
    # the CMO's QA and head of quality, and its transfer lead
    assert message.to == ["qian.lixin@huarui.example.cn", "sun.li@example.cn", "zhao.min@example.cn"]
    assert risk.ref in message.subject and "原料药供应商变更" in message.body
    entry = LedgerEntry.objects.filter(object_type=object_type(TechTransferRisk), object_id=str(risk.pk)).last()
    assert entry.action == "notify"


def test_a_recorded_step_is_corrected_by_its_party_with_a_reason_within_its_neighbours(world):
    transfer = appoint(world, start(world))
    for step in STEPS[:3]:
        record(world, transfer, step)
    second = "equipment_qualified"
    with pytest.raises(PermissionDenied):
        tt.tech_transfer_correct_step(actor=world.mah_qa, transfer=transfer, step=second, reason="typo", note="x")
    with pytest.raises(ValidationFailed) as e:
        tt.tech_transfer_correct_step(actor=world.cmo_qa, transfer=transfer, step=second, reason=" ", note="x")
    assert [d.field for d in e.value.details] == ["reason"]
    for wrong in (STEP_DATES["plan_reviewed"] - dt.timedelta(1), STEP_DATES["cleaning_validated"] + dt.timedelta(1)):
        with pytest.raises(ValidationFailed) as e:
            tt.tech_transfer_correct_step(actor=world.cmo_qa, transfer=transfer, step=second, reason="r", done_on=wrong)
        assert [d.field for d in e.value.details] == ["done_on"]
    with pytest.raises(InvalidTransition):
        tt.tech_transfer_correct_step(actor=world.cmo_qa, transfer=transfer, step="process_validated", reason="r")
    new_date = STEP_DATES["plan_reviewed"] + dt.timedelta(days=2)
    corrected = tt.tech_transfer_correct_step(
        actor=world.cmo_qa, transfer=transfer, step=second, reason="录入错误", done_on=new_date, note="IQ/OQ/PQ 合格"
    )
    assert (corrected.done_on, corrected.note) == (new_date, "IQ/OQ/PQ 合格")
    assert fields(transfer)["equipment_qualified_on"] == new_date
    entry = LedgerEntry.objects.filter(object_type=object_type(TechTransferStep), object_id=str(corrected.pk)).last()
    assert entry.reason == "录入错误" and json.loads(entry.old)["done_on"] == STEP_DATES[second].isoformat()
