"""The one audited write path: every service of every app changes GMP data through these functions.

    lock → check version → validate → save → ledger entry → transition

all in the caller's transaction, so the record and its ledger entry commit together or not at all.

- ``lock`` reads a record again under a row lock, if the actor may see it (else ``NotFound``), and
  refuses a stale copy (``StaleRecord``) when the caller passes the ``version`` it showed.
- ``create`` validates and stores a new record (built by the caller, or from a model and fields,
  many-to-many values included) with its ``create`` entry (full values).
- ``change`` sets fields, counts a new version, validates, saves and ledgers old → new.
- ``transition`` is a ``change`` of ``status`` that the record's transition table allows.
- ``record_update`` is ``change`` for plain edits of records without a workflow: nothing is written
  (and no entry) when nothing changed.

Two users acting on one record at once: the record is read ``select_for_update`` (PostgreSQL locks
the row; SQLite's ``BEGIN IMMEDIATE`` serialises the whole write), so the second waits for the first
and then sees its result — a transition already made is refused by the transition table, never
silently made twice.

The optimistic version of a record is an integer field named ``version``; a model without one (a
registry row) is changed without it. Each entry records the organisation the action is for: the
service names it (the party it checked the actor acts for); left out, it is the actor's organisation
when the actor has exactly one, else the record's own organisation or the one party of its contract
the actor writes for, and blank while that stays ambiguous.

Outside this module, entries are appended only by the ledger itself and by the named bulk writers
listed in ``docs/architecture.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import require_writer
from weituo.core.actors import Actor
from weituo.core.errors import InvalidTransition, NotFound
from weituo.core.i18n import detail, messages
from weituo.core.i18n import not_found as i18n_not_found
from weituo.core.transitions import check_transition
from weituo.core.validation import validate

from .actions import CHANGE_ACTIONS, LedgerAction
from .audited import diff, snapshot
from .ledger import Change, ledger_append

M = TypeVar("M", bound=models.Model)


class StaleRecord(InvalidTransition):
    """The record changed since the actor read it: nothing was written (HTTP 409 like any conflict)."""


def not_found(model: type[models.Model], key: Any) -> NotFound:
    """The refusal of a record the actor cannot see, or that does not exist (never told apart)."""
    return i18n_not_found(model._meta.verbose_name, key)


def _party_organisation(actor: Actor, instance: models.Model, acting_for: int | None) -> int | None:
    """The organisation an entry is for when the service did not name it.

    An actor of one organisation acts for it (the ledger records it without asking). Otherwise the
    record's own organisation (a site's, a product's holder) or, for a record between the two parties
    of a contract, the party the actor writes for; ``None`` (blank) while it stays ambiguous — a system
    job on a two-party record, or a user who writes for both parties (the service must name the party).
    """
    if acting_for is not None:
        return acting_for
    if not actor.writes_anywhere and len(actor.organisation_ids()) <= 1:
        return None
    owners = _owners(instance, follow=not actor.writes_anywhere)
    if not actor.writes_anywhere:
        owners = [o for o in owners if o in actor.writer_organisations()]
    return owners[0] if len(owners) == 1 else None


def record_organisation(instance: models.Model) -> int | None:
    """The one organisation a record belongs to (an organisation itself, a site's, a product's
    holder), read without a query; ``None`` for a record of two parties or of none. The bulk writers
    (the registry import) enter each row for it."""
    owners = _owners(instance, follow=False)
    return owners[0] if len(owners) == 1 else None


def _owners(instance: models.Model, *, follow: bool) -> list[int]:
    """The organisations a record belongs to: its own, or the two parties of its contract (read
    through the record's contract, batch or event only when ``follow``: that costs a query)."""
    for attr in getattr(instance, "owner_attributes", ("organisation_id", "holder_id")):
        owner = getattr(instance, attr, None)
        if owner is not None:
            return [owner]
    if hasattr(instance, "mah_id") and hasattr(instance, "cmo_id"):
        return [o for o in (instance.mah_id, instance.cmo_id) if o is not None]
    if not follow:
        return []
    for path in ("contract", "batch", "event"):
        if getattr(instance, f"{path}_id", None) is not None:
            return _owners(getattr(instance, path), follow=True)
    return []


def has_version(model: type[models.Model]) -> bool:
    """Whether the model carries an optimistic version (an integer field named ``version``)."""
    try:
        field = model._meta.get_field("version")
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.IntegerField)


def lock(actor: Actor, instance: M, *, expected_version: int | None = None) -> M:
    """``instance`` read again under a row lock, if the actor may see it (else ``NotFound``), and
    refused (``StaleRecord``) if ``expected_version`` is given and is not the stored version."""
    model = type(instance)
    if not policy.visible(actor, model).filter(pk=instance.pk).exists():
        raise not_found(model, getattr(instance, "ref", instance.pk))
    locked = model._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None:
        if not has_version(model):
            raise TypeError(f"{model._meta.label} has no version to compare")
        if locked.version != expected_version:
            raise StaleRecord(
                code="stale_record",
                **messages(
                    gettext_lazy(
                        "the record was changed by someone else (you saw version %(expected_version)s, it is now version %(version)s); reload it and try again"
                    ),
                    expected_version=expected_version,
                    version=locked.version,
                ),
                details=[detail(gettext_lazy("stale version"), field="version")],
            )
    return locked


def create(
    actor: Actor,
    instance: M,
    *,
    reason: str = "",
    acting_for: int | None = None,
    many: Mapping[str, Any] | None = None,
    recorded: Mapping[str, Any] | None = None,
) -> M:
    """Validate and store a new record built by the caller (and its many-to-many values), with its
    ``create`` entry: every stored value, or ``recorded`` where a value must stay out of the ledger
    (a password hash, a token's digest: the ledger is shown to counterparties)."""
    require_writer(actor)
    validate(instance)
    instance.save()
    for name, values in (many or {}).items():
        getattr(instance, name).set(values)
    acting_for = _party_organisation(actor, instance, acting_for)
    ledger_append(
        actor=actor,
        change=Change.of(
            "create",
            instance,
            new=snapshot(instance) if recorded is None else dict(recorded),
            reason=reason,
            organisation=acting_for,
        ),
    )
    return instance


def change(
    actor: Actor,
    instance: M,
    *,
    action: str = "update",
    reason: str = "",
    meaning: str = "",
    acting_for: int | None = None,
    many: Mapping[str, Any] | None = None,
    **fields: Any,
) -> M:
    """Set ``fields`` (and the many-to-many values in ``many``), count a new version, validate, save
    and ledger old → new (``update``/``transition``)."""
    require_writer(actor)
    before = _set(instance, fields)
    return _save(actor, instance, before, action, reason, meaning, acting_for, many)


def _set(instance: models.Model, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Set ``fields`` on ``instance``; returns its values before."""
    before = snapshot(instance)
    for name, value in fields.items():
        instance._meta.get_field(name)  # an unknown field is a programming error, raised here
        setattr(instance, name, value)
    return before


def _save(
    actor: Actor,
    instance: M,
    before: dict[str, Any],
    action: str,
    reason: str,
    meaning: str,
    acting_for: int | None,
    many: Mapping[str, Any] | None,
) -> M:
    if action not in ("update", "transition"):
        raise ValueError("the ledger replays only update and transition entries as changes")
    if has_version(type(instance)):
        instance.version += 1
    validate(instance)
    instance.save()
    for name, values in (many or {}).items():
        getattr(instance, name).set(values)
    old, new = diff(before, snapshot(instance))
    acting_for = _party_organisation(actor, instance, acting_for)
    ledger_append(
        actor=actor,
        change=Change.of(action, instance, old=old, new=new, reason=reason, meaning=meaning, organisation=acting_for),
    )
    return instance


def transition(
    actor: Actor,
    instance: M,
    table: Mapping[str, Set[str]],
    to: str,
    *,
    reason: str = "",
    acting_for: int | None = None,
    **fields: Any,
) -> M:
    """A status change allowed by ``table`` (else ``InvalidTransition``), with the fields it sets.

    Unlike ``check_transition`` alone, staying put is refused too: acknowledging an acknowledged
    event again would silently replace who acknowledged it (the second of two users acting at once).
    """
    if instance.status == to:
        label = dict(instance._meta.get_field("status").choices).get(to, to)
        raise InvalidTransition(
            code="already_in_status",
            **messages(
                gettext_lazy("the %(what)s is already %(status)s; nothing was changed"),
                what=instance._meta.verbose_name,
                status=label,
            ),
            details=[detail(gettext_lazy("already %(to)s"), to=label, field="status")],
        )
    check_transition(table, instance.status, to)
    return change(actor, instance, action="transition", reason=reason, acting_for=acting_for, status=to, **fields)


@transaction.atomic
def record_create(*, actor: Actor, model: type[M], reason: str = "", acting_for: int | None = None, **fields: Any) -> M:
    """``create`` from a model and its fields (many-to-many fields given as lists of rows or ids)."""
    many = {
        name: fields.pop(name)
        for name in list(fields)
        if isinstance(model._meta.get_field(name), models.ManyToManyField)
    }
    return create(actor, model(**fields), reason=reason, acting_for=acting_for, many=many)


@transaction.atomic
def record_update(
    *,
    actor: Actor,
    instance: M,
    reason: str = "",
    acting_for: int | None = None,
    many: Mapping[str, Any] | None = None,
    **fields: Any,
) -> M:
    """A plain edit: ``change``, except that nothing is written (and no entry) when no value changes.
    ``status`` changes go through ``transition``."""
    require_writer(actor)
    if "status" in fields:
        raise ValueError("status changes go through the entity's transition service")
    before = _set(instance, fields)
    if many:
        unchanged_many = all(
            sorted(getattr(instance, name).values_list("pk", flat=True))
            == sorted(v.pk if isinstance(v, models.Model) else v for v in values)
            for name, values in many.items()
        )
    else:
        unchanged_many = True
    if unchanged_many and not diff(before, snapshot(instance))[1]:
        validate(instance)
        return instance
    return _save(actor, instance, before, "update", reason, "", acting_for, many)


def note(
    actor: Actor,
    instance: models.Model,
    action: LedgerAction | str,
    values: Mapping[str, Any],
    *,
    reason: str = "",
    meaning: str = "",
    acting_for: int | None = None,
) -> None:
    """Ledger an act on a record that changes none of its values — a mail sent or failed, a refused
    attempt — in its own transaction when the caller has none, so the record of a refusal survives
    the refusal's rollback."""
    if action in CHANGE_ACTIONS:
        raise ValueError(f"{action!r} changes a record: use create, change or transition")
    with transaction.atomic():
        ledger_append(
            actor=actor,
            change=Change.of(
                str(action),
                instance,
                new=dict(values),
                reason=reason,
                meaning=meaning,
                organisation=_party_organisation(actor, instance, acting_for),
            ),
        )
