"""Change control between the MAH and the CMO (Notice 2025-134 art. 9): each party classifies, the
higher governs; the MAH decides; the CMO implements only once allowed; a major change obliges the
first three batches after it (art. 11); a change on a shared line starts an assessment (art. 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from weituo.contracts.services import communication_item_set, quality_agreement_update
from weituo.core.deadlines import my_deadlines
from weituo.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from weituo.exchange.services import registry_import
from weituo.integrity.models import LedgerEntry
from weituo.integrity.writes import StaleRecord
from weituo.quality import selectors, services
from weituo.quality.models import Change, RetentionObligation
from weituo.registry.models import Line, Product

from .world import SYSTEM, make_batch

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def propose(world, actor=None, **kw) -> Change:
    values = {
        "contract": world.contract,
        "products": [Product.objects.get(ref="P-1")],
        "title": "灌装机更换",
        "description": "灌装机由 A 型更换为 B 型，工艺参数不变",
        **kw,
    }
    return services.change_propose(actor=actor or world.cmo_qa, **values)


def classify(world, change, mah=("major", "approval"), cmo=("minor", "report")) -> Change:
    change = services.change_classify(
        actor=world.mah_qa, change=change, change_class=mah[0], regulatory_path=mah[1], rationale="持有人评估"
    )
    return services.change_classify(
        actor=world.cmo_qa, change=change, change_class=cmo[0], regulatory_path=cmo[1], rationale="受托方评估"
    )


def approved(world, mah=("major", "approval"), cmo=("minor", "report"), **kw) -> Change:
    change = classify(world, propose(world, **kw), mah, cmo)
    return services.change_decide(actor=world.mah_qa, change=change, approve=True, note="同意实施")


def last_seq() -> int:
    entry = LedgerEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def assert_nothing_written(change: Change, before_seq: int) -> None:
    stored = Change.objects.get(pk=change.pk)
    assert stored.version == change.version and stored.status == change.status
    assert last_seq() == before_seq, "a refused action must not reach the ledger"


def obligations(batch) -> list[tuple[str, str, str]]:
    return sorted(RetentionObligation.objects.filter(batch=batch).values_list("kind", "party", "exception"))


def add_single_product_line() -> Line:
    """LINE-3 of ORG-CMO, on which only P-1 is made."""
    registry_import(
        actor=SYSTEM,
        dataset={
            "lines": [
                {
                    "ref": "LINE-3",
                    "workshop": "WS-1",
                    "name": "冻干粉针线",
                    "dosage_forms": "注射用无菌粉末",
                    "sterile": True,
                    "design_capacity": 500,
                    "capacity_unit": "万支/年",
                }
            ],
            "line_products": [{"line": "LINE-3", "product": "P-1", "annual_volume": 100}],
        },
        source="change tests",
    )
    return Line.objects.get(ref="LINE-3")


# --- classification: the higher governs (art. 9) ---------------------------------------------------


@pytest.mark.parametrize(
    ("mah", "cmo", "governing"),
    [
        (("major", "approval"), ("minor", "report"), ("major", "approval")),  # the MAH higher on both
        (("minor", "report"), ("moderate", "filing"), ("moderate", "filing")),  # the CMO higher on both
        (("major", "report"), ("minor", "approval"), ("major", "approval")),  # each higher on one
        (("moderate", "filing"), ("major", "filing"), ("major", "filing")),  # same path, CMO's class
        (("minor", "report"), ("minor", "report"), ("minor", "report")),  # agreed
    ],
)
def test_the_higher_class_and_path_govern(world, mah, cmo, governing):
    change = classify(world, propose(world), mah, cmo)
    assert (change.change_class, change.regulatory_path) == governing
    assert (change.status, change.filing_status) == ("classified", "pending")
    assert (change.mah_class, change.mah_path, change.cmo_class, change.cmo_path) == (*mah, *cmo)


def test_one_classification_leaves_it_proposed_and_a_revision_recomputes_with_the_trail(world):
    change = propose(world)
    change = services.change_classify(
        actor=world.cmo_qa, change=change, change_class="minor", regulatory_path="report", rationale="微小变更"
    )
    assert (change.status, change.change_class, change.filing_status) == ("proposed", "", "")
    change = services.change_classify(
        actor=world.mah_qa, change=change, change_class="major", regulatory_path="approval", rationale="影响无菌保证"
    )
    assert (change.status, change.change_class) == ("classified", "major")
    # the MAH revises before deciding: the higher of its new class and the CMO's governs
    change = services.change_classify(
        actor=world.mah_qa, change=change, change_class="moderate", regulatory_path="report", rationale="复核后"
    )
    assert (change.status, change.change_class, change.regulatory_path) == ("classified", "moderate", "report")
    entries = selectors.change_trail(actor=world.mah_qa, change=change)
    classified = [e for e in entries if e.action != "create" and "class" in e.new]
    assert [e.reason.split(":")[-1].strip() for e in classified] == [
        "minor/report",
        "major/approval",
        "moderate/report",
    ]


def test_classification_refusals_name_the_field_and_write_nothing(world):
    change = propose(world)
    seq = last_seq()
    with pytest.raises(ValidationFailed) as excinfo:
        services.change_classify(
            actor=world.mah_qa, change=change, change_class="huge", regulatory_path="fax", rationale=" "
        )
    assert {d.field for d in excinfo.value.details} == {"change_class", "regulatory_path", "rationale"}
    assert all(d.message_zh and d.message_en for d in excinfo.value.details)
    assert_nothing_written(change, seq)
    change = services.change_decide(actor=world.mah_qa, change=classify(world, change), approve=True, note="同意")
    seq = last_seq()
    with pytest.raises(InvalidTransition) as excinfo:
        services.change_classify(
            actor=world.cmo_qa, change=change, change_class="major", regulatory_path="approval", rationale="改判"
        )
    assert excinfo.value.code == "classification_closed"
    assert_nothing_written(change, seq)


# --- the MAH's decision ----------------------------------------------------------------------------


def test_only_the_mahs_qa_decides_and_only_a_classified_change(world):
    change = propose(world)
    seq = last_seq()
    with pytest.raises(InvalidTransition) as excinfo:
        services.change_decide(actor=world.mah_qa, change=change, approve=True, note="同意")
    assert excinfo.value.code == "not_classified"
    assert_nothing_written(change, seq)
    change = classify(world, change)
    seq = last_seq()
    for actor, code in ((world.cmo_qa, "not_a_party"), (world.mah_qp, "mah_qa_required")):
        with pytest.raises(PermissionDenied) as excinfo:
            services.change_decide(actor=actor, change=change, approve=True, note="同意")
        assert excinfo.value.code == code
    with pytest.raises(ValidationFailed):
        services.change_decide(actor=world.mah_hoq, change=change, approve=False, note="")
    assert_nothing_written(change, seq)
    change = services.change_decide(actor=world.mah_hoq, change=change, approve=False, note="风险不可接受")
    assert (change.status, change.decided_by_id, change.decision_note) == (
        "rejected",
        world.mah_hoq.user_id,
        "风险不可接受",
    )
    with pytest.raises(InvalidTransition):  # a rejected change is never implemented
        services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")


# --- implementation: never before the MAH's approval, nor the regulator's (art. 9) -----------------


def test_implementation_is_refused_before_the_mahs_approval(world):
    change = propose(world)
    for step in ("proposed", "classified"):
        if step == "classified":
            change = classify(world, change, ("minor", "report"), ("minor", "report"))
        seq = last_seq()
        with pytest.raises(InvalidTransition) as excinfo:
            services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")
        assert excinfo.value.code == "not_implementable"
        assert "未经持有人批准" in excinfo.value.message_zh and "MAH" in excinfo.value.message_en
        assert_nothing_written(change, seq)


def test_on_the_approval_path_only_after_the_regulator_approved(world):
    change = approved(world)  # major / approval
    assert change.filing_status == "pending"
    seq = last_seq()
    with pytest.raises(InvalidTransition) as excinfo:
        services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")
    assert excinfo.value.details[0].field == "filing_status"
    assert_nothing_written(change, seq)
    change = services.change_filing_record(actor=world.mah_qa, change=change, to="submitted", reference="CYHB2600001")
    with pytest.raises(InvalidTransition):
        services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")
    change = services.change_filing_record(actor=world.mah_qa, change=change, to="accepted")
    change = services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已按批准工艺实施")
    assert (change.status, change.implemented_on, change.implemented_by_id) == (
        "implemented",
        TODAY,
        world.cmo_qa.user_id,
    )


def test_a_change_the_regulator_refused_is_never_implemented(world):
    change = approved(world)
    change = services.change_filing_record(actor=world.mah_qa, change=change, to="submitted")
    change = services.change_filing_record(actor=world.mah_qa, change=change, to="refused")
    seq = last_seq()
    with pytest.raises(InvalidTransition) as excinfo:
        services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")
    assert "未获批准" in excinfo.value.message_zh
    assert_nothing_written(change, seq)
    change = services.change_withdraw(actor=world.cmo_qa, change=change, reason="未获批准，撤回")
    assert change.status == "withdrawn"


def test_on_the_filing_path_once_filed_and_on_the_report_path_at_once(world):
    change = approved(world, ("moderate", "filing"), ("minor", "report"))
    with pytest.raises(InvalidTransition) as excinfo:
        services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")
    assert "备案" in excinfo.value.message_zh
    change = services.change_filing_record(actor=world.mah_qa, change=change, to="submitted", reference="备2026-01")
    change = services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")
    assert change.status == "implemented"

    change = approved(world, ("minor", "report"), ("minor", "report"))
    change = services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")
    change = services.change_filing_record(actor=world.mah_qa, change=change, to="in_annual_report")
    assert (change.status, change.filing_status) == ("implemented", "in_annual_report")


def test_the_implementation_date_and_who_implements(world):
    change = approved(world, ("minor", "report"), ("minor", "report"))
    seq = last_seq()
    for on in (TODAY + dt.timedelta(days=1), TODAY - dt.timedelta(days=1)):  # future; before the approval
        with pytest.raises(ValidationFailed) as excinfo:
            services.change_implement(actor=world.cmo_qa, change=change, on=on, note="已实施")
        assert excinfo.value.details[0].field == "on"
    with pytest.raises(PermissionDenied):  # the MAH does not implement at the CMO
        services.change_implement(actor=world.mah_qa, change=change, on=TODAY, note="已实施")
    with pytest.raises(ValidationFailed):
        services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note=" ")
    assert_nothing_written(change, seq)


def test_filing_steps_follow_the_path_and_belong_to_the_mah(world):
    change = approved(world, ("minor", "report"), ("minor", "report"))
    seq = last_seq()
    with pytest.raises(ValidationFailed) as excinfo:
        services.change_filing_record(actor=world.mah_qa, change=change, to="submitted")
    assert excinfo.value.details[0].field == "to"
    with pytest.raises(PermissionDenied):
        services.change_filing_record(actor=world.cmo_qa, change=change, to="in_annual_report")
    assert_nothing_written(change, seq)
    change = approved(world)  # approval path
    with pytest.raises(InvalidTransition):  # accepted before it was submitted
        services.change_filing_record(actor=world.mah_qa, change=change, to="accepted")
    unapproved = classify(world, propose(world))
    with pytest.raises(InvalidTransition) as excinfo:
        services.change_filing_record(actor=world.mah_qa, change=unapproved, to="submitted")
    assert excinfo.value.code == "not_approved"


# --- art. 11: the first three batches after a major change -----------------------------------------


def implemented_major(world) -> Change:
    change = approved(world)
    change = services.change_filing_record(actor=world.mah_qa, change=change, to="submitted")
    change = services.change_filing_record(actor=world.mah_qa, change=change, to="accepted")
    return services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")


def test_a_major_change_obliges_exactly_the_first_three_batches_after_it(world):
    before = make_batch(world, "B0", manufactured_on=TODAY - dt.timedelta(days=20))
    first = make_batch(world, "B1", manufactured_on=TODAY)  # exists when the change is implemented
    change = implemented_major(world)
    second = make_batch(world, "B2", manufactured_on=TODAY + dt.timedelta(days=3))  # through batch_create
    third = make_batch(world, "B3", manufactured_on=TODAY + dt.timedelta(days=6))
    fourth = make_batch(world, "B4", manufactured_on=TODAY + dt.timedelta(days=9))
    both = [
        ("ongoing_stability", "cmo", ""),
        ("ongoing_stability", "mah", ""),
        ("retained_sample", "cmo", ""),
        ("retained_sample", "mah", ""),
    ]
    for batch in (first, second, third):
        assert obligations(batch) == both, batch.number
    assert obligations(before) == [] and obligations(fourth) == []
    rows = RetentionObligation.objects.filter(change=change)
    assert rows.count() == 12 and not rows.filter(event__isnull=False).exists()
    assert all(change.ref in r.basis and "134" in r.basis for r in rows)
    assert [o.batch.number for o in selectors.change_obligations(actor=world.mah_qa, change=change)][::4] == [
        "B1",
        "B2",
        "B3",
    ]
    # the obligated party fulfils a change's obligation like a deviation's
    mine = rows.get(batch=first, party="mah", kind="retained_sample")
    services.retention_obligation_fulfil(actor=world.mah_qa, obligation=mine, note="留样 2×10 支")


def test_a_moderate_change_obliges_nothing(world):
    change = approved(world, ("moderate", "filing"), ("minor", "report"))
    change = services.change_filing_record(actor=world.mah_qa, change=change, to="submitted")
    services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")
    make_batch(world, "B1", manufactured_on=TODAY)
    assert RetentionObligation.objects.count() == 0


def test_the_exception_leaves_the_duty_to_the_party_the_agreement_names(world):
    quality_agreement_update(
        actor=SYSTEM,
        agreement=world.agreement,
        electronic_production_records=True,
        electronic_data_exchange=True,
        retained_samples_party="mah",
    )
    implemented_major(world)
    batch = make_batch(world, "B1", manufactured_on=TODAY)
    assert obligations(batch) == [
        ("ongoing_stability", "cmo", "electronic_data_exchange"),
        ("retained_sample", "mah", "electronic_data_exchange"),
    ]


# --- art. 8: a change on a shared line starts an assessment ----------------------------------------


def test_a_change_naming_a_shared_line_starts_an_assessment_and_one_product_line_does_not(world):
    pytest.importorskip(
        "weituo.quality.services.shared_line",
        reason="needs shared_line.assessment_start (the shared-line workflow, another engineer's module)",
    )
    from weituo.quality.models import SharedLineAssessment

    single = add_single_product_line()
    quiet = propose(world, lines=[single])
    assert not SharedLineAssessment.objects.filter(change=quiet).exists()
    change = propose(world, actor=world.mah_qa, lines=[Line.objects.get(ref="LINE-1")], trigger="other_major_change")
    assessment = SharedLineAssessment.objects.get(change=change)
    assert (assessment.line.ref, assessment.trigger, assessment.started_by_id) == (
        "LINE-1",
        "other_major_change",
        world.mah_qa.user_id,
    )
    assert change.title not in assessment.trigger_description  # every MAH on the line reads it
    assert list(selectors.change_assessments(actor=world.cmo_qa, change=change)) == [assessment]


def test_the_proposal_is_checked_whole(world):
    seq = last_seq()
    other_cmo_line = Line.objects.get(ref="LINE-1")
    with pytest.raises(ValidationFailed) as excinfo:
        services.change_propose(
            actor=world.cmo_qa,
            contract=world.contract,
            products=[Product.objects.get(ref="P-2")],  # ORG-MAH2's, not in CON-1
            lines=[other_cmo_line],
            title=" ",
            description="",
            trigger="new_commercial_product",
        )
    assert {d.field for d in excinfo.value.details} == {"products", "title", "description", "trigger"}
    with pytest.raises(ValidationFailed) as excinfo:
        services.change_propose(actor=world.cmo_qa, contract=world.contract, products=[], title="x", description="y")
    assert excinfo.value.details[0].field == "products"
    assert Change.objects.count() == 0 and last_seq() == seq


# --- concurrency, isolation, roles -----------------------------------------------------------------


def test_a_stale_version_is_refused(world):
    change = propose(world)
    shown = change.version
    services.change_classify(
        actor=world.mah_qa, change=change, change_class="major", regulatory_path="approval", rationale="评估"
    )
    stored = Change.objects.get(pk=change.pk)
    seq = last_seq()
    with pytest.raises(StaleRecord):
        services.change_classify(
            actor=world.cmo_qa,
            change=change,
            change_class="minor",
            regulatory_path="report",
            rationale="评估",
            expected_version=shown,
        )
    assert_nothing_written(stored, seq)


def test_the_other_mah_on_the_shared_line_sees_nothing(world):
    change = implemented_major(world)
    make_batch(world, "B1", manufactured_on=TODAY)
    for actor in (world.mah2_qa, world.mah2_qp, world.inspector_zj):
        assert not selectors.change_list(actor=actor).exists()
        with pytest.raises(NotFound):
            selectors.change_get(actor=actor, ref=change.ref)
        assert not selectors.retention_obligation_list(actor=actor).exists()
        assert [d for d in my_deadlines(actor=actor) if d.kind.startswith("change")] == []
    with pytest.raises(NotFound):
        services.change_close(actor=world.mah2_qa, change=change, conclusion="关闭")
    with pytest.raises(NotFound):
        services.change_propose(
            actor=world.mah2_qa,
            contract=world.contract,
            products=[Product.objects.get(ref="P-1")],
            title="x",
            description="y",
        )
    # the parties and their regulator do see it
    for actor in (world.mah_qa, world.cmo_viewer, world.inspector_js):
        assert selectors.change_get(actor=actor, ref=change.ref) == change


def test_the_viewer_role_cannot_write(world):
    seq = last_seq()
    with pytest.raises(PermissionDenied):
        propose(world, actor=world.cmo_viewer)
    change = propose(world)
    seq = last_seq()
    with pytest.raises(PermissionDenied):
        services.change_classify(
            actor=world.cmo_viewer, change=change, change_class="minor", regulatory_path="report", rationale="x"
        )
    with pytest.raises(PermissionDenied):
        services.change_withdraw(actor=world.cmo_viewer, change=change, reason="x")
    assert_nothing_written(change, seq)
    assert selectors.change_actions(actor=world.cmo_viewer, change=change).any is False


# --- closing, withdrawing ---------------------------------------------------------------------------


def test_close_after_implementation_by_the_mah_and_withdraw_by_the_proposer(world):
    change = approved(world, ("minor", "report"), ("minor", "report"))
    with pytest.raises(InvalidTransition):
        services.change_close(actor=world.mah_qa, change=change, conclusion="完成")
    change = services.change_implement(actor=world.cmo_qa, change=change, on=TODAY, note="已实施")
    with pytest.raises(PermissionDenied):
        services.change_close(actor=world.cmo_qa, change=change, conclusion="完成")
    with pytest.raises(InvalidTransition):  # implemented: too late to withdraw
        services.change_withdraw(actor=world.cmo_qa, change=change, reason="撤回")
    change = services.change_close(actor=world.mah_qa, change=change, conclusion="变更效果确认")
    assert (change.status, change.conclusion) == ("closed", "变更效果确认")

    other = propose(world)  # proposed by the CMO
    with pytest.raises(PermissionDenied):
        services.change_withdraw(actor=world.mah_qa, change=other, reason="撤回")
    with pytest.raises(ValidationFailed):
        services.change_withdraw(actor=world.cmo_qa, change=other, reason="")
    other = services.change_withdraw(actor=world.cmo_qa, change=other, reason="方案调整")
    assert other.status == "withdrawn"
    transitions = LedgerEntry.objects.filter(object_id=str(other.pk), action="transition", object_type="quality.change")
    assert [e.reason for e in transitions] == ["方案调整"]


# --- deadlines ---------------------------------------------------------------------------------------


def change_deadlines(actor):
    return [(d.kind, d.ref) for d in my_deadlines(actor=actor) if d.kind.startswith("change")]


def test_deadlines_to_classify_and_to_decide_timed_by_the_agreement(world):
    change = propose(world)
    assert change_deadlines(world.mah_qa) == [("change_classify", change.ref)]
    assert change_deadlines(world.cmo_qa) == [("change_classify", change.ref)]
    assert change_deadlines(world.cmo_viewer) == []  # a viewer owes nothing
    (item,) = selectors.change_deadlines(actor=world.mah_qa, at=timezone.now())
    assert item.due_at is None and item.no_agreed_time_limit  # QA-1 has no "change" row yet

    services.change_classify(
        actor=world.cmo_qa, change=change, change_class="minor", regulatory_path="report", rationale="评估"
    )
    assert change_deadlines(world.cmo_qa) == []
    communication_item_set(
        actor=SYSTEM,
        agreement=world.agreement,
        category="change",
        channel="system",
        time_limit=5,
        time_unit="working_days",
    )
    (item,) = selectors.change_deadlines(actor=world.mah_qa, at=timezone.now())
    assert item.kind == "change_classify" and item.time_limit == 5 and item.due_at > change.proposed_at
    classify(world, Change.objects.get(pk=change.pk))
    (item,) = selectors.change_deadlines(actor=world.mah_qa, at=timezone.now())
    assert item.kind == "change_decide" and item.due_at is not None
    assert change_deadlines(world.cmo_qa) == []
