"""Which tables are audited, and a record's values as the ledger stores them.

Every concrete model of the GMP-data apps is audited, with its many-to-many link tables; a model
added to those apps is audited without a list to update.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models

AUDITED_APPS = ("core", "registry", "contracts", "accounts", "quality", "batches")


@cache
def audited_models() -> tuple[type[models.Model], ...]:
    return tuple(
        m
        for label in AUDITED_APPS
        for m in apps.get_app_config(label).get_models()
        if not m._meta.abstract and not m._meta.proxy
    )


@cache
def audited_tables() -> tuple[str, ...]:
    """The database tables whose rows the shadow triggers watch: models and their m2m link tables."""
    tables: list[str] = []
    for model in audited_models():
        tables.append(model._meta.db_table)
        for f in model._meta.local_many_to_many:
            through = f.remote_field.through
            if through._meta.auto_created:
                tables.append(through._meta.db_table)
    return tuple(dict.fromkeys(tables))


def object_type(model: type[models.Model]) -> str:
    return model._meta.label_lower


def snapshot(instance: models.Model, *, with_m2m: bool = True) -> dict[str, Any]:
    """Every stored value of a record (FKs as ids, m2m as sorted id lists), as the ledger records it.

    Timestamps maintained by Django (created_at, updated_at) are left out: they change on every
    save and say nothing the entry's own time does not.
    """
    values: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if f.name in ("created_at", "updated_at"):
            continue
        value = getattr(instance, f.attname)
        if isinstance(f, models.FileField):
            value = value.name if value else ""
        elif isinstance(f, models.DecimalField) and value is not None:
            # 5000 in memory and 5000.00 read back are the same stored value: fix the scale.
            value = Decimal(value).quantize(Decimal(1).scaleb(-f.decimal_places))
        values[f.attname] = value
    if with_m2m and instance.pk is not None:
        for f in instance._meta.local_many_to_many:
            if f.remote_field.through._meta.auto_created:
                values[f.attname] = sorted(getattr(instance, f.attname).values_list("pk", flat=True))
    return values


def diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that changed, as (old values, new values)."""
    keys = [k for k in new if old.get(k) != new[k]] + [k for k in old if k not in new]
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}
