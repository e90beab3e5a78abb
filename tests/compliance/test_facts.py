"""The facts builder: the mini registry read back as the rules' fact graphs, field by field; what the
platform does not hold passed as None (never guessed); the small demo built whole."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.compliance.conftest import MINI_AS_OF
from weituo.compliance.facts import load_facts
from weituo.contracts.models import CommissionContract
from weituo.registry.experience import Period, practice_years
from weituo.registry.models import Organisation
from weituo.rules.facts import ContractFacts, OrganisationFacts, PersonFacts

pytestmark = pytest.mark.django_db
d = dt.date


@pytest.fixture
def graphs(mini):
    return load_facts(as_of=MINI_AS_OF, everything=True)


def contract(graphs, ref: str) -> ContractFacts:
    return next(c for c in graphs.contracts if c.ref == ref)


def enterprise(graphs, ref: str) -> OrganisationFacts:
    return next(e for e in graphs.enterprises if e.ref == ref)


def test_every_contract_and_enterprise_is_a_graph(graphs):
    assert [c.ref for c in graphs.contracts] == ["CON-1"]
    assert [e.ref for e in graphs.enterprises] == ["ORG-CMO", "ORG-MAH", "ORG-MAH2"]
    assert set(graphs.contract_ids) == {"CON-1"}
    assert set(graphs.organisation_ids) == {"ORG-CMO", "ORG-MAH", "ORG-MAH2"}


def test_the_contract_and_its_parties(graphs):
    c = contract(graphs, "CON-1")
    assert (c.number, c.status, c.signed_on, c.effective_from, c.expires_on, c.terminated_on) == (
        "WT-2024-001",
        "in_force",
        d(2024, 1, 10),
        d(2024, 1, 15),
        d(2029, 1, 14),
        None,
    )
    assert c.mah.ref == "ORG-MAH" and c.cmo.ref == "ORG-CMO"
    # one OrganisationFacts per enterprise, shared by its contracts and its own graph
    assert c.cmo is enterprise(graphs, "ORG-CMO")
    assert c.line_refs == ("LINE-1",)
    assert [ln.ref for ln in c.lines()] == ["LINE-1"]
    assert c.evaluations == () and c.tech_transfers == ()  # known to be none
    assert c.continuing_product_refs == frozenset()


def test_products_with_flags_and_cmos(graphs):
    [p] = contract(graphs, "CON-1").products
    assert (p.ref, p.name, p.kind, p.holder_ref, p.status, p.dosage_form) == (
        "P-1",
        "盐酸利多卡因注射液",
        "drug",
        "ORG-MAH",
        "marketed",
        "小容量注射剂",
    )
    assert p.approval_number == "国药准字H32020001"
    assert p.flags == {"sterile", "high_risk"}
    assert p.cmo_refs == {"ORG-CMO"}
    assert p.certificate is None


def test_the_quality_agreement_as_structured_data(graphs):
    [a] = contract(graphs, "CON-1").agreements
    assert (a.ref, a.version, a.status, a.effective_from, a.last_annual_review) == (
        "QA-1",
        "1.0",
        "in_force",
        d(2024, 1, 15),
        d(2026, 1, 20),
    )
    assert a.mah_may_consult_records and a.mah_may_visit_sites
    assert a.cmo_link_person == PersonFacts("PER-QP", "王建国", "ORG-CMO")
    assert (a.retained_samples_party, a.stability_party) == ("both", "cmo")
    assert [(r.activity, r.party, r.period_months) for r in a.responsibilities] == [
        ("release_testing", "cmo", None),
        ("revalidation", "cmo", 36),
    ]
    [row] = a.communications
    assert row.category == "deviation"
    assert row.mah_contact == PersonFacts("PER-MQA", "李晓梅", "ORG-MAH")
    assert row.cmo_contact == PersonFacts("PER-QP", "王建国", "ORG-CMO")
    assert (row.channel, row.time_limit, row.time_unit) == ("system", 1, "working_days")
    assert a.resident_staff == ()


def test_the_cmo_its_shared_line_its_key_persons_and_licences(graphs):
    cmo = enterprise(graphs, "ORG-CMO")
    assert cmo.roles == {"cmo"} and cmo.province == "32" and cmo.group_ref is None
    [line] = cmo.lines
    assert (line.ref, line.dosage_forms, line.sterile, line.design_capacity, line.capacity_unit) == (
        "LINE-1",
        ("小容量注射剂",),
        True,
        Decimal("5000"),
        "万支/年",
    )
    assert line.site_ref == "SITE-1" and line.province == "32"
    assert [(p.ref, p.holder_ref, p.annual_volume) for p in line.products] == [
        ("P-1", "ORG-MAH", Decimal("1200")),
        ("P-2", "ORG-MAH2", Decimal("800")),
    ]
    [qp] = cmo.key_persons
    expected = practice_years([Period(d(2015, 7, 1), None, "quality", sterile=True)], as_of=MINI_AS_OF)
    assert (qp.ref, qp.practice_years, qp.sterile_years) == ("PER-QP", expected.practice, expected.sterile)
    assert qp.holds("qp", MINI_AS_OF) and not qp.holds("head_of_quality", MINI_AS_OF)
    [licence] = cmo.licences
    assert (licence.number, licence.class_codes, licence.valid_until) == ("苏20160002", "AC", d(2025, 12, 31))
    [entry] = licence.scopes
    assert (entry.class_code, entry.product_ref, entry.counterparty_ref, entry.entered_on) == (
        "C",
        "P-1",
        "ORG-MAH",
        d(2024, 3, 1),
    )
    [inspection] = cmo.inspections
    assert (inspection.ref, inspection.kind, inspection.conclusion, inspection.line_ref) == (
        "INSP-1",
        "gmp_compliance",
        "compliant",
        "LINE-1",
    )


def test_what_the_platform_does_not_hold_is_none_not_guessed(graphs):
    c = contract(graphs, "CON-1")
    for name in (
        "opinion_letters",
        "reviews",
        "supervision_visits",
        "comparison_studies",
        "separation_evidence",
        "credit_statements",
        "capa_triggers",
        "unified_qms_confirmed",
        "rectification_plan",
    ):
        assert getattr(c, name) is None, name
    # batches, quality events, changes and audits are held by the platform: none recorded is known to be none
    assert c.batches == () and c.quality_events == () and c.changes == () and c.audits == ()
    assert c.cmo_rnd_participation == frozenset()  # the contract names the products the CMO developed: none
    [p] = c.products
    # dates and a yes/no left blank are unknown; the pilot is a status the product holds or not
    assert (p.approval_valid_from, p.commissioned_before_stop, p.production_restored_on, p.segmented_pilot) == (
        None,
        None,
        None,
        False,
    )
    assert c.agreements[0].special_batches_both_parties is None
    cmo = enterprise(graphs, "ORG-CMO")
    assert cmo.lines[0].qualification_dates is None
    assert cmo.lines[0].shared_line_changes == ()  # the platform holds shared-line assessments: none recorded
    # what the enterprise recorded of its R&D and non-commercial production: nothing, so none
    assert cmo.rnd_experience == () and cmo.audit_trail_enabled is None
    # LINE-1 produced commercially (last on 2026-10-01) but its start is not recorded: the CMO's
    # experience is not known, rather than understated as none
    assert cmo.lines[0].commercial_since is None
    assert cmo.experience is None
    # the MAH has no line: its production experience is known to be none
    assert enterprise(graphs, "ORG-MAH").experience == ()
    # a person without any CV period has no years, not zero years
    assert enterprise(graphs, "ORG-MAH").key_persons == ()


def test_experience_from_lines_once_their_start_is_known(mini):
    from weituo.registry.models import Line

    Line.objects.filter(ref="LINE-1").update(commercial_since=d(2020, 3, 1))
    cmo = enterprise(load_facts(as_of=MINI_AS_OF, everything=True), "ORG-CMO")
    [entry] = cmo.experience
    assert (entry.activity, entry.started_on, entry.ended_on, entry.dosage_form, entry.sterile) == (
        "commercial_production",
        d(2020, 3, 1),
        d(2026, 10, 1),
        "小容量注射剂",
        True,
    )


def test_a_subset_holds_the_contracts_asked_for_with_both_parties(mini):
    con = CommissionContract.objects.get(ref="CON-1")
    graphs = load_facts(as_of=MINI_AS_OF, contract_ids=[con.pk])
    assert [c.ref for c in graphs.contracts] == ["CON-1"]
    assert graphs.enterprises == []  # no enterprise asked for on its own
    assert contract(graphs, "CON-1").cmo.lines[0].ref == "LINE-1"
    assert set(graphs.organisation_ids) == {"ORG-MAH", "ORG-CMO"}
    org = Organisation.objects.get(ref="ORG-MAH2")
    graphs = load_facts(as_of=MINI_AS_OF, enterprise_ids=[org.pk])
    assert graphs.contracts == [] and [e.ref for e in graphs.enterprises] == ["ORG-MAH2"]


def test_a_blank_last_production_is_ongoing_only_while_products_are_made_on_the_line(mini):
    """One reading of a blank last commercial production, here and in the idle-line rule (art. 18):
    ongoing while products are made on the line, unknown when none is (it was always "ongoing")."""
    from tests.quality.world import SYSTEM
    from weituo.integrity.writes import record_update
    from weituo.registry.models import Line, LineProduct

    line = Line.objects.get(ref="LINE-1")
    record_update(actor=SYSTEM, instance=line, commercial_since=d(2012, 1, 1), last_commercial_production=None)
    cmo = enterprise(load_facts(as_of=MINI_AS_OF, everything=True), "ORG-CMO")
    assert cmo.experience and all(e.ended_on is None for e in cmo.experience)  # products on it: ongoing

    LineProduct.objects.filter(line=line).delete()
    cmo = enterprise(load_facts(as_of=MINI_AS_OF, everything=True), "ORG-CMO")
    assert cmo.experience is None  # nothing made on it, no last date: not known, not "ongoing"


def test_a_resident_is_stationed_for_the_products_the_agreement_names(mini):
    """The biologics pilot counts residents per pilot product: the facts carry which products each
    resident serves (None when the agreement names none: all of them)."""
    from tests.quality.world import SYSTEM
    from weituo.contracts.models import QualityAgreement, ResidentStaff
    from weituo.integrity.writes import create
    from weituo.registry.models import Person, Product

    agreement = QualityAgreement.objects.get(ref="QA-1")
    create(SYSTEM, ResidentStaff(agreement=agreement, person=Person.objects.get(ref="PER-MQA"), duties="驻厂监督"),
           many={"products": [Product.objects.get(ref="P-1")]})  # fmt: skip
    [resident] = contract(load_facts(as_of=MINI_AS_OF, everything=True), "CON-1").agreements[0].resident_staff
    assert (resident.person.ref, resident.product_refs) == ("PER-MQA", frozenset({"P-1"}))
