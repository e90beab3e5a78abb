"""Status changes through a declared transition table, and nowhere else."""

from __future__ import annotations

from collections.abc import Mapping, Set

from .errors import ErrorDetail, InvalidTransition


def check_transition(table: Mapping[str, Set[str]], old: str, new: str, *, field: str = "status") -> None:
    """Raise InvalidTransition unless ``old → new`` is in the table (staying put is always allowed)."""
    if old == new:
        return
    if new not in table.get(old, set()):
        allowed = "、".join(sorted(table.get(old, set()))) or "—"
        raise InvalidTransition(
            code="invalid_transition",
            message_zh=f"状态不能从 {old} 变为 {new}（可变为：{allowed}）",
            message_en=f"status cannot change from {old} to {new} (allowed: {allowed})",
            details=[
                ErrorDetail(f"不允许的状态变更 {old} → {new}", f"transition {old} → {new} not allowed", field=field)
            ],
        )
