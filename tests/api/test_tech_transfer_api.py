"""The technology-transfer workflow through the API (art. 4): TT-1 of the API world (CON-1, P-1, started
2023-09-01, lead PER-QP, no working group yet) taken through its team, steps, a risk and completion;
the codes a client relies on (403 wrong party, 409 out of order / incomplete / stale, 422 bad input);
and another MAH on the same shared line seeing none of it (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from weituo.contracts.choices import TransferStep
from weituo.contracts.models import TechTransfer, TechTransferRisk, TechTransferStep

from .quality_world import call, entries_since, seq

pytestmark = pytest.mark.django_db

STEPS = TransferStep.values
DATES = {step: dt.date(2024, 1, 10) + dt.timedelta(days=20 * i) for i, step in enumerate(STEPS)}


def team(client, world, user="wang.cmo"):
    return call(
        client,
        world,
        user,
        "PUT",
        "/tech-transfers/TT-1/team",
        {"lead": "PER-QP", "working_group": ["PER-QP", "PER-MQA"]},
    )


def step(client, world, name, user=None, **body):
    user = user or ("li.mah" if name == "master_documents_approved" else "wang.cmo")
    data = {"step": name, "done_on": DATES[name].isoformat(), "note": f"{name} 结论合格", "evidence": f"DOC-{name}"}
    return call(client, world, user, "POST", "/tech-transfers/TT-1/steps", {**data, **body})


def all_steps(client, world):
    assert team(client, world).status_code == 200
    for name in STEPS:
        response = step(client, world, name)
        assert response.status_code == 201, response.content


def test_progress_shows_every_step_in_order_with_its_party(client, world):
    response = call(client, world, "li.mah", "GET", "/tech-transfers/TT-1/progress")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "in_progress" and body["risks"] == []
    assert [s["step"] for s in body["steps"]] == STEPS
    assert [s["party"] for s in body["steps"]] == ["cmo"] * 7 + ["mah"]
    assert [s["is_next"] for s in body["steps"]] == [True] + [False] * 7


def test_the_whole_transfer_through_the_api(client, world):
    before = seq()
    all_steps(client, world)
    response = call(client, world, "li.mah", "POST", "/tech-transfers/TT-1/complete", {"completed_on": "2024-08-01"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "completed" and body["completed_on"] == "2024-08-01"
    assert [s["done_on"] for s in body["steps"]] == [DATES[s].isoformat() for s in STEPS]
    assert body["steps"][0]["recorded_by"] == "王建国" and body["steps"][-1]["recorded_by"] == "李晓梅"
    assert sorted(p["ref"] for p in body["working_group"]) == ["PER-MQA", "PER-QP"]
    assert TechTransfer.objects.get(ref="TT-1").completed_on == dt.date(2024, 8, 1)
    # team + 8 × (step created, transfer date) + completion
    assert len(entries_since(before)) == 1 + 16 + 1


def test_wrong_party_is_403_and_writes_nothing(client, world):
    assert team(client, world, user="li.mah").status_code == 403
    assert team(client, world).status_code == 200
    assert step(client, world, "plan_reviewed", user="li.mah").status_code == 403
    assert step(client, world, "plan_reviewed", user="qian.cmoview").status_code == 403
    assert not TechTransferStep.objects.exists()


def test_out_of_order_and_incomplete_are_409(client, world):
    assert team(client, world).status_code == 200
    response = step(client, world, "process_validated")
    assert response.status_code == 409 and response.json()["code"] == "step_out_of_order"
    response = call(client, world, "li.mah", "POST", "/tech-transfers/TT-1/complete", {"completed_on": "2024-08-01"})
    assert response.status_code == 409 and response.json()["code"] == "transfer_incomplete"
    # a second transfer of P-1 while TT-1 runs
    response = call(
        client,
        world,
        "li.mah",
        "POST",
        "/tech-transfers",
        {"contract": "CON-1", "product": "P-1", "started_on": "2024-01-02"},
    )
    assert response.status_code == 409
    assert TechTransfer.objects.get(ref="TT-1").completed_on is None


def test_bad_dates_and_blank_note_are_422_naming_the_field(client, world):
    assert team(client, world).status_code == 200
    response = step(client, world, "plan_reviewed", done_on="2023-08-31")  # before the start
    assert response.status_code == 422 and response.json()["field"] == "done_on"
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert step(client, world, "plan_reviewed", done_on=future).status_code == 422
    response = step(client, world, "plan_reviewed", note="")
    assert response.status_code == 422 and response.json()["field"] == "note"
    response = call(
        client, world, "li.mah", "PUT", "/tech-transfers/TT-1/team", {"lead": "PER-MQA", "working_group": []}
    )
    assert response.status_code == 403
    response = call(
        client, world, "wang.cmo", "PUT", "/tech-transfers/TT-1/team", {"lead": "PER-MQA", "working_group": []}
    )
    assert response.status_code == 422
    assert not TechTransferStep.objects.exists()


def test_a_risk_is_raised_then_stops_the_transfer_and_a_stale_version_is_409(client, world):
    response = call(
        client,
        world,
        "wang.cmo",
        "POST",
        "/tech-transfers/TT-1/risks",
        {"description": "无菌工艺模拟试验失败", "raised_on": "2024-02-01", "ref": "TTR-1"},
    )
    assert response.status_code == 201, response.content
    risk = response.json()
    assert (risk["status"], risk["raised_by_party"], risk["version"]) == ("open", "cmo", 1)
    response = call(
        client,
        world,
        "li.mah",
        "POST",
        "/tech-transfers/TT-1/risks/TTR-1/stop",
        {"resolved_on": "2024-02-05", "reason": "风险难以有效控制，停止合作", "expected_version": 1},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["resolved_by_party"]) == ("stopped", "mah")
    response = call(
        client,
        world,
        "wang.cmo",
        "POST",
        "/tech-transfers/TT-1/risks/TTR-1/control",
        {"resolved_on": "2024-02-05", "resolution": "ok", "measures": "m", "expected_version": 1},
    )
    assert response.status_code == 409
    progress = call(client, world, "li.mah", "GET", "/tech-transfers/TT-1/progress").json()
    assert progress["state"] == "stopped" and progress["risks"][0]["resolution"] == "风险难以有效控制，停止合作"
    assert team(client, world).status_code == 409


def test_another_mah_on_the_shared_line_sees_nothing(client, world):
    call(
        client,
        world,
        "wang.cmo",
        "POST",
        "/tech-transfers/TT-1/risks",
        {"description": "r", "raised_on": "2024-02-01", "ref": "TTR-9"},
    )
    for method, path, body in (
        ("GET", "/tech-transfers/TT-1/progress", None),
        ("PUT", "/tech-transfers/TT-1/team", {"lead": "PER-QP", "working_group": ["PER-QP"]}),
        ("POST", "/tech-transfers/TT-1/steps", {"step": "plan_reviewed", "done_on": "2024-01-10", "note": "x"}),
        ("POST", "/tech-transfers/TT-1/complete", {"completed_on": "2024-08-01"}),
        ("POST", "/tech-transfers/TT-1/risks", {"description": "x", "raised_on": "2024-02-01"}),
        ("POST", "/tech-transfers/TT-1/risks/TTR-9/stop", {"resolved_on": "2024-02-05", "reason": "x"}),
    ):
        response = call(client, world, "zhou.mah2", method, path, body)
        assert response.status_code == 404, (path, response.content)
    # nor the CMO of another contract
    assert call(client, world, "zhao.cmo2", "GET", "/tech-transfers/TT-1/progress").status_code == 404
    assert TechTransferRisk.objects.get(ref="TTR-9").status == "open"
    assert not TechTransferStep.objects.exists()


def test_a_step_is_corrected_with_a_reason(client, world):
    assert team(client, world).status_code == 200
    assert step(client, world, "plan_reviewed").status_code == 201
    path = "/tech-transfers/TT-1/steps/plan_reviewed"
    assert call(client, world, "li.mah", "PATCH", path, {"reason": "r", "note": "x"}).status_code == 403
    response = call(client, world, "wang.cmo", "PATCH", path, {"reason": "", "note": "x"})
    assert response.status_code == 422 and response.json()["field"] == "reason"
    response = call(client, world, "wang.cmo", "PATCH", path, {"reason": "录入错误", "done_on": "2024-01-12"})
    assert response.status_code == 200, response.content
    assert response.json()["plan_reviewed_on"] == "2024-01-12"
    response = call(client, world, "wang.cmo", "PATCH", "/tech-transfers/TT-1/steps/report_reviewed", {"reason": "r"})
    assert response.status_code == 409
