"""The action forms of a record's page (an event, a change, an audit, a shared-line assessment or
notice): how a POSTed action is run and how a refusal is shown, the same for every workflow.

An action done goes back to the record's page at the action's anchor. An action refused — the
service raised an ``ApplicationError`` — shows the page again with the bilingual reason and the
details by field, nothing written: 403 refused, 422 bad input, 409 a transition not allowed or a
stale version (``StaleRecord``, which the page marks so the user reloads). ``NotFound`` is not a
refusal: it propagates, so an invisible record is a 404 that leaks nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from weituo.core.errors import ApplicationError, ErrorDetail, NotFound, ValidationFailed, http_status
from weituo.core.i18n import messages
from weituo.core.validation import bilingual
from weituo.integrity.writes import StaleRecord


def status_of(error: ApplicationError) -> int:
    """The HTTP status a page answers a refused action with: the one table, ``core.errors.STATUS_OF``."""
    return http_status(error)


def bad_input(field: str, zh: str, en: str) -> ValidationFailed:
    """A form value the view could not even parse (a missing number, a malformed date), refused like
    a service's validation: 422, nothing written."""
    return ValidationFailed(
        code="validation_failed",
        **messages(gettext_lazy("the input has errors; nothing was written")),
        details=[ErrorDetail(zh, en, field=field)],
    )


def form_details(form: forms.Form, field_names: Mapping[str, tuple[str, str]]) -> list[ErrorDetail]:
    """A form's parse errors as bilingual details naming their field (``field_names``: zh, en)."""
    details = []
    for name, errors in form.errors.as_data().items():
        zh_name, en_name = field_names.get(name, (name, name))
        for e in errors:
            zh, en = bilingual(e)
            details.append(ErrorDetail(f"{zh_name}：{zh}", f"{en_name}: {en}", field=name))
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
