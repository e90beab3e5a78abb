"""The language of weituo's management commands, chosen in one place.

A command speaks its reader's language: Chinese (``settings.LANGUAGE_CODE``) unless the environment
asks for English, read as gettext reads it: the first of ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``
and ``LANG`` that is set decides, and it asks for English when it starts with "en"
(``LANG=en_US.UTF-8 weituo ledger verify``). Every command of weituo derives from ``Command`` here
(or mixes ``ReaderLanguage`` into the Django command it extends), so that its help, its argument
errors, what it prints and the errors it raises all come in that one language: English msgids
through gettext and the zh-Hans catalogue. Machine-readable output (JSON, hashes, refs) is not text
and is not translated.

An error that already carries both languages (an ``ApplicationError`` and its details, a ledger
problem: ``message_zh`` / ``message_en``) is shown in the command's language by ``in_language_of``,
``error_text`` and ``command_error``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext

from .errors import ApplicationError, ErrorDetail
from .i18n import in_language_of

# gettext's order: the first one set wins.
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

F = TypeVar("F", bound=Callable[..., Any])


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The language a command speaks: "en" if the environment asks for English, else the site's."""
    environ = os.environ if environ is None else environ
    for name in LANGUAGE_VARIABLES:
        if value := environ.get(name):
            return "en" if value.lower().startswith("en") else settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


def _in_cli_language(function: F) -> F:
    @wraps(function)
    def speaking(*args: Any, **kwargs: Any) -> Any:
        with translation.override(cli_language()):
            return function(*args, **kwargs)

    return speaking  # type: ignore[return-value]


class ReaderLanguage:
    """Mixin of a management command: parsing its arguments, its help and its run are all in
    ``cli_language()`` (the translation that was active before is restored afterwards)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any):
        with translation.override(cli_language()):
            parser = super().create_parser(prog_name, subcommand, **kwargs)  # type: ignore[misc]
            if parser.description:  # argparse wants a str, not a lazy ``help``
                parser.description = str(parser.description)
        # argparse renders help texts, and the argument types raise their errors, while parsing or
        # printing help, which ``call_command`` and ``weituo help X`` do outside ``execute``.
        parser.parse_args = _in_cli_language(parser.parse_args)
        parser.print_help = _in_cli_language(parser.print_help)
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        with translation.override(cli_language()):
            return super().execute(*args, **options)  # type: ignore[misc]


class Command(ReaderLanguage, BaseCommand):
    """Base of weituo's management commands: they speak the reader's language (see the module)."""


def _where(detail: ErrorDetail) -> str:
    parts = []
    if detail.sheet:
        parts.append(f"[{detail.sheet}]")
    if detail.row is not None:
        parts.append(gettext("row %(row)s") % {"row": detail.row})
    if detail.column:
        parts.append(gettext("column “%(column)s”") % {"column": detail.column})
    elif detail.field:
        parts.append(gettext("field %(field)s") % {"field": detail.field})
    return " ".join(parts)


def error_text(error: ApplicationError) -> str:
    """An application error as a command prints it: its code and message, then each detail (where, why)."""
    lines = [f"{error.code}: {in_language_of(error)}"]
    for detail in error.details:
        where = _where(detail)
        lines.append(f"  - {where}: {in_language_of(detail)}" if where else f"  - {in_language_of(detail)}")
    return "\n".join(lines)


def command_error(error: ApplicationError) -> CommandError:
    """The ``CommandError`` a command raises for an application error, in the command's language."""
    return CommandError(error_text(error))
