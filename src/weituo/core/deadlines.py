"""What a user's organisations owe, and by when: the "my deadlines" list, aggregated on the ground floor.

Each workflow contributes its own kinds of deadline through a provider (a selector taking ``actor``
and ``at``) that its app registers from ``AppConfig.ready`` with the labels of its kinds
(``register_deadlines``); ``my_deadlines`` merges them, soonest first, those without a time limit
last. The aggregator imports no workflow, so any app (letters, defects, reviews, findings) can add
its items without an upward import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .actors import Actor


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
    def kind_label_lazy(self) -> Any:
        """The label of the kind, translated when it is shown (a mail renders it in each language)."""
        return _LABELS.get(self.kind, self.kind)

    @property
    def kind_label(self) -> str:
        """The name of the kind in the UI's language; an unknown kind as it is."""
        return str(self.kind_label_lazy)

    @property
    def no_agreed_time_limit(self) -> bool:
        return self.due_at is None


Provider = Callable[..., list[Deadline]]
_PROVIDERS: list[Provider] = []
_LABELS: dict[str, Any] = {}


def register_deadlines(provider: Provider, *, labels: Mapping[str, Any]) -> None:
    """Add a workflow's provider and the labels of the kinds it returns (from ``AppConfig.ready``)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    _LABELS.update(labels)


def my_deadlines(*, actor: Actor, at: dt.datetime | None = None) -> list[Deadline]:
    """Everything the actor's organisations owe, soonest first (no time limit last)."""
    at = at or timezone.now()
    items = [d for provider in _PROVIDERS for d in provider(actor=actor, at=at)]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda d: (d.due_at or far, d.ref, d.kind))
