"""Every read of the registry. Each takes the ``actor`` and narrows what it reads with the visibility
policy (``weituo.access.policy``); a record the actor may not see is ``NotFound``, exactly as if it
did not exist. ``None`` is not an actor (``TypeError``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Sum, When
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.core.actors import Actor
from weituo.core.errors import NotFound
from weituo.core.i18n import not_found

from .choices import KeyRole
from .experience import Period, PracticeYears, practice_years
from .models import (
    Appointment,
    ExperienceRecord,
    InspectionRecord,
    Licence,
    LicenceScope,
    Line,
    LineProduct,
    Organisation,
    Person,
    Product,
    RegistrationCertificate,
    Site,
    Workshop,
)


def _not_found(what: Any, ref: str) -> NotFound:
    return not_found(what, ref)


def organisation_list(*, actor: Actor, search: str = "", province: str = "", role: str = "") -> QuerySet[Organisation]:
    qs = policy.visible(actor, Organisation).select_related("group").order_by("name")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(uscc__iexact=search) | Q(ref__iexact=search))
    if province:
        qs = qs.filter(province=province)
    if role:
        qs = qs.filter(**{f"is_{role}": True})
    return qs


def organisation_get(*, actor: Actor, ref: str) -> Organisation:
    try:
        return policy.visible(actor, Organisation).select_related("group").get(ref=ref)
    except Organisation.DoesNotExist:
        raise _not_found(gettext_lazy("organisation"), ref) from None


def _require_visible(actor: Actor, instance: Organisation | Line, what: Any) -> None:
    if not policy.sees_everything(actor) and not policy.visible(actor, type(instance)).filter(pk=instance.pk).exists():
        raise _not_found(what, instance.ref)


def organisation_is_pure_b(*, actor: Actor, organisation: Organisation) -> bool:
    """An MAH with no production site of its own: it commissions everything it makes.

    A fact about the organisation at licence level (a class B licence), so whoever may see the
    organisation may know it, even without seeing its sites.
    """
    _require_visible(actor, organisation, gettext_lazy("organisation"))
    return organisation.is_mah and not organisation.sites.exists()


def product_list(*, actor: Actor, holder: Organisation | None = None, search: str = "") -> QuerySet[Product]:
    qs = policy.visible(actor, Product).select_related("holder").order_by("name", "ref")
    if holder is not None:
        qs = qs.filter(holder=holder)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(approval_number__iexact=search) | Q(ref__iexact=search))
    return qs


def product_get(*, actor: Actor, ref: str) -> Product:
    try:
        return policy.visible(actor, Product).select_related("holder").get(ref=ref)
    except Product.DoesNotExist:
        raise _not_found(gettext_lazy("product"), ref) from None


@dataclass(frozen=True)
class LineLoad:
    """What the actor may know of a line's load.

    ``complete`` says whether the actor sees every product on the line (its CMO, the regulator, the
    platform). When it does not — an MAH on a shared line — ``products`` holds its own rows only,
    ``planned_volume`` sums those rows, and the number of holders, the line's total volume and its
    utilisation are withheld (``None``): they would reveal the other holders' confidential volumes.
    ``shared`` is still true: art. 8 has the CMO notify every holder of a shared line of its
    shared-line risk assessment, so that a line is shared is known to each of them; who shares it,
    and how many, is not.
    """

    line: Line
    products: list[LineProduct]
    holders: int | None  # distinct MAHs/registrants with a product on the line; None = not disclosed
    planned_volume: Decimal  # of the rows in ``products``
    complete: bool = True

    @property
    def shared(self) -> bool:
        return not self.complete or (self.holders or 0) > 1

    @property
    def utilisation(self) -> Decimal | None:
        if not self.complete or not self.line.design_capacity:
            return None
        return (self.planned_volume / self.line.design_capacity).quantize(Decimal("0.001"))


def line_get(*, actor: Actor, ref: str) -> Line:
    try:
        return policy.visible(actor, Line).select_related("workshop__site__organisation").get(ref=ref)
    except Line.DoesNotExist:
        raise _not_found(gettext_lazy("line"), ref) from None


def line_load(*, actor: Actor, line: Line) -> LineLoad:
    """The products on a line, how many MAHs share it, and the capacity in use (art. 8), as far as
    the actor may know them (see ``LineLoad``)."""
    _require_visible(actor, line, gettext_lazy("line"))
    rows = LineProduct.objects.filter(line=line)
    products = list(
        policy.visible(actor, rows).select_related("product__holder").order_by("product__name", "product__ref")
    )
    complete = len(products) == rows.count()
    return LineLoad(
        line=line,
        products=products,
        holders=len({lp.product.holder_id for lp in products}) if complete else None,
        planned_volume=sum((lp.annual_volume or Decimal("0") for lp in products), Decimal("0")),
        complete=complete,
    )


def shared_lines(*, actor: Actor, cmo: Organisation | None = None) -> QuerySet[Line]:
    """The lines the actor sees that carry products of more than one holder.

    Annotated with ``holder_count`` and ``planned_volume`` (all products) where the actor sees every
    product on the line, and with ``None`` for both where it does not (an MAH: see ``LineLoad``).
    """
    seen = policy.visible(actor, LineProduct).values("pk")
    qs = (
        policy.visible(actor, Line)
        .annotate(
            _holders=Count("lineproduct__product__holder", distinct=True),
            _rows=Count("lineproduct", distinct=True),
            _seen=Count("lineproduct", filter=Q(lineproduct__in=seen), distinct=True),
            _volume=Sum("lineproduct__annual_volume"),
        )
        .filter(_holders__gt=1)
        .annotate(
            holder_count=Case(When(_rows=F("_seen"), then=F("_holders")), default=None),
            planned_volume=Case(When(_rows=F("_seen"), then=F("_volume")), default=None),
        )
    )
    if cmo is not None:
        qs = qs.filter(workshop__site__organisation=cmo)
    return qs.select_related("workshop__site__organisation").order_by("ref")


@dataclass(frozen=True)
class KeyPerson:
    person: Person
    roles: list[str]
    years: PracticeYears | None  # None when the actor may not see the person's CV (a counterparty's)


def key_people(*, actor: Actor, organisation: Organisation, as_of: dt.date) -> list[KeyPerson]:
    """The people holding key roles on ``as_of``, with their years of practice as art. 17 counts them.

    Of a counterparty (an MAH looking at its CMO) the actor sees who holds which key role, as the
    licence names them, but not their CVs: ``years`` is then ``None``.
    """
    _require_visible(actor, organisation, gettext_lazy("organisation"))
    with_cv = policy.sees_all_of(actor, organisation)
    current = Appointment.objects.filter(since__lte=as_of).filter(Q(until__isnull=True) | Q(until__gte=as_of))
    people = (
        policy.visible(actor, Person)
        .filter(organisation=organisation, appointments__in=current)
        .exclude(appointments__role=KeyRole.STAFF, appointments__in=current)
        .distinct()
        .prefetch_related(Prefetch("appointments", queryset=current, to_attr="current"))
        .order_by("name")
    )
    if with_cv:
        people = people.prefetch_related("experience")
    result = []
    for person in people:
        years = None
        if with_cv:
            periods = [
                Period(e.started_on, e.ended_on, e.activity, e.sterile, e.tcm_injection, e.multicomponent_biochemical)
                for e in person.experience.all()
            ]
            years = practice_years(periods, as_of=as_of)
        result.append(KeyPerson(person, sorted({a.role for a in person.current}), years))
    return result


# --- reads of the web pages (an organisation's file, lists with filters) ---------------------------


def own_organisations(*, actor: Actor, side: str = "") -> QuerySet[Organisation]:
    """The organisations the actor holds a membership in (of one side, or any), as it may see them."""
    ids = actor.organisation_ids(side or None)
    return policy.visible(actor, Organisation).filter(pk__in=ids).order_by("name")


def product_search(
    *, actor: Actor, search: str = "", holder: Organisation | None = None, kind: str = "", status: str = ""
) -> QuerySet[Product]:
    """``product_list`` with the filters of a list page: kind (drug/device) and status."""
    qs = product_list(actor=actor, holder=holder, search=search)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def product_certificate(*, actor: Actor, product: Product) -> RegistrationCertificate | None:
    """A device's registration certificate, if it has one the actor may see."""
    return policy.visible(actor, RegistrationCertificate).filter(product=product).first()


def product_lines(*, actor: Actor, product: Product) -> QuerySet[LineProduct]:
    """The lines a product is made on (the rows the actor may see), with the line's owner in the same query."""
    return (
        policy.visible(actor, LineProduct)
        .filter(product=product)
        .select_related("line__workshop__site__organisation")
        .order_by("line__ref")
    )


def line_list(*, actor: Actor, search: str = "", organisation: Organisation | None = None) -> QuerySet[Line]:
    """Lines the actor sees, with their site and owner, and on each the products the actor may see
    (``visible_products``, one prefetch query for the whole page: on a shared line an MAH gets its
    own rows only)."""
    rows = (
        policy.visible(actor, LineProduct).select_related("product__holder").order_by("product__name", "product__ref")
    )
    qs = (
        policy.visible(actor, Line)
        .select_related("workshop__site__organisation")
        .prefetch_related(Prefetch("lineproduct_set", queryset=rows, to_attr="visible_products"))
        .order_by("workshop__site__organisation__name", "ref")
    )
    if organisation is not None:
        qs = qs.filter(workshop__site__organisation=organisation)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(ref__iexact=search) | Q(dosage_forms__icontains=search))
    return qs


def licence_list(*, actor: Actor, organisation: Organisation) -> QuerySet[Licence]:
    """An organisation's licences, each with the entries (``visible_scopes``) the actor may see."""
    scopes = (
        policy.visible(actor, LicenceScope)
        .select_related("site", "product", "counterparty")
        .order_by("site__ref", "pk")
    )
    return (
        policy.visible(actor, Licence)
        .filter(organisation=organisation)
        .prefetch_related(Prefetch("scopes", queryset=scopes, to_attr="visible_scopes"))
        .order_by("kind", "number")
    )


def site_list(*, actor: Actor, organisation: Organisation) -> QuerySet[Site]:
    """An organisation's sites the actor sees, with their workshops and lines (``visible_workshops``,
    ``visible_lines``) as far as the actor sees them."""
    lines = policy.visible(actor, Line).order_by("ref")
    workshops = (
        policy.visible(actor, Workshop)
        .prefetch_related(Prefetch("lines", queryset=lines, to_attr="visible_lines"))
        .order_by("ref")
    )
    return (
        policy.visible(actor, Site)
        .filter(organisation=organisation)
        .prefetch_related(Prefetch("workshops", queryset=workshops, to_attr="visible_workshops"))
        .order_by("ref")
    )


def inspection_list(
    *, actor: Actor, organisation: Organisation | None = None, line: Line | None = None
) -> QuerySet[InspectionRecord]:
    qs = (
        policy.visible(actor, InspectionRecord)
        .select_related("organisation", "site", "line")
        .order_by("-inspected_on", "ref")
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if line is not None:
        qs = qs.filter(line=line)
    return qs


def person_list(*, actor: Actor, organisation: Organisation, include: Iterable[int] = ()) -> QuerySet[Person]:
    """The people of an organisation the actor may see (of a counterparty: its key people only), and
    those of ``include`` (ids: the people a record names now) that it may see, wherever they work."""
    q = Q(organisation=organisation)
    include = [pk for pk in include if pk is not None]
    if include:
        q |= Q(pk__in=include)
    return policy.visible(actor, Person).filter(q).select_related("organisation").order_by("name", "ref")


# --- reads of the REST API: every registry entity by ref, lists with optional filters -----------


def site_search(*, actor: Actor, organisation: Organisation | None = None, province: str = "") -> QuerySet[Site]:
    qs = policy.visible(actor, Site).select_related("organisation").order_by("ref")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if province:
        qs = qs.filter(province=province)
    return qs


def site_get(*, actor: Actor, ref: str) -> Site:
    try:
        return policy.visible(actor, Site).select_related("organisation").get(ref=ref)
    except Site.DoesNotExist:
        raise _not_found(gettext_lazy("site"), ref) from None


def workshop_search(*, actor: Actor, site: Site | None = None) -> QuerySet[Workshop]:
    qs = policy.visible(actor, Workshop).select_related("site__organisation").order_by("ref")
    if site is not None:
        qs = qs.filter(site=site)
    return qs


def workshop_get(*, actor: Actor, ref: str) -> Workshop:
    try:
        return policy.visible(actor, Workshop).select_related("site__organisation").get(ref=ref)
    except Workshop.DoesNotExist:
        raise _not_found(gettext_lazy("workshop"), ref) from None


def licence_search(*, actor: Actor, organisation: Organisation | None = None) -> QuerySet[Licence]:
    qs = policy.visible(actor, Licence).select_related("organisation").order_by("ref")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def licence_get(*, actor: Actor, ref: str) -> Licence:
    """A licence with the entries the actor may see (``visible_scopes``): an entry naming a product
    or a counterparty the actor may not see is left out, as the visibility policy says."""
    scopes = policy.visible(actor, LicenceScope).select_related("site", "product", "counterparty").order_by("pk")
    qs = (
        policy.visible(actor, Licence)
        .select_related("organisation")
        .prefetch_related(Prefetch("scopes", queryset=scopes, to_attr="visible_scopes"))
    )
    try:
        return qs.get(ref=ref)
    except Licence.DoesNotExist:
        raise _not_found(gettext_lazy("licence"), ref) from None


def person_search(*, actor: Actor, organisation: Organisation | None = None, search: str = "") -> QuerySet[Person]:
    qs = policy.visible(actor, Person).select_related("organisation").order_by("ref")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(ref__iexact=search))
    return qs


def person_get(*, actor: Actor, ref: str) -> Person:
    """A person with their appointments; their CV comes from ``person_cv`` (not every actor sees it)."""
    qs = (
        policy.visible(actor, Person)
        .select_related("organisation")
        .prefetch_related(Prefetch("appointments", queryset=Appointment.objects.order_by("since", "role")))
    )
    try:
        return qs.get(ref=ref)
    except Person.DoesNotExist:
        raise _not_found(gettext_lazy("person"), ref) from None


def person_cv(*, actor: Actor, person: Person) -> list[ExperienceRecord] | None:
    """A person's CV, or ``None`` when the actor may not see it: CVs are shown to the person's own
    organisation and its regulator only, never to a counterparty (as ``key_people`` withholds years)."""
    if not policy.sees_everything(actor) and not policy.visible(actor, Person).filter(pk=person.pk).exists():
        raise _not_found(gettext_lazy("person"), person.ref)
    if not policy.sees_all_of(actor, person.organisation):
        return None
    return list(policy.visible(actor, ExperienceRecord).filter(person=person).order_by("started_on", "pk"))


def inspection_get(*, actor: Actor, ref: str) -> InspectionRecord:
    try:
        return policy.visible(actor, InspectionRecord).select_related("organisation", "site", "line").get(ref=ref)
    except InspectionRecord.DoesNotExist:
        raise _not_found(gettext_lazy("inspection"), ref) from None
