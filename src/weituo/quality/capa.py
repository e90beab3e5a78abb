"""The two steps every CAPA takes, whichever workflow it answers: reported implemented, then checked.

A CAPA answers a quality event, a shared-line assessment or an audit finding. Who may take each step
differs per workflow (the owner party, the CMO once every MAH approved, the MAH's QA…), so each
workflow's service checks its own permissions and state first, then calls here; the required note,
the transition and the fields it records are the same for all three and live only here.

Callers hold the CAPA locked (``writes.lock``) inside their own ``@transaction.atomic`` service.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.access.parties import user_id
from weituo.core.actors import Actor
from weituo.core.validation import required_text
from weituo.integrity import writes

from .choices import CAPA_TRANSITIONS, CapaStatus
from .models import Capa


def mark_implemented(actor: Actor, capa: Capa, note: str, *, acting_for: int | None, reason: str = "") -> Capa:
    """The CAPA is done: a note of what was done is required; who and when are recorded.
    ``acting_for`` is the organisation that reports it (the ledger entry is for it); ``reason`` goes
    to the ledger entry (e.g. the article the workflow answers)."""
    note = required_text(note, "implementation_note", gettext_lazy("describe what was done"))
    return writes.transition(
        actor,
        capa,
        CAPA_TRANSITIONS,
        CapaStatus.IMPLEMENTED,
        reason=reason,
        acting_for=acting_for,
        implemented_at=timezone.now(),
        implemented_by_id=user_id(actor),
        implementation_note=note,
    )


def mark_checked(actor: Actor, capa: Capa, effective: bool, note: str, *, acting_for: int | None) -> Capa:
    """The implemented CAPA's effectiveness check: effective or not, with its conclusion (required),
    recorded for ``acting_for``, the organisation whose QA checked it."""
    note = required_text(note, "effectiveness_note", gettext_lazy("the check needs its conclusion"))
    return writes.transition(
        actor,
        capa,
        CAPA_TRANSITIONS,
        CapaStatus.EFFECTIVE if effective else CapaStatus.NOT_EFFECTIVE,
        acting_for=acting_for,
        effectiveness_checked_at=timezone.now(),
        effectiveness_checked_by_id=actor.user_id,
        effectiveness_note=note,
    )
