"""Findings with their history: opened, met once fixed through a service, reopened when broken again,
closed when they stop applying — each change of outcome an event and an audit-ledger entry written in
the same transaction, and the ledger still verifies."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.compliance.conftest import DEMO_AS_OF, SYSTEM
from weituo.compliance.models import EventKind, Finding, FindingEvent, Outcome, Scan
from weituo.compliance.services import compliance_recheck, compliance_scan
from weituo.contracts.models import QualityAgreement
from weituo.contracts.services import contract_change_status, quality_agreement_update
from weituo.integrity.models import LedgerEntry
from weituo.registry.models import Person

pytestmark = pytest.mark.django_db


def link_person_finding(ref: str) -> Finding:
    return Finding.objects.get(rule_id="134-6.link-person", subject_kind="agreement", subject_ref=ref)


def history(finding: Finding) -> list[tuple[str, str, str]]:
    return [(e.kind, e.outcome_from, e.outcome_to) for e in finding.events.order_by("id")]


def ledger_of(finding: Finding) -> list[tuple[str, dict, dict]]:
    import json

    return [
        (e.action, json.loads(e.old), json.loads(e.new))
        for e in LedgerEntry.objects.filter(object_type="compliance.finding", object_id=str(finding.pk)).order_by("seq")
    ]


def test_not_met_then_met_after_a_fix_then_reopened(demo):
    ref = demo.catalogue["no_cmo_link_person"][0]["ref"]
    agreement = QualityAgreement.objects.select_related("contract").get(ref=ref)
    compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF)
    finding = link_person_finding(ref)
    assert finding.outcome == Outcome.NOT_MET and finding.contract == agreement.contract
    assert (finding.mah_id, finding.cmo_id) == (agreement.contract.mah_id, agreement.contract.cmo_id)
    assert history(finding) == [(EventKind.OPENED, "", Outcome.NOT_MET)]

    # fixed through the contracts service, then re-checked: met
    person = Person.objects.filter(organisation_id=agreement.contract.cmo_id).order_by("ref").first()
    quality_agreement_update(actor=SYSTEM, agreement=agreement, cmo_link_person=person)
    result = compliance_recheck(actor=SYSTEM, changed=agreement, as_of=DEMO_AS_OF)
    assert result.scan.kind == Scan.Kind.RECHECK and result.changes >= 1
    finding.refresh_from_db()
    assert finding.outcome == Outcome.MET and finding.facts["agreement.cmo_link_person"].startswith(person.name)
    assert history(finding)[-1] == (EventKind.MET, Outcome.NOT_MET, Outcome.MET)

    # broken again: reopened
    quality_agreement_update(actor=SYSTEM, agreement=agreement, cmo_link_person=None)
    compliance_recheck(actor=SYSTEM, changed=agreement, as_of=DEMO_AS_OF)
    finding.refresh_from_db()
    assert finding.outcome == Outcome.NOT_MET
    assert history(finding) == [
        (EventKind.OPENED, "", Outcome.NOT_MET),
        (EventKind.MET, Outcome.NOT_MET, Outcome.MET),
        (EventKind.REOPENED, Outcome.MET, Outcome.NOT_MET),
    ]
    # each change of outcome is in the ledger, and each event names its entry
    entries = ledger_of(finding)
    assert [(a, old.get("outcome"), new["outcome"]) for a, old, new in entries] == [
        ("finding_opened", None, "not_met"),
        ("finding_met", "not_met", "met"),
        ("finding_reopened", "met", "not_met"),
    ]
    assert entries[0][2]["rule_id"] == "134-6.link-person" and entries[0][2]["subject"] == f"agreement:{ref}"
    seqs = list(finding.events.order_by("id").values_list("ledger_seq", flat=True))
    assert seqs == list(
        LedgerEntry.objects.filter(object_type="compliance.finding", object_id=str(finding.pk))
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    out = io.StringIO()
    call_command("ledger", "verify", stdout=out)  # a CommandError unless the ledger is intact
    assert "审计追踪完整：已校验" in out.getvalue()


def test_a_rescan_with_nothing_changed_writes_nothing(demo):
    compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF)
    before = (FindingEvent.objects.count(), LedgerEntry.objects.count())
    updated = dict(Finding.objects.values_list("pk", "updated_at"))
    result = compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF)
    assert result.changes == 0
    assert (FindingEvent.objects.count(), LedgerEntry.objects.count()) == (before[0], before[1] + 1)  # the scan
    assert dict(Finding.objects.values_list("pk", "updated_at")) == updated


def test_findings_close_when_the_contract_ends(demo):
    compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF)
    ref = demo.catalogue["copied_template"][0]["ref"]
    agreement = QualityAgreement.objects.select_related("contract").get(ref=ref)
    finding = Finding.objects.get(rule_id="134-7.contacts-party", subject_ref=ref)
    assert finding.outcome == Outcome.NOT_MET
    contract_change_status(actor=SYSTEM, contract=agreement.contract, to="terminated", on=DEMO_AS_OF)
    compliance_recheck(actor=SYSTEM, changed=agreement.contract, as_of=DEMO_AS_OF)
    finding.refresh_from_db()
    assert finding.outcome == Outcome.NOT_APPLICABLE and finding.deadline is None
    assert history(finding)[-1] == (EventKind.CLOSED, Outcome.NOT_MET, Outcome.NOT_APPLICABLE)
    # art. 20 applies after the end: the cancellation of the scope is now an obligation
    cancellation = Finding.objects.get(rule_id="134-20.cancellation", scope_ref=agreement.contract.ref)
    assert cancellation.outcome in (Outcome.MET, Outcome.NOT_MET)


def test_a_subject_gone_closes_its_findings(demo):
    compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF)
    contract = QualityAgreement.objects.get(ref=demo.catalogue["copied_template"][0]["ref"]).contract
    product = contract.products.order_by("ref").first()
    open_ = Finding.objects.filter(scope_ref=contract.ref, subject_kind="product", subject_ref=product.ref).exclude(
        outcome=Outcome.NOT_APPLICABLE
    )
    assert open_.exists()
    contract.products.remove(product)  # (the registry import and the admin change product lists)
    compliance_recheck(actor=SYSTEM, changed=contract, as_of=DEMO_AS_OF)
    assert not open_.exists()
    closed = Finding.objects.filter(scope_ref=contract.ref, subject_ref=product.ref).first()
    assert closed.outcome == Outcome.NOT_APPLICABLE and closed.reason_en.startswith("no longer evaluated")


def test_the_findings_and_their_ledger_entries_commit_together(demo, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("weituo.compliance.services.ledger_append_many", fail)
    entries = LedgerEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF)
    assert not Finding.objects.exists() and not Scan.objects.exists() and LedgerEntry.objects.count() == entries


def test_a_withdrawn_rules_findings_close_and_left_out_drafts_stay(demo):
    compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF, include_draft=True)
    drafts = Finding.objects.filter(rule_id__startswith="draft-").exclude(outcome=Outcome.NOT_APPLICABLE)
    kept = sorted(drafts.values_list("pk", "outcome"))
    assert kept
    withdrawn = Finding.objects.filter(rule_id="134-6.access").first()
    Finding.objects.filter(pk=withdrawn.pk).update(rule_id="134-6.withdrawn-rule")
    compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF)  # without the drafts
    assert sorted(drafts.values_list("pk", "outcome")) == kept
    withdrawn.refresh_from_db()
    assert withdrawn.outcome == Outcome.NOT_APPLICABLE and history(withdrawn)[-1][0] == EventKind.CLOSED
