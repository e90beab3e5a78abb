"""The Django admin shows the quality and batch records to a platform admin and lets nobody change
them: no add, change or delete form answers, a forged POST is refused, and the ledger is untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.quality.world import SYSTEM, build_world, fill_package, make_batch
from weituo.accounts.services import user_grant_admin_site
from weituo.batches.models import Batch, ReleaseDecision, ReleaseDocument, TestResult
from weituo.integrity.models import LedgerEntry
from weituo.quality import services as quality
from weituo.quality.models import Capa, Deviation, QualityEvent, RetentionObligation

pytestmark = pytest.mark.django_db

MODELS = (Batch, ReleaseDocument, TestResult, QualityEvent, Deviation, Capa, RetentionObligation)


@pytest.fixture
def records(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    batch = make_batch(world)
    fill_package(world, batch)
    deviation = quality.deviation_raise(
        actor=world.cmo_qa, contract=world.contract, classification="critical", title="灭菌温度偏低", batch=batch
    )
    quality.capa_add(
        actor=world.cmo_qa, event=deviation.event, description="校准", owner_party="cmo", due_on=dt.date(2026, 12, 1)
    )
    users = get_user_model().objects
    admin_user = user_grant_admin_site(actor=SYSTEM, user=users.get(username="gao.feng"))
    return world, admin_user


def url(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def test_a_platform_admin_sees_every_record_and_no_form_to_change_one(records, client):
    _world, admin_user = records
    client.force_login(admin_user)
    for model in MODELS:
        obj = model.objects.order_by("pk").first()
        assert obj is not None, model
        listing = client.get(url(model, "changelist"))
        assert listing.status_code == 200, model
        assert b'name="action"' not in listing.content  # no bulk delete
        page = client.get(url(model, "change", obj.pk))
        assert page.status_code == 200, model
        assert b'name="_save"' not in page.content and b"deletelink" not in page.content
    document = ReleaseDocument.objects.first()
    page = client.get(url(ReleaseDocument, "change", document.pk)).content.decode()
    assert document.file.name.rsplit("/", 1)[-1] in page and document.file.url not in page  # named, not linked


def test_add_change_and_delete_are_refused_and_nothing_is_written(records, client):
    _world, admin_user = records
    client.force_login(admin_user)
    batch = Batch.objects.get()
    before = (LedgerEntry.objects.count(), Batch.objects.values_list("status", "number").get())
    assert client.get(url(Batch, "add")).status_code == 403
    assert client.post(url(Batch, "add"), {"number": "X"}).status_code == 403
    assert client.post(url(Batch, "change", batch.pk), {"status": "market_released"}).status_code == 403
    assert client.post(url(Batch, "delete", batch.pk), {"post": "yes"}).status_code == 403
    event = QualityEvent.objects.get()
    assert client.post(url(QualityEvent, "change", event.pk), {"status": "closed"}).status_code == 403
    assert client.post(url(QualityEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    assert ReleaseDecision.objects.count() == 0
    assert (LedgerEntry.objects.count(), Batch.objects.values_list("status", "number").get()) == before
    assert QualityEvent.objects.get().status == "open"


def test_staff_status_without_the_platform_admin_role_sees_nothing(records, client):
    user = get_user_model().objects.get(username="zhao.min")  # the CMO's QA
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)  # as a careless grant would
    client.force_login(user)
    for model in MODELS:
        assert client.get(url(model, "changelist")).status_code == 403, model
    index = client.get(reverse("admin:index"))
    assert b"/admin/batches/" not in index.content and b"/admin/quality/" not in index.content
