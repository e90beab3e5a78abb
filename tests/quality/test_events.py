"""Quality events: routed and timed by the quality agreement, acknowledged by the counterparty,
overdue when not, mailed after commit, flagged (never dropped) when the agreement has no row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from weituo.contracts.models import CommissionContract
from weituo.contracts.services import quality_agreement_change_status
from weituo.core.calendar import CHINA, WorkingCalendar
from weituo.core.deadlines import my_deadlines
from weituo.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from weituo.integrity import committed
from weituo.integrity.models import LedgerEntry
from weituo.integrity.verify import verify_all
from weituo.integrity.writes import StaleRecord
from weituo.quality import selectors, services
from weituo.quality.deadlines import due_at
from weituo.quality.models import QualityEvent

from .world import MQA_EMAIL, SYSTEM

pytestmark = pytest.mark.django_db

CATEGORIES = [
    "change",
    "oos_oot",
    "validation",
    "retention_stability",
    "pharmacovigilance",
    "regulatory_inspection",
    "credit_record",
    "complaint",
    "recall",
    "other",
]


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


# --- deadlines ------------------------------------------------------------------------------------


def test_working_days_skip_the_national_day_holiday_and_count_the_adjusted_saturday():
    calendar = WorkingCalendar()
    assert due_at(at(2026, 9, 30, 10), 1, "working_days", calendar) == (at(2026, 10, 8, 23, 59, 59, 999999), False)
    # 8 and 9 October, then Saturday 10 October 2026, an adjusted working day
    assert due_at(at(2026, 9, 30, 10), 3, "working_days", calendar)[0].date() == dt.date(2026, 10, 10)


def test_a_deadline_in_a_year_without_a_known_schedule_is_provisional():
    due, provisional = due_at(at(2026, 12, 31, 9), 1, "working_days", WorkingCalendar())
    assert (due.date(), provisional) == (dt.date(2027, 1, 1), True)


def test_hours_are_added_to_the_raised_time_and_no_limit_gives_no_deadline():
    raised = at(2026, 11, 20, 17, 30)
    assert due_at(raised, 24, "hours", WorkingCalendar()) == (raised + dt.timedelta(hours=24), False)
    assert due_at(raised, None, "", WorkingCalendar()) == (None, False)


# --- routing --------------------------------------------------------------------------------------


def test_an_oos_raised_by_the_cmo_goes_to_the_mah_contact_within_24_hours(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_raise(
            actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="含量 OOS：批 240101"
        )
    assert (event.raised_by_party, event.recipient.ref, event.recipient_contact.ref) == ("cmo", "ORG-MAH", "PER-MQA")
    assert (event.time_limit, event.time_unit, event.channel) == (24, "hours", "email")
    assert event.due_at == event.raised_at + dt.timedelta(hours=24) and not event.flagged
    assert event.agreement.ref == "QA-1" and event.status == "open"
    [message] = mail.outbox
    assert message.to == [MQA_EMAIL] and event.ref in message.subject and "24" in message.body
    assert LedgerEntry.objects.filter(action="notify", object_id=str(event.pk)).exists()


def test_no_mail_leaves_before_the_transaction_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="OOT")
    assert len(committed.other_than_flush(callbacks)) == 1 and mail.outbox == []


def test_an_event_raised_by_the_mah_goes_to_the_cmo_contact_and_to_its_qa_when_the_contact_has_no_email(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deviation = services.deviation_raise(
            actor=world.mah_qa, contract=world.contract, classification="minor", title="标签文字错误"
        )
    event = deviation.event
    assert (event.raised_by_party, event.recipient.ref, event.recipient_contact.ref) == ("mah", "ORG-CMO", "PER-QP")
    assert (event.time_limit, event.time_unit) == (1, "working_days")
    [message] = mail.outbox
    assert sorted(message.to) == ["sun.li@example.cn", "zhao.min@example.cn"]  # the CMO's QA and head of quality


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_can_be_raised_and_one_without_an_agreed_row_is_flagged_not_dropped(
    world, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category=category, title="事项")
    agreed = category == "oos_oot"
    assert event.flagged is not agreed
    assert (event.no_agreed_contact, event.no_agreed_time_limit) == (not agreed, not agreed)
    assert (event.due_at is None) is not agreed
    if not agreed:  # still mailed: to the MAH's QA and head of quality
        assert sorted(mail.outbox[0].to) == ["chen.hua@example.cn", "li.xiaomei@example.cn"]
        deadlines = my_deadlines(actor=world.mah_qa)
        [mine] = [d for d in deadlines if d.event == event]
        assert mine.no_agreed_time_limit and not mine.overdue


def test_without_an_agreement_in_force_the_event_is_raised_and_flagged(world):
    quality_agreement_change_status(actor=SYSTEM, agreement=world.agreement, to="terminated", on=dt.date(2026, 6, 30))
    event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="OOS")
    assert event.agreement is None and event.flagged and event.due_at is None


def test_a_deviation_is_raised_only_with_its_classification(world):
    with pytest.raises(ValueError):
        services.event_raise(actor=world.cmo_qa, contract=world.contract, category="deviation", title="x")
    with pytest.raises(ValidationFailed) as excinfo:
        services.deviation_raise(actor=world.cmo_qa, contract=world.contract, classification="huge", title="x")
    [detail] = excinfo.value.details
    assert detail.field == "classification" and detail.message_zh and "unknown classification" in detail.message_en


def test_who_may_raise(world):
    with pytest.raises(PermissionDenied):  # a viewer reads only
        services.event_raise(actor=world.cmo_viewer, contract=world.contract, category="change", title="x")
    with pytest.raises(NotFound):  # another MAH does not even see the contract
        services.event_raise(actor=world.mah2_qa, contract=world.contract, category="change", title="x")
    with pytest.raises(ValidationFailed) as excinfo:  # the platform acts for either party: it must say which
        services.event_raise(actor=world.admin, contract=world.contract, category="change", title="x")
    assert excinfo.value.details[0].field == "party"
    event = services.event_raise(actor=SYSTEM, contract=world.contract, category="change", title="x", party="cmo")
    assert event.raised_by is None and event.recipient.ref == "ORG-MAH"
    with pytest.raises(PermissionDenied):  # a CMO user cannot raise as the MAH
        services.event_raise(actor=world.cmo_qa, contract=world.contract, category="change", title="x", party="mah")


# --- acknowledgement, overdue, my deadlines -------------------------------------------------------


def test_the_counterparty_acknowledges_once(world):
    event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="OOS")
    with pytest.raises(PermissionDenied) as excinfo:  # not the raising party
        services.event_acknowledge(actor=world.cmo_hoq, event=event)
    assert excinfo.value.code == "not_recipient"
    with pytest.raises(NotFound):
        services.event_acknowledge(actor=world.mah2_qa, event=event)
    with pytest.raises(PermissionDenied):  # a system job is not the counterparty
        services.event_acknowledge(actor=SYSTEM, event=event)
    event = services.event_acknowledge(actor=world.mah_qa, event=event, note="已收到，将评估影响")
    assert (event.status, event.acknowledged_by_id, event.version) == ("acknowledged", world.mah_qa.user_id, 2)
    with pytest.raises(InvalidTransition):
        services.event_acknowledge(actor=world.mah_hoq, event=event)


def test_a_stale_copy_is_refused_and_nothing_is_overwritten(world):
    event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="OOS")
    seen = event.version
    services.event_acknowledge(actor=world.mah_qa, event=event, expected_version=seen)
    with pytest.raises(StaleRecord) as excinfo:
        services.event_close(actor=world.cmo_qa, event=event, conclusion="实验室误差", expected_version=seen)
    assert excinfo.value.code == "stale_record" and excinfo.value.details[0].field == "version"
    assert QualityEvent.objects.get(pk=event.pk).status == "acknowledged"


def test_overdue_and_my_deadlines(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 9, 30, 10).astimezone(dt.UTC))
    late = services.deviation_raise(actor=world.cmo_qa, contract=world.contract, classification="minor", title="A")
    oos = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="B")
    monkeypatch.undo()
    assert late.event.due_at == at(2026, 10, 8, 23, 59, 59, 999999)
    assert oos.due_at == at(2026, 10, 1, 10)

    on_oct_5 = at(2026, 10, 5, 12)
    assert list(selectors.overdue_events(actor=world.mah_qa, at=on_oct_5)) == [oos]
    deadlines = my_deadlines(actor=world.mah_qa, at=on_oct_5)
    assert [(d.kind, d.event, d.overdue, d.time_limit, d.time_unit) for d in deadlines] == [
        ("acknowledge", oos, True, 24, "hours"),
        ("acknowledge", late.event, False, 1, "working_days"),
    ]
    assert my_deadlines(actor=world.cmo_qa, at=on_oct_5) == []  # the raiser owes nothing
    assert my_deadlines(actor=world.mah2_qa, at=on_oct_5) == []
    assert list(selectors.overdue_events(actor=world.inspector_js, at=on_oct_5)) == [oos]  # its province
    assert list(selectors.overdue_events(actor=world.inspector_zj, at=on_oct_5)) == []

    services.event_acknowledge(actor=world.mah_hoq, event=oos)
    assert list(selectors.overdue_events(actor=world.mah_qa, at=on_oct_5)) == []
    assert [d.event for d in my_deadlines(actor=world.mah_qa, at=on_oct_5)] == [late.event]


def test_withdraw_before_acknowledgement_with_a_reason_and_close_after_it(world):
    event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="change", title="x")
    with pytest.raises(ValidationFailed) as excinfo:
        services.event_withdraw(actor=world.cmo_qa, event=event, reason=" ")
    assert excinfo.value.details[0].field == "reason"
    with pytest.raises(PermissionDenied):
        services.event_withdraw(actor=world.mah_qa, event=event, reason="不是我方的")
    with pytest.raises(InvalidTransition):  # not acknowledged yet
        services.event_close(actor=world.cmo_qa, event=event, conclusion="完成")
    services.event_withdraw(actor=world.cmo_qa, event=event, reason="重复登记")
    event.refresh_from_db()
    assert (event.status, event.conclusion) == ("withdrawn", "重复登记")

    other = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="change", title="y")
    services.event_acknowledge(actor=world.mah_qa, event=other)
    with pytest.raises(InvalidTransition):
        services.event_withdraw(actor=world.cmo_qa, event=other, reason="晚了")
    with pytest.raises(PermissionDenied):  # the recipient does not close the raiser's event
        services.event_close(actor=world.mah_qa, event=other, conclusion="完成")
    services.event_close(actor=world.cmo_qa, event=other, conclusion="变更已获持有人批准")
    assert QualityEvent.objects.get(pk=other.pk).status == "closed"


def test_a_failed_mail_keeps_the_event_and_says_so_in_the_ledger(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("weituo.integrity.mail.send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="x")
    entry = LedgerEntry.objects.get(action="notify_failed")
    assert entry.object_id == str(event.pk) and "smtp down" in entry.new
    assert QualityEvent.objects.filter(pk=event.pk).exists()


def test_visibility_of_events(world):
    event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="complaint", title="投诉")
    for actor in (world.cmo_qa, world.mah_qa, world.inspector_js, world.admin):
        assert selectors.event_get(actor=actor, ref=event.ref) == event
    for actor in (world.mah2_qa, world.mah2_qp, world.inspector_zj):
        with pytest.raises(NotFound):
            selectors.event_get(actor=actor, ref=event.ref)
        assert not selectors.event_list(actor=actor).exists()
    assert [e.action for e in selectors.event_trail(actor=world.mah_qa, event=event)] == ["create"]


def test_the_ledger_replays_to_the_events(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="x")
    services.event_acknowledge(actor=world.mah_qa, event=event)
    services.event_close(actor=world.cmo_qa, event=event, conclusion="实验室偏差，复测合格")
    report = verify_all()
    assert report.ok, report.problems
    assert CommissionContract.objects.get(ref="CON-1").quality_events.count() == 1


# --- notifying in time (art. 5, art. 7) ---------------------------------------------------------------


def test_the_time_limit_runs_from_discovery_to_the_notification(world):
    """An OOS found three days ago and raised now was due 24 hours after it was found: the event says
    so, and the compliance scan finds it notified late however fast the MAH acknowledges it."""
    from django.utils import timezone

    from weituo.compliance.services import compliance_scan

    found = timezone.now() - dt.timedelta(days=3)
    event = services.event_raise(
        actor=world.cmo_qa,
        contract=world.contract,
        category="oos_oot",
        title="含量 OOS：批 240101",
        discovered_at=found,
    )
    assert event.discovered_at == found and event.notify_by == found + dt.timedelta(hours=24)
    services.event_acknowledge(actor=world.mah_qa, event=event, note="已收到")
    result = compliance_scan(actor=SYSTEM, as_of=timezone.localdate(), store=False)
    [finding] = [f for f in result.findings if f.rule_id == "134-7.timely-communication"]
    assert str(finding.outcome) == "not_met" and "notified after the agreed time limit" in finding.reason_en


def test_a_discovery_time_in_the_future_is_refused_and_none_means_now(world):
    from django.utils import timezone

    with pytest.raises(ValidationFailed) as excinfo:
        services.event_raise(
            actor=world.cmo_qa,
            contract=world.contract,
            category="oos_oot",
            title="OOS",
            discovered_at=timezone.now() + dt.timedelta(hours=2),
        )
    assert excinfo.value.details[0].field == "discovered_at"
    assert not QualityEvent.objects.exists()
    event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="OOS")
    assert event.discovered_at == event.raised_at and event.notify_by == event.raised_at + dt.timedelta(hours=24)


def test_a_notify_by_counted_without_the_years_holidays_is_kept_provisional(world, monkeypatch):
    from weituo.quality.services import events as event_services

    real = event_services.due_at
    monkeypatch.setattr(event_services, "due_at", lambda *a, **kw: (real(*a, **kw)[0], True))
    event = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="OOS")
    assert event.notify_by is not None and event.notify_by_provisional is True
    assert not event.notified_late  # raised when found: on time
