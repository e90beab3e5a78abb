"""What the workflows above batches do when a batch is registered, in ``batch_create``'s transaction.

Quality registers the art. 11 duties of a major change's first batches here (from its
``AppConfig.ready``), so batches imports no quality module and quality keeps its own rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weituo.core.actors import Actor

from .models import Batch

OnCreated = Callable[..., Any]  # called as f(actor=..., batch=...)
_ON_CREATED: list[OnCreated] = []


def register_on_created(handler: OnCreated) -> None:
    if handler not in _ON_CREATED:
        _ON_CREATED.append(handler)


def batch_created(*, actor: Actor, batch: Batch) -> None:
    for handler in _ON_CREATED:
        handler(actor=actor, batch=batch)
