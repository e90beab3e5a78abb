"""Authentication of the API: Bearer tokens (missing, malformed, unknown, expired, revoked, of a
deactivated user) and the web session with its CSRF check."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from tests.exchange.dataset import SYSTEM
from weituo.api.models import ApiToken
from weituo.api.services import api_token_create, api_token_revoke, secret_of

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def assert_401(response, code: str) -> None:
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"] and body["details"] == [] and body["field"] is None
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_is_401_with_the_bearer_challenge(client):
    response = client.get(ME)
    assert_401(response, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="weituo"'
    assert_401(client.post("/api/v1/organisations", {}, content_type="application/json"), "not_authenticated")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ",
        "Bearer not-a-token",
        "Bearer wt_" + "A" * 43,  # well formed, unknown
        "Bearer wt_" + "é" * 43,  # not base64 at all
        "bearer wt_" + "-" * 42,  # one character short
    ],
)
def test_a_wrong_token_is_401_invalid_token(client, header):
    response = client.get(ME, HTTP_AUTHORIZATION=header)
    assert_401(response, "invalid_token")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_valid_token_acts_as_its_user_and_notes_its_use(client, world):
    response = client.get(ME, **world.auth("li.mah"))
    assert response.status_code == 200
    me = response.json()
    assert me["username"] == "li.mah" and me["full_name"] == "李晓梅"
    assert me["memberships"] == [
        {
            "role": "mah_qa",
            "side": "mah",
            "organisation": {"ref": "ORG-MAH", "name": "南京康宁药业有限公司"},
            "province": "",
        }
    ]
    assert me["token"]["prefix"] == world.tokens["li.mah"][:10]
    token = ApiToken.objects.get(prefix=me["token"]["prefix"])
    assert token.last_used_at is not None


def test_only_the_digest_of_the_secret_is_stored(world):
    text = world.tokens["wang.cmo"]
    token = ApiToken.objects.get(user=world.users["wang.cmo"])
    assert token.digest == hashlib.sha256(secret_of(text)).hexdigest()
    assert len(secret_of(text)) == 32
    stored = " ".join(str(v) for v in ApiToken.objects.filter(pk=token.pk).values_list().get())
    assert text[3:] not in stored


def test_an_expired_token_is_401(client, world):
    issued = api_token_create(actor=SYSTEM, user=world.users["li.mah"], days=1)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_401(client.get(ME, HTTP_AUTHORIZATION=f"Bearer {issued.secret}"), "token_expired")


def test_a_revoked_token_is_401_and_the_others_still_work(client, world):
    issued = api_token_create(actor=SYSTEM, user=world.users["li.mah"], days=1)
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {issued.secret}").status_code == 200
    api_token_revoke(actor=SYSTEM, token=issued.token)
    assert_401(client.get(ME, HTTP_AUTHORIZATION=f"Bearer {issued.secret}"), "token_revoked")
    assert client.get(ME, **world.auth("li.mah")).status_code == 200


def test_the_token_of_a_deactivated_user_is_401(client, world):
    user = world.users["zhou.mah2"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_401(client.get(ME, **world.auth("zhou.mah2")), "invalid_token")


def test_a_bad_token_is_not_rescued_by_a_session(client, world):
    client.force_login(world.users["li.mah"])
    assert client.get(ME).status_code == 200
    assert_401(client.get(ME, HTTP_AUTHORIZATION="Bearer wt_" + "A" * 43), "invalid_token")


def test_session_reads_and_writes_with_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["li.mah"])
    assert client.get(ME).json()["token"] is None
    patch = {"address": "南京市江宁区1号"}
    response = client.patch("/api/v1/organisations/ORG-MAH", patch, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    client.get("/api/docs")  # any page that renders the CSRF token sets its cookie
    csrf = client.cookies["csrftoken"].value
    response = client.patch(
        "/api/v1/organisations/ORG-MAH", patch, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 200 and response.json()["address"] == "南京市江宁区1号"


def test_bearer_requests_need_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    response = client.patch(
        "/api/v1/organisations/ORG-MAH", {"address": "南京"}, content_type="application/json", **world.auth("li.mah")
    )
    assert response.status_code == 200
