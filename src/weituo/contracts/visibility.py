"""Who sees which contract record: contracts, quality agreements and their rows, technology transfers
and the CMO's evaluations of MAHs, registered with ``access.policy`` when the app starts; and what a
contract adds to the registry's rules (the lines and products it names, its parties, the people its
agreements and transfers name).
"""

from __future__ import annotations

from django.db.models import F, Q

from weituo.access import policy
from weituo.access.policy import NOTHING, Scope, ids
from weituo.registry.models import Line, Organisation, Person, Product

from .models import (
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

ContractProducts = CommissionContract.products.through
ContractLines = CommissionContract.lines.through
EvaluationProducts = MahEvaluation.products.through


def _contracts(s: Scope) -> Q:
    q = NOTHING
    if s.mah:
        q |= Q(mah_id__in=s.mah)
    if s.cmo:
        q |= Q(cmo_id__in=s.cmo)
    if s.provinces:
        q |= Q(mah__province__in=s.provinces) | Q(cmo__province__in=s.provinces)
    return q


def _named_people(s: Scope) -> Q:
    """Whoever the agreements and transfers the actor sees name: they are in the actor's own documents
    (an agreement copied from a template may name another company's people, and the rules must see it)."""
    agreements = ids(QualityAgreement, s)
    q = Q(pk__in=QualityAgreement.objects.filter(pk__in=agreements).values("cmo_link_person_id"))
    q |= Q(pk__in=CommunicationItem.objects.filter(agreement__in=agreements).values("mah_contact_id"))
    q |= Q(pk__in=CommunicationItem.objects.filter(agreement__in=agreements).values("cmo_contact_id"))
    q |= Q(pk__in=ResidentStaff.objects.filter(agreement__in=agreements).values("person_id"))
    q |= Q(pk__in=ids(TechTransfer, s, "lead_id"))
    q |= Q(
        pk__in=TechTransfer.working_group.through.objects.filter(techtransfer__in=ids(TechTransfer, s)).values(
            "person_id"
        )
    )
    return q


def _agreements(s: Scope) -> Q:
    return Q(contract__in=ids(CommissionContract, s))


def _agreement_rows(s: Scope) -> Q:
    return Q(agreement__in=ids(QualityAgreement, s))


def _tech_transfers(s: Scope) -> Q:
    return Q(contract__in=ids(CommissionContract, s)) & Q(product__in=ids(Product, s))


def _transfer_rows(s: Scope) -> Q:
    # A transfer's steps and risks are between the contract's two parties, like the transfer itself.
    return Q(transfer__in=ids(TechTransfer, s))


def _evaluations(s: Scope) -> Q:
    # The CMO's own assessment of an MAH before signing (art. 3): the CMO's record, and its regulator's.
    q = s.home("cmo__")
    if s.provinces:
        q |= Q(mah__province__in=s.provinces)
    return q


# --- what contracts add to the registry's rules ------------------------------------------------


def _lines_named(s: Scope) -> Q:
    # The lines named in a visible contract: only the contracted CMO's own lines (a line of another
    # CMO named by mistake stays invisible, so one CMO never sees another's line through a contract).
    named = ContractLines.objects.filter(
        commissioncontract__in=ids(CommissionContract, s),
        line__workshop__site__organisation=F("commissioncontract__cmo"),
    )
    return Q(pk__in=named.values("line_id"))


def _products_named(s: Scope) -> Q:
    # The products of a visible contract that its MAH holds (another holder's product listed by
    # mistake stays invisible).
    in_contracts = ContractProducts.objects.filter(
        commissioncontract__in=ids(CommissionContract, s), product__holder=F("commissioncontract__mah")
    )
    q = Q(pk__in=in_contracts.values("product_id"))
    if s.cmo:  # the products it evaluated before signing (art. 3)
        q |= Q(pk__in=EvaluationProducts.objects.filter(mahevaluation__cmo_id__in=s.cmo).values("product_id"))
    return q


def _parties(s: Scope) -> Q:
    contracts = ids(CommissionContract, s)
    q = Q(pk__in=CommissionContract.objects.filter(pk__in=contracts).values("mah_id"))
    q |= Q(pk__in=CommissionContract.objects.filter(pk__in=contracts).values("cmo_id"))
    q |= Q(pk__in=ids(MahEvaluation, s, "mah_id")) | Q(pk__in=ids(MahEvaluation, s, "cmo_id"))
    # the employer of a person its agreements name (at name and licence level, like a counterparty)
    return q | Q(pk__in=Person.objects.filter(_named_people(s)).values("organisation_id"))


def register() -> None:
    for model, rule in (
        (CommissionContract, _contracts),
        (QualityAgreement, _agreements),
        (ResponsibilityItem, _agreement_rows),
        (CommunicationItem, _agreement_rows),
        (ResidentStaff, _agreement_rows),
        (AgreementAttachment, _agreement_rows),
        (TechTransfer, _tech_transfers),
        (TechTransferStep, _transfer_rows),
        (TechTransferRisk, _transfer_rows),
        (MahEvaluation, _evaluations),
    ):
        policy.register(model, rule)
    policy.extend(Line, _lines_named)
    policy.extend(Product, _products_named)
    policy.extend(Organisation, _parties)
    policy.extend(Person, _named_people)
