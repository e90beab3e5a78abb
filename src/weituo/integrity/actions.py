"""What a ledger entry records: the one list of ledger actions, each with its label.

Every entry's ``action`` is one of these; the audit-trail panels show the label, never the code. A
new kind of entry is added here first (a test fails on an entry whose action is not listed).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    TRANSITION = "transition", _("status changed")
    SIGN = "sign", _("signed")
    SIGN_REFUSED = "sign_refused", _("signature refused")
    RELEASE_REFUSED = "release_refused", _("release refused")
    IMPORT = "import", _("imported")
    REVOKE = "revoke", _("revoked")
    NOTIFY = "notify", _("notified by email")
    NOTIFY_FAILED = "notify_failed", _("email notification failed")
    DEADLINE_REMINDER = "deadline_reminder", _("deadline reminder sent")
    DEADLINE_REMINDER_FAILED = "deadline_reminder_failed", _("deadline reminder failed")
    CHECKPOINT_FAILED = "checkpoint_failed", _("checkpoint failed")
    COMPLIANCE_SCAN = "compliance_scan", _("compliance scan")
    FINDING_OPENED = "finding_opened", _("finding opened")
    FINDING_MET = "finding_met", _("finding met")
    FINDING_REOPENED = "finding_reopened", _("finding reopened")
    FINDING_CHANGED = "finding_changed", _("finding changed")
    FINDING_CLOSED = "finding_closed", _("finding closed")


# The actions that change a record's stored values: the ledger replays them at verification.
CHANGE_ACTIONS = frozenset({LedgerAction.CREATE, LedgerAction.UPDATE, LedgerAction.DELETE, LedgerAction.TRANSITION})


def action_label(action: str) -> str:
    """The label of an action; an action not listed is shown as it is (and a test fails on it)."""
    known = LedgerAction._value2member_map_.get(action)
    return str(known.label) if known is not None else action
