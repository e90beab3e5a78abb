"""The audit-trail panel and the signature manifestations, as every record page shows them.

The entries come from ``integrity.selectors.record_trail`` (or ``contracts.selectors.contract_trail``
for a contract with its agreements); here they are only turned into rows a person can read: who,
when (Asia/Shanghai), what, old → new, why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from weituo.accounts.actors import Actor
from weituo.integrity.models import LedgerEntry
from weituo.integrity.selectors import record_trail, signature_manifestations

from .labels import ACTION_LABELS, OBJECT_LABELS


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


def _value(v: Any) -> str:
    if v is None or v == "":
        return "—"
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, list):
        return ", ".join(_value(x) for x in v) or "—"
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def _field_label(model: type[models.Model] | None, name: str) -> str:
    """A field as the UI names it: the model's (Chinese) verbose name, or in English the field's name."""
    if model is not None and (get_language() or "").startswith("zh"):
        label = _chinese_labels(model).get(name)
        if label is not None:
            return label
    return name.removesuffix("_id").replace("_", " ")


@cache
def _chinese_labels(model: type[models.Model]) -> dict[str, str]:
    labels = {}
    for f in model._meta.get_fields():
        label = str(getattr(f, "verbose_name", f.name))
        labels.setdefault(f.name, label)
        if getattr(f, "attname", None):
            labels.setdefault(f.attname, label)
    return labels


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _changes(entry: LedgerEntry, model: type[models.Model] | None) -> list[FieldChange]:
    try:
        old, new = json.loads(entry.old or "{}"), json.loads(entry.new or "{}")
    except json.JSONDecodeError:
        return [FieldChange("", entry.old, entry.new)]
    names = list(dict.fromkeys([*new, *old]))
    return [FieldChange(_field_label(model, n), _value(old[n]) if n in old else "", _value(new.get(n))) for n in names]


# The panel shows the newest entries; the whole history is one click away (?trail=all). A page's cost
# must not grow with the age of the record it shows.
TRAIL_LIMIT = 25


def trail_rows(
    entries: list[LedgerEntry], *, names: dict[tuple[str, str], str] | None = None, limit: int | None = TRAIL_LIMIT
) -> list[TrailRow]:
    """Readable rows, newest first, at most ``limit`` of them. ``names`` labels the records of a multi-record trail."""
    rows = []
    newest = entries[-limit:] if limit else entries
    for e in reversed(newest):
        model = _model(e.object_type)
        kind = str(OBJECT_LABELS.get(e.object_type, e.object_type))
        name = (names or {}).get((e.object_type, e.object_id), "")
        rows.append(
            TrailRow(
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                action_label=str(ACTION_LABELS.get(e.action, e.action)),
                record=f"{kind} {name}".strip() if names is not None else kind,
                reason=e.reason,
                meaning=e.meaning,
                changes=_changes(e, model),
            )
        )
    return rows


def trail_context(entries: list[LedgerEntry], *, full: bool, names: dict[tuple[str, str], str] | None = None) -> dict:
    """The trail panel's context: its rows and how many entries there are in all."""
    return {"trail": trail_rows(entries, names=names, limit=None if full else TRAIL_LIMIT), "trail_total": len(entries)}


def record_panels(*, actor: Actor, record: models.Model, full: bool = False) -> dict[str, Any]:
    """The context of the trail panel and the signature list of one record."""
    return {
        **trail_context(record_trail(actor=actor, record=record), full=full),
        "signatures": signature_manifestations(actor=actor, record=record),
    }
