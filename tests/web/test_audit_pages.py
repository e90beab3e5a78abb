"""The audit pages: planning (remote only with electronic data exchange), the audit page with its
report due date and "report overdue" / "reported late", findings and the CMO's CAPA, closing refused
while a CAPA is not effective, a bad report file refused with nothing written, and the other MAH on
the shared line getting a 404 for everything."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.exchange.dataset import SYSTEM
from tests.web.helpers import block, html, ids_of, refs
from weituo.accounts.selectors import actor_for_user
from weituo.contracts.models import CommissionContract, QualityAgreement
from weituo.contracts.services import quality_agreement_update
from weituo.integrity.models import LedgerEntry
from weituo.quality import services
from weituo.quality.models import Audit, Capa

pytestmark = pytest.mark.django_db

ENDED = dt.date(2026, 10, 1)  # with the National Day holiday, the default report due date is 27 October


def actor(world, username):
    return actor_for_user(world[username])


def planned(world, mode="on_site") -> Audit:
    return services.audit_plan(
        actor=actor(world, "mah.qa"),
        contract=CommissionContract.objects.get(ref="CON-1"),
        mode=mode,
        scope="无菌灌装线",
        auditors="李晓梅",
        planned_on=dt.date(2026, 9, 20),
    )


def conducted(world) -> Audit:
    return services.audit_conduct(
        actor=actor(world, "mah.qa"), audit=planned(world), conducted_from=ENDED, conducted_to=ENDED
    )


def plan_form(**overrides) -> dict:
    return {
        "contract": "CON-1",
        "mode": "on_site",
        "scope": "质量体系与无菌保障",
        "auditors": "李晓梅、陈华",
        "planned_on": "2026-12-01",
        **overrides,
    }


def test_the_mah_plans_an_on_site_audit_and_the_list_shows_it(login):
    client = login("mah.qa")
    page = client.get("/audits/new/")
    assert page.status_code == 200
    assert {"audit-plan-form", "audit-contract", "audit-mode", "audit-plan", "remote-rule"} <= ids_of(page)
    response = client.post("/audits/new/", plan_form())
    audit = Audit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/audits/{audit.ref}/"
    detail = client.get(response["Location"])
    assert 'data-status="planned"' in html(detail)
    assert {"audit-conduct-form", "audit-cancel-form"} <= ids_of(detail)
    assert refs(client.get("/audits/"), "audit-row") == {audit.ref}
    assert "对受托方的审核" in html(client.get("/audits/"))  # the Chinese UI, from the audits catalogue


def test_only_the_mah_is_offered_the_plan_form(login):
    page = login("cmo.qa").get("/audits/new/")
    assert "no-contracts" in ids_of(page) and "audit-plan-form" not in ids_of(page)
    response = login("cmo.qa").post("/audits/new/", plan_form())
    assert response.status_code == 422 and not Audit.objects.exists()


def test_a_remote_audit_is_refused_without_electronic_data_exchange_and_allowed_with_it(login, world):
    planned(world)  # the on-site audit the remote one replaces in part
    client = login("mah.qa")
    before = LedgerEntry.objects.count()
    response = client.post("/audits/new/", plan_form(mode="remote"))
    assert response.status_code == 403
    assert 'data-code="remote_audit_not_allowed"' in html(response)
    assert "第十四条" in html(response)
    assert (Audit.objects.filter(mode="remote").count(), LedgerEntry.objects.count()) == (0, before)

    quality_agreement_update(
        actor=SYSTEM,
        agreement=QualityAgreement.objects.get(ref="QA-1"),
        electronic_production_records=True,
        electronic_data_exchange=True,
    )
    response = client.post("/audits/new/", plan_form(mode="remote"))
    assert response.status_code == 302
    assert Audit.objects.filter(mode="remote").count() == 1


def test_conducting_through_the_page_sets_the_default_report_due_date_and_shows_it_overdue(login, world):
    audit = planned(world)
    client = login("mah.qa")
    response = client.post(
        f"/audits/{audit.ref}/do/conduct/",
        {"version": audit.version, "conducted_from": "2026-09-29", "conducted_to": "2026-10-01", "report_due_on": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/audits/{audit.ref}/")
    assert "2026-10-27" in block(page, "audit-report-due")[:300]
    assert {"audit-report-overdue", "audit-report-overdue-detail", "audit-report-form", "finding-add-form"} <= ids_of(
        page
    )
    listing = client.get("/audits/")
    assert 'data-overdue="true"' in html(listing) and "audit-report-overdue" in ids_of(listing)

    response = client.post(f"/audits/{audit.ref}/do/report/", {"version": audit.version + 1, "summary": "基本符合"})
    assert response.status_code == 302
    page = client.get(f"/audits/{audit.ref}/")
    assert {"audit-report-late", "audit-report-late-detail"} <= ids_of(page)  # accepted, and visibly late
    assert "audit-report-overdue" not in ids_of(page)


def test_a_bad_report_file_is_refused_with_nothing_written(login, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    audit = conducted(world)
    before = LedgerEntry.objects.count()
    upload = SimpleUploadedFile("报告.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = login("mah.qa").post(
        f"/audits/{audit.ref}/do/report/", {"version": audit.version, "summary": "符合", "file": upload}
    )
    assert response.status_code == 422
    assert 'data-testid="form-error" data-field="file"' in html(response)
    stored = Audit.objects.get(pk=audit.pk)
    assert (stored.status, stored.report_file.name, stored.version) == ("conducted", "", audit.version)
    assert LedgerEntry.objects.count() == before
    assert not list(tmp_path.rglob("*.*"))


def test_the_report_file_is_downloaded_only_by_those_who_see_the_audit(login, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    audit = conducted(world)
    content = b"%PDF-1.7 report"
    upload = SimpleUploadedFile("report.pdf", content, content_type="application/pdf")
    client = login("mah.qa")
    response = client.post(
        f"/audits/{audit.ref}/do/report/", {"version": audit.version, "summary": "符合", "file": upload}
    )
    assert response.status_code == 302
    page = client.get(f"/audits/{audit.ref}/")
    assert "audit-report-sha256" in ids_of(page)
    download = client.get(f"/audits/{audit.ref}/report-file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert login("mah2.qa").get(f"/audits/{audit.ref}/report-file/").status_code == 404


def test_closing_is_refused_while_a_capa_is_not_effective(login, world):
    mah = actor(world, "mah.qa")
    audit = conducted(world)
    finding = services.audit_finding_add(
        actor=mah,
        audit=audit,
        severity="major",
        description="压差记录缺少复核",
        response_due_on=dt.date(2026, 11, 30),
    )
    audit = services.audit_report(actor=mah, audit=Audit.objects.get(pk=audit.pk), summary="1 项主要缺陷")

    cmo = login("cmo.qa")
    page = cmo.get(f"/audits/{audit.ref}/")
    assert "capa-add-form" in ids_of(page) and "audit-close-form" not in ids_of(page)
    response = cmo.post(
        f"/audits/{audit.ref}/do/capa-add/",
        {"version": audit.version, "finding": finding.pk, "description": "增加 QA 复核", "due_on": "2026-11-20"},
    )
    assert response.status_code == 302
    capa = Capa.objects.get(finding=finding)
    cmo.post(f"/audits/{audit.ref}/do/capa-implement/", {"capa": capa.pk, "version": capa.version, "note": "已培训"})

    mah_client = login("mah.qa")
    page = mah_client.get(f"/audits/{audit.ref}/")
    assert {"capa-check-form", "close-problems", "audit-close-form"} <= ids_of(page)
    capa.refresh_from_db()
    mah_client.post(
        f"/audits/{audit.ref}/do/capa-check/",
        {"capa": capa.pk, "version": capa.version, "note": "抽查仍缺签名", "effective": "no"},
    )
    audit.refresh_from_db()
    response = mah_client.post(f"/audits/{audit.ref}/do/close/", {"version": audit.version, "conclusion": "完成"})
    assert response.status_code == 422
    assert 'data-field="findings"' in html(response)
    assert Audit.objects.get(pk=audit.pk).status == "reported"
    timeline = block(mah_client.get(f"/audits/{audit.ref}/"), "audit-timeline")
    assert "CAPA 1" in timeline and "抽查仍缺签名" in timeline


def test_a_stale_form_is_refused(login, world):
    audit = planned(world)
    client = login("mah.qa")
    response = client.post(f"/audits/{audit.ref}/do/cancel/", {"version": audit.version + 5, "reason": "调整"})
    assert response.status_code == 409 and "stale-record" in ids_of(response)
    assert Audit.objects.get(pk=audit.pk).status == "planned"


def test_the_other_mah_on_the_shared_line_gets_404_for_everything(login, world):
    audit = conducted(world)
    client = login("mah2.qa")
    assert client.get(f"/audits/{audit.ref}/").status_code == 404
    assert client.post(f"/audits/{audit.ref}/do/report/", {"version": audit.version, "summary": "x"}).status_code == (
        404
    )
    assert refs(client.get("/audits/"), "audit-row") == set()
    assert Audit.objects.get(pk=audit.pk).status == "conducted"
    for username in ("cmo.qa", "inspector.js"):
        assert login(username).get(f"/audits/{audit.ref}/").status_code == 200
    assert login("inspector.zj").get(f"/audits/{audit.ref}/").status_code == 404
    assert login("cmo2.qa").get(f"/audits/{audit.ref}/").status_code == 404


def test_my_deadlines_link_the_audit_report_for_the_mah_and_the_finding_for_the_cmo(login, world):
    audit = conducted(world)
    finding = services.audit_finding_add(
        actor=actor(world, "mah.qa"),
        audit=audit,
        severity="other",
        description="标识不清",
        response_due_on=dt.date(2026, 11, 30),
    )
    mah_page = html(login("mah.qa").get("/deadlines/"))
    assert f'data-ref="{audit.ref}" data-kind="audit_report" data-overdue="true"' in mah_page
    assert f'href="/audits/{audit.ref}/"' in mah_page
    cmo_page = html(login("cmo.qa").get("/deadlines/"))
    assert 'data-kind="finding_response"' in cmo_page and 'data-kind="audit_report"' not in cmo_page
    assert f'href="/audits/{audit.ref}/#finding-{finding.pk}"' in cmo_page
    assert audit.ref not in html(login("mah2.qa").get("/deadlines/"))


def test_a_default_due_date_counted_through_an_unknown_year_is_shown_provisional(login, world, monkeypatch):
    audit = planned(world)
    end_of_2026 = dt.datetime(2026, 12, 28, 17, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    monkeypatch.setattr("django.utils.timezone.now", lambda: end_of_2026.astimezone(dt.UTC))
    services.audit_conduct(
        actor=actor(world, "mah.qa"), audit=audit, conducted_from=end_of_2026.date(), conducted_to=end_of_2026.date()
    )
    monkeypatch.undo()
    page = login("mah.qa").get(f"/audits/{audit.ref}/")
    assert "audit-report-provisional" in ids_of(page)  # 2027's holidays are not published yet
    assert "2027-" in block(page, "audit-report-due")[:200]


def test_a_report_file_missing_or_altered_is_refused_on_a_bilingual_page(login, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    audit = conducted(world)
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.7 report", content_type="application/pdf")
    client = login("mah.qa")
    client.post(f"/audits/{audit.ref}/do/report/", {"version": audit.version, "summary": "符合", "file": upload})
    stored = Audit.objects.get(pk=audit.pk)
    with open(stored.report_file.path, "wb") as f:
        f.write(b"%PDF-1.7 report, rewritten")
    response = client.get(f"/audits/{audit.ref}/report-file/")
    assert response.status_code == 409
    assert 'data-code="file_altered"' in block(response, "refusal") and "篡改" in html(response)
    stored.report_file.storage.delete(stored.report_file.name)
    response = client.get(f"/audits/{audit.ref}/report-file/")
    assert response.status_code == 404 and "file-unavailable" in ids_of(response)
    refusal = block(response, "refusal")
    assert 'data-code="file_missing"' in refusal and "审核报告的文件在存储中缺失" in refusal
    assert "该记录及其 SHA-256 仍保留" in refusal
    assert Audit.objects.get(pk=audit.pk).report_sha256 == stored.report_sha256
