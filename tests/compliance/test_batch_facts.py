"""The compliance scan reads the platform's own batches, deviations, art. 11 duties, release decisions
and quality events: the art. 7, 11 and 12 rules answer on real records instead of asking for them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.quality.world import PASSWORD, World, build_world, fill_package, make_batch
from weituo.batches import services as batches
from weituo.batches.models import Batch
from weituo.batches.signing import open_session
from weituo.compliance.facts import load_facts
from weituo.compliance.services import compliance_scan
from weituo.quality import services as quality
from weituo.quality.models import QualityEvent, RetentionObligation
from weituo.rules.facts import ContractFacts

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def today() -> dt.date:
    return timezone.localdate()


def scan(as_of: dt.date | None = None) -> dict[tuple[str, str | None], object]:
    result = compliance_scan(actor=_system(), as_of=as_of or today(), store=False)
    return {(f.rule_id, f.subject.get("ref")): f for f in result.findings}


def _system():
    from weituo.core.actors import system_actor

    return system_actor("tests: batch facts")


def contract_facts(as_of: dt.date | None = None) -> ContractFacts:
    graphs = load_facts(as_of=as_of or today(), everything=True)
    return next(c for c in graphs.contracts if c.ref == "CON-1")


def close_deviation(world: World, deviation) -> QualityEvent:
    event = deviation.event
    quality.event_acknowledge(actor=world.mah_qa, event=event)
    deviation = quality.deviation_investigate(actor=world.cmo_qa, deviation=deviation, root_cause="密封圈老化")
    capa = quality.capa_add(
        actor=world.cmo_qa, event=event, description="更换密封圈", owner_party="cmo", due_on=today()
    )
    quality.capa_implement(actor=world.cmo_qa, capa=capa, note="已更换")
    quality.event_close(actor=world.cmo_qa, event=QualityEvent.objects.get(pk=event.pk), conclusion="已处理")
    return QualityEvent.objects.get(pk=event.pk)


def test_a_released_batch_is_judged_on_its_release_records(world):
    batch = make_batch(world)
    deviation = quality.deviation_raise(
        actor=world.cmo_qa, contract=world.contract, classification="minor", title="标签偏移", batch=batch
    )
    event = close_deviation(world, deviation)
    fill_package(world, batch, deviations=[event])
    batches.batch_factory_release(
        actor=world.cmo_qp,
        batch=Batch.objects.get(pk=batch.pk),
        signing_token=open_session(world.cmo_qp, Batch.objects.get(pk=batch.pk), "factory").token,
        password=PASSWORD,
    )
    batches.batch_market_release(
        actor=world.mah_qp,
        batch=Batch.objects.get(pk=batch.pk),
        signing_token=open_session(world.mah_qp, Batch.objects.get(pk=batch.pk), "market").token,
        password=PASSWORD,
    )

    [facts] = contract_facts().batches
    assert (facts.number, facts.factory_released_on, facts.market_released_on) == ("240101", today(), today())
    assert facts.released_by_qp_account is True and facts.records_sent_on == today()
    assert [(d.ref, d.classification, d.closed_on) for d in facts.deviations] == [(event.ref, "minor", today())]

    findings = scan()
    assert str(findings[("134-12.factory-release", "P-1")].outcome) == "met"
    assert str(findings[("134-12.market-release-review", "CON-1")].outcome) == "met"
    assert str(findings[("134-11.major-deviation-batches", "CON-1")].outcome) == "not_applicable"


def test_a_critical_deviation_batch_must_have_both_parties_samples_once_released(world):
    batch = make_batch(world)
    deviation = quality.deviation_raise(
        actor=world.cmo_qa, contract=world.contract, classification="critical", title="灭菌温度偏低", batch=batch
    )
    duties = list(RetentionObligation.objects.filter(batch=batch))
    assert len(duties) == 4  # retained samples and stability, for each party (no exception in QA-1)
    assert str(scan()[("134-11.major-deviation-batches", "CON-1")].outcome) == "met"  # not released yet

    event = close_deviation(world, deviation)
    fill_package(world, batch, deviations=[event])
    batches.batch_factory_release(
        actor=world.cmo_qp,
        batch=Batch.objects.get(pk=batch.pk),
        signing_token=open_session(world.cmo_qp, Batch.objects.get(pk=batch.pk), "factory").token,
        password=PASSWORD,
    )
    finding = scan()[("134-11.major-deviation-batches", "CON-1")]
    assert str(finding.outcome) == "not_met"
    assert "240101" in finding.reason_en and "retained samples" in finding.reason_en

    for duty in duties:
        actor = world.mah_qa if duty.party == "mah" else world.cmo_qa
        quality.retention_obligation_fulfil(actor=actor, obligation=duty, note="已留样 / 已启动考察")
    assert str(scan()[("134-11.major-deviation-batches", "CON-1")].outcome) == "met"


def test_an_item_past_its_agreed_deadline_is_late_communication(world):
    batch = make_batch(world)
    event = quality.event_raise(
        actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="含量超标", batch=batch
    )
    assert event.due_at is not None  # QA-1: OOS/OOT within 24 hours
    [facts] = contract_facts().quality_events
    assert (facts.ref, facts.category, facts.raised_by, facts.acknowledged_on) == (event.ref, "oos_oot", "cmo", None)

    assert str(scan()[("134-7.timely-communication", "CON-1")].outcome) == "met"  # still within its time
    later = timezone.localtime(event.due_at).date() + dt.timedelta(days=1)
    finding = scan(later)[("134-7.timely-communication", "CON-1")]
    assert str(finding.outcome) == "not_met" and event.ref in finding.reason_en

    quality.event_acknowledge(actor=world.mah_qa, event=event)
    assert str(scan(later)[("134-7.timely-communication", "CON-1")].outcome) == "met"  # acknowledged in time


def test_the_facts_add_a_fixed_number_of_queries_however_many_batches(world, django_assert_max_num_queries):
    for number in ("240101", "240102", "240103"):
        make_batch(world, number)
    with django_assert_max_num_queries(60) as captured:
        load_facts(as_of=today(), everything=True)
    few = len(captured.captured_queries)
    for number in ("240104", "240105", "240106"):
        batch = make_batch(world, number)
        quality.deviation_raise(
            actor=world.cmo_qa, contract=world.contract, classification="major", title="偏差", batch=batch
        )
    with django_assert_max_num_queries(few):
        graphs = load_facts(as_of=today(), everything=True)
    assert len(next(c for c in graphs.contracts if c.ref == "CON-1").batches) == 6
