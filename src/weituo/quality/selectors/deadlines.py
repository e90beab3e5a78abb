"""What a user's organisations owe, and by when: the "my deadlines" list.

Each workflow contributes its own kinds of deadline through a provider (a selector taking ``actor``
and ``at``); ``my_deadlines`` merges them, soonest first, those without a time limit last. A
workflow adds its provider to ``PROVIDERS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from weituo.accounts.actors import Actor
from weituo.accounts.roles import WRITER_ROLES

from ..choices import SIDE_OF_PARTY, DeadlineKind, EventParty


@dataclass(frozen=True)
class Deadline:
    """One thing owed by a time: acknowledging an event, implementing a CAPA, answering a notice…

    ``kind`` names what is owed (``acknowledge``, ``capa`` …, one per provider's need); ``record`` is
    the record to open; ``event`` and ``capa`` are set for the kinds that concern them.
    """

    kind: str
    ref: str
    title: str
    record: Any
    due_at: dt.datetime | None  # None: no time limit was agreed
    provisional: bool
    overdue: bool
    event: Any = None
    capa: Any = None
    time_limit: int | None = None
    time_unit: str = ""

    @property
    def kind_label(self) -> str:
        """The bilingual name of the kind ("确认质量事件 acknowledge the event"); an unknown kind as it is."""
        known = DeadlineKind._value2member_map_.get(self.kind)
        return str(known.label) if known is not None else self.kind

    @property
    def no_agreed_time_limit(self) -> bool:
        return self.due_at is None


Provider = Callable[..., list[Deadline]]


def writer_orgs(actor: Actor) -> dict[str, set[int]]:
    """The organisations where the actor holds a writer role, by party (viewers owe nothing)."""
    orgs: dict[str, set[int]] = {EventParty.MAH: set(), EventParty.CMO: set()}
    for m in actor.memberships:
        for party, side in SIDE_OF_PARTY.items():
            if m.side == side and m.role in WRITER_ROLES and m.organisation_id is not None:
                orgs[party].add(m.organisation_id)
    return orgs


def _providers() -> list[Provider]:
    # Imported here: the workflow selector modules import this module for ``Deadline``.
    from .audits import audit_deadlines
    from .changes import change_deadlines
    from .events import event_deadlines
    from .shared_line import assessment_deadlines

    return [event_deadlines, audit_deadlines, change_deadlines, assessment_deadlines]


def my_deadlines(*, actor: Actor, at: dt.datetime | None = None) -> list[Deadline]:
    """Everything the actor's organisations owe, soonest first (no time limit last)."""
    at = at or timezone.now()
    items = [d for provider in _providers() for d in provider(actor=actor, at=at)]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda d: (d.due_at or far, d.ref, d.kind))
