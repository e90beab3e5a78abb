"""Change control through /api/v1/changes: the journey from proposal to closure, each refusal with
its status code and nothing written, and isolation from the other MAH on the shared line."""

from __future__ import annotations

import pytest
from django.utils import timezone

from weituo.integrity.models import LedgerEntry

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()


def send(client, world, user: str, path: str, data: dict | None = None, method: str = "post"):
    call = getattr(client, method)
    if method == "get":
        return call(f"/api/v1{path}", data or {}, **world.auth(user))
    return call(f"/api/v1{path}", data or {}, content_type="application/json", **world.auth(user))


def seq() -> int:
    entry = LedgerEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def propose(client, world, user: str = "wang.cmo", **extra) -> dict:
    body = {
        "contract": "CON-1",
        "products": ["P-1"],
        "title": "灌装机更换",
        "description": "灌装机由 A 型更换为 B 型",
        **extra,
    }
    response = send(client, world, user, "/changes", body)
    assert response.status_code == 201, response.content
    return response.json()


def classify(client, world, ref: str, user: str, change_class: str, path: str, version: int | None = None):
    body = {"change_class": change_class, "regulatory_path": path, "rationale": "评估"}
    if version is not None:
        body["expected_version"] = version
    return send(client, world, user, f"/changes/{ref}/classification", body)


def test_the_journey_from_proposal_to_closure(client, world):
    change = propose(client, world)
    ref = change["ref"]
    assert (change["status"], change["proposed_by_party"], change["actions"]["classify_as"]) == (
        "proposed",
        "cmo",
        ["cmo"],
    )
    assert classify(client, world, ref, "li.mah", "major", "report").status_code == 200
    change = classify(client, world, ref, "wang.cmo", "minor", "approval", change["version"] + 1).json()
    assert (change["change_class"], change["regulatory_path"], change["status"]) == ("major", "approval", "classified")
    assert (change["mah"]["change_class"], change["cmo"]["regulatory_path"]) == ("major", "approval")

    before = seq()
    refused = send(client, world, "wang.cmo", f"/changes/{ref}/implementation", {"on": TODAY, "note": "已实施"})
    assert refused.status_code == 409 and refused.json()["code"] == "not_implementable"
    assert refused.json()["message_zh"] and refused.json()["message_en"]
    assert seq() == before

    change = send(client, world, "li.mah", f"/changes/{ref}/decision", {"approve": True, "note": "同意"}).json()
    assert change["status"] == "approved" and change["actions"]["filing_steps"] == ["submitted"]
    refused = send(client, world, "wang.cmo", f"/changes/{ref}/implementation", {"on": TODAY, "note": "已实施"})
    assert refused.status_code == 409  # the regulator has not approved it
    for step in ("submitted", "accepted"):
        response = send(client, world, "li.mah", f"/changes/{ref}/filing", {"to": step, "reference": "CYHB2600001"})
        assert response.status_code == 200, response.content
    change = send(client, world, "wang.cmo", f"/changes/{ref}/implementation", {"on": TODAY, "note": "已实施"}).json()
    assert (change["status"], change["implemented_on"]) == ("implemented", TODAY)
    change = send(client, world, "li.mah", f"/changes/{ref}/close", {"conclusion": "效果确认"}).json()
    assert change["status"] == "closed"

    timeline = send(client, world, "li.mah", f"/changes/{ref}/timeline", method="get").json()
    assert [e["action"] for e in timeline][:1] == ["create"]
    assert [e["new"].get("status") for e in timeline if e["action"] == "transition"] == [
        "classified",
        "approved",
        "implemented",
        "closed",
    ]
    listed = send(client, world, "wang.cmo", "/changes", {"status": "closed"}, method="get").json()
    assert [c["ref"] for c in listed["items"]] == [ref]


def test_the_other_mah_on_the_shared_line_sees_nothing(client, world):
    ref = propose(client, world)["ref"]
    assert send(client, world, "zhou.mah2", "/changes", method="get").json()["count"] == 0
    for path in (f"/changes/{ref}", f"/changes/{ref}/timeline"):
        assert send(client, world, "zhou.mah2", path, method="get").status_code == 404
    before = seq()
    response = classify(client, world, ref, "zhou.mah2", "minor", "report")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert seq() == before
    assert send(client, world, "li.mah", f"/changes/{ref}", method="get").status_code == 200


def test_refusals_and_their_codes_write_nothing(client, world):
    change = propose(client, world)
    ref = change["ref"]
    before = seq()
    viewer = classify(client, world, ref, "sun.mahview", "minor", "report")
    assert viewer.status_code == 403
    stale = classify(client, world, ref, "li.mah", "minor", "report", version=change["version"] + 5)
    assert stale.status_code == 409 and stale.json()["code"] == "stale_record"
    not_mah = send(client, world, "wang.cmo", f"/changes/{ref}/decision", {"approve": True, "note": "同意"})
    assert not_mah.status_code == 403
    bad = send(
        client,
        world,
        "wang.cmo",
        "/changes",
        {"contract": "CON-1", "products": ["P-2"], "title": "x", "description": "y"},
    )
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "products"
    empty = send(client, world, "li.mah", f"/changes/{ref}/withdraw", {"reason": "x"})
    assert empty.status_code == 403  # proposed by the CMO: only the CMO withdraws it
    assert seq() == before
    response = send(client, world, "wang.cmo", f"/changes/{ref}/withdraw", {"reason": "方案调整"})
    assert response.json()["status"] == "withdrawn"
