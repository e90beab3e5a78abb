"""The signing window of a release (issue #6 item 10): a QP who reviewed the package and re-entered
the password on a page older than ``WEITUO_SIGNING_WINDOW_SECONDS`` is refused, the refusal is in
the ledger, nothing is signed, and a fresh page releases."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.quality.world import PASSWORD, fill_package, make_batch
from weituo.batches import services
from weituo.batches.models import Batch
from weituo.core.errors import PermissionDenied
from weituo.integrity.models import LedgerEntry, Signature
from weituo.integrity.services import SignatureRefused

pytestmark = pytest.mark.django_db


def refusals(batch) -> list[dict]:
    return [json.loads(e.new) for e in LedgerEntry.objects.filter(action="release_refused", object_id=str(batch.pk))]


@pytest.fixture
def ready(world):
    batch = make_batch(world)
    fill_package(world, batch)
    return Batch.objects.get(pk=batch.pk)


def test_a_release_signed_on_an_expired_page_is_refused_and_ledgered(world, ready, settings):
    settings.WEITUO_SIGNING_WINDOW_SECONDS = 300
    shown = timezone.now() - dt.timedelta(seconds=301)
    with pytest.raises(SignatureRefused) as excinfo:
        services.batch_factory_release(actor=world.cmo_qp, batch=ready, password=PASSWORD, signing_started_at=shown)
    error = excinfo.value
    assert error.code == "signing_expired"
    assert "expired after 5 minutes" in error.message_en and "re-enter your password" in error.message_en
    assert "5 分钟" in error.message_zh and "重新输入密码" in error.message_zh
    assert Batch.objects.get(pk=ready.pk).status == "in_production"
    assert not Signature.objects.exists()
    [refused] = refusals(ready)
    assert (refused["step"], refused["code"]) == ("factory", "signing_expired")


def test_a_page_within_the_window_releases(world, ready, settings):
    settings.WEITUO_SIGNING_WINDOW_SECONDS = 300
    shown = timezone.now() - dt.timedelta(seconds=290)
    services.batch_factory_release(actor=world.cmo_qp, batch=ready, password=PASSWORD, signing_started_at=shown)
    services.batch_market_release(actor=world.mah_qp, batch=ready, password=PASSWORD, signing_started_at=timezone.now())
    assert Batch.objects.get(pk=ready.pk).status == "market_released"
    assert refusals(ready) == []


def test_the_window_is_a_setting(world, ready, settings):
    settings.WEITUO_SIGNING_WINDOW_SECONDS = 60
    with pytest.raises(SignatureRefused) as excinfo:
        services.batch_factory_release(
            actor=world.cmo_qp,
            batch=ready,
            password=PASSWORD,
            signing_started_at=timezone.now() - dt.timedelta(seconds=61),
        )
    assert "1 minutes" in excinfo.value.message_en


def test_an_expired_page_is_refused_before_the_password_is_checked(world, ready, settings):
    """A wrong password on an expired page is refused as expired: the stale page is the reason, and
    the attempt does not count as a failed password."""
    with pytest.raises(SignatureRefused) as excinfo:
        services.batch_factory_release(
            actor=world.cmo_qp,
            batch=ready,
            password="wrong",
            signing_started_at=timezone.now() - dt.timedelta(hours=1),
        )
    assert excinfo.value.code == "signing_expired"


def test_who_may_release_is_checked_first(world, ready):
    """A non-QP on an expired page learns that it is not a QP, not that the page expired."""
    with pytest.raises(PermissionDenied):
        services.batch_factory_release(
            actor=world.cmo_qa,
            batch=ready,
            password=PASSWORD,
            signing_started_at=timezone.now() - dt.timedelta(hours=1),
        )
    assert [r["code"] for r in refusals(ready)] == ["not_qp"]
