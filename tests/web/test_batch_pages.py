"""The batch pages as the parties use them: the list and a new batch, the release package (uploads
good and bad), the signing pages of the two-step release and every way a release is refused, the
timeline, and tenant isolation (another MAH on the shared line sees nothing of the batch)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.quality.world import PASSWORD, World, build_world, fill_package, make_batch, pdf
from tests.web.helpers import block, html, ids_of, refs
from weituo.batches import services as batch_services
from weituo.batches.models import Batch, ReleaseDocument
from weituo.batches.signing import open_session
from weituo.contracts.models import CommissionContract
from weituo.integrity.models import LedgerEntry, Signature
from weituo.quality import services as quality
from weituo.registry.models import Line, Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


@pytest.fixture
def as_user(world):
    """``as_user(world.cmo_qp)``: a fresh test client logged in as that actor's user."""

    def _as(actor) -> Client:
        client = Client()
        client.force_login(get_user_model().objects.get(pk=actor.user_id))
        return client

    return _as


@pytest.fixture
def ready(world) -> Batch:
    batch = make_batch(world)
    fill_package(world, batch)
    return Batch.objects.get(pk=batch.pk)


def detail_url(batch: Batch) -> str:
    return reverse("web:batch_detail", args=[batch.ref])


def release_url(batch: Batch, step: str) -> str:
    return reverse("web:batch_release", args=[batch.ref, step])


def refusals(batch: Batch) -> list[dict]:
    return [json.loads(e.new) for e in LedgerEntry.objects.filter(action="release_refused", object_id=str(batch.pk))]


def hidden(response, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html(response))
    assert match, f"no hidden field {name}"
    return match.group(1)


def sign(client: Client, batch: Batch, step: str, password: str = PASSWORD, **overrides):
    """Open the signing page (as a QP does), then sign on it."""
    page = client.get(release_url(batch, step))
    assert page.status_code == 200
    data = {
        "password": password,
        "reason": "",
        "signing_token": hidden(page, "signing_token"),
        "version": hidden(page, "version"),
        **overrides,
    }
    return client.post(release_url(batch, step), data)


# --- list and new batch ---------------------------------------------------------------------------


def test_the_list_shows_the_parties_their_batches_filtered_without_a_query_per_row(
    world, as_user, django_assert_max_num_queries
):
    for i in range(30):
        make_batch(world, f"2411{i:02d}")
    released = make_batch(world, "240999")
    fill_package(world, released)
    batch_services.batch_factory_release(
        actor=world.cmo_qp,
        batch=released,
        signing_token=open_session(world.cmo_qp, released, "factory").token,
        password=PASSWORD,
    )
    for actor in (world.mah_qa, world.cmo_qa):
        client = as_user(actor)
        response = client.get(reverse("web:batch_list"))
        assert response.status_code == 200
        assert len(refs(response, "batch-row")) == 25 and "pagination" in ids_of(response)
        assert "nav-batches" in ids_of(response)
    client = as_user(world.mah_qa)
    response = client.get(reverse("web:batch_list"), {"status": "factory_released"})
    assert refs(response, "batch-row") == {released.ref}
    response = client.get(reverse("web:batch_list"), {"product": "P-1", "contract": "CON-1", "page": "2"})
    assert len(refs(response, "batch-row")) == 6
    client.get(reverse("web:batch_list"))  # warm the session and the actor
    with django_assert_max_num_queries(12):  # the same few queries for 25 rows as for one
        client.get(reverse("web:batch_list"))


def test_the_cmo_records_a_batch_through_the_form(world, as_user):
    client = as_user(world.cmo_production)
    form = client.get(reverse("web:batch_new"))
    assert form.status_code == 200 and "batch-form" in ids_of(form)
    contract = CommissionContract.objects.get(ref="CON-1")
    data = {
        "contract": contract.pk,
        "product": Product.objects.get(ref="P-1").pk,
        "line": Line.objects.get(ref="LINE-1").pk,
        "number": "241201",
        "manufactured_on": "2026-11-20",
        "expiry_on": "2028-11-19",
        "quantity": "99000",
        "quantity_unit": "支",
        "theoretical_quantity": "100000",
    }
    response = client.post(reverse("web:batch_new"), data)
    batch = Batch.objects.get(number="241201")
    assert response.status_code == 302 and response["Location"] == detail_url(batch)
    assert batch.status == "in_production" and batch.contract == contract
    # the same number again, and an expiry before manufacture: bilingual errors, nothing written
    before = (Batch.objects.count(), LedgerEntry.objects.count())
    response = client.post(reverse("web:batch_new"), {**data, "expiry_on": "2026-01-01", "number": "241202"})
    assert response.status_code == 422
    errors = block(response, "form-errors")
    assert "有效期应晚于生产日期" in errors and 'data-field="expiry_on"' in errors
    response = client.post(reverse("web:batch_new"), {**data, "quantity": ""})
    assert response.status_code == 422
    errors = block(response, "form-errors")
    assert 'data-field="quantity"' in errors and "required" in errors
    response = client.post(reverse("web:batch_new"), data)
    assert response.status_code == 422 and "该产品已有此批号" in html(response)
    assert (Batch.objects.count(), LedgerEntry.objects.count()) == before


def test_only_a_cmo_writer_may_record_a_batch(world, as_user):
    assert as_user(world.mah_qa).get(reverse("web:batch_new")).status_code == 403
    assert as_user(world.cmo_viewer).get(reverse("web:batch_new")).status_code == 403
    assert "batch-new" not in ids_of(as_user(world.mah_qa).get(reverse("web:batch_list")))


# --- the batch page and its package ---------------------------------------------------------------


def test_the_batch_page_shows_its_data_package_blockers_and_timeline_to_both_parties(world, as_user):
    batch = make_batch(world)
    for actor in (world.mah_qa, world.cmo_qa, world.cmo_qp, world.mah_qp):
        response = as_user(actor).get(detail_url(batch))
        assert response.status_code == 200
        ids = ids_of(response)
        assert {"batch-status", "release-package", "release-blockers", "batch-timeline", "batch-events"} <= ids
        assert "缺少批生产记录" in block(response, "release-blockers")
        assert response.content.decode().count('data-testid="blocker-item"') == 3
    # only the CMO's writers get the package forms; only the CMO's QP the factory release
    assert "document-upload" in ids_of(as_user(world.cmo_qa).get(detail_url(batch)))
    assert "document-upload" not in ids_of(as_user(world.mah_qa).get(detail_url(batch)))
    assert "factory-release-link" in ids_of(as_user(world.cmo_qp).get(detail_url(batch)))
    assert "factory-release-link" not in ids_of(as_user(world.cmo_qa).get(detail_url(batch)))


def test_a_good_file_is_uploaded_and_downloaded_only_by_the_parties(world, as_user, tmp_path):
    batch = make_batch(world)
    client = as_user(world.cmo_qa)
    response = client.post(
        reverse("web:batch_document_add", args=[batch.ref]),
        {"kind": "batch_record", "title": "批生产记录 241101", "file": pdf("bpr.pdf")},
    )
    assert response.status_code == 302
    document = ReleaseDocument.objects.get(batch=batch)
    page = client.get(detail_url(batch))
    assert document.sha256 in block(page, "release-package") and "赵敏" in block(page, "release-package")
    url = reverse("web:batch_document", args=[batch.ref, document.pk])
    assert url in html(page) and "/media/" not in html(page)
    for actor in (world.cmo_qa, world.mah_qa):
        download = as_user(actor).get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == b"%PDF-1.7 weituo test record"
    assert as_user(world.mah2_qa).get(url).status_code == 404
    assert as_user(world.mah2_qp).get(url).status_code == 404


def test_a_bad_file_shows_the_bilingual_error_and_writes_nothing(world, as_user, tmp_path, monkeypatch):
    batch = make_batch(world)
    client = as_user(world.cmo_qa)
    url = reverse("web:batch_document_add", args=[batch.ref])
    before = LedgerEntry.objects.count()
    response = client.post(
        url, {"kind": "batch_record", "title": "BPR", "file": SimpleUploadedFile("bpr.exe", b"MZ\x90\x00")}
    )
    assert response.status_code == 422
    error = block(response, "document-error")
    assert ".exe" in error and "不支持的文件类型" in error and 'data-field="file"' in error
    monkeypatch.setattr(batch_services, "DOCUMENT_MAX_BYTES", 10)
    response = client.post(url, {"kind": "batch_record", "title": "BPR", "file": pdf("big.pdf")})
    assert response.status_code == 422
    error = block(response, "document-error")
    assert "文件过大" in error and 'data-field="file"' in error
    monkeypatch.undo()
    response = client.post(url, {"kind": "deviation_record", "title": "偏差", "file": pdf("d.pdf")})
    assert response.status_code == 422 and "偏差调查记录应指明所记录的偏差" in block(response, "document-error")
    assert not ReleaseDocument.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    assert LedgerEntry.objects.count() == before
    assert Batch.objects.get(pk=batch.pk).version == 1


def test_results_are_added_through_the_form_and_a_failed_one_blocks(world, as_user):
    batch = make_batch(world)
    client = as_user(world.cmo_qa)
    response = client.post(
        reverse("web:batch_result_add", args=[batch.ref]),
        {"test_name": "可见异物", "specification": "应符合规定", "result": "不符合", "passed": "no"},
    )
    assert response.status_code == 302
    page = client.get(detail_url(batch))
    assert 'data-passed="false"' in block(page, "result-table")
    assert "可见异物" in block(page, "release-blockers")
    response = client.post(reverse("web:batch_result_add", args=[batch.ref]), {"test_name": "pH"})
    assert response.status_code == 422 and 'data-field="specification"' in block(response, "result-error")


# --- the release ------------------------------------------------------------------------------------


def test_an_open_deviation_refuses_the_factory_release_then_it_is_allowed(world, as_user, ready):
    deviation = quality.deviation_raise(
        actor=world.cmo_qa, contract=world.contract, classification="minor", title="贴签偏移", batch=ready
    )
    qp = as_user(world.cmo_qp)
    detail = qp.get(detail_url(ready))
    assert deviation.event.ref in block(detail, "release-blockers")
    assert deviation.event.ref in refs(detail, "batch-event-row")
    page = qp.get(release_url(ready, "factory"))
    assert {"factory-release-form", "release-password", "release-submit", "package-digest"} <= ids_of(page)
    response = sign(qp, ready, "factory")
    assert response.status_code == 409  # a state conflict: the same status as the API's
    error = block(response, "release-error")
    assert 'data-code="release_blocked"' in error and deviation.event.ref in error and "尚未关闭" in error
    assert [r["code"] for r in refusals(ready)] == ["release_blocked"]
    assert Batch.objects.get(pk=ready.pk).status == "in_production"

    quality.event_acknowledge(actor=world.mah_qa, event=deviation.event)
    quality.deviation_investigate(actor=world.cmo_qa, deviation=deviation, root_cause="贴标机导轨松动")
    quality.event_close(actor=world.cmo_qa, event=deviation.event, conclusion="已处理，不影响质量")
    batch_services.release_document_add(
        actor=world.cmo_qa, batch=ready, kind="deviation_record", title="偏差调查记录",
        file=pdf("dev.pdf"), event=deviation.event,
    )  # fmt: skip
    ready.refresh_from_db()
    response = sign(qp, ready, "factory", reason="资料齐全")
    assert response.status_code == 302 and response["Location"].endswith("#decisions")
    assert Batch.objects.get(pk=ready.pk).status == "factory_released"
    page = as_user(world.mah_qa).get(detail_url(ready))
    decisions = block(page, "release-decisions")
    assert 'data-testid="decision-row" data-step="factory" data-valid="true"' in decisions
    assert "王建国" in decisions and "放行" in decisions
    timeline = block(page, "batch-timeline")
    assert 'data-action="release_refused"' in timeline and 'data-action="sign"' in timeline
    assert timeline.index('data-action="release_refused"') < timeline.index('data-action="sign"')  # oldest first
    assert "资料齐全" in timeline


def test_the_mah_qp_gives_the_market_release_and_a_second_signing_is_refused(world, as_user, ready):
    qp = as_user(world.cmo_qp)
    assert sign(qp, ready, "factory").status_code == 302
    mah_qp = as_user(world.mah_qp)
    detail = mah_qp.get(detail_url(ready))
    assert "market-release-link" in ids_of(detail)
    assert "market-release-form" in ids_of(mah_qp.get(release_url(ready, "market")))
    assert sign(mah_qp, Batch.objects.get(pk=ready.pk), "market").status_code == 302
    assert Batch.objects.get(pk=ready.pk).status == "market_released"
    page = mah_qp.get(detail_url(ready))
    assert page.content.decode().count('data-testid="decision-row"') == 2 and "刘洋" in block(page, "release-decisions")
    # a second factory release on the page the QP still has open
    response = sign(qp, Batch.objects.get(pk=ready.pk), "factory")
    assert response.status_code == 409
    error = block(response, "release-error")
    assert 'data-code="already_released"' in error and "不能再次签署" in error
    assert "王建国" in error
    assert refusals(ready)[-1]["code"] == "already_released"


def test_a_wrong_password_is_refused_on_the_page(world, as_user, ready):
    response = sign(as_user(world.cmo_qp), ready, "factory", password="guess-2026")
    assert response.status_code == 403
    error = block(response, "release-error")
    assert 'data-code="signature_refused"' in error and "密码错误" in error and 'data-field="password"' in error
    assert 'value="guess-2026"' not in html(response)  # the password is never sent back
    assert not Signature.objects.exists() and refusals(ready)[0]["code"] == "signature_refused"


def test_an_expired_signing_page_is_refused_and_a_fresh_one_releases(world, as_user, ready, settings, monkeypatch):
    client = as_user(world.cmo_qp)
    page = client.get(release_url(ready, "factory"))
    assert "5 分钟" in block(page, "signing-window")
    token, version = hidden(page, "signing_token"), hidden(page, "version")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.WEITUO_SIGNING_WINDOW_SECONDS + 5)
    monkeypatch.setattr(batch_services.timezone, "now", lambda: later)
    response = client.post(
        release_url(ready, "factory"), {"password": PASSWORD, "signing_token": token, "version": version}
    )
    monkeypatch.undo()
    assert response.status_code == 403
    error = block(response, "release-error")
    assert 'data-code="signing_expired"' in error and "5 分钟" in error and "重新输入密码" in error
    assert Batch.objects.get(pk=ready.pk).status == "in_production" and not Signature.objects.exists()
    assert refusals(ready)[0]["code"] == "signing_expired"
    # the refusal page is a fresh signing page: signing on it works
    response = client.post(
        release_url(ready, "factory"),
        {"password": PASSWORD, "signing_token": hidden(response, "signing_token"), "version": version},
    )
    assert response.status_code == 302 and Batch.objects.get(pk=ready.pk).status == "factory_released"


def test_a_forged_or_foreign_page_stamp_counts_as_expired(world, as_user, ready):
    client = as_user(world.cmo_qp)
    other = make_batch(world, "240202")
    foreign = open_session(world.cmo_qp, other, "factory").token
    for token in ("", "forged:stamp:sig", foreign):
        response = client.post(
            release_url(ready, "factory"), {"password": PASSWORD, "signing_token": token, "version": ready.version}
        )
        assert 'data-code="signing_expired"' in block(response, "release-error")
    assert Batch.objects.get(pk=ready.pk).status == "in_production"


def test_a_stale_page_is_refused(world, as_user, ready):
    client = as_user(world.cmo_qp)
    page = client.get(release_url(ready, "factory"))
    batch_services.batch_result_add(
        actor=world.cmo_qa, batch=ready, test_name="装量", specification="≥5.0ml", result="5.1ml", passed=True
    )
    response = client.post(
        release_url(ready, "factory"),
        {"password": PASSWORD, "signing_token": hidden(page, "signing_token"), "version": hidden(page, "version")},
    )
    assert response.status_code == 409 and refusals(ready)[0]["code"] == "stale_record"
    assert "装量" in block(response, "result-table")  # the page now shows the package as it is


def test_a_non_qp_is_refused_with_the_reason(world, as_user, ready):
    assert "release-not-yours" in ids_of(as_user(world.cmo_qa).get(release_url(ready, "factory")))
    assert "release-not-yours" not in ids_of(as_user(world.cmo_qp).get(release_url(ready, "factory")))
    for actor in (world.cmo_qa, world.mah_qp):
        response = sign(as_user(actor), ready, "factory")
        assert response.status_code == 403
        assert 'data-code="not_qp"' in block(response, "release-error")
    response = sign(as_user(world.cmo_qp), ready, "market")
    assert response.status_code == 403 and "not_qp" in block(response, "release-error")
    assert [r["code"] for r in refusals(ready)] == ["not_qp", "not_qp", "not_qp"]
    assert Batch.objects.get(pk=ready.pk).status == "in_production"


def test_the_qp_whose_step_is_next_rejects_the_batch(world, as_user, ready):
    url = reverse("web:batch_reject", args=[ready.ref])
    response = as_user(world.mah_qp).post(url, {"reason": "x", "version": ready.version})
    assert response.status_code == 403 and "reject-error" in ids_of(response)
    client = as_user(world.cmo_qp)
    assert "reject-form" in ids_of(client.get(detail_url(ready)))
    response = client.post(url, {"reason": "", "version": ready.version})
    assert response.status_code == 422 and "应说明不予放行的理由" in block(response, "reject-error")
    response = client.post(url, {"reason": "无菌检查不符合规定", "version": ready.version})
    assert response.status_code == 302
    page = client.get(detail_url(ready))
    assert 'data-status="rejected"' in block(page, "batch-status") and "无菌检查不符合规定" in html(page)


# --- tenant isolation -------------------------------------------------------------------------------


def test_another_mah_on_the_shared_line_never_sees_the_batch(world, as_user, ready):
    document = ReleaseDocument.objects.filter(batch=ready).first()
    for actor in (world.mah2_qa, world.mah2_qp):
        client = as_user(actor)
        listing = client.get(reverse("web:batch_list"))
        assert listing.status_code == 200 and ready.ref not in html(listing) and ready.number not in html(listing)
        for url in (
            detail_url(ready),
            release_url(ready, "factory"),
            release_url(ready, "market"),
            reverse("web:batch_document", args=[ready.ref, document.pk]),
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(release_url(ready, "market"), {"password": PASSWORD}).status_code == 404
        response = client.post(
            reverse("web:batch_document_add", args=[ready.ref]),
            {"kind": "test_record", "title": "x", "file": pdf("x.pdf")},
        )
        assert response.status_code == 404
        assert client.get(reverse("web:batch_list"), {"product": "P-1"}).status_code == 200
    # a document id of this batch under another batch's address is not found either
    other = make_batch(world, "240303")
    url = reverse("web:batch_document", args=[other.ref, document.pk])
    assert as_user(world.mah_qa).get(url).status_code == 404


def test_the_pages_speak_chinese_first_and_english_on_request(world, as_user, ready):
    client = as_user(world.cmo_qp)
    page = client.get(detail_url(ready))
    assert "阻止出厂放行的事项" in html(page) and "时间线" in html(page) and "Timeline" not in html(page)
    signing = client.get(release_url(ready, "factory"))
    assert "签署：放行" in html(signing) and "出厂放行" in block(signing, "page-title")
    page = client.get(detail_url(ready), HTTP_ACCEPT_LANGUAGE="en")
    assert "Blockers of the factory release" in html(page) and "Timeline" in html(page)


# --- axes lockout at signing, stored files, the step's own name ------------------------------------


def test_repeated_wrong_passwords_lock_the_signer_out_on_weituos_own_page(world, as_user, ready):
    client = as_user(world.cmo_qp)
    codes = []
    for n in range(5):
        response = sign(client, ready, "factory", password=f"guess-{n}")
        codes.append(re.search(r'data-testid="release-error" data-code="([^"]+)"', html(response)).group(1))
    assert codes == ["signature_refused"] * 4 + ["signature_locked_out"]  # the 5th failure locks
    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")
    error = block(response, "release-error")
    assert "连续错误 5 次" in error and "30 分钟" in error and "平台管理员" in error
    assert "密码连续错误 5 次，账号已锁定，签名被拒绝；请 30 分钟后再试，或联系平台管理员" in error
    assert 'data-testid="page-title"' in html(response)  # weituo's page, not axes' plain 429
    locked = sign(client, ready, "factory")  # the right password, too late
    assert locked.status_code == 403 and 'data-code="signature_locked_out"' in block(locked, "release-error")
    assert [r["code"] for r in refusals(ready)] == ["signature_refused"] * 6  # every attempt ledgered
    assert not Signature.objects.exists() and Batch.objects.get(pk=ready.pk).status == "in_production"


def _stored_document(world, as_user) -> tuple[ReleaseDocument, str]:
    batch = make_batch(world)
    as_user(world.cmo_qa).post(
        reverse("web:batch_document_add", args=[batch.ref]),
        {"kind": "batch_record", "title": "批生产记录", "file": pdf("bpr.pdf")},
    )
    document = ReleaseDocument.objects.get(batch=batch)
    return document, reverse("web:batch_document", args=[batch.ref, document.pk])


def test_a_document_missing_from_storage_is_a_bilingual_404_and_logged(world, as_user, caplog):
    document, url = _stored_document(world, as_user)
    document.file.storage.delete(document.file.name)
    response = as_user(world.mah_qa).get(url)
    assert response.status_code == 404
    refusal = block(response, "refusal")
    assert 'data-code="file_missing"' in refusal and "缺失" in refusal
    assert "在存储中缺失；该记录及其 SHA-256 仍保留" in refusal
    assert any(r.levelname == "ERROR" and document.sha256 in r.getMessage() for r in caplog.records)
    assert ReleaseDocument.objects.get(pk=document.pk).sha256 == document.sha256
    assert as_user(world.mah2_qa).get(url).status_code == 404  # the other MAH: the usual 404, no detail
    assert "file-unavailable" not in ids_of(as_user(world.mah2_qa).get(url))


def test_an_altered_document_is_refused_409_and_logged(world, as_user, caplog):
    document, url = _stored_document(world, as_user)
    with open(document.file.path, "wb") as f:
        f.write(b"%PDF-1.7 weituo test record, edited afterwards")
    response = as_user(world.cmo_qa).get(url)
    assert response.status_code == 409 and not hasattr(response, "streaming_content")
    refusal = block(response, "refusal")
    assert 'data-code="file_altered"' in refusal and "篡改" in refusal
    assert any(r.levelname == "ERROR" and "tampering" in r.getMessage() for r in caplog.records)


def test_a_drugs_pages_say_factory_release_and_a_devices_production_release(world, as_user, ready):
    client = as_user(world.cmo_qp)
    signing = client.get(release_url(ready, "factory"))
    assert "出厂放行" in block(signing, "page-title") and "器械" not in html(signing)
    assert sign(client, ready, "factory").status_code == 302
    page = client.get(detail_url(ready))
    assert "出厂放行" in block(page, "decision-step") and "生产放行" not in html(page)
    assert "出厂放行" in block(page, "batch-timeline")
    assert "factory release" in block(client.get(detail_url(ready), HTTP_ACCEPT_LANGUAGE="en"), "decision-step")

    # The same product as a device (a test shortcut: a real device has a registrant and a class, which
    # the label does not depend on).
    Product.objects.filter(ref="P-1").update(kind="device")
    device = make_batch(world, "240404")
    fill_package(world, device)
    signing = client.get(release_url(device, "factory"))
    assert "生产放行" in block(signing, "page-title") and "出厂放行" not in html(signing)
    english = client.get(release_url(device, "factory"), HTTP_ACCEPT_LANGUAGE="en")
    assert "production release" in block(english, "page-title") and "factory release" not in html(english).lower()
    assert sign(client, device, "factory").status_code == 302
    page = client.get(detail_url(device))
    assert "生产放行" in block(page, "decision-step") and "器械：生产放行" not in html(page)
    assert "生产放行" in block(page, "batch-timeline")  # the decision's row in the timeline names it the same
