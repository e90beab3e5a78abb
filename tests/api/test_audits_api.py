"""Audits of the CMO through /api/v1/audits: remote only with electronic data exchange, the report's
due date and its overdue / late flags, closing refused while a CAPA is not effective, a bad report
file refused with nothing written, and the other MAH on the shared line getting 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.exchange.dataset import SYSTEM
from weituo.contracts.models import QualityAgreement
from weituo.contracts.services import quality_agreement_update
from weituo.integrity.models import LedgerEntry
from weituo.quality.models import Audit

pytestmark = pytest.mark.django_db


def send(client, world, user: str, path: str, data: dict | None = None, method: str = "post"):
    if method == "get":
        return client.get(f"/api/v1{path}", data or {}, **world.auth(user))
    return client.post(f"/api/v1{path}", data or {}, content_type="application/json", **world.auth(user))


def plan(client, world, mode: str = "on_site", user: str = "li.mah"):
    body = {"contract": "CON-1", "mode": mode, "scope": "无菌保障", "auditors": "李晓梅", "planned_on": "2026-09-20"}
    return send(client, world, user, "/audits", body)


def conducted(client, world) -> dict:
    audit = plan(client, world).json()
    body = {"conducted_from": "2026-09-29", "conducted_to": "2026-10-01", "expected_version": audit["version"]}
    response = send(client, world, "li.mah", f"/audits/{audit['ref']}/conduct", body)
    assert response.status_code == 200, response.content
    return response.json()


def report(client, world, audit: dict, file=None, user: str = "li.mah"):
    data = {"summary": "基本符合", "expected_version": audit["version"]}
    if file is not None:
        data["file"] = file
    return client.post(f"/api/v1/audits/{audit['ref']}/report", data, **world.auth(user))


def test_a_remote_audit_is_refused_without_electronic_data_exchange_and_allowed_with_it(client, world):
    assert plan(client, world).status_code == 201
    before = LedgerEntry.objects.count()
    response = plan(client, world, "remote")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "remote_audit_not_allowed" and body["field"] == "mode"
    assert "第十四条" in body["message_zh"]
    assert (Audit.objects.filter(mode="remote").count(), LedgerEntry.objects.count()) == (0, before)

    quality_agreement_update(
        actor=SYSTEM,
        agreement=QualityAgreement.objects.get(ref="QA-1"),
        electronic_production_records=True,
        electronic_data_exchange=True,
    )
    response = plan(client, world, "remote")
    assert response.status_code == 201 and response.json()["mode"] == "remote"


def test_the_report_due_date_is_overdue_then_late_and_closing_waits_for_an_effective_capa(client, world):
    audit = conducted(client, world)
    assert audit["report_due_on"] == "2026-10-27"  # 15 working days after 1 October (National Day)
    assert (audit["report"]["overdue"], audit["report"]["late"], audit["report"]["provisional"]) == (
        True,
        False,
        False,
    )
    ref = audit["ref"]
    body = {"severity": "major", "description": "压差记录缺复核", "response_due_on": "2026-11-30"}
    response = send(client, world, "li.mah", f"/audits/{ref}/findings", {**body, "expected_version": audit["version"]})
    assert response.status_code == 201
    audit = response.json()
    [finding] = audit["findings"]

    audit = report(client, world, audit).json()
    assert (audit["status"], audit["report"]["overdue"], audit["report"]["late"]) == ("reported", False, True)

    assert send(client, world, "li.mah", f"/audits/{ref}/findings/{finding['id']}/capas", {}).status_code == 422
    capa_body = {"description": "增加 QA 复核", "due_on": "2026-11-20"}
    assert send(client, world, "li.mah", f"/audits/{ref}/findings/{finding['id']}/capas", capa_body).status_code == 403
    response = send(client, world, "wang.cmo", f"/audits/{ref}/findings/{finding['id']}/capas", capa_body)
    assert response.status_code == 201
    [capa] = response.json()["findings"][0]["capas"]
    assert (capa["owner_party"], capa["status"]) == ("cmo", "planned")
    response = send(client, world, "wang.cmo", f"/audits/{ref}/capas/{capa['id']}/implement", {"note": "已培训"})
    assert response.status_code == 200
    check = {"note": "抽查仍缺签名", "effective": False}
    assert send(client, world, "wang.cmo", f"/audits/{ref}/capas/{capa['id']}/check", check).status_code == 403
    audit = send(client, world, "li.mah", f"/audits/{ref}/capas/{capa['id']}/check", check).json()
    assert audit["close_problems"]

    response = send(client, world, "li.mah", f"/audits/{ref}/close", {"conclusion": "完成"})
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "findings"
    assert Audit.objects.get(ref=ref).status == "reported"

    timeline = send(client, world, "wang.cmo", f"/audits/{ref}/timeline", method="get").json()
    assert [e["action"] for e in timeline][:2] == ["create", "transition"]


def test_a_bad_report_file_is_refused_with_nothing_written(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    audit = conducted(client, world)
    before = LedgerEntry.objects.count()
    upload = SimpleUploadedFile("report.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = report(client, world, audit, upload)
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "file"
    stored = Audit.objects.get(ref=audit["ref"])
    assert (stored.status, stored.report_file.name, stored.version) == ("conducted", "", audit["version"])
    assert LedgerEntry.objects.count() == before and not list(tmp_path.rglob("*.*"))

    good = SimpleUploadedFile("report.pdf", b"%PDF-1.7 ok", content_type="application/pdf")
    response = report(client, world, audit, good)
    assert response.status_code == 200
    assert response.json()["report"]["file_name"] == "report.pdf" and len(response.json()["report"]["sha256"]) == 64


def test_a_stale_version_is_409(client, world):
    audit = plan(client, world).json()
    body = {"reason": "调整", "expected_version": audit["version"] + 1}
    response = send(client, world, "li.mah", f"/audits/{audit['ref']}/cancel", body)
    assert response.status_code == 409 and response.json()["code"] == "stale_record"
    assert Audit.objects.get(ref=audit["ref"]).status == "planned"


def test_the_other_mah_on_the_shared_line_gets_404(client, world):
    audit = conducted(client, world)
    ref = audit["ref"]
    for user in ("zhou.mah2", "zhao.cmo2"):
        assert send(client, world, user, f"/audits/{ref}", method="get").status_code == 404
        assert send(client, world, user, f"/audits/{ref}/timeline", method="get").status_code == 404
        assert send(client, world, user, "/audits", method="get").json()["count"] == 0
        assert report(client, world, audit, user=user).status_code == 404
    assert plan(client, world, user="zhou.mah2").status_code == 404
    for user in ("wang.cmo", "wu.inspector", "sun.mahview"):
        assert send(client, world, user, f"/audits/{ref}", method="get").status_code == 200
    assert Audit.objects.get(ref=ref).status == "conducted"


def test_the_deadlines_list_the_report_for_the_mah_and_the_finding_for_the_cmo(client, world):
    audit = conducted(client, world)
    body = {"severity": "other", "description": "标识不清", "response_due_on": "2026-11-30"}
    assert send(client, world, "li.mah", f"/audits/{audit['ref']}/findings", body).status_code == 201

    def owed(user):
        items = send(client, world, user, "/deadlines", {"page_size": 200}, method="get").json()["items"]
        return {(d["kind"], d["record_type"]) for d in items if d["ref"] == audit["ref"]}

    assert owed("li.mah") == {("audit_report", "quality.audit")}
    assert owed("wang.cmo") == {("finding_response", "quality.auditfinding")}
    assert owed("zhou.mah2") == set()


def test_the_report_file_downloads_intact_and_a_missing_or_altered_one_is_refused(
    client, world, settings, tmp_path, caplog
):
    settings.MEDIA_ROOT = tmp_path
    audit = conducted(client, world)
    url = f"/api/v1/audits/{audit['ref']}/report/file"
    assert client.get(url, **world.auth("li.mah")).json()["code"] == "no_report_file"
    content = b"%PDF-1.7 the audit report"
    reported = report(client, world, audit, SimpleUploadedFile("report.pdf", content, "application/pdf")).json()
    for user in ("li.mah", "wang.cmo"):
        response = client.get(url, **world.auth(user))
        assert response.status_code == 200 and b"".join(response.streaming_content) == content
        assert response["ETag"] == f'"{reported["report"]["sha256"]}"'
    for user in ("zhou.mah2", "zhao.cmo2"):
        assert client.get(url, **world.auth(user)).status_code == 404
    stored = Audit.objects.get(ref=audit["ref"])
    with open(stored.report_file.path, "wb") as f:
        f.write(b"%PDF-1.7 a kinder report")
    response = client.get(url, **world.auth("li.mah"))
    assert response.status_code == 409 and response.json()["code"] == "file_altered"
    stored.report_file.storage.delete(stored.report_file.name)
    response = client.get(url, **world.auth("li.mah"))
    assert response.status_code == 404 and response.json()["code"] == "file_missing"
    assert "the record and its SHA-256 remain" in response.json()["message_en"]
    assert [r.levelname for r in caplog.records if r.name == "weituo.integrity"] == ["ERROR", "ERROR"]
    assert Audit.objects.get(ref=audit["ref"]).report_sha256 == reported["report"]["sha256"]
