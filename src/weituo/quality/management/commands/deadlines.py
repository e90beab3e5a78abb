"""``weituo deadlines remind [--at ISO-datetime] [--dry-run] [--within HOURS]``: mail every writer
what their organisations owe that is overdue or falls due soon. Run it from cron once a day (e.g. at
08:00 China Standard Time): each run reminds again of the same items.

Thin: the service ``deadline_reminders_send`` decides, sends and ledgers; this parses and prints.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from weituo.core.actors import system_actor
from weituo.core.errors import ApplicationError
from weituo.quality.services.reminders import SHANGHAI, deadline_reminders_send, reminder_text


def _moment(text: str) -> dt.datetime:
    """An ISO date-time; without an offset it is China Standard Time (what the users read)."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--at 应为 ISO 日期时间，如 2026-10-05T09:00 / --at must be an ISO date-time, e.g. 2026-10-05T09:00: {text!r}"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


class Command(BaseCommand):
    help = "到期提醒 / deadline reminders"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        remind = actions.add_parser("remind", help="邮件提醒逾期与即将到期事项 / mail what is overdue or due soon")
        remind.add_argument("--at", help="以此时刻计算（默认现在；无时区则为北京时间） / compute at (default now)")
        remind.add_argument(
            "--within", type=int, default=24, metavar="HOURS", help="即将到期的时段，小时 / due-soon window, hours"
        )
        remind.add_argument("--dry-run", action="store_true", help="只列出，不发送、不记录 / list only")

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
            raise CommandError(str(e)) from None
        for r in summary.reminders:
            self.stdout.write(
                f"{r.status}: {r.username} <{r.email or '—'}> {len(r.overdue)} overdue, {len(r.due_soon)} due soon"
                + (f" ({r.error})" if r.error else "")
            )
            if summary.dry_run:
                self.stdout.write(reminder_text(r, summary.within_hours)[1])
        self.stdout.write(
            f"到期提醒 deadline reminders at {at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} (Asia/Shanghai), "
            f"within {summary.within_hours} h: {summary.users_checked} users checked, "
            + (
                f"{len(summary.reminders)} would be mailed (dry run: nothing sent or written)"
                if summary.dry_run
                else f"{summary.count('sent')} mailed, {summary.count('failed')} failed, "
                f"{summary.count('no_email')} without an email address"
            )
        )
        if summary.count("failed"):
            raise CommandError(f"{summary.count('failed')} reminder(s) failed to send; see the log and the ledger")
