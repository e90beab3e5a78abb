"""Batches through the API: recording a batch and its release package (multipart upload, download),
the two-step release and the rejection, the timeline, isolation — and the whole journey: the CMO
raises a deviation on a batch, the MAH sees it in its deadlines, investigation and CAPA, the factory
release refused while it is open, then the factory and market releases, every step in the timelines."""

from __future__ import annotations

import hashlib
import json

import pytest

from weituo.batches.models import Batch, ReleaseDecision, ReleaseDocument
from weituo.integrity.models import LedgerEntry

from .quality_world import add_quality_users, call, entries_since, fill_package, make_batch, pdf, seq
from .world import PASSWORD

pytestmark = pytest.mark.django_db

NEW_BATCH = {
    "contract": "CON-1",
    "product": "P-1",
    "line": "LINE-1",
    "number": "250301",
    "manufactured_on": "2026-11-02",
    "expiry_on": "2028-10-31",
    "quantity": "98000",
    "quantity_unit": "支",
}


@pytest.fixture(scope="module")
def world(world, django_db_blocker):
    with django_db_blocker.unblock():
        return add_quality_users(world)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, world, user, batch_ref, kind="batch_record", name="bpr.pdf", content=b"%PDF-1.7 record", **extra):
    data = {"kind": kind, "title": "批生产记录", "file": pdf(name, content), **extra}
    return client.post(f"/api/v1/batches/{batch_ref}/documents", data, **world.auth(user))


def release(client, world, user, ref, step="factory", password=PASSWORD, **extra):
    """Open a signing session (GET …/signing) as the signer, then sign with its token; a signer who may
    not see the batch gets no session (404) and signs with none."""
    session = call(client, world, user, "GET", f"/batches/{ref}/releases/{step}/signing")
    token = session.json()["signing_token"] if session.status_code == 200 else ""
    body = {"password": password, "signing_token": token, **extra}
    return call(client, world, user, "POST", f"/batches/{ref}/{step}-release", body)


# --- the batch and its package -----------------------------------------------------------------------


def test_the_cmo_records_a_batch_and_nobody_else_does(client, world):
    before = seq()
    response = call(client, world, "ma.cmoprod", "POST", "/batches", {**NEW_BATCH, "ref": "B-API-1"})
    assert response.status_code == 201, response.content
    batch = response.json()
    assert batch["ref"] == "B-API-1" and batch["status"] == "in_production" and batch["version"] == 1
    assert batch["product"]["ref"] == "P-1" and batch["line"]["ref"] == "LINE-1"
    assert batch["quantity"] == "98000.00" and batch["next_step"] == "factory"
    assert not batch["package"]["complete"] and batch["blockers"] == batch["factory_blockers"]
    assert {p["field"] for p in batch["blockers"]} == {"documents", "test_results"}
    assert entries_since(before, action="create")[0].actor_user_id == world.users["ma.cmoprod"].pk
    # the MAH does not record the CMO's batches; the same number again is refused
    response = call(client, world, "li.mah", "POST", "/batches", {**NEW_BATCH, "number": "250302"})
    assert response.status_code == 403 and response.json()["code"] == "not_the_cmo"
    response = call(client, world, "ma.cmoprod", "POST", "/batches", NEW_BATCH)
    assert response.status_code == 422 and "batch with this number" in response.json()["details"][0]["message_en"]
    # ORG-MAH2's product is not commissioned by CON-1 (though on the same line)
    response = call(client, world, "ma.cmoprod", "POST", "/batches", {**NEW_BATCH, "number": "9", "product": "P-2"})
    assert response.status_code in (404, 422)
    assert Batch.objects.filter(product__ref="P-2").count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": None}, "number"),
        ({"quantity": "-1"}, "quantity"),
        ({"manufactured_on": "yesterday"}, "manufactured_on"),
        ({"expiry_on": "2025-01-01"}, "expiry_on"),
    ],
)
def test_a_bad_batch_is_refused_naming_the_field(client, world, change, field):
    body = {k: v for k, v in {**NEW_BATCH, **change}.items() if v is not None}
    before, batches = seq(), Batch.objects.count()
    response = call(client, world, "ma.cmoprod", "POST", "/batches", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Batch.objects.count() == batches and seq() == before


def test_results_and_documents_make_the_package_and_the_file_comes_back_intact(client, world, media):
    batch = make_batch(world)
    content = b"%PDF-1.7 the batch production record of 240101"
    response = upload(client, world, "wang.cmo", batch.ref, content=content)
    assert response.status_code == 201, response.content
    document = response.json()
    assert document["sha256"] == hashlib.sha256(content).hexdigest() and document["size"] == len(content)
    assert document["filename"] == "bpr.pdf" and document["added_by"] == "王建国"
    response = call(
        client,
        world,
        "wang.cmo",
        "POST",
        f"/batches/{batch.ref}/results",
        {"test_name": "含量", "specification": "95.0%–105.0%", "result": "99.2%", "passed": True},
    )
    assert response.status_code == 201 and response.json()["entered_by"] == "王建国"
    detail = call(client, world, "li.mah", "GET", f"/batches/{batch.ref}").json()
    assert [d["id"] for d in detail["documents"]] == [document["id"]]
    assert detail["results"][0]["test_name"] == "含量" and detail["version"] == 3
    assert [p["message_en"] for p in detail["package"]["missing"]] == ["the batch test record is missing"]
    # the MAH downloads the file: the same bytes, as an attachment, its digest in the ETag
    response = client.get(f"/api/v1/batches/{batch.ref}/documents/{document['id']}", **world.auth("li.mah"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment") and "bpr.pdf" in response["Content-Disposition"]
    assert response["ETag"] == f'"{document["sha256"]}"'
    # the MAH cannot add to the CMO's package
    response = upload(client, world, "li.mah", batch.ref, name="x.pdf")
    assert response.status_code == 403


def test_another_mah_sees_no_batch_no_file_no_timeline(client, world):
    batch = make_batch(world)
    document = upload(client, world, "wang.cmo", batch.ref).json()
    nothing = call(client, world, "zhou.mah2", "GET", "/batches/B-NO-SUCH-BATCH").json()
    for path in (
        f"/batches/{batch.ref}",
        f"/batches/{batch.ref}/timeline",
        f"/batches/{batch.ref}/documents/{document['id']}",
    ):
        response = client.get(f"/api/v1{path}", **world.auth("zhou.mah2"))
        assert response.status_code == 404, path
        assert response.json()["code"] == nothing["code"] == "not_found"
    assert call(client, world, "zhou.mah2", "GET", "/batches").json()["count"] == 0
    assert call(client, world, "zhao.cmo2", "GET", "/batches").json()["count"] == 0
    assert call(client, world, "li.mah", "GET", "/batches").json()["count"] == 1
    # its QP cannot release it either (404, not 403), and nothing is ledgered
    before = seq()
    assert release(client, world, "he.mah2qp", batch.ref, "market").status_code == 404
    assert seq() == before
    # a document id of one batch is not found under another
    other = make_batch(world, "240102")
    response = client.get(f"/api/v1/batches/{other.ref}/documents/{document['id']}", **world.auth("li.mah"))
    assert response.status_code == 404


# --- the release -------------------------------------------------------------------------------------


def test_only_the_cmo_qp_factory_releases_and_the_refusal_is_ledgered(client, world):
    batch = make_batch(world)
    fill_package(world, batch)
    before = seq()
    response = release(client, world, "wang.cmo", batch.ref)  # CMO QA, not QP
    assert response.status_code == 403 and response.json()["code"] == "not_qp"
    response = release(client, world, "lu.mahqp", batch.ref)  # the MAH's QP, wrong step
    assert response.status_code == 403
    refused = entries_since(before, action="release_refused")
    assert [json.loads(e.new)["code"] for e in refused] == ["not_qp", "not_qp"]
    # market release before the factory release: blocked
    response = release(client, world, "lu.mahqp", batch.ref, "market")
    assert response.status_code == 409 and response.json()["code"] == "release_blocked"
    assert "the batch has not been factory released" in [d["message_en"] for d in response.json()["details"]]
    version = call(client, world, "qin.cmoqp", "GET", f"/batches/{batch.ref}").json()["version"]
    response = release(client, world, "qin.cmoqp", batch.ref, reason="符合放行标准", expected_version=version)
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["status"] == "factory_released" and detail["next_step"] == "market"
    decision = detail["decisions"][0]
    assert decision["step"] == "factory" and decision["decided_by"] == "秦峰"
    signature = decision["signatures"][0]
    assert signature["signer"].startswith("秦峰") and signature["meaning"] == "released" and signature["valid"]
    assert detail["blockers"] == []


def test_a_qp_rejects_with_a_reason_and_a_rejected_batch_is_not_released(client, world):
    batch = make_batch(world)
    fill_package(world, batch)
    response = call(client, world, "qin.cmoqp", "POST", f"/batches/{batch.ref}/reject", {"reason": ""})
    assert response.status_code == 422 and response.json()["field"] == "reason"
    assert call(client, world, "wang.cmo", "POST", f"/batches/{batch.ref}/reject", {"reason": "x"}).status_code == 403
    response = call(client, world, "qin.cmoqp", "POST", f"/batches/{batch.ref}/reject", {"reason": "无菌检查不合格"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected" and response.json()["rejected_by"] == "秦峰"
    assert response.json()["next_step"] is None
    response = release(client, world, "qin.cmoqp", batch.ref)
    assert response.status_code == 409 and response.json()["code"] == "batch_rejected"
    assert not ReleaseDecision.objects.filter(batch=batch).exists()


# --- the journey -------------------------------------------------------------------------------------


def test_the_journey_from_a_deviation_to_the_market_release(client, world):
    # the CMO records the batch and its package
    batch = call(client, world, "ma.cmoprod", "POST", "/batches", {**NEW_BATCH, "ref": "B-JOURNEY"}).json()
    ref = batch["ref"]
    for kind, name in (("batch_record", "bpr.pdf"), ("test_record", "coa.pdf")):
        assert upload(client, world, "wang.cmo", ref, kind=kind, name=name).status_code == 201
    result = {"test_name": "无菌", "specification": "应符合规定", "result": "符合规定", "passed": True}
    assert call(client, world, "wang.cmo", "POST", f"/batches/{ref}/results", result).status_code == 201

    # 1. the CMO raises a major deviation on the batch
    event = call(
        client,
        world,
        "wang.cmo",
        "POST",
        "/events",
        {
            "contract": "CON-1",
            "category": "deviation",
            "classification": "major",
            "title": "灌装间压差报警",
            "batch": ref,
        },
    ).json()
    path = f"/events/{event['ref']}"

    # 2. the MAH sees it in its deadlines, and acknowledges it
    deadlines = call(client, world, "li.mah", "GET", "/deadlines").json()["items"]
    assert ("acknowledge", event["ref"]) in [(d["kind"], d["ref"]) for d in deadlines]
    assert call(client, world, "li.mah", "POST", f"{path}/acknowledge", {"expected_version": 1}).status_code == 200

    # 3. investigation and CAPA, implemented and checked
    assert (
        call(client, world, "wang.cmo", "POST", f"{path}/investigation", {"root_cause": "压差传感器漂移"}).status_code
        == 200
    )
    capa = call(
        client,
        world,
        "wang.cmo",
        "POST",
        f"{path}/capas",
        {"description": "校准压差传感器并缩短校准周期", "owner_party": "cmo", "due_on": "2026-12-15"},
    ).json()
    capa_path = f"{path}/capas/{capa['id']}"
    assert call(client, world, "wang.cmo", "POST", f"{capa_path}/implement", {"note": "已校准"}).status_code == 200
    response = call(client, world, "li.mah", "POST", f"{capa_path}/effectiveness", {"effective": True, "note": "有效"})
    assert response.status_code == 200

    # 4. the factory release is refused while the deviation is open (and its record missing)
    detail = call(client, world, "qin.cmoqp", "GET", f"/batches/{ref}").json()
    assert any(event["ref"] in b["message_en"] for b in detail["blockers"])
    response = release(client, world, "qin.cmoqp", ref, expected_version=detail["version"])
    assert response.status_code == 409 and response.json()["code"] == "release_blocked"
    messages = [d["message_en"] for d in response.json()["details"]]
    assert any(event["ref"] in m and "still open" in m for m in messages)
    assert Batch.objects.get(ref=ref).status == "in_production"

    # 5. the CMO closes the deviation and adds its record; the factory release goes through
    assert call(client, world, "wang.cmo", "POST", f"{path}/close", {"conclusion": "已纠正"}).status_code == 200
    record = upload(client, world, "wang.cmo", ref, kind="deviation_record", name="dev.pdf", event=event["ref"])
    assert record.status_code == 201, record.content
    version = call(client, world, "qin.cmoqp", "GET", f"/batches/{ref}").json()["version"]
    response = release(client, world, "qin.cmoqp", ref, reason="放行资料齐全", expected_version=version)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "factory_released"

    # 6. the MAH's QP releases to market, having reviewed the package
    detail = call(client, world, "lu.mahqp", "GET", f"/batches/{ref}").json()
    assert detail["next_step"] == "market" and detail["blockers"] == []
    assert {d["kind"] for d in detail["documents"]} == {"batch_record", "test_record", "deviation_record"}
    response = release(client, world, "lu.mahqp", ref, "market", expected_version=detail["version"])
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["status"] == "market_released" and detail["next_step"] is None
    assert [(d["step"], d["decided_by"]) for d in detail["decisions"]] == [("factory", "秦峰"), ("market", "陆敏")]
    assert all(s["valid"] for d in detail["decisions"] for s in d["signatures"])

    # every step is in the timelines
    batch_steps = [
        (e["object_type"], e["action"]) for e in call(client, world, "li.mah", "GET", f"/batches/{ref}/timeline").json()
    ]
    assert batch_steps[0] == ("batches.batch", "create")
    assert batch_steps.count(("batches.releasedocument", "create")) == 3
    assert ("batches.testresult", "create") in batch_steps
    assert ("batches.batch", "release_refused") in batch_steps
    assert batch_steps.count(("batches.releasedecision", "create")) == 2
    assert batch_steps.count(("batches.releasedecision", "sign")) == 2
    assert batch_steps.count(("batches.batch", "transition")) == 2
    refused = [
        e
        for e in call(client, world, "li.mah", "GET", f"/batches/{ref}/timeline").json()
        if e["action"] == "release_refused"
    ]
    assert refused[0]["new"]["code"] == "release_blocked" and refused[0]["new"]["step"] == "factory"
    event_steps = [
        (e["object_type"], e["action"], e["new"].get("status"))
        for e in call(client, world, "li.mah", "GET", f"{path}/timeline").json()
    ]
    assert ("quality.qualityevent", "create", "open") in event_steps
    assert ("quality.qualityevent", "transition", "acknowledged") in event_steps
    assert ("quality.capa", "transition", "implemented") in event_steps
    assert ("quality.capa", "transition", "effective") in event_steps
    assert ("quality.qualityevent", "transition", "closed") in event_steps
    assert LedgerEntry.objects.filter(object_type="batches.batch", action="release_refused").count() >= 1
    assert ReleaseDocument.objects.filter(batch__ref=ref).count() == 3


def test_a_file_missing_from_storage_is_404_and_an_altered_one_409_both_logged(client, world, media, caplog):
    batch = make_batch(world)
    document = upload(client, world, "wang.cmo", batch.ref, content=b"%PDF-1.7 original").json()
    url = f"/api/v1/batches/{batch.ref}/documents/{document['id']}"
    stored = ReleaseDocument.objects.get(pk=document["id"])
    with open(stored.file.path, "wb") as f:  # changed behind weituo's back
        f.write(b"%PDF-1.7 edited")
    response = client.get(url, **world.auth("li.mah"))
    assert response.status_code == 409 and response["Content-Type"].startswith("application/json")
    error = response.json()
    assert error["code"] == "file_altered" and "篡改" in error["message_zh"] and "tampered" in error["message_en"]
    assert any(r.levelname == "ERROR" and document["sha256"] in r.getMessage() for r in caplog.records)
    stored.file.storage.delete(stored.file.name)
    caplog.clear()
    response = client.get(url, **world.auth("li.mah"))
    assert response.status_code == 404
    error = response.json()
    assert error["code"] == "file_missing" and "缺失" in error["message_zh"]
    assert error["message_en"] == (
        "the file of this release document is missing from storage; the record and its SHA-256 remain"
    )
    assert any(r.levelname == "ERROR" and "missing from storage" in r.getMessage() for r in caplog.records)
    assert ReleaseDocument.objects.get(pk=document["id"]).sha256 == document["sha256"]  # the record remains
    # the other MAH on the shared line learns nothing of it: the plain 404 of a record it may not see
    assert client.get(url, **world.auth("zhou.mah2")).json()["code"] != "file_missing"
