"""The demo's collaboration records: batches in each state of the two-step release, a closed minor
deviation with its CAPA, an open OOS with its deadline, mah2's own batch; the workflows (a major change
implemented with its art. 11 duties and a new one awaiting the CMO, the shared-line assessment the
change started, an audit of the CMO, a technology transfer); all through the services (the ledger
verifies), idempotent, and isolated between the two MAHs of the shared line."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from weituo.accounts.selectors import actor_for_user
from weituo.batches import selectors as batch_selectors
from weituo.batches.choices import BatchStatus
from weituo.batches.models import Batch, ReleaseDecision
from weituo.contracts import selectors as contract_selectors
from weituo.contracts.models import QualityAgreement, TechTransfer
from weituo.contracts.tech_transfer import IN_PROGRESS, transfer_state
from weituo.core.actors import system_actor
from weituo.core.deadlines import my_deadlines
from weituo.core.errors import NotFound
from weituo.demo.collaboration import seed_collaboration
from weituo.demo.generator import AS_OF, generate
from weituo.demo.users import ensure_demo_users
from weituo.exchange.services import registry_import
from weituo.integrity.models import LedgerEntry
from weituo.integrity.verify import verify_all
from weituo.quality import selectors as quality_selectors
from weituo.quality.models import (
    Audit,
    Capa,
    CapaApproval,
    Change,
    QualityEvent,
    RetentionObligation,
    SharedLineAssessment,
)
from weituo.quality.selectors import audits as audit_selectors
from weituo.quality.selectors import changes as change_selectors
from weituo.quality.selectors import shared_line as shared_line_selectors
from weituo.registry.models import LineProduct

pytestmark = pytest.mark.django_db
SEED = 1


def actor(username: str):
    return actor_for_user(get_user_model().objects.get(username=username))


@pytest.fixture
def seeded(tmp_data_dir):
    system = system_actor("demo tests")
    registry_import(actor=system, dataset=generate(size="small", seed=SEED).dataset, source="demo tests")
    ensure_demo_users(actor=system)
    return seed_collaboration(seed=SEED)


def test_the_batches_are_in_each_state_of_the_two_step_release(seeded):
    li_na = actor("li.na")
    mine = {b.ref.rsplit("-", 1)[1]: b for b in batch_selectors.batch_list(actor=li_na)}
    assert {k: b.status for k, b in mine.items()} == {
        "01": BatchStatus.MARKET_RELEASED,
        "02": BatchStatus.FACTORY_RELEASED,
        "03": BatchStatus.IN_PRODUCTION,
        "04": BatchStatus.IN_PRODUCTION,
        "05": BatchStatus.IN_PRODUCTION,  # the first batch made after the major change
    }
    journey = mine["03"]
    assert seeded.created and seeded.journey_batch == journey.number
    assert any(journey.number in line for line in seeded.lines)
    assert not journey.quality_events.exists()  # the journey raises the first event on it
    assert {d.kind for d in journey.documents.all()} == {"batch_record", "test_record"}
    for document in journey.documents.all():
        with document.file.open("rb") as fh:
            content = fh.read()
        assert document.file.name.endswith(".pdf") and content.startswith(b"%PDF-") and b"%%EOF" in content
        assert len(content) == document.size
    assert all(r.passed for r in journey.test_results.all())
    steps = set(ReleaseDecision.objects.filter(batch=mine["01"]).values_list("step", flat=True))
    assert steps == {"factory", "market"}


def test_the_events_a_user_relies_on(seeded):
    batches = {b.ref.rsplit("-", 1)[1]: b for b in batch_selectors.batch_list(actor=actor("li.na"))}
    deviation = QualityEvent.objects.get(batch=batches["01"])
    assert deviation.category == "deviation" and deviation.status == "closed"
    assert deviation.deviation.classification == "minor" and deviation.deviation.root_cause
    assert Capa.objects.get(event=deviation).status == "effective"
    oos = QualityEvent.objects.get(batch=batches["04"])
    assert oos.category == "oos_oot" and oos.status == "open" and oos.due_at is not None
    # the MAH QA sees the OOS among the events addressed to it
    assert oos.pk in {e.pk for e in quality_selectors.event_list(actor=actor("li.na"))}


def test_every_record_is_in_the_ledger_and_the_ledger_verifies(seeded):
    for batch in Batch.objects.filter(ref__startswith="DEMO-"):
        assert LedgerEntry.objects.filter(object_id=str(batch.pk), object_type="batches.batch", action="create")
    assert LedgerEntry.objects.filter(action="sign", meaning="released").count() == 3
    report = verify_all()
    assert report.ok, report.problems


def test_a_rerun_changes_nothing(seeded):
    before = LedgerEntry.objects.count()
    again = seed_collaboration(seed=SEED)
    assert not again.created and again.journey_batch == seeded.journey_batch
    assert LedgerEntry.objects.count() == before


def test_the_two_mahs_of_the_shared_line_never_see_each_others_batches(seeded):
    li_na, zhao_lei, sun_li = actor("li.na"), actor("zhao.lei"), actor("sun.li")
    mine = list(batch_selectors.batch_list(actor=li_na))
    theirs = list(batch_selectors.batch_list(actor=zhao_lei))
    assert len(mine) == 5 and len(theirs) == 1
    assert {b.line_id for b in mine} == {theirs[0].line_id}  # the same line
    assert not {b.pk for b in mine} & {b.pk for b in theirs}
    for batch in mine:
        with pytest.raises(NotFound):
            batch_selectors.batch_get(actor=zhao_lei, ref=batch.ref)
    with pytest.raises(NotFound):
        batch_selectors.batch_get(actor=li_na, ref=theirs[0].ref)
    assert not list(quality_selectors.event_list(actor=zhao_lei))
    assert len(list(batch_selectors.batch_list(actor=sun_li))) == 6  # the CMO sees both


# --- the workflows -----------------------------------------------------------------------------------


def changes_of_mah() -> tuple[Change, Change]:
    major, proposed = Change.objects.filter(ref__startswith="DEMO-").order_by("ref")
    return major, proposed


def test_the_major_change_was_classified_higher_by_the_mah_and_obliges_the_batches_made_after_it(seeded):
    major, proposed = changes_of_mah()
    assert (major.proposed_by_party, major.status) == ("cmo", "implemented")
    assert (major.cmo_class, major.cmo_path, major.mah_class, major.mah_path) == (
        "moderate",
        "filing",
        "major",
        "approval",
    )
    assert (major.change_class, major.regulatory_path, major.filing_status) == ("major", "approval", "accepted")
    duties = change_selectors.change_obligations(actor=actor("li.na"), change=major)
    obliged = {o.batch.ref.rsplit("-", 1)[1] for o in duties}
    assert obliged == {"05"}  # made after the implementation; 01–04 were made before it
    assert {o.party for o in duties} == {"mah", "cmo"} or all(o.exception for o in duties)
    assert all(o.batch.manufactured_on >= major.implemented_on for o in duties)
    # the MAH's new change waits for the CMO's own classification
    assert (proposed.proposed_by_party, proposed.status) == ("mah", "proposed")
    assert proposed.mah_class and not proposed.cmo_class
    summary = "\n".join(seeded.lines)
    assert major.ref in summary and proposed.ref in summary


def test_the_shared_line_assessment_the_change_started(seeded):
    major, _ = changes_of_mah()
    assessment = SharedLineAssessment.objects.get(change=major)
    assert assessment.status == "notified" and assessment.conclusion and assessment.controls
    on_line = set(LineProduct.objects.filter(line=assessment.line).values_list("product_id", flat=True))
    assert set(assessment.product_risks.values_list("product_id", flat=True)) == on_line
    mah = major.contract.mah_id
    notices = {n.mah_id: n for n in assessment.notices.all()}
    assert len(notices) >= 2
    assert notices[mah].status == "agreed" and notices[mah].feedback and notices[mah].response
    assert {n.status for m, n in notices.items() if m != mah} == {"sent"}
    capa = Capa.objects.get(assessment=assessment)
    assert capa.status == "planned"
    assert list(CapaApproval.objects.filter(capa=capa).values_list("mah_id", "decision")) == [(mah, "approved")]
    assert assessment.ref in "\n".join(seeded.lines)


def test_the_audit_of_the_cmo(seeded):
    audit = Audit.objects.get(ref__startswith="DEMO-", mode="on_site")
    assert audit.status == "reported" and audit.report_sha256 and audit.conducted_to < AS_OF
    findings = {f.severity: f for f in audit.findings.all()}
    assert set(findings) == {"major", "other"}
    assert Capa.objects.get(finding=findings["major"]).status == "effective"
    planned = Capa.objects.get(finding=findings["other"])
    assert planned.status == "planned" and planned.due_on > AS_OF
    # art. 14: a remote audit only where the CMO records production and testing electronically and
    # exchanges the data with the MAH (both recorded in the agreement)
    agreements = QualityAgreement.objects.filter(contract=audit.contract, status="in_force")
    exchange = [a.records_exchanged_electronically for a in agreements]
    assert Audit.objects.filter(mode="remote", ref__startswith="DEMO-").exists() == any(exchange)
    assert audit.ref in "\n".join(seeded.lines)


def test_the_technology_transfer_in_progress(seeded):
    transfer = TechTransfer.objects.get(ref__startswith="DEMO-")
    assert transfer_state(transfer) == IN_PROGRESS
    assert transfer.lead.organisation_id == transfer.contract.cmo_id and transfer.working_group.count() >= 2
    assert [s.step for s in transfer.steps.order_by("done_on")] == [
        "plan_reviewed",
        "equipment_qualified",
        "cleaning_validated",
    ]
    assert [r.status for r in transfer.risks.all()] == ["controlled"]
    assert transfer.ref in "\n".join(seeded.lines)


def test_the_second_mah_sees_its_redacted_notice_and_nothing_of_the_first(seeded):
    zhao_lei = actor("zhao.lei")
    major, proposed = changes_of_mah()
    assessment = SharedLineAssessment.objects.get(change=major)
    notices = list(shared_line_selectors.notice_list(actor=zhao_lei))
    assert [n.assessment_id for n in notices] == [assessment.pk]
    notice = shared_line_selectors.notice_get(actor=zhao_lei, ref=assessment.ref)
    assert notice.mah_id != major.contract.mah_id and notice.status == "sent"
    own = set(notice.products.values_list("pk", flat=True))
    assert major.products.first().pk not in own  # the first MAH's product is not named on it
    assert not shared_line_selectors.sees_whole(actor=zhao_lei, assessment=assessment)
    assert not list(change_selectors.change_list(actor=zhao_lei))
    for change in (major, proposed):
        with pytest.raises(NotFound):
            change_selectors.change_get(actor=zhao_lei, ref=change.ref)
    audit = Audit.objects.get(ref__startswith="DEMO-", mode="on_site")
    assert not list(audit_selectors.audit_list(actor=zhao_lei))
    with pytest.raises(NotFound):
        audit_selectors.audit_get(actor=zhao_lei, ref=audit.ref)
    transfer = TechTransfer.objects.get(ref__startswith="DEMO-")
    with pytest.raises(NotFound):
        contract_selectors.tech_transfer_get(actor=zhao_lei, ref=transfer.ref)
    # the first MAH sees them all
    li_na = actor("li.na")
    assert change_selectors.change_get(actor=li_na, ref=proposed.ref).pk == proposed.pk
    assert audit_selectors.audit_get(actor=li_na, ref=audit.ref).pk == audit.pk
    assert contract_selectors.tech_transfer_get(actor=li_na, ref=transfer.ref).pk == transfer.pk


def test_the_deadlines_of_the_second_mah_and_of_the_cmo(seeded):
    major, proposed = changes_of_mah()
    assessment = SharedLineAssessment.objects.get(change=major)
    theirs = {(d.kind, d.ref) for d in my_deadlines(actor=actor("zhao.lei"))}
    assert theirs == {("notice_feedback", assessment.ref), ("capa_approval", assessment.ref)}
    cmo = {(d.kind, d.ref) for d in my_deadlines(actor=actor("sun.li"))}
    audit = Audit.objects.get(ref__startswith="DEMO-", mode="on_site")
    assert {("change_classify", proposed.ref), ("finding_response", audit.ref)} <= cmo
    assert ("finding_response", audit.ref) in cmo and len([k for k in cmo if k[0] == "finding_response"]) == 1
    # the first MAH owes nothing on the assessment any more: it answered and approved
    mine = {(d.kind, d.ref) for d in my_deadlines(actor=actor("li.na"))}
    assert not {k for k in mine if k[1] == assessment.ref}
    assert ("change_classify", proposed.ref) not in mine


def test_every_workflow_record_is_in_the_ledger(seeded):
    major, proposed = changes_of_mah()
    for record, object_type in (
        (major, "quality.change"),
        (proposed, "quality.change"),
        (SharedLineAssessment.objects.get(change=major), "quality.sharedlineassessment"),
        (Audit.objects.get(ref__startswith="DEMO-", mode="on_site"), "quality.audit"),
        (TechTransfer.objects.get(ref__startswith="DEMO-"), "contracts.techtransfer"),
    ):
        assert LedgerEntry.objects.filter(object_type=object_type, object_id=str(record.pk), action="create")
    assert RetentionObligation.objects.filter(change=major).exists()
    assert verify_all().ok
