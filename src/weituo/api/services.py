"""Writes of the api app: creating and revoking API tokens, each ledgered in the same transaction.

A token is ``wt_`` followed by its 32-byte random secret in URL-safe base64 (43 characters). Only
SHA-256 of the secret is stored; the token is returned once, by ``api_token_create``, and cannot be
shown again. Who may issue a token: a command-line job or the platform admin for anyone, and a
user for themselves. Who may revoke one: the same, and a token's holder always.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.core.actors import Actor
from weituo.core.errors import PermissionDenied
from weituo.core.i18n import detail, messages, validation_failed
from weituo.integrity import writes

from .models import ApiToken

TOKEN_PREFIX = "wt_"
SECRET_BYTES = 32
PREFIX_SHOWN = 10  # "wt_" and the first 7 characters of the secret: enough to tell tokens apart
MAX_DAYS = 3650
DEFAULT_DAYS = 90
# How stale ``last_used_at`` may get before a request refreshes it: one write per token and interval,
# not one per request.
TOUCH_INTERVAL = dt.timedelta(minutes=5)


def digest_of(secret: bytes) -> str:
    return hashlib.sha256(secret).hexdigest()


def secret_of(token: str) -> bytes | None:
    """The 32-byte secret a token carries, or ``None`` if the text is not a weituo token at all."""
    if not token.startswith(TOKEN_PREFIX) or len(token) != len(TOKEN_PREFIX) + 43:
        return None
    try:
        secret = base64.urlsafe_b64decode(token[len(TOKEN_PREFIX) :] + "=")
    except (ValueError, TypeError):
        return None
    return secret if len(secret) == SECRET_BYTES else None


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token text, to show once


def _may_manage(actor: Actor, user: AbstractBaseUser) -> bool:
    return actor.system or actor.is_platform_admin or actor.user_id == user.pk


def _record(token: ApiToken) -> dict:
    """What the ledger records of a token: never its digest (nor, of course, its secret)."""
    return {
        "user_id": token.user_id,
        "username": token.user.get_username(),
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at,
    }


@transaction.atomic
def api_token_create(
    *, actor: Actor, user: AbstractBaseUser, name: str = "", days: int | None = DEFAULT_DAYS
) -> IssuedToken:
    """Issue a token for ``user`` valid for ``days`` (1–3650; ``None``: until revoked)."""
    if not isinstance(actor, Actor):
        raise TypeError(f"a service needs an Actor (weituo.core.actors), not {actor!r}")
    if not _may_manage(actor, user):
        raise PermissionDenied(
            code="permission_denied",
            **messages(gettext_lazy("you may create API tokens for yourself only")),
        )
    problems = []
    if not user.is_active:
        problems.append(detail(gettext_lazy("the user is deactivated: no token for them"), field="user"))
    if days is not None and not 1 <= days <= MAX_DAYS:
        problems.append(
            detail(gettext_lazy("validity must be 1 to %(max_days)s days"), max_days=MAX_DAYS, field="days")
        )
    if problems:
        raise validation_failed(problems, what=gettext_lazy("API token"))
    raw = secrets.token_bytes(SECRET_BYTES)
    text = TOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")
    token = ApiToken(
        user=user,
        name=(name or "").strip(),
        prefix=text[:PREFIX_SHOWN],
        digest=digest_of(raw),
        expires_at=timezone.now() + dt.timedelta(days=days) if days is not None else None,
    )
    writes.create(actor, token, recorded=_record(token))
    return IssuedToken(token=token, secret=text)


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke a token at once; revoking a revoked token changes nothing (and records nothing)."""
    if not isinstance(actor, Actor):
        raise TypeError(f"a service needs an Actor (weituo.core.actors), not {actor!r}")
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if not _may_manage(actor, token.user):
        raise PermissionDenied(
            code="permission_denied",
            **messages(gettext_lazy("you may revoke your own API tokens only")),
        )
    if token.revoked_at is None:
        writes.record_update(actor=actor, instance=token, revoked_at=timezone.now(), reason=reason)
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Note that a token was used (at most once per ``TOUCH_INTERVAL``). Usage metadata of a
    credential, not GMP data: the api app is not audited and this write is not ledgered."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
