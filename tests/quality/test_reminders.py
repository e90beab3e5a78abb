"""Deadline reminders by email (``weituo deadlines remind``): each writer gets one bilingual message
listing what their organisation owes that is overdue or falls due soon; nobody else gets anything,
the other MAH on the shared line never sees the first MAH's items, a dry run sends and writes
nothing, every mail (and every failed one) is in the ledger, and a failing mail server does not stop
the other users' reminders."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command

from weituo.core.calendar import CHINA
from weituo.core.commands import LANGUAGE_VARIABLES
from weituo.integrity.models import LedgerEntry
from weituo.quality import services
from weituo.quality.services.reminders import deadline_reminders_send

from .world import SYSTEM, _user

ROBOT = SYSTEM  # the command uses its own system actor; the service takes any system actor


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


@pytest.fixture
def owed(world, monkeypatch):
    """The CMO raises, on 30 September 2026 10:00, an OOS (24 hours to acknowledge: due 1 October
    10:00) and a minor deviation (1 working day: due 8 October, after the National Day holiday).
    Both are owed by the MAH (ORG-MAH); the CMO, the raiser, owes nothing."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 9, 30, 10).astimezone(dt.UTC))
    oos = services.event_raise(actor=world.cmo_qa, contract=world.contract, category="oos_oot", title="含量 OOS")
    late = services.deviation_raise(
        actor=world.cmo_qa, contract=world.contract, classification="minor", title="灌装偏差"
    )
    monkeypatch.undo()
    mail.outbox.clear()
    return oos, late.event


MAH_WRITERS = {"li.xiaomei@example.cn", "chen.hua@example.cn", "liu.yang@example.cn"}


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_overdue_and_soon_due_are_mailed_to_the_mahs_writers_in_both_languages(world, owed):
    oos, deviation = owed
    summary = deadline_reminders_send(actor=ROBOT, at=at(2026, 10, 8, 6), within=24)
    assert {to for m in mail.outbox for to in m.to} == MAH_WRITERS  # one message each, nobody else
    assert len(mail.outbox) == 3 and summary.count("sent") == 3
    [message] = mails_to("li.xiaomei@example.cn")
    assert "1 项已逾期" in message.subject and "1 overdue, 1 due soon" in message.subject
    chinese, english = message.body.split("————————")  # the mail's Chinese, then its English
    for body, due_soon, overdue_title, kind, due in (
        (chinese, "24 小时内到期：", "已逾期：", "确认质量事件", "截止 2026-10-01 10:00"),
        (english, "Due within 24 hours:", "Overdue:", "acknowledge the event", "due 2026-10-01 10:00"),
    ):
        overdue, soon = body.split(due_soon)
        assert overdue_title in overdue and oos.ref in overdue and "含量 OOS" in overdue
        assert kind in overdue and due in overdue
        assert deviation.ref in soon and "灌装偏差" in soon and "2026-10-08 23:59" in soon
        assert deviation.ref not in overdue and "暂定" not in overdue + soon.split("\n\n")[0]


def test_nothing_due_no_mail_and_what_is_neither_overdue_nor_soon_is_not_listed(world, owed):
    oos, deviation = owed
    summary = deadline_reminders_send(actor=ROBOT, at=at(2026, 9, 30, 11), within=12)
    assert summary.reminders == [] and mail.outbox == []  # the OOS is due in 23 h, the deviation in 8 days
    deadline_reminders_send(actor=ROBOT, at=at(2026, 9, 30, 11), within=24)
    [message] = mails_to("li.xiaomei@example.cn")
    assert oos.ref in message.body and deviation.ref not in message.body and "已逾期" not in message.body


def test_a_viewer_the_raiser_and_the_other_mah_on_the_shared_line_get_nothing(world, owed):
    viewer = _user("qian.view", "钱查阅", "mah_viewer", "ORG-MAH")
    deadline_reminders_send(actor=ROBOT, at=at(2026, 10, 8, 6), within=24)
    assert mails_to(f"{viewer.username}@example.cn") == []  # reads only, owes nothing
    for cmo_or_mah2 in (world.cmo_qa, world.cmo_viewer, world.mah2_qa, world.mah2_qp):
        assert mails_to(f"{cmo_or_mah2.username}@example.cn") == []
    assert mail.outbox and {to for m in mail.outbox for to in m.to} == MAH_WRITERS  # only the first MAH's
    assert {e.object_id for e in LedgerEntry.objects.filter(action="deadline_reminder")} == {
        str(u.pk) for u in User.objects.filter(email__in=MAH_WRITERS)
    }


def test_a_provisional_due_time_says_so(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 12, 31, 9).astimezone(dt.UTC))
    event = services.deviation_raise(actor=world.cmo_qa, contract=world.contract, classification="minor", title="x")
    monkeypatch.undo()
    mail.outbox.clear()
    deadline_reminders_send(actor=ROBOT, at=at(2026, 12, 31, 12), within=48)
    [message] = mails_to("li.xiaomei@example.cn")
    assert event.event.ref in message.body and "2027-01-01 23:59 (暂定)" in message.body
    assert "2027-01-01 23:59 (provisional)" in message.body


def test_each_mail_is_ledgered_and_a_dry_run_sends_and_writes_nothing(world, owed):
    before = LedgerEntry.objects.count()
    summary = deadline_reminders_send(actor=ROBOT, at=at(2026, 10, 8, 6), within=24, dry_run=True)
    assert mail.outbox == [] and LedgerEntry.objects.count() == before
    assert {r.email for r in summary.reminders} == MAH_WRITERS and summary.count("dry_run") == 3

    deadline_reminders_send(actor=ROBOT, at=at(2026, 10, 8, 6), within=24)
    entries = list(LedgerEntry.objects.filter(seq__gt=0).order_by("seq"))[before:]
    assert [e.action for e in entries] == ["deadline_reminder"] * 3
    oos, deviation = owed
    for entry in entries:
        values = json.loads(entry.new)
        assert entry.actor.startswith("system:tests") and entry.object_type.endswith("user")
        assert values["overdue"] == [oos.ref] and values["due_soon"] == [deviation.ref]
        assert values["to"] in MAH_WRITERS and values["within_hours"] == 24
        assert values["run"] == at(2026, 10, 8, 6).astimezone(dt.UTC).isoformat()


def test_a_failing_mail_server_does_not_stop_the_others_and_is_logged_and_ledgered(world, owed, monkeypatch, caplog):
    from django.core.mail import send_mail

    def flaky(subject, body, sender, to, **kwargs):
        if to == ["chen.hua@example.cn"]:
            raise ConnectionRefusedError("smtp down")
        return send_mail(subject, body, sender, to, **kwargs)

    monkeypatch.setattr("weituo.quality.services.reminders.send_mail", flaky)
    summary = deadline_reminders_send(actor=ROBOT, at=at(2026, 10, 8, 6), within=24)
    assert {to for m in mail.outbox for to in m.to} == MAH_WRITERS - {"chen.hua@example.cn"}
    assert (summary.count("sent"), summary.count("failed")) == (2, 1)
    [failed] = LedgerEntry.objects.filter(action="deadline_reminder_failed")
    assert "smtp down" in json.loads(failed.new)["error"]
    assert LedgerEntry.objects.filter(action="deadline_reminder").count() == 2
    assert any(r.levelname == "ERROR" and "chen.hua" in r.getMessage() for r in caplog.records)


def test_only_a_system_job_or_the_platform_admin_sends(world, owed):
    from weituo.core.errors import PermissionDenied, ValidationFailed

    with pytest.raises(PermissionDenied):
        deadline_reminders_send(actor=world.mah_qa, at=at(2026, 10, 8, 6), within=24)
    with pytest.raises(ValidationFailed) as excinfo:
        deadline_reminders_send(actor=ROBOT, at=at(2026, 10, 8, 6), within=0)
    assert excinfo.value.details[0].field == "within"
    assert mail.outbox == [] and not LedgerEntry.objects.filter(action__startswith="deadline_reminder").exists()


@pytest.fixture
def chinese_command_line(monkeypatch):
    """The command speaks Chinese, the site's language, whatever the shell running the tests asks for."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_command_dry_run_prints_who_would_get_what_then_sends(world, owed, chinese_command_line):
    out = io.StringIO()
    before = LedgerEntry.objects.count()
    call_command("deadlines", "remind", "--at", "2026-10-08T06:00", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "dry_run：li.xiaomei <li.xiaomei@example.cn> 逾期 1 项，即将到期 1 项" in text
    assert "3 位用户将收到提醒（试运行" in text and owed[0].ref in text
    assert mail.outbox == [] and LedgerEntry.objects.count() == before
    out = io.StringIO()
    call_command("deadlines", "remind", "--at", "2026-10-08T06:00+08:00", "--within", "24", stdout=out)
    assert "已发送 3 封，失败 0 封" in out.getvalue() and len(mail.outbox) == 3
    [entry] = LedgerEntry.objects.filter(action="deadline_reminder", new__contains="li.xiaomei@example.cn")
    assert entry.actor.startswith("system:deadline reminders")
    with pytest.raises(CommandError, match="--at 应为 ISO 日期时间"):
        call_command("deadlines", "remind", "--at", "next tuesday")


def test_the_command_speaks_english_when_the_environment_asks(world, owed, chinese_command_line):
    chinese_command_line.setenv("LANG", "en_US.UTF-8")
    out = io.StringIO()
    call_command("deadlines", "remind", "--at", "2026-10-08T06:00", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "dry_run: li.xiaomei <li.xiaomei@example.cn> 1 overdue, 1 due soon" in text
    assert "3 would be mailed (dry run: nothing sent or written)" in text
    with pytest.raises(CommandError, match="--at must be an ISO date-time"):
        call_command("deadlines", "remind", "--at", "next tuesday")
