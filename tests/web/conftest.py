"""Fixtures of the web tests: the world built once per test (in its transaction), logged-in clients."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.world import build_world


@pytest.fixture
def world(db) -> dict:
    return build_world()


@pytest.fixture
def login(world, client):
    """``login("cmo.qa")``: the test client logged in as that account (force_login: axes needs a
    request for a password login)."""

    def _login(username: str) -> Client:
        client.force_login(world[username])
        return client

    return _login
