"""The visibility policy: which records an actor may see. The one place that decides it.

Every selector narrows its querysets with :func:`visible` (or the per-record helpers below), so a
rule written here holds in the web pages, the API, the exports and the reports alike. A record an
actor may not see does not exist for them: selectors raise ``NotFound``, never a "forbidden" that
would confirm it exists.

Who sees what (a user with several memberships sees the union):

=================  =========================================================================
actor              sees
=================  =========================================================================
MAH side           its own organisation and everything under it (sites, lines, people and
(QA, QP, head of   their CVs, licences, inspections); its own products; its contracts and
quality, viewer)   their agreements; the lines named in its contracts and the lines its
                   products are made on — but on those lines only its OWN products: another
                   holder's LineProduct, and so its annual volume, is invisible; its
                   counterparties (the CMOs of its contracts, the owners of the lines it
                   uses) at name and licence level: the organisation, its licences (only the
                   licence entries that name nothing it may not see), its people who hold a
                   key appointment (the persons a licence names), never their CVs; the
                   inspections of the lines it sees. Not the CMO's evaluation of it (the
                   CMO's own record).
CMO side           its own organisation and everything under it: sites, workshops, lines and
(QA, QP,           every product on its lines with its volume; its contracts and agreements;
production, head   its own evaluations of MAHs; of each MAH only what concerns the CMO: the
of quality,        products in their contracts with it or on its lines or in its evaluations,
viewer)            and the MAH at name and licence level. Never another CMO's lines,
                   contracts or products.
regulator          the enterprises of its province and everything under them, and the sites
(inspector, head   in its province (and their lines and products); every contract where its
of division)       province is the MAH's or the CMO's, with that contract's products and
                   lines, and the other party at name and licence level (a cross-province
                   contract). Nothing of a province that concerns it through none of these.
every actor        whoever its visible agreements and transfers name, and that person's
                   employer at name and licence level (an agreement copied from a template
                   names another company's staff: the rules must be able to show it).
platform admin,    everything.
system actor
no membership      nothing.
=================  =========================================================================

Quality events (and their deviations, CAPA, obligations) and batches (and their release packages)
follow their contract: its MAH, its CMO and their regulators see them; the CMO and its regulator also
see every batch made on the CMO's lines. Another MAH on a shared line sees none of them.

``None`` is not an actor: :func:`require_actor` raises ``TypeError``, so a forgotten actor fails
loudly instead of silently seeing everything.

The filters are ``Q`` objects built from subqueries: a filtered list is still one SQL query, and
nothing is read from the database to decide what an actor may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import models
from django.db.models import F, Q, QuerySet

from weituo.batches.models import Batch, ReleaseDecision, ReleaseDocument, TestResult
from weituo.contracts.models import (
    AgreementAttachment,
    CommissionContract,
    CommunicationItem,
    MahEvaluation,
    QualityAgreement,
    ResidentStaff,
    ResponsibilityItem,
    TechTransfer,
    TechTransferRisk,
    TechTransferStep,
)
from weituo.quality.models import (
    Audit,
    AuditFinding,
    Capa,
    CapaApproval,
    Change,
    Deviation,
    QualityEvent,
    Reclassification,
    RetentionObligation,
    SharedLineAssessment,
    SharedLineNotice,
    SharedLineProductRisk,
)
from weituo.registry.choices import KeyRole
from weituo.registry.models import (
    Appointment,
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

from .actors import Actor
from .roles import Side

M = TypeVar("M", bound=models.Model)

NOTHING = Q(pk__in=[])  # matches no row (Django drops it from an OR, and empties an AND)

ContractProducts = CommissionContract.products.through
ContractLines = CommissionContract.lines.through
EvaluationProducts = MahEvaluation.products.through


def require_actor(actor: object) -> Actor:
    """The actor, or ``TypeError``: no selector runs without knowing who asks."""
    if not isinstance(actor, Actor):
        raise TypeError(f"a selector needs an Actor (weituo.accounts.actors), not {actor!r}")
    return actor


@dataclass(frozen=True)
class Scope:
    """What an actor's memberships give access to, in plain ids and codes (no query)."""

    everything: bool
    mah: frozenset[int]  # organisations where the actor holds an MAH-side role
    cmo: frozenset[int]  # organisations where the actor holds a CMO-side role
    provinces: frozenset[str]  # provinces where the actor holds a regulator role

    @classmethod
    def of(cls, actor: object) -> Scope:
        actor = require_actor(actor)
        return cls(
            everything=actor.system or actor.is_platform_admin,
            mah=frozenset(actor.organisation_ids(Side.MAH)),
            cmo=frozenset(actor.organisation_ids(Side.CMO)),
            provinces=frozenset(actor.provinces),
        )

    @property
    def own(self) -> frozenset[int]:
        return self.mah | self.cmo

    def home(self, prefix: str = "") -> Q:
        """Organisations whose every record the actor sees: its own, and for a regulator its province's."""
        q = Q(**{f"{prefix}id__in": self.own}) if self.own else NOTHING
        if self.provinces:
            q |= Q(**{f"{prefix}province__in": self.provinces})
        return q


# --- the filters, one per model ----------------------------------------------------------------
# Each returns the Q that selects what the scope may see (never called when it sees everything).
# Filters of dependent records reuse the filters of what they hang from, as subqueries.


def _ids(model: type[models.Model], s: Scope, field: str = "pk") -> QuerySet:
    return model.objects.filter(_FILTERS[model](s)).values(field)


def _contracts(s: Scope) -> Q:
    q = NOTHING
    if s.mah:
        q |= Q(mah_id__in=s.mah)
    if s.cmo:
        q |= Q(cmo_id__in=s.cmo)
    if s.provinces:
        q |= Q(mah__province__in=s.provinces) | Q(cmo__province__in=s.provinces)
    return q


def _lines(s: Scope) -> Q:
    q = s.home("workshop__site__organisation__")
    if s.provinces:
        q |= Q(workshop__site__province__in=s.provinces)
    # The lines named in a visible contract: only the contracted CMO's own lines (a line of another
    # CMO named by mistake stays invisible, so one CMO never sees another's line through a contract).
    named = ContractLines.objects.filter(
        commissioncontract__in=_ids(CommissionContract, s),
        line__workshop__site__organisation=F("commissioncontract__cmo"),
    )
    q |= Q(pk__in=named.values("line_id"))
    if s.mah:  # the lines its products are made on
        q |= Q(pk__in=LineProduct.objects.filter(product__holder_id__in=s.mah).values("line_id"))
    return q


def _lines_with_every_product(s: Scope) -> Q:
    """Lines whose every product the actor sees: the CMO's own, the regulator's province's."""
    q = Q(workshop__site__organisation_id__in=s.cmo) if s.cmo else NOTHING
    if s.provinces:
        q |= Q(workshop__site__organisation__province__in=s.provinces)
        q |= Q(workshop__site__province__in=s.provinces)
    return q


def _products(s: Scope) -> Q:
    q = s.home("holder__")
    # The products of a visible contract that its MAH holds (another holder's product listed by
    # mistake stays invisible).
    in_contracts = ContractProducts.objects.filter(
        commissioncontract__in=_ids(CommissionContract, s), product__holder=F("commissioncontract__mah")
    )
    q |= Q(pk__in=in_contracts.values("product_id"))
    whole_lines = Line.objects.filter(_lines_with_every_product(s)).values("pk")
    q |= Q(pk__in=LineProduct.objects.filter(line__in=whole_lines).values("product_id"))
    if s.cmo:  # the products it evaluated before signing (art. 3)
        q |= Q(pk__in=EvaluationProducts.objects.filter(mahevaluation__cmo_id__in=s.cmo).values("product_id"))
    return q


def _organisations(s: Scope) -> Q:
    contracts = _ids(CommissionContract, s)
    q = s.home()
    q |= Q(pk__in=CommissionContract.objects.filter(pk__in=contracts).values("mah_id"))
    q |= Q(pk__in=CommissionContract.objects.filter(pk__in=contracts).values("cmo_id"))
    q |= Q(pk__in=_ids(Product, s, "holder_id"))
    q |= Q(pk__in=_ids(Site, s, "organisation_id"))  # includes the owners of the lines it sees
    q |= Q(pk__in=_ids(MahEvaluation, s, "mah_id")) | Q(pk__in=_ids(MahEvaluation, s, "cmo_id"))
    # the employer of a person its agreements name (at name and licence level, like a counterparty)
    q |= Q(pk__in=Person.objects.filter(_named_people(s)).values("organisation_id"))
    return q


def _groups(s: Scope) -> Q:
    return Q(pk__in=_ids(Organisation, s, "group_id"))


def _sites(s: Scope) -> Q:
    q = s.home("organisation__")
    if s.provinces:
        q |= Q(province__in=s.provinces)
    q |= Q(pk__in=_ids(Line, s, "workshop__site_id"))
    # The sites its own licences name (an MAH's B licence names the CMO's site).
    q |= Q(pk__in=LicenceScope.objects.filter(s.home("licence__organisation__")).values("site_id"))
    return q


def _workshops(s: Scope) -> Q:
    q = s.home("site__organisation__")
    if s.provinces:
        q |= Q(site__province__in=s.provinces)
    return q | Q(pk__in=_ids(Line, s, "workshop_id"))


def _line_products(s: Scope) -> Q:
    # Both ends visible: on a shared line an MAH sees its own rows only (another holder's annual
    # volume is that holder's confidential information).
    return Q(line__in=_ids(Line, s)) & Q(product__in=_ids(Product, s))


def _certificates(s: Scope) -> Q:
    return Q(product__in=_ids(Product, s))


def _licences(s: Scope) -> Q:
    return Q(organisation__in=_ids(Organisation, s))


def _licence_scopes(s: Scope) -> Q:
    # A licence entry names a product and its MAH: shown only if it names nothing invisible.
    return (
        Q(licence__in=_ids(Licence, s))
        & Q(site__in=_ids(Site, s))
        & (Q(product__isnull=True) | Q(product__in=_ids(Product, s)))
        & (Q(counterparty__isnull=True) | Q(counterparty__in=_ids(Organisation, s)))
    )


def _people(s: Scope) -> Q:
    q = s.home("organisation__")
    # Of a counterparty, the persons a licence names: those holding a key appointment.
    key = Appointment.objects.exclude(role=KeyRole.STAFF).values("person_id")
    q |= Q(organisation__in=_ids(Organisation, s)) & Q(pk__in=key)
    return q | _named_people(s)


def _named_people(s: Scope) -> Q:
    """Whoever the agreements and transfers the actor sees name: they are in the actor's own documents
    (an agreement copied from a template may name another company's people, and the rules must see it)."""
    agreements = _ids(QualityAgreement, s)
    q = Q(pk__in=QualityAgreement.objects.filter(pk__in=agreements).values("cmo_link_person_id"))
    q |= Q(pk__in=CommunicationItem.objects.filter(agreement__in=agreements).values("mah_contact_id"))
    q |= Q(pk__in=CommunicationItem.objects.filter(agreement__in=agreements).values("cmo_contact_id"))
    q |= Q(pk__in=ResidentStaff.objects.filter(agreement__in=agreements).values("person_id"))
    q |= Q(pk__in=_ids(TechTransfer, s, "lead_id"))
    q |= Q(
        pk__in=TechTransfer.working_group.through.objects.filter(techtransfer__in=_ids(TechTransfer, s)).values(
            "person_id"
        )
    )
    return q


def _appointments(s: Scope) -> Q:
    return Q(person__in=_ids(Person, s))


def _experience(s: Scope) -> Q:
    # A CV is personal: only the person's own organisation and its regulator see it.
    return s.home("person__organisation__")


def _inspections(s: Scope) -> Q:
    q = s.home("organisation__")
    if s.provinces:
        q |= Q(site__province__in=s.provinces)
    return q | Q(line__in=_ids(Line, s))


def _agreements(s: Scope) -> Q:
    return Q(contract__in=_ids(CommissionContract, s))


def _agreement_rows(s: Scope) -> Q:
    return Q(agreement__in=_ids(QualityAgreement, s))


def _tech_transfers(s: Scope) -> Q:
    return Q(contract__in=_ids(CommissionContract, s)) & Q(product__in=_ids(Product, s))


def _transfer_rows(s: Scope) -> Q:
    # A transfer's steps and risks are between the contract's two parties, like the transfer itself.
    return Q(transfer__in=_ids(TechTransfer, s))


def _evaluations(s: Scope) -> Q:
    # The CMO's own assessment of an MAH before signing (art. 3): the CMO's record, and its regulator's.
    q = s.home("cmo__")
    if s.provinces:
        q |= Q(mah__province__in=s.provinces)
    return q


def _batches(s: Scope) -> Q:
    # The batches of its visible contracts, of a product it sees (an MAH: its own), and every batch
    # made on a line whose every product it sees (the CMO's own lines, its province's for a regulator).
    # On a shared line another MAH sees none of them.
    q = Q(contract__in=_ids(CommissionContract, s)) & Q(product__in=_ids(Product, s))
    return q | Q(line__in=Line.objects.filter(_lines_with_every_product(s)).values("pk"))


def _batch_rows(s: Scope) -> Q:
    return Q(batch__in=_ids(Batch, s))


def _quality_events(s: Scope) -> Q:
    # An event is between the two parties of one contract: they and their regulators see it (and the
    # batch it names, if any, must be visible too).
    return Q(contract__in=_ids(CommissionContract, s)) & (Q(batch__isnull=True) | Q(batch__in=_ids(Batch, s)))


def _event_rows(s: Scope) -> Q:
    return Q(event__in=_ids(QualityEvent, s))


def _reclassifications(s: Scope) -> Q:
    return Q(deviation__in=_ids(Deviation, s))


def _retention_obligations(s: Scope) -> Q:
    cause = Q(event__in=_ids(QualityEvent, s)) | Q(change__in=_ids(Change, s))
    return cause & Q(batch__in=_ids(Batch, s))


def _changes(s: Scope) -> Q:
    # A change is between the two parties of one contract, like an event.
    return Q(contract__in=_ids(CommissionContract, s))


def _assessments(s: Scope) -> Q:
    # The CMO (and its regulator) sees its line's assessments whole; an MAH only those notified to it
    # (art. 8), and of those only what is written for every MAH — the notice, the conclusion, the
    # controls and its own products' rows, never another holder's.
    q = Q(line__in=Line.objects.filter(_lines_with_every_product(s)).values("pk"))
    if s.mah:
        # A subquery, not a join through ``notices``: a join would repeat an assessment once per notice.
        q |= Q(pk__in=SharedLineNotice.objects.filter(mah_id__in=s.mah).values("assessment_id"))
    return q


def _notices(s: Scope) -> Q:
    q = Q(assessment__line__in=Line.objects.filter(_lines_with_every_product(s)).values("pk"))
    if s.mah:
        q |= Q(mah_id__in=s.mah)
    return q


def _product_risks(s: Scope) -> Q:
    return Q(assessment__in=_ids(SharedLineAssessment, s)) & Q(product__in=_ids(Product, s))


def _capas(s: Scope) -> Q:
    return (
        Q(event__in=_ids(QualityEvent, s))
        | Q(assessment__in=_ids(SharedLineAssessment, s))
        | Q(finding__in=_ids(AuditFinding, s))
    )


def _capa_approvals(s: Scope) -> Q:
    # One MAH's approval is its own business: the CMO sees them all, each MAH only its own.
    q = Q(capa__assessment__line__in=Line.objects.filter(_lines_with_every_product(s)).values("pk"))
    if s.mah:
        q |= Q(mah_id__in=s.mah)
    return q


def _audits(s: Scope) -> Q:
    return Q(contract__in=_ids(CommissionContract, s))


def _audit_rows(s: Scope) -> Q:
    return Q(audit__in=_ids(Audit, s))


_FILTERS: dict[type[models.Model], Callable[[Scope], Q]] = {
    EnterpriseGroup: _groups,
    Organisation: _organisations,
    Site: _sites,
    Workshop: _workshops,
    Line: _lines,
    Product: _products,
    LineProduct: _line_products,
    RegistrationCertificate: _certificates,
    Licence: _licences,
    LicenceScope: _licence_scopes,
    Person: _people,
    Appointment: _appointments,
    ExperienceRecord: _experience,
    InspectionRecord: _inspections,
    CommissionContract: _contracts,
    QualityAgreement: _agreements,
    ResponsibilityItem: _agreement_rows,
    CommunicationItem: _agreement_rows,
    ResidentStaff: _agreement_rows,
    AgreementAttachment: _agreement_rows,
    TechTransfer: _tech_transfers,
    TechTransferStep: _transfer_rows,
    TechTransferRisk: _transfer_rows,
    MahEvaluation: _evaluations,
    Batch: _batches,
    ReleaseDocument: _batch_rows,
    TestResult: _batch_rows,
    ReleaseDecision: _batch_rows,
    QualityEvent: _quality_events,
    Deviation: _event_rows,
    Capa: _capas,
    Reclassification: _reclassifications,
    RetentionObligation: _retention_obligations,
    Change: _changes,
    SharedLineAssessment: _assessments,
    SharedLineNotice: _notices,
    SharedLineProductRisk: _product_risks,
    CapaApproval: _capa_approvals,
    Audit: _audits,
    AuditFinding: _audit_rows,
}


# --- the interface the selectors use -----------------------------------------------------------


def visible(actor: Actor, queryset: QuerySet[M] | type[M]) -> QuerySet[M]:
    """``queryset`` (or every row of a model) narrowed to what ``actor`` may see.

    A model the policy does not know raises ``LookupError``: a new model is invisible to selectors
    until its rule is written here, never visible by default.
    """
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    scope = Scope.of(actor)
    try:
        rule = _FILTERS[qs.model]
    except KeyError:
        raise LookupError(f"the visibility policy has no rule for {qs.model._meta.label}") from None
    if scope.everything:
        return qs
    return qs.filter(rule(scope))


def sees_everything(actor: Actor) -> bool:
    """The platform admin and the system actor: no filter at all."""
    return Scope.of(actor).everything


def sees_all_of(actor: Actor, organisation: Organisation) -> bool:
    """Whether the actor sees every record of ``organisation`` (its own, or its province's), CVs included."""
    s = Scope.of(actor)
    return s.everything or organisation.pk in s.own or organisation.province in s.provinces


def lines_with_every_product(actor: Actor) -> QuerySet[Line]:
    """The lines on which the actor sees every product (so may see how many holders share it)."""
    s = Scope.of(actor)
    if s.everything:
        return Line.objects.all()
    return Line.objects.filter(_lines_with_every_product(s))


def known_models() -> tuple[type[models.Model], ...]:
    """Every model the policy has a rule for (the tests check that each exported sheet has one)."""
    return tuple(_FILTERS)
