"""Audits of the CMO by the MAH (Notice 2025-134 arts. 13, 14): remote only with electronic data
exchange (and only in part), the report's due date and its overdue / late display, findings and
the CMO's CAPA checked by the MAH before the audit closes, the report file's checks, and isolation
from the other MAH on the shared line."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from weituo.contracts.services import quality_agreement_update
from weituo.core.calendar import CHINA, WorkingCalendar, chinese_calendar_supports
from weituo.core.deadlines import my_deadlines
from weituo.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from weituo.integrity.models import LedgerEntry
from weituo.integrity.verify import verify_all
from weituo.integrity.writes import StaleRecord
from weituo.quality import selectors, services
from weituo.quality.audit_due import REPORT_DUE_WORKING_DAYS, default_report_due
from weituo.quality.models import Audit, AuditFinding, Capa

from .world import SYSTEM, pdf

pytestmark = pytest.mark.django_db

PLANNED = dt.date(2026, 9, 20)
# The last audit day is 1 October 2026, the first day of the National Day holiday (1–8 October, with
# the adjusted working days of 20 September and 10 October): 15 working days later is 27 October.
ENDED = dt.date(2026, 10, 1)
DEFAULT_DUE = dt.date(2026, 10, 27)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


def set_exchange(world, on: bool) -> None:
    quality_agreement_update(
        actor=SYSTEM, agreement=world.agreement, electronic_data_exchange=on, electronic_production_records=on
    )


def plan(world, mode: str = "on_site", actor=None, **overrides) -> Audit:
    values = {"scope": "无菌灌装线 GMP 符合性", "auditors": "李晓梅、陈华", "planned_on": PLANNED, **overrides}
    return services.audit_plan(actor=actor or world.mah_qa, contract=world.contract, mode=mode, **values)


def conducted(world, **overrides) -> Audit:
    audit = plan(world)
    values = {"conducted_from": dt.date(2026, 9, 29), "conducted_to": ENDED, **overrides}
    return services.audit_conduct(actor=world.mah_qa, audit=audit, **values)


def add_finding(world, audit, severity="major") -> AuditFinding:
    return services.audit_finding_add(
        actor=world.mah_qa,
        audit=audit,
        severity=severity,
        description="灌装间压差记录缺少复核签名",
        reference="GMP 附录1 第三十条",
        response_due_on=dt.date(2026, 11, 30),
    )


# --- remote audits (art. 14) ----------------------------------------------------------------------


def test_a_remote_audit_is_refused_without_electronic_data_exchange_and_allowed_with_it(world):
    plan(world)  # an on-site audit: the remote one replaces only part of them
    before = (Audit.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(PermissionDenied) as excinfo:
        plan(world, "remote")
    assert excinfo.value.code == "remote_audit_not_allowed"
    assert "第十四条" in excinfo.value.message_zh and "art. 14" in excinfo.value.message_en
    assert excinfo.value.details[0].field == "mode"
    assert (Audit.objects.count(), LedgerEntry.objects.count()) == before

    set_exchange(world, True)
    remote = plan(world, "remote")
    assert remote.mode == "remote" and remote.status == "planned"
    entry = LedgerEntry.objects.filter(object_id=str(remote.pk), object_type="quality.audit").get()
    assert entry.action == "create" and "第十四条" in entry.reason


def test_a_remote_audit_replaces_only_part_of_the_on_site_audits(world):
    set_exchange(world, True)
    with pytest.raises(PermissionDenied) as excinfo:
        plan(world, "remote")
    assert excinfo.value.code == "remote_audit_replaces_part_only"
    on_site = plan(world)
    services.audit_cancel(actor=world.mah_qa, audit=on_site, reason="计划调整")
    with pytest.raises(PermissionDenied):  # a cancelled on-site audit does not count
        plan(world, "remote")
    plan(world)
    assert plan(world, "remote").mode == "remote"


def test_electronic_data_exchange_is_checked_again_when_the_remote_audit_is_conducted(world):
    plan(world)
    set_exchange(world, True)
    remote = plan(world, "remote")
    set_exchange(world, False)  # the agreement no longer agrees it
    with pytest.raises(PermissionDenied) as excinfo:
        services.audit_conduct(actor=world.mah_qa, audit=remote, conducted_from=ENDED, conducted_to=ENDED)
    assert excinfo.value.code == "remote_audit_not_allowed"
    assert Audit.objects.get(pk=remote.pk).status == "planned"


def test_only_a_writer_of_the_mah_plans_an_audit(world):
    for actor in (world.cmo_qa, world.cmo_hoq):
        with pytest.raises(PermissionDenied):
            plan(world, actor=actor)
    with pytest.raises(NotFound):  # the other MAH on the shared line does not see the contract
        plan(world, actor=world.mah2_qa)
    with pytest.raises(ValidationFailed) as excinfo:
        plan(world, mode="drone")
    assert excinfo.value.details[0].field == "mode"
    with pytest.raises(ValidationFailed) as excinfo:
        plan(world, scope="  ")
    assert excinfo.value.details[0].field == "scope"
    assert not Audit.objects.exists()


# --- the report's due date (art. 13) --------------------------------------------------------------


def test_conducting_sets_the_default_report_due_date_in_working_days(world):
    audit = conducted(world)
    assert (audit.status, audit.report_due_on) == ("conducted", DEFAULT_DUE)
    entry = LedgerEntry.objects.filter(object_type="quality.audit", action="transition").get()
    assert f"{REPORT_DUE_WORKING_DAYS} 个工作日" in entry.reason and "default" in entry.reason


def test_the_auditor_may_set_another_due_date_but_not_before_the_audit_ends(world):
    audit = plan(world)
    with pytest.raises(ValidationFailed) as excinfo:
        services.audit_conduct(
            actor=world.mah_qa,
            audit=audit,
            conducted_from=ENDED,
            conducted_to=ENDED,
            report_due_on=ENDED - dt.timedelta(days=1),
        )
    assert [d.field for d in excinfo.value.details] == ["report_due_on"]
    with pytest.raises(ValidationFailed) as excinfo:  # an audit cannot end in the future
        services.audit_conduct(
            actor=world.mah_qa,
            audit=audit,
            conducted_from=ENDED,
            conducted_to=dt.date.today() + dt.timedelta(days=3),
        )
    assert excinfo.value.details[0].field == "conducted_to"
    assert Audit.objects.get(pk=audit.pk).status == "planned"

    earlier = dt.date(2026, 10, 9)
    audit = services.audit_conduct(
        actor=world.mah_qa, audit=audit, conducted_from=ENDED, conducted_to=ENDED, report_due_on=earlier
    )
    assert audit.report_due_on == earlier
    assert "set by the auditor" in LedgerEntry.objects.filter(action="transition").get().reason


def test_a_report_not_written_by_its_due_date_is_overdue_and_once_written_stays_late(world):
    audit = conducted(world)
    on_oct_27 = at(2026, 10, 27, 18)
    on_oct_28 = at(2026, 10, 28, 9)
    assert not selectors.report_state(audit=audit, at=on_oct_27).overdue  # due until the day ends
    assert selectors.report_state(audit=audit, at=on_oct_28).overdue

    [deadline] = [d for d in my_deadlines(actor=world.mah_qa, at=on_oct_28) if d.kind == "audit_report"]
    assert (deadline.ref, deadline.overdue, deadline.provisional) == (audit.ref, True, False)
    assert deadline.due_at == at(2026, 10, 27, 23, 59, 59, 999999)
    assert not [d for d in my_deadlines(actor=world.cmo_qa, at=on_oct_28) if d.kind == "audit_report"]
    assert my_deadlines(actor=world.mah2_qa, at=on_oct_28) == []

    audit = services.audit_report(actor=world.mah_qa, audit=audit, summary="总体符合，发现 1 项主要缺陷")
    state = selectors.report_state(audit=audit)
    assert (state.late, state.overdue) == (True, False)  # accepted, and visibly late
    assert "late" in LedgerEntry.objects.filter(object_type="quality.audit").latest("seq").reason
    assert not [d for d in my_deadlines(actor=world.mah_qa) if d.kind == "audit_report"]


def test_a_report_on_time_is_not_late(world):
    audit = conducted(world, report_due_on=dt.date.today())
    audit = services.audit_report(actor=world.mah_qa, audit=audit, summary="符合")
    assert not selectors.report_state(audit=audit).late


def test_a_default_due_date_in_a_year_without_a_known_schedule_is_provisional(world, monkeypatch):
    assert not chinese_calendar_supports(2027)  # the premise: the 2027 schedule is not published yet
    answer = default_report_due(dt.date(2026, 12, 28), WorkingCalendar())
    assert answer.provisional and answer.value.year == 2027

    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 12, 28, 17).astimezone(dt.UTC))
    audit = conducted(world, conducted_from=dt.date(2026, 12, 28), conducted_to=dt.date(2026, 12, 28))
    monkeypatch.undo()
    assert audit.report_due_on == answer.value
    assert selectors.report_state(audit=audit).provisional
    [deadline] = [d for d in my_deadlines(actor=world.mah_qa) if d.kind == "audit_report"]
    assert deadline.provisional

    other = conducted(world, report_due_on=dt.date(2027, 1, 20))  # a date the auditor chose is not
    assert not selectors.report_state(audit=other).provisional


# --- findings, CAPA, closing ----------------------------------------------------------------------


def test_the_audit_closes_only_when_every_finding_has_a_capa_checked_effective(world):
    audit = conducted(world)
    with pytest.raises(ValidationFailed) as excinfo:
        services.audit_finding_add(
            actor=world.mah_qa, audit=audit, severity="fatal", description="", response_due_on=ENDED
        )
    assert {d.field for d in excinfo.value.details} == {"severity", "description"}
    with pytest.raises(PermissionDenied):  # the CMO does not record the MAH's findings
        services.audit_finding_add(
            actor=world.cmo_qa, audit=audit, severity="major", description="x", response_due_on=ENDED
        )
    finding = add_finding(world, audit)
    audit = services.audit_report(actor=world.mah_qa, audit=Audit.objects.get(pk=audit.pk), summary="1 项主要缺陷")
    with pytest.raises(InvalidTransition):  # findings are recorded before the report
        add_finding(world, audit)

    def close():
        return services.audit_close(actor=world.mah_hoq, audit=Audit.objects.get(pk=audit.pk), conclusion="整改完成")

    with pytest.raises(ValidationFailed) as excinfo:  # no CAPA at all
        close()
    assert excinfo.value.details[0].field == "findings"

    # the CMO owes a response by the date the MAH set
    on_dec_1 = at(2026, 12, 1, 9)
    [owed] = [d for d in my_deadlines(actor=world.cmo_qa, at=on_dec_1) if d.kind == "finding_response"]
    assert (owed.record, owed.overdue) == (finding, True)
    assert not [d for d in my_deadlines(actor=world.mah_qa, at=on_dec_1) if d.kind == "finding_response"]

    with pytest.raises(PermissionDenied):  # the MAH does not write the CMO's CAPA
        services.finding_capa_add(actor=world.mah_qa, finding=finding, description="x", due_on=ENDED)
    first = services.finding_capa_add(
        actor=world.cmo_qa, finding=finding, description="压差记录增加 QA 复核", due_on=dt.date(2026, 11, 20)
    )
    assert (first.owner_party, first.status, first.finding_id) == ("cmo", "planned", finding.pk)
    with pytest.raises(ValidationFailed):  # planned
        close()
    first = services.finding_capa_implement(actor=world.cmo_qa, capa=first, note="SOP 已修订并培训")
    assert not [d for d in my_deadlines(actor=world.cmo_qa, at=on_dec_1) if d.kind == "finding_response"]
    with pytest.raises(ValidationFailed):  # implemented, not yet checked
        close()
    for actor in (world.cmo_qa, world.cmo_hoq, world.mah_qp):  # only the MAH's QA or head of quality
        with pytest.raises(PermissionDenied):
            services.finding_capa_check(actor=actor, capa=first, effective=True, note="有效")
    services.finding_capa_check(actor=world.mah_qa, capa=first, effective=False, note="抽查仍缺签名")
    with pytest.raises(ValidationFailed):  # not effective
        close()

    second = services.finding_capa_add(
        actor=world.cmo_qa, finding=finding, description="电子记录强制复核", due_on=dt.date(2026, 12, 10)
    )
    services.finding_capa_implement(actor=world.cmo_qa, capa=second, note="系统已上线")
    services.finding_capa_check(actor=world.mah_hoq, capa=second, effective=True, note="连续 4 周记录完整")
    audit = close()
    assert (audit.status, audit.conclusion) == ("closed", "整改完成")
    with pytest.raises(InvalidTransition):  # a closed audit is final
        services.finding_capa_add(actor=world.cmo_qa, finding=finding, description="y", due_on=ENDED)
    actions = [e.action for e in selectors.audit_trail(actor=world.cmo_qa, audit=audit)]
    assert actions.count("transition") >= 7 and actions.count("create") == 4  # audit, finding, 2 CAPA
    report = verify_all()
    assert report.ok, report.problems


def test_an_audit_without_findings_closes_once_reported(world):
    audit = conducted(world)
    with pytest.raises(InvalidTransition):
        services.audit_close(actor=world.mah_qa, audit=audit, conclusion="无缺陷")
    audit = services.audit_report(actor=world.mah_qa, audit=audit, summary="未发现缺陷")
    with pytest.raises(ValidationFailed):
        services.audit_close(actor=world.mah_qa, audit=audit, conclusion=" ")
    assert services.audit_close(actor=world.mah_qa, audit=audit, conclusion="无缺陷").status == "closed"


def test_a_stale_copy_is_refused(world):
    audit = conducted(world)
    seen = audit.version
    add_finding(world, audit)  # the audit counts a new version
    with pytest.raises(StaleRecord):
        services.audit_report(actor=world.mah_qa, audit=audit, summary="符合", expected_version=seen)
    assert Audit.objects.get(pk=audit.pk).status == "conducted"


def test_only_a_planned_audit_is_cancelled_and_with_a_reason(world):
    audit = plan(world)
    with pytest.raises(ValidationFailed):
        services.audit_cancel(actor=world.mah_qa, audit=audit, reason="")
    with pytest.raises(PermissionDenied):
        services.audit_cancel(actor=world.cmo_qa, audit=audit, reason="不便")
    audit = services.audit_cancel(actor=world.mah_qa, audit=audit, reason="受托方停产改造")
    assert (audit.status, audit.conclusion) == ("cancelled", "受托方停产改造")
    with pytest.raises(InvalidTransition):
        services.audit_conduct(actor=world.mah_qa, audit=audit, conducted_from=ENDED, conducted_to=ENDED)
    with pytest.raises(InvalidTransition):
        services.audit_cancel(actor=world.mah_qa, audit=conducted(world), reason="晚了")


# --- the report file ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("report.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        SimpleUploadedFile("report.pdf", b"", content_type="application/pdf"),
    ],
    ids=["wrong type", "empty"],
)
def test_a_bad_report_file_is_refused_with_nothing_written(world, settings, upload):
    audit = conducted(world)
    before = (LedgerEntry.objects.count(), audit.version)
    with pytest.raises(ValidationFailed) as excinfo:
        services.audit_report(actor=world.mah_qa, audit=audit, summary="符合", file=upload)
    assert [d.field for d in excinfo.value.details] == ["file"]
    stored = Audit.objects.get(pk=audit.pk)
    assert (stored.status, stored.report_summary, stored.report_file.name) == ("conducted", "", "")
    assert (LedgerEntry.objects.count(), stored.version) == before
    assert not list(settings.MEDIA_ROOT.rglob("*.*"))  # no file in storage


def test_a_too_large_report_file_is_refused(world, monkeypatch):
    monkeypatch.setattr("weituo.quality.services.audits.REPORT_MAX_BYTES", 10)
    audit = conducted(world)
    with pytest.raises(ValidationFailed) as excinfo:
        services.audit_report(actor=world.mah_qa, audit=audit, summary="符合", file=pdf("r.pdf"))
    assert "too large" in excinfo.value.details[0].message_en


def test_the_report_file_is_stored_with_its_sha256(world):
    content = b"%PDF-1.7 audit report of CON-1"
    audit = services.audit_report(
        actor=world.mah_qa, audit=conducted(world), summary="符合", file=pdf("审核报告.pdf", content)
    )
    audit.refresh_from_db()
    assert audit.report_sha256 == hashlib.sha256(content).hexdigest()
    assert audit.report_file.read() == content
    assert (audit.reported_by_id, audit.status) == (world.mah_qa.user_id, "reported")


# --- isolation ------------------------------------------------------------------------------------


def test_the_other_mah_on_the_shared_line_sees_nothing(world):
    audit = conducted(world)
    finding = add_finding(world, audit)
    capa = services.finding_capa_add(actor=world.cmo_qa, finding=finding, description="整改", due_on=ENDED)
    for actor in (world.cmo_qa, world.mah_qa, world.inspector_js, world.admin):
        assert selectors.audit_get(actor=actor, ref=audit.ref) == audit
        assert list(selectors.finding_list(actor=actor, audit=audit)) == [finding]
    for actor in (world.mah2_qa, world.mah2_qp, world.inspector_zj):
        with pytest.raises(NotFound):
            selectors.audit_get(actor=actor, ref=audit.ref)
        assert not selectors.audit_list(actor=actor).exists()
        assert not [d for d in my_deadlines(actor=actor) if d.kind in ("audit_report", "finding_response")]
        with pytest.raises(NotFound):  # nor may it act on it
            services.audit_report(actor=actor, audit=audit, summary="x")
        with pytest.raises(NotFound):
            services.finding_capa_implement(actor=actor, capa=capa, note="x")
    assert not Capa.objects.filter(finding=finding).exclude(pk=capa.pk).exists()
