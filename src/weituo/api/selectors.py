"""Reads of the api app: the token a request presents, and the tokens an actor may list.

``api_token_for`` runs before there is an actor (it is what finds the actor), so it takes none; it
answers for a token's secret only, which only its holder knows.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.core.actors import Actor
from weituo.core.errors import NotAuthenticated
from weituo.core.i18n import messages

from .models import ApiToken
from .services import digest_of, secret_of


class TokenRejected(NotAuthenticated):
    """The credentials of a request were missing or refused: HTTP 401."""


def _rejected(code: str, message: Any) -> TokenRejected:
    return TokenRejected(code=code, **messages(message))


def api_token_for(text: str) -> ApiToken:
    """The token whose secret ``text`` is, if it may be used now; otherwise ``TokenRejected``.

    A wrong or unknown token is ``invalid_token``, whatever the reason, so that guessing learns
    nothing; ``token_expired`` and ``token_revoked`` are told only to whoever holds the secret.
    """
    secret = secret_of(text.strip())
    token = (
        ApiToken.objects.select_related("user").filter(digest=digest_of(secret)).first() if secret is not None else None
    )
    if token is None or not token.user.is_active:
        raise _rejected("invalid_token", gettext_lazy("invalid API token"))
    state = token.state(timezone.now())
    if state == "revoked":
        raise _rejected("token_revoked", gettext_lazy("the API token has been revoked"))
    if state == "expired":
        raise _rejected("token_expired", gettext_lazy("the API token has expired"))
    return token


def api_token_list(*, actor: Actor, user: AbstractBaseUser | None = None) -> QuerySet[ApiToken]:
    """Tokens the actor may see: everyone's for a command-line job or the platform admin, else its own."""
    qs = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    if not (actor.system or actor.is_platform_admin):
        qs = qs.filter(user_id=actor.user_id)
    if user is not None:
        qs = qs.filter(user=user)
    return qs
