"""Races and bad input through the API (issue #6 item 10): two users acting on one record with the
same version (no lost update: the second gets 409 and the ledger holds one change), signing a
batch already released, a wrong password, attachments of the wrong type or size, unknown enum
values and missing fields — each a clear error, and nothing half-written.

The two users act one after the other on the version both of them read, as two browsers or two
systems do; the row lock that makes the same true when they act at the same instant is tested by
``tests/quality/test_concurrency.py`` (in separate processes).
"""

from __future__ import annotations

import json
import time

import pytest
from django.core import signing

from weituo.batches import services as batch_services
from weituo.batches.models import Batch, ReleaseDecision, ReleaseDocument
from weituo.integrity.models import LedgerEntry
from weituo.quality.models import QualityEvent

from .quality_world import actor, add_quality_users, call, entries_since, fill_package, make_batch, pdf, seq
from .world import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(world, django_db_blocker):
    with django_db_blocker.unblock():
        return add_quality_users(world)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def oos(client, world, user="wang.cmo") -> dict:
    body = {"contract": "CON-1", "category": "oos_oot", "title": "含量 OOS"}
    response = call(client, world, user, "POST", "/events", body)
    assert response.status_code == 201, response.content
    return response.json()


def transitions(event_ref: str, since: int) -> list[LedgerEntry]:
    event = QualityEvent.objects.get(ref=event_ref)
    return entries_since(since, object_type="quality.qualityevent", object_id=str(event.pk), action="transition")


def ready_batch(world, number="240101") -> Batch:
    batch = make_batch(world, number)
    fill_package(world, batch)
    return Batch.objects.get(pk=batch.pk)


def signing_token(client, world, user, ref, step="factory") -> str:
    response = call(client, world, user, "GET", f"/batches/{ref}/releases/{step}/signing")
    assert response.status_code == 200, response.content
    return response.json()["signing_token"]


def release(client, world, user, ref, step="factory", password=PASSWORD, **extra):
    """The API's signing flow: open a signing session (GET …/signing), then sign with its token."""
    body = {"password": password, "signing_token": signing_token(client, world, user, ref, step), **extra}
    return call(client, world, user, "POST", f"/batches/{ref}/{step}-release", body)


def refusals(batch: Batch, since: int) -> list[dict]:
    return [json.loads(e.new) for e in entries_since(since, action="release_refused", object_id=str(batch.pk))]


# --- two users, one record -------------------------------------------------------------------------------


def test_two_users_acknowledging_with_the_same_version_one_wins_one_gets_409(client, world):
    event = oos(client, world)
    path = f"/events/{event['ref']}/acknowledge"
    before = seq()
    first = call(client, world, "li.mah", "POST", path, {"note": "李：收到", "expected_version": 1})
    second = call(client, world, "lu.mahqp", "POST", path, {"note": "陆：收到", "expected_version": 1})
    assert first.status_code == 200, first.content
    assert second.status_code == 409 and second.json()["code"] == "stale_record"
    assert second.json()["field"] == "version" and "version 1" in second.json()["message_en"]
    assert len(transitions(event["ref"], before)) == 1
    stored = QualityEvent.objects.get(ref=event["ref"])
    assert stored.acknowledged_by_id == world.users["li.mah"].pk and stored.acknowledgement_note == "李：收到"
    assert stored.version == 2


def test_without_a_version_the_second_acknowledgement_is_still_refused(client, world):
    event = oos(client, world)
    path = f"/events/{event['ref']}/acknowledge"
    before = seq()
    assert call(client, world, "li.mah", "POST", path, {}).status_code == 200
    second = call(client, world, "lu.mahqp", "POST", path, {"note": "again"})
    assert second.status_code == 409 and second.json()["code"] == "already_in_status"
    assert len(transitions(event["ref"], before)) == 1
    assert QualityEvent.objects.get(ref=event["ref"]).acknowledged_by_id == world.users["li.mah"].pk


def test_two_users_closing_with_the_same_version_one_wins_one_gets_409(client, world):
    event = oos(client, world)
    call(client, world, "li.mah", "POST", f"/events/{event['ref']}/acknowledge", {})
    path = f"/events/{event['ref']}/close"
    before = seq()
    first = call(
        client, world, "wang.cmo", "POST", path, {"conclusion": "复检合格，原结果为取样误差", "expected_version": 2}
    )
    second = call(client, world, "ding.cmohoq", "POST", path, {"conclusion": "另一个结论", "expected_version": 2})
    assert first.status_code == 200, first.content
    assert second.status_code == 409 and second.json()["code"] == "stale_record"
    assert len(transitions(event["ref"], before)) == 1
    stored = QualityEvent.objects.get(ref=event["ref"])
    assert stored.conclusion == "复检合格，原结果为取样误差" and stored.closed_by_id == world.users["wang.cmo"].pk


def test_a_stale_version_on_a_capa_is_refused(client, world):
    event = oos(client, world)
    capa = call(
        client,
        world,
        "wang.cmo",
        "POST",
        f"/events/{event['ref']}/capas",
        {"description": "复核取样规程", "owner_party": "cmo", "due_on": "2026-12-31"},
    ).json()
    path = f"/events/{event['ref']}/capas/{capa['id']}/implement"
    assert call(client, world, "wang.cmo", "POST", path, {"note": "已完成", "expected_version": 1}).status_code == 200
    second = call(client, world, "ding.cmohoq", "POST", path, {"note": "也完成", "expected_version": 1})
    assert second.status_code == 409 and second.json()["code"] == "stale_record"


# --- releasing twice, a wrong password, a stale copy ---------------------------------------------------


def test_signing_an_already_released_batch_is_409_with_no_second_decision_and_the_attempt_ledgered(client, world):
    batch = ready_batch(world)
    assert release(client, world, "qin.cmoqp", batch.ref).status_code == 200
    before = seq()
    again = release(client, world, "qin.cmoqp", batch.ref, reason="再签一次")
    assert again.status_code == 409 and again.json()["code"] == "already_released"
    assert "秦峰" in again.json()["message_zh"]
    assert ReleaseDecision.objects.filter(batch=batch, step="factory").count() == 1
    assert [(r["step"], r["code"]) for r in refusals(batch, before)] == [("factory", "already_released")]
    assert entries_since(before, action="sign") == []
    # the same for the market release
    assert release(client, world, "lu.mahqp", batch.ref, "market").status_code == 200
    before = seq()
    again = release(client, world, "lu.mahqp", batch.ref, "market")
    assert again.status_code == 409 and again.json()["code"] == "already_released"
    assert ReleaseDecision.objects.filter(batch=batch).count() == 2
    assert [r["code"] for r in refusals(batch, before)] == ["already_released"]


def test_a_wrong_password_is_refused_403_and_ledgered_and_nothing_is_signed(client, world):
    batch = ready_batch(world)
    before = seq()
    response = release(client, world, "qin.cmoqp", batch.ref, password="not-my-password", reason="放行")
    assert response.status_code == 403, response.content
    error = response.json()
    assert error["code"] == "signature_refused" and error["field"] == "password"
    assert error["message_zh"] == "密码错误，签名被拒绝" and error["message_en"] == "wrong password: signature refused"
    assert [(r["step"], r["code"]) for r in refusals(batch, before)] == [("factory", "signature_refused")]
    assert not ReleaseDecision.objects.filter(batch=batch).exists()
    assert Batch.objects.get(pk=batch.pk).status == "in_production"
    assert entries_since(before, action="sign") == [] and entries_since(before, action="transition") == []
    # the right password then works
    assert release(client, world, "qin.cmoqp", batch.ref).status_code == 200


def test_repeated_wrong_passwords_lock_the_signer_out_as_at_login(client, world):
    batch = ready_batch(world)
    before = seq()
    codes = [release(client, world, "qin.cmoqp", batch.ref, password=f"guess-{n}").json()["code"] for n in range(5)]
    assert codes == ["signature_refused"] * 4 + ["signature_locked_out"]  # the 5th failure locks
    response = release(client, world, "qin.cmoqp", batch.ref)  # the right password, too late
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")
    error = response.json()
    assert error["code"] == "signature_locked_out" and error["field"] == "password"
    assert "Try again after 30 minutes" in error["message_en"] and "锁定" in error["message_zh"]
    assert [r["code"] for r in refusals(batch, before)] == ["signature_refused"] * 6
    assert not ReleaseDecision.objects.filter(batch=batch).exists()


def test_a_missing_password_is_422_before_anything_is_tried(client, world):
    batch = ready_batch(world)
    before = seq()
    response = call(
        client,
        world,
        "qin.cmoqp",
        "POST",
        f"/batches/{batch.ref}/factory-release",
        {"reason": "x", "signing_token": "t"},
    )
    assert response.status_code == 422 and response.json()["field"] == "password"
    response = release(client, world, "qin.cmoqp", batch.ref, password="")
    assert response.status_code == 422 and response.json()["field"] == "password"
    assert seq() == before


def test_a_release_on_a_stale_copy_is_409_and_ledgered(client, world):
    batch = ready_batch(world)
    seen = call(client, world, "qin.cmoqp", "GET", f"/batches/{batch.ref}").json()["version"]
    # meanwhile the CMO adds a result: the package the QP reviewed is not the package any more
    batch_services.batch_result_add(
        actor=actor(world, "wang.cmo"),
        batch=batch,
        test_name="水分",
        specification="≤5.0%",
        result="3.1%",
        passed=True,
    )
    before = seq()
    response = release(client, world, "qin.cmoqp", batch.ref, expected_version=seen)
    assert response.status_code == 409 and response.json()["code"] == "stale_record"
    assert [r["code"] for r in refusals(batch, before)] == ["stale_record"]
    assert not ReleaseDecision.objects.filter(batch=batch).exists()


# --- attachments -----------------------------------------------------------------------------------------


def _stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "content", "max_bytes", "says"),
    [
        ("record.exe", b"MZ\x90\x00 not a record", None, "file type .exe not accepted"),
        ("record", b"%PDF-1.7 no suffix", None, "not accepted"),
        ("record.pdf", b"%PDF-1.7 " + b"x" * 200, 100, "file too large"),
        ("empty.pdf", b"", None, "the file is empty"),
    ],
)
def test_a_refused_attachment_leaves_no_row_no_file_no_ledger_entry(
    client, world, media, monkeypatch, name, content, max_bytes, says
):
    if max_bytes is not None:  # the limit is 50 MB; a small one keeps the test fast
        monkeypatch.setattr(batch_services, "DOCUMENT_MAX_BYTES", max_bytes)
    batch = make_batch(world)
    version, files, before = batch.version, _stored_files(media), seq()
    response = client.post(
        f"/api/v1/batches/{batch.ref}/documents",
        {"kind": "batch_record", "title": "批生产记录", "file": pdf(name, content)},
        **world.auth("wang.cmo"),
    )
    assert response.status_code == 422, response.content
    error = response.json()
    assert error["field"] == "file" and any(says in d["message_en"] for d in error["details"]), error
    assert error["details"][0]["message_zh"]
    assert not ReleaseDocument.objects.filter(batch=batch).exists()
    assert _stored_files(media) == files
    assert seq() == before
    assert Batch.objects.get(pk=batch.pk).version == version


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "selfie", "title": "x"}, "kind"),
        ({"title": "x"}, "kind"),
        ({"kind": "batch_record"}, "title"),
        ({"kind": "batch_record", "title": "x", "with_file": False}, "file"),
        ({"kind": "deviation_record", "title": "偏差记录"}, "event"),
        ({"kind": "batch_record", "title": "x", "event": "QE-NOWHERE"}, "ref"),
    ],
)
def test_a_malformed_upload_is_422_naming_the_field(client, world, media, data, field):
    batch = make_batch(world)
    files, before = _stored_files(media), seq()
    data = dict(data)
    if data.pop("with_file", True):
        data["file"] = pdf("ok.pdf")
    response = client.post(f"/api/v1/batches/{batch.ref}/documents", data, **world.auth("wang.cmo"))
    expected = 404 if field == "ref" else 422  # an event the caller cannot see is not found
    assert response.status_code == expected, response.content
    assert response.json()["field"] == field, response.json()
    assert not ReleaseDocument.objects.filter(batch=batch).exists()
    assert _stored_files(media) == files and seq() == before


def test_a_deviation_record_of_another_batch_is_refused(client, world, media):
    batch, other = make_batch(world, "240101"), make_batch(world, "240102")
    event = call(
        client,
        world,
        "wang.cmo",
        "POST",
        "/events",
        {"contract": "CON-1", "category": "deviation", "classification": "minor", "title": "x", "batch": other.ref},
    ).json()
    files, before = _stored_files(media), seq()
    response = client.post(
        f"/api/v1/batches/{batch.ref}/documents",
        {"kind": "deviation_record", "title": "偏差记录", "event": event["ref"], "file": pdf("dev.pdf")},
        **world.auth("wang.cmo"),
    )
    assert response.status_code == 422 and response.json()["field"] == "event"
    assert "not on this batch" in response.json()["details"][0]["message_en"]
    assert _stored_files(media) == files and seq() == before


def test_nothing_can_be_added_to_a_released_package(client, world, media):
    batch = ready_batch(world)
    assert release(client, world, "qin.cmoqp", batch.ref).status_code == 200
    files, before = _stored_files(media), seq()
    response = client.post(
        f"/api/v1/batches/{batch.ref}/documents",
        {"kind": "batch_record", "title": "补充", "file": pdf("late.pdf")},
        **world.auth("wang.cmo"),
    )
    assert response.status_code == 409 and response.json()["code"] == "package_frozen"
    result = {"test_name": "x", "specification": "y", "result": "z", "passed": True}
    assert call(client, world, "wang.cmo", "POST", f"/batches/{batch.ref}/results", result).status_code == 409
    assert _stored_files(media) == files and seq() == before


# --- unknown values and missing fields -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("GET", "/events", {"category": "rumour"}, "category"),
        ("GET", "/events", {"overdue": "maybe"}, "overdue"),
        ("GET", "/batches", {"status": "lost"}, "status"),
        ("GET", "/retention-obligations", {"status": "forgotten"}, "status"),
        ("POST", "/events", {"contract": "CON-1", "title": "x"}, "category"),
        ("POST", "/events", {"category": "oos_oot", "title": "x"}, "contract"),
        ("POST", "/batches", {"contract": "CON-1"}, None),
        (
            "POST",
            "/events/{event}/capas",
            {"description": "x", "owner_party": "regulator", "due_on": "2027-01-01"},
            "owner_party",
        ),
        ("POST", "/events/{event}/capas", {"description": "x", "owner_party": "cmo", "due_on": "soon"}, "due_on"),
        ("POST", "/events/{event}/capas", {"owner_party": "cmo", "due_on": "2027-01-01"}, "description"),
        ("POST", "/events/{event}/acknowledge", {"expected_version": 0}, "expected_version"),
        ("POST", "/events/{event}/acknowledge", {"expected_version": "one"}, "expected_version"),
        ("POST", "/batches/{batch}/results", {"test_name": "x", "specification": "y", "result": "z"}, "passed"),
        (
            "POST",
            "/batches/{batch}/factory-release",
            {"password": "x", "signing_token": "t", "expected_version": -1},
            "expected_version",
        ),
        ("POST", "/batches/{batch}/reject", {}, "reason"),
    ],
)
def test_unknown_values_and_missing_fields_are_422_naming_the_field(client, world, method, path, body, field):
    batch = make_batch(world)
    event = oos(client, world)
    path = path.format(event=event["ref"], batch=batch.ref)
    before = seq()
    response = call(client, world, "wang.cmo" if "release" not in path else "qin.cmoqp", method, path, body)
    assert response.status_code == 422, response.content
    error = response.json()
    assert error["message_zh"] and error["message_en"]
    if field is None:  # several fields missing: each named in the details
        assert {"product", "line", "number", "quantity"} <= {d["field"] for d in error["details"]}
    else:
        assert error["field"] == field, error
    assert seq() == before


def test_the_api_needs_a_signing_session_and_refuses_an_expired_one(client, world, settings, monkeypatch):
    """The signing window holds for the API as for the pages: no token is 422, an expired one is 403
    ``signing_expired`` (ledgered), a fresh one from ``…/signing`` releases."""
    batch = ready_batch(world, "240777")
    url = f"/batches/{batch.ref}/factory-release"
    before = seq()
    missing = call(client, world, "qin.cmoqp", "POST", url, {"password": PASSWORD})
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_request"

    real = time.time
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: real() - settings.WEITUO_SIGNING_WINDOW_SECONDS - 5)
        stale = signing_token(client, world, "qin.cmoqp", batch.ref)
    refused = call(client, world, "qin.cmoqp", "POST", url, {"password": PASSWORD, "signing_token": stale})
    assert refused.status_code == 403 and refused.json()["code"] == "signing_expired"
    assert [(r["step"], r["code"]) for r in refusals(batch, before)] == [("factory", "signing_expired")]

    session = call(client, world, "qin.cmoqp", "GET", f"/batches/{batch.ref}/releases/factory/signing").json()
    assert session["blockers"] == [] and len(session["package_digest"]) == 64
    body = {"password": PASSWORD, "signing_token": session["signing_token"]}
    released = call(client, world, "qin.cmoqp", "POST", url, body)
    assert released.status_code == 200 and released.json()["status"] == "factory_released"
