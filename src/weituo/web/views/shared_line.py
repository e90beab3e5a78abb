"""Shared-line risk assessment pages (Notice 2025-134 art. 8).

The CMO's pages: its assessments (``/shared-line/``), starting one (``/shared-line/new/``) and one
assessment whole (``/shared-line/<ref>/``: every product's findings, every notice with each MAH's
feedback, every CAPA with each MAH's approval, and the actions notify / respond / CAPA / close).

An MAH's pages: its notices (``/shared-line/notices/``) and one notice
(``/shared-line/notices/<ref>/``), built only from ``selectors.notice_view`` — the redacted view that
names no other holder — with its feedback form, the agreement and its CAPA approvals. Its timeline
is ``assessment_trail`` as an MAH reads it (its own notice and the shared parts only).

Views only parse and route: the quality services decide and write; a domain error re-renders the
page with its bilingual message and nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext

from weituo.access.parties import is_qa_in
from weituo.core.actors import Actor
from weituo.core.errors import ApplicationError, NotFound
from weituo.core.roles import Party, Side
from weituo.integrity.audited import object_type
from weituo.quality import services
from weituo.quality.choices import AssessmentStatus, SharedLineTrigger
from weituo.quality.models import Capa, CapaApproval, SharedLineAssessment, SharedLineNotice, SharedLineProductRisk
from weituo.quality.selectors import shared_line as selectors
from weituo.registry.selectors import product_get

from ..actions import bad_input, posted_date, posted_number, run_action, status_of
from ..forms import _choices
from ..shell import page, paginate
from ..trail import trail_context

CTX = "shared_line"  # the msgctxt of this area's strings


# Field names as the error messages name them.
FIELD_NAMES: dict[str, Any] = {
    "version": gettext_lazy("version"),
    "due_on": gettext_lazy("due date"),
    "capa": gettext_lazy("CAPA"),
}


def _number(post: Any, name: str) -> int:
    return posted_number(post, name, FIELD_NAMES.get(name))


def _date(post: Any, name: str) -> dt.date:
    return posted_date(post, name, FIELD_NAMES.get(name))  # type: ignore[return-value]


def _is_mah_only(actor: Actor) -> bool:
    sides = {m.side for m in actor.memberships}
    return Side.MAH in sides and Side.CMO not in sides


def _kinds() -> dict[str, str]:
    """The records of an assessment's timeline, as this page names them."""
    return {
        object_type(SharedLineAssessment): pgettext(CTX, "Assessment"),
        object_type(SharedLineNotice): pgettext(CTX, "Notice"),
        object_type(SharedLineProductRisk): pgettext(CTX, "Findings"),
        object_type(Capa): "CAPA",
        object_type(CapaApproval): pgettext(CTX, "Approvals"),
    }


def _timeline(actor: Actor, entries: list, names: dict[tuple[str, str], str]) -> dict[str, Any]:
    """The trail panel's context, each row naming its record in this area's words (the web app's
    record labels do not know the shared-line records)."""
    context = trail_context(entries, actor=actor, full=True, names=names)
    kinds = _kinds()
    for entry, row in zip(reversed(entries), context["trail"], strict=True):
        row.record = names.get((entry.object_type, entry.object_id)) or kinds.get(entry.object_type) or row.record
    return context


# --- the CMO's pages ---------------------------------------------------------------------------------


@page
def assessment_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    if _is_mah_only(actor):
        return redirect("web:shared_line_notices")
    status = request.GET.get("status", "")
    status = status if status in AssessmentStatus.values else ""
    qs = selectors.assessment_list(actor=actor, status=status)
    context = {
        "page_obj": paginate(request, qs),
        "status": status,
        "statuses": _choices(AssessmentStatus),
        "may_start": selectors.startable_lines(actor=actor).exists() and actor.can_write,
        "active_nav": "shared-line",
    }
    return render(request, "web/shared_line/assessment_list.html", context)


@page
def assessment_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    lines = {line.ref: line for line in selectors.startable_lines(actor=actor)}
    values = {"line": "", "trigger": "", "description": ""}
    error: ApplicationError | None = None
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            line = lines.get(values["line"])
            if line is None:
                raise bad_input("line", gettext_lazy("choose one of your lines"))
            assessment = services.assessment_start(
                actor=actor, line=line, trigger=values["trigger"], description=values["description"]
            )
        except ApplicationError as e:
            error, status = e, status_of(e)
        else:
            return redirect("web:shared_line_detail", assessment.ref)
    context = {
        "lines": list(lines.values()),
        "triggers": _choices(SharedLineTrigger),
        "values": values,
        "error": error,
        "errors": error.details if error else [],
        "active_nav": "shared-line",
    }
    return render(request, "web/shared_line/assessment_new.html", context, status=status)


def _names_for_cmo(view: selectors.AssessmentView) -> dict[tuple[str, str], str]:
    a = view.assessment
    names = {(object_type(SharedLineAssessment), str(a.pk)): f"{pgettext(CTX, 'Assessment')} {a.ref}"}
    for row in view.notices:
        names[(object_type(SharedLineNotice), str(row.notice.pk))] = (
            f"{pgettext(CTX, 'Notice')} → {row.notice.mah.name}"
        )
    for i, c in enumerate(view.capas, 1):
        names[(object_type(Capa), str(c.capa.pk))] = f"CAPA {i}"
        for ap in c.approvals:
            names[(object_type(CapaApproval), str(ap.pk))] = f"CAPA {i} · {ap.mah.name}"
    for row in view.products:
        if row.risk_id is not None:
            names[(object_type(SharedLineProductRisk), str(row.risk_id))] = (
                f"{pgettext(CTX, 'Findings')} · {row.product.name}"
            )
    return names


def _assessment_context(actor: Actor, ref: str) -> dict[str, Any]:
    assessment = selectors.assessment_get(actor=actor, ref=ref)
    view = selectors.assessment_view(actor=actor, assessment=assessment)
    entries = selectors.assessment_trail(actor=actor, assessment=assessment)
    return {
        "view": view,
        "a": assessment,
        "may_act": selectors.conducts(actor=actor, assessment=assessment),
        "today": timezone.localdate(),
        **_timeline(actor, entries, _names_for_cmo(view)),
        "active_nav": "shared-line",
    }


@page
def assessment_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    try:
        context = _assessment_context(actor, ref)
    except NotFound:
        # An MAH notified of it reads its own notice instead (a 404 again if it was not notified).
        selectors.notice_get(actor=actor, ref=ref)
        return redirect("web:shared_line_notice", ref)
    return render(request, "web/shared_line/assessment_detail.html", context)


Handler = Callable[[Actor, SharedLineAssessment, Any], object]


def _notice_of(actor: Actor, assessment: SharedLineAssessment, post: Any) -> SharedLineNotice:
    return selectors.assessment_notice_get(actor=actor, assessment=assessment, notice_id=_number(post, "notice"))


def _capa_of(actor: Actor, assessment: SharedLineAssessment, post: Any) -> Capa:
    return selectors.assessment_capa_get(actor=actor, ref=assessment.ref, capa_id=_number(post, "capa"))


def _risk(actor: Actor, a: SharedLineAssessment, post: Any) -> object:
    try:
        product = product_get(actor=actor, ref=post.get("product", ""))
    except NotFound:
        raise bad_input("product", gettext_lazy("choose a product made on this line")) from None
    return services.assessment_product_risk_set(
        actor=actor, assessment=a, product=product, findings=post.get("findings", "")
    )


def _notify(actor: Actor, a: SharedLineAssessment, post: Any) -> object:
    return services.assessment_notify(
        actor=actor,
        assessment=a,
        conclusion=post.get("conclusion", ""),
        controls=post.get("controls", ""),
        expected_version=_number(post, "version"),
    )


def _respond(actor: Actor, a: SharedLineAssessment, post: Any) -> object:
    return services.notice_respond(
        actor=actor,
        notice=_notice_of(actor, a, post),
        response=post.get("response", ""),
        expected_version=_number(post, "version"),
    )


def _capa_add(actor: Actor, a: SharedLineAssessment, post: Any) -> object:
    return services.assessment_capa_add(
        actor=actor, assessment=a, description=post.get("description", ""), due_on=_date(post, "due_on")
    )


def _capa_implement(actor: Actor, a: SharedLineAssessment, post: Any) -> object:
    return services.assessment_capa_implement(
        actor=actor, capa=_capa_of(actor, a, post), note=post.get("note", ""), expected_version=_number(post, "version")
    )


def _capa_check(actor: Actor, a: SharedLineAssessment, post: Any) -> object:
    if post.get("effective") not in ("yes", "no"):
        raise bad_input("effective", gettext_lazy("choose effective or not effective"))
    return services.assessment_capa_check(
        actor=actor,
        capa=_capa_of(actor, a, post),
        effective=post.get("effective") == "yes",
        note=post.get("note", ""),
        expected_version=_number(post, "version"),
    )


def _close(actor: Actor, a: SharedLineAssessment, post: Any) -> object:
    return services.assessment_close(actor=actor, assessment=a, expected_version=_number(post, "version"))


CMO_ACTIONS: dict[str, Handler] = {
    "risk": _risk,
    "notify": _notify,
    "respond": _respond,
    "capa-add": _capa_add,
    "capa-implement": _capa_implement,
    "capa-check": _capa_check,
    "close": _close,
}


@page
def assessment_act(request: HttpRequest, actor: Actor, ref: str, action: str) -> HttpResponse:
    handler = CMO_ACTIONS.get(action)
    if handler is None:
        raise Http404("unknown action")
    assessment = selectors.assessment_get(actor=actor, ref=ref)
    return run_action(
        request,
        action=action,
        perform=partial(handler, actor, assessment, request.POST),
        url_name="web:shared_line_detail",
        ref=assessment.ref,
        template="web/shared_line/assessment_detail.html",
        context=partial(_assessment_context, actor, ref),
    )


# --- an MAH's pages ----------------------------------------------------------------------------------


@page
def notice_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = selectors.notice_list(actor=actor)
    context = {"page_obj": paginate(request, qs), "active_nav": "shared-line-notices"}
    return render(request, "web/shared_line/notice_list.html", context)


def _notice_context(actor: Actor, ref: str) -> dict[str, Any]:
    notice = selectors.notice_get(actor=actor, ref=ref)
    view = selectors.notice_view(actor=actor, assessment=ref, mah=notice.mah)
    assessment = notice.assessment
    entries = selectors.assessment_trail(actor=actor, assessment=assessment)
    names = {
        (object_type(SharedLineAssessment), str(assessment.pk)): pgettext(CTX, "Assessment"),
        (object_type(SharedLineNotice), str(view.notice_id)): pgettext(CTX, "Our notice"),
    }
    for i, c in enumerate(view.capas, 1):
        names[(object_type(Capa), str(c.id))] = f"CAPA {i}"
    for row in view.own_products:
        if row.risk_id is not None:
            names[(object_type(SharedLineProductRisk), str(row.risk_id))] = (
                f"{pgettext(CTX, 'Findings')} · {row.product.name}"
            )
    return {
        "n": view,
        "may_write": actor.can_write,
        # whether to offer the agreement and the CAPA decisions (the services check again)
        "is_qa": is_qa_in(actor, notice.mah_id, Party.MAH),
        **_timeline(actor, entries, names),
        "active_nav": "shared-line-notices",
    }


@page
def notice_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    return render(request, "web/shared_line/notice_detail.html", _notice_context(actor, ref))


NoticeHandler = Callable[[Actor, SharedLineNotice, Any], object]


def _feedback(actor: Actor, notice: SharedLineNotice, post: Any) -> object:
    return services.notice_feedback(
        actor=actor, notice=notice, feedback=post.get("feedback", ""), expected_version=_number(post, "version")
    )


def _agree(actor: Actor, notice: SharedLineNotice, post: Any) -> object:
    return services.notice_agree(
        actor=actor, notice=notice, note=post.get("note", ""), expected_version=_number(post, "version")
    )


def _capa_decide(actor: Actor, notice: SharedLineNotice, post: Any) -> object:
    capa = selectors.assessment_capa_get(actor=actor, ref=notice.assessment.ref, capa_id=_number(post, "capa"))
    if post.get("decision") not in ("approve", "reject"):
        raise bad_input("decision", gettext_lazy("choose approve or reject"))
    return services.assessment_capa_decide(
        actor=actor, capa=capa, approve=post.get("decision") == "approve", note=post.get("note", ""), mah=notice.mah
    )


MAH_ACTIONS: dict[str, NoticeHandler] = {"feedback": _feedback, "agree": _agree, "capa-decide": _capa_decide}


@page
def notice_act(request: HttpRequest, actor: Actor, ref: str, action: str) -> HttpResponse:
    handler = MAH_ACTIONS.get(action)
    if handler is None:
        raise Http404("unknown action")
    notice = selectors.notice_get(actor=actor, ref=ref)
    return run_action(
        request,
        action=action,
        perform=partial(handler, actor, notice, request.POST),
        url_name="web:shared_line_notice",
        ref=ref,
        template="web/shared_line/notice_detail.html",
        context=partial(_notice_context, actor, ref),
    )
