"""Deadline reminders by email (DESIGN.md: deadlines are computed on read; reminders by a periodic
command, ``weituo deadlines remind``).

For every active user holding a writer role, ``my_deadlines`` says what their organisations owe;
the user gets one message listing what is overdue and what falls due within the next ``within``
hours, in Chinese and in English, due times in China Standard Time. A user with nothing due, and a
viewer (who owes nothing), gets no mail.

Sending is not a GMP data change, but it must be attributable: each mail sent is ledgered as one
``deadline_reminder`` entry on the user's record, naming the run, the address and the refs listed;
a failed send is logged and ledgered (``deadline_reminder_failed``) and the other users' reminders
go on. Each user's mail and its ledger entry are handled on their own, after the mail was tried, so
one failure never undoes another user's record (the run as a whole is not one transaction, on
purpose: a mail once sent cannot be rolled back).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils.translation import gettext_lazy

from weituo.access.parties import refuse
from weituo.accounts.models import Membership
from weituo.accounts.selectors import actor_for_user
from weituo.core.actors import Actor
from weituo.core.calendar import CHINA
from weituo.core.deadlines import Deadline, my_deadlines
from weituo.core.i18n import detail, validation_failed
from weituo.core.roles import WRITER_ROLES
from weituo.integrity import writes
from weituo.integrity.mail import render_mail

logger = logging.getLogger("weituo.quality")


@dataclass
class Reminder:
    """One user's reminder: what they owe, and what became of the mail."""

    username: str
    email: str
    overdue: list[Deadline]
    due_soon: list[Deadline]
    status: str = ""  # sent | failed | no_email | dry_run
    error: str = ""


@dataclass
class ReminderSummary:
    at: dt.datetime
    within_hours: int
    dry_run: bool
    users_checked: int = 0
    reminders: list[Reminder] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.reminders if r.status == status)


def _row(d: Deadline) -> dict:
    assert d.due_at is not None
    due = d.due_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return {"kind_label": d.kind_label_lazy, "ref": d.ref, "title": d.title, "due": due, "provisional": d.provisional}


def reminder_text(reminder: Reminder, within: int) -> tuple[str, str]:
    """The subject and body of a user's reminder (``mail/deadline_reminder*.txt``), Chinese, then English."""
    return render_mail(
        "deadline_reminder",
        {
            "overdue": [_row(d) for d in reminder.overdue],
            "due_soon": [_row(d) for d in reminder.due_soon],
            "within": within,
        },
    )


def _writers() -> list:
    """Active users with an active writer membership (viewers owe nothing, so get nothing)."""
    ids = Membership.objects.filter(active=True, role__in=WRITER_ROLES, user__is_active=True).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))


def _owed(actor: Actor, at: dt.datetime, within: int) -> tuple[list[Deadline], list[Deadline]]:
    horizon = at + dt.timedelta(hours=within)
    owed = [d for d in my_deadlines(actor=actor, at=at) if d.due_at is not None]
    overdue = [d for d in owed if d.overdue]
    soon = [d for d in owed if not d.overdue and d.due_at <= horizon]
    return overdue, soon


def deadline_reminders_send(
    *, actor: Actor, at: dt.datetime, within: int = 24, dry_run: bool = False
) -> ReminderSummary:
    """Mail every writer what is overdue and what falls due within ``within`` hours of ``at``.

    Only a system job or the platform admin runs it. ``dry_run`` says who would get what, and sends
    and writes nothing.
    """
    if not (actor.system or actor.is_platform_admin):
        raise refuse(
            "not_allowed",
            gettext_lazy("only a system job or the platform admin sends deadline reminders"),
        )
    if not 1 <= within <= 24 * 366:
        raise validation_failed([detail(gettext_lazy("within must be 1 to 8784 hours"), field="within")])
    summary = ReminderSummary(at=at, within_hours=within, dry_run=dry_run)
    run = at.astimezone(dt.UTC).isoformat()
    for user in _writers():
        summary.users_checked += 1
        overdue, soon = _owed(actor_for_user(user), at, within)
        if not overdue and not soon:
            continue
        reminder = Reminder(user.get_username(), user.email, overdue, soon)
        summary.reminders.append(reminder)
        if dry_run:
            reminder.status = "dry_run" if user.email else "no_email"
            continue
        if not user.email:
            reminder.status = "no_email"
            logger.warning("deadline reminder for %s not sent: no email address", user.get_username())
            continue
        _send(actor, user, reminder, within, run)
    return summary


def _send(actor: Actor, user, reminder: Reminder, within: int, run: str) -> None:
    subject, body = reminder_text(reminder, within)
    values = {
        "run": run,
        "to": user.email,
        "within_hours": within,
        "overdue": [d.ref for d in reminder.overdue],
        "due_soon": [d.ref for d in reminder.due_soon],
    }
    try:
        send_mail(subject, body, None, [user.email], fail_silently=False)
        reminder.status, action = "sent", "deadline_reminder"
    except Exception as exc:  # the mail server failed for this user: say so, go on with the others
        logger.exception("deadline reminder to %s failed", user.get_username())
        reminder.status, action = "failed", "deadline_reminder_failed"
        reminder.error = f"{type(exc).__name__}: {exc}"[:300]
        values["error"] = reminder.error
    writes.note(actor, user, action, values)
