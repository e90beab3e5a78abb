"""The actor of a request is computed once per request and per user: an API token's user never gets
the session user's actor (or the other way round)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from weituo.accounts.middleware import request_actor

pytestmark = pytest.mark.django_db


def test_the_actor_follows_the_user_asked_for():
    one = get_user_model().objects.create_user(username="one", password="x-123456789")
    two = get_user_model().objects.create_user(username="two", password="x-123456789")
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    anonymous = request_actor(request)
    assert request_actor(request) is anonymous  # computed once
    assert request_actor(request, one).username == "one"
    assert request_actor(request, two).username == "two"
    request.user = one
    assert request_actor(request).username == "one"
