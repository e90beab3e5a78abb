"""Every read of the registry. Each takes the ``actor``; the visibility policy that narrows what an
actor sees arrives with the accounts (integrity issue) and will be applied here, in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from weituo.core.errors import ErrorDetail, NotFound

from .choices import KeyRole
from .experience import Period, PracticeYears, practice_years
from .models import Appointment, Line, LineProduct, Organisation, Person, Product


def _not_found(what_zh: str, what_en: str, ref: str) -> NotFound:
    return NotFound(
        code="not_found",
        message_zh=f"未找到{what_zh} {ref}",
        message_en=f"{what_en} {ref} not found",
        details=[ErrorDetail(f"未找到 {ref}", f"{ref} not found", field="ref")],
    )


def organisation_list(*, actor: Any, search: str = "", province: str = "", role: str = "") -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("group").order_by("name")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(uscc__iexact=search) | Q(ref__iexact=search))
    if province:
        qs = qs.filter(province=province)
    if role:
        qs = qs.filter(**{f"is_{role}": True})
    return qs


def organisation_get(*, actor: Any, ref: str) -> Organisation:
    try:
        return Organisation.objects.select_related("group").get(ref=ref)
    except Organisation.DoesNotExist:
        raise _not_found("企业", "organisation", ref) from None


def organisation_is_pure_b(*, actor: Any, organisation: Organisation) -> bool:
    """An MAH with no production site of its own: it commissions everything it makes."""
    return organisation.is_mah and not organisation.sites.exists()


def product_list(*, actor: Any, holder: Organisation | None = None, search: str = "") -> QuerySet[Product]:
    qs = Product.objects.select_related("holder").order_by("name", "ref")
    if holder is not None:
        qs = qs.filter(holder=holder)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(approval_number__iexact=search) | Q(ref__iexact=search))
    return qs


@dataclass(frozen=True)
class LineLoad:
    line: Line
    products: list[LineProduct]
    holders: int  # distinct MAHs/registrants with a product on the line
    planned_volume: Decimal

    @property
    def shared(self) -> bool:
        return self.holders > 1

    @property
    def utilisation(self) -> Decimal | None:
        if not self.line.design_capacity:
            return None
        return (self.planned_volume / self.line.design_capacity).quantize(Decimal("0.001"))


def line_load(*, actor: Any, line: Line) -> LineLoad:
    """The products on a line, how many MAHs share it, and the capacity in use (art. 8)."""
    products = list(LineProduct.objects.filter(line=line).select_related("product__holder").order_by("product__name"))
    return LineLoad(
        line=line,
        products=products,
        holders=len({lp.product.holder_id for lp in products}),
        planned_volume=sum((lp.annual_volume or Decimal("0") for lp in products), Decimal("0")),
    )


def shared_lines(*, actor: Any, cmo: Organisation | None = None) -> QuerySet[Line]:
    """Lines with products of more than one holder, with the count of holders and planned volume."""
    qs = Line.objects.annotate(
        holder_count=Count("lineproduct__product__holder", distinct=True),
        planned_volume=Sum("lineproduct__annual_volume"),
    ).filter(holder_count__gt=1)
    if cmo is not None:
        qs = qs.filter(workshop__site__organisation=cmo)
    return qs.select_related("workshop__site__organisation").order_by("ref")


@dataclass(frozen=True)
class KeyPerson:
    person: Person
    roles: list[str]
    years: PracticeYears


def key_people(*, actor: Any, organisation: Organisation, as_of: dt.date) -> list[KeyPerson]:
    """The people holding key roles on ``as_of``, with their years of practice as art. 17 counts them."""
    current = Appointment.objects.filter(since__lte=as_of).filter(Q(until__isnull=True) | Q(until__gte=as_of))
    people = (
        Person.objects.filter(organisation=organisation, appointments__in=current)
        .exclude(appointments__role=KeyRole.STAFF, appointments__in=current)
        .distinct()
        .prefetch_related(Prefetch("appointments", queryset=current, to_attr="current"), "experience")
        .order_by("name")
    )
    result = []
    for person in people:
        periods = [
            Period(e.started_on, e.ended_on, e.activity, e.sterile, e.tcm_injection, e.multicomponent_biochemical)
            for e in person.experience.all()
        ]
        result.append(KeyPerson(person, sorted({a.role for a in person.current}), practice_years(periods, as_of=as_of)))
    return result
