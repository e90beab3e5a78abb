"""``ledger_append``: the one way an entry gets into the audit ledger.

It runs inside the caller's transaction, so the entry and the change it records commit together or
not at all. Appends are serialised so that the chain never forks and seq never has a gap: on
PostgreSQL by a transaction-level advisory lock, on SQLite by the write lock every weituo
transaction takes at BEGIN (``transaction_mode=IMMEDIATE`` in the settings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from weituo.accounts.actors import Actor

from .audited import object_type as type_of
from .canonical import GENESIS, canonical_bytes, entry_hash, plain
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

    @classmethod
    def of(
        cls, action: str, instance: models.Model, old: dict | None = None, new: dict | None = None, **kw: Any
    ) -> Change:
        return cls(action, type_of(type(instance)), str(instance.pk), old or {}, new or {}, **kw)


def _lock_and_tail() -> tuple[int, str]:
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_append must run inside the transaction of the change it records")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    last = LedgerEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    return last if last else (0, GENESIS)


def ledger_append(*, actor: Actor, change: Change) -> LedgerEntry:
    """Append one entry; returns it (its seq and hash)."""
    [entry] = ledger_append_many(actor=actor, changes=[change])
    return entry


def ledger_append_many(*, actor: Actor, changes: Iterable[Change]) -> list[LedgerEntry]:
    """Append entries for many changes of one transaction (an import) under one lock, in one bulk insert."""
    if not isinstance(actor, Actor):
        raise TypeError(f"the ledger needs an Actor (accounts.actors), not {actor!r}")
    with transaction.atomic():
        seq, prev = _lock_and_tail()
        at = timezone.now().astimezone(dt.UTC)
        org = str(actor.primary_organisation_id or "")
        entries = []
        for change in changes:
            seq += 1
            values = {
                "seq": seq,
                "at": at,
                "actor": actor.label,
                "organisation": org,
                "action": change.action,
                "object_type": change.object_type,
                "object_id": change.object_id,
                "old": plain(change.old),
                "new": plain(change.new),
                "reason": change.reason,
                "meaning": change.meaning,
                "prev_hash": prev,
            }
            prev = entry_hash(values)
            entries.append(
                LedgerEntry(
                    **{
                        **values,
                        "old": canonical_bytes(values["old"]).decode(),
                        "new": canonical_bytes(values["new"]).decode(),
                    },
                    actor_user_id=actor.user_id,
                    entry_hash=prev,
                )
            )
        LedgerEntry.objects.bulk_create(entries, batch_size=1000)
    return entries
