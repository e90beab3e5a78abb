"""API tokens: created and revoked through services that write the ledger, and the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.exchange.dataset import SYSTEM
from weituo.accounts.selectors import actor_for_user
from weituo.api.models import ApiToken
from weituo.api.selectors import api_token_for, api_token_list
from weituo.api.services import api_token_create, api_token_revoke
from weituo.core.commands import LANGUAGE_VARIABLES
from weituo.core.errors import PermissionDenied, ValidationFailed
from weituo.integrity.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese_command_line(monkeypatch):
    """The command speaks Chinese, the site's language, whatever the shell running the tests asks for."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def entries(token: ApiToken) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(object_type="api.apitoken", object_id=str(token.pk)).order_by("seq"))


def test_create_and_revoke_are_ledgered_without_the_secret_or_its_digest(world):
    issued = api_token_create(actor=SYSTEM, user=world.users["wang.cmo"], name="LIMS", days=7)
    token = issued.token
    assert issued.secret.startswith("wt_") and len(issued.secret) == 46
    assert 6 * 86400 < (token.expires_at - timezone.now()).total_seconds() <= 7 * 86400
    [created] = entries(token)
    recorded = json.loads(created.new)
    assert created.action == "create" and recorded["username"] == "wang.cmo" and recorded["name"] == "LIMS"
    assert token.digest not in created.new and issued.secret[3:] not in created.new

    api_token_revoke(actor=SYSTEM, token=token, reason="LIMS retired")
    api_token_revoke(actor=SYSTEM, token=token)  # again: nothing changes, nothing recorded
    [_, revoked] = entries(token)
    assert revoked.action == "update" and revoked.reason == "LIMS retired"
    assert json.loads(revoked.old) == {"revoked_at": None}


def test_a_user_manages_their_own_tokens_only(world):
    li = actor_for_user(world.users["li.mah"])
    mine = api_token_create(actor=li, user=world.users["li.mah"], days=1)
    assert entries(mine.token)[0].actor_user_id == world.users["li.mah"].pk
    with pytest.raises(PermissionDenied):
        api_token_create(actor=li, user=world.users["wang.cmo"], days=1)
    theirs = ApiToken.objects.filter(user=world.users["wang.cmo"]).first()
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=li, token=theirs)
    api_token_revoke(actor=li, token=mine.token)
    assert {t.user_id for t in api_token_list(actor=li)} == {world.users["li.mah"].pk}
    admin = actor_for_user(world.users["zheng.admin"])
    assert len({t.user_id for t in api_token_list(actor=admin)}) == len(world.users)


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_validity_is_bounded(world, days):
    with pytest.raises(ValidationFailed) as excinfo:
        api_token_create(actor=SYSTEM, user=world.users["li.mah"], days=days)
    assert excinfo.value.details[0].field == "days"


def test_no_token_for_a_deactivated_user(world):
    user = world.users["qian.cmoview"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(ValidationFailed):
        api_token_create(actor=SYSTEM, user=user)


def test_command_creates_lists_and_revokes(world):
    out = StringIO()
    call_command("api", "token", "create", "wang.cmo", "--days", "30", "--name", "LIMS", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    token = api_token_for(secret)
    assert token.user == world.users["wang.cmo"] and token.name == "LIMS"
    assert entries(token)[0].actor.startswith("system:api token create for wang.cmo")

    out = StringIO()
    call_command("api", "token", "list", "wang.cmo", stdout=out)
    assert f"{token.prefix}…" in out.getvalue() and "有效" in out.getvalue()

    call_command("api", "token", "revoke", str(token.pk), "--reason", "rotated", stdout=StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None and entries(token)[-1].reason == "rotated"


def test_command_refuses_clearly(world):
    with pytest.raises(CommandError, match="无此用户：nobody"):
        call_command("api", "token", "create", "nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="有效期应为 1 至") as caught:
        call_command("api", "token", "create", "wang.cmo", "--days", "0", stdout=StringIO())
    assert "validity" not in str(caught.value)  # one language, not both
    with pytest.raises(CommandError, match="无此令牌"):
        call_command("api", "token", "revoke", "999999", stdout=StringIO())


def test_command_speaks_english_when_the_environment_asks(world, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    out = StringIO()
    call_command("api", "token", "create", "wang.cmo", "--days", "30", stdout=out)
    assert "the token is shown this once only" in out.getvalue() and "令牌" not in out.getvalue()
    with pytest.raises(CommandError, match="validity must be 1 to"):
        call_command("api", "token", "create", "wang.cmo", "--days", "0", stdout=StringIO())
    with pytest.raises(CommandError, match="no such user: nobody"):
        call_command("api", "token", "create", "nobody", stdout=StringIO())
