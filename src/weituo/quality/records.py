"""The shared body of the quality and batch services: lock a record the actor may see, refuse a stale
copy, and change it with its ledger entry (full old → new values) in the caller's transaction.

Two users acting on one record at once: the record is read ``select_for_update`` (PostgreSQL locks
the row; SQLite's ``BEGIN IMMEDIATE`` serialises the whole write), so the second waits for the first
and then sees its result — a transition already made is refused by the transition table, never
silently made twice. A client that shows a record and submits a change later passes the
``version`` it showed: if anyone changed the record since, the change is refused (``StaleRecord``)
instead of overwriting what it never saw.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any, TypeVar

from django.db import models

from weituo.accounts import policy
from weituo.accounts.actors import Actor
from weituo.core.errors import ErrorDetail, InvalidTransition, NotFound
from weituo.core.transitions import check_transition
from weituo.core.validation import validate
from weituo.integrity.audited import diff, snapshot
from weituo.integrity.ledger import Change, ledger_append
from weituo.integrity.writes import require_writer

M = TypeVar("M", bound=models.Model)


class StaleRecord(InvalidTransition):
    """The record changed since the actor read it: nothing was written (HTTP 409 like any conflict)."""


def not_found(model: type[models.Model], key: Any) -> NotFound:
    what = str(model._meta.verbose_name)
    return NotFound(
        code="not_found",
        message_zh=f"未找到{what} {key}",
        message_en=f"{model._meta.model_name} {key} not found",
        details=[ErrorDetail(f"未找到 {key}", f"{key} not found", field="ref")],
    )


def lock(actor: Actor, instance: M, *, expected_version: int | None = None) -> M:
    """``instance`` read again under a row lock, if the actor may see it (else ``NotFound``), and
    refused (``StaleRecord``) if ``expected_version`` is given and is not the stored version."""
    model = type(instance)
    if not policy.visible(actor, model).filter(pk=instance.pk).exists():
        raise not_found(model, getattr(instance, "ref", instance.pk))
    locked = model._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and getattr(locked, "version", None) != expected_version:
        raise StaleRecord(
            code="stale_record",
            message_zh=f"记录已被他人修改（您看到的是第 {expected_version} 版，当前为第 {locked.version} 版），请刷新后重试",
            message_en=(
                f"the record was changed by someone else (you saw version {expected_version}, it is now "
                f"version {locked.version}); reload it and try again"
            ),
            details=[ErrorDetail("版本已过期", "stale version", field="version")],
        )
    return locked


def change(
    actor: Actor, instance: M, *, action: str = "update", reason: str = "", meaning: str = "", **fields: Any
) -> M:
    """Set ``fields``, count a new version, validate, save and ledger old → new (``update``/``transition``)."""
    require_writer(actor)
    if action not in ("update", "transition"):
        raise ValueError("the ledger replays only update and transition entries as changes")
    before = snapshot(instance)
    for name, value in fields.items():
        instance._meta.get_field(name)  # an unknown field is a programming error, raised here
        setattr(instance, name, value)
    if hasattr(instance, "version"):
        instance.version += 1
    validate(instance)
    instance.save()
    old, new = diff(before, snapshot(instance))
    ledger_append(actor=actor, change=Change.of(action, instance, old=old, new=new, reason=reason, meaning=meaning))
    return instance


def transition(
    actor: Actor, instance: M, table: Mapping[str, Set[str]], to: str, *, reason: str = "", **fields: Any
) -> M:
    """A status change allowed by ``table`` (else ``InvalidTransition``), with the fields it sets.

    Unlike ``check_transition`` alone, staying put is refused too: acknowledging an acknowledged
    event again would silently replace who acknowledged it (the second of two users acting at once).
    """
    if instance.status == to:
        label = dict(instance._meta.get_field("status").choices).get(to, to)
        raise InvalidTransition(
            code="already_in_status",
            message_zh=f"{instance._meta.verbose_name}已是「{label}」状态，未做任何修改",
            message_en=f"the {instance._meta.model_name} is already {to}; nothing was changed",
            details=[ErrorDetail(f"已是 {to}", f"already {to}", field="status")],
        )
    check_transition(table, instance.status, to)
    return change(actor, instance, action="transition", reason=reason, status=to, **fields)


def create(actor: Actor, instance: M, *, reason: str = "") -> M:
    """Validate and store a new record built by the caller, with its ``create`` entry (full values)."""
    require_writer(actor)
    validate(instance)
    instance.save()
    ledger_append(actor=actor, change=Change.of("create", instance, new=snapshot(instance), reason=reason))
    return instance
