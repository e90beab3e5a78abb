"""Which fact graphs a changed record feeds, so that a re-check evaluates only those.

A contract's graph (``ContractFacts``) holds the contract, its products, lines, agreements,
evaluations and transfers, and both parties' ``OrganisationFacts`` whole. An enterprise's graph
(``OrganisationFacts``) holds its lines with every product made on them, its key persons with their
years, its licences, inspections and held products. So a change to anything of an enterprise's own
affects its graph *and* every contract it is a party to; a change to a contract's own records
affects that contract (and, for the contract itself, the contracts that share its products — art.
10 counts a product's CMOs — or its two parties, art. 20). The workflows between the parties
(audits with their findings, quality events and deviations with their reclassifications, changes,
batches with their duties and release decisions) are records of one contract; a shared-line
assessment, its notices and its CAPAs with the MAHs' reviews are facts of the line, in its CMO's
graph; a CAPA follows what it answers.

Each mapping costs one or two small queries. A change to the working-day calendar affects every
deadline: ``everything``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Q

from weituo.batches.models import Batch, ReleaseDecision
from weituo.contracts.models import (
    AgreementAttachment,
    CommissionContract,
    CommunicationItem,
    MahEvaluation,
    QualityAgreement,
    ResidentStaff,
    ResponsibilityItem,
    TechTransfer,
)
from weituo.core.models import CalendarYear
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
)
from weituo.registry.models import (
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

ContractProducts = CommissionContract.products.through


@dataclass(frozen=True)
class Affected:
    """The contracts and the enterprises (evaluated on their own) whose facts a change may alter."""

    contract_ids: frozenset[int] = frozenset()
    enterprise_ids: frozenset[int] = frozenset()
    everything: bool = False

    def __or__(self, other: Affected) -> Affected:
        return Affected(
            self.contract_ids | other.contract_ids,
            self.enterprise_ids | other.enterprise_ids,
            self.everything or other.everything,
        )


def _contracts(ids: Iterable[int]) -> Affected:
    return Affected(contract_ids=frozenset(i for i in ids if i is not None))


def _enterprises(ids: Iterable[int | None]) -> Affected:
    """The enterprises' own graphs and every contract they are a party to."""
    ids = frozenset(i for i in ids if i is not None)
    if not ids:
        return Affected()
    contracts = CommissionContract.objects.filter(Q(mah_id__in=ids) | Q(cmo_id__in=ids)).values_list("pk", flat=True)
    return Affected(contract_ids=frozenset(contracts), enterprise_ids=ids)


def _contracts_naming(person_id: int) -> frozenset[int]:
    """Contracts whose agreements or transfers name the person (an agreement may name anyone's people)."""
    agreements = QualityAgreement.objects.filter(
        Q(cmo_link_person_id=person_id)
        | Q(
            pk__in=CommunicationItem.objects.filter(Q(mah_contact_id=person_id) | Q(cmo_contact_id=person_id)).values(
                "agreement_id"
            )
        )
        | Q(pk__in=ResidentStaff.objects.filter(person_id=person_id).values("agreement_id"))
    ).values("contract_id")
    return frozenset(
        CommissionContract.objects.filter(
            Q(pk__in=agreements) | Q(pk__in=TechTransfer.objects.filter(lead_id=person_id).values("contract_id"))
        ).values_list("pk", flat=True)
    )


def _person(person_id: int, organisation_id: int) -> Affected:
    named = _contracts(_contracts_naming(person_id))
    if Appointment.objects.filter(person_id=person_id).exists():  # a key person: in the enterprise's graph
        return named | _enterprises([organisation_id])
    return named


def _product(product: Product) -> Affected:
    owners = Line.objects.filter(
        pk__in=LineProduct.objects.filter(product_id=product.pk).values("line_id")
    ).values_list("workshop__site__organisation_id", flat=True)
    contracts = ContractProducts.objects.filter(product_id=product.pk).values_list("commissioncontract_id", flat=True)
    return _enterprises([product.holder_id, *owners]) | _contracts(contracts)


def _contract(contract: CommissionContract) -> Affected:
    products = ContractProducts.objects.filter(commissioncontract_id=contract.pk).values("product_id")
    related = CommissionContract.objects.filter(
        Q(pk=contract.pk)
        | Q(pk__in=ContractProducts.objects.filter(product_id__in=products).values("commissioncontract_id"))
        | Q(mah_id=contract.mah_id, cmo_id=contract.cmo_id)
    ).values_list("pk", flat=True)
    return _contracts([contract.pk, *related])


def _capa(capa: Capa) -> Affected:
    """A CAPA answers an audit finding (its audit's contract), a shared-line assessment (a fact of the
    line, in its CMO's graph) or a quality event (its contract)."""
    if capa.finding_id is not None:
        return _contracts(AuditFinding.objects.filter(pk=capa.finding_id).values_list("audit__contract_id", flat=True))
    if capa.assessment_id is not None:
        return _enterprises(
            SharedLineAssessment.objects.filter(pk=capa.assessment_id).values_list(
                "line__workshop__site__organisation_id", flat=True
            )
        )
    if capa.event_id is not None:
        return _contracts(QualityEvent.objects.filter(pk=capa.event_id).values_list("contract_id", flat=True))
    return Affected()


def affected_by(changed: models.Model) -> Affected:
    """The graphs whose facts ``changed`` (a record just created, updated or deleted) feeds.

    ``TypeError`` for a model that feeds no fact (an account, a ledger entry): nothing to re-check,
    and asking is a programming error.
    """
    match changed:
        case Organisation():
            return _enterprises([changed.pk])
        case EnterpriseGroup():
            return _enterprises(Organisation.objects.filter(group_id=changed.pk).values_list("pk", flat=True))
        case Site():
            # its owner; and whoever's licence names the site (an MAH's B licence names the CMO's site)
            holders = LicenceScope.objects.filter(site_id=changed.pk).values_list("licence__organisation_id", flat=True)
            return _enterprises([changed.organisation_id, *holders])
        case Workshop():
            return _enterprises(Site.objects.filter(pk=changed.site_id).values_list("organisation_id", flat=True))
        case Line():
            owner = Workshop.objects.filter(pk=changed.workshop_id).values_list("site__organisation_id", flat=True)
            return _enterprises(owner)
        case LineProduct():
            owner = Line.objects.filter(pk=changed.line_id).values_list("workshop__site__organisation_id", flat=True)
            return _enterprises(owner)
        case Product():
            return _product(changed)
        case RegistrationCertificate():
            contracts = ContractProducts.objects.filter(product_id=changed.product_id).values_list(
                "commissioncontract_id", flat=True
            )
            return _contracts(contracts)
        case Licence():
            return _enterprises([changed.organisation_id])
        case LicenceScope():
            return _enterprises(Licence.objects.filter(pk=changed.licence_id).values_list("organisation_id", flat=True))
        case Person():
            return _person(changed.pk, changed.organisation_id)
        case Appointment() | ExperienceRecord():
            person = Person.objects.filter(pk=changed.person_id).values_list("organisation_id", flat=True).first()
            return _person(changed.person_id, person) if person is not None else Affected()
        case InspectionRecord() | EnterpriseExperience():
            return _enterprises([changed.organisation_id])
        case CommissionContract():
            return _contract(changed)
        case QualityAgreement() | TechTransfer():
            return _contracts([changed.contract_id])
        case AgreementAttachment():
            return Affected()  # a file beside the agreement: no rule reads it
        case ResponsibilityItem() | CommunicationItem() | ResidentStaff():
            return _contracts(
                QualityAgreement.objects.filter(pk=changed.agreement_id).values_list("contract_id", flat=True)
            )
        case MahEvaluation():
            return _contracts(
                CommissionContract.objects.filter(mah_id=changed.mah_id, cmo_id=changed.cmo_id).values_list(
                    "pk", flat=True
                )
            )
        # the workflows between the parties: each record is of one contract's graph
        case Audit() | QualityEvent() | Change() | Batch():
            return _contracts([changed.contract_id])
        case Deviation():
            return _contracts(QualityEvent.objects.filter(pk=changed.event_id).values_list("contract_id", flat=True))
        case AuditFinding():
            return _contracts(Audit.objects.filter(pk=changed.audit_id).values_list("contract_id", flat=True))
        case Capa():
            return _capa(changed)
        case CapaApproval():
            capa = Capa.objects.filter(pk=changed.capa_id).first()
            return _capa(capa) if capa is not None else Affected()
        case Reclassification():
            return _contracts(
                Deviation.objects.filter(pk=changed.deviation_id).values_list("event__contract_id", flat=True)
            )
        case RetentionObligation() | ReleaseDecision():
            return _contracts(Batch.objects.filter(pk=changed.batch_id).values_list("contract_id", flat=True))
        # a shared-line assessment is a fact of the line, in its CMO's graph
        case SharedLineAssessment():
            return _enterprises(
                Line.objects.filter(pk=changed.line_id).values_list("workshop__site__organisation_id", flat=True)
            )
        case SharedLineNotice():
            return _enterprises(
                SharedLineAssessment.objects.filter(pk=changed.assessment_id).values_list(
                    "line__workshop__site__organisation_id", flat=True
                )
            )
        case CalendarYear():
            return Affected(everything=True)
    raise TypeError(f"{type(changed).__name__} feeds no compliance fact: nothing to re-check")


# Every model ``affected_by`` answers for; a ledgered change of any other (an account, a finding)
# feeds no fact.
FEEDING: tuple[type[models.Model], ...] = (
    Organisation, EnterpriseGroup, Site, Workshop, Line, LineProduct, Product, RegistrationCertificate,
    Licence, LicenceScope, Person, Appointment, ExperienceRecord, InspectionRecord, EnterpriseExperience,
    CommissionContract,
    QualityAgreement, TechTransfer, AgreementAttachment, ResponsibilityItem, CommunicationItem,
    ResidentStaff, MahEvaluation, Audit, AuditFinding, QualityEvent, Change, Batch, Deviation,
    Reclassification, RetentionObligation, ReleaseDecision, SharedLineAssessment, SharedLineNotice, Capa,
    CapaApproval, CalendarYear,
)  # fmt: skip


def _model_of(object_type: str) -> type[models.Model] | None:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
    return model if issubclass(model, FEEDING) else None


def feeds_facts(object_type: str) -> bool:
    """Whether a ledgered change of this object type (``app_label.model``) can alter a fact."""
    return _model_of(object_type) is not None


def _as_before(model: type[models.Model], current: models.Model | None, old: dict) -> models.Model | None:
    """The record with the values it had before the change, where they say where it belonged.

    A deleted record is rebuilt from its last values; a record moved to another contract (or line,
    or enterprise) has its old links put back, so that what it fed before is re-checked too."""
    links = {f.attname for f in model._meta.concrete_fields if f.is_relation}
    before = {k: v for k, v in old.items() if k in links}
    if current is None:
        fields = {f.attname for f in model._meta.concrete_fields}
        return model(**{k: v for k, v in old.items() if k in fields}) if old else None
    if not before:
        return None
    instance = copy.copy(current)
    for name, value in before.items():
        setattr(instance, name, value)
    return instance


def affected_by_changes(changes: Sequence[tuple[str, str, dict]]) -> Affected:
    """The graphs a committed transaction's changes feed, each given as ``(object_type, object_id,
    old values)`` as the ledger recorded them: the records as they are now, and as they were where
    a change moved or deleted them."""
    olds: dict[tuple[type[models.Model], str], dict] = {}
    for object_type, object_id, old in changes:
        model = _model_of(object_type)
        if model is not None:
            seen = olds.setdefault((model, object_id), {})
            for name, value in old.items():  # the first entry's are the values before the transaction
                seen.setdefault(name, value)
    affected = Affected()
    by_model: dict[type[models.Model], list[str]] = {}
    for model, object_id in olds:
        by_model.setdefault(model, []).append(object_id)
    for model, ids in by_model.items():
        current = model._default_manager.in_bulk([model._meta.pk.to_python(i) for i in ids])
        for object_id in ids:
            now = current.get(model._meta.pk.to_python(object_id))
            for instance in (now, _as_before(model, now, olds[(model, object_id)])):
                if instance is not None:
                    affected |= affected_by(instance)
                    if affected.everything:
                        return affected
    return affected
