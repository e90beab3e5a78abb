"""``weituo deadlines remind [--at ISO-datetime] [--dry-run] [--within HOURS]``: mail every writer
what their organisations owe that is overdue or falls due soon. Run it from cron once a day (e.g. at
08:00 China Standard Time): each run reminds again of the same items.

Thin: the service ``deadline_reminders_send`` decides, sends and ledgers; this parses and prints.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from weituo.core.actors import system_actor
from weituo.core.calendar import CHINA
from weituo.core.commands import Command as WeituoCommand
from weituo.core.commands import command_error
from weituo.core.errors import ApplicationError
from weituo.quality.services.reminders import deadline_reminders_send, reminder_text


def _moment(text: str) -> dt.datetime:
    """An ISO date-time; without an offset it is China Standard Time (what the users read)."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            gettext("--at must be an ISO date-time, e.g. 2026-10-05T09:00: %(value)s") % {"value": repr(text)}
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=CHINA)


class Command(WeituoCommand):
    help = gettext_lazy("deadline reminders")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        remind = actions.add_parser("remind", help=gettext_lazy("mail what is overdue or due soon"))
        remind.add_argument(
            "--at", help=gettext_lazy("compute at this moment (default now; without a time zone, China time)")
        )
        remind.add_argument(
            "--within", type=int, default=24, metavar="HOURS", help=gettext_lazy("due-soon window, hours")
        )
        remind.add_argument(
            "--dry-run", action="store_true", help=gettext_lazy("list only: send nothing, record nothing")
        )

    def handle(self, *args, action: str, **options):
        at = _moment(options["at"]) if options.get("at") else timezone.now()
        try:
            summary = deadline_reminders_send(
                actor=system_actor("deadline reminders"),
                at=at,
                within=options["within"],
                dry_run=options["dry_run"],
            )
        except ApplicationError as e:
            raise command_error(e) from None
        for r in summary.reminders:  # the status is a code: sent, failed, no_email or dry_run
            self.stdout.write(
                gettext("%(status)s: %(username)s <%(email)s> %(overdue)d overdue, %(due_soon)d due soon")
                % {
                    "status": r.status,
                    "username": r.username,
                    "email": r.email or "—",
                    "overdue": len(r.overdue),
                    "due_soon": len(r.due_soon),
                }
                + (f" ({r.error})" if r.error else "")
            )
            if summary.dry_run:
                self.stdout.write(reminder_text(r, summary.within_hours)[1])
        outcome = (
            gettext("%(count)d would be mailed (dry run: nothing sent or written)") % {"count": len(summary.reminders)}
            if summary.dry_run
            else gettext("%(sent)d mailed, %(failed)d failed, %(no_email)d without an email address")
            % {"sent": summary.count("sent"), "failed": summary.count("failed"), "no_email": summary.count("no_email")}
        )
        self.stdout.write(
            gettext(
                "deadline reminders at %(at)s (Asia/Shanghai), within %(hours)d h: %(users)d users checked, %(outcome)s"
            )
            % {
                "at": f"{at.astimezone(CHINA):%Y-%m-%d %H:%M}",
                "hours": summary.within_hours,
                "users": summary.users_checked,
                "outcome": outcome,
            }
        )
        if summary.count("failed"):
            raise CommandError(
                gettext("%(count)d reminder(s) failed to send; see the log and the ledger")
                % {"count": summary.count("failed")}
            )
