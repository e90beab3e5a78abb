"""The registry as a dataset (sheet name → rows keyed by field name), for export.

Only what the actor may see is exported (``weituo.access.policy``): a row the actor may not see is
left out, and so is a many-to-many link to a record the actor may not see. The system actor and the
platform admin export everything.

A few queries per sheet whatever its size: foreign keys are read as the referenced record's ref in
the same query, many-to-many links in one query per field.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import models

from weituo.access import policy
from weituo.core.actors import Actor

from .sheets import SHEETS, Sheet


def registry_dataset(*, actor: Actor, sheets: tuple[Sheet, ...] = SHEETS) -> dict[str, list[dict[str, Any]]]:
    """Every registry record the actor may see, in import order."""
    policy.require_actor(actor)
    return {sheet.name: _sheet_rows(actor, sheet) for sheet in sheets}


def _sheet_rows(actor: Actor, sheet: Sheet) -> list[dict[str, Any]]:
    model = sheet.model
    plain = [c for c in sheet.columns if c.kind != "m2m"]
    lookups = [f"{c.field}__ref" if c.kind == "fk" else c.field for c in plain]
    rows = []
    pks = []
    for values in policy.visible(actor, model).order_by("pk").values_list("pk", *lookups):
        pks.append(values[0])
        rows.append({c.field: v for c, v in zip(plain, values[1:], strict=True)})
    for col in (c for c in sheet.columns if c.kind == "m2m"):
        links = _m2m_refs(actor, model, col.field)
        for pk, row in zip(pks, rows, strict=True):
            row[col.field] = sorted(links.get(pk, ()))
    return rows


def _m2m_refs(actor: Actor, model: type[models.Model], name: str) -> dict[int, list[str]]:
    m2m = model._meta.get_field(name)
    through = m2m.remote_field.through
    src, dst = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    links_qs = through.objects.all()
    if not policy.sees_everything(actor):
        links_qs = links_qs.filter(
            **{
                f"{src}__in": policy.visible(actor, model).values("pk"),
                f"{dst}__in": policy.visible(actor, m2m.related_model).values("pk"),
            }
        )
    links: dict[int, list[str]] = defaultdict(list)
    for pk, ref in links_qs.values_list(f"{src}_id", f"{dst}__ref"):
        links[pk].append(ref)
    return links
