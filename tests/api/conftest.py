"""The API tests' fixtures: one world per test module, built in a transaction rolled back at the end
of the module; each test runs in a savepoint of it (so nothing is ever deleted: the ledger refuses
DELETE and TRUNCATE)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from .world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def client(world, db) -> Client:
    return Client()
