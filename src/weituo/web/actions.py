"""The action forms of a record's page (an event, a change, an audit, a shared-line assessment or
notice): how a POSTed action is run and how a refusal is shown, the same for every workflow.

An action done goes back to the record's page at the action's anchor. An action refused — the
service raised an ``ApplicationError`` — shows the page again with the bilingual reason and the
details by field, nothing written: 403 refused, 422 bad input, 409 a transition not allowed or a
stale version (``StaleRecord``, which the page marks so the user reloads). ``NotFound`` is not a
refusal: it propagates, so an invisible record is a 404 that leaks nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from weituo.core.errors import ApplicationError, ErrorDetail, NotFound, ValidationFailed, http_status
from weituo.core.i18n import detail, en, messages, zh
from weituo.core.validation import bilingual
from weituo.integrity.writes import StaleRecord


def status_of(error: ApplicationError) -> int:
    """The HTTP status a page answers a refused action with: the one table, ``core.errors.STATUS_OF``."""
    return http_status(error)


def bad_input(field: str, message: Any, **params: Any) -> ValidationFailed:
    """A form value the view could not even parse (a missing number, a malformed date), refused like
    a service's validation: 422, nothing written."""
    return ValidationFailed(
        code="validation_failed",
        **messages(gettext_lazy("the input has errors; nothing was written")),
        details=[detail(message, field=field, **params)],
    )


def posted_number(post: Mapping[str, Any], name: str, label: Any = None) -> int:
    """The whole number a form posted as ``name`` (a version, a record's id), or ``bad_input``
    naming the field by ``label`` (a lazy label)."""
    try:
        return int(post.get(name, ""))
    except (TypeError, ValueError):
        raise bad_input(
            name, gettext_lazy("%(field_label)s is missing or not a whole number"), field_label=label or name
        ) from None


def posted_date(
    post: Mapping[str, Any], name: str, label: Any = None, *, required: bool = True, default: dt.date | None = None
) -> dt.date | None:
    """The date a form posted as ``name`` (YYYY-MM-DD): ``default`` when it is blank and one is
    given, ``None`` when blank and not ``required``, else ``bad_input`` naming the field."""
    value = (post.get(name) or "").strip()
    if not value:
        if default is not None:
            return default
        if not required:
            return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise bad_input(
            name, gettext_lazy("%(field_label)s must be a date (YYYY-MM-DD)"), field_label=label or name
        ) from None


def posted_choice(post: Mapping[str, Any], name: str, allowed: tuple[str, ...], label: Any = None) -> str:
    """One of ``allowed`` as posted, or ``bad_input`` asking to choose the field."""
    value = post.get(name, "")
    if value not in allowed:
        raise bad_input(name, gettext_lazy("choose the %(field_label)s"), field_label=label or name)
    return value


def form_details(form: forms.Form, field_names: Mapping[str, Any] | None = None) -> list[ErrorDetail]:
    """A form's parse errors as bilingual details, each led by its field's name: ``field_names``
    (lazy labels) or else the form field's own label."""
    details = []
    for name, errors in form.errors.as_data().items():
        field = form.fields.get(name)
        label = (field_names or {}).get(name) or (field.label if field is not None else None)
        for e in errors:
            zh_text, en_text = bilingual(e)
            if label:
                zh_text, en_text = f"{zh(label)}：{zh_text}", f"{en(label)}: {en_text}"
            details.append(ErrorDetail(zh_text, en_text, field=None if name == NON_FIELD_ERRORS else name))
    return details


def run_action(
    request: HttpRequest,
    *,
    action: str,
    perform: Callable[[], object],
    url_name: str,
    ref: str,
    template: str,
    context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """Run ``perform`` (the service call) for a POST and answer: back to ``url_name`` (``ref``) at
    ``#action``, or ``template`` with ``context()`` and the refusal. A GET only goes back to the page."""
    if request.method != "POST":
        return redirect(url_name, ref)
    try:
        perform()
    except NotFound:
        raise
    except ApplicationError as e:
        page_context = context()
        page_context.update(
            {"error": e, "errors": e.details, "failed_action": action, "stale": isinstance(e, StaleRecord)}
        )
        return render(request, template, page_context, status=status_of(e))
    return redirect(reverse(url_name, args=[ref]) + f"#{action}")
