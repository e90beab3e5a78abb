"""The shared-line pages (art. 8): the CMO's assessment pages and each MAH's redacted notice page.

The web world: ORG-MAH (P-1) and ORG-MAH2 (P-2) share LINE-1 of ORG-CMO; ORG-CMO2 has its own line.
What users rely on: the CMO notifies from its page and sees every MAH's feedback; MAH2's notice page
and timeline show nothing of ORG-MAH (name, product, findings, batches, feedback, its decision on a
CAPA); another CMO gets a 404; each MAH acts on its own notice only.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.helpers import html, refs
from tests.web.world import user
from weituo.accounts.selectors import actor_for_user
from weituo.batches import services as batch_services
from weituo.contracts.models import CommissionContract
from weituo.quality import services
from weituo.quality.choices import AssessmentStatus, CapaStatus, NoticeStatus
from weituo.quality.models import Capa, SharedLineAssessment, SharedLineNotice
from weituo.registry.models import Line, Product

MAH1_NAME = "南京康宁药业有限公司"
P1_NAME = "盐酸利多卡因注射液"
P1_FINDINGS = "利多卡因残留限度 10 ppm"
MAH1_FEEDBACK = "康宁要求提高擦拭取样频次"
MAH1_REJECTION = "康宁不同意：擦拭点不足"
BATCH = "KN240777"


def actor(username: str):
    return actor_for_user(user(username))


@pytest.fixture
def assessment(world) -> SharedLineAssessment:
    """Notified to ORG-MAH and ORG-MAH2, with MAH1's findings, feedback, a batch and a rejected CAPA."""
    cmo = actor("cmo.qa")
    a = services.assessment_start(
        actor=cmo, line=Line.objects.get(ref="LINE-1"), trigger="equipment_change", description="更换灌装机"
    )
    services.assessment_product_risk_set(
        actor=cmo, assessment=a, product=Product.objects.get(ref="P-1"), findings=P1_FINDINGS
    )
    a = services.assessment_notify(
        actor=cmo, assessment=a, conclusion="风险可控", controls="专用灌装针头", expected_version=1
    )
    batch_services.batch_create(
        actor=cmo,
        contract=CommissionContract.objects.get(ref="CON-1"),
        product=Product.objects.get(ref="P-1"),
        line=Line.objects.get(ref="LINE-1"),
        number=BATCH,
        manufactured_on=dt.date(2026, 11, 2),
        expiry_on=dt.date(2028, 10, 31),
        quantity=1000,
        quantity_unit="支",
        theoretical_quantity=1000,
    )
    n1 = SharedLineNotice.objects.get(assessment=a, mah__ref="ORG-MAH")
    services.notice_feedback(actor=actor("mah.qa"), notice=n1, feedback=MAH1_FEEDBACK)
    capa = services.assessment_capa_add(actor=cmo, assessment=a, description="增加擦拭点", due_on=dt.date(2026, 12, 31))
    services.assessment_capa_decide(actor=actor("mah.qa"), capa=capa, approve=False, note=MAH1_REJECTION)
    return SharedLineAssessment.objects.get(pk=a.pk)


def test_the_cmo_page_shows_every_notice_feedback_and_approval(login, assessment):
    client = login("cmo.qa")
    assert refs(client.get("/shared-line/"), "assessment-row") == {assessment.ref}
    page = client.get(f"/shared-line/{assessment.ref}/")
    assert page.status_code == 200
    text = html(page)
    assert 'data-mah="ORG-MAH"' in text and 'data-mah="ORG-MAH2"' in text
    assert MAH1_FEEDBACK in text and MAH1_REJECTION in text and P1_FINDINGS in text
    assert 'data-testid="capa-undecided" data-mah="ORG-MAH2"' in text
    assert 'data-testid="trail-panel"' in text


def test_mah2_notice_page_and_list_show_nothing_of_mah1(login, assessment):
    client = login("mah2.qa")
    listing = client.get("/shared-line/notices/")
    assert refs(listing, "notice-row") == {assessment.ref}
    page = client.get(f"/shared-line/notices/{assessment.ref}/")
    assert page.status_code == 200
    text = html(page)
    for testid in ("notice-conclusion", "notice-controls", "notice-own-products", "notice-other-count"):
        assert f'data-testid="{testid}"' in text
    assert "专用灌装针头" in text and "风险可控" in text
    assert 'data-testid="notice-other-count" data-count="1"' in text
    assert 'data-testid="notice-own-product" data-ref="P-2"' in text
    for secret in (MAH1_NAME, P1_NAME, "P-1", P1_FINDINGS, MAH1_FEEDBACK, MAH1_REJECTION, BATCH, "康宁", "李晓梅"):
        assert secret not in text, secret
        assert secret not in html(listing), secret
    assert "该生产线上另有其他持有人的 1 个品种" in text  # Chinese first
    client.cookies["django_language"] = "en"
    english = html(client.get(f"/shared-line/notices/{assessment.ref}/"))
    assert "1 other product of other MAHs is made on this line." in english and MAH1_NAME not in english
    # it may still approve the CAPA MAH1 rejected: its own decision, not knowing MAH1's
    assert 'data-testid="capa-approve"' in text


def test_an_mah_opening_the_assessment_address_lands_on_its_own_notice(login, assessment):
    client = login("mah2.qa")
    response = client.get(f"/shared-line/{assessment.ref}/")
    assert response.status_code == 302 and response.url == f"/shared-line/notices/{assessment.ref}/"
    assert client.get("/shared-line/").status_code == 302  # an MAH reads its notices, not the CMO's list
    assert client.post(f"/shared-line/{assessment.ref}/do/notify/", {"version": 3}).status_code == 404


def test_another_cmo_gets_404_everywhere(login, assessment):
    client = login("cmo2.qa")
    assert refs(client.get("/shared-line/"), "assessment-row") == set()
    for url in (
        f"/shared-line/{assessment.ref}/",
        f"/shared-line/notices/{assessment.ref}/",
        f"/shared-line/{assessment.ref}/do/close/",
        f"/shared-line/notices/{assessment.ref}/do/feedback/",
    ):
        assert client.get(url).status_code == 404, url
    assert "更换灌装机" not in html(client.get("/shared-line/notices/"))


def test_mah2_gives_feedback_agrees_and_approves_on_its_notice(login, assessment):
    client = login("mah2.qa")
    n2 = SharedLineNotice.objects.get(assessment=assessment, mah__ref="ORG-MAH2")
    url = f"/shared-line/notices/{assessment.ref}/do/"
    refused = client.post(url + "feedback/", {"feedback": "  ", "version": n2.version})
    assert refused.status_code == 422 and 'data-field="feedback"' in html(refused)
    stale = client.post(url + "feedback/", {"feedback": "同泰无异议", "version": n2.version + 5})
    assert stale.status_code == 409 and 'data-testid="stale-record"' in html(stale)
    assert SharedLineNotice.objects.get(pk=n2.pk).feedback == ""

    assert client.post(url + "feedback/", {"feedback": "同泰无异议", "version": n2.version}).status_code == 302
    n2.refresh_from_db()
    assert n2.status == NoticeStatus.FEEDBACK and n2.feedback == "同泰无异议"
    page = html(client.get(f"/shared-line/notices/{assessment.ref}/"))
    assert "同泰无异议" in page and MAH1_FEEDBACK not in page

    capa = Capa.objects.get(assessment=assessment)
    assert client.post(url + "capa-decide/", {"capa": capa.pk, "decision": "reject"}).status_code == 422
    assert client.post(url + "capa-decide/", {"capa": capa.pk, "decision": "approve"}).status_code == 302
    assert capa.approvals.get(mah__ref="ORG-MAH2").decision == "approved"

    # agreement needs the CMO's answer to the feedback first
    assert client.post(url + "agree/", {"version": n2.version}).status_code == 409
    cmo = login("cmo.qa")
    response = cmo.post(
        f"/shared-line/{assessment.ref}/do/respond/", {"notice": n2.pk, "version": n2.version, "response": "已研判"}
    )
    assert response.status_code == 302
    n2.refresh_from_db()
    client = login("mah2.qa")
    assert client.post(url + "agree/", {"version": n2.version}).status_code == 302
    assert SharedLineNotice.objects.get(pk=n2.pk).status == NoticeStatus.AGREED


def test_the_cmo_notifies_from_its_page_and_cannot_implement_a_rejected_capa(login, world):
    client = login("cmo.qa")
    new = client.post(
        "/shared-line/new/", {"line": "LINE-1", "trigger": "new_commercial_product", "description": "新增品种"}
    )
    assert new.status_code == 302
    a = SharedLineAssessment.objects.get()
    refused = client.post(f"/shared-line/{a.ref}/do/notify/", {"version": a.version, "conclusion": "结论"})
    assert refused.status_code == 422 and 'data-field="controls"' in html(refused)
    assert not SharedLineNotice.objects.exists()
    ok = client.post(
        f"/shared-line/{a.ref}/do/notify/", {"version": a.version, "conclusion": "结论", "controls": "措施"}
    )
    assert ok.status_code == 302
    a.refresh_from_db()
    assert a.status == AssessmentStatus.NOTIFIED and a.notices.count() == 2
    assert (
        client.post(f"/shared-line/{a.ref}/do/capa-add/", {"description": "措施", "due_on": "2026-12-31"}).status_code
        == 302
    )
    capa = Capa.objects.get(assessment=a)
    blocked = client.post(f"/shared-line/{a.ref}/do/capa-implement/", {"capa": capa.pk, "version": 1, "note": "完成"})
    assert blocked.status_code == 409 and 'data-code="capa_not_approved"' in html(blocked)
    assert Capa.objects.get(pk=capa.pk).status == CapaStatus.PLANNED
    # an MAH cannot start one from the page: it has no line of its own
    assert (
        login("mah.qa")
        .post("/shared-line/new/", {"line": "LINE-1", "trigger": "equipment_change", "description": "x"})
        .status_code
        == 422
    )


def test_the_notice_and_the_capa_are_in_mah2s_deadlines_without_mah1(login, assessment):
    page = login("mah2.qa").get("/deadlines/")
    assert page.status_code == 200
    text = html(page)
    assert assessment.ref in text and "增加擦拭点" in text  # feedback owed, and the CAPA to decide
    for secret in (MAH1_NAME, P1_NAME, MAH1_FEEDBACK, MAH1_REJECTION):
        assert secret not in text, secret
