"""Shared-line risk assessment and its notices to every MAH (Notice 2025-134 art. 8).

The world of ``world.py`` plus, for this module: a second product of ORG-MAH2 on LINE-1 (P-4), a
second CMO (ORG-CMO2, Zhejiang) with its own line LINE-2 and ORG-MAH3's product P-5 on it. So on
LINE-1: ORG-MAH holds P-1, ORG-MAH2 holds P-2 and P-4; ORG-MAH3 has nothing on LINE-1.

What users rely on: every holder of a product on the line is notified, nobody else; each holder's
notice shows nothing of another holder (name, products, findings, feedback, approvals, batches);
a CAPA is applied only once every notified holder approved it; each step by the right party only;
stale and refused writes leave everything as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.exchange.dataset import valid_uscc
from weituo.access import policy
from weituo.accounts.selectors import actor_for_user
from weituo.accounts.services import membership_add
from weituo.contracts.services import communication_item_set
from weituo.core.actors import Actor
from weituo.core.deadlines import my_deadlines
from weituo.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from weituo.core.roles import Party
from weituo.exchange.services import registry_import
from weituo.integrity import writes
from weituo.integrity.models import LedgerEntry
from weituo.quality import selectors as q
from weituo.quality import services as s
from weituo.quality.choices import AssessmentStatus, CapaStatus, NoticeStatus
from weituo.quality.models import Capa, CapaApproval, Change, SharedLineAssessment, SharedLineNotice
from weituo.registry.models import Line, Organisation, Product

from .world import SYSTEM, World, _user, make_batch

MAH1_NAME = "南京康宁药业有限公司"
MAH2_NAME = "无锡同泰药业有限公司"
P1_NAME = "盐酸利多卡因注射液"
P1_FINDINGS = "利多卡因残留限度 10 ppm，清洁验证三批合格"
P2_FINDINGS = "维生素C 残留限度 25 ppm"
MAH1_FEEDBACK = "康宁要求提高擦拭取样频次，依据其内控标准 KN-SOP-117"
CHANGE_TITLE = "利多卡因灌装速度提升至每分钟 300 支"
BATCH_NUMBER = "KN240777"


def extra_dataset() -> dict[str, list[dict]]:
    return {
        "organisations": [
            {
                "ref": "ORG-CMO2",
                "name": "杭州远山制药有限公司",
                "uscc": valid_uscc("91330100MA1W0004X"),
                "province": "33",
                "is_cmo": True,
            },
            {
                "ref": "ORG-MAH3",
                "name": "常州北辰药业有限公司",
                "uscc": valid_uscc("91320400MA1W0007X"),
                "province": "32",
                "is_mah": True,
            },
        ],
        "sites": [
            {"ref": "SITE-2", "organisation": "ORG-CMO2", "name": "二厂", "address": "杭州滨江1号", "province": "33"}
        ],
        "workshops": [{"ref": "WS-2", "site": "SITE-2", "name": "固体制剂车间"}],
        "lines": [
            {
                "ref": "LINE-2",
                "workshop": "WS-2",
                "name": "片剂线",
                "dosage_forms": "片剂",
                "design_capacity": 10000,
                "capacity_unit": "万片/年",
            }
        ],
        "products": [
            {
                "ref": "P-4",
                "kind": "drug",
                "holder": "ORG-MAH2",
                "name": "甲钴胺注射液",
                "status": "marketed",
                "approval_number": "国药准字H32020004",
                "dosage_form": "小容量注射剂",
                "category": "h",
            },
            {
                "ref": "P-5",
                "kind": "drug",
                "holder": "ORG-MAH3",
                "name": "阿莫西林片",
                "status": "marketed",
                "approval_number": "国药准字H32020005",
                "dosage_form": "片剂",
                "category": "h",
            },
        ],
        "line_products": [
            {"line": "LINE-1", "product": "P-4", "annual_volume": 300},
            {"line": "LINE-2", "product": "P-5", "annual_volume": 3000},
        ],
    }


@dataclasses.dataclass
class Line1:
    w: World
    cmo2_qa: Actor
    mah3_qa: Actor
    mah2_hoq: Actor
    mah_viewer: Actor

    @property
    def line(self) -> Line:
        return Line.objects.get(ref="LINE-1")


@pytest.fixture
def lw(world: World) -> Line1:
    registry_import(actor=SYSTEM, dataset=extra_dataset(), source="shared-line tests")
    return Line1(
        w=world,
        cmo2_qa=_user("qian.yu", "钱宇", "cmo_qa", "ORG-CMO2"),
        mah3_qa=_user("feng.yi", "冯怡", "mah_qa", "ORG-MAH3"),
        mah2_hoq=_user("tang.ning", "唐宁", "mah_head_of_quality", "ORG-MAH2"),
        mah_viewer=_user("ye.zi", "叶子", "mah_viewer", "ORG-MAH"),
    )


def start(lw: Line1, **kw) -> SharedLineAssessment:
    values = {"trigger": "new_commercial_product", "description": "新增一个商业化生产品种（小容量注射剂）"} | kw
    return s.assessment_start(actor=lw.w.cmo_qa, line=lw.line, **values)


def notified(lw: Line1, django_capture_on_commit_callbacks, **kw) -> SharedLineAssessment:
    a = start(lw, **kw)
    s.assessment_product_risk_set(
        actor=lw.w.cmo_qa, assessment=a, product=Product.objects.get(ref="P-1"), findings=P1_FINDINGS
    )
    s.assessment_product_risk_set(
        actor=lw.w.cmo_qa, assessment=a, product=Product.objects.get(ref="P-2"), findings=P2_FINDINGS
    )
    a.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        s.assessment_notify(
            actor=lw.w.cmo_qa,
            assessment=a,
            conclusion="风险可控：清洁验证覆盖新品种",
            controls="专用灌装针头；换品种清洁后擦拭取样",
            expected_version=a.version,
        )
    a.refresh_from_db()
    return a


def notice_of(a: SharedLineAssessment, org_ref: str) -> SharedLineNotice:
    return SharedLineNotice.objects.get(assessment=a, mah__ref=org_ref)


def ledger_count() -> int:
    return LedgerEntry.objects.count()


# --- notices go to every holder on the line, and nobody else --------------------------------------------


def test_notify_sends_one_notice_per_holder_with_its_products_and_a_count_of_the_others(
    lw, django_capture_on_commit_callbacks
):
    a = notified(lw, django_capture_on_commit_callbacks)

    assert a.status == AssessmentStatus.NOTIFIED
    notices = {n.mah.ref: n for n in a.notices.all()}
    assert set(notices) == {"ORG-MAH", "ORG-MAH2"}  # not ORG-MAH3 (other line), not the CMO
    assert {p.ref for p in notices["ORG-MAH"].products.all()} == {"P-1"}
    assert notices["ORG-MAH"].other_products_count == 2
    assert {p.ref for p in notices["ORG-MAH2"].products.all()} == {"P-2", "P-4"}
    assert notices["ORG-MAH2"].other_products_count == 1
    assert all(n.status == NoticeStatus.SENT for n in notices.values())

    # each MAH's QA is mailed its own notice, naming only its own products
    by_to = {tuple(m.to): m for m in mail.outbox}
    mah1_mail = next(m for to, m in by_to.items() if "li.xiaomei@example.cn" in to)
    mah2_mail = next(m for to, m in by_to.items() if "huang.lei@example.cn" in to)
    assert "li.xiaomei@example.cn" not in mah2_mail.to and "huang.lei@example.cn" not in mah1_mail.to
    assert P1_NAME in mah1_mail.body and P1_NAME not in mah2_mail.body
    assert MAH1_NAME not in mah2_mail.body and P1_FINDINGS not in mah2_mail.body
    sent = LedgerEntry.objects.filter(action="notify", object_type="quality.sharedlinenotice")
    assert sent.count() == 2


def test_notify_needs_conclusion_and_controls_and_writes_nothing_without(lw):
    a = start(lw)
    before = ledger_count()
    with pytest.raises(ValidationFailed) as e:
        s.assessment_notify(actor=lw.w.cmo_qa, assessment=a, conclusion="结论", controls="  ")
    assert {d.field for d in e.value.details} == {"controls"}
    with pytest.raises(ValidationFailed):
        s.assessment_notify(actor=lw.w.cmo_qa, assessment=a, conclusion="", controls="措施")
    a.refresh_from_db()
    assert a.status == AssessmentStatus.OPEN and a.conclusion == "" and a.version == 1
    assert not SharedLineNotice.objects.exists()
    assert ledger_count() == before


def test_notify_with_a_stale_version_is_refused_and_writes_nothing(lw):
    a = start(lw)
    s.assessment_product_risk_set(
        actor=lw.w.cmo_qa, assessment=a, product=Product.objects.get(ref="P-1"), findings="首版"
    )
    before = ledger_count()
    with pytest.raises(writes.StaleRecord):
        s.assessment_notify(actor=lw.w.cmo_qa, assessment=a, conclusion="c", controls="k", expected_version=0)
    assert not SharedLineNotice.objects.exists()
    assert SharedLineAssessment.objects.get(pk=a.pk).status == AssessmentStatus.OPEN
    assert ledger_count() == before


def test_only_the_lines_cmo_conducts_the_assessment(lw):
    a = start(lw)
    for actor in (lw.w.mah_qa, lw.w.mah2_qa):  # they see the line but are not its CMO
        with pytest.raises((PermissionDenied, NotFound)):
            s.assessment_notify(actor=actor, assessment=a, conclusion="c", controls="k")
        with pytest.raises((PermissionDenied, NotFound)):
            s.assessment_product_risk_set(
                actor=actor, assessment=a, product=Product.objects.get(ref="P-1"), findings="x"
            )
    with pytest.raises(NotFound):  # another CMO does not even learn it exists
        s.assessment_notify(actor=lw.cmo2_qa, assessment=a, conclusion="c", controls="k")
    with pytest.raises(PermissionDenied):  # a viewer of the CMO reads only
        s.assessment_notify(actor=lw.w.cmo_viewer, assessment=a, conclusion="c", controls="k")


def test_a_product_not_on_the_line_gets_no_findings(lw):
    a = start(lw)
    with pytest.raises(ValidationFailed) as e:
        s.assessment_product_risk_set(
            actor=lw.w.cmo_qa, assessment=a, product=Product.objects.get(ref="P-5"), findings="x"
        )
    assert e.value.details[0].field == "product"


# --- who may start one ---------------------------------------------------------------------------------


def test_start_by_the_cmo_or_by_an_mah_with_a_contract_with_it(lw):
    by_cmo = start(lw)
    by_mah = s.assessment_start(
        actor=lw.w.mah_qa, line=lw.line, trigger="formula_or_process_change", description="工艺变更"
    )
    assert by_cmo.status == by_mah.status == AssessmentStatus.OPEN
    assert LedgerEntry.objects.filter(object_type="quality.sharedlineassessment", action="create").count() == 2
    # ORG-MAH2 has a product on the line but no contract with the CMO
    with pytest.raises(PermissionDenied):
        s.assessment_start(actor=lw.w.mah2_qa, line=lw.line, trigger="equipment_change", description="x")
    with pytest.raises(NotFound):  # another CMO's line is invisible
        s.assessment_start(actor=lw.cmo2_qa, line=lw.line, trigger="equipment_change", description="x")
    with pytest.raises(ValidationFailed):
        s.assessment_start(actor=lw.w.cmo_qa, line=lw.line, trigger="weather", description="x")
    with pytest.raises(ValidationFailed):
        s.assessment_start(actor=lw.w.cmo_qa, line=lw.line, trigger="equipment_change", description=" ")
    assert SharedLineAssessment.objects.count() == 2


# --- redaction -----------------------------------------------------------------------------------------


def _change(lw: Line1) -> Change:
    return writes.create(
        SYSTEM,
        Change(
            ref="CHG-KN-1",
            contract=lw.w.contract,
            title=CHANGE_TITLE,
            description="灌装机改造",
            proposed_by_party=Party.MAH,
            proposed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        ),
    )


def _everything_mah1_owns(lw: Line1, a: SharedLineAssessment) -> None:
    """MAH1 writes its feedback and decides a CAPA; a batch of MAH1 exists on the line."""
    make_batch(lw.w, number=BATCH_NUMBER)
    n1 = notice_of(a, "ORG-MAH")
    s.notice_feedback(actor=lw.w.mah_qa, notice=n1, feedback=MAH1_FEEDBACK)
    capa = s.assessment_capa_add(
        actor=lw.w.cmo_qa, assessment=a, description="增加换品种清洁擦拭点", due_on=dt.date(2026, 12, 31)
    )
    s.assessment_capa_decide(actor=lw.w.mah_qa, capa=capa, approve=False, note="康宁不同意：擦拭点不足")


def test_an_mah_reads_only_its_own_part_of_the_notice(lw, django_capture_on_commit_callbacks):
    a = notified(lw, django_capture_on_commit_callbacks, change=_change(lw), trigger="formula_or_process_change")
    _everything_mah1_owns(lw, a)

    view = q.notice_view(actor=lw.w.mah2_qa, assessment=a)
    text = repr(dataclasses.asdict(view))
    for secret in (MAH1_NAME, "ORG-MAH'", P1_NAME, "P-1", P1_FINDINGS, MAH1_FEEDBACK, BATCH_NUMBER, "康宁"):
        assert secret not in text, secret
    assert CHANGE_TITLE not in text and "CHG-KN-1" not in text  # MAH2 is no party to the change
    assert view.conclusion == "风险可控：清洁验证覆盖新品种"
    assert view.controls == "专用灌装针头；换品种清洁后擦拭取样"
    assert view.trigger == "formula_or_process_change"
    assert view.line_name == "小容量注射剂线"
    assert {r.product.ref for r in view.own_products} == {"P-2", "P-4"}
    assert {r.product.ref: r.findings for r in view.own_products} == {"P-2": P2_FINDINGS, "P-4": ""}
    assert view.other_products_count == 1
    assert [c.own_decision for c in view.capas] == [""]  # MAH1's rejection is not shown

    mine = q.notice_view(actor=lw.w.mah_qa, assessment=a)
    assert mine.change_title == CHANGE_TITLE and mine.change_ref == "CHG-KN-1"  # its own change
    assert [r.product.ref for r in mine.own_products] == ["P-1"] and mine.other_products_count == 2
    assert MAH2_NAME not in repr(dataclasses.asdict(mine)) and P2_FINDINGS not in repr(dataclasses.asdict(mine))
    assert mine.feedback == MAH1_FEEDBACK and mine.capas[0].own_decision == "rejected"


def test_an_mah_cannot_open_the_whole_assessment_nor_another_holders_records(lw, django_capture_on_commit_callbacks):
    a = notified(lw, django_capture_on_commit_callbacks)
    _everything_mah1_owns(lw, a)
    for reader in (lw.w.mah2_qa, lw.w.mah_qa):
        with pytest.raises(NotFound):
            q.assessment_get(actor=reader, ref=a.ref)
        with pytest.raises(NotFound):
            q.assessment_view(actor=reader, assessment=a)
        assert not q.assessment_list(actor=reader).exists()
    assert set(policy.visible(lw.w.mah2_qa, SharedLineNotice).values_list("mah__ref", flat=True)) == {"ORG-MAH2"}
    assert not policy.visible(lw.w.mah2_qa, CapaApproval).exists()  # MAH1's rejection
    assert {r.product.ref for r in policy.visible(lw.w.mah2_qa, type(a.product_risks.first()))} == {"P-2"}


def test_the_mah_timeline_names_no_other_holder(lw, django_capture_on_commit_callbacks):
    a = notified(lw, django_capture_on_commit_callbacks, change=_change(lw), trigger="formula_or_process_change")
    _everything_mah1_owns(lw, a)
    n2 = notice_of(a, "ORG-MAH2")
    s.notice_feedback(actor=lw.w.mah2_qa, notice=n2, feedback="同泰无异议")

    entries = q.assessment_trail(actor=lw.w.mah2_qa, assessment=a)
    text = repr([(e.actor, e.organisation, e.object_type, e.object_id, e.old, e.new) for e in entries])
    mah1 = Organisation.objects.get(ref="ORG-MAH")
    n1 = notice_of(a, "ORG-MAH")
    for secret in (MAH1_FEEDBACK, P1_FINDINGS, "李晓梅", "li.xiaomei", "康宁不同意", f'"change_id": {a.change_id}'):
        assert secret not in text, secret
    assert not [e for e in entries if e.object_type == "quality.sharedlinenotice" and e.object_id == str(n1.pk)]
    assert not [e for e in entries if e.organisation == str(mah1.pk)]
    assert any("同泰无异议" in e.new for e in entries)  # its own feedback is there
    assert any("专用灌装针头" in e.new for e in entries)  # and the shared controls

    full = q.assessment_trail(actor=lw.w.cmo_qa, assessment=a)
    assert any(MAH1_FEEDBACK in e.new for e in full) and any("同泰无异议" in e.new for e in full)
    assert len(full) > len(entries)


def test_other_cmos_and_mahs_without_a_product_on_the_line_see_nothing(lw, django_capture_on_commit_callbacks):
    a = notified(lw, django_capture_on_commit_callbacks)
    n1 = notice_of(a, "ORG-MAH")
    capa = s.assessment_capa_add(actor=lw.w.cmo_qa, assessment=a, description="措施", due_on=dt.date(2026, 12, 1))
    for outsider in (lw.cmo2_qa, lw.mah3_qa, lw.w.inspector_zj):
        assert not q.assessment_list(actor=outsider).exists()
        assert not q.notice_list(actor=outsider).exists()
        with pytest.raises(NotFound):
            q.assessment_get(actor=outsider, ref=a.ref)
        with pytest.raises(NotFound):
            q.notice_view(actor=outsider, assessment=a)
        with pytest.raises(NotFound):
            q.assessment_capa_get(actor=outsider, ref=a.ref, capa_id=capa.pk)
        with pytest.raises(NotFound):
            q.assessment_trail(actor=outsider, assessment=a)
        assert q.assessment_deadlines(actor=outsider, at=dt.datetime.now(dt.UTC)) == []
    with pytest.raises(NotFound):
        s.notice_feedback(actor=lw.mah3_qa, notice=n1, feedback="x")
    with pytest.raises(NotFound):
        s.assessment_capa_decide(actor=lw.mah3_qa, capa=capa, approve=True)
    # the regulator of the CMO's province reads the whole assessment
    assert q.assessment_view(actor=lw.w.inspector_js, assessment=a).notices


# --- feedback, response, agreement ----------------------------------------------------------------------


def test_feedback_by_the_notified_mah_only_and_every_one_in_the_trail(lw, django_capture_on_commit_callbacks):
    a = notified(lw, django_capture_on_commit_callbacks)
    n1, n2 = notice_of(a, "ORG-MAH"), notice_of(a, "ORG-MAH2")
    with pytest.raises(NotFound):  # MAH2 cannot even see MAH1's notice
        s.notice_feedback(actor=lw.w.mah2_qa, notice=n1, feedback="x")
    with pytest.raises(PermissionDenied):
        s.notice_feedback(actor=lw.w.cmo_qa, notice=n1, feedback="x")
    with pytest.raises(PermissionDenied):
        s.notice_feedback(actor=lw.mah_viewer, notice=n1, feedback="x")
    with pytest.raises(ValidationFailed):
        s.notice_feedback(actor=lw.w.mah_qa, notice=n1, feedback="   ")

    n1 = s.notice_feedback(actor=lw.w.mah_qa, notice=n1, feedback="第一次意见", expected_version=1)
    n1 = s.notice_feedback(actor=lw.w.mah_qp, notice=n1, feedback="第二次意见", expected_version=n1.version)
    assert n1.status == NoticeStatus.FEEDBACK and n1.feedback == "第二次意见"
    trail = [e.new for e in q.assessment_trail(actor=lw.w.mah_qa, assessment=a)]
    assert any("第一次意见" in t for t in trail) and any("第二次意见" in t for t in trail)
    with pytest.raises(writes.StaleRecord):
        s.notice_feedback(actor=lw.w.mah_qa, notice=n1, feedback="第三次", expected_version=1)
    assert SharedLineNotice.objects.get(pk=n1.pk).feedback == "第二次意见"
    assert SharedLineNotice.objects.get(pk=n2.pk).status == NoticeStatus.SENT


def test_agreement_by_the_mahs_qa_after_the_cmo_answered_its_feedback(lw, django_capture_on_commit_callbacks):
    a = notified(lw, django_capture_on_commit_callbacks)
    n1, n2 = notice_of(a, "ORG-MAH"), notice_of(a, "ORG-MAH2")
    with pytest.raises(InvalidTransition):  # nothing to respond to yet
        s.notice_respond(actor=lw.w.cmo_qa, notice=n1, response="x")
    s.notice_feedback(actor=lw.w.mah_qa, notice=n1, feedback=MAH1_FEEDBACK)
    with pytest.raises(InvalidTransition):  # the CMO has not answered the feedback
        s.notice_agree(actor=lw.w.mah_qa, notice=n1)
    with pytest.raises(PermissionDenied):
        s.notice_respond(actor=lw.w.mah_qa, notice=n1, response="x")
    s.notice_respond(actor=lw.w.cmo_qa, notice=n1, response="同意增加擦拭取样点，已修订 SOP")
    with pytest.raises(PermissionDenied):  # a QP is not QA or head of quality
        s.notice_agree(actor=lw.w.mah_qp, notice=n1)
    with pytest.raises(PermissionDenied):  # nor is the CMO
        s.notice_agree(actor=lw.w.cmo_qa, notice=n1)
    with pytest.raises(NotFound):  # nor another MAH
        s.notice_agree(actor=lw.w.mah2_qa, notice=n1)
    n1 = s.notice_agree(actor=lw.w.mah_hoq, notice=n1, note="已达成一致")
    assert n1.status == NoticeStatus.AGREED and n1.agreed_by_id == lw.w.mah_hoq.user_id
    with pytest.raises(InvalidTransition):
        s.notice_feedback(actor=lw.w.mah_qa, notice=n1, feedback="再说一句")
    # MAH2 agrees without feedback
    assert s.notice_agree(actor=lw.w.mah2_qa, notice=n2).status == NoticeStatus.AGREED


# --- CAPA approved by every notified MAH -------------------------------------------------------------


def test_capa_is_implemented_only_once_every_notified_mah_approved(lw, django_capture_on_commit_callbacks):
    a = notified(lw, django_capture_on_commit_callbacks)
    capa = s.assessment_capa_add(
        actor=lw.w.cmo_qa, assessment=a, description="灌装针头专用", due_on=dt.date(2026, 12, 31)
    )
    with pytest.raises(PermissionDenied):
        s.assessment_capa_add(actor=lw.w.mah_qa, assessment=a, description="x", due_on=dt.date(2026, 12, 31))

    with pytest.raises(InvalidTransition) as e:
        s.assessment_capa_implement(actor=lw.w.cmo_qa, capa=capa, note="已完成")
    assert {d.message_en for d in e.value.details} == {
        f"{MAH1_NAME} has not reviewed it",
        f"{MAH2_NAME} has not reviewed it",
    }  # the CMO may see the names: it knows every MAH on its line

    s.assessment_capa_decide(actor=lw.w.mah_qa, capa=capa, approve=True)
    with pytest.raises(InvalidTransition) as e:
        s.assessment_capa_implement(actor=lw.w.cmo_qa, capa=capa, note="已完成")
    assert "1 not reviewed" in e.value.message_en
    with pytest.raises(PermissionDenied):  # an MAH never gets to the list of the others
        s.assessment_capa_implement(actor=lw.w.mah_qa, capa=capa, note="已完成")

    s.assessment_capa_decide(actor=lw.mah2_hoq, capa=capa, approve=True, note="同意")
    capa = s.assessment_capa_implement(actor=lw.w.cmo_qa, capa=capa, note="已完成", expected_version=capa.version)
    assert capa.status == CapaStatus.IMPLEMENTED
    assert CapaApproval.objects.filter(capa=capa).count() == 2

    with pytest.raises(PermissionDenied):  # production is not QA
        s.assessment_capa_check(actor=lw.w.cmo_production, capa=capa, effective=True, note="有效")
    capa = s.assessment_capa_check(actor=lw.w.cmo_hoq, capa=capa, effective=True, note="三批擦拭合格")
    assert capa.status == CapaStatus.EFFECTIVE


def test_a_rejection_blocks_the_capa_and_needs_its_reason(lw, django_capture_on_commit_callbacks):
    a = notified(lw, django_capture_on_commit_callbacks)
    capa = s.assessment_capa_add(actor=lw.w.cmo_qa, assessment=a, description="措施", due_on=dt.date(2026, 12, 31))
    before = ledger_count()
    with pytest.raises(ValidationFailed):
        s.assessment_capa_decide(actor=lw.w.mah2_qa, capa=capa, approve=False, note=" ")
    assert ledger_count() == before and not CapaApproval.objects.exists()
    with pytest.raises(PermissionDenied):  # a QP of the MAH is not its QA
        s.assessment_capa_decide(actor=lw.w.mah_qp, capa=capa, approve=True)
    with pytest.raises(PermissionDenied):
        s.assessment_capa_decide(actor=lw.w.cmo_qa, capa=capa, approve=True)

    s.assessment_capa_decide(actor=lw.w.mah2_qa, capa=capa, approve=False, note="清洁验证未覆盖甲钴胺")
    s.assessment_capa_decide(actor=lw.w.mah_qa, capa=capa, approve=True)
    with pytest.raises(InvalidTransition):  # one decision per MAH
        s.assessment_capa_decide(actor=lw.mah2_hoq, capa=capa, approve=True)
    with pytest.raises(InvalidTransition) as e:
        s.assessment_capa_implement(actor=lw.w.cmo_qa, capa=capa, note="已完成")
    assert {d.message_en for d in e.value.details} == {f"{MAH2_NAME} rejected it"}
    assert Capa.objects.get(pk=capa.pk).status == CapaStatus.PLANNED


def test_close_needs_every_notice_agreed_and_every_capa_implemented(lw, django_capture_on_commit_callbacks):
    a = notified(lw, django_capture_on_commit_callbacks)
    capa = s.assessment_capa_add(actor=lw.w.cmo_qa, assessment=a, description="措施", due_on=dt.date(2026, 12, 31))
    with pytest.raises(ValidationFailed) as e:
        s.assessment_close(actor=lw.w.cmo_qa, assessment=a)
    assert {d.field for d in e.value.details} == {"notices", "capas"}
    s.notice_agree(actor=lw.w.mah_qa, notice=notice_of(a, "ORG-MAH"))
    s.notice_agree(actor=lw.w.mah2_qa, notice=notice_of(a, "ORG-MAH2"))
    s.assessment_capa_decide(actor=lw.w.mah_qa, capa=capa, approve=True)
    s.assessment_capa_decide(actor=lw.w.mah2_qa, capa=capa, approve=True)
    with pytest.raises(ValidationFailed):
        s.assessment_close(actor=lw.w.cmo_qa, assessment=a)
    s.assessment_capa_implement(actor=lw.w.cmo_qa, capa=capa, note="完成")
    a.refresh_from_db()
    with pytest.raises(PermissionDenied):
        s.assessment_close(actor=lw.w.mah_qa, assessment=a)
    with pytest.raises(writes.StaleRecord):
        s.assessment_close(actor=lw.w.cmo_qa, assessment=a, expected_version=a.version - 1)
    a = s.assessment_close(actor=lw.w.cmo_qa, assessment=a, expected_version=a.version)
    assert a.status == AssessmentStatus.CLOSED
    with pytest.raises(InvalidTransition):
        s.assessment_capa_add(actor=lw.w.cmo_qa, assessment=a, description="x", due_on=dt.date(2027, 1, 1))


# --- deadlines -----------------------------------------------------------------------------------------


def test_deadlines_feedback_timed_by_the_change_row_and_capa_decisions(lw, django_capture_on_commit_callbacks):
    communication_item_set(
        actor=SYSTEM,
        agreement=lw.w.agreement,
        category="change",
        channel="system",
        time_limit=5,
        time_unit="working_days",
    )
    a = notified(lw, django_capture_on_commit_callbacks)
    now = dt.datetime.now(dt.UTC)

    mah1 = [d for d in my_deadlines(actor=lw.w.mah_qa, at=now) if d.kind == "notice_feedback"]
    assert [(d.ref, d.time_limit) for d in mah1] == [(a.ref, 5)] and mah1[0].due_at is not None
    mah2 = [d for d in my_deadlines(actor=lw.w.mah2_qa, at=now) if d.kind == "notice_feedback"]
    assert [(d.ref, d.due_at) for d in mah2] == [(a.ref, None)]  # no contract, so no agreed time limit
    assert MAH1_NAME not in mah2[0].title and P1_NAME not in mah2[0].title
    assert not [d for d in my_deadlines(actor=lw.w.cmo_qa, at=now) if d.kind == "notice_feedback"]

    s.notice_feedback(actor=lw.w.mah_qa, notice=notice_of(a, "ORG-MAH"), feedback="意见")
    assert not [d for d in q.assessment_deadlines(actor=lw.w.mah_qa, at=now) if d.kind == "notice_feedback"]

    capa = s.assessment_capa_add(actor=lw.w.cmo_qa, assessment=a, description="措施", due_on=dt.date(2026, 12, 31))
    assert [d.capa for d in q.assessment_deadlines(actor=lw.w.mah2_qa, at=now) if d.kind == "capa_approval"] == [capa]
    s.assessment_capa_decide(actor=lw.w.mah2_qa, capa=capa, approve=True)
    assert not [d for d in q.assessment_deadlines(actor=lw.w.mah2_qa, at=now) if d.kind == "capa_approval"]
    assert [d.capa for d in q.assessment_deadlines(actor=lw.w.mah_qa, at=now) if d.kind == "capa_approval"] == [capa]


def test_an_assessment_started_by_mah1s_change_does_not_name_mah1_to_mah2(lw, django_capture_on_commit_callbacks):
    change = _change(lw)
    a = s.assessment_start(
        actor=lw.w.mah_qa, line=lw.line, trigger="formula_or_process_change", description="工艺变更", change=change
    )
    with django_capture_on_commit_callbacks(execute=True):
        s.assessment_notify(actor=lw.w.cmo_qa, assessment=a, conclusion="结论", controls="措施")

    entries = q.assessment_trail(actor=lw.w.mah2_qa, assessment=a)
    created = next(e for e in entries if e.object_type == "quality.sharedlineassessment" and e.action == "create")
    assert created.actor == "另一方 another party" and created.organisation == ""
    assert "change_id" not in created.new and "started_by_id" not in created.new
    assert "李晓梅" not in repr([(e.actor, e.new) for e in entries])
    assert q.notice_view(actor=lw.w.mah2_qa, assessment=a).change_ref == ""
    # the ledger itself is untouched: the CMO's reading still shows who started it, from which change
    full = q.assessment_trail(actor=lw.w.cmo_qa, assessment=a)
    original = next(e for e in full if e.object_type == "quality.sharedlineassessment" and e.action == "create")
    assert original.actor != "另一方 another party" and f'"change_id":{change.pk}' in original.new.replace(" ", "")


def test_a_company_both_mah_and_cmo_reads_each_assessment_once(lw, django_capture_on_commit_callbacks):
    # One user with a role on each side (a CMO that is also an MAH, or a group's shared QA): the
    # policy joins the notices, and the list and the lookup must still give each assessment once.
    a = notified(lw, django_capture_on_commit_callbacks)
    dual = _user("dual.qa", "双重", "cmo_qa", "ORG-CMO")
    user = get_user_model().objects.get(pk=dual.user_id)
    membership_add(actor=SYSTEM, user=user, role="mah_qa", organisation=Organisation.objects.get(ref="ORG-MAH"))
    dual = actor_for_user(user)
    assert list(q.assessment_list(actor=dual)) == [a]
    assert q.assessment_get(actor=dual, ref=a.ref) == a
    assert q.notice_view(actor=dual, assessment=a).mah_ref == "ORG-MAH"


def test_a_rejected_capa_does_not_hold_the_assessment_open(lw, django_capture_on_commit_callbacks):
    a = notified(lw, django_capture_on_commit_callbacks)
    rejected = s.assessment_capa_add(actor=lw.w.cmo_qa, assessment=a, description="方案一", due_on=dt.date(2026, 12, 1))
    s.assessment_capa_decide(actor=lw.w.mah2_qa, capa=rejected, approve=False, note="不够")
    revised = s.assessment_capa_add(actor=lw.w.cmo_qa, assessment=a, description="方案二", due_on=dt.date(2026, 12, 1))
    s.notice_agree(actor=lw.w.mah_qa, notice=notice_of(a, "ORG-MAH"))
    s.notice_agree(actor=lw.w.mah2_qa, notice=notice_of(a, "ORG-MAH2"))
    with pytest.raises(ValidationFailed) as e:  # the revised one is still to be approved and applied
        s.assessment_close(actor=lw.w.cmo_qa, assessment=a)
    assert [d.field for d in e.value.details] == ["capas"] and "1 CAPA" in e.value.details[0].message_en
    s.assessment_capa_decide(actor=lw.w.mah_qa, capa=revised, approve=True)
    s.assessment_capa_decide(actor=lw.w.mah2_qa, capa=revised, approve=True)
    s.assessment_capa_implement(actor=lw.w.cmo_qa, capa=revised, note="完成")
    assert s.assessment_close(actor=lw.w.cmo_qa, assessment=a).status == AssessmentStatus.CLOSED
    assert Capa.objects.get(pk=rejected.pk).status == CapaStatus.PLANNED  # never applied
