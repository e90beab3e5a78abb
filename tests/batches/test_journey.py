"""The MAH–CMO quality collaboration, end to end at the level of the services.

The CMO raises a critical deviation (重大偏差) on a batch → the MAH's QA has it in their deadlines with the
agreement's time limit → investigation and CAPA → the CMO QP's factory release is refused while
the deviation is open, then allowed → the MAH QP releases to market. A second MAH with a product on
the same line sees nothing of it; refused attempts are in the ledger; the ledger replays to the data.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from tests.quality.world import MQA_EMAIL, PASSWORD, fill_package, make_batch
from weituo.batches import selectors as batch_selectors
from weituo.batches import services as batch_services
from weituo.batches.models import Batch
from weituo.batches.services import ReleaseBlocked
from weituo.batches.signing import open_session
from weituo.core.deadlines import my_deadlines
from weituo.core.errors import InvalidTransition, NotFound
from weituo.core.selectors import working_calendar
from weituo.integrity.models import LedgerEntry, Signature
from weituo.integrity.verify import verify_all
from weituo.quality import selectors, services
from weituo.quality.deadlines import due_at
from weituo.quality.models import RetentionObligation

pytestmark = pytest.mark.django_db


def test_deviation_to_market_release(world, django_capture_on_commit_callbacks):
    batch = make_batch(world, "240101")

    # 1. the CMO raises a critical deviation (重大偏差) on the batch; the MAH's contact is mailed after commit
    with django_capture_on_commit_callbacks(execute=True):
        deviation = services.deviation_raise(
            actor=world.cmo_qa,
            contract=world.contract,
            classification="critical",
            title="灌装工序环境监测超行动限",
            description="B 级区沉降菌超行动限",
            batch=batch,
        )
    event = deviation.event
    [message] = mail.outbox
    assert message.to == [MQA_EMAIL] and "240101" in message.body

    # 2. the MAH's QA has it in their deadlines, with QA-1's time limit: 1 working day
    # (beside the compliance findings the re-check after each commit put in the list)
    [deadline] = [d for d in my_deadlines(actor=world.mah_qa) if d.kind != "finding"]
    assert (deadline.kind, deadline.event, deadline.time_limit, deadline.time_unit) == (
        "acknowledge",
        event,
        1,
        "working_days",
    )
    assert deadline.due_at == due_at(event.raised_at, 1, "working_days", working_calendar())[0]
    assert RetentionObligation.objects.filter(batch=batch).count() == 4  # art. 11: both parties, both duties
    services.event_acknowledge(actor=world.mah_qa, event=event, note="请尽快完成调查")

    # 3. the package is complete, but the deviation is open: the factory release is refused
    fill_package(world, batch, deviations=[event])
    with pytest.raises(ReleaseBlocked) as excinfo:
        batch_services.batch_factory_release(
            actor=world.cmo_qp,
            batch=batch,
            signing_token=open_session(world.cmo_qp, batch, "factory").token,
            password=PASSWORD,
        )
    assert excinfo.value.code == "release_blocked"
    assert [d.field for d in excinfo.value.details] == ["quality_events"]
    assert event.ref in excinfo.value.details[0].message_en

    # 4. investigation, CAPA, closure
    services.deviation_investigate(
        actor=world.cmo_qa, deviation=deviation, root_cause="层流罩高效过滤器泄漏", summary="更换过滤器并重新验证"
    )
    capa = services.capa_add(
        actor=world.cmo_qa,
        event=event,
        description="高效过滤器检漏周期由一年改为半年",
        owner_party="cmo",
        due_on=dt.date(2026, 12, 15),
    )
    services.capa_implement(actor=world.cmo_qa, capa=capa, note="已修订 SOP-EM-003")
    services.event_close(actor=world.cmo_qa, event=event, conclusion="根本原因已查明，措施已实施，对本批无影响")

    # 5. the CMO QP's factory release, then a second attempt is clearly refused
    decision = batch_services.batch_factory_release(
        actor=world.cmo_qp,
        batch=batch,
        signing_token=open_session(world.cmo_qp, batch, "factory").token,
        password=PASSWORD,
        reason="符合放行标准",
    )
    batch.refresh_from_db()
    assert (batch.status, batch.factory_released_by_id) == ("factory_released", world.cmo_qp.user_id)
    with pytest.raises(InvalidTransition) as excinfo:
        batch_services.batch_factory_release(
            actor=world.cmo_qp,
            batch=batch,
            signing_token=open_session(world.cmo_qp, batch, "factory").token,
            password=PASSWORD,
        )
    assert excinfo.value.code == "already_released" and "王建国" in excinfo.value.message_zh

    # 6. the MAH QP reviews the package and releases to market
    package = batch_selectors.release_package(actor=world.mah_qp, batch=batch)
    assert package.complete and package.market_blockers == [] and len(package.documents) == 3
    batch_services.batch_market_release(
        actor=world.mah_qp,
        batch=batch,
        signing_token=open_session(world.mah_qp, batch, "market").token,
        password=PASSWORD,
        reason="审核通过",
    )
    batch.refresh_from_db()
    assert batch.status == "market_released"

    shown = batch_selectors.release_decisions(actor=world.mah_qa, batch=batch)
    assert [(d["decision"].step, d["signatures"][0]["signer"], d["signatures"][0]["valid"]) for d in shown] == [
        ("factory", "王建国", True),
        ("market", "刘洋", True),
    ]
    assert decision.package_digest == shown[0]["decision"].package_digest
    assert Signature.objects.filter(meaning="released").count() == 2

    # 7. a second MAH with a product on the same line sees none of it
    for actor in (world.mah2_qa, world.mah2_qp):
        with pytest.raises(NotFound):
            batch_selectors.batch_get(actor=actor, ref=batch.ref)
        with pytest.raises(NotFound):
            selectors.event_get(actor=actor, ref=event.ref)
        with pytest.raises(NotFound):
            selectors.deviation_get(actor=actor, ref=event.ref)
        assert not batch_selectors.batch_list(actor=actor).exists()
        assert not selectors.event_list(actor=actor).exists()
        assert not selectors.retention_obligation_list(actor=actor).exists()
        assert my_deadlines(actor=actor) == []
    # … while the parties and the province's inspector do
    for actor in (world.cmo_qa, world.mah_qa, world.inspector_js):
        assert batch_selectors.batch_get(actor=actor, ref=batch.ref) == batch
    with pytest.raises(NotFound):
        batch_selectors.batch_get(actor=world.inspector_zj, ref=batch.ref)

    # 8. the refused attempts are in the ledger, and the ledger replays to the data
    trail = [(e.action, e.object_type) for e in batch_selectors.batch_trail(actor=world.mah_qa, batch=batch)]
    refused = LedgerEntry.objects.filter(action="release_refused", object_id=str(batch.pk))
    assert [r.actor.split("（")[0] for r in refused] == ["wang.jianguo", "wang.jianguo"]
    assert ("release_refused", "batches.batch") in trail and ("sign", "batches.releasedecision") in trail
    assert Batch.objects.get(pk=batch.pk).version > 1
    report = verify_all()
    assert report.ok, report.problems
