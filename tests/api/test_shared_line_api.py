"""The shared-line API (art. 8): the CMO's whole assessment, each MAH's redacted notice, the error mapping.

API world: ORG-MAH (P-1) and ORG-MAH2 (P-2) share LINE-1 of ORG-CMO; ORG-CMO2 has LINE-2.
"""

from __future__ import annotations

import json

import pytest

from weituo.integrity.models import LedgerEntry
from weituo.quality.models import Capa, SharedLineAssessment, SharedLineNotice

pytestmark = pytest.mark.django_db

MAH1_NAME = "南京康宁药业有限公司"
P1_NAME = "盐酸利多卡因注射液"
P1_FINDINGS = "利多卡因残留限度 10 ppm"
MAH1_FEEDBACK = "康宁要求提高擦拭取样频次"
MAH1_REJECTION = "康宁不同意：擦拭点不足"


def send(client, world, user: str, method: str, path: str, data: dict | None = None):
    call = getattr(client, method.lower())
    if method == "GET":
        return call(f"/api/v1{path}", data or {}, **world.auth(user))
    return call(f"/api/v1{path}", json.dumps(data or {}), content_type="application/json", **world.auth(user))


def seq() -> int:
    entry = LedgerEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


@pytest.fixture
def notified(client, world) -> str:
    """An assessment notified to both MAHs; MAH1 has findings, feedback, and rejected the CAPA."""
    r = send(
        client,
        world,
        "wang.cmo",
        "POST",
        "/shared-line/assessments",
        {"line": "LINE-1", "trigger": "equipment_change", "description": "更换灌装机"},
    )
    assert r.status_code == 201, r.content
    ref = r.json()["ref"]
    base = f"/shared-line/assessments/{ref}"
    r = send(client, world, "wang.cmo", "POST", f"{base}/findings", {"product": "P-1", "findings": P1_FINDINGS})
    assert r.status_code == 200, r.content
    r = send(
        client,
        world,
        "wang.cmo",
        "POST",
        f"{base}/notify",
        {"conclusion": "风险可控", "controls": "专用灌装针头", "expected_version": 1},
    )
    assert r.status_code == 200, r.content
    r = send(client, world, "li.mah", "POST", f"/shared-line/notices/{ref}/feedback", {"feedback": MAH1_FEEDBACK})
    assert r.status_code == 200, r.content
    r = send(client, world, "wang.cmo", "POST", f"{base}/capas", {"description": "增加擦拭点", "due_on": "2026-12-31"})
    assert r.status_code == 201, r.content
    capa = r.json()["capas"][0]["id"]
    r = send(
        client,
        world,
        "li.mah",
        "POST",
        f"/shared-line/notices/{ref}/capas/{capa}/decision",
        {"decision": "reject", "note": MAH1_REJECTION},
    )
    assert r.status_code == 200, r.content
    return ref


def test_the_cmo_reads_the_whole_assessment(client, world, notified):
    r = send(client, world, "wang.cmo", "GET", f"/shared-line/assessments/{notified}")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "notified"
    assert {n["mah"]["ref"]: n["other_products_count"] for n in body["notices"]} == {"ORG-MAH": 1, "ORG-MAH2": 1}
    assert MAH1_FEEDBACK in {n["feedback"] for n in body["notices"]}
    capa = body["capas"][0]
    assert [(a["mah"]["ref"], a["decision"]) for a in capa["approvals"]] == [("ORG-MAH", "rejected")]
    assert [o["ref"] for o in capa["undecided"]] == ["ORG-MAH2"]
    listing = send(client, world, "wang.cmo", "GET", "/shared-line/assessments").json()
    assert [a["ref"] for a in listing["items"]] == [notified]


def test_mah2_reads_a_redacted_notice_and_timeline(client, world, notified):
    r = send(client, world, "zhou.mah2", "GET", f"/shared-line/notices/{notified}")
    assert r.status_code == 200
    body = r.json()
    assert body["conclusion"] == "风险可控" and body["controls"] == "专用灌装针头"
    assert [p["ref"] for p in body["own_products"]] == ["P-2"] and body["other_products_count"] == 1
    assert body["capas"][0]["own_decision"] == ""
    timeline = send(client, world, "zhou.mah2", "GET", f"/shared-line/notices/{notified}/timeline")
    listing = send(client, world, "zhou.mah2", "GET", "/shared-line/notices")
    assert timeline.status_code == 200 and listing.status_code == 200
    for response in (r, timeline, listing):
        text = response.content.decode()
        for secret in (MAH1_NAME, P1_NAME, '"P-1"', P1_FINDINGS, MAH1_FEEDBACK, MAH1_REJECTION, "康宁", "li.mah"):
            assert secret not in text, secret
    # the MAH's own view shows its own feedback and decision
    mine = send(client, world, "li.mah", "GET", f"/shared-line/notices/{notified}").json()
    assert mine["feedback"] == MAH1_FEEDBACK and mine["capas"][0]["own_decision"] == "rejected"


@pytest.mark.parametrize(
    "user,path",
    [
        ("zhou.mah2", "/shared-line/assessments/{ref}"),  # a notified MAH does not read it whole
        ("li.mah", "/shared-line/assessments/{ref}/timeline"),
        ("zhao.cmo2", "/shared-line/assessments/{ref}"),  # another CMO
        ("zhao.cmo2", "/shared-line/notices/{ref}"),
        ("wang.cmo", "/shared-line/notices/{ref}"),  # the CMO has no notice of its own
        ("zhou.mah2", "/shared-line/assessments/NOPE-1"),
    ],
)
def test_invisible_is_404(client, world, notified, user, path):
    r = send(client, world, user, "GET", path.format(ref=notified))
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_another_cmo_lists_nothing_and_cannot_write(client, world, notified):
    assert send(client, world, "zhao.cmo2", "GET", "/shared-line/assessments").json()["count"] == 0
    assert send(client, world, "zhao.cmo2", "GET", "/shared-line/notices").json()["count"] == 0
    before = seq()
    r = send(client, world, "zhao.cmo2", "POST", f"/shared-line/assessments/{notified}/close", {})
    assert r.status_code == 404 and seq() == before


def test_error_mapping_refused_conflict_stale_and_input(client, world, notified):
    base = f"/shared-line/assessments/{notified}"
    capa = Capa.objects.get(assessment__ref=notified)
    before = seq()
    # 409: MAH1 rejected and MAH2 has not reviewed: the CMO cannot implement
    r = send(client, world, "wang.cmo", "POST", f"{base}/capas/{capa.pk}/implement", {"note": "完成"})
    assert r.status_code == 409 and r.json()["code"] == "capa_not_approved"
    # 403: an MAH may not give another party's answer (the CMO's response)
    n2 = SharedLineNotice.objects.get(assessment__ref=notified, mah__ref="ORG-MAH2")
    r = send(client, world, "li.mah", "POST", f"/shared-line/notices/{notified}/agreement", {})
    assert r.status_code == 409  # its feedback has no response yet
    r = send(client, world, "sun.mahview", "POST", f"/shared-line/notices/{notified}/feedback", {"feedback": "x"})
    assert r.status_code == 403
    # 409 stale
    r = send(
        client,
        world,
        "zhou.mah2",
        "POST",
        f"/shared-line/notices/{notified}/feedback",
        {"feedback": "同泰意见", "expected_version": n2.version + 1},
    )
    assert r.status_code == 409 and r.json()["code"] == "stale_record"
    # 422: schema and domain refusals
    r = send(client, world, "zhou.mah2", "POST", f"/shared-line/notices/{notified}/feedback", {"feedback": "  "})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "feedback"
    r = send(
        client,
        world,
        "zhou.mah2",
        "POST",
        f"/shared-line/notices/{notified}/capas/{capa.pk}/decision",
        {"decision": "reject"},
    )
    assert r.status_code == 422
    r = send(client, world, "wang.cmo", "POST", "/shared-line/assessments", {"line": "LINE-1", "trigger": "weather"})
    assert r.status_code == 422
    assert seq() == before, "nothing refused reaches the ledger"
    assert SharedLineNotice.objects.get(pk=n2.pk).feedback == ""


def test_an_mah_without_a_contract_with_the_cmo_cannot_start_one(client, world):
    before = seq()
    r = send(
        client,
        world,
        "zhou.mah2",
        "POST",
        "/shared-line/assessments",
        {"line": "LINE-1", "trigger": "equipment_change", "description": "x"},
    )
    assert r.status_code == 403 and seq() == before
    assert not SharedLineAssessment.objects.exists()


def test_mah2_deadlines_name_the_notice_and_the_capa_only(client, world, notified):
    r = send(client, world, "zhou.mah2", "GET", "/deadlines")
    assert r.status_code == 200, r.content
    mine = {(d["kind"], d["record_type"], d["ref"]) for d in r.json()["items"] if d["ref"] == notified}
    assert mine == {
        ("notice_feedback", "quality.sharedlinenotice", notified),
        ("capa_approval", "quality.capa", notified),
    }
    assert MAH1_NAME not in r.content.decode() and MAH1_FEEDBACK not in r.content.decode()
    # MAH1 gave its feedback and decided: it owes nothing on this assessment
    owed = send(client, world, "li.mah", "GET", "/deadlines").json()["items"]
    assert not [d for d in owed if d["ref"] == notified]
