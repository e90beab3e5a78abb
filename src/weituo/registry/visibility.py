"""Who sees which registry record: the visibility rules of organisations, sites, lines, products,
licences, people and inspections, registered with ``access.policy`` when the app starts.

The apps above add what their own records make visible (``contracts/visibility.py``: the lines and
products a contract names, the people an agreement names); the table of who sees what is in
``access/policy.py``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from weituo.access import policy
from weituo.access.policy import NOTHING, Scope, ids
from weituo.core.actors import Actor

from .choices import KeyRole
from .models import (
    Appointment,
    EnterpriseExperience,
    EnterpriseGroup,
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


def lines_with_every_product_q(s: Scope) -> Q:
    """Lines whose every product the actor sees: the CMO's own, the regulator's province's."""
    q = Q(workshop__site__organisation_id__in=s.cmo) if s.cmo else NOTHING
    if s.provinces:
        q |= Q(workshop__site__organisation__province__in=s.provinces)
        q |= Q(workshop__site__province__in=s.provinces)
    return q


def whole_lines(s: Scope) -> QuerySet:
    """The ids of the lines whose every product the scope sees, as a subquery."""
    return Line.objects.filter(lines_with_every_product_q(s)).values("pk")


def lines_with_every_product(actor: Actor) -> QuerySet[Line]:
    """The lines on which the actor sees every product (so may see how many holders share it)."""
    s = Scope.of(actor)
    if s.everything:
        return Line.objects.all()
    return Line.objects.filter(lines_with_every_product_q(s))


def _organisations(s: Scope) -> Q:
    q = s.home()
    q |= Q(pk__in=ids(Product, s, "holder_id"))
    q |= Q(pk__in=ids(Site, s, "organisation_id"))  # includes the owners of the lines it sees
    return q


def _groups(s: Scope) -> Q:
    return Q(pk__in=ids(Organisation, s, "group_id"))


def _sites(s: Scope) -> Q:
    q = s.home("organisation__")
    if s.provinces:
        q |= Q(province__in=s.provinces)
    q |= Q(pk__in=ids(Line, s, "workshop__site_id"))
    # The sites its own licences name (an MAH's B licence names the CMO's site).
    q |= Q(pk__in=LicenceScope.objects.filter(s.home("licence__organisation__")).values("site_id"))
    return q


def _workshops(s: Scope) -> Q:
    q = s.home("site__organisation__")
    if s.provinces:
        q |= Q(site__province__in=s.provinces)
    return q | Q(pk__in=ids(Line, s, "workshop_id"))


def _lines(s: Scope) -> Q:
    q = s.home("workshop__site__organisation__")
    if s.provinces:
        q |= Q(workshop__site__province__in=s.provinces)
    if s.mah:  # the lines its products are made on
        q |= Q(pk__in=LineProduct.objects.filter(product__holder_id__in=s.mah).values("line_id"))
    return q


def _products(s: Scope) -> Q:
    q = s.home("holder__")
    return q | Q(pk__in=LineProduct.objects.filter(line__in=whole_lines(s)).values("product_id"))


def _line_products(s: Scope) -> Q:
    # Both ends visible: on a shared line an MAH sees its own rows only (another holder's annual
    # volume is that holder's confidential information).
    return Q(line__in=ids(Line, s)) & Q(product__in=ids(Product, s))


def _certificates(s: Scope) -> Q:
    return Q(product__in=ids(Product, s))


def _licences(s: Scope) -> Q:
    return Q(organisation__in=ids(Organisation, s))


def _licence_scopes(s: Scope) -> Q:
    # A licence entry names a product and its MAH: shown only if it names nothing invisible.
    return (
        Q(licence__in=ids(Licence, s))
        & Q(site__in=ids(Site, s))
        & (Q(product__isnull=True) | Q(product__in=ids(Product, s)))
        & (Q(counterparty__isnull=True) | Q(counterparty__in=ids(Organisation, s)))
    )


def _people(s: Scope) -> Q:
    q = s.home("organisation__")
    # Of a counterparty, the persons a licence names: those holding a key appointment.
    key = Appointment.objects.exclude(role=KeyRole.STAFF).values("person_id")
    return q | (Q(organisation__in=ids(Organisation, s)) & Q(pk__in=key))


def _appointments(s: Scope) -> Q:
    return Q(person__in=ids(Person, s))


def _experience(s: Scope) -> Q:
    # A CV is personal: only the person's own organisation and its regulator see it.
    return s.home("person__organisation__")


def _enterprise_experience(s: Scope) -> Q:
    # What an enterprise developed and made outside commercial production is its own business: it
    # and its regulator see it (the rules read it; a finding says only the years it counted).
    return s.home("organisation__")


def _inspections(s: Scope) -> Q:
    q = s.home("organisation__")
    if s.provinces:
        q |= Q(site__province__in=s.provinces)
    return q | Q(line__in=ids(Line, s))


def register() -> None:
    for model, rule in (
        (EnterpriseGroup, _groups),
        (Organisation, _organisations),
        (Site, _sites),
        (Workshop, _workshops),
        (Line, _lines),
        (Product, _products),
        (LineProduct, _line_products),
        (RegistrationCertificate, _certificates),
        (Licence, _licences),
        (LicenceScope, _licence_scopes),
        (Person, _people),
        (Appointment, _appointments),
        (ExperienceRecord, _experience),
        (EnterpriseExperience, _enterprise_experience),
        (InspectionRecord, _inspections),
    ):
        policy.register(model, rule)
