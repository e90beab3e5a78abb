"""When an audit report is due, and whether it is overdue or was late (Notice 2025-134 art. 13).

Art. 13 says only "持有人对受托生产企业完成现场审核工作后，应当及时撰写现场审核报告" — "promptly", with
no number of days. weituo therefore makes the default a named parameter, ``REPORT_DUE_WORKING_DAYS``
(15 Chinese working days after the last day of the audit, counted with the working-day calendar,
the last audit day being day zero), and lets the auditor set another date when conducting the
audit. 15 working days is about three calendar weeks: long enough to write up a multi-day on-site
audit, short enough to stay "prompt"; it is a house default, not a figure from the notice.

A default date that falls in (or counts through) a year whose holiday schedule is not known yet is
*provisional* (counted Monday to Friday): the audit page says so. The flag is computed on read (the
``Audit`` model has no column for it): a due date equal to the default computed today, and counted
through an unknown year, is provisional; a date the auditor chose is a plain date.

A report is *overdue* while it is not written after the end of its due date (China Standard Time),
and *late* once written after that; a late report is accepted and stays visibly late.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from weituo.core.calendar import CHINA, DateAnswer, WorkingCalendar

from .deadlines import end_of_day

REPORT_DUE_WORKING_DAYS = 15


def default_report_due(
    conducted_to: dt.date, calendar: WorkingCalendar, working_days: int = REPORT_DUE_WORKING_DAYS
) -> DateAnswer:
    """The default report due date: ``working_days`` working days after the audit's last day."""
    return calendar.add_working_days(conducted_to, working_days)


def report_due_provisional(audit, calendar: WorkingCalendar) -> bool:
    """Whether the audit's report due date is the default, counted through a year not known yet."""
    if audit.conducted_to is None or audit.report_due_on is None:
        return False
    default = default_report_due(audit.conducted_to, calendar)
    return default.provisional and default.value == audit.report_due_on


def report_overdue(audit, at: dt.datetime | None = None) -> bool:
    """Due, not yet reported, and past the end of the due date."""
    at = at or timezone.now()
    return audit.report_due_on is not None and audit.reported_at is None and end_of_day(audit.report_due_on) < at


def report_late(audit) -> bool:
    """Reported after the end of the due date (accepted, and shown as late)."""
    return reported_late(audit.report_due_on, audit.reported_at)


def reported_late(due_on: dt.date | None, reported_at: dt.datetime | None) -> bool:
    """Whether a report written at ``reported_at`` missed ``due_on`` (China Standard Time)."""
    if due_on is None or reported_at is None:
        return False
    return reported_at.astimezone(CHINA).date() > due_on
