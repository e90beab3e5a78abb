"""Django model validation turned into weituo's bilingual error details.

Every message, weituo's own (English msgids in the one catalogue) and Django's built-in ones ("This
field cannot be blank."), is rendered once in each language, so it reaches the user in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import translation

from .errors import ErrorDetail
from .i18n import detail, validation_failed


def bilingual(error: ValidationError, known: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """One validation message as (Chinese, English). ``known`` maps a message Django rendered at
    once (a constraint's, in English) back to its lazy original."""
    message: Any = error.message
    if known and isinstance(message, str) and message in known:
        message = known[message]
    rendered = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            rendered[lang] = str(message % error.params if error.params else message)
    return rendered["zh-hans"], rendered["en"]


def error_details(error: ValidationError, known: Mapping[str, Any] | None = None) -> list[ErrorDetail]:
    """Every message of a ValidationError, with the field it is about."""
    if not hasattr(error, "error_dict"):
        return [ErrorDetail(*bilingual(e, known)) for e in error.error_list]
    details = []
    for name, errors in error.error_dict.items():
        for e in errors:
            zh, en = bilingual(e, known)
            details.append(ErrorDetail(zh, en, field=None if name == NON_FIELD_ERRORS else name))
    return details


def _constraint_messages(model: type[models.Model]) -> dict[str, Any]:
    # Django renders a constraint's violation message to a string when it raises (in the active
    # language), so the message is looked up again by its English text to be shown in both.
    known = {}
    for constraint in model._meta.constraints:
        lazy = constraint.violation_error_message
        if lazy:
            with translation.override("en"):
                known[str(lazy % {"name": constraint.name})] = lazy
    return known


def validate(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """full_clean the instance, raising ValidationFailed (bilingual, per field) instead of Django's error."""
    try:
        with translation.override("en"):  # see _constraint_messages
            instance.full_clean(exclude=exclude)
    except ValidationError as e:
        meta = instance._meta
        known = _constraint_messages(type(instance))
        raise validation_failed(error_details(e, known), what=meta.verbose_name) from None


def required_text(value: str, field: str, message: Any) -> str:
    """``value`` stripped, or ``ValidationFailed`` naming ``field`` with ``message`` (a lazy gettext
    message) when it is blank."""
    if not (value or "").strip():
        raise validation_failed([detail(message, field=field)])
    return value.strip()
