"""Every write of the registry, as ``<entity>_<action>(*, actor, ...)``.

Plain creates and edits go through the one write path, ``integrity.writes.record_create`` /
``record_update`` (validate, save and ledger in the same transaction); entities with rules of their
own get their own service here. Bulk loading goes through ``weituo.exchange.services.registry_import``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from weituo.access.parties import require_writer, writes_for
from weituo.core.actors import Actor
from weituo.core.errors import PermissionDenied
from weituo.core.i18n import detail, messages, validation_failed
from weituo.core.roles import Side
from weituo.integrity.writes import record_create, record_update

from .models import Line, LineProduct, Organisation, Product


def organisation_create(*, actor: Actor, **fields: Any) -> Organisation:
    """A new enterprise enters the registry through the platform: it has no members yet to add it."""
    require_writer(actor)
    if not (actor.system or actor.is_platform_admin):
        raise _refuse(gettext_lazy("only the platform administrator may register an organisation"))
    return record_create(actor=actor, model=Organisation, **fields)


def organisation_update(*, actor: Actor, organisation: Organisation, **fields: Any) -> Organisation:
    """An organisation's own writers keep its record; a counterparty sees it but may not change it."""
    if not writes_for(actor, organisation.pk):
        raise _refuse(gettext_lazy("only the organisation's own staff may change its record"))
    return record_update(actor=actor, instance=organisation, **fields)


def product_create(*, actor: Actor, **fields: Any) -> Product:
    """The holder registers one of its products; its CMOs see the products they make but do not keep them."""
    _require_holder(actor, fields.get("holder"))
    return record_create(actor=actor, model=Product, **fields)


@transaction.atomic
def product_update(*, actor: Actor, product: Product, **fields: Any) -> Product:
    """The holder changes its product (handing it to another holder needs the right to write for both)."""
    _require_holder(actor, product.holder)
    if "holder" in fields:
        _require_holder(actor, fields["holder"])
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
    if not writes_for(actor, line.workshop.site.organisation_id, Side.CMO):
        raise _refuse(
            gettext_lazy("only the CMO that runs the line may plan the products made on it"),
        )
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
                detail(
                    gettext_lazy(
                        "planned volume %(planned)s exceeds the design capacity %(design_capacity)s %(capacity_unit)s"
                    ),
                    planned=planned,
                    design_capacity=line.design_capacity,
                    capacity_unit=line.capacity_unit,
                    field="annual_volume",
                )
            ],
            what=gettext_lazy("line product"),
        )
    if link is None:
        return record_create(actor=actor, model=LineProduct, line=line, product=product, annual_volume=annual_volume)
    return record_update(actor=actor, instance=link, annual_volume=annual_volume)


# --- checked entry points for users (the web and the API) -------------------------------------------
# The services above check only that the actor writes at all (command-line jobs and the import call
# them). A user changes what their own organisation keeps: a writer role (not a viewer) in the
# organisation the record belongs to, on the side that keeps it; the platform admin and command-line
# jobs may change anything, and regulators read the registry. Callers find the record through a
# selector first, so a record the actor may not see is NotFound before it can be PermissionDenied.


def _refuse(message: Any, **params: Any) -> PermissionDenied:
    return PermissionDenied(code="permission_denied", **messages(message, **params))


def _require_holder(actor: Actor, holder: Organisation | None) -> None:
    if holder is None or not writes_for(actor, holder.pk, Side.MAH):
        raise _refuse(
            gettext_lazy("only the holder (MAH or registrant) may add or change its products"),
        )
