"""The trail cannot be off: a missing guard stops the server from starting, and migrate restores it."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from tests.exchange.dataset import load_mini
from tests.integrity.tamper import sql
from weituo.integrity.guards import _name, install_guards, missing_guards, require_guards
from weituo.integrity.services import ledger_checkpoint
from weituo.integrity.verify import verify_all

pytestmark = pytest.mark.django_db


def drop(kind: str, table: str) -> None:
    name = _name(kind, table)
    sql(f'DROP TRIGGER "{name}" ON "{table}"' if connection.vendor == "postgresql" else f'DROP TRIGGER "{name}"')


def test_all_guards_are_installed_after_migrate():
    assert missing_guards() == []
    require_guards()


@pytest.mark.parametrize(
    ("kind", "table"),
    [("noupd", "integrity_ledgerentry"), ("nodel", "integrity_ledgerentry"), ("shadow", "registry_product")],
)
def test_a_dropped_guard_stops_start_up(kind, table):
    if kind == "shadow" and connection.vendor == "sqlite":
        kind = "shadowu"
    drop(kind, table)
    assert missing_guards() == [_name(kind, table)]
    with pytest.raises(ImproperlyConfigured, match="refusing to start"):
        require_guards()
    with pytest.raises(CommandError, match="refusing to start"):
        call_command("runserver", "127.0.0.1:0", use_reloader=False, skip_checks=True)
    install_guards()  # what migrate does after every run
    assert missing_guards() == []


def test_rotated_key_keeps_old_checkpoints_verifiable():
    load_mini()
    first = ledger_checkpoint()
    call_command("ledger", "rotate-key", stdout=io.StringIO())
    second = ledger_checkpoint()
    assert first.key_id != second.key_id
    assert verify_all(records=False).ok
