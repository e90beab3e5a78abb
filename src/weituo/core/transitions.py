"""Status changes through a declared transition table, and nowhere else."""

from __future__ import annotations

from collections.abc import Mapping, Set

from django.utils.translation import gettext_lazy

from weituo.core.i18n import detail, messages

from .errors import InvalidTransition


def check_transition(table: Mapping[str, Set[str]], old: str, new: str, *, field: str = "status") -> None:
    """Raise InvalidTransition unless ``old → new`` is in the table (staying put is always allowed)."""
    if old == new:
        return
    if new not in table.get(old, set()):
        allowed = "、".join(sorted(table.get(old, set()))) or "—"
        raise InvalidTransition(
            code="invalid_transition",
            **messages(
                gettext_lazy("status cannot change from %(old)s to %(new)s (allowed: %(allowed)s)"),
                old=old,
                new=new,
                allowed=allowed,
            ),
            details=[detail(gettext_lazy("transition %(old)s → %(new)s not allowed"), old=old, new=new, field=field)],
        )
