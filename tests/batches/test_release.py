"""Batches and their two-step release: who may release (a QP, and nobody else, no bypass), what
blocks it, re-authentication, attachments refused whole, a stale copy refused, every attempt ledgered."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from tests.exchange.dataset import valid_uscc
from tests.quality.world import PASSWORD, SYSTEM, _user, fill_package, make_batch, pdf
from weituo.accounts.reauth import lockout_counted
from weituo.batches import selectors, services
from weituo.batches.models import Batch, ReleaseDocument, TestResult
from weituo.batches.services import ReleaseBlocked
from weituo.batches.signing import open_session
from weituo.contracts.services import contract_change_status, contract_create
from weituo.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from weituo.integrity.models import LedgerEntry, Signature
from weituo.integrity.services import SignatureRefused
from weituo.integrity.verify import verify_all
from weituo.integrity.writes import StaleRecord, record_create
from weituo.quality import services as quality
from weituo.registry.models import Line, Organisation, Product, Site, Workshop

pytestmark = pytest.mark.django_db


def refusals(batch) -> list[dict]:
    return [json.loads(e.new) for e in LedgerEntry.objects.filter(action="release_refused", object_id=str(batch.pk))]


@pytest.fixture
def ready(world):
    """A batch with a complete package and nothing open."""
    batch = make_batch(world)
    fill_package(world, batch)
    return Batch.objects.get(pk=batch.pk)


# --- batches --------------------------------------------------------------------------------------


def test_the_batch_number_is_unique_per_product_and_the_batch_fits_its_contract(world):
    make_batch(world, "240101")
    with pytest.raises(ValidationFailed) as excinfo:
        make_batch(world, "240101")
    assert "batch with this number" in excinfo.value.details[0].message_en
    with pytest.raises(ValidationFailed) as excinfo:
        make_batch(world, "240102", expiry_on=dt.date(2026, 1, 1))
    assert excinfo.value.details[0].field == "expiry_on"
    with pytest.raises(ValidationFailed) as excinfo:
        services.batch_create(
            actor=world.cmo_production,
            contract=world.contract,
            product=Product.objects.get(ref="P-2"),  # ORG-MAH2's, not in CON-1
            line=Line.objects.get(ref="LINE-1"),
            number="X1",
            manufactured_on=dt.date(2026, 11, 1),
            expiry_on=dt.date(2028, 10, 31),
            quantity=Decimal(1),
            quantity_unit="支",
        )
    assert excinfo.value.details[0].field == "product"


def test_only_the_cmo_records_batches(world):
    for actor, error in (
        (world.mah_qa, PermissionDenied),
        (world.cmo_viewer, PermissionDenied),
        (world.mah2_qa, NotFound),
    ):
        with pytest.raises(error):
            services.batch_create(
                actor=actor,
                contract=world.contract,
                product=Product.objects.get(ref="P-1"),
                line=Line.objects.get(ref="LINE-1"),
                number="Y1",
                manufactured_on=dt.date(2026, 11, 1),
                expiry_on=dt.date(2028, 10, 31),
                quantity=Decimal(1),
                quantity_unit="支",
            )


# --- the package ----------------------------------------------------------------------------------


def test_a_document_of_the_wrong_type_or_size_is_refused_whole(world, tmp_path, monkeypatch):
    batch = make_batch(world)
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationFailed) as excinfo:
        services.release_document_add(
            actor=world.cmo_qa, batch=batch, kind="batch_record", title="BPR", file=SimpleUploadedFile("bpr.exe", b"MZ")
        )
    [detail] = excinfo.value.details
    assert detail.field == "file" and ".exe" in detail.message_en and "不支持" in detail.message_zh
    monkeypatch.setattr(services, "DOCUMENT_MAX_BYTES", 10)
    with pytest.raises(ValidationFailed) as excinfo:
        services.release_document_add(
            actor=world.cmo_qa, batch=batch, kind="batch_record", title="BPR", file=pdf("b.pdf")
        )
    assert "too large" in excinfo.value.details[0].message_en
    monkeypatch.undo()
    with pytest.raises(ValidationFailed) as excinfo:
        services.release_document_add(
            actor=world.cmo_qa, batch=batch, kind="batch_record", title="BPR", file=pdf("empty.pdf", b"")
        )
    assert "empty" in excinfo.value.details[0].message_en
    with pytest.raises(ValidationFailed) as excinfo:  # a deviation record must name its deviation
        services.release_document_add(
            actor=world.cmo_qa, batch=batch, kind="deviation_record", title="偏差", file=pdf("d.pdf")
        )
    assert excinfo.value.details[0].field == "event"
    assert not ReleaseDocument.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))  # no file written either
    assert LedgerEntry.objects.count() == before
    assert Batch.objects.get(pk=batch.pk).version == 1


def test_a_document_keeps_its_sha256_and_the_package_freezes_at_factory_release(world, ready):
    document = ReleaseDocument.objects.filter(batch=ready, kind="batch_record").get()
    assert document.sha256 == hashlib.sha256(b"%PDF-1.7 weituo test record").hexdigest()
    services.batch_factory_release(
        actor=world.cmo_qp,
        batch=ready,
        signing_token=open_session(world.cmo_qp, ready, "factory").token,
        password=PASSWORD,
    )
    with pytest.raises(InvalidTransition) as excinfo:
        services.batch_result_add(
            actor=world.cmo_qa, batch=ready, test_name="装量", specification="≥5.0ml", result="5.1ml", passed=True
        )
    assert excinfo.value.code == "package_frozen"
    with pytest.raises(PermissionDenied):  # the MAH does not add to the CMO's package
        services.release_document_add(actor=world.mah_qa, batch=ready, kind="test_record", title="x", file=pdf("x.pdf"))


def test_an_incomplete_package_or_a_failed_result_blocks_the_release(world):
    batch = make_batch(world)
    with pytest.raises(ReleaseBlocked) as excinfo:
        services.batch_factory_release(
            actor=world.cmo_qp,
            batch=batch,
            signing_token=open_session(world.cmo_qp, batch, "factory").token,
            password=PASSWORD,
        )
    assert [d.message_en for d in excinfo.value.details] == [
        "the batch production record is missing",
        "the batch test record is missing",
        "no structured test result",
    ]
    fill_package(world, batch)
    services.batch_result_add(
        actor=world.cmo_qa, batch=batch, test_name="可见异物", specification="应符合规定", result="不符合", passed=False
    )
    with pytest.raises(ReleaseBlocked) as excinfo:
        services.batch_factory_release(
            actor=world.cmo_qp,
            batch=batch,
            signing_token=open_session(world.cmo_qp, batch, "factory").token,
            password=PASSWORD,
        )
    assert "可见异物" in excinfo.value.details[0].message_zh
    assert [r["code"] for r in refusals(batch)] == ["release_blocked", "release_blocked"]


def test_a_deviation_on_the_batch_needs_its_record_in_the_package(world, ready):
    deviation = quality.deviation_raise(
        actor=world.cmo_qa, contract=world.contract, classification="minor", title="标签", batch=ready
    )
    quality.event_acknowledge(actor=world.mah_qa, event=deviation.event)
    quality.deviation_investigate(actor=world.cmo_qa, deviation=deviation, root_cause="打印机故障")
    quality.event_close(actor=world.cmo_qa, event=deviation.event, conclusion="已处理")
    with pytest.raises(ReleaseBlocked) as excinfo:
        services.batch_factory_release(
            actor=world.cmo_qp,
            batch=ready,
            signing_token=open_session(world.cmo_qp, ready, "factory").token,
            password=PASSWORD,
        )
    assert [d.message_en for d in excinfo.value.details] == [
        f"the deviation record of {deviation.event.ref} is missing"
    ]


# --- who releases ---------------------------------------------------------------------------------


def test_only_the_cmo_qp_factory_releases_no_bypass(world, ready):
    for actor in (world.cmo_qa, world.cmo_hoq, world.mah_qp, world.admin, SYSTEM):
        with pytest.raises(PermissionDenied) as excinfo:
            services.batch_factory_release(
                actor=actor, batch=ready, signing_token=open_session(actor, ready, "factory").token, password=PASSWORD
            )
        assert excinfo.value.code == "not_qp"
    with pytest.raises(NotFound):
        services.batch_factory_release(
            actor=world.mah2_qp,
            batch=ready,
            signing_token=open_session(world.mah2_qp, ready, "factory").token,
            password=PASSWORD,
        )
    assert len(refusals(ready)) == 6 and Batch.objects.get(pk=ready.pk).status == "in_production"
    assert not Signature.objects.exists()


def test_only_the_mah_qp_market_releases_and_only_after_the_factory_release(world, ready):
    with pytest.raises(ReleaseBlocked) as excinfo:
        services.batch_market_release(
            actor=world.mah_qp,
            batch=ready,
            signing_token=open_session(world.mah_qp, ready, "market").token,
            password=PASSWORD,
        )
    assert "not been factory released" in excinfo.value.details[-1].message_en
    services.batch_factory_release(
        actor=world.cmo_qp,
        batch=ready,
        signing_token=open_session(world.cmo_qp, ready, "factory").token,
        password=PASSWORD,
    )
    for actor in (world.cmo_qp, world.mah_qa, world.admin):
        with pytest.raises(PermissionDenied):
            services.batch_market_release(
                actor=actor, batch=ready, signing_token=open_session(actor, ready, "market").token, password=PASSWORD
            )
    services.batch_market_release(
        actor=world.mah_qp,
        batch=ready,
        signing_token=open_session(world.mah_qp, ready, "market").token,
        password=PASSWORD,
    )
    with pytest.raises(InvalidTransition) as excinfo:
        services.batch_market_release(
            actor=world.mah_qp,
            batch=ready,
            signing_token=open_session(world.mah_qp, ready, "market").token,
            password=PASSWORD,
        )
    assert excinfo.value.code == "already_released" and "刘洋" in excinfo.value.message_zh


def test_an_open_oos_blocks_the_market_release(world, ready):
    services.batch_factory_release(
        actor=world.cmo_qp,
        batch=ready,
        signing_token=open_session(world.cmo_qp, ready, "factory").token,
        password=PASSWORD,
    )
    oos = quality.event_raise(
        actor=world.mah_qa, contract=world.contract, category="oos_oot", title="持有人复检含量超标", batch=ready
    )
    with pytest.raises(ReleaseBlocked) as excinfo:
        services.batch_market_release(
            actor=world.mah_qp,
            batch=ready,
            signing_token=open_session(world.mah_qp, ready, "market").token,
            password=PASSWORD,
        )
    assert oos.ref in excinfo.value.details[0].message_en
    quality.event_acknowledge(actor=world.cmo_qa, event=oos)
    quality.event_close(actor=world.mah_qa, event=oos, conclusion="复检为取样错误，重新取样合格")
    services.batch_market_release(
        actor=world.mah_qp,
        batch=ready,
        signing_token=open_session(world.mah_qp, ready, "market").token,
        password=PASSWORD,
    )


# --- re-authentication ----------------------------------------------------------------------------


def test_a_wrong_password_is_refused_and_ledgered_then_the_right_one_releases(world, ready):
    with pytest.raises(SignatureRefused) as excinfo:
        services.batch_factory_release(
            actor=world.cmo_qp,
            batch=ready,
            signing_token=open_session(world.cmo_qp, ready, "factory").token,
            password="guess",
        )
    assert excinfo.value.details[0].field == "password"
    assert Batch.objects.get(pk=ready.pk).status == "in_production" and not Signature.objects.exists()
    [refused] = refusals(ready)
    assert (refused["step"], refused["code"]) == ("factory", "signature_refused")
    services.batch_factory_release(
        actor=world.cmo_qp,
        batch=ready,
        signing_token=open_session(world.cmo_qp, ready, "factory").token,
        password=PASSWORD,
    )
    assert Batch.objects.get(pk=ready.pk).status == "factory_released"


def test_failed_passwords_count_toward_the_lockout(world, ready, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        with pytest.raises(SignatureRefused):
            services.batch_factory_release(
                actor=world.cmo_qp,
                batch=ready,
                signing_token=open_session(world.cmo_qp, ready, "factory").token,
                password="nope",
                check_password=lockout_counted(RequestFactory().post("/")),
            )
    with pytest.raises(SignatureRefused):  # locked out: even the right password is refused
        services.batch_factory_release(
            actor=world.cmo_qp,
            batch=ready,
            signing_token=open_session(world.cmo_qp, ready, "factory").token,
            password=PASSWORD,
            check_password=lockout_counted(RequestFactory().post("/")),
        )
    assert len(refusals(ready)) == 4 and not Signature.objects.exists()


def test_a_release_on_a_stale_copy_is_refused(world, ready):
    seen = ready.version
    services.batch_result_add(
        actor=world.cmo_qa, batch=ready, test_name="装量", specification="≥5.0ml", result="5.1ml", passed=True
    )
    with pytest.raises(StaleRecord):
        services.batch_factory_release(
            actor=world.cmo_qp,
            batch=ready,
            signing_token=open_session(world.cmo_qp, ready, "factory").token,
            password=PASSWORD,
            expected_version=seen,
        )
    assert refusals(ready)[0]["code"] == "stale_record"
    services.batch_factory_release(
        actor=world.cmo_qp,
        batch=ready,
        signing_token=open_session(world.cmo_qp, ready, "factory").token,
        password=PASSWORD,
        expected_version=Batch.objects.get(pk=ready.pk).version,
    )


def test_rejection_by_the_qp_whose_step_is_next(world, ready):
    with pytest.raises(PermissionDenied):
        services.batch_reject(actor=world.mah_qp, batch=ready, reason="x")
    with pytest.raises(ValidationFailed):
        services.batch_reject(actor=world.cmo_qp, batch=ready, reason="")
    services.batch_reject(actor=world.cmo_qp, batch=ready, reason="无菌检查不符合规定")
    with pytest.raises(InvalidTransition) as excinfo:
        services.batch_factory_release(
            actor=world.cmo_qp,
            batch=ready,
            signing_token=open_session(world.cmo_qp, ready, "factory").token,
            password=PASSWORD,
        )
    assert excinfo.value.code == "batch_rejected"
    assert TestResult.objects.filter(batch=ready).count() == 3
    report = verify_all()
    assert report.ok, report.problems


# --- devices --------------------------------------------------------------------------------------


def test_a_device_needs_the_production_release_and_the_registrant_s_own_market_release(world, settings):
    registrant = record_create(
        actor=SYSTEM, model=Organisation, ref="ORG-REG", name="常州安康医疗器械有限公司",
        uscc=valid_uscc("91320400MA1W0021X"), province="32", is_registrant=True,
    )  # fmt: skip
    device_cmo = record_create(
        actor=SYSTEM, model=Organisation, ref="ORG-DCMO", name="苏州精工医疗器械有限公司",
        uscc=valid_uscc("91320500MA1W0022X"), province="32", is_device_cmo=True,
    )  # fmt: skip
    site = record_create(
        actor=SYSTEM, model=Site, ref="SITE-D", organisation=device_cmo, name="一厂", address="苏州", province="32"
    )
    workshop = record_create(actor=SYSTEM, model=Workshop, ref="WS-D", site=site, name="装配车间")
    line = record_create(
        actor=SYSTEM, model=Line, ref="LINE-D", workshop=workshop, name="输液器装配线", dosage_forms="无源器械",
        design_capacity=Decimal(100), capacity_unit="万套/年",
    )  # fmt: skip
    product = record_create(
        actor=SYSTEM, model=Product, ref="P-D", kind="device", holder=registrant, name="一次性使用输液器",
        status="marketed", device_class="II",
    )  # fmt: skip
    contract = contract_create(
        actor=SYSTEM, ref="CON-D", number="D-2026-1", mah=registrant, cmo=device_cmo, products=[product], lines=[line]
    )
    contract_change_status(actor=SYSTEM, contract=contract, to="in_force", on=dt.date(2026, 1, 1))
    production = _user("qian.wei", "钱伟", "cmo_production", "ORG-DCMO")
    cmo_qp = _user("zheng.hao", "郑浩", "cmo_qp", "ORG-DCMO")
    registrant_qp = _user("feng.yu", "冯宇", "mah_qp", "ORG-REG")

    batch = services.batch_create(
        actor=production, contract=contract, product=product, line=line, number="D240101",
        manufactured_on=dt.date(2026, 11, 1), expiry_on=dt.date(2029, 10, 31), quantity=Decimal(5000), quantity_unit="套",
    )  # fmt: skip
    services.release_document_add(
        actor=production, batch=batch, kind="batch_record", title="生产记录", file=pdf("r.pdf")
    )
    services.release_document_add(
        actor=production, batch=batch, kind="test_record", title="检验记录", file=pdf("t.pdf")
    )
    services.batch_result_add(
        actor=production, batch=batch, test_name="微粒污染", specification="≤90", result="12", passed=True
    )
    with pytest.raises(ReleaseBlocked):  # the registrant reviews the CMO's production release first
        services.batch_market_release(
            actor=registrant_qp,
            batch=batch,
            signing_token=open_session(registrant_qp, batch, "market").token,
            password=PASSWORD,
        )
    for outsider in (world.cmo_qp, world.mah_qp):  # QPs of other companies do not even see it
        with pytest.raises(NotFound):
            services.batch_factory_release(
                actor=outsider,
                batch=batch,
                signing_token=open_session(outsider, batch, "factory").token,
                password=PASSWORD,
            )
    services.batch_factory_release(
        actor=cmo_qp, batch=batch, signing_token=open_session(cmo_qp, batch, "factory").token, password=PASSWORD
    )
    with pytest.raises(PermissionDenied) as excinfo:  # never delegated to the CMO
        services.batch_market_release(
            actor=cmo_qp, batch=batch, signing_token=open_session(cmo_qp, batch, "market").token, password=PASSWORD
        )
    assert "market release" in excinfo.value.message_en
    # a device maker has no QP: the device notice (art. 8) names an authorised release person
    assert "经授权的放行人员" in excinfo.value.message_zh and "质量受权人" not in excinfo.value.message_zh
    assert "authorised release person of the product's registrant" in excinfo.value.message_en
    services.batch_market_release(
        actor=registrant_qp,
        batch=batch,
        signing_token=open_session(registrant_qp, batch, "market").token,
        password=PASSWORD,
    )
    assert Batch.objects.get(pk=batch.pk).status == "market_released"
    shown = selectors.release_decisions(actor=registrant_qp, batch=batch)
    assert [(d["decision"].step, d["signatures"][0]["signer"]) for d in shown] == [
        ("factory", "郑浩"),
        ("market", "冯宇"),
    ]
    report = verify_all()
    assert report.ok, report.problems
