"""Quality events through the API: raising (deviations with their classification), routing and
deadline from the quality agreement, the life of an event, deviations, CAPA, art. 11 obligations,
"my deadlines", the timeline — and that another MAH on the same shared line sees none of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from weituo.quality.models import Capa, QualityEvent, RetentionObligation

from .quality_world import add_quality_users, call, entries_since, make_batch, seq

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(world, django_db_blocker):
    with django_db_blocker.unblock():
        return add_quality_users(world)


def raise_deviation(client, world, batch=None, classification="critical", user="wang.cmo", **extra):
    body = {"contract": "CON-1", "category": "deviation", "title": "灌装量偏低", "classification": classification}
    if batch is not None:
        body["batch"] = batch.ref
    response = call(client, world, user, "POST", "/events", {**body, **extra})
    assert response.status_code == 201, response.content
    return response.json()


# --- raising -------------------------------------------------------------------------------------------


def test_the_cmo_raises_a_critical_deviation_routed_and_timed_by_the_agreement(client, world):
    batch = make_batch(world)
    before = seq()
    event = raise_deviation(client, world, batch, description="第3小时灌装量低于下限")
    assert event["category"] == "deviation" and event["status"] == "open" and event["version"] == 1
    assert event["raised_by_party"] == "cmo" and event["raised_by"] == "王建国"
    assert event["batch"] == {"ref": batch.ref, "number": "240101"}
    routing = event["routing"]
    assert routing["recipient"]["ref"] == "ORG-MAH"
    assert routing["recipient_contact"]["ref"] == "PER-MQA"
    assert (routing["time_limit"], routing["time_unit"]) == (1, "working_days")
    assert event["due_at"] is not None and event["flags"] == {"no_agreed_contact": False, "no_agreed_time_limit": False}
    assert not event["overdue"] and not event["flagged"]
    assert event["deviation"]["classification"] == "critical" and event["deviation"]["version"] == 1
    # art. 11: a critical deviation (重大偏差) on a batch — retained samples (agreement: both) and stability (both,
    # as neither exception applies), for each party
    kinds = sorted((o["kind"], o["party"]) for o in event["obligations"])
    assert kinds == [
        ("ongoing_stability", "cmo"),
        ("ongoing_stability", "mah"),
        ("retained_sample", "cmo"),
        ("retained_sample", "mah"),
    ]
    created = entries_since(before, action="create")
    assert {e.object_type for e in created} >= {"quality.qualityevent", "quality.deviation"}
    assert all(e.actor_user_id == world.users["wang.cmo"].pk for e in created)


def test_an_item_the_agreement_does_not_list_is_raised_flagged_without_a_deadline(client, world):
    response = call(
        client, world, "li.mah", "POST", "/events", {"contract": "CON-1", "category": "complaint", "title": "投诉"}
    )
    assert response.status_code == 201, response.content
    event = response.json()
    assert event["raised_by_party"] == "mah" and event["routing"]["recipient"]["ref"] == "ORG-CMO"
    assert event["flagged"] and event["flags"] == {"no_agreed_contact": True, "no_agreed_time_limit": True}
    assert event["due_at"] is None and event["deviation"] is None and event["obligations"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "deviation", "title": "无分类"}, "classification"),
        ({"category": "deviation", "title": "x", "classification": "catastrophic"}, "classification"),
        ({"category": "oos_oot", "title": "x", "classification": "minor"}, "classification"),
        ({"category": "gossip", "title": "x"}, "category"),
        ({"category": "oos_oot"}, "title"),
        ({"category": "oos_oot", "title": ""}, "title"),
        ({"category": "oos_oot", "title": "x", "party": "regulator"}, "party"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(client, world, body, field):
    before, events = seq(), QualityEvent.objects.count()
    response = call(client, world, "wang.cmo", "POST", "/events", {"contract": "CON-1", **body})
    assert response.status_code == 422, response.content
    error = response.json()
    assert error["field"] == field, error
    assert error["message_zh"] and error["message_en"] and error["details"][0]["message_zh"]
    assert QualityEvent.objects.count() == events and seq() == before


def test_a_viewer_or_an_outsider_cannot_raise(client, world):
    body = {"contract": "CON-1", "category": "oos_oot", "title": "OOS"}
    assert call(client, world, "qian.cmoview", "POST", "/events", body).status_code == 403
    # ORG-MAH2 shares LINE-1 but is no party of CON-1: it does not even see the contract
    response = call(client, world, "zhou.mah2", "POST", "/events", body)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- reading -----------------------------------------------------------------------------------------


def test_the_list_filters_by_category_status_contract_batch_and_overdue(client, world, monkeypatch):
    batch = make_batch(world)
    deviation = raise_deviation(client, world, batch, classification="minor")
    other = call(
        client, world, "wang.cmo", "POST", "/events", {"contract": "CON-1", "category": "oos_oot", "title": "OOS"}
    ).json()

    def refs(**query):
        response = call(client, world, "li.mah", "GET", "/events", query)
        assert response.status_code == 200, response.content
        page = response.json()
        assert page["count"] == len(page["items"])
        return {e["ref"] for e in page["items"]}

    assert refs() == {deviation["ref"], other["ref"]}
    assert refs(category="deviation") == {deviation["ref"]}
    assert refs(batch=batch.ref) == {deviation["ref"]}
    assert refs(contract="CON-1", status="open") == {deviation["ref"], other["ref"]}
    assert refs(status="closed") == set()
    assert refs(overdue="true") == set()  # the deviation is due in a working day; the OOS has no limit
    later = timezone.now() + dt.timedelta(days=20)  # past the due time, within the token's 30 days
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert refs(overdue="true") == {deviation["ref"]}
    assert refs(overdue="false") == {other["ref"]}
    item = call(client, world, "li.mah", "GET", "/events", {"overdue": "true"}).json()["items"][0]
    assert item["overdue"] is True and item["provisional"] in (True, False)
    # unknown filters' values are refused, naming the parameter
    response = call(client, world, "li.mah", "GET", "/events", {"status": "lost"})
    assert response.status_code == 422 and response.json()["field"] == "status"


def test_another_mah_on_the_shared_line_sees_nothing(client, world):
    batch = make_batch(world)
    event = raise_deviation(client, world, batch)
    missing = call(client, world, "zhou.mah2", "GET", "/events/QE-NO-SUCH-EVENT")
    for path in (f"/events/{event['ref']}", f"/events/{event['ref']}/timeline"):
        response = call(client, world, "zhou.mah2", "GET", path)
        assert response.status_code == 404, path
        assert response.json()["code"] == missing.json()["code"] == "not_found"
    assert call(client, world, "zhou.mah2", "GET", "/events").json() == {
        "count": 0,
        "page": 1,
        "page_size": 50,
        "items": [],
    }
    assert call(client, world, "zhou.mah2", "GET", "/retention-obligations").json()["count"] == 0
    assert call(client, world, "zhou.mah2", "GET", "/deadlines").json()["count"] == 0
    # nor can it act on the event: 404 (not 403, which would tell it the event exists)
    before = seq()
    response = call(client, world, "zhou.mah2", "POST", f"/events/{event['ref']}/acknowledge", {})
    assert response.status_code == 404 and seq() == before
    # ORG-CMO2, a CMO of ORG-MAH2 only, sees nothing either
    assert call(client, world, "zhao.cmo2", "GET", f"/events/{event['ref']}").status_code == 404
    assert call(client, world, "zhao.cmo2", "GET", "/events").json()["count"] == 0


# --- the life of an event ------------------------------------------------------------------------------


def test_acknowledge_withdraw_and_close_by_the_right_party_only(client, world):
    oos = call(
        client, world, "wang.cmo", "POST", "/events", {"contract": "CON-1", "category": "oos_oot", "title": "OOS"}
    ).json()
    path = f"/events/{oos['ref']}"
    before = seq()
    response = call(client, world, "wang.cmo", "POST", f"{path}/acknowledge", {})  # the raiser itself
    assert response.status_code == 403 and response.json()["code"] == "not_recipient"
    assert call(client, world, "sun.mahview", "POST", f"{path}/acknowledge", {}).status_code == 403
    assert seq() == before
    response = call(client, world, "li.mah", "POST", f"{path}/acknowledge", {"note": "收到", "expected_version": 1})
    assert response.status_code == 200, response.content
    event = response.json()
    assert event["status"] == "acknowledged" and event["acknowledged_by"] == "李晓梅" and event["version"] == 2
    assert event["acknowledgement_note"] == "收到"
    # withdrawing is only before acknowledgement
    response = call(client, world, "wang.cmo", "POST", f"{path}/withdraw", {"reason": "误报"})
    assert response.status_code == 409
    # closing is the raiser's, with a conclusion
    assert call(client, world, "li.mah", "POST", f"{path}/close", {"conclusion": "x"}).status_code == 403
    response = call(client, world, "wang.cmo", "POST", f"{path}/close", {"conclusion": "  "})
    assert response.status_code == 422 and response.json()["field"] == "conclusion"
    response = call(
        client, world, "wang.cmo", "POST", f"{path}/close", {"conclusion": "复检合格", "expected_version": 2}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed" and response.json()["closed_by"] == "王建国"


def test_withdraw_needs_its_reason(client, world):
    oos = call(
        client, world, "li.mah", "POST", "/events", {"contract": "CON-1", "category": "complaint", "title": "投诉"}
    ).json()
    path = f"/events/{oos['ref']}/withdraw"
    response = call(client, world, "li.mah", "POST", path, {})
    assert response.status_code == 422 and response.json()["field"] == "reason"
    response = call(client, world, "li.mah", "POST", path, {"reason": "重复提交"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert response.json()["conclusion"] == "重复提交"


def test_a_deviation_closes_only_after_its_investigation_and_capa(client, world):
    event = raise_deviation(client, world, make_batch(world))
    path = f"/events/{event['ref']}"
    call(client, world, "li.mah", "POST", f"{path}/acknowledge", {})
    response = call(client, world, "wang.cmo", "POST", f"{path}/close", {"conclusion": "已处理"})
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["details"]} == {"root_cause", "capas"}
    # the investigation, with the deviation's own version
    response = call(
        client, world, "wang.cmo", "POST", f"{path}/investigation", {"root_cause": "灌装泵磨损", "expected_version": 1}
    )
    assert response.status_code == 200, response.content
    assert response.json()["deviation"]["root_cause"] == "灌装泵磨损"
    assert response.json()["deviation"]["investigated_by"] == "王建国"
    stale = call(client, world, "li.mah", "POST", f"{path}/investigation", {"root_cause": "x", "expected_version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_record"
    # a CAPA: added by either party, implemented by its owner, checked by QA
    response = call(
        client,
        world,
        "li.mah",
        "POST",
        f"{path}/capas",
        {"description": "更换灌装泵并增加巡检", "owner_party": "cmo", "due_on": "2026-12-31"},
    )
    assert response.status_code == 201, response.content
    capa = response.json()
    assert capa["status"] == "planned" and capa["version"] == 1
    capa_path = f"{path}/capas/{capa['id']}"
    assert call(client, world, "li.mah", "POST", f"{capa_path}/implement", {"note": "x"}).status_code == 403
    response = call(
        client, world, "wang.cmo", "POST", f"{capa_path}/implement", {"note": "已更换", "expected_version": 1}
    )
    assert response.status_code == 200 and response.json()["status"] == "implemented"
    response = call(client, world, "ma.cmoprod", "POST", f"{capa_path}/effectiveness", {"effective": True, "note": "x"})
    assert response.status_code == 403 and response.json()["code"] == "qa_required"
    response = call(client, world, "li.mah", "POST", f"{capa_path}/effectiveness", {"effective": True, "note": "有效"})
    assert response.status_code == 200 and response.json()["status"] == "effective"
    assert response.json()["effectiveness_checked_by"] == "李晓梅"
    response = call(client, world, "wang.cmo", "POST", f"{path}/close", {"conclusion": "已处理"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    # the event is closed: no more CAPA
    response = call(
        client,
        world,
        "li.mah",
        "POST",
        f"{path}/capas",
        {"description": "x", "owner_party": "mah", "due_on": "2027-01-01"},
    )
    assert response.status_code == 409 and response.json()["code"] == "event_not_open"


def test_a_capa_of_another_event_is_not_found(client, world):
    one = raise_deviation(client, world, classification="minor")
    two = raise_deviation(client, world, classification="minor")
    capa = call(
        client,
        world,
        "wang.cmo",
        "POST",
        f"/events/{one['ref']}/capas",
        {"description": "措施", "owner_party": "cmo", "due_on": "2026-12-31"},
    ).json()
    response = call(
        client, world, "wang.cmo", "POST", f"/events/{two['ref']}/capas/{capa['id']}/implement", {"note": "x"}
    )
    assert response.status_code == 404
    assert Capa.objects.get(pk=capa["id"]).status == "planned"


def test_an_upgrade_applies_at_once_a_downgrade_waits_for_a_second_person(client, world):
    batch = make_batch(world)
    event = raise_deviation(client, world, batch, classification="minor")
    path = f"/events/{event['ref']}"
    assert event["obligations"] == []
    response = call(
        client, world, "wang.cmo", "POST", f"{path}/reclassifications", {"to": "critical", "reason": "影响无菌保证"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "applied"
    detail = call(client, world, "li.mah", "GET", path).json()
    assert detail["deviation"]["classification"] == "critical" and len(detail["obligations"]) == 4
    # a downgrade: pending until QA of the same party (not the requester) decides
    response = call(
        client, world, "wang.cmo", "POST", f"{path}/reclassifications", {"to": "minor", "reason": "复核后影响有限"}
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    change = response.json()["id"]
    decision = f"{path}/reclassifications/{change}/decision"
    response = call(client, world, "wang.cmo", "POST", decision, {"approve": True})
    assert response.status_code == 403 and response.json()["code"] == "second_person_required"
    response = call(client, world, "li.mah", "POST", decision, {"approve": True})
    assert response.status_code == 403 and response.json()["code"] == "qa_approval_required"
    response = call(client, world, "ding.cmohoq", "POST", decision, {"approve": True, "note": "同意"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved" and response.json()["decided_by"] == "丁宁"
    detail = call(client, world, "li.mah", "GET", path).json()
    assert detail["deviation"]["classification"] == "minor"
    assert [r["status"] for r in detail["deviation"]["reclassifications"]] == ["applied", "approved"]
    # bad input: unknown or unchanged classification
    response = call(client, world, "wang.cmo", "POST", f"{path}/reclassifications", {"to": "huge", "reason": "x"})
    assert response.status_code == 422 and response.json()["field"] == "to"
    response = call(client, world, "wang.cmo", "POST", f"{path}/reclassifications", {"to": "minor", "reason": "x"})
    assert response.status_code == 422 and response.json()["field"] == "to_classification"
    # the decision of a reclassification of another deviation's id is not found
    other = raise_deviation(client, world, classification="minor")
    response = call(
        client,
        world,
        "ding.cmohoq",
        "POST",
        f"/events/{other['ref']}/reclassifications/{change}/decision",
        {"approve": False},
    )
    assert response.status_code == 404


def test_obligations_are_listed_and_fulfilled_by_the_obligated_party(client, world):
    batch = make_batch(world)
    raise_deviation(client, world, batch)
    page = call(client, world, "li.mah", "GET", "/retention-obligations", {"batch": batch.ref}).json()
    assert page["count"] == 4
    cmo_duty = next(o for o in page["items"] if o["party"] == "cmo" and o["kind"] == "retained_sample")
    path = f"/retention-obligations/{cmo_duty['id']}/fulfil"
    before = seq()
    response = call(client, world, "li.mah", "POST", path, {"note": "x"})
    assert response.status_code == 403 and seq() == before
    response = call(client, world, "wang.cmo", "POST", path, {})
    assert response.status_code == 422 and response.json()["field"] == "note"
    response = call(client, world, "wang.cmo", "POST", path, {"note": "留样 3 倍全检量，库位 R-12"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "fulfilled"
    assert RetentionObligation.objects.get(pk=cmo_duty["id"]).status == "fulfilled"
    again = call(client, world, "wang.cmo", "POST", path, {"note": "再次"})
    assert again.status_code == 409
    assert call(client, world, "li.mah", "GET", "/retention-obligations", {"status": "fulfilled"}).json()["count"] == 1
    assert call(client, world, "zhou.mah2", "POST", path, {"note": "x"}).status_code == 404


# --- my deadlines and the timeline ---------------------------------------------------------------------


def test_my_deadlines_lists_what_my_organisation_owes(client, world):
    event = raise_deviation(client, world, make_batch(world))
    mine = call(client, world, "li.mah", "GET", "/deadlines").json()
    item = next(i for i in mine["items"] if i["ref"] == event["ref"])
    assert item["kind"] == "acknowledge" and item["title"] == "灌装量偏低"
    assert item["record_type"] == "quality.qualityevent"
    assert item["due_at"] == event["due_at"] and item["overdue"] is False
    assert (item["time_limit"], item["time_unit"]) == (1, "working_days")
    # the raiser owes no acknowledgement; a viewer owes nothing
    assert event["ref"] not in {i["ref"] for i in call(client, world, "wang.cmo", "GET", "/deadlines").json()["items"]}
    assert call(client, world, "sun.mahview", "GET", "/deadlines").json()["count"] == 0
    # acknowledged: it leaves the list; a CAPA owed by the MAH enters it
    call(client, world, "li.mah", "POST", f"/events/{event['ref']}/acknowledge", {})
    capa = call(
        client,
        world,
        "wang.cmo",
        "POST",
        f"/events/{event['ref']}/capas",
        {"description": "修订供应商审计计划", "owner_party": "mah", "due_on": "2026-12-31"},
    ).json()
    items = call(client, world, "li.mah", "GET", "/deadlines").json()["items"]
    assert [(i["kind"], i["capa"]) for i in items if i["ref"] == event["ref"]] == [("capa", capa["id"])]
    response = call(client, world, "li.mah", "GET", "/deadlines", {"page_size": 0})
    assert response.status_code == 422 and response.json()["field"] == "page_size"


def test_the_timeline_shows_every_step_of_the_event_and_its_records(client, world):
    event = raise_deviation(client, world, make_batch(world))
    path = f"/events/{event['ref']}"
    call(client, world, "li.mah", "POST", f"{path}/acknowledge", {})
    call(client, world, "wang.cmo", "POST", f"{path}/investigation", {"root_cause": "人员操作"})
    timeline = call(client, world, "li.mah", "GET", f"{path}/timeline").json()
    steps = [(e["object_type"], e["action"]) for e in timeline]
    assert steps[0] == ("quality.qualityevent", "create")
    assert ("quality.deviation", "create") in steps
    assert ("quality.retentionobligation", "create") in steps
    assert ("quality.qualityevent", "transition") in steps and ("quality.deviation", "update") in steps
    assert [e["seq"] for e in timeline] == sorted(e["seq"] for e in timeline)
    ack = next(e for e in timeline if e["action"] == "transition")
    assert ack["old"]["status"] == "open" and ack["new"]["status"] == "acknowledged"
    assert ack["actor"].startswith("li.mah")
