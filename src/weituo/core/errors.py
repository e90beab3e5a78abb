"""One error hierarchy for the whole application.

Every error a user can cause carries a stable code, a message in Chinese and in English, and where it
applies the field (and for imports the sheet and row) it is about, so the web, the API and the
command line can all show the same specific, bilingual message.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ErrorDetail:
    """One specific problem: where it is and why, in both languages."""

    message_zh: str
    message_en: str
    field: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __str__(self) -> str:
        where = " ".join(
            part
            for part in (
                f"[{self.sheet}]" if self.sheet else "",
                f"第{self.row}行/row {self.row}" if self.row is not None else "",
                f"列/column「{self.column}」" if self.column else "",
                f"field {self.field}" if self.field and not self.column else "",
            )
            if part
        )
        text = f"{self.message_zh} / {self.message_en}"
        return f"{where}: {text}" if where else text


@dataclass
class ApplicationError(Exception):
    """Base of every error weituo raises on purpose."""

    code: str
    message_zh: str
    message_en: str
    details: list[ErrorDetail] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.code}: {self.message_zh} / {self.message_en}"
        return "\n".join([head, *(f"  - {d}" for d in self.details)])


class ValidationFailed(ApplicationError):
    """Input was rejected; nothing was written."""


class NotFound(ApplicationError):
    """The record does not exist, or the actor may not see it (the two are never distinguished)."""


class PermissionDenied(ApplicationError):
    """The actor may see the record but their role may not do this to it."""


class InvalidTransition(ApplicationError):
    """A status change that the transition table does not allow."""


class NotAuthenticated(ApplicationError):
    """No credentials, or credentials refused (an invalid, expired or revoked API token)."""


# One refusal, one status, on every face (web pages and the API alike): a state conflict (a
# transition not allowed, a stale copy, a release blocked by what is still open, a batch released
# already) is 409; input refused with nothing written is 422; an act the actor may not do (including
# a refused electronic signature) is 403; a record the actor may not see is 404, never told apart
# from one that does not exist.
STATUS_OF: dict[type[ApplicationError], int] = {
    ValidationFailed: 422,
    NotFound: 404,
    PermissionDenied: 403,
    InvalidTransition: 409,
    NotAuthenticated: 401,
}


def http_status(error: ApplicationError) -> int:
    """The HTTP status every face answers ``error`` with (400 for an error of no listed kind)."""
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400
