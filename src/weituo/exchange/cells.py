"""Reading and writing one cell: what a person types into Excel becomes a model value and back.

Import accepts what people actually type (是/否, a choice's Chinese label or its code, 2026/3/1 or
an Excel date); export writes Chinese labels to the workbook and stable codes to JSON.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy

from weituo.core.i18n import bounded, in_language

from .sheets import Column

TRUE = {"是", "true", "1", "y", "yes", "√", "✓", "t"}
FALSE = {"否", "false", "0", "n", "no", "", "f", "×"}

_WHOLE_NUMBER = gettext_lazy("expected a whole number, got '%(raw)s'")


class CellError(ValueError):
    """A cell that cannot be read: why, as one gettext message and its parameters (the import reports
    it at the cell's sheet, row and column, in both languages)."""

    def __init__(self, message: Any, **params: Any) -> None:
        super().__init__(in_language("en", message, params))
        self.message, self.params = message, params


def parse(col: Column, raw: Any, *, nullable: bool) -> Any:
    """The model value of a cell; raises CellError with a bilingual reason."""
    if isinstance(raw, str):
        raw = raw.strip()
    empty = raw is None or raw == ""
    match col.kind:
        case "str":
            if empty:
                return None if nullable else ""
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            return str(raw)
        case "int":
            if empty:
                return None
            try:
                value = Decimal(str(raw))
            except InvalidOperation:
                raise CellError(_WHOLE_NUMBER, raw=bounded(raw)) from None
            if value != value.to_integral_value():
                raise CellError(_WHOLE_NUMBER, raw=bounded(raw))
            return int(value)
        case "decimal":
            if empty:
                return None
            try:
                return Decimal(str(raw).replace(",", ""))
            except InvalidOperation:
                raise CellError(gettext_lazy("expected a number, got '%(raw)s'"), raw=bounded(raw)) from None
        case "date":
            return None if empty else parse_date(raw)
        case "bool":
            if isinstance(raw, bool):
                return raw
            if empty and nullable:  # a yes/no that may be unknown: blank is unknown, not no
                return None
            text = "" if raw is None else str(raw).strip().lower()
            if text in TRUE:
                return True
            if text in FALSE:
                return False
            raise CellError(gettext_lazy("expected yes (是) or no (否), got '%(raw)s'"), raw=bounded(raw))
        case "choice":
            if empty:
                return ""
            return parse_choice(col, str(raw))
        case "fk":
            if empty:
                return None
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            return str(raw)
        case "m2m":
            if empty:
                return []
            if isinstance(raw, list | tuple):
                return [str(v).strip() for v in raw if str(v).strip()]
            return [p.strip() for p in re.split(r"[;；,，\n]", str(raw)) if p.strip()]
    raise AssertionError(f"unknown column kind {col.kind}")


def parse_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise CellError(gettext_lazy("invalid date '%(raw)s' (expected YYYY-MM-DD)"), raw=bounded(raw))


def parse_choice(col: Column, text: str) -> str:
    """A choice by its code, its Chinese label, its English label, or as older exports wrote it
    ("生效 in force": the Chinese label, then the English)."""
    english = dict(col.english)
    for code, label in col.choices:
        if text in (code, label) or text.split(" ", 1)[0] == label or text.lower() == english.get(code, "").lower():
            return code
    allowed = "、".join(label for _, label in col.choices)
    raise CellError(
        gettext_lazy("'%(text)s' is not one of the allowed values (%(allowed)s)"), text=bounded(text), allowed=allowed
    )


def to_cell(col: Column, value: Any) -> Any:
    """The workbook cell of a model value: labels for choices, 是/否 for booleans, ; between refs."""
    if col.kind == "choice":
        return dict(col.choices).get(value, value) if value else None
    if col.kind == "bool":
        return None if value is None else "是" if value else "否"
    if col.kind == "m2m":
        return ";".join(value) if value else None
    if col.kind == "decimal" and value is not None:
        return float(value) if value == value.to_integral_value() or len(str(value)) < 15 else str(value)
    if value == "":
        return None
    return value


def to_json(col: Column, value: Any) -> Any:
    """The JSON value of a model value: stable codes, ISO dates, decimals as strings."""
    if value is None:
        return None
    if col.kind == "date":
        return value.isoformat()
    if col.kind == "decimal":
        return str(value)
    return value
