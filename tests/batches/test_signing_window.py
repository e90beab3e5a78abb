"""The signing window of a release, enforced by the service for every face: a QP who reviewed the
package and re-entered the password in a signing session older than ``WEITUO_SIGNING_WINDOW_SECONDS``
is refused, the refusal is in the ledger, nothing is signed, and a fresh session releases. A token
that was not issued for this batch, step and signer counts as expired."""

from __future__ import annotations

import json
import time

import pytest
from django.core import signing

from tests.quality.world import PASSWORD, fill_package, make_batch
from weituo.batches import services
from weituo.batches.models import Batch
from weituo.batches.signing import open_session
from weituo.core.errors import PermissionDenied
from weituo.integrity.models import LedgerEntry, Signature
from weituo.integrity.services import SignatureRefused

pytestmark = pytest.mark.django_db


def refusals(batch) -> list[dict]:
    return [json.loads(e.new) for e in LedgerEntry.objects.filter(action="release_refused", object_id=str(batch.pk))]


def token_shown(monkeypatch, actor, batch, step: str, seconds_ago: float) -> str:
    """A session opened ``seconds_ago``: the token's stamp is the signer's clock at that moment."""
    real = time.time
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: real() - seconds_ago)
        return open_session(actor, batch, step).token


@pytest.fixture
def ready(world):
    batch = make_batch(world)
    fill_package(world, batch)
    return Batch.objects.get(pk=batch.pk)


def test_a_release_signed_in_an_expired_session_is_refused_and_ledgered(world, ready, settings, monkeypatch):
    settings.WEITUO_SIGNING_WINDOW_SECONDS = 300
    token = token_shown(monkeypatch, world.cmo_qp, ready, "factory", 301)
    with pytest.raises(SignatureRefused) as excinfo:
        services.batch_factory_release(actor=world.cmo_qp, batch=ready, password=PASSWORD, signing_token=token)
    error = excinfo.value
    assert error.code == "signing_expired"
    assert [d.field for d in error.details] == ["signing_token"]
    assert Batch.objects.get(pk=ready.pk).status == "in_production"
    assert not Signature.objects.exists()
    [refused] = refusals(ready)
    assert (refused["step"], refused["code"]) == ("factory", "signing_expired")


def test_a_session_within_the_window_releases(world, ready, settings, monkeypatch):
    settings.WEITUO_SIGNING_WINDOW_SECONDS = 300
    token = token_shown(monkeypatch, world.cmo_qp, ready, "factory", 290)
    services.batch_factory_release(actor=world.cmo_qp, batch=ready, password=PASSWORD, signing_token=token)
    market = open_session(world.mah_qp, ready, "market").token
    services.batch_market_release(actor=world.mah_qp, batch=ready, password=PASSWORD, signing_token=market)
    assert Batch.objects.get(pk=ready.pk).status == "market_released"
    assert refusals(ready) == []


def test_the_window_is_a_setting(world, ready, settings, monkeypatch):
    settings.WEITUO_SIGNING_WINDOW_SECONDS = 60
    token = token_shown(monkeypatch, world.cmo_qp, ready, "factory", 61)
    with pytest.raises(SignatureRefused) as excinfo:
        services.batch_factory_release(actor=world.cmo_qp, batch=ready, password=PASSWORD, signing_token=token)
    assert excinfo.value.code == "signing_expired"
    assert "1 分钟" in excinfo.value.message_zh


@pytest.mark.parametrize(
    "token_of",
    [
        pytest.param(lambda w, b: "", id="missing"),
        pytest.param(lambda w, b: "forged:1:factory:2:xyz", id="forged"),
        pytest.param(lambda w, b: open_session(w.cmo_qp, b, "market").token, id="another step"),
        pytest.param(lambda w, b: open_session(w.cmo_qa, b, "factory").token, id="another signer"),
    ],
)
def test_a_token_not_issued_for_this_signature_counts_as_expired(world, ready, token_of):
    with pytest.raises(SignatureRefused) as excinfo:
        services.batch_factory_release(
            actor=world.cmo_qp, batch=ready, password=PASSWORD, signing_token=token_of(world, ready)
        )
    assert excinfo.value.code == "signing_expired"
    assert Batch.objects.get(pk=ready.pk).status == "in_production"


def test_a_token_of_another_batch_counts_as_expired(world, ready):
    other = make_batch(world, "240999")
    token = open_session(world.cmo_qp, other, "factory").token
    with pytest.raises(SignatureRefused) as excinfo:
        services.batch_factory_release(actor=world.cmo_qp, batch=ready, password=PASSWORD, signing_token=token)
    assert excinfo.value.code == "signing_expired"


def test_an_expired_session_is_refused_before_the_password_is_checked(world, ready, monkeypatch):
    """A wrong password in an expired session is refused as expired: the stale review is the reason,
    and the attempt does not count as a failed password."""
    token = token_shown(monkeypatch, world.cmo_qp, ready, "factory", 3600)
    with pytest.raises(SignatureRefused) as excinfo:
        services.batch_factory_release(actor=world.cmo_qp, batch=ready, password="wrong", signing_token=token)
    assert excinfo.value.code == "signing_expired"


def test_who_may_release_is_checked_first(world, ready, monkeypatch):
    """A non-QP in an expired session learns that it is not a QP, not that the session expired."""
    token = token_shown(monkeypatch, world.cmo_qa, ready, "factory", 3600)
    with pytest.raises(PermissionDenied):
        services.batch_factory_release(actor=world.cmo_qa, batch=ready, password=PASSWORD, signing_token=token)
    assert [r["code"] for r in refusals(ready)] == ["not_qp"]
