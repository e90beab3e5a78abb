"""A notification mail about a record, sent after the record's transaction committed, and ledgered.

The quality-event, shared-line notice and transfer-risk notifications all follow one rule: the mail
goes out only once the record is committed (callers register the sending with
``transaction.on_commit``), and a mail server that is down never undoes the record — the ledger says
``notify`` (to whom, how many sent) or ``notify_failed`` (to whom, the error), and the failure is
logged for the operators. Lives in ``integrity`` (beside the ledger) so that both ``contracts`` and
``quality`` can use it.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import translation

from weituo.core.actors import Actor

from .writes import note

# Mail goes to people whose language the platform does not know: every mail in Chinese, then English.
MAIL_LANGUAGES = ("zh-hans", "en")


def render_mail(name: str, context: dict) -> tuple[str, str]:
    """The subject and body of a mail from its templates (``mail/<name>_subject.txt`` and
    ``mail/<name>.txt``, through gettext), rendered in each of ``MAIL_LANGUAGES``: one subject line,
    the Chinese body, then the English one."""
    subjects, bodies = [], []
    for language in MAIL_LANGUAGES:
        with translation.override(language):
            subjects.append(" ".join(render_to_string(f"mail/{name}_subject.txt", context).split()))
            bodies.append(render_to_string(f"mail/{name}.txt", context).strip())
    return f"[weituo] {' / '.join(subjects)}", "\n\n————————\n\n".join(bodies) + "\n"


def notify_ledgered(
    actor: Actor,
    record: Model,
    *,
    to: list[str],
    subject: str,
    body: str,
    logger: logging.Logger,
    what: str,
) -> None:
    """Send ``subject``/``body`` to ``to`` and ledger the outcome on ``record``.

    ``logger`` is the caller's (an operator filters by area); ``what`` names the record in the log
    line ("quality event QE-…").
    """
    try:
        sent = send_mail(subject, body, None, to, fail_silently=False)
        action, values = "notify", {"to": to, "sent": sent}
    except Exception as exc:  # the mail server is down: keep the record, say so in the ledger
        logger.exception("notification of %s failed", what)
        action, values = "notify_failed", {"to": to, "error": f"{type(exc).__name__}: {exc}"[:300]}
    note(actor, record, action, values)
