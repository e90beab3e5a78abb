"""Change-control pages (Notice 2025-134 art. 9): the list, proposing a change, and a change with
both parties' classifications side by side and the governing one, the MAH's decision, the filing,
the implementation, the art. 11 obligations, the shared-line assessments it started, the actions
the user may take and the timeline.

The views parse what was typed and call the quality services, which decide and write; a domain
error re-renders the page with its bilingual message and nothing written. Every action form
carries the change's ``version``, passed to the service as ``expected_version``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.core.actors import Actor
from weituo.core.errors import ErrorDetail, NotFound, PermissionDenied, ValidationFailed
from weituo.core.i18n import messages
from weituo.integrity.audited import object_type
from weituo.quality import selectors, services
from weituo.quality.choices import ChangeClass, ChangeStatus, FilingStatus, RegulatoryPath, SharedLineTrigger
from weituo.quality.models import Change, RetentionObligation
from weituo.registry.selectors import line_get, product_get

from ..actions import bad_input, posted_date, posted_number, run_action
from ..shell import page, paginate, query_without_page
from ..trail import trail_context

CHANGE_TRIGGERS = [
    SharedLineTrigger.FORMULA_OR_PROCESS_CHANGE,
    SharedLineTrigger.EQUIPMENT_CHANGE,
    SharedLineTrigger.OTHER_MAJOR_CHANGE,
]


def _version(post: Any) -> int:
    return posted_number(post, "version", gettext_lazy("version"))


def _date(post: Any, name: str, default: dt.date | None = None) -> dt.date:
    return posted_date(post, name, gettext_lazy("date"), default=default)  # type: ignore[return-value]


# --- the list -----------------------------------------------------------------------------------------


@page
def change_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ChangeStatus.values else ""
    search = request.GET.get("q", "")[:100].replace("\x00", "")
    qs = selectors.change_list(actor=actor, status=status, search=search)
    context = {
        "page_obj": paginate(request, qs),
        "query": query_without_page(request),
        "status": status,
        "q": search,
        "statuses": ChangeStatus.choices,
        "may_propose": bool(selectors.change_proposal_scopes(actor=actor)),
        "active_nav": "changes",
    }
    return render(request, "web/changes/change_list.html", context)


# --- proposing ------------------------------------------------------------------------------------------


@page
def change_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    scopes = selectors.change_proposal_scopes(actor=actor)
    if not scopes:
        raise PermissionDenied(
            code="not_a_party",
            **messages(
                gettext_lazy("only a writer of the MAH or the CMO of a commission contract may propose a change")
            ),
        )
    errors: list[ErrorDetail] = []
    values: dict[str, Any] = {"trigger": SharedLineTrigger.FORMULA_OR_PROCESS_CHANGE}
    status = 200
    if request.method == "POST":
        post = request.POST
        values = {
            "contract": post.get("contract", ""),
            "products": post.getlist("products"),
            "lines": post.getlist("lines"),
            "title": post.get("title", ""),
            "description": post.get("description", ""),
            "trigger": post.get("trigger", ""),
        }
        by_ref = {s.contract.ref: s for s in scopes}
        try:
            scope = by_ref.get(values["contract"])
            if scope is None:
                raise bad_input("contract", gettext_lazy("choose the contract"))
            change = services.change_propose(
                actor=actor,
                contract=scope.contract,
                products=[product_get(actor=actor, ref=r) for r in values["products"]],
                lines=[line_get(actor=actor, ref=r) for r in values["lines"]],
                title=values["title"],
                description=values["description"],
                trigger=values["trigger"],
            )
        except NotFound as e:
            errors, status = [ErrorDetail(e.message_zh, e.message_en, field="products")], 422
        except ValidationFailed as e:
            errors, status = e.details, 422
        else:
            return redirect("web:change_detail", change.ref)
    context = {
        "scopes": scopes,
        "values": values,
        "errors": errors,
        "triggers": [(t.value, t.label) for t in CHANGE_TRIGGERS],
        "active_nav": "changes",
    }
    return render(request, "web/changes/change_new.html", context, status=status)


# --- a change ----------------------------------------------------------------------------------------------


def _trail_names(change: Change, obligations: list[RetentionObligation]) -> dict[tuple[str, str], str]:
    names = {(object_type(Change), str(change.pk)): change.ref}
    for o in obligations:
        names[(object_type(RetentionObligation), str(o.pk))] = f"{o.batch.number} · {o.get_kind_display()}"
    return names


def _context(actor: Actor, ref: str, *, full_trail: bool = False) -> dict[str, Any]:
    change = selectors.change_get(actor=actor, ref=ref)
    obligations = list(selectors.change_obligations(actor=actor, change=change))
    actions = selectors.change_actions(actor=actor, change=change)
    trail = selectors.change_trail(actor=actor, change=change)
    return {
        "change": change,
        "products": list(selectors.change_products(actor=actor, change=change)),
        "lines": list(selectors.change_lines(actor=actor, change=change)),
        "parties": [
            {
                "party": party,
                "change_class": getattr(change, f"{party}_class"),
                "class_label": ChangeClass(getattr(change, f"{party}_class")).label
                if getattr(change, f"{party}_class")
                else "",
                "path_label": RegulatoryPath(getattr(change, f"{party}_path")).label
                if getattr(change, f"{party}_path")
                else "",
                "rationale": getattr(change, f"{party}_rationale"),
                "by": getattr(change, f"{party}_classified_by"),
                "at": getattr(change, f"{party}_classified_at"),
            }
            for party in ("mah", "cmo")
        ],
        "obligations": obligations,
        "assessments": list(selectors.change_assessments(actor=actor, change=change)),
        "actions": actions,
        "classes": ChangeClass.choices,
        "paths": RegulatoryPath.choices,
        "filing_labels": dict(FilingStatus.choices),
        "problems": services.implementation_problems(change) if change.status == ChangeStatus.APPROVED else [],
        "today": timezone.localdate().isoformat(),
        **trail_context(trail, actor=actor, full=full_trail, names=_trail_names(change, obligations)),
        "show_record": True,
        "active_nav": "changes",
    }


@page
def change_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    return render(
        request, "web/changes/change_detail.html", _context(actor, ref, full_trail=request.GET.get("trail") == "all")
    )


def _classify(actor: Actor, change: Change, post: Any) -> object:
    return services.change_classify(
        actor=actor,
        change=change,
        change_class=post.get("change_class", ""),
        regulatory_path=post.get("regulatory_path", ""),
        rationale=post.get("rationale", ""),
        party=post.get("party") or None,
        expected_version=_version(post),
    )


def _decide(actor: Actor, change: Change, post: Any) -> object:
    decision = post.get("decision", "")
    if decision not in ("approve", "reject"):
        raise bad_input("decision", gettext_lazy("choose approve or reject"))
    return services.change_decide(
        actor=actor,
        change=change,
        approve=decision == "approve",
        note=post.get("note", ""),
        expected_version=_version(post),
    )


def _filing(actor: Actor, change: Change, post: Any) -> object:
    return services.change_filing_record(
        actor=actor,
        change=change,
        to=post.get("to", ""),
        on=_date(post, "on", timezone.localdate()),
        reference=post.get("reference", ""),
        expected_version=_version(post),
    )


def _implement(actor: Actor, change: Change, post: Any) -> object:
    return services.change_implement(
        actor=actor, change=change, on=_date(post, "on"), note=post.get("note", ""), expected_version=_version(post)
    )


def _close(actor: Actor, change: Change, post: Any) -> object:
    return services.change_close(
        actor=actor, change=change, conclusion=post.get("conclusion", ""), expected_version=_version(post)
    )


def _withdraw(actor: Actor, change: Change, post: Any) -> object:
    return services.change_withdraw(
        actor=actor, change=change, reason=post.get("reason", ""), expected_version=_version(post)
    )


ACTIONS: dict[str, Callable[[Actor, Change, Any], object]] = {
    "classify": _classify,
    "decide": _decide,
    "filing": _filing,
    "implement": _implement,
    "close": _close,
    "withdraw": _withdraw,
}


@page
def change_act(request: HttpRequest, actor: Actor, ref: str, action: str) -> HttpResponse:
    """One action on a change (a small form of its page): done, back to the page; refused, the page
    again with the bilingual reason and nothing written."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404("unknown action")
    change = selectors.change_get(actor=actor, ref=ref)
    return run_action(
        request,
        action=action,
        perform=partial(handler, actor, change, request.POST),
        url_name="web:change_detail",
        ref=change.ref,
        template="web/changes/change_detail.html",
        context=partial(_context, actor, ref),
    )
