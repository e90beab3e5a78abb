"""Text in a given language, whatever the request speaks: the Chinese and the English halves of a
bilingual record (an error's ``message_zh`` / ``message_en``, a ledger reason) built from one
gettext message or label. Errors carry both languages (the API returns both; a page shows the
reader's), and both come from one English msgid and its Chinese translation in the catalogue."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from .errors import ErrorDetail


def _in(language: str, text: Any) -> str:
    with translation.override(language):
        return str(text() if callable(text) else text)


def zh(text: Any) -> str:
    """``text`` (a lazy label, or a callable such as ``obj.get_status_display``) in Chinese."""
    return _in("zh-hans", text)


def en(text: Any) -> str:
    """``text`` (a lazy label, or a callable such as ``obj.get_status_display``) in English."""
    return _in("en", text)


def both(message: Any, **params: Any) -> tuple[str, str]:
    """One gettext message (an English msgid, ``%(name)s`` placeholders) as its (Chinese, English) pair."""
    return (zh(message) % params if params else zh(message)), (en(message) % params if params else en(message))


def messages(message: Any, **params: Any) -> dict[str, str]:
    """``message_zh`` and ``message_en`` of an error, from one gettext message."""
    message_zh, message_en = both(message, **params)
    return {"message_zh": message_zh, "message_en": message_en}


def detail(message: Any, *, field: str | None = None, **params: Any) -> ErrorDetail:
    """One problem (which field, why) from one gettext message, in both languages."""
    message_zh, message_en = both(message, **params)
    return ErrorDetail(message_zh, message_en, field=field)
