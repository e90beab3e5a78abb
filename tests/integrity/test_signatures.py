"""Electronic signatures: re-authentication, meaning, manifestation, bound to the record's digest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tests.exchange.dataset import load_mini
from weituo.accounts.reauth import lockout_counted
from weituo.accounts.selectors import actor_for_user
from weituo.accounts.services import user_create
from weituo.core.actors import system_actor
from weituo.integrity.models import LedgerEntry, Signature
from weituo.integrity.selectors import signature_manifestations
from weituo.integrity.services import SignatureRefused, signature_apply
from weituo.registry.models import Organisation, Product
from weituo.registry.services import product_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def qp():
    load_mini()
    user = user_create(
        actor=system_actor("tests"),
        username="wang.jianguo",
        full_name="王建国",
        email="wang@example.cn",
        password="correct horse 7",
        role="cmo_qp",
        organisation=Organisation.objects.get(ref="ORG-CMO"),
        since=dt.date(2020, 1, 1),
    )
    return actor_for_user(user)


def test_signature_shows_name_time_meaning_and_breaks_when_the_record_changes(qp):
    product = Product.objects.get(ref="P-1")
    signature = signature_apply(actor=qp, record=product, meaning="approved", password="correct horse 7")
    [shown] = signature_manifestations(actor=qp, record=product)
    assert shown["signer"] == "王建国" and shown["meaning_label"].startswith("批准") and shown["valid"]
    assert shown["signed_at"] == signature.signed_at
    entry = LedgerEntry.objects.get(seq=signature.ledger_seq)
    assert (entry.action, entry.meaning) == ("sign", "approved")

    product_update(actor=system_actor("tests"), product=product, strength="10ml:0.2g")
    [shown] = signature_manifestations(actor=qp, record=Product.objects.get(ref="P-1"))
    assert not shown["valid"]


def test_wrong_password_is_refused_and_the_refusal_is_ledgered(qp):
    product = Product.objects.get(ref="P-1")
    with pytest.raises(SignatureRefused) as excinfo:
        signature_apply(actor=qp, record=product, meaning="released", password="guess")
    assert "password" in excinfo.value.message_en
    assert not Signature.objects.exists()
    refused = LedgerEntry.objects.get(action="sign_refused")
    assert refused.actor.startswith("wang.jianguo") and "wrong password" in refused.new


def test_nobody_signs_for_another_and_the_system_cannot_sign(qp):
    product = Product.objects.get(ref="P-1")
    other = get_user_model().objects.create_user("li.xiaomei", password="another pass 9", first_name="李晓梅")
    # Acting as qp with the other user's password does not work: the signer is always the actor.
    with pytest.raises(SignatureRefused):
        signature_apply(actor=qp, record=product, meaning="approved", password="another pass 9")
    with pytest.raises(SignatureRefused) as excinfo:
        signature_apply(actor=system_actor("tests"), record=product, meaning="approved", password="")
    assert "system" in excinfo.value.message_en
    assert other.pk and LedgerEntry.objects.filter(action="sign_refused").count() == 2


def test_unknown_meaning_is_refused(qp):
    with pytest.raises(SignatureRefused):
        signature_apply(actor=qp, record=Product.objects.get(ref="P-1"), meaning="liked", password="correct horse 7")


def test_failed_signing_through_a_request_counts_toward_the_lockout(qp, settings):
    from django.test import RequestFactory

    settings.AXES_FAILURE_LIMIT = 3
    product = Product.objects.get(ref="P-1")
    for _ in range(3):
        with pytest.raises(SignatureRefused):
            signature_apply(
                actor=qp,
                record=product,
                meaning="approved",
                password="nope",
                check_password=lockout_counted(RequestFactory().post("/")),
            )
    # locked out now: even the right password is refused until the cool-off ends
    with pytest.raises(SignatureRefused):
        signature_apply(
            actor=qp,
            record=product,
            meaning="approved",
            password="correct horse 7",
            check_password=lockout_counted(RequestFactory().post("/")),
        )
    assert not Signature.objects.exists()
