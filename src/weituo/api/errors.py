"""One error body for every failure of the REST API, and the handlers that produce it.

Every error response is::

    {"code": "...", "message_zh": "...", "message_en": "...", "field": "..." | null, "details": [...]}

``details`` lists each problem as ``{"message_zh", "message_en", "field"}``; ``field`` at the top is
the field when exactly one problem names it. The status says what kind of failure it was:

======  ==========================================================================================
status  when
======  ==========================================================================================
400     the body is not JSON at all (``bad_request``)
401     no credentials, or a token that is invalid, expired or revoked (``not_authenticated``,
        ``invalid_token``, ``token_expired``, ``token_revoked``); with ``WWW-Authenticate: Bearer``
403     the actor may see the record but may not do this to it (``PermissionDenied``: a viewer role,
        a counterparty's record), a session request without its CSRF token (``csrf_failed``), or an
        electronic signature refused (``SignatureRefused``: wrong password at a release, an inactive
        account — the signer was not confirmed, so the act is not allowed; the refusal is ledgered;
        ``signature_locked_out`` once the failures lock the account, as failed logins do)
404     the record does not exist or the actor may not see it: never told apart (``NotFound``)
409     a status change the transition table does not allow (``InvalidTransition``), including a
        stale copy (``StaleRecord``: ``expected_version`` is not the stored version), a release
        blocked by what is still open (``ReleaseBlocked``) and a batch already released
422     the input was refused, nothing was written: by the request's schema (``invalid_request``,
        ``field`` is where in the request: ``page``, ``name``, ``products.0``) or by the domain
        rules (``ValidationFailed``, ``validation_failed``, ``field`` is the record's field)
500     anything else (``internal_error``): logged with a reference quoted in the message, and
        nothing of the exception shown
======  ==========================================================================================

422 rather than 400 for refused input: the request was understood (it parsed) and its content was
refused, the same status whether the schema or the domain refused it, so a client has one status to
handle for "fix your input"; 400 is kept for a body that could not even be read.
"""

from __future__ import annotations

import logging
import uuid
from functools import partial
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from weituo.accounts.reauth import locked_out_error
from weituo.core.errors import (
    ApplicationError,
    ErrorDetail,
    http_status,
)
from weituo.core.i18n import both, zh
from weituo.integrity.services import SignatureRefused

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("weituo.api")


class ErrorDetailOut(Schema):
    message_zh: str
    message_en: str
    field: str | None = None


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str
    field: str | None = None
    details: list[ErrorDetailOut] = []


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error part of an operation's ``response`` mapping, for its OpenAPI description."""
    return dict.fromkeys(codes, ErrorOut)


def body(code: str, zh: str, en: str, details: list[ErrorDetail] | None = None) -> dict[str, Any]:
    """The JSON of an error: its code, message in both languages, the one field it is about, details."""
    details = details or []
    fields = {d.field for d in details}
    return {
        "code": code,
        "message_zh": zh,
        "message_en": en,
        "field": details[0].field if len(details) == 1 or len(fields) == 1 else None,
        "details": [{"message_zh": d.message_zh, "message_en": d.message_en, "field": d.field} for d in details],
    }


def _respond(api: NinjaAPI, request: HttpRequest, status: int, data: dict[str, Any]) -> HttpResponse:
    response = api.create_response(request, data, status=status)
    if status == 401:
        # RFC 6750 §3: say which scheme to use, and why a presented token failed.
        bad = data["code"] if data["code"] != "not_authenticated" else ""
        response["WWW-Authenticate"] = 'Bearer realm="weituo"' + (', error="invalid_token"' if bad else "")
    return response


def _locked_out(request: HttpRequest) -> HttpResponse | None:
    """The signer's account was locked by django-axes during this request (too many wrong passwords
    at signing, counted with the failed logins): say so in the API's own body, and keep axes'
    middleware from replacing this JSON answer with its plain-text 429 page."""
    if not getattr(request, "axes_locked_out", False):
        return None
    request.axes_locked_out = False  # type: ignore[attr-defined]
    error = locked_out_error()
    return body(error.code, error.message_zh, error.message_en, [*error.details])


def on_application_error(request: HttpRequest, exc: ApplicationError, *, api: NinjaAPI) -> HttpResponse:
    if isinstance(exc, SignatureRefused) and (locked := _locked_out(request)) is not None:
        return _respond(api, request, 403, locked)
    status = http_status(exc)
    return _respond(api, request, status, body(exc.code, exc.message_zh, exc.message_en, list(exc.details)))


# pydantic's error types in weituo's words (its own English message is kept as it is in the English half).
PYDANTIC_ZH = {
    "missing": gettext_lazy("required"),
    "extra_forbidden": gettext_lazy("field not allowed"),
    "string_type": gettext_lazy("must be a string"),
    "string_too_short": gettext_lazy("too short"),
    "string_too_long": gettext_lazy("too long"),
    "string_pattern_mismatch": gettext_lazy("wrong format"),
    "int_type": gettext_lazy("must be an integer"),
    "int_parsing": gettext_lazy("must be an integer"),
    "int_from_float": gettext_lazy("must be an integer"),
    "bool_type": gettext_lazy("must be a boolean"),
    "bool_parsing": gettext_lazy("must be a boolean (true/false)"),
    "greater_than_equal": gettext_lazy("too small"),
    "greater_than": gettext_lazy("too small"),
    "less_than_equal": gettext_lazy("too large"),
    "less_than": gettext_lazy("too large"),
    "enum": gettext_lazy("not one of the allowed values"),
    "literal_error": gettext_lazy("not one of the allowed values"),
    "date_type": gettext_lazy("must be a date (YYYY-MM-DD)"),
    "date_parsing": gettext_lazy("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": gettext_lazy("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": gettext_lazy("must be a date (YYYY-MM-DD)"),
    "decimal_type": gettext_lazy("must be a number"),
    "decimal_parsing": gettext_lazy("must be a number"),
    "decimal_max_digits": gettext_lazy("too many digits"),
    "decimal_max_places": gettext_lazy("too many decimal places"),
    "decimal_whole_digits": gettext_lazy("too many whole digits"),
    "finite_number": gettext_lazy("must be a finite number"),
    "list_type": gettext_lazy("must be a list"),
    "model_type": gettext_lazy("must be an object"),
    "model_attributes_type": gettext_lazy("must be an object"),
    "dict_type": gettext_lazy("must be an object"),
    "json_invalid": gettext_lazy("not valid JSON"),
    "too_long": gettext_lazy("too many items"),
    "too_short": gettext_lazy("too few items"),
}


def _field(loc: tuple | list) -> str:
    """Where in the request: ``page`` (query), ``name`` (body), ``products.0`` — the body parameter's
    own name, which is the server's business, left out."""
    source, *rest = [str(part) for part in loc] or ["request"]
    if source == "body":
        rest = rest[1:]
    return ".".join(rest) or source


def on_request_invalid(request: HttpRequest, exc: NinjaValidationError, *, api: NinjaAPI) -> HttpResponse:
    details = [
        ErrorDetail(
            f"{_field(e.get('loc', ()))}：{zh(PYDANTIC_ZH.get(e.get('type', ''), gettext_lazy('invalid')))}",
            str(e.get("msg", "invalid")),
            field=_field(e.get("loc", ())),
        )
        for e in exc.errors
    ]
    return _respond(
        api,
        request,
        422,
        body(
            "invalid_request",
            *both(gettext_lazy("the request has %(count)d error(s); nothing was written"), count=len(details)),
            details,
        ),
    )


def on_http_error(request: HttpRequest, exc: HttpError, *, api: NinjaAPI) -> HttpResponse:
    if exc.status_code == 401:
        data = body("not_authenticated", *both(gettext_lazy("authentication required: a session or a Bearer token")))
    elif exc.status_code == 400:
        data = body("bad_request", *both(gettext_lazy("the request body could not be parsed (JSON expected)")))
    else:
        data = body("http_error", str(exc), str(exc))
    return _respond(api, request, exc.status_code, data)


def on_http404(request: HttpRequest, exc: Http404, *, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, 404, body("not_found", *both(gettext_lazy("not found"))))


def on_unhandled(request: HttpRequest, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    reference = uuid.uuid4().hex[:12]
    logger.exception("unhandled error in %s %s (reference %s)", request.method, request.path, reference)
    return _respond(
        api,
        request,
        500,
        body(
            "internal_error",
            *both(
                gettext_lazy("internal server error; please contact the administrator (reference %(reference)s)"),
                reference=reference,
            ),
        ),
    )


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API (each replaces ninja's default for its class)."""
    api.add_exception_handler(ApplicationError, partial(on_application_error, api=api))
    api.add_exception_handler(NinjaValidationError, partial(on_request_invalid, api=api))
    api.add_exception_handler(HttpError, partial(on_http_error, api=api))
    api.add_exception_handler(Http404, partial(on_http404, api=api))
    api.add_exception_handler(Exception, partial(on_unhandled, api=api))
