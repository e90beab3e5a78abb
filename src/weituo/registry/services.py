"""Every write of the registry, as ``<entity>_<action>(*, actor, ...)``.

Plain creates and edits share ``core.services.record_create/record_update`` (validate, save, and
— once the integrity app exists — ledger in the same transaction); entities with rules of their own
get their own service here. Bulk loading goes through ``weituo.exchange.services.registry_import``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from weituo.accounts.actors import Actor
from weituo.core.errors import ErrorDetail, validation_failed
from weituo.integrity.writes import record_create, record_update, require_writer

from .models import Line, LineProduct, Organisation, Product


def organisation_create(*, actor: Actor, **fields: Any) -> Organisation:
    return record_create(actor=actor, model=Organisation, **fields)


def organisation_update(*, actor: Actor, organisation: Organisation, **fields: Any) -> Organisation:
    return record_update(actor=actor, instance=organisation, **fields)


def product_create(*, actor: Actor, **fields: Any) -> Product:
    return record_create(actor=actor, model=Product, **fields)


def product_update(*, actor: Actor, product: Product, **fields: Any) -> Product:
    return record_update(actor=actor, instance=product, **fields)


@transaction.atomic
def line_product_set(
    *, actor: Actor, line: Line, product: Product, annual_volume: Decimal | None, allow_over_capacity: bool = False
) -> LineProduct:
    """Put a product on a line (or change its planned volume), refusing to plan beyond design capacity.

    Art. 8: the CMO keeps the number of products and the production plan within the line's design
    capacity. Over-capacity can be recorded deliberately (``allow_over_capacity``) so that the data
    show the truth and the compliance scan flags it, rather than the plan being kept off the books.
    """
    require_writer(actor)
    line = Line.objects.select_for_update().get(pk=line.pk)
    link = LineProduct.objects.filter(line=line, product=product).first()
    others = sum(
        (
            v
            for v in LineProduct.objects.filter(line=line)
            .exclude(product=product)
            .values_list("annual_volume", flat=True)
            if v
        ),
        Decimal("0"),
    )
    planned = others + (annual_volume or Decimal("0"))
    if planned > line.design_capacity and not allow_over_capacity:
        raise validation_failed(
            [
                ErrorDetail(
                    f"计划年产量合计 {planned} 超过设计产能 {line.design_capacity}{line.capacity_unit}",
                    f"planned volume {planned} exceeds the design capacity {line.design_capacity} {line.capacity_unit}",
                    field="annual_volume",
                )
            ],
            what_zh="生产线品种",
            what_en="line product",
        )
    if link is None:
        return record_create(actor=actor, model=LineProduct, line=line, product=product, annual_volume=annual_volume)
    return record_update(actor=actor, instance=link, annual_volume=annual_volume)
