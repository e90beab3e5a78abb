"""The facts the rules read, built from the database in bulk.

:func:`load_facts` reads each model once — one ``values()`` query per model (and per link table),
filtered to what the scan covers — and assembles the frozen dataclasses of :mod:`weituo.rules.facts`
in Python. The number of queries is the same whether the scan covers one contract or a nation: it
never runs a query per contract, per rule or per row.

What the database does not hold is passed as ``None``, never guessed, so that the rules answer
"needs information" naming it (the rules engine's convention):

* batches (with their deviations, art. 11 retention duties and release decisions), the quality
  events raised between the parties, every deviation of a contract with its reclassifications, the
  changes (one fact per product a change names, with their regulatory path, filing and approval
  dates), the MAH's audits of the CMO (with their findings and the CMO's CAPAs answering them) and,
  on a line, the shared-line risk assessments with the MAHs notified, their feedback and agreements,
  and the assessments' CAPAs with each MAH's review are read from the batches and quality apps: an
  empty tuple is "none recorded";
* records no app holds yet — opinion letters, reviews, supervision visits,
  comparison studies, separation evidence, credit statements, CAPA triggers, rectification plans
  — stay ``None`` on the contract; a unified QMS outside a group is what the contract records
  (blank: unknown);
* on a line: its requalifications;
* on an agreement: the clause on special batches (unless both parties keep everything anyway);
* on an enterprise: audit trails. Its R&D and non-commercial production are what it recorded
  (``EnterpriseExperience``; none recorded is none, as for the CMO's part in a product's R&D on
  the contract); its commercial production experience is derived from its
  lines (commercial production of each dosage form, ``commercial_since`` → the last commercial
  production, ongoing while products are made on the line), except when a line shows commercial
  production without its start date, or without its last date and nothing made on it: then the
  experience is incomplete and is given as ``None`` rather than overstated or understated;
* on a key person: the years of practice are ``None`` without any CV period recorded.

An empty tuple means *known to be none* (the agreement lists no resident staff, the CMO has no
inspection on record), which is what the structured data says.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from weituo.batches.choices import ReleaseStep
from weituo.batches.models import Batch, ReleaseDecision
from weituo.contracts.models import (
    CommissionContract,
    CommunicationItem,
    MahEvaluation,
    QualityAgreement,
    ResidentStaff,
    ResponsibilityItem,
    TechTransfer,
)
from weituo.quality.choices import (
    AuditStatus,
    CapaStatus,
    ChangeStatus,
    EventCategory,
    EventStatus,
    FilingStatus,
    RegulatoryPath,
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
)
from weituo.registry.choices import RISK_FLAGS
from weituo.registry.experience import Period, practice_years
from weituo.registry.models import (
    Appointment,
    EnterpriseExperience,
    ExperienceRecord,
    InspectionRecord,
    Licence,
    LicenceScope,
    Line,
    LineProduct,
    Organisation,
    Product,
)
from weituo.rules.facts import (
    AgreementFacts,
    AppointmentFacts,
    AuditCapaFacts,
    AuditFacts,
    AuditFindingFacts,
    BatchFacts,
    CapaApprovalFacts,
    CertificateFacts,
    ChangeFacts,
    CommunicationFacts,
    ContractFacts,
    DeviationFacts,
    EvaluationFacts,
    ExperienceFacts,
    InspectionFacts,
    KeyPersonFacts,
    LicenceFacts,
    LicenceScopeFacts,
    LineFacts,
    OrganisationFacts,
    PersonFacts,
    ProductBrief,
    ProductFacts,
    QualityEventFacts,
    ReclassificationFacts,
    ResidentStaffFacts,
    ResponsibilityFacts,
    RetentionDutyFacts,
    SharedLineCapaFacts,
    SharedLineChangeFacts,
    TechTransferFacts,
)

ContractProducts = CommissionContract.products.through
ContractLines = CommissionContract.lines.through
ContractRndProducts = CommissionContract.cmo_rnd_products.through
# The statuses a change reaches only once the MAH approved it.
MAH_APPROVED_STATUSES = frozenset({ChangeStatus.APPROVED, ChangeStatus.IMPLEMENTED, ChangeStatus.CLOSED})
EvaluationProducts = MahEvaluation.products.through

ROLE_FIELDS = (
    ("is_mah", "mah"),
    ("is_cmo", "cmo"),
    ("is_registrant", "registrant"),
    ("is_device_cmo", "device_cmo"),
    ("is_testing_lab", "testing_lab"),
)
EVALUATION_TOPICS = (
    ("covers_qualification", "qualification"),
    ("covers_quality_capability", "quality_capability"),
    ("covers_product_risk", "product_risk"),
    ("covers_tech_transfer_feasibility", "tech_transfer_feasibility"),
    ("covers_shared_line_feasibility", "shared_line_feasibility"),
)
TRANSFER_DATES = (
    "started_on",
    "plan_reviewed_on",
    "equipment_qualified_on",
    "cleaning_validated_on",
    "analytical_validated_on",
    "process_validated_on",
    "shared_line_assessed_on",
    "report_reviewed_on",
    "master_documents_approved_on",
    "completed_on",
)


@dataclass
class FactGraphs:
    """The fact graphs of a scan, and the database ids the findings will point at."""

    as_of: dt.date
    contracts: list[ContractFacts] = field(default_factory=list)
    enterprises: list[OrganisationFacts] = field(default_factory=list)
    contract_ids: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # ref → (id, mah id, cmo id)
    organisation_ids: dict[str, int] = field(default_factory=dict)  # ref → id, for every organisation loaded

    def subjects(self) -> list[ContractFacts | OrganisationFacts]:
        return [*self.contracts, *self.enterprises]

    def __len__(self) -> int:
        return len(self.contracts) + len(self.enterprises)


def in_force(row: dict[str, Any], as_of: dt.date, prefix: str = "") -> bool:
    """``ContractFacts.in_force_on`` on a row of values (``prefix``: of the contract's columns)."""
    if row[f"{prefix}status"] == "draft":
        return False
    terminated = row[f"{prefix}terminated_on"]
    if terminated is not None and terminated <= as_of:
        return False
    start, end = row[f"{prefix}effective_from"], row[f"{prefix}expires_on"]
    return (start is None or start <= as_of) and (end is None or as_of <= end)


def dosage_forms(text: str) -> list[str]:
    """``Line.dosage_form_list`` on the stored text."""
    return [f.strip() for f in (text or "").replace(",", "、").split("、") if f.strip()]


def _person(ref: str | None, name: str | None, organisation_ref: str | None) -> PersonFacts | None:
    if ref is None:
        return None
    return PersonFacts(ref=ref, name=name or "", organisation_ref=organisation_ref or "")


def _blank_none(value: str | None) -> str | None:
    return value if value else None


class _Filter:
    """Narrows each query to the organisations and contracts a scan covers (no filter for a full scan)."""

    def __init__(self, everything: bool, organisation_ids: set[int], contract_ids: set[int]) -> None:
        self.everything = everything
        self.organisation_ids = organisation_ids
        self.contract_ids = contract_ids

    def orgs(self, qs: QuerySet, path: str) -> QuerySet:
        return qs if self.everything else qs.filter(**{f"{path}__in": self.organisation_ids})

    def contracts(self, qs: QuerySet, path: str) -> QuerySet:
        return qs if self.everything else qs.filter(**{f"{path}__in": self.contract_ids})


def load_facts(
    *,
    as_of: dt.date,
    everything: bool = False,
    contract_ids: Collection[int] = (),
    enterprise_ids: Collection[int] = (),
) -> FactGraphs:
    """The fact graphs of every contract and enterprise (``everything``), or of the given ones.

    ``contract_ids``: the contracts to evaluate (each with both parties' facts); ``enterprise_ids``:
    the enterprises to evaluate on their own (their lines, key persons …). A fixed number of queries.
    """
    graphs = FactGraphs(as_of=as_of)
    contract_qs = CommissionContract.objects.all()
    if not everything:
        contract_qs = contract_qs.filter(pk__in=list(contract_ids))
    contract_rows = list(
        contract_qs.order_by("ref").values(
            "id",
            "ref",
            "number",
            "mah_id",
            "cmo_id",
            "status",
            "signed_on",
            "effective_from",
            "expires_on",
            "terminated_on",
            "unified_qms_confirmed",
        )
    )
    selected = {r["id"] for r in contract_rows}
    organisation_ids = set(enterprise_ids)
    for r in contract_rows:
        organisation_ids.update((r["mah_id"], r["cmo_id"]))
    scope = _Filter(everything, organisation_ids, selected)

    organisations = _organisations(scope, as_of)
    graphs.organisation_ids = {o.ref: pk for pk, o in organisations.items()}
    if everything:
        graphs.enterprises = sorted(organisations.values(), key=lambda o: o.ref)
    else:
        graphs.enterprises = sorted(
            (organisations[i] for i in set(enterprise_ids) if i in organisations), key=lambda o: o.ref
        )
    if contract_rows:
        graphs.contracts = _contracts(scope, contract_rows, organisations, as_of)
        graphs.contract_ids = {r["ref"]: (r["id"], r["mah_id"], r["cmo_id"]) for r in contract_rows}
    return graphs


# --------------------------------------------------------------------------------------------------
# enterprises


def _organisations(scope: _Filter, as_of: dt.date) -> dict[int, OrganisationFacts]:
    org_rows = list(
        scope.orgs(Organisation.objects, "pk").values(
            "id",
            "ref",
            "name",
            "uscc",
            "province",
            *(f for f, _ in ROLE_FIELDS),
            "group__ref",
            "group__unified_qms",
        )
    )
    ref_of = {r["id"]: r["ref"] for r in org_rows}

    # lines, with every product made on them (of every holder)
    products_on: dict[int, list[ProductBrief]] = defaultdict(list)
    biologic_lines: set[int] = set()
    for r in (
        scope.orgs(LineProduct.objects, "line__workshop__site__organisation")
        .order_by("line_id", "product__ref")
        .values(
            "line_id",
            "annual_volume",
            "product__ref",
            "product__name",
            "product__holder__ref",
            "product__dosage_form",
            "product__biologic",
        )
    ):
        products_on[r["line_id"]].append(
            ProductBrief(
                ref=r["product__ref"],
                name=r["product__name"],
                holder_ref=r["product__holder__ref"],
                dosage_form=_blank_none(r["product__dosage_form"]),
                annual_volume=r["annual_volume"],
            )
        )
        if r["product__biologic"]:
            biologic_lines.add(r["line_id"])
    shared_line_changes = _shared_line_changes(scope)
    lines: dict[int, list[LineFacts]] = defaultdict(list)
    experience: dict[int, list[ExperienceFacts] | None] = defaultdict(list)
    for r in (
        scope.orgs(Line.objects, "workshop__site__organisation")
        .order_by("ref")
        .values(
            "id",
            "ref",
            "name",
            "dosage_forms",
            "sterile",
            "design_capacity",
            "capacity_unit",
            "commercial_since",
            "last_commercial_production",
            "workshop__site__ref",
            "workshop__site__province",
            "workshop__site__organisation_id",
        )
    ):
        org_id = r["workshop__site__organisation_id"]
        forms = dosage_forms(r["dosage_forms"])
        lines[org_id].append(
            LineFacts(
                ref=r["ref"],
                name=r["name"],
                organisation_ref=ref_of.get(org_id, ""),
                dosage_forms=tuple(forms),
                sterile=r["sterile"],
                design_capacity=r["design_capacity"],
                capacity_unit=r["capacity_unit"],
                commercial_since=r["commercial_since"],
                last_commercial_production=r["last_commercial_production"],
                site_ref=r["workshop__site__ref"],
                province=r["workshop__site__province"],
                products=tuple(products_on.get(r["id"], ())),
                shared_line_changes=tuple(shared_line_changes.get(r["id"], ())),
            )
        )
        since, last = r["commercial_since"], r["last_commercial_production"]
        # read as the idle-line rule of art. 18 reads it (LineFacts.commercial_state)
        if lines[org_id][-1].commercial_state == "unknown":
            experience[org_id] = None  # produced commercially, start or end unknown: the experience is not known
        elif since is not None and experience[org_id] is not None:
            experience[org_id].extend(
                ExperienceFacts(
                    activity="commercial_production",
                    started_on=since,
                    ended_on=last,
                    dosage_form=form,
                    sterile=r["sterile"],
                    biologic=r["id"] in biologic_lines,
                )
                for form in forms
            )

    # key persons: whoever holds (or held) an appointment, with their years of practice
    appointments: dict[int, list[AppointmentFacts]] = defaultdict(list)
    people: dict[int, tuple[str, str, int]] = {}
    for r in (
        scope.orgs(Appointment.objects, "person__organisation")
        .order_by("person__ref", "since", "role")
        .values("person_id", "person__ref", "person__name", "person__organisation_id", "role", "since", "until")
    ):
        people[r["person_id"]] = (r["person__ref"], r["person__name"], r["person__organisation_id"])
        appointments[r["person_id"]].append(AppointmentFacts(role=r["role"], since=r["since"], until=r["until"]))
    periods: dict[int, list[Period]] = defaultdict(list)
    experience_qs = ExperienceRecord.objects.all()
    if not scope.everything:  # the key persons' CVs only (a whole scan reads them all, and skips the rest)
        experience_qs = experience_qs.filter(person_id__in=list(people))
    for r in experience_qs.values(
        "person_id", "activity", "started_on", "ended_on", "sterile", "tcm_injection", "multicomponent_biochemical"
    ):
        if r["person_id"] not in people:
            continue
        periods[r["person_id"]].append(
            Period(
                start=r["started_on"],
                end=r["ended_on"],
                activity=r["activity"],
                sterile=r["sterile"],
                tcm_injection=r["tcm_injection"],
                multicomponent_biochemical=r["multicomponent_biochemical"],
            )
        )
    key_persons: dict[int, list[KeyPersonFacts]] = defaultdict(list)
    for person_id, (ref, name, org_id) in people.items():
        cv = periods.get(person_id)
        years = practice_years(cv, as_of=as_of) if cv else None
        key_persons[org_id].append(
            KeyPersonFacts(
                ref=ref,
                name=name,
                organisation_ref=ref_of.get(org_id, ""),
                appointments=tuple(appointments[person_id]),
                practice_years=years and years.practice,
                sterile_years=years and years.sterile,
                tcm_injection_years=years and years.tcm_injection,
                multicomponent_biochemical_years=years and years.multicomponent_biochemical,
            )
        )

    # licences and their entries
    scopes: dict[int, list[LicenceScopeFacts]] = defaultdict(list)
    for r in (
        scope.orgs(LicenceScope.objects, "licence__organisation")
        .order_by("licence_id", "id")
        .values(
            "licence_id",
            "class_code",
            "scope",
            "site__ref",
            "product__ref",
            "counterparty__ref",
            "entered_on",
            "removal_applied_on",
        )
    ):
        scopes[r["licence_id"]].append(
            LicenceScopeFacts(
                class_code=r["class_code"],
                scope=r["scope"],
                site_ref=r["site__ref"],
                product_ref=r["product__ref"],
                counterparty_ref=r["counterparty__ref"],
                entered_on=r["entered_on"],
                removal_applied_on=r["removal_applied_on"],
            )
        )
    licences: dict[int, list[LicenceFacts]] = defaultdict(list)
    for r in (
        scope.orgs(Licence.objects, "organisation")
        .order_by("ref")
        .values(
            "id",
            "ref",
            "number",
            "kind",
            "issued_on",
            "valid_until",
            "class_codes",
            "category_letters",
            "organisation_id",
        )
    ):
        licences[r["organisation_id"]].append(
            LicenceFacts(
                ref=r["ref"],
                number=r["number"],
                kind=r["kind"],
                issued_on=r["issued_on"],
                valid_until=r["valid_until"],
                class_codes=r["class_codes"],
                category_letters=r["category_letters"],
                scopes=tuple(scopes.get(r["id"], ())),
            )
        )

    inspections: dict[int, list[InspectionFacts]] = defaultdict(list)
    for r in (
        scope.orgs(InspectionRecord.objects, "organisation")
        .order_by("inspected_on", "ref")
        .values(
            "ref", "organisation_id", "inspected_on", "kind", "conclusion", "line__ref", "dosage_form", "notice_number"
        )
    ):
        inspections[r["organisation_id"]].append(
            InspectionFacts(
                ref=r["ref"],
                organisation_ref=ref_of.get(r["organisation_id"], ""),
                inspected_on=r["inspected_on"],
                kind=r["kind"],
                conclusion=r["conclusion"],
                line_ref=r["line__ref"],
                dosage_form=_blank_none(r["dosage_form"]),
                notice_number=_blank_none(r["notice_number"]),
            )
        )

    held: dict[int, list[ProductBrief]] = defaultdict(list)
    for r in scope.orgs(Product.objects, "holder").order_by("ref").values("ref", "name", "holder_id", "dosage_form"):
        held[r["holder_id"]].append(
            ProductBrief(
                ref=r["ref"],
                name=r["name"],
                holder_ref=ref_of.get(r["holder_id"], ""),
                dosage_form=_blank_none(r["dosage_form"]),
            )
        )

    # R&D and non-commercial production, as each enterprise recorded them: none recorded is none
    rnd: dict[int, list[ExperienceFacts]] = defaultdict(list)
    for r in (
        scope.orgs(EnterpriseExperience.objects, "organisation")
        .order_by("started_on", "id")
        .values("organisation_id", "activity", "dosage_form", "sterile", "biologic", "started_on", "ended_on")
    ):
        rnd[r["organisation_id"]].append(
            ExperienceFacts(
                activity=r["activity"],
                started_on=r["started_on"],
                ended_on=r["ended_on"],
                dosage_form=_blank_none(r["dosage_form"]),
                sterile=r["sterile"],
                biologic=r["biologic"],
            )
        )

    out: dict[int, OrganisationFacts] = {}
    for r in org_rows:
        pk = r["id"]
        exp = experience.get(pk, [])
        out[pk] = OrganisationFacts(
            ref=r["ref"],
            name=r["name"],
            uscc=r["uscc"],
            province=r["province"],
            roles=frozenset(role for f, role in ROLE_FIELDS if r[f]),
            group_ref=r["group__ref"],
            group_unified_qms=bool(r["group__unified_qms"]),
            lines=tuple(lines.get(pk, ())),
            key_persons=tuple(sorted(key_persons.get(pk, ()), key=lambda p: p.ref)),
            licences=tuple(licences.get(pk, ())),
            inspections=tuple(inspections.get(pk, ())),
            held_products=tuple(held.get(pk, ())),
            experience=None if exp is None else tuple(exp),
            rnd_experience=tuple(rnd.get(pk, ())),
        )
    return out


# --------------------------------------------------------------------------------------------------
# contracts


def _contracts(
    scope: _Filter, contract_rows: list[dict], organisations: dict[int, OrganisationFacts], as_of: dt.date
) -> list[ContractFacts]:
    selected = scope.contract_ids if not scope.everything else {r["id"] for r in contract_rows}

    # Product links: those of the contracts scanned, those of every contract making the same products
    # (art. 10: all the CMOs of a product), and of every contract between the same two parties (art.
    # 20: what they still commission to each other).
    links = ContractProducts.objects.all()
    if not scope.everything:
        mahs = {r["mah_id"] for r in contract_rows}
        cmos = {r["cmo_id"] for r in contract_rows}
        links = links.filter(
            Q(product_id__in=ContractProducts.objects.filter(commissioncontract_id__in=selected).values("product_id"))
            | Q(commissioncontract__mah_id__in=mahs, commissioncontract__cmo_id__in=cmos)
        )
    link_rows = list(
        links.values(
            "commissioncontract_id",
            "product_id",
            "product__ref",
            "commissioncontract__mah_id",
            "commissioncontract__cmo_id",
            "commissioncontract__cmo__ref",
            "commissioncontract__status",
            "commissioncontract__effective_from",
            "commissioncontract__expires_on",
            "commissioncontract__terminated_on",
        )
    )
    products_of: dict[int, list[int]] = defaultdict(list)
    cmos_making: dict[int, set[str]] = defaultdict(set)  # product id → CMOs under a contract in force
    pair_products: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)  # in force: (contract, product)
    for r in link_rows:
        contract_id = r["commissioncontract_id"]
        if contract_id in selected:
            products_of[contract_id].append(r["product_id"])
        if in_force(r, as_of, "commissioncontract__"):
            cmos_making[r["product_id"]].add(r["commissioncontract__cmo__ref"])
            pair = (r["commissioncontract__mah_id"], r["commissioncontract__cmo_id"])
            pair_products[pair].append((contract_id, r["product__ref"]))

    product_qs = Product.objects.filter(
        pk__in=ContractProducts.objects.filter(commissioncontract_id__in=selected).values("product_id")
        if not scope.everything
        else ContractProducts.objects.values("product_id")
    )
    products: dict[int, ProductFacts] = {}
    for r in product_qs.values(
        "id",
        "ref",
        "name",
        "kind",
        "holder__ref",
        "status",
        "dosage_form",
        "approval_number",
        "category",
        "device_class",
        "implantable",
        "prohibited_catalogue",
        "last_commercial_batch_released",
        "approval_valid_from",
        "commissioned_before_stop",
        "production_restored_on",
        "segmented_pilot",
        "pilot_category",
        *RISK_FLAGS,
        "certificate__ref",
        "certificate__number",
        "certificate__issued_on",
        "certificate__valid_until",
        "certificate__annotation",
        "certificate__production_address",
    ):
        certificate = None
        if r["certificate__ref"] is not None:
            certificate = CertificateFacts(
                ref=r["certificate__ref"],
                number=r["certificate__number"],
                issued_on=r["certificate__issued_on"],
                valid_until=r["certificate__valid_until"],
                annotation=r["certificate__annotation"],
                production_address=_blank_none(r["certificate__production_address"]),
            )
        products[r["id"]] = ProductFacts(
            ref=r["ref"],
            name=r["name"],
            kind=r["kind"],
            holder_ref=r["holder__ref"],
            status=r["status"],
            dosage_form=r["dosage_form"],
            approval_number=_blank_none(r["approval_number"]),
            category=r["category"],
            device_class=r["device_class"],
            implantable=r["implantable"],
            prohibited_catalogue=r["prohibited_catalogue"],
            flags=frozenset(flag for flag in RISK_FLAGS if r[flag]),
            last_commercial_batch_released=r["last_commercial_batch_released"],
            cmo_refs=frozenset(cmos_making.get(r["id"], ())),
            certificate=certificate,
            approval_valid_from=r["approval_valid_from"],
            commissioned_before_stop=r["commissioned_before_stop"],
            production_restored_on=r["production_restored_on"],
            segmented_pilot=r["segmented_pilot"],
            pilot_category=_blank_none(r["pilot_category"]),
        )

    line_refs: dict[int, list[str]] = defaultdict(list)
    for r in (
        scope.contracts(ContractLines.objects, "commissioncontract_id")
        .order_by("line__ref")
        .values("commissioncontract_id", "line__ref")
    ):
        line_refs[r["commissioncontract_id"]].append(r["line__ref"])

    rnd_products: dict[int, set[str]] = defaultdict(set)  # art. 17 exception 4: none recorded is none
    for r in scope.contracts(ContractRndProducts.objects, "commissioncontract_id").values(
        "commissioncontract_id", "product__ref"
    ):
        rnd_products[r["commissioncontract_id"]].add(r["product__ref"])

    agreements = _agreements(scope)
    evaluations = _evaluations(scope, contract_rows)
    transfers = _transfers(scope)
    deviations, batch_deviations = _deviations(scope)
    batches = _batches(scope, batch_deviations)
    events = _quality_events(scope)
    changes = _changes(scope)
    audits = _audits(scope)

    out = []
    for r in contract_rows:
        pk, mah_id, cmo_id = r["id"], r["mah_id"], r["cmo_id"]
        continuing = frozenset(ref for other, ref in pair_products.get((mah_id, cmo_id), ()) if other != pk)
        own_products = sorted((products[p] for p in set(products_of.get(pk, ())) if p in products), key=lambda p: p.ref)
        out.append(
            ContractFacts(
                ref=r["ref"],
                number=r["number"],
                mah=organisations[mah_id],
                cmo=organisations[cmo_id],
                status=r["status"],
                signed_on=r["signed_on"],
                effective_from=r["effective_from"],
                expires_on=r["expires_on"],
                terminated_on=r["terminated_on"],
                products=tuple(own_products),
                line_refs=tuple(line_refs.get(pk, ())),
                agreements=tuple(agreements.get(pk, ())),
                evaluations=tuple(e for e in evaluations.get((cmo_id, mah_id), ())),
                tech_transfers=tuple(transfers.get(pk, ())),
                continuing_product_refs=continuing,
                batches=tuple(batches.get(pk, ())),
                quality_events=tuple(events.get(pk, ())),
                changes=tuple(changes.get(pk, ())),
                audits=tuple(audits.get(pk, ())),
                cmo_rnd_participation=frozenset(rnd_products.get(pk, ())),
                unified_qms_confirmed=r["unified_qms_confirmed"],
                deviations=tuple(deviations.get(pk, ())),
            )
        )
    return out


def _local_date(value: dt.datetime | None) -> dt.date | None:
    """The calendar day in China time (the notices' days) of a stored UTC time."""
    return timezone.localtime(value).date() if value is not None else None


def _batches(scope: _Filter, deviations: dict[int, list[DeviationFacts]]) -> dict[int, list[BatchFacts]]:
    """Each contract's batches with their deviations (given, by batch id: see ``_deviations``), art. 11
    duties and release decisions (three queries).

    The release package is frozen and handed to the MAH with the factory release (its digest is in
    the signed decision), so the records are "sent" on the factory release date. A factory release
    with its decision was signed through the release service, which admits only an account holding
    the CMO's QP role: ``released_by_qp_account``.
    """
    duties: dict[int, list[RetentionDutyFacts]] = defaultdict(list)
    for r in (
        scope.contracts(RetentionObligation.objects, "batch__contract_id")
        .order_by("batch_id", "kind", "party")
        .values("batch_id", "kind", "party", "fulfilled_at", "exception")
    ):
        duties[r["batch_id"]].append(
            RetentionDutyFacts(
                kind=r["kind"],
                party=r["party"],
                fulfilled_on=_local_date(r["fulfilled_at"]),
                one_party_exception=bool(r["exception"]),
            )
        )
    signed = set(
        scope.contracts(ReleaseDecision.objects, "batch__contract_id")
        .filter(step=ReleaseStep.FACTORY)
        .values_list("batch_id", flat=True)
    )
    out: dict[int, list[BatchFacts]] = defaultdict(list)
    for r in (
        scope.contracts(Batch.objects, "contract_id")
        .order_by("product__ref", "number")
        .values(
            "id",
            "contract_id",
            "ref",
            "product__ref",
            "number",
            "manufactured_on",
            "factory_released_at",
            "market_released_at",
        )
    ):
        factory = _local_date(r["factory_released_at"])
        out[r["contract_id"]].append(
            BatchFacts(
                ref=r["ref"],
                product_ref=r["product__ref"],
                number=r["number"],
                manufactured_on=r["manufactured_on"],
                factory_released_on=factory,
                records_sent_on=factory,
                market_released_on=_local_date(r["market_released_at"]),
                released_by_qp_account=(r["id"] in signed) if factory else None,
                deviations=tuple(deviations.get(r["id"], ())),
                retention_duties=tuple(duties.get(r["id"], ())),
            )
        )
    return out


def _quality_events(scope: _Filter) -> dict[int, list[QualityEventFacts]]:
    """Each contract's communication-list items, with their deadlines as days in China time (one query)."""
    out: dict[int, list[QualityEventFacts]] = defaultdict(list)
    for r in (
        scope.contracts(QualityEvent.objects, "contract_id")
        .order_by("raised_at", "ref")
        .values(
            "contract_id",
            "ref",
            "category",
            "raised_by_party",
            "raised_at",
            "due_at",
            "acknowledged_at",
            "status",
            "batch__ref",
            "closed_at",
            "discovered_at",
            "notify_by",
        )
    ):
        out[r["contract_id"]].append(
            QualityEventFacts(
                ref=r["ref"],
                category=r["category"],
                raised_by=r["raised_by_party"],
                raised_on=_local_date(r["raised_at"]),
                due_on=_local_date(r["due_at"]),
                acknowledged_on=_local_date(r["acknowledged_at"]),
                withdrawn=r["status"] == EventStatus.WITHDRAWN,
                batch_ref=r["batch__ref"],
                closed_on=_local_date(r["closed_at"]) if r["status"] == EventStatus.CLOSED else None,
                discovered_on=_local_date(r["discovered_at"]),
                notify_due_on=_local_date(r["notify_by"]),
            )
        )
    return out


def _deviations(scope: _Filter) -> tuple[dict[int, list[DeviationFacts]], dict[int, list[DeviationFacts]]]:
    """The deviations (a withdrawn one was raised by mistake) with their reclassifications oldest
    first, by contract (on a batch or not) and by batch id (two queries). A decision was a second
    person's when the account that decided is not the one that asked; unknown when either was not a
    user's."""
    changes: dict[int, list[ReclassificationFacts]] = defaultdict(list)
    for r in (
        scope.contracts(Reclassification.objects, "deviation__event__contract_id")
        .order_by("requested_at", "pk")
        .values(
            "deviation_id",
            "from_classification",
            "to_classification",
            "status",
            "requested_at",
            "requested_by_id",
            "reason",
            "decided_at",
            "decided_by_id",
        )
    ):
        asked, decided = r["requested_by_id"], r["decided_by_id"]
        changes[r["deviation_id"]].append(
            ReclassificationFacts(
                from_classification=r["from_classification"],
                to_classification=r["to_classification"],
                status=r["status"],
                requested_on=_local_date(r["requested_at"]),
                reason=r["reason"],
                decided_on=_local_date(r["decided_at"]),
                second_person=None if asked is None or decided is None else asked != decided,
            )
        )
    out: dict[int, list[DeviationFacts]] = defaultdict(list)
    by_batch: dict[int, list[DeviationFacts]] = defaultdict(list)
    for r in (
        scope.contracts(Deviation.objects, "event__contract_id")
        .filter(event__category=EventCategory.DEVIATION)
        .exclude(event__status=EventStatus.WITHDRAWN)
        .order_by("event__raised_at", "event__ref")
        .values(
            "id",
            "event__contract_id",
            "event__ref",
            "classification",
            "event__raised_at",
            "event__status",
            "event__closed_at",
            "event__batch_id",
            "event__batch__ref",
        )
    ):
        fact = DeviationFacts(
            ref=r["event__ref"],
            classification=r["classification"],
            raised_on=_local_date(r["event__raised_at"]),
            closed_on=_local_date(r["event__closed_at"]) if r["event__status"] == EventStatus.CLOSED else None,
            batch_ref=r["event__batch__ref"],
            reclassifications=tuple(changes.get(r["id"], ())),
        )
        out[r["event__contract_id"]].append(fact)
        if r["event__batch_id"] is not None:
            by_batch[r["event__batch_id"]].append(fact)
    return out, by_batch


def _audits(scope: _Filter) -> dict[int, list[AuditFacts]]:
    """Each contract's audits of the CMO by the MAH that took place, with their findings and the CMO's
    CAPAs answering them (three queries): a planned or cancelled audit audited nothing. An audit is
    dated by its last day (its first when no last day is recorded yet); its report by the day it was
    issued, in China time."""
    capas: dict[int, list[AuditCapaFacts]] = defaultdict(list)
    for r in (
        scope.contracts(Capa.objects, "finding__audit__contract_id")
        .filter(finding__isnull=False)
        .order_by("due_on", "pk")
        .values("finding_id", "due_on", "created_at", "implemented_at", "status")
    ):
        checked = {CapaStatus.EFFECTIVE: True, CapaStatus.NOT_EFFECTIVE: False}.get(r["status"])
        capas[r["finding_id"]].append(
            AuditCapaFacts(
                due_on=r["due_on"],
                raised_on=_local_date(r["created_at"]),
                implemented_on=_local_date(r["implemented_at"]),
                effective=checked,
            )
        )
    findings: dict[int, list[AuditFindingFacts]] = defaultdict(list)
    for r in (
        scope.contracts(AuditFinding.objects, "audit__contract_id")
        .order_by("audit_id", "pk")
        .values("id", "audit_id", "audit__ref", "severity", "response_due_on")
    ):
        findings[r["audit_id"]].append(
            AuditFindingFacts(
                ref=f"{r['audit__ref']}-F{len(findings[r['audit_id']]) + 1}",  # numbered in the order recorded
                severity=r["severity"],
                response_due_on=r["response_due_on"],
                capas=tuple(capas.get(r["id"], ())),
            )
        )
    out: dict[int, list[AuditFacts]] = defaultdict(list)
    for r in (
        scope.contracts(Audit.objects, "contract_id")
        .filter(conducted_from__isnull=False)
        .exclude(status=AuditStatus.CANCELLED)
        .order_by("conducted_from", "ref")
        .values("id", "contract_id", "ref", "mode", "conducted_from", "conducted_to", "reported_at")
    ):
        out[r["contract_id"]].append(
            AuditFacts(
                ref=r["ref"],
                kind=r["mode"],
                audited_on=r["conducted_to"] or r["conducted_from"],
                report_on=_local_date(r["reported_at"]),
                findings=tuple(findings.get(r["id"], ())),
            )
        )
    return out


def _shared_line_changes(scope: _Filter) -> dict[int, list[SharedLineChangeFacts]]:
    """Each line's changes of shared-line conditions (art. 8): the risk assessment the CMO started for
    each, concluded on the day it was notified, the MAHs it was notified to, those that gave feedback
    and those with whom agreement was recorded, and its CAPAs with each MAH's review (four queries)."""
    notified: dict[int, set[str]] = defaultdict(set)
    feedback: dict[int, set[str]] = defaultdict(set)
    agreed: dict[int, set[str]] = defaultdict(set)
    for r in scope.orgs(SharedLineNotice.objects, "assessment__line__workshop__site__organisation").values(
        "assessment_id", "mah__ref", "feedback_at", "agreed_at"
    ):
        notified[r["assessment_id"]].add(r["mah__ref"])
        if r["feedback_at"] is not None:
            feedback[r["assessment_id"]].add(r["mah__ref"])
        if r["agreed_at"] is not None:
            agreed[r["assessment_id"]].add(r["mah__ref"])
    approvals: dict[int, list[CapaApprovalFacts]] = defaultdict(list)
    for r in (
        scope.orgs(CapaApproval.objects, "capa__assessment__line__workshop__site__organisation")
        .order_by("decided_at", "pk")
        .values("capa_id", "mah__ref", "decision", "decided_at")
    ):
        approvals[r["capa_id"]].append(
            CapaApprovalFacts(holder_ref=r["mah__ref"], decision=r["decision"], decided_on=_local_date(r["decided_at"]))
        )
    capas: dict[int, list[SharedLineCapaFacts]] = defaultdict(list)
    for r in (
        scope.orgs(Capa.objects, "assessment__line__workshop__site__organisation")
        .filter(assessment__isnull=False)
        .order_by("pk")
        .values("id", "assessment_id", "assessment__ref", "due_on", "implemented_at")
    ):
        capas[r["assessment_id"]].append(
            SharedLineCapaFacts(
                ref=f"{r['assessment__ref']}-CAPA{len(capas[r['assessment_id']]) + 1}",  # in the order added
                due_on=r["due_on"],
                implemented_on=_local_date(r["implemented_at"]),
                approvals=tuple(approvals.get(r["id"], ())),
            )
        )
    out: dict[int, list[SharedLineChangeFacts]] = defaultdict(list)
    for r in (
        scope.orgs(SharedLineAssessment.objects, "line__workshop__site__organisation")
        .order_by("started_at", "ref")
        .values("id", "line_id", "ref", "trigger_description", "started_at", "concluded_at")
    ):
        out[r["line_id"]].append(
            SharedLineChangeFacts(
                ref=r["ref"],
                changed_on=_local_date(r["started_at"]),
                description=r["trigger_description"],
                assessed_on=_local_date(r["concluded_at"]),
                notified_holder_refs=frozenset(notified.get(r["id"], ())),
                feedback_holder_refs=frozenset(feedback.get(r["id"], ())),
                agreed_holder_refs=frozenset(agreed.get(r["id"], ())),
                capas=tuple(capas.get(r["id"], ())),
            )
        )
    return out


def _changes(scope: _Filter) -> dict[int, list[ChangeFacts]]:
    """Each contract's changes, one fact per product the change names (art. 9, 11; two queries).

    The MAH approved on the day of its decision if the change went on to be approved; the authority
    approved (approval path) or took the filing (filing path) on the day the filing concluded."""
    products: dict[int, list[str]] = defaultdict(list)
    for r in (
        scope.contracts(Change.products.through.objects, "change__contract_id")
        .order_by("product__ref")
        .values("change_id", "product__ref")
    ):
        products[r["change_id"]].append(r["product__ref"])
    out: dict[int, list[ChangeFacts]] = defaultdict(list)
    for r in (
        scope.contracts(Change.objects, "contract_id")
        .exclude(status=ChangeStatus.WITHDRAWN)
        .order_by("proposed_at", "ref")
        .values(
            "id",
            "contract_id",
            "ref",
            "status",
            "mah_class",
            "cmo_class",
            "change_class",
            "regulatory_path",
            "decided_at",
            "filing_status",
            "filing_submitted_on",
            "filing_concluded_on",
            "implemented_on",
        )
    ):
        approved = r["status"] in MAH_APPROVED_STATUSES
        authority = (
            r["filing_concluded_on"]
            if r["regulatory_path"] == RegulatoryPath.APPROVAL and r["filing_status"] == FilingStatus.ACCEPTED
            else None
        )
        # filed on the day it was submitted (the filing path: 备案 is done by submitting it), or, with
        # no submission date, on the day the regulator took it
        filed = (
            (r["filing_submitted_on"] or r["filing_concluded_on"])
            if r["regulatory_path"] == RegulatoryPath.FILING
            and r["filing_status"] in (FilingStatus.SUBMITTED, FilingStatus.ACCEPTED)
            else None
        )
        for product_ref in products.get(r["id"]) or [None]:
            out[r["contract_id"]].append(
                ChangeFacts(
                    ref=r["ref"],
                    product_ref=product_ref,
                    implemented_on=r["implemented_on"],
                    mah_approved_on=_local_date(r["decided_at"]) if approved else None,
                    mah_class=r["mah_class"] or None,
                    cmo_class=r["cmo_class"] or None,
                    managed_as=r["change_class"] or None,
                    authority_approved_on=authority,
                    regulatory_path=r["regulatory_path"] or None,
                    authority_filed_on=filed,
                )
            )
    return out


def _agreements(scope: _Filter) -> dict[int, list[AgreementFacts]]:
    responsibilities: dict[int, list[ResponsibilityFacts]] = defaultdict(list)
    for r in (
        scope.contracts(ResponsibilityItem.objects, "agreement__contract_id")
        .order_by("agreement_id", "activity")
        .values("agreement_id", "activity", "party", "period_months")
    ):
        responsibilities[r["agreement_id"]].append(
            ResponsibilityFacts(activity=r["activity"], party=r["party"], period_months=r["period_months"])
        )
    communications: dict[int, list[CommunicationFacts]] = defaultdict(list)
    for r in (
        scope.contracts(CommunicationItem.objects, "agreement__contract_id")
        .order_by("agreement_id", "category")
        .values(
            "agreement_id",
            "category",
            "mah_contact__ref",
            "mah_contact__name",
            "mah_contact__organisation__ref",
            "cmo_contact__ref",
            "cmo_contact__name",
            "cmo_contact__organisation__ref",
            "channel",
            "time_limit",
            "time_unit",
        )
    ):
        communications[r["agreement_id"]].append(
            CommunicationFacts(
                category=r["category"],
                mah_contact=_person(r["mah_contact__ref"], r["mah_contact__name"], r["mah_contact__organisation__ref"]),
                cmo_contact=_person(r["cmo_contact__ref"], r["cmo_contact__name"], r["cmo_contact__organisation__ref"]),
                channel=_blank_none(r["channel"]),
                time_limit=r["time_limit"],
                time_unit=_blank_none(r["time_unit"]),
            )
        )
    stationed: dict[int, set[str]] = defaultdict(set)
    for r in scope.contracts(ResidentStaff.products.through.objects, "residentstaff__agreement__contract_id").values(
        "residentstaff_id", "product__ref"
    ):
        stationed[r["residentstaff_id"]].add(r["product__ref"])
    residents: dict[int, list[ResidentStaffFacts]] = defaultdict(list)
    for r in (
        scope.contracts(ResidentStaff.objects, "agreement__contract_id")
        .order_by("agreement_id", "person__ref")
        .values("id", "agreement_id", "person__ref", "person__name", "person__organisation__ref", "duties")
    ):
        person = _person(r["person__ref"], r["person__name"], r["person__organisation__ref"])
        products = frozenset(stationed[r["id"]]) if r["id"] in stationed else None  # none named: all
        residents[r["agreement_id"]].append(
            ResidentStaffFacts(person=person, duties=r["duties"], product_refs=products)
        )
    out: dict[int, list[AgreementFacts]] = defaultdict(list)
    for r in (
        scope.contracts(QualityAgreement.objects, "contract_id")
        .order_by("contract_id", "effective_from", "document_version")
        .values(
            "id",
            "contract_id",
            "ref",
            "document_version",
            "status",
            "signed_on",
            "effective_from",
            "expires_on",
            "terminated_on",
            "mah_may_consult_records",
            "mah_may_visit_sites",
            "cmo_link_person__ref",
            "cmo_link_person__name",
            "cmo_link_person__organisation__ref",
            "retained_samples_party",
            "stability_party",
            "production_date_definition",
            "electronic_production_records",
            "electronic_data_exchange",
            "electronic_material_management",
            "last_annual_review",
        )
    ):
        out[r["contract_id"]].append(
            AgreementFacts(
                ref=r["ref"],
                version=r["document_version"],
                status=r["status"],
                signed_on=r["signed_on"],
                effective_from=r["effective_from"],
                expires_on=r["expires_on"],
                terminated_on=r["terminated_on"],
                mah_may_consult_records=r["mah_may_consult_records"],
                mah_may_visit_sites=r["mah_may_visit_sites"],
                cmo_link_person=_person(
                    r["cmo_link_person__ref"], r["cmo_link_person__name"], r["cmo_link_person__organisation__ref"]
                ),
                retained_samples_party=r["retained_samples_party"],
                stability_party=r["stability_party"],
                production_date_definition=r["production_date_definition"],
                electronic_production_records=r["electronic_production_records"],
                electronic_data_exchange=r["electronic_data_exchange"],
                electronic_material_management=r["electronic_material_management"],
                last_annual_review=r["last_annual_review"],
                responsibilities=tuple(responsibilities.get(r["id"], ())),
                communications=tuple(communications.get(r["id"], ())),
                resident_staff=tuple(residents.get(r["id"], ())),
            )
        )
    return out


def _evaluations(scope: _Filter, contract_rows: list[dict]) -> dict[tuple[int, int], list[EvaluationFacts]]:
    """The CMO's evaluations of the MAH, by (CMO, MAH): every one between the parties of a contract."""
    qs = MahEvaluation.objects.all()
    if not scope.everything:
        qs = qs.filter(cmo_id__in={r["cmo_id"] for r in contract_rows}, mah_id__in={r["mah_id"] for r in contract_rows})
    products: dict[int, set[str]] = defaultdict(set)
    for r in EvaluationProducts.objects.filter(mahevaluation_id__in=qs.values("pk")).values(
        "mahevaluation_id", "product__ref"
    ):
        products[r["mahevaluation_id"]].add(r["product__ref"])
    out: dict[tuple[int, int], list[EvaluationFacts]] = defaultdict(list)
    for r in qs.order_by("evaluated_on", "ref").values(
        "id",
        "ref",
        "cmo_id",
        "mah_id",
        "cmo__ref",
        "mah__ref",
        "evaluated_on",
        "conclusion",
        "simplified_same_group",
        *(f for f, _ in EVALUATION_TOPICS),
    ):
        out[(r["cmo_id"], r["mah_id"])].append(
            EvaluationFacts(
                ref=r["ref"],
                cmo_ref=r["cmo__ref"],
                mah_ref=r["mah__ref"],
                evaluated_on=r["evaluated_on"],
                conclusion=r["conclusion"],
                product_refs=frozenset(products.get(r["id"], ())),
                topics=frozenset(topic for f, topic in EVALUATION_TOPICS if r[f]),
                simplified_same_group=r["simplified_same_group"],
            )
        )
    return out


def _transfers(scope: _Filter) -> dict[int, list[TechTransferFacts]]:
    out: dict[int, list[TechTransferFacts]] = defaultdict(list)
    for r in (
        scope.contracts(TechTransfer.objects, "contract_id")
        .order_by("contract_id", "ref")
        .values(
            "contract_id", "ref", "product__ref", "lead__ref", "lead__name", "lead__organisation__ref", *TRANSFER_DATES
        )
        .annotate(group=Count("working_group"))
    ):
        out[r["contract_id"]].append(
            TechTransferFacts(
                ref=r["ref"],
                product_ref=r["product__ref"],
                lead=_person(r["lead__ref"], r["lead__name"], r["lead__organisation__ref"]),
                working_group_size=r["group"],
                **{name: r[name] for name in TRANSFER_DATES},
            )
        )
    return out
