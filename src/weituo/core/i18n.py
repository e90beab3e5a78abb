"""Text in a given language, whatever the request speaks: the Chinese and the English halves of a
bilingual record (an error's ``message_zh`` / ``message_en``, a ledger reason) built from labels that
go through gettext."""

from __future__ import annotations

from typing import Any

from django.utils import translation


def _in(language: str, text: Any) -> str:
    with translation.override(language):
        return str(text() if callable(text) else text)


def zh(text: Any) -> str:
    """``text`` (a lazy label, or a callable such as ``obj.get_status_display``) in Chinese."""
    return _in("zh-hans", text)


def en(text: Any) -> str:
    """``text`` (a lazy label, or a callable such as ``obj.get_status_display``) in English."""
    return _in("en", text)
