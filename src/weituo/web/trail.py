"""The audit-trail panel and the signature manifestations, as every record page shows them.

The entries come from ``integrity.selectors.record_trail`` (or ``contracts.selectors.contract_trail``
for a contract with its agreements); here they are only turned into rows a person can read: who,
when (Asia/Shanghai), what, old → new, why — field names and values in the UI's language (a choice by
its label, a related record by its name, a time in China Standard Time), never a column name, an
enum code, an internal id or a UTC timestamp.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils.translation import gettext as _

from weituo.access import policy
from weituo.core.actors import Actor
from weituo.integrity.actions import action_label
from weituo.integrity.models import LedgerEntry, Signature
from weituo.integrity.selectors import record_trail, signature_manifestations

from .labels import OBJECT_LABELS
from .templatetags.weituo_web import shanghai


@dataclass
class FieldChange:
    name: str
    old: str
    new: str


@dataclass
class TrailRow:
    seq: int
    at: Any  # aware datetime; the template shows it in Asia/Shanghai
    actor: str
    action: str
    action_label: str
    record: str
    reason: str
    meaning: str
    changes: list[FieldChange] = field(default_factory=list)


Renderer = Callable[[Any], str]  # a raw stored value → what the page shows

# A timestamp as the ledger stores it (canonical ISO 8601, UTC).
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")
# The field a related record is named by on the trail, in order of preference (a cheap column, never
# ``__str__``, which may walk foreign keys).
_NAME_FIELDS = ("name", "title", "number", "ref", "username")


def _moment(text: str) -> str:
    """An ISO timestamp in China Standard Time, as every page shows times (the ``shanghai`` filter)."""
    try:
        return shanghai(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return text


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    for f in model._meta.get_fields():
        if f.name == name or getattr(f, "attname", None) == name:
            return f  # type: ignore[return-value]
    return None


def _field_label(model: type[models.Model] | None, name: str) -> str:
    """A field as the UI names it: its verbose name in the UI's language (never the column name)."""
    f = _field(model, name)
    if f is not None and getattr(f, "verbose_name", None):
        return str(f.verbose_name)
    return name.removesuffix("_id").replace("_", " ")


def _related(f: models.Field | None) -> type[models.Model] | None:
    return f.related_model if f is not None and f.is_relation and f.related_model is not None else None  # type: ignore[return-value]


class _Names:
    """The names of the records a trail refers to by id, read once per related model and only for
    the records the reader may see (an id of a record they may not see is never shown, nor its name)."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.wanted: dict[type[models.Model], set[Any]] = {}
        self.found: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, model: type[models.Model], value: Any) -> None:
        for v in value if isinstance(value, list) else [value]:
            if v is not None and v != "":
                self.wanted.setdefault(model, set()).add(v)

    def load(self) -> None:
        """One query, whatever the trail holds (a UNION of one narrowed select per related model), so
        that a page's cost does not depend on which records its newest entries happen to name."""
        user_model = get_user_model()
        selects: list[QuerySet] = []
        models_by_label: dict[str, type[models.Model]] = {}
        for model, ids in self.wanted.items():
            label = model._meta.label_lower
            if model is user_model:
                # The people a visible record names (who decided, who closed), as its page shows them.
                qs = user_model.objects.filter(pk__in=ids)
                # The full name (first_name holds it, as user_create stores it), else the username.
                full = Concat("first_name", "last_name", output_field=CharField())
                name: Any = Coalesce(NullIf(full, Value("")), "username", output_field=CharField())
            else:
                column = next((n for n in _NAME_FIELDS if _field(model, n) is not None), None)
                try:
                    qs = policy.visible(self.actor, model).filter(pk__in=ids)
                except LookupError:  # a model the policy has no rule for is named by nobody
                    continue
                name = Cast(column or "pk", output_field=CharField())
            models_by_label[label] = model
            selects.append(
                qs.order_by()
                .annotate(_model=Value(label, output_field=CharField()), _name=name)
                .values_list("_model", "pk", "_name")
            )
        if not selects:
            return
        first, *rest = selects
        for label, pk, name in first.union(*rest, all=True) if rest else first:
            self.found[models_by_label[label], pk] = str(name)

    def name(self, model: type[models.Model], value: Any) -> str:
        return self.found.get((model, value), str(_("(not shown)")))


def _value(v: Any, f: models.Field | None = None, names: _Names | None = None) -> str:
    if v is None or v == "":
        return "—"
    related = _related(f)
    if related is not None and names is not None:
        if isinstance(v, list):
            return "、".join(names.name(related, x) for x in v) or "—"
        return names.name(related, v)
    if f is not None and getattr(f, "choices", None):
        labels = dict(f.flatchoices)  # type: ignore[attr-defined]
        if isinstance(v, list):
            return "、".join(str(labels.get(x, x)) for x in v)
        if v in labels:
            return str(labels[v])
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, list):
        return ", ".join(_value(x) for x in v) or "—"
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    if isinstance(v, str) and _ISO_MOMENT.match(v):
        return _moment(v)
    return str(v)


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _load(entry: LedgerEntry) -> tuple[dict[str, Any], dict[str, Any]] | None:
    try:
        old, new = json.loads(entry.old or "{}"), json.loads(entry.new or "{}")
    except json.JSONDecodeError:
        return None
    return (old, new) if isinstance(old, dict) and isinstance(new, dict) else None


def _changes(
    entry: LedgerEntry, model: type[models.Model] | None, names: _Names, render: Mapping[str, Renderer]
) -> list[FieldChange]:
    loaded = _load(entry)
    if loaded is None:
        return [FieldChange("", entry.old, entry.new)]
    old, new = loaded
    out = []
    for n in dict.fromkeys([*new, *old]):
        f = _field(model, n)

        def shown(v: Any, n: str = n, f: models.Field | None = f) -> str:
            return render[n](v) if n in render and v not in (None, "") else _value(v, f, names)

        out.append(FieldChange(_field_label(model, n), shown(old[n]) if n in old else "", shown(new.get(n))))
    return out


def _meaning(meaning: str) -> str:
    """A signature's meaning as its label (the ledger stores the code)."""
    return str(Signature.Meaning(meaning).label) if meaning in Signature.Meaning.values else meaning


def actor_label(recorded: str) -> str:
    """Who acted, as the ledger names them: a user ("sun.li（孙丽）") as is, a system job by its purpose."""
    if recorded.startswith("system:"):
        return f"{_('system job')}：{recorded.removeprefix('system:')}"
    return recorded


# The panel shows the newest entries; the whole history is one click away (?trail=all). A page's cost
# must not grow with the age of the record it shows.
TRAIL_LIMIT = 25


def trail_rows(
    entries: list[LedgerEntry],
    *,
    actor: Actor,
    names: dict[tuple[str, str], str] | None = None,
    limit: int | None = TRAIL_LIMIT,
    render: Mapping[tuple[str, str], Renderer] | None = None,
) -> list[TrailRow]:
    """Readable rows, newest first, at most ``limit`` of them. ``names`` labels the records of a
    multi-record trail; ids in the values are shown as the names of the records ``actor`` may see.
    ``render`` shows a field's value the page's own way: (object type, field name) → renderer (a
    device batch's release step is 生产放行, where the step's choice label would say 出厂放行)."""
    by_type: dict[str, dict[str, Renderer]] = {}
    for (object_type_, field_name), renderer in (render or {}).items():
        by_type.setdefault(object_type_, {})[field_name] = renderer
    newest = list(reversed(entries[-limit:] if limit else entries))
    related = _Names(actor)
    for e in newest:
        model, loaded = _model(e.object_type), _load(e)
        for n, v in ({**loaded[0], **loaded[1]} if loaded else {}).items():
            target = _related(_field(model, n))
            if target is not None:
                related.want(target, v)
    related.load()
    rows = []
    for e in newest:
        model = _model(e.object_type)
        kind = str(OBJECT_LABELS.get(e.object_type) or (model._meta.verbose_name if model else _("record")))
        name = (names or {}).get((e.object_type, e.object_id), "")
        rows.append(
            TrailRow(
                seq=e.seq,
                at=e.at,
                actor=actor_label(e.actor),
                action=e.action,
                action_label=action_label(e.action),
                record=f"{kind} {name}".strip() if names is not None else kind,
                reason=e.reason,
                meaning=_meaning(e.meaning),
                changes=_changes(e, model, related, by_type.get(e.object_type, {})),
            )
        )
    return rows


def timeline(
    entries: list[LedgerEntry],
    *,
    actor: Actor,
    names: Mapping[tuple[str, str], str],
    render: Mapping[tuple[str, str], Renderer] | None = None,
) -> list[TrailRow]:
    """A record's whole story, oldest first (the event, audit and batch pages): every entry as a
    trail row, each record named the page's way by ``names`` (object type, id) → name."""
    rows = list(reversed(trail_rows(entries, actor=actor, limit=None, render=render)))
    for entry, row in zip(entries, rows, strict=True):
        row.record = names.get((entry.object_type, entry.object_id)) or row.record
    return rows


def trail_context(
    entries: list[LedgerEntry], *, actor: Actor, full: bool, names: dict[tuple[str, str], str] | None = None
) -> dict:
    """The trail panel's context: its rows and how many entries there are in all."""
    rows = trail_rows(entries, actor=actor, names=names, limit=None if full else TRAIL_LIMIT)
    return {"trail": rows, "trail_total": len(entries)}


def record_panels(*, actor: Actor, record: models.Model, full: bool = False) -> dict[str, Any]:
    """The context of the trail panel and the signature list of one record."""
    return {
        **trail_context(record_trail(actor=actor, record=record), actor=actor, full=full),
        "signatures": signature_manifestations(actor=actor, record=record),
    }
