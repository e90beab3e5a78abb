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

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from weituo.core.errors import (
    ApplicationError,
    ErrorDetail,
    http_status,
)
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
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    zh = f"密码错误次数过多，账号已锁定 {minutes} 分钟，签名被拒绝"
    en = f"too many wrong passwords: the account is locked for {minutes} minutes; signature refused"
    return body("signature_locked_out", zh, en, [ErrorDetail(zh, en, field="password")])


def on_application_error(request: HttpRequest, exc: ApplicationError, *, api: NinjaAPI) -> HttpResponse:
    if isinstance(exc, SignatureRefused) and (locked := _locked_out(request)) is not None:
        return _respond(api, request, 403, locked)
    status = http_status(exc)
    return _respond(api, request, status, body(exc.code, exc.message_zh, exc.message_en, list(exc.details)))


# The Chinese of pydantic's error types (its English message is kept as it is).
PYDANTIC_ZH = {
    "missing": "缺少必填项",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "过短",
    "string_too_long": "过长",
    "string_pattern_mismatch": "格式不符",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值（true/false）",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "enum": "不在可选值之内",
    "literal_error": "不在可选值之内",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "整数位数过多",
    "finite_number": "应为有限数值",
    "list_type": "应为列表",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "too_long": "项数过多",
    "too_short": "项数过少",
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
            f"{_field(e.get('loc', ()))}：{PYDANTIC_ZH.get(e.get('type', ''), '无效')}",
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
            f"请求有{len(details)}处错误，未写入任何数据",
            f"the request has {len(details)} error(s); nothing was written",
            details,
        ),
    )


def on_http_error(request: HttpRequest, exc: HttpError, *, api: NinjaAPI) -> HttpResponse:
    if exc.status_code == 401:
        data = body(
            "not_authenticated", "需要登录或提供接口令牌", "authentication required: a session or a Bearer token"
        )
    elif exc.status_code == 400:
        data = body(
            "bad_request", "请求体无法解析（应为 JSON）", "the request body could not be parsed (JSON expected)"
        )
    else:
        data = body("http_error", str(exc), str(exc))
    return _respond(api, request, exc.status_code, data)


def on_http404(request: HttpRequest, exc: Http404, *, api: NinjaAPI) -> HttpResponse:
    return _respond(api, request, 404, body("not_found", "未找到", "not found"))


def on_unhandled(request: HttpRequest, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    reference = uuid.uuid4().hex[:12]
    logger.exception("unhandled error in %s %s (reference %s)", request.method, request.path, reference)
    return _respond(
        api,
        request,
        500,
        body(
            "internal_error",
            f"服务器内部错误，请联系管理员（参考号 {reference}）",
            f"internal server error; please contact the administrator (reference {reference})",
        ),
    )


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API (each replaces ninja's default for its class)."""
    api.add_exception_handler(ApplicationError, partial(on_application_error, api=api))
    api.add_exception_handler(NinjaValidationError, partial(on_request_invalid, api=api))
    api.add_exception_handler(HttpError, partial(on_http_error, api=api))
    api.add_exception_handler(Http404, partial(on_http404, api=api))
    api.add_exception_handler(Exception, partial(on_unhandled, api=api))
