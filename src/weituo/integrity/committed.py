"""What a committed transaction changed, told once to the apps that derive data from it.

Every write of GMP data goes through the ledger, so the ledger's append is the one place that sees
each change. It hands the changes here; after the transaction commits, each registered observer is
called once with everything the transaction ledgered (a service that writes a record and its ten
lines is one call, not eleven). An app above the integrity floor (compliance: re-check what a change
affects) registers its observer in its ``AppConfig.ready``; integrity imports none of them.

Why a buffer per connection and a flush per append: Django discards the ``on_commit`` callbacks of
a rolled-back savepoint, so registering only once per transaction could lose the flush; every append
registers one, the first to run takes the whole buffer, the rest find it empty. Changes of a
rolled-back savepoint stay in the buffer and are told too: an observer must read the current state
(a re-check of something that did not change is only wasted work). A buffer with no flush pending
belongs to a transaction that is over (told, or rolled back as a whole) and is started afresh.

An observer that fails is logged, never raised: the record is committed, and a derived view that
lags is repaired by the next scan. ``paused()`` holds the observers back (a bulk load that ends
with a full scan of its own).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Committed:
    """One ledgered change, as the observers see it: what changed, and its values before."""

    action: str
    object_type: str
    object_id: str
    old: dict[str, Any]
    actor: str  # the label of who made the change


Observer = Callable[[Sequence[Committed]], None]

_observers: dict[str, Observer] = {}
_local = threading.local()
BUFFER = "weituo_committed"  # attribute of the connection wrapper: one buffer per thread's connection


def register(name: str, observer: Observer) -> None:
    """Call ``observer`` after each commit that ledgered something (re-registering a name replaces it)."""
    _observers[name] = observer


@contextmanager
def paused() -> Iterator[None]:
    """No observer is told of what commits inside (nested pauses stay paused until the outermost ends)."""
    depth = getattr(_local, "paused", 0)
    _local.paused = depth + 1
    try:
        yield
    finally:
        _local.paused = depth


def is_paused() -> bool:
    return getattr(_local, "paused", 0) > 0


def collect(changes: Sequence[Any], actor_label: str) -> None:
    """Remember what this transaction ledgered (``ledger.Change`` objects) and flush after commit."""
    if not _observers or is_paused() or not changes:
        return
    buffer: list[Committed] = getattr(connection, BUFFER, None) or []
    if not any(func is flush for _sids, func, _robust in connection.run_on_commit):
        buffer = []  # no flush pending: what is buffered was told already or rolled back with its transaction
    buffer.extend(Committed(c.action, c.object_type, c.object_id, dict(c.old), actor_label) for c in changes)
    setattr(connection, BUFFER, buffer)
    transaction.on_commit(flush)


def flush() -> None:
    buffer: list[Committed] = getattr(connection, BUFFER, None) or []
    if not buffer:
        return
    setattr(connection, BUFFER, [])  # detached first: the observers' own writes start a new buffer
    if is_paused():
        return
    for name, observer in list(_observers.items()):
        try:
            observer(tuple(buffer))
        except Exception:  # the record is committed; a lagging derived view is repaired by the next scan
            log.exception("observer %s failed after a commit of %d change(s)", name, len(buffer))


def other_than_flush(callbacks: Sequence[Callable[[], Any]]) -> list[Callable[[], Any]]:
    """The ``on_commit`` callbacks of a transaction other than this module's (a test counting the
    mails a service schedules should not count the flush every ledgered write registers)."""
    return [c for c in callbacks if c is not flush]
