"""``ledger_append``: the one way an entry gets into the audit ledger.

It runs inside the caller's transaction, so the entry and the change it records commit together or
not at all. Appends are serialised so that the chain never forks and seq never has a gap: on
PostgreSQL by a transaction-level advisory lock, on SQLite by the write lock every weituo
transaction takes at BEGIN (``transaction_mode=IMMEDIATE`` in the settings).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.utils import timezone

from weituo.core.actors import Actor

from . import committed
from .actions import LedgerAction
from .audited import object_type as type_of
from .canonical import GENESIS, canonical_bytes, plain, stored_entry_bytes
from .models import LedgerEntry

ADVISORY_LOCK_KEY = 0x77656974756F  # "weituo"


@dataclass
class Change:
    """One thing to record: an action on an object, with old and new values."""

    action: str
    object_type: str
    object_id: str
    old: dict[str, Any] = field(default_factory=dict)
    new: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    meaning: str = ""
    organisation: int | None = None  # the organisation the action is for, named by the service

    @classmethod
    def of(
        cls, action: str, instance: models.Model, old: dict | None = None, new: dict | None = None, **kw: Any
    ) -> Change:
        return cls(action, type_of(type(instance)), str(instance.pk), old or {}, new or {}, **kw)


COLUMNS = (
    "seq", "at", "actor", "actor_user_id", "organisation", "action", "object_type", "object_id",
    "old", "new", "reason", "meaning", "prev_hash", "entry_hash",
)  # fmt: skip


def _lock_and_tail() -> tuple[int, str]:
    """Take the append lock, then read the last entry (two statements: the read must see what the
    previous lock holder committed, so it cannot share a snapshot taken before the lock)."""
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        cursor.execute(f"SELECT seq, entry_hash FROM {table} ORDER BY seq DESC LIMIT 1")
        last = cursor.fetchone()
    return (last[0], last[1]) if last else (0, GENESIS)


def ledger_append(*, actor: Actor, change: Change) -> LedgerEntry:
    """Append one entry; returns it (its seq and hash)."""
    [entry] = ledger_append_many(actor=actor, changes=[change])
    return entry


def ledger_append_many(*, actor: Actor, changes: Iterable[Change]) -> list[LedgerEntry]:
    """Append entries for many changes of one transaction (an import) under one lock, in one bulk insert.

    Raw SQL on purpose: the append is on the path of every write, and the ORM's query building cost
    more than the statements themselves (benchmarks/ledger.py).
    """
    if not isinstance(actor, Actor):
        raise TypeError(f"the ledger needs an Actor (weituo.core.actors), not {actor!r}")
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_append must run inside the transaction of the change it records")
    changes = list(changes)
    unknown = sorted({c.action for c in changes} - set(LedgerAction.values))
    if unknown:
        raise ValueError(f"unknown ledger action(s) {unknown}: add them to integrity.actions.LedgerAction")
    seq, prev = _lock_and_tail()
    at = timezone.now().astimezone(dt.UTC)
    at_text, at_db = plain(at), connection.ops.adapt_datetimefield_value(at)
    label = actor.label
    own = actor.organisation_ids()
    default_org = str(next(iter(own))) if len(own) == 1 else ""
    entries, rows = [], []
    for change in changes:
        seq += 1
        org = str(change.organisation) if change.organisation is not None else default_org
        old, new = canonical_bytes(change.old).decode(), canonical_bytes(change.new).decode()
        digest = hashlib.sha256(
            stored_entry_bytes(
                seq=seq, at=at_text, actor=label, organisation=org, action=change.action,
                object_type=change.object_type, object_id=change.object_id, old_text=old, new_text=new,
                reason=change.reason, meaning=change.meaning, prev_hash=prev,
            )
        ).hexdigest()  # fmt: skip
        values = (seq, at, label, actor.user_id, org, change.action, change.object_type, change.object_id,
                  old, new, change.reason, change.meaning, prev, digest)  # fmt: skip
        rows.append((*values[:1], at_db, *values[2:]))
        entries.append(LedgerEntry(**dict(zip(COLUMNS, values, strict=True))))
        prev = digest
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    insert = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(insert, rows[start : start + 1000])
    committed.collect(changes, label)
    return entries
