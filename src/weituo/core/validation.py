"""Django model validation turned into weituo's bilingual error details.

weituo's own messages are written "中文 / English"; Django's built-in ones ("This field cannot be
blank.") are rendered once in each language, so every message reaches the user in both.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import translation

from .errors import ErrorDetail, validation_failed


def bilingual(error: ValidationError) -> tuple[str, str]:
    """One validation message as (Chinese, English)."""
    rendered = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            message = error.message % error.params if error.params else error.message
            rendered[lang] = str(message)
    if " / " in rendered["en"]:
        zh, en = rendered["en"].split(" / ", 1)
        return zh, en
    return rendered["zh-hans"], rendered["en"]


def error_details(error: ValidationError) -> list[ErrorDetail]:
    """Every message of a ValidationError, with the field it is about."""
    if not hasattr(error, "error_dict"):
        return [ErrorDetail(*bilingual(e)) for e in error.error_list]
    details = []
    for name, errors in error.error_dict.items():
        for e in errors:
            zh, en = bilingual(e)
            details.append(ErrorDetail(zh, en, field=None if name == NON_FIELD_ERRORS else name))
    return details


def validate(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """full_clean the instance, raising ValidationFailed (bilingual, per field) instead of Django's error."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as e:
        meta = instance._meta
        raise validation_failed(
            error_details(e), what_zh=str(meta.verbose_name), what_en=meta.model_name or "record"
        ) from None


def required_text(value: str, field: str, zh: str, en: str) -> str:
    """``value`` stripped, or ``ValidationFailed`` naming ``field`` when it is blank."""
    if not (value or "").strip():
        raise validation_failed([ErrorDetail(zh, en, field=field)])
    return value.strip()
