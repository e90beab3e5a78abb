"""Audited writes: the shared body of every ``<entity>_create`` / ``<entity>_update`` service.

Each checks that the actor may write, validates the record (bilingual, per-field errors), saves it
and appends its ledger entry (old → new) in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from weituo.accounts.actors import Actor
from weituo.core.errors import PermissionDenied
from weituo.core.validation import validate

from .audited import diff, snapshot
from .ledger import Change, ledger_append


def require_writer(actor: Actor) -> None:
    """Refuse a write by an actor whose roles only read (viewers); every write service calls it first."""
    if not isinstance(actor, Actor):
        raise TypeError(f"a service needs an Actor (accounts.actors), not {actor!r}")
    if not actor.can_write:
        raise PermissionDenied(
            code="permission_denied",
            message_zh="您的角色只能查阅，不能修改",
            message_en="your role may read but not change records",
        )


@transaction.atomic
def record_create(*, actor: Actor, model: type[models.Model], reason: str = "", **fields: Any) -> models.Model:
    """Validate and store a new record of any model, with its ledger entry in the same transaction."""
    require_writer(actor)
    many = {
        name: fields.pop(name)
        for name in list(fields)
        if isinstance(model._meta.get_field(name), models.ManyToManyField)
    }
    instance = model(**fields)
    validate(instance)
    instance.save()
    for name, values in many.items():
        getattr(instance, name).set(values)
    ledger_append(actor=actor, change=Change.of("create", instance, new=snapshot(instance), reason=reason))
    return instance


@transaction.atomic
def record_update(*, actor: Actor, instance: models.Model, reason: str = "", **fields: Any) -> models.Model:
    """Validate and store changes to a record, ledgering old → new; ``status`` changes go through transitions."""
    require_writer(actor)
    if "status" in fields:
        raise ValueError("status changes go through the entity's transition service")
    before = snapshot(instance)
    for name, value in fields.items():
        instance._meta.get_field(name)  # an unknown field is a programming error, raised here
        setattr(instance, name, value)
    validate(instance)
    old, new = diff(before, snapshot(instance))
    if new:
        instance.save()
        ledger_append(actor=actor, change=Change.of("update", instance, old=old, new=new, reason=reason))
    return instance
