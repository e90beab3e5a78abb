"""The technology-transfer pages (art. 4): started from the contract page by the MAH, the CMO's team and
steps recorded through the forms, refusals shown with their reasons and nothing written, completion,
a risk that stops the cooperation, Chinese first — and another MAH of the same CMO gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.contracts.transfer_world import (
    COMPLETED_ON,
    START,
    STEP_DATES,
    appoint,
    build_transfer_world,
    con2,
    run_all_steps,
    start,
)
from tests.quality.world import World
from weituo.contracts import tech_transfer as tt
from weituo.contracts.models import TechTransfer, TechTransferRisk, TechTransferStep
from weituo.registry.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_transfer_world()


def as_(actor) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(pk=actor.user_id))
    return client


def detail(ref: str = "TT-1") -> str:
    return reverse("web:tech_transfer_detail", args=[ref])


def url(name: str, ref: str = "TT-1", *more: str) -> str:
    return reverse(f"web:{name}", args=[ref, *more])


def test_the_mah_starts_a_transfer_from_the_contract_page(world):
    mah = as_(world.mah_qa)
    page = mah.get(reverse("web:contract_detail", args=["CON-1"])).content.decode()
    assert 'data-testid="no-tech-transfer"' in page and 'data-testid="tech-transfer-start"' in page
    new = url("tech_transfer_new", "CON-1")
    assert mah.get(new).status_code == 200
    response = mah.post(new, {"product": "P-1", "started_on": START.isoformat()})
    transfer = TechTransfer.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(transfer.ref)
    page = mah.get(reverse("web:contract_detail", args=["CON-1"])).content.decode()
    assert f'href="{detail(transfer.ref)}"' in page
    # the CMO sees the transfer on the contract page, but no start link (the MAH starts it)
    page = as_(world.cmo_qa).get(reverse("web:contract_detail", args=["CON-1"])).content.decode()
    assert transfer.ref in page and 'data-testid="tech-transfer-start"' not in page


def test_a_start_in_the_future_is_refused_with_its_reason(world):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = as_(world.mah_qa).post(url("tech_transfer_new", "CON-1"), {"product": "P-1", "started_on": future})
    assert response.status_code == 422
    assert 'data-field="started_on"' in response.content.decode()
    assert not TechTransfer.objects.exists()


def test_the_cmo_appoints_the_team_and_records_the_steps_through_the_forms(world):
    transfer = start(world)
    cmo = as_(world.cmo_qa)
    page = cmo.get(detail()).content.decode()
    assert 'data-testid="team-form"' in page and 'data-testid="team-missing"' in page
    response = cmo.post(url("tech_transfer_team"), {"lead": "PER-TTL", "working_group": ["PER-TTE", "PER-MQA"]})
    assert response.status_code == 302
    response = cmo.post(
        url("tech_transfer_step"),
        {
            "step": "plan_reviewed",
            "done_on": STEP_DATES["plan_reviewed"].isoformat(),
            "note": "方案可行",
            "evidence": "TTP-01",
        },
    )
    assert response.status_code == 302
    page = cmo.get(detail()).content.decode()
    assert 'data-step="plan_reviewed" data-done="yes"' in page and "方案可行" in page and "TTP-01" in page
    assert 'data-testid="step-form"' in page  # the next step is the CMO's too
    assert TechTransfer.objects.get(pk=transfer.pk).plan_reviewed_on == STEP_DATES["plan_reviewed"]


def test_a_refused_step_shows_why_and_writes_nothing(world):
    appoint(world, start(world))
    cmo = as_(world.cmo_qa)
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = cmo.post(url("tech_transfer_step"), {"step": "plan_reviewed", "done_on": future, "note": "x"})
    assert response.status_code == 422
    assert 'data-field="done_on"' in response.content.decode()
    response = cmo.post(
        url("tech_transfer_step"), {"step": "process_validated", "done_on": START.isoformat(), "note": "x"}
    )
    assert response.status_code == 409
    assert not TechTransferStep.objects.exists()


def test_the_wrong_party_is_refused(world):
    appoint(world, start(world))
    response = as_(world.mah_qa).post(
        url("tech_transfer_step"), {"step": "plan_reviewed", "done_on": START.isoformat(), "note": "x"}
    )
    assert response.status_code == 403
    page = as_(world.mah_qa).get(detail()).content.decode()
    assert 'data-testid="step-form"' not in page and 'data-testid="step-waiting"' in page
    assert not TechTransferStep.objects.exists()


def test_the_mah_completes_and_the_page_shows_it_with_its_trail(world):
    run_all_steps(world, start(world))
    mah = as_(world.mah_qa)
    assert 'data-testid="complete-form"' in mah.get(detail()).content.decode()
    response = mah.post(url("tech_transfer_complete"), {"completed_on": COMPLETED_ON.isoformat()})
    assert response.status_code == 302
    page = mah.get(detail()).content.decode()
    assert 'data-state="completed"' in page and 'data-testid="complete-form"' not in page
    assert page.count('data-testid="trail-row"') == 1 + 1 + 16 + 1  # start, team, 8 × 2, completion


def test_a_risk_recorded_then_stopping_the_cooperation(world):
    appoint(world, start(world))
    cmo, mah = as_(world.cmo_qa), as_(world.mah_qa)
    response = cmo.post(url("tech_transfer_risk"), {"raised_on": START.isoformat(), "description": "设备能力不足"})
    assert response.status_code == 302
    risk = TechTransferRisk.objects.get()
    response = mah.post(
        url("tech_transfer_stop", "TT-1", risk.ref),
        {"version": risk.version, "resolved_on": START.isoformat(), "resolution": ""},
    )
    assert response.status_code == 422  # a stop needs its reason
    response = mah.post(
        url("tech_transfer_stop", "TT-1", risk.ref),
        {"version": risk.version, "resolved_on": START.isoformat(), "resolution": "风险难以有效控制"},
    )
    assert response.status_code == 302
    page = mah.get(detail()).content.decode()
    assert 'data-state="stopped"' in page and "风险难以有效控制" in page
    assert 'data-testid="risk-form"' not in page and 'data-testid="team-form"' not in page


def test_chinese_first_english_on_request(world):
    appoint(world, start(world))
    mah = as_(world.mah_qa)
    page = mah.get(detail()).content.decode()
    assert "技术转移方案可行性审核" in page and "技术转移过程中发现的风险" in page and "进行中" in page
    page = mah.get(detail(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "transfer plan feasibility reviewed" in page and "Risks found during the transfer" in page


def test_another_mah_of_the_same_cmo_gets_404(world):
    transfer = start(world)
    risk = tt.tech_transfer_risk_raise(actor=world.cmo_qa, transfer=transfer, description="r", raised_on=START)
    other = as_(world.mah2_qa)
    assert other.get(detail()).status_code == 404
    assert other.get(url("tech_transfer_new", "CON-1")).status_code == 404
    for name, data in (
        ("tech_transfer_team", {"lead": "PER-TTL", "working_group": ["PER-TTE"]}),
        ("tech_transfer_step", {"step": "plan_reviewed", "done_on": START.isoformat(), "note": "x"}),
        ("tech_transfer_complete", {"completed_on": COMPLETED_ON.isoformat()}),
        ("tech_transfer_risk", {"raised_on": START.isoformat(), "description": "x"}),
    ):
        assert other.post(url(name), data).status_code == 404, name
    stop = url("tech_transfer_stop", "TT-1", risk.ref)
    assert other.post(stop, {"version": 1, "resolved_on": START.isoformat(), "resolution": "x"}).status_code == 404
    assert TechTransferRisk.objects.get(pk=risk.pk).status == "open"
    # and its own contract page lists none of the first holder's transfers
    tt.tech_transfer_start(
        actor=world.mah2_qa, contract=con2(), product=Product.objects.get(ref="P-2"), started_on=START, ref="TT-M2"
    )
    page = other.get(reverse("web:contract_detail", args=["CON-2"])).content.decode()
    assert "TT-M2" in page and "TT-1" not in page


def test_the_cmo_corrects_a_recorded_step_with_a_reason(world):
    transfer = appoint(world, start(world))
    tt.tech_transfer_record_step(
        actor=world.cmo_qa, transfer=transfer, step="plan_reviewed", done_on=STEP_DATES["plan_reviewed"], note="ok"
    )
    cmo = as_(world.cmo_qa)
    assert 'data-testid="correct-plan_reviewed"' in cmo.get(detail()).content.decode()
    assert 'data-testid="correct-plan_reviewed"' not in as_(world.mah_qa).get(detail()).content.decode()
    target = url("tech_transfer_correct", "TT-1", "plan_reviewed")
    new_date = (STEP_DATES["plan_reviewed"] + dt.timedelta(days=1)).isoformat()
    response = cmo.post(target, {"done_on": new_date, "note": "ok", "evidence": "", "reason": ""})
    assert response.status_code == 422 and 'data-field="reason"' in response.content.decode()
    response = cmo.post(
        target, {"done_on": new_date, "note": "方案可行（更正）", "evidence": "TTP-02", "reason": "录入错误"}
    )
    assert response.status_code == 302
    assert TechTransfer.objects.get(pk=transfer.pk).plan_reviewed_on.isoformat() == new_date
    page = cmo.get(detail()).content.decode()
    assert "方案可行（更正）" in page and "录入错误" in page  # the reason is in the trail
