"""The facts the rules read: plain frozen dataclasses, built by the compliance app from the ORM in bulk.

Two fact graphs, each complete for the rules that read it:

* :class:`ContractFacts` — one per commission contract: both parties (each an
  :class:`OrganisationFacts` with its lines, key persons, licences, inspections and experience), the
  commissioned products, the contract's lines, every version of the quality agreement, the CMO's
  evaluations, the technology transfers and the records the later apps will hold (opinion letters,
  batches, audits, reviews …). Rules about a contract, its quality agreement and its products read it.
* :class:`OrganisationFacts` — one per enterprise, given on its own as a subject: rules about an
  enterprise, its lines and its key persons read it (a line is shared by several contracts, so a line
  rule is evaluated once per line, not once per contract).

The same :class:`OrganisationFacts` object can be shared by every contract of that enterprise: the
dataclasses are frozen, so sharing is safe and keeps a national scan small.

Conventions, which the rules rely on:

* ``None`` means *the platform does not hold this datum* (or it was not entered): a rule that needs
  it answers ``needs_information`` naming it. An empty tuple means *known to be none*. Fields for data
  no app holds yet (opinion letters, batches, audits, periodic reviews …) default to ``None``, so a
  builder that does not know them leaves them out and the rules ask for them instead of passing.
* Dates are :class:`datetime.date`; quantities are :class:`~decimal.Decimal`; years of practice are
  ``float`` as :func:`weituo.registry.experience.practice_years` computes them (the builder computes
  them as of the scan date: the rules receive the figures, not the CV).
* Codes are the values of the model choices (``"in_force"``, ``"mah"``, ``"gmp_compliance"`` …) so a
  builder copies them as they are. Product risk flags are the names of
  ``weituo.registry.choices.RISK_FLAGS``, given as a set.
* Every object carries the ``ref`` of its database row so findings can point back at it.

:func:`from_dict` builds any of these from plain dicts (YAML cases, JSON), refusing unknown fields and
wrong types with a message naming the path, so a typo in a case never passes silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

__all__ = [
    "PRODUCT_FLAGS",
    "AgreementFacts",
    "AppointmentFacts",
    "AuditCapaFacts",
    "AuditFacts",
    "AuditFindingFacts",
    "BatchFacts",
    "CapaApprovalFacts",
    "CapaTriggerFacts",
    "CertificateFacts",
    "ChangeFacts",
    "CommunicationFacts",
    "ComparisonStudyFacts",
    "ContractFacts",
    "DeviationFacts",
    "EvaluationFacts",
    "EvidenceFacts",
    "ExperienceFacts",
    "FactsError",
    "InspectionFacts",
    "KeyPersonFacts",
    "LicenceFacts",
    "LicenceScopeFacts",
    "LineFacts",
    "OpinionLetterFacts",
    "OrganisationFacts",
    "PersonFacts",
    "ProductBrief",
    "ProductFacts",
    "QualityEventFacts",
    "ReclassificationFacts",
    "RectificationPlanFacts",
    "ResidentStaffFacts",
    "ResponsibilityFacts",
    "RetentionDutyFacts",
    "ReviewFacts",
    "SharedLineCapaFacts",
    "SharedLineChangeFacts",
    "SupervisionVisitFacts",
    "TechTransferFacts",
    "from_dict",
]

Party = Literal["mah", "cmo", "both", "unassigned"]
ContractStatus = Literal["draft", "in_force", "terminated"]

# Product flags the notices name (registry RISK_FLAGS).
PRODUCT_FLAGS = frozenset(
    {
        "sterile",
        "high_risk",
        "tcm_injection",
        "multicomponent_biochemical",
        "biologic",
        "vaccine",
        "innovative",
        "improved_new_drug",
        "shortage",
        "clinically_necessary_short",
        "clinically_urgent",
        "public_health_emergency",
        "rare_disease",
        "foreign_transferred",
        "consistency_evaluated",
        "procurement_winner",
    }
)
ORGANISATION_ROLES = frozenset({"mah", "cmo", "registrant", "device_cmo", "testing_lab"})


def _in_period(as_of: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or start <= as_of) and (end is None or as_of <= end)


# --------------------------------------------------------------------------------------------------
# people


@dataclass(frozen=True)
class PersonFacts:
    """A person named somewhere (a contact, the link person, resident staff, a transfer lead)."""

    ref: str
    name: str
    organisation_ref: str


@dataclass(frozen=True)
class AppointmentFacts:
    """A key role held from ``since`` until ``until`` (None: still held). Roles: registry ``KeyRole``."""

    role: Literal["head_of_enterprise", "legal_representative", "head_of_production", "head_of_quality", "qp", "staff"]
    since: dt.date
    until: dt.date | None = None


@dataclass(frozen=True)
class KeyPersonFacts:
    """A key person of an organisation with their years of practice (art. 17), as of the scan date.

    The years come from ``weituo.registry.experience.practice_years``: ``practice_years`` counts drug
    production and quality management; the others are the part of it with sterile products, TCM
    injections, multi-component biochemical drugs. None: no CV recorded.
    """

    ref: str
    name: str
    organisation_ref: str
    appointments: tuple[AppointmentFacts, ...] = ()
    practice_years: float | None = None
    sterile_years: float | None = None
    tcm_injection_years: float | None = None
    multicomponent_biochemical_years: float | None = None

    def holds(self, role: str, as_of: dt.date) -> bool:
        return any(a.role == role and _in_period(as_of, a.since, a.until) for a in self.appointments)


# --------------------------------------------------------------------------------------------------
# the enterprise


@dataclass(frozen=True)
class ProductBrief:
    """A product as seen on a line or in a holder's portfolio: enough to compare names and volumes."""

    ref: str
    name: str
    holder_ref: str
    dosage_form: str | None = None
    annual_volume: Decimal | None = None  # planned, in the line's capacity unit (LineProduct.annual_volume)


@dataclass(frozen=True)
class CapaApprovalFacts:
    """One MAH's review of a shared-line CAPA (art. 8: "经持有人审核过的纠正预防措施")."""

    holder_ref: str
    decision: Literal["approved", "rejected"]
    decided_on: dt.date


@dataclass(frozen=True)
class SharedLineCapaFacts:
    """A corrective or preventive action of a shared-line assessment, with each MAH's review.
    ``implemented_on``: the day the CMO reported it done (None: not yet)."""

    ref: str
    due_on: dt.date | None = None
    implemented_on: dt.date | None = None
    approvals: tuple[CapaApprovalFacts, ...] = ()


@dataclass(frozen=True)
class SharedLineChangeFacts:
    """A change of shared-line conditions (art. 8): its risk assessment and whom it was notified to.

    ``feedback_holder_refs``: the notified MAHs that gave feedback on it; ``agreed_holder_refs``: those
    with whom agreement was recorded; ``capas``: the CAPAs of the assessment with the MAHs' reviews.
    None: not recorded by the builder (the rules ask for them).
    """

    ref: str
    changed_on: dt.date
    description: str = ""
    assessed_on: dt.date | None = None
    notified_holder_refs: frozenset[str] = frozenset()
    feedback_holder_refs: frozenset[str] | None = None
    agreed_holder_refs: frozenset[str] | None = None
    capas: tuple[SharedLineCapaFacts, ...] | None = None


@dataclass(frozen=True)
class LineFacts:
    """A production line with every product made on it, of every holder (``Line`` + ``LineProduct``).

    ``qualification_dates``: qualification/validation done on the line (art. 18 on restarting an idle
    line), None until an app holds them; ``shared_line_changes``: art. 8, the CMO's shared-line risk
    assessments (None where the caller holds no such record).
    """

    ref: str
    name: str
    organisation_ref: str
    dosage_forms: tuple[str, ...] = ()
    sterile: bool = False
    design_capacity: Decimal | None = None
    capacity_unit: str = ""
    commercial_since: dt.date | None = None
    last_commercial_production: dt.date | None = None
    site_ref: str | None = None
    province: str | None = None
    products: tuple[ProductBrief, ...] = ()
    qualification_dates: tuple[dt.date, ...] | None = None
    shared_line_changes: tuple[SharedLineChangeFacts, ...] | None = None

    def holder_refs(self) -> frozenset[str]:
        return frozenset(p.holder_ref for p in self.products)

    @property
    def commercial_state(self) -> Literal["never", "ongoing", "ended", "unknown"]:
        """Where the line's commercial production stands, read one way for every rule and for the
        experience derived from lines: a last production date means it ended; a blank one means it
        goes on while products are made on the line, and is unknown when none is; no start date
        and no last date, it never produced commercially (a start missing before a last date is
        unknown)."""
        if self.commercial_since is None:
            return "never" if self.last_commercial_production is None else "unknown"
        if self.last_commercial_production is not None:
            return "ended"
        return "ongoing" if self.products else "unknown"


@dataclass(frozen=True)
class InspectionFacts:
    """A GMP compliance or licensing inspection (``InspectionRecord``)."""

    ref: str
    organisation_ref: str
    inspected_on: dt.date
    kind: Literal["gmp_compliance", "licensing"]
    conclusion: Literal["compliant", "non_compliant"]
    line_ref: str | None = None
    dosage_form: str | None = None
    notice_number: str | None = None


@dataclass(frozen=True)
class LicenceScopeFacts:
    """One entry of a licence (``LicenceScope``).

    ``applied_on``: when the entry was applied for; ``removal_applied_on`` / ``removed_on``: when its
    cancellation was applied for / done (art. 20) — None until an app records them (a removed entry
    the database no longer holds is simply absent). ``stage``: for segmented biologics, which stage
    this site makes (pilot).
    """

    class_code: str = ""
    scope: str = ""
    site_ref: str | None = None
    product_ref: str | None = None
    counterparty_ref: str | None = None
    entered_on: dt.date | None = None
    applied_on: dt.date | None = None
    removal_applied_on: dt.date | None = None
    removed_on: dt.date | None = None
    stage: Literal["drug_substance", "drug_product"] | None = None


@dataclass(frozen=True)
class LicenceFacts:
    """A drug manufacturing licence or a device production licence with its entries (``Licence``)."""

    ref: str
    number: str
    kind: Literal["drug", "device"]
    issued_on: dt.date
    valid_until: dt.date
    class_codes: str = ""
    category_letters: str = ""
    scopes: tuple[LicenceScopeFacts, ...] = ()

    def valid_on(self, as_of: dt.date) -> bool:
        return self.issued_on <= as_of <= self.valid_until


@dataclass(frozen=True)
class ExperienceFacts:
    """A period of an enterprise's experience with a kind of product (art. 17; biologics pilot).

    ``activity``: ``commercial_production`` (build these from the enterprise's lines: each dosage form
    of a line, ``commercial_since`` → ``last_commercial_production``, ``sterile`` from the line),
    ``production`` (non-commercial, e.g. clinical-trial batches), ``rnd``. ``ended_on`` None: ongoing.
    """

    activity: Literal["commercial_production", "production", "rnd"]
    started_on: dt.date
    ended_on: dt.date | None = None
    dosage_form: str | None = None
    sterile: bool = False
    biologic: bool = False


@dataclass(frozen=True)
class OrganisationFacts:
    """An enterprise: who it is and everything of its own the rules read.

    ``experience``: production experience (derivable from its lines, so a builder can always give it);
    ``rnd_experience``: research experience, None until an app holds it. ``held_products``: the drugs
    it holds as MAH (art. 10: a CMO holding the same generic name). ``audit_trail_enabled``: whether
    audit trails of its LIMS/MES are on and cannot be switched off (production-conduct draft).
    """

    ref: str
    name: str
    uscc: str
    province: str
    roles: frozenset[str] = frozenset()
    group_ref: str | None = None
    group_unified_qms: bool = False
    lines: tuple[LineFacts, ...] = ()
    key_persons: tuple[KeyPersonFacts, ...] = ()
    licences: tuple[LicenceFacts, ...] = ()
    inspections: tuple[InspectionFacts, ...] = ()
    held_products: tuple[ProductBrief, ...] = ()
    experience: tuple[ExperienceFacts, ...] | None = None
    rnd_experience: tuple[ExperienceFacts, ...] | None = None
    audit_trail_enabled: bool | None = None

    def __post_init__(self) -> None:
        unknown = set(self.roles) - ORGANISATION_ROLES
        if unknown:
            raise FactsError(f"{self.ref}: unknown organisation roles {sorted(unknown)}")

    def same_group_unified_qms(self, other: OrganisationFacts) -> bool:
        """Art. 3, 11, 17: both in one group that runs one quality system."""
        return bool(self.group_ref and self.group_ref == other.group_ref and self.group_unified_qms)

    def line(self, ref: str) -> LineFacts | None:
        return next((ln for ln in self.lines if ln.ref == ref), None)

    def domains(self) -> frozenset[str]:
        out = set()
        if self.roles & {"mah", "cmo"}:
            out.add("drug")
        if self.roles & {"registrant", "device_cmo"}:
            out.add("device")
        return frozenset(out)


# --------------------------------------------------------------------------------------------------
# products


@dataclass(frozen=True)
class CertificateFacts:
    """A device registration certificate. ``production_address``: the 生产地址 field as printed
    (None: not held; the device notice art. 13 wants "（委托生产）" there)."""

    ref: str
    number: str
    issued_on: dt.date
    valid_until: dt.date
    annotation: str = ""
    production_address: str | None = None


@dataclass(frozen=True)
class ProductFacts:
    """A commissioned product (``Product``) and what the rules need to know about it.

    ``approval_valid_from``: start of the current five-year validity of the approval (art. 18's
    re-registration cycle); ``commissioned_before_stop``: whether it was made under commission before
    it stopped (art. 18 exception); ``cmo_refs``: every CMO making it under a contract in force
    (art. 10: several CMOs, one product); ``segmented_pilot``: whether it is a product of the biologics
    segmented-production pilot. None: not held.
    """

    ref: str
    name: str
    kind: Literal["drug", "device"]
    holder_ref: str
    status: Literal["marketed", "in_development"]
    dosage_form: str = ""
    approval_number: str | None = None
    category: str = ""
    device_class: str = ""
    implantable: bool = False
    prohibited_catalogue: bool = False
    flags: frozenset[str] = frozenset()
    last_commercial_batch_released: dt.date | None = None
    approval_valid_from: dt.date | None = None
    commissioned_before_stop: bool | None = None
    production_restored_on: dt.date | None = None
    cmo_refs: frozenset[str] | None = None
    certificate: CertificateFacts | None = None
    segmented_pilot: bool | None = None
    pilot_category: str | None = None  # the pilot plan's kind of biologic (二（三）); None: not stated

    def __post_init__(self) -> None:
        unknown = set(self.flags) - PRODUCT_FLAGS
        if unknown:
            raise FactsError(f"{self.ref}: unknown product flags {sorted(unknown)}")

    def has(self, flag: str) -> bool:
        if flag not in PRODUCT_FLAGS:
            raise FactsError(f"unknown product flag {flag!r}")
        return flag in self.flags


# --------------------------------------------------------------------------------------------------
# the quality agreement


@dataclass(frozen=True)
class ResponsibilityFacts:
    """One row of the responsibility matrix (``ResponsibilityItem``); activity: contracts ``Activity``."""

    activity: str
    party: Party
    period_months: int | None = None


@dataclass(frozen=True)
class CommunicationFacts:
    """One row of the communication list (``CommunicationItem``)."""

    category: str
    mah_contact: PersonFacts | None = None
    cmo_contact: PersonFacts | None = None
    channel: str | None = None
    time_limit: int | None = None
    time_unit: Literal["working_days", "hours"] | None = None


@dataclass(frozen=True)
class ResidentStaffFacts:
    """The MAH's (registrant's) resident staff at the CMO. ``product_refs`` None: all the agreement's products."""

    person: PersonFacts
    duties: str = ""
    product_refs: frozenset[str] | None = None


@dataclass(frozen=True)
class AgreementFacts:
    """One version of the quality agreement (``QualityAgreement`` with its rows).

    ``special_batches_both_parties``: whether it provides that both parties keep retained samples and
    run stability for major-deviation batches and the first three batches after a major change (art.
    11); None: not recorded as structured data.
    """

    ref: str
    version: str = "1.0"
    status: ContractStatus = "draft"
    signed_on: dt.date | None = None
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None
    terminated_on: dt.date | None = None
    mah_may_consult_records: bool = False
    mah_may_visit_sites: bool = False
    cmo_link_person: PersonFacts | None = None
    retained_samples_party: Party = "unassigned"
    stability_party: Party = "unassigned"
    special_batches_both_parties: bool | None = None
    production_date_definition: str = ""
    electronic_production_records: bool = False
    electronic_data_exchange: bool = False
    electronic_material_management: bool = False
    last_annual_review: dt.date | None = None
    responsibilities: tuple[ResponsibilityFacts, ...] = ()
    communications: tuple[CommunicationFacts, ...] = ()
    resident_staff: tuple[ResidentStaffFacts, ...] = ()

    def in_force_on(self, as_of: dt.date) -> bool:
        if self.status == "draft":
            return False
        if self.terminated_on is not None and self.terminated_on <= as_of:
            return False
        return _in_period(as_of, self.effective_from, self.expires_on)

    def responsibility(self, activity: str) -> ResponsibilityFacts | None:
        return next((r for r in self.responsibilities if r.activity == activity), None)

    # --------------------------------------------------------------------------------------------------
    # records around the contract


@dataclass(frozen=True)
class EvaluationFacts:
    """The CMO's evaluation of the MAH and products before signing (``MahEvaluation``, art. 3).

    ``topics``: what it covered — ``qualification``, ``quality_capability``, ``product_risk``,
    ``tech_transfer_feasibility``, ``shared_line_feasibility`` (the model's ``covers_*`` flags).
    """

    ref: str
    cmo_ref: str
    mah_ref: str
    evaluated_on: dt.date
    conclusion: Literal["acceptable", "not_acceptable"]
    product_refs: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    simplified_same_group: bool = False


@dataclass(frozen=True)
class TechTransferFacts:
    """A technology transfer to the CMO (``TechTransfer``, art. 4) with the dates of its duties."""

    ref: str
    product_ref: str
    lead: PersonFacts | None = None
    working_group_size: int = 0
    started_on: dt.date | None = None
    plan_reviewed_on: dt.date | None = None
    equipment_qualified_on: dt.date | None = None
    cleaning_validated_on: dt.date | None = None
    analytical_validated_on: dt.date | None = None
    process_validated_on: dt.date | None = None
    shared_line_assessed_on: dt.date | None = None
    report_reviewed_on: dt.date | None = None
    master_documents_approved_on: dt.date | None = None
    completed_on: dt.date | None = None


@dataclass(frozen=True)
class ReviewFacts:
    """A quarterly risk review or an annual product quality review of a product (art. 5)."""

    product_ref: str
    kind: Literal["quarterly_risk_review", "apqr"]
    completed_on: dt.date
    period_start: dt.date | None = None
    period_end: dt.date | None = None


@dataclass(frozen=True)
class SupervisionVisitFacts:
    """The MAH's on-site supervision of sterilisation validation or aseptic process simulation (art. 5)."""

    product_ref: str
    visited_on: dt.date
    activity: Literal["sterilisation_validation", "aseptic_process_simulation", "other_validation"]


@dataclass(frozen=True)
class ChangeFacts:
    """A change affecting a commissioned product (art. 9). Classes: ``major`` > ``moderate`` > ``minor``."""

    ref: str
    product_ref: str | None = None
    implemented_on: dt.date | None = None
    mah_approved_on: dt.date | None = None
    mah_class: Literal["major", "moderate", "minor"] | None = None
    cmo_class: Literal["major", "moderate", "minor"] | None = None
    managed_as: Literal["major", "moderate", "minor"] | None = None
    authority_approved_on: dt.date | None = None  # the regulator's approval of a supplementary application
    # the governing regulatory path (报批 / 备案 / 报告; None: not recorded) and, on the filing path, the
    # day the change was filed with the regulator
    regulatory_path: Literal["approval", "filing", "report"] | None = None
    authority_filed_on: dt.date | None = None


@dataclass(frozen=True)
class ReclassificationFacts:
    """A change of a deviation's classification (``Reclassification``; production-conduct draft art. 12).

    ``status``: ``applied`` (took effect at once: the services apply only upgrades so), ``pending``
    (a downgrade awaiting approval), ``approved`` or ``rejected``. ``second_person``: the decision was
    taken by someone other than the requester (None: not decided, or who decided is not known).
    """

    from_classification: Literal["critical", "major", "minor"]
    to_classification: Literal["critical", "major", "minor"]
    status: Literal["applied", "pending", "approved", "rejected"]
    requested_on: dt.date
    reason: str = ""
    decided_on: dt.date | None = None
    second_person: bool | None = None


@dataclass(frozen=True)
class DeviationFacts:
    """A deviation (art. 11, 12). ``critical`` and ``major`` are art. 11's 重大偏差.

    ``batch_ref``: the batch it was raised on (None: none); ``reclassifications``: its changes of
    classification, oldest first (None: not held; empty: never reclassified).
    """

    ref: str
    classification: Literal["critical", "major", "minor"]
    raised_on: dt.date
    closed_on: dt.date | None = None
    batch_ref: str | None = None
    reclassifications: tuple[ReclassificationFacts, ...] | None = None


@dataclass(frozen=True)
class RetentionDutyFacts:
    """A party's duty to keep retained samples of a batch or run ongoing stability on it (art. 11),
    and the day it recorded the duty fulfilled. ``one_party_exception``: the duty was placed on one
    party only under art. 11 para. 2 (one group with one QMS, or electronic data exchange)."""

    kind: Literal["retained_sample", "ongoing_stability"]
    party: Literal["mah", "cmo"]
    fulfilled_on: dt.date | None = None
    one_party_exception: bool = False


@dataclass(frozen=True)
class BatchFacts:
    """A commercial batch, its deviations and art. 11 duties, its factory and market release (art. 11, 12).

    ``released_by_ref``: the key person who signed the factory release, when the signer is one of the
    CMO's key persons on record; ``released_by_qp_account``: the release was signed electronically
    in the platform by an account holding the CMO's QP role, checked at signing (None: not signed in
    the platform). ``deviations`` and ``retention_duties``: empty means none recorded.
    """

    ref: str
    product_ref: str
    number: str = ""
    manufactured_on: dt.date | None = None
    factory_released_on: dt.date | None = None
    released_by_ref: str | None = None  # the person who signed the factory release
    records_sent_on: dt.date | None = None  # batch/test/deviation records sent to the MAH
    market_released_on: dt.date | None = None
    released_by_qp_account: bool | None = None
    deviations: tuple[DeviationFacts, ...] = ()
    retention_duties: tuple[RetentionDutyFacts, ...] = ()


@dataclass(frozen=True)
class QualityEventFacts:
    """An item of the communication list raised by one party to the other (art. 7), with the deadline
    the agreement set for the recipient's acknowledgement (as a date, China time)."""

    ref: str
    category: str
    raised_by: Literal["mah", "cmo"]
    raised_on: dt.date
    due_on: dt.date | None = None
    acknowledged_on: dt.date | None = None
    withdrawn: bool = False
    batch_ref: str | None = None  # the batch it concerns, if any (a deviation or OOS of a batch)
    closed_on: dt.date | None = None
    # when the raising party found it, and the day the agreed limit for notifying ran out (None: not
    # recorded, or no agreed limit)
    discovered_on: dt.date | None = None
    notify_due_on: dt.date | None = None


@dataclass(frozen=True)
class AuditCapaFacts:
    """A CAPA of the CMO answering an audit finding. ``effective``: the MAH's effectiveness check
    (None: not checked yet)."""

    due_on: dt.date
    raised_on: dt.date | None = None
    implemented_on: dt.date | None = None
    effective: bool | None = None


@dataclass(frozen=True)
class AuditFindingFacts:
    """A finding of an audit of the CMO (art. 13), the date the CMO's response is due, its CAPAs."""

    ref: str
    severity: Literal["critical", "major", "other"]
    response_due_on: dt.date
    capas: tuple[AuditCapaFacts, ...] = ()


@dataclass(frozen=True)
class AuditFacts:
    """An audit of the CMO by the MAH (art. 13, 14; production-conduct draft art. 13).
    ``findings``: None when the builder does not know them; empty: none recorded."""

    ref: str
    kind: Literal["on_site", "remote"]
    audited_on: dt.date
    report_on: dt.date | None = None
    findings: tuple[AuditFindingFacts, ...] | None = None


@dataclass(frozen=True)
class ComparisonStudyFacts:
    """A product-quality comparison across the MAH's CMOs of one product (art. 10)."""

    product_ref: str
    completed_on: dt.date


@dataclass(frozen=True)
class EvidenceFacts:
    """Evidence recorded for a product, e.g. of separate processes and documents (art. 10)."""

    product_ref: str
    documented_on: dt.date
    description: str = ""


@dataclass(frozen=True)
class OpinionLetterFacts:
    """A contract manufacturing opinion letter (《药品受托生产意见书》, art. 19, annex 2).

    ``received_on``: the date the CMO's province signed for the application (签收日期);
    ``agreed``: the letter's opinion (None: not issued yet).
    """

    ref: str
    province: str
    received_on: dt.date | None = None
    issued_on: dt.date | None = None
    number: str = ""
    agreed: bool | None = None
    product_refs: frozenset[str] = frozenset()
    inspection_ref: str | None = None  # the inspection it was based on
    mah_applied_on: dt.date | None = None  # the MAH's application for its B licence


@dataclass(frozen=True)
class CapaTriggerFacts:
    """A trend, systemic or sudden problem that calls for a joint CAPA (device notice art. 9)."""

    ref: str
    detected_on: dt.date
    description: str = ""
    investigated_on: dt.date | None = None
    plan_reviewed_on: dt.date | None = None
    effectiveness_evaluated_on: dt.date | None = None


@dataclass(frozen=True)
class RectificationPlanFacts:
    """The parties' rectification plan after self-inspection (art. 25), with any item needing longer."""

    agreed_on: dt.date
    extended_until: dt.date | None = None
    extension_reason: str = ""


@dataclass(frozen=True)
class ContractFacts:
    """Everything the rules need about one commission contract (``CommissionContract``) in one graph.

    ``line_refs`` point into ``cmo.lines``; ``agreements`` are all versions of the quality agreement
    (the rules use the one in force on the date of evaluation, else the latest). The fields after
    ``tech_transfers`` are records no app holds yet: None makes the rules that need them answer
    ``needs_information``.

    ``continuing_product_refs``: products this MAH still commissions to this CMO under another contract
    in force (their licence entries stay after this one ends, art. 20). ``cmo_rnd_participation``:
    products whose R&D or clinical-trial batches the CMO mainly took part in (art. 17, exception 4).
    ``unified_qms_confirmed``: the pilot's one quality system, when the parties are not one group.
    """

    ref: str
    number: str
    mah: OrganisationFacts
    cmo: OrganisationFacts
    status: ContractStatus = "draft"
    signed_on: dt.date | None = None
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None
    terminated_on: dt.date | None = None
    products: tuple[ProductFacts, ...] = ()
    line_refs: tuple[str, ...] = ()
    agreements: tuple[AgreementFacts, ...] = ()
    evaluations: tuple[EvaluationFacts, ...] = ()
    tech_transfers: tuple[TechTransferFacts, ...] = ()
    continuing_product_refs: frozenset[str] = frozenset()
    # records not held yet: None = unknown
    opinion_letters: tuple[OpinionLetterFacts, ...] | None = None
    reviews: tuple[ReviewFacts, ...] | None = None
    supervision_visits: tuple[SupervisionVisitFacts, ...] | None = None
    changes: tuple[ChangeFacts, ...] | None = None
    batches: tuple[BatchFacts, ...] | None = None
    quality_events: tuple[QualityEventFacts, ...] | None = None
    audits: tuple[AuditFacts, ...] | None = None
    comparison_studies: tuple[ComparisonStudyFacts, ...] | None = None
    separation_evidence: tuple[EvidenceFacts, ...] | None = None
    credit_statements: tuple[dt.date, ...] | None = None
    capa_triggers: tuple[CapaTriggerFacts, ...] | None = None
    deviations: tuple[DeviationFacts, ...] | None = None  # every deviation of the contract, on a batch or not
    cmo_rnd_participation: frozenset[str] | None = None
    unified_qms_confirmed: bool | None = None
    rectification_plan: RectificationPlanFacts | None = None

    def domains(self) -> frozenset[str]:
        """``drug`` and/or ``device``: from the products, else from the CMO's roles."""
        kinds = frozenset(p.kind for p in self.products)
        if kinds:
            return kinds
        return self.cmo.domains()

    def in_force_on(self, as_of: dt.date) -> bool:
        if self.status == "draft":
            return False
        if self.terminated_on is not None and self.terminated_on <= as_of:
            return False
        return _in_period(as_of, self.effective_from, self.expires_on)

    def current_agreement(self, as_of: dt.date) -> AgreementFacts | None:
        """The agreement version in force on ``as_of``; else the latest one (by effective date, then signing)."""
        in_force = [a for a in self.agreements if a.in_force_on(as_of)]
        pool = in_force or list(self.agreements)
        if not pool:
            return None
        return max(pool, key=lambda a: (a.effective_from or dt.date.min, a.signed_on or dt.date.min, a.version))

    def lines(self) -> tuple[LineFacts, ...]:
        """The contract's lines as the CMO's line facts (refs the CMO does not have are skipped)."""
        found = (self.cmo.line(ref) for ref in self.line_refs)
        return tuple(ln for ln in found if ln is not None)

    def product(self, ref: str) -> ProductFacts | None:
        return next((p for p in self.products if p.ref == ref), None)

    def cross_province(self) -> bool:
        return self.mah.province != self.cmo.province


# --------------------------------------------------------------------------------------------------
# building facts from plain data


class FactsError(ValueError):
    """Facts that cannot be built: an unknown field, a wrong type, a value outside its choices."""


T = TypeVar("T")


def from_dict(cls: type[T], data: Any, path: str = "") -> T:
    """Build the dataclass ``cls`` from plain data (dicts, lists, ISO date strings, numbers).

    Refuses unknown fields, missing required fields, wrong types and values outside a ``Literal``,
    naming the path (``contract.products[0].flags``) so the author of a case finds it at once.
    """
    return _build(cls, data, path or cls.__name__)


def _build(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        non_none = [a for a in args if a is not type(None)]
        if len(non_none) == 1:
            return _build(non_none[0], value, path)
        raise FactsError(f"{path}: unsupported union {tp}")  # pragma: no cover - not used by the facts
    if origin is Literal:
        choices = typing.get_args(tp)
        if value not in choices:
            raise FactsError(f"{path}: {value!r} is not one of {list(choices)}")
        return value
    if origin is tuple:
        item_type = typing.get_args(tp)[0]
        if not isinstance(value, list | tuple):
            raise FactsError(f"{path}: expected a list, got {value!r}")
        return tuple(_build(item_type, v, f"{path}[{i}]") for i, v in enumerate(value))
    if origin is frozenset:
        item_type = typing.get_args(tp)[0]
        if not isinstance(value, list | tuple | set | frozenset):
            raise FactsError(f"{path}: expected a list, got {value!r}")
        return frozenset(_build(item_type, v, f"{path}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(tp):
        if isinstance(value, tp):
            return value
        if not isinstance(value, Mapping):
            raise FactsError(f"{path}: expected a mapping for {tp.__name__}, got {value!r}")
        hints = typing.get_type_hints(tp)
        fields = {f.name: f for f in dataclasses.fields(tp)}
        unknown = sorted(set(map(str, value)) - set(fields))
        if unknown:
            raise FactsError(f"{path}: unknown field(s) {unknown} for {tp.__name__}")
        kwargs = {}
        for name, f in fields.items():
            if name in value:
                kwargs[name] = _build(hints[name], value[name], f"{path}.{name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise FactsError(f"{path}: missing required field {name!r} of {tp.__name__}")
        try:
            return tp(**kwargs)
        except FactsError as exc:
            raise FactsError(f"{path}: {exc}") from None
    if tp is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise FactsError(f"{path}: expected a date YYYY-MM-DD, got {value!r}")
    if tp is Decimal:
        if isinstance(value, bool):
            raise FactsError(f"{path}: expected a number, got {value!r}")
        if isinstance(value, int | float | str | Decimal):
            try:
                return Decimal(str(value))
            except InvalidOperation:
                pass
        raise FactsError(f"{path}: expected a number, got {value!r}")
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise FactsError(f"{path}: expected true or false, got {value!r}")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise FactsError(f"{path}: expected a whole number, got {value!r}")
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise FactsError(f"{path}: expected a number, got {value!r}")
    if tp is str:
        if isinstance(value, str):
            return value
        # YAML reads 32 (a province code) or 1.0 (a version) as numbers; a code is text.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise FactsError(f"{path}: expected text, got {value!r}")
    raise FactsError(f"{path}: unsupported type {tp}")  # pragma: no cover
