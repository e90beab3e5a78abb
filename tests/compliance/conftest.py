"""Fixtures of the compliance tests: the mini registry and the small demo (seed 7, whose seeded
agreement deficiencies all fall on drug contracts), each loaded once per module through the registry
import, in a transaction rolled back at the module's end; each test runs in a savepoint of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from tests.exchange.dataset import mini_dataset
from weituo.core.actors import system_actor
from weituo.demo.generator import AS_OF, DemoData, generate
from weituo.exchange.services import registry_import

SYSTEM = system_actor("tests: compliance")
DEMO_SEED = 7
DEMO_AS_OF = AS_OF  # the date the demo describes (2026-11-22)
MINI_AS_OF = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> DemoData:
    """The small demo, loaded; returns the generator's data with its catalogue of deficiencies."""
    data = generate(size="small", seed=DEMO_SEED)
    with django_db_blocker.unblock(), transaction.atomic():
        registry_import(actor=SYSTEM, dataset=data.dataset, source="compliance tests: small demo")
        yield data
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def mini(django_db_setup, django_db_blocker) -> dict:
    """The hand-written mini registry (tests.exchange.dataset), loaded."""
    dataset = mini_dataset()
    with django_db_blocker.unblock(), transaction.atomic():
        registry_import(actor=SYSTEM, dataset=dataset, source="compliance tests: mini")
        yield dataset
        transaction.set_rollback(True)
