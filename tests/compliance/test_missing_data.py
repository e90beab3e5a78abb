"""Missing or wrong data gives "needs information" naming what is missing: never a crash, never a
silent "met". The facts builder passes None for what the platform does not hold, and the rules ask."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.compliance.conftest import MINI_AS_OF, SYSTEM
from weituo.compliance.services import compliance_scan
from weituo.registry.models import Appointment, LineProduct, Person, Product

pytestmark = pytest.mark.django_db


def scan() -> dict[tuple[str, str | None], object]:
    result = compliance_scan(actor=SYSTEM, as_of=MINI_AS_OF, store=False)
    return {(f.rule_id, f.subject.get("ref")): f for f in result.findings}


def missing(finding) -> set[str]:
    return {m.name for m in finding.missing}


def test_key_persons_not_on_record_are_asked_for(mini):
    f = scan()[("134-17.key-persons", "CON-1")]
    assert str(f.outcome) == "needs_information"
    assert missing(f) == {"cmo.key_persons.head_of_production", "cmo.key_persons.head_of_quality"}
    assert "受托方现任生产负责人" in f.action_zh and "head of production" in f.action_en


def test_a_key_person_without_a_cv_is_asked_for_not_counted_as_zero(mini):
    person = Person.objects.create(
        organisation_id=Person.objects.get(ref="PER-QP").organisation_id, ref="PER-HQ", name="周敏"
    )
    Appointment.objects.create(person=person, role="head_of_quality", since=dt.date(2020, 1, 1))
    f = scan()[("134-17.key-persons", "CON-1")]
    assert str(f.outcome) == "needs_information"
    assert {"PER-HQ.practice_years", "PER-HQ.sterile_years"} <= missing(f)
    assert f.facts["PER-HQ.practice_years"] is None


def test_experience_the_platform_cannot_tell_is_asked_for(mini):
    # LINE-1 produced commercially but its start is not recorded: the CMO's experience is unknown
    f = scan()[("134-17.sterile-experience", "P-1")]
    assert str(f.outcome) == "needs_information" and missing(f) == {"cmo.experience"}


def test_a_planned_volume_not_entered_is_asked_for(mini):
    LineProduct.objects.filter(product__ref="P-2").update(annual_volume=None)
    f = scan()[("134-8.line-capacity", "LINE-1")]
    assert str(f.outcome) == "needs_information" and missing(f) == {"line.products[P-2].annual_volume"}


def test_wrong_data_is_an_answer_not_a_crash(mini):
    # a dosage form erased behind the services' back: every rule that needs it asks for it
    Product.objects.filter(ref="P-1").update(dosage_form="")
    findings = scan()
    f = findings[("134-17.sterile-experience", "P-1")]
    assert str(f.outcome) == "needs_information" and "product.dosage_form" in missing(f)
    assert not [x for x in findings.values() if x.error]


def test_what_no_app_holds_is_never_met(mini):
    findings = scan()
    # (audits and shared-line assessments are held since: tests/compliance/test_audit_facts.py)
    for rule_id, ref, name in (("134-5.quarterly-risk-review", "P-1", "contract.reviews"),):
        f = findings[(rule_id, ref)]
        assert str(f.outcome) == "needs_information" and name in missing(f), rule_id


def test_every_needs_information_names_what_is_missing(demo):
    result = compliance_scan(actor=SYSTEM, as_of=MINI_AS_OF, store=False)
    needing = [f for f in result.findings if str(f.outcome) == "needs_information"]
    assert needing
    assert all(f.missing and f.action_en.startswith("Provide: ") for f in needing)
    assert not [f for f in result.findings if f.error]
