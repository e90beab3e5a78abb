"""Text in a given language, whatever the request speaks: the Chinese and the English halves of a
bilingual record (an error's ``message_zh`` / ``message_en``, a ledger reason) built from one
gettext message or label. Errors carry both languages (the API returns both; a page shows the
reader's), and both come from one English msgid and its Chinese translation in the catalogue."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from .errors import ErrorDetail, NotFound, ValidationFailed


def zh(text: Any) -> str:
    """``text`` (a lazy label, or a callable such as ``obj.get_status_display``) in Chinese."""
    return in_language("zh-hans", text)


def en(text: Any) -> str:
    """``text`` (a lazy label, or a callable such as ``obj.get_status_display``) in English."""
    return in_language("en", text)


def both(message: Any, **params: Any) -> tuple[str, str]:
    """One gettext message (an English msgid, ``%(name)s`` placeholders) as its (Chinese, English) pair.
    A parameter that is itself a lazy label or a callable (``obj.get_status_display``) is rendered in
    each language, so "the change is %(status)s" reads 已批准 in Chinese and approved in English."""
    return in_language("zh-hans", message, params), in_language("en", message, params)


def not_found(what: Any, key: Any) -> NotFound:
    """``what`` (a lazy label: "contract") ``key`` is not there, or not for this actor (never told
    apart); the key, which comes from a URL or a form, is shown bounded."""
    key = bounded(key)
    return NotFound(
        code="not_found",
        **messages(gettext_lazy("%(what)s %(key)s not found"), what=what, key=key),
        details=[detail(gettext_lazy("%(key)s not found"), key=key, field="ref")],
    )


def stored_text(message: Any, **params: Any) -> str:
    """A text stored once for readers of both languages (a ledger entry's reason): "中文 / English",
    from one gettext message."""
    return " / ".join(both(message, **params))


def messages(message: Any, **params: Any) -> dict[str, str]:
    """``message_zh`` and ``message_en`` of an error, from one gettext message."""
    message_zh, message_en = both(message, **params)
    return {"message_zh": message_zh, "message_en": message_en}


def detail(
    message: Any,
    *,
    field: str | None = None,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    **params: Any,
) -> ErrorDetail:
    """One problem (which field, or which sheet, row and column of an import; why) from one gettext
    message, in both languages."""
    message_zh, message_en = both(message, **params)
    return ErrorDetail(message_zh, message_en, field=field, sheet=sheet, row=row, column=column)


def bounded(value: Any, limit: int = 60) -> str:
    """A value the user gave, for a message: at most ``limit`` characters (hostile input is never
    echoed whole), cut with an ellipsis."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def in_language(language: str, message: Any, params: dict[str, Any] | None = None) -> str:
    """``message`` (a lazy label or a callable such as ``obj.get_status_display``) in ``language``,
    with ``params`` interpolated in that language too (a lazy or callable parameter is rendered there)."""
    with translation.override(language):
        text = str(message() if callable(message) else message)
        if not params:
            return text
        return text % {k: (str(v() if callable(v) else v) if _renders(v) else v) for k, v in params.items()}


def _renders(value: Any) -> bool:
    # Numbers keep their type so that %(count)d still formats; labels and callables become text.
    return not isinstance(value, (int, float))


def validation_failed(details: list[ErrorDetail], *, what: Any = None) -> ValidationFailed:
    """Input refused with nothing written: ``what`` (a lazy label: "change", "import") had these problems."""
    what = what if what is not None else gettext_lazy("input")
    message = gettext_lazy("%(what)s has %(count)d error(s); nothing was written")
    params = {"what": what, "count": len(details)}
    return ValidationFailed(
        code="validation_failed",
        message_zh=in_language("zh-hans", message, params),
        message_en=in_language("en", message, params),
        details=details,
    )


def reader_language() -> str:
    """The language text is shown in: English when the active language is English, else Chinese."""
    return "en" if (translation.get_language() or settings.LANGUAGE_CODE).lower().startswith("en") else "zh-hans"


def chinese() -> bool:
    """Whether the active language is Chinese (anything but English)."""
    return reader_language() != "en"


def pick(zh: str, en: str) -> str:
    """Of a text given in both languages, the half in the active language (the other if it is empty)."""
    return (zh or en) if chinese() else (en or zh)


def in_language_of(message: Any) -> str:
    """An error, one of its details or a ledger problem (``message_zh`` / ``message_en``) in the active language."""
    return pick(getattr(message, "message_zh", ""), getattr(message, "message_en", ""))
