"""Audit pages (Notice 2025-134 arts. 13, 14): the list of audits of CMOs, planning one, and an audit
with its findings, report (due date, overdue / late, the report file), the CMO's CAPA per finding,
the small forms acting on them and the audit's timeline.

The views parse what was typed and call the quality services, which decide and write; a domain
error re-renders the page with its bilingual message and nothing written. Every action form carries
the version of the record it changes, passed to the service as ``expected_version``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from weituo.core.actors import Actor
from weituo.core.errors import ApplicationError, ErrorDetail, PermissionDenied, ValidationFailed
from weituo.integrity.audited import object_type
from weituo.quality import selectors, services
from weituo.quality.audit_due import REPORT_DUE_WORKING_DAYS
from weituo.quality.choices import AuditMode, AuditStatus, FindingSeverity
from weituo.quality.models import Audit, AuditFinding, Capa
from weituo.quality.selectors.audits import audit_actions, plannable_contracts

from ..actions import bad_input, form_details, posted_date, posted_number, run_action, status_of
from ..files import stored_file_response
from ..forms import TestIds, _choices
from ..shell import page, paginate, query_without_page
from ..trail import timeline

CTX = "audits"  # the msgctxt of this area's strings in the one catalogue (src/weituo/locale)

# Field names as the error messages name them.
FIELD_NAMES: dict[str, Any] = {
    "contract": gettext_lazy("contract"),
    "mode": gettext_lazy("mode"),
    "scope": gettext_lazy("scope"),
    "auditors": gettext_lazy("auditors"),
    "planned_on": gettext_lazy("planned date"),
    "conducted_from": gettext_lazy("first day"),
    "conducted_to": gettext_lazy("last day"),
    "report_due_on": gettext_lazy("report due date"),
    "response_due_on": gettext_lazy("response due date"),
    "due_on": gettext_lazy("due date"),
    "severity": gettext_lazy("severity"),
    "version": gettext_lazy("version"),
    "finding": gettext_lazy("finding"),
    "capa": gettext_lazy("CAPA"),
    "effective": gettext_lazy("effectiveness"),
}


def _number(post: Any, name: str) -> int:
    return posted_number(post, name, FIELD_NAMES.get(name))


def _date(post: Any, name: str, *, required: bool = True) -> dt.date | None:
    return posted_date(post, name, FIELD_NAMES.get(name), required=required)


# --- the list --------------------------------------------------------------------------------------


class AuditFilter(TestIds, forms.Form):
    testid_prefix = "filter"

    status = forms.ChoiceField(label=pgettext_lazy(CTX, "Status"), required=False, choices=[])
    mode = forms.ChoiceField(label=pgettext_lazy(CTX, "Mode"), required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _choices(AuditStatus, "—")
        self.fields["mode"].choices = _choices(AuditMode, "—")
        self._set_testids()


@dataclass
class AuditRow:
    audit: Audit
    state: selectors.ReportState


@page
def audit_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = AuditFilter(request.GET)
    form.is_valid()
    f = form.cleaned_data
    qs = selectors.audit_list(actor=actor, status=f.get("status", ""), mode=f.get("mode", ""))
    page_obj = paginate(request, qs)
    now = timezone.now()
    context = {
        "form": form,
        "page_obj": page_obj,
        "rows": [AuditRow(a, selectors.report_state(audit=a, at=now)) for a in page_obj],
        "query": query_without_page(request),
        "may_plan": plannable_contracts(actor=actor).exists() and actor.can_write,
        "active_nav": "audits",
    }
    return render(request, "web/audits/audit_list.html", context)


# --- planning an audit -----------------------------------------------------------------------------


class AuditPlanForm(TestIds, forms.Form):
    """What a person types to plan an audit. Choices only guide: the service checks every value."""

    testid_prefix = "audit"

    contract = forms.CharField(label=pgettext_lazy(CTX, "Contract"), widget=forms.Select)
    mode = forms.CharField(label=pgettext_lazy(CTX, "Mode"), widget=forms.Select)
    scope = forms.CharField(label=pgettext_lazy(CTX, "Scope"), required=False, widget=forms.Textarea)
    auditors = forms.CharField(label=pgettext_lazy(CTX, "Auditors"), required=False, max_length=300)
    planned_on = forms.DateField(label=pgettext_lazy(CTX, "Planned on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, contracts: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].widget.choices = [
            ("", "—"),
            *((c.ref, f"{c.number} · {c.mah.name} → {c.cmo.name}") for c in contracts),
        ]
        self.fields["mode"].widget.choices = _choices(AuditMode)
        self._set_testids()


@page
def audit_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    contracts = {c.ref: c for c in plannable_contracts(actor=actor)}
    errors: list[ErrorDetail] = []
    error: ApplicationError | None = None
    status = 200
    if request.method == "POST":
        form = AuditPlanForm(request.POST, contracts=list(contracts.values()))
        if form.is_valid():
            data = form.cleaned_data
            try:
                contract = contracts.get(data["contract"])
                if contract is None:
                    raise bad_input(
                        "contract",
                        gettext_lazy("choose a contract whose MAH you act for"),
                    )
                audit = services.audit_plan(
                    actor=actor,
                    contract=contract,
                    mode=data["mode"],
                    scope=data["scope"],
                    auditors=data["auditors"],
                    planned_on=data["planned_on"],
                )
            except (ValidationFailed, PermissionDenied) as e:
                error, errors, status = e, e.details, status_of(e)
            else:
                return redirect("web:audit_detail", audit.ref)
        else:
            errors, status = form_details(form, FIELD_NAMES), 422
    else:
        initial = {"contract": next(iter(contracts)) if len(contracts) == 1 else "", "mode": AuditMode.ON_SITE}
        form = AuditPlanForm(initial=initial, contracts=list(contracts.values()))
    context = {
        "form": form,
        "errors": errors,
        "error": error,
        "has_contracts": bool(contracts),
        "active_nav": "audits",
    }
    return render(request, "web/audits/audit_new.html", context, status=status)


# --- one audit -------------------------------------------------------------------------------------


def _audit_context(actor: Actor, ref: str) -> dict[str, Any]:
    audit = selectors.audit_get(actor=actor, ref=ref)
    findings = list(selectors.finding_list(actor=actor, audit=audit))
    names = {(object_type(Audit), str(audit.pk)): f"{pgettext(CTX, 'Audit')} {audit.ref}"}
    for i, finding in enumerate(findings, 1):
        names[(object_type(AuditFinding), str(finding.pk))] = f"{pgettext(CTX, 'Finding')} {i}"
        for j, capa in enumerate(finding.capa_list, 1):
            names[(object_type(Capa), str(capa.pk))] = f"{pgettext(CTX, 'Finding')} {i} · CAPA {j}"
    return {
        "audit": audit,
        "state": selectors.report_state(audit=audit),
        "findings": findings,
        "actions": audit_actions(actor=actor, audit=audit, findings=findings),
        "close_problems": services.audit_close_problems(audit) if audit.status == AuditStatus.REPORTED else [],
        "timeline": timeline(selectors.audit_trail(actor=actor, audit=audit), actor=actor, names=names),
        "severities": _choices(FindingSeverity),
        "default_due_days": REPORT_DUE_WORKING_DAYS,
        "today": timezone.localdate(),
        "active_nav": "audits",
    }


@page
def audit_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    return render(request, "web/audits/audit_detail.html", _audit_context(actor, ref))


@page
def audit_report_download(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    """The report file, served only to those who may see the audit (never by MEDIA_URL), and only if
    it still matches its recorded SHA-256 (missing: 404; altered: 409)."""
    audit = selectors.audit_get(actor=actor, ref=ref)
    if not audit.report_file:
        raise Http404("this audit has no report file")
    return stored_file_response(
        request, audit.report_file, audit.report_sha256, what=gettext_lazy("audit report"), ref=audit.ref
    )


# --- acting on an audit ----------------------------------------------------------------------------

Handler = Callable[[Actor, Audit, HttpRequest], object]


def _conduct(actor: Actor, audit: Audit, request: HttpRequest) -> object:
    post = request.POST
    return services.audit_conduct(
        actor=actor,
        audit=audit,
        conducted_from=_date(post, "conducted_from"),
        conducted_to=_date(post, "conducted_to"),
        report_due_on=_date(post, "report_due_on", required=False),
        expected_version=_number(post, "version"),
    )


def _cancel(actor: Actor, audit: Audit, request: HttpRequest) -> object:
    post = request.POST
    return services.audit_cancel(
        actor=actor, audit=audit, reason=post.get("reason", ""), expected_version=_number(post, "version")
    )


def _finding_add(actor: Actor, audit: Audit, request: HttpRequest) -> object:
    post = request.POST
    return services.audit_finding_add(
        actor=actor,
        audit=audit,
        severity=post.get("severity", ""),
        description=post.get("description", ""),
        reference=post.get("reference", ""),
        response_due_on=_date(post, "response_due_on"),
        expected_version=_number(post, "version"),
    )


def _report(actor: Actor, audit: Audit, request: HttpRequest) -> object:
    post = request.POST
    return services.audit_report(
        actor=actor,
        audit=audit,
        summary=post.get("summary", ""),
        file=request.FILES.get("file"),
        expected_version=_number(post, "version"),
    )


def _close(actor: Actor, audit: Audit, request: HttpRequest) -> object:
    post = request.POST
    return services.audit_close(
        actor=actor, audit=audit, conclusion=post.get("conclusion", ""), expected_version=_number(post, "version")
    )


def _capa_add(actor: Actor, audit: Audit, request: HttpRequest) -> object:
    post = request.POST
    finding = selectors.finding_get(actor=actor, audit=audit, pk=_number(post, "finding"))
    return services.finding_capa_add(
        actor=actor,
        finding=finding,
        description=post.get("description", ""),
        due_on=_date(post, "due_on"),
        expected_version=_number(post, "version"),
    )


def _capa_implement(actor: Actor, audit: Audit, request: HttpRequest) -> object:
    post = request.POST
    capa = selectors.finding_capa_get(actor=actor, audit=audit, pk=_number(post, "capa"))
    return services.finding_capa_implement(
        actor=actor, capa=capa, note=post.get("note", ""), expected_version=_number(post, "version")
    )


def _capa_check(actor: Actor, audit: Audit, request: HttpRequest) -> object:
    post = request.POST
    capa = selectors.finding_capa_get(actor=actor, audit=audit, pk=_number(post, "capa"))
    effective = post.get("effective", "")
    if effective not in ("yes", "no"):
        raise bad_input("effective", gettext_lazy("choose effective or not effective"))
    return services.finding_capa_check(
        actor=actor,
        capa=capa,
        effective=effective == "yes",
        note=post.get("note", ""),
        expected_version=_number(post, "version"),
    )


ACTIONS: dict[str, Handler] = {
    "conduct": _conduct,
    "cancel": _cancel,
    "finding-add": _finding_add,
    "report": _report,
    "close": _close,
    "capa-add": _capa_add,
    "capa-implement": _capa_implement,
    "capa-check": _capa_check,
}


@page
def audit_act(request: HttpRequest, actor: Actor, ref: str, action: str) -> HttpResponse:
    """One action on an audit (a small form of its page): done, back to the page; refused, the page
    again with the bilingual reason and nothing written."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404("unknown action")
    audit = selectors.audit_get(actor=actor, ref=ref)
    return run_action(
        request,
        action=action,
        perform=partial(handler, actor, audit, request),
        url_name="web:audit_detail",
        ref=audit.ref,
        template="web/audits/audit_detail.html",
        context=partial(_audit_context, actor, ref),
    )
