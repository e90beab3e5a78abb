"""The request's actor: who the logged-in user is, as the ``Actor`` services and selectors take.

Set once per request (lazily: a static file or the login page never reads it) so that the web
pages and the Django admin name the same actor without importing this app's selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from weituo.core.actors import Actor

from .selectors import actor_for_user


def request_actor(request: HttpRequest, user: Any = None) -> Actor:
    """The actor of the request's user (or of ``user``: the API's authenticated caller), computed
    once per request: the web pages, the API and the admin all ask here."""
    who = request.user if user is None else user
    key = (type(who).__name__, getattr(who, "pk", None))
    cached = getattr(request, "_weituo_actor", None)
    # cached per user: a request whose session user differs from the API's token user must not get
    # the other one's actor
    if cached is None or cached[0] != key:
        cached = (key, actor_for_user(who))
        request._weituo_actor = cached  # type: ignore[attr-defined]
    return cached[1]


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: request_actor(request))  # type: ignore[attr-defined]
        return self.get_response(request)
