"""Who calls the API: a Bearer token (system to system) or the web session (same-origin pages).

- ``Authorization: Bearer wt_…``: the token's user. A presented token that is wrong, expired or
  revoked is a 401 at once, even if the request also carries a session: a system that sends a
  token means to act with it, and a silent fall-back would hide the broken token.
- The session cookie of a logged-in user, with Django's CSRF check on unsafe methods (the
  ``X-CSRFToken`` header): a request without it is a 403 ``csrf_failed``.
- Neither: 401 ``not_authenticated``.

Either way the request's actor is ``accounts.selectors.actor_for_user`` of that user: the same
memberships, visibility and ledger name as in the web app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from weituo.accounts.middleware import request_actor
from weituo.core.actors import Actor
from weituo.core.errors import PermissionDenied
from weituo.core.i18n import messages

from .selectors import api_token_for
from .services import api_token_touch


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` (created by ``weituo api token create``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_for(token)  # TokenRejected (401) if it may not be used
        api_token_touch(token=api_token)
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class SessionWithCsrf(APIKeyCookie):
    """The web app's login session; unsafe methods need the CSRF token, as in the web app's forms."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # no session: nothing to check, the request is simply not authenticated
        if check_csrf(request) is not None:
            raise PermissionDenied(
                code="csrf_failed",
                **messages(gettext_lazy("CSRF check failed: the request lacks a valid X-CSRFToken header")),
            )
        return request.COOKIES.get(self.param_name, "")

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        return user if user.is_authenticated and user.is_active else None


def actor_of(request: HttpRequest) -> Actor:
    """The actor of an authenticated request (computed once per request)."""
    return request_actor(request, request.auth)  # type: ignore[attr-defined]
