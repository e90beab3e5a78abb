"""Quality-event pages: the list, raising an event, an event with its deviation, reclassifications,
CAPA, retention obligations and timeline, the small forms acting on them, and "my deadlines".

The views parse what was typed and call the quality services, which decide and write; a domain
error (refused input, a refusal, a transition not allowed, a stale version) re-renders the page
with its bilingual message and nothing written. Every action form carries the version of the record
it changes, passed to the service as ``expected_version``.
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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from weituo.batches.selectors import batch_get, batch_list
from weituo.compliance.selectors import FINDING_KIND
from weituo.contracts.selectors import contract_list
from weituo.core.actors import Actor
from weituo.core.deadlines import Deadline, my_deadlines
from weituo.core.errors import ApplicationError, ErrorDetail, NotFound, PermissionDenied, ValidationFailed, http_status
from weituo.core.i18n import bounded
from weituo.core.roles import Party
from weituo.integrity.audited import object_type
from weituo.quality import selectors, services
from weituo.quality.choices import Classification, EventCategory, EventStatus
from weituo.quality.models import Capa, Deviation, QualityEvent, Reclassification, RetentionObligation
from weituo.quality.selectors.event_actions import (
    capa_get,
    event_actions,
    raisable_contracts,
    reclassification_get,
    retention_obligation_get,
    writes_for_both,
)

from ..actions import bad_input, form_details, posted_choice, posted_date, posted_number, run_action
from ..forms import TestIds, _choices
from ..shell import page, paginate, query_without_page
from ..trail import timeline
from .compliance import finding_url

CTX = "events"  # the msgctxt of this area's strings in the one catalogue (src/weituo/locale)

# Field names as the error messages name them.
FIELD_NAMES: dict[str, Any] = {
    "contract": gettext_lazy("contract"),
    "category": gettext_lazy("category"),
    "title": gettext_lazy("title"),
    "description": gettext_lazy("description"),
    "batch": gettext_lazy("batch"),
    "classification": gettext_lazy("classification"),
    "party": gettext_lazy("party"),
    "version": gettext_lazy("version"),
    "due_on": gettext_lazy("due date"),
    "owner_party": gettext_lazy("owner party"),
    "to_classification": gettext_lazy("new classification"),
    "decision": gettext_lazy("decision"),
    "effective": gettext_lazy("effectiveness"),
}


# --- the list --------------------------------------------------------------------------------------


class EventFilter(TestIds, forms.Form):
    testid_prefix = "filter"

    category = forms.ChoiceField(label=pgettext_lazy(CTX, "Category"), required=False, choices=[])
    status = forms.ChoiceField(label=pgettext_lazy(CTX, "Status"), required=False, choices=[])
    contract = forms.ChoiceField(label=pgettext_lazy(CTX, "Contract"), required=False, choices=[])
    overdue = forms.BooleanField(label=pgettext_lazy(CTX, "Overdue only"), required=False)

    def __init__(self, *args: Any, contracts: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(EventCategory, "—")
        self.fields["status"].choices = _choices(EventStatus, "—")
        self.fields["contract"].choices = [("", "—"), *((c.ref, c.number) for c in contracts)]
        self._set_testids()


@page
def event_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    contracts = list(contract_list(actor=actor))
    form = EventFilter(request.GET, contracts=contracts)
    form.is_valid()
    f = form.cleaned_data  # the valid filters; an invalid one is ignored
    by_ref = {c.ref: c for c in contracts}
    now = timezone.now()
    qs = selectors.event_list(
        actor=actor,
        category=f.get("category", ""),
        status=f.get("status", ""),
        contract=by_ref.get(f.get("contract", "")),
        overdue=True if f.get("overdue") else None,
        at=now,
    ).select_related("contract__mah", "contract__cmo")
    context = {
        "form": form,
        "page_obj": paginate(request, qs),
        "query": query_without_page(request),
        "now": now,
        "may_raise": raisable_contracts(actor=actor).exists(),
        "active_nav": "events",
    }
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "web/events/_event_table.html", context)
    return render(request, "web/events/event_list.html", context)


# --- raising an event -------------------------------------------------------------------------------


class EventRaiseForm(TestIds, forms.Form):
    """What a person types to raise an event. Choices only guide: the services check every value."""

    testid_prefix = "event"

    contract = forms.CharField(label=pgettext_lazy(CTX, "Contract"), widget=forms.Select)
    category = forms.CharField(label=pgettext_lazy(CTX, "Category"), widget=forms.Select)
    classification = forms.CharField(
        label=pgettext_lazy(CTX, "Classification (deviations)"), required=False, widget=forms.Select
    )
    title = forms.CharField(label=pgettext_lazy(CTX, "Title"), required=False, max_length=200)
    description = forms.CharField(label=pgettext_lazy(CTX, "Description"), required=False, widget=forms.Textarea)
    batch = forms.CharField(label=pgettext_lazy(CTX, "Batch (optional)"), required=False, widget=forms.Select)
    # Beijing time as typed (the services read a time without a zone as Beijing time); blank: now.
    discovered_at = forms.DateTimeField(
        label=pgettext_lazy(CTX, "Found at (blank: now)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    party = forms.CharField(label=pgettext_lazy(CTX, "Acting for"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, contracts: list, batches: list, name_party: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].widget.choices = [
            ("", "—"),
            *((c.ref, f"{c.number} · {c.mah.name} → {c.cmo.name}") for c in contracts),
        ]
        self.fields["category"].widget.choices = _choices(EventCategory, "—")
        self.fields["classification"].widget.choices = _choices(Classification, "—")
        self.fields["batch"].widget.choices = [("", "—"), *((b.ref, f"{b.number} · {b.product.name}") for b in batches)]
        if name_party:
            self.fields["party"].widget.choices = _choices(Party, "—")
        else:
            del self.fields["party"]
        # Choosing another contract reloads the form, so that the batch list is that contract's.
        self.fields["contract"].widget.attrs.update(
            {
                "hx-get": reverse("web:event_new"),
                "hx-target": "#event-raise-form",
                "hx-select": "#event-raise-form",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
            }
        )
        self._set_testids()


def _raise(actor: Actor, contracts: dict[str, Any], data: dict[str, Any]) -> QualityEvent:
    """Raise the event the form describes; a value that names nothing visible is refused input."""
    contract = contracts.get(data["contract"])
    if contract is None:
        raise bad_input("contract", gettext_lazy("choose a contract you act for a party of"))
    batch = None
    if data.get("batch"):
        try:
            batch = batch_get(actor=actor, ref=data["batch"])
        except NotFound:
            raise bad_input("batch", gettext_lazy("no batch %(batch)s"), batch=bounded(data["batch"])) from None
    common = {
        "actor": actor,
        "contract": contract,
        "title": data.get("title", ""),
        "description": data.get("description", ""),
        "batch": batch,
        "party": data.get("party") or None,
        # TIME_ZONE is Beijing time: the form's value is the moment the person typed, in China
        "discovered_at": data.get("discovered_at"),
    }
    if data["category"] == EventCategory.DEVIATION:
        return services.deviation_raise(classification=data.get("classification", ""), **common).event
    return services.event_raise(category=data["category"], **common)


@page
def event_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    contracts = {c.ref: c for c in raisable_contracts(actor=actor)}
    source = request.POST if request.method == "POST" else request.GET
    chosen = contracts.get(source.get("contract", ""))
    if chosen is None and len(contracts) == 1:
        chosen = next(iter(contracts.values()))
    batches = list(batch_list(actor=actor, contract=chosen)) if chosen is not None else []
    kwargs = {"contracts": list(contracts.values()), "batches": batches, "name_party": writes_for_both(actor=actor)}
    errors: list[ErrorDetail] = []
    error: ApplicationError | None = None
    status = 200
    if request.method == "POST":
        form = EventRaiseForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                event = _raise(actor, contracts, form.cleaned_data)
            except (ValidationFailed, PermissionDenied, NotFound) as e:
                error, errors = e, e.details
                status = http_status(e)
            else:
                return redirect("web:event_detail", event.ref)
        else:
            errors = form_details(form, FIELD_NAMES)
            status = 422
    else:
        form = EventRaiseForm(initial={"contract": chosen.ref if chosen else "", **source.dict()}, **kwargs)
    context = {
        "form": form,
        "errors": errors,
        "error": error,
        "field_errors": _by_field(errors),
        "has_contracts": bool(contracts),
        "active_nav": "events",
    }
    return render(request, "web/events/event_new.html", context, status=status)


def _by_field(errors: list[ErrorDetail]) -> dict[str, list[ErrorDetail]]:
    out: dict[str, list[ErrorDetail]] = {}
    for d in errors:
        out.setdefault(d.field or "", []).append(d)
    return out


# --- one event --------------------------------------------------------------------------------------


def _record_names(
    event: QualityEvent,
    deviation: Deviation | None,
    capas: list[Capa],
    reclassifications: list[Reclassification],
    obligations: list[RetentionObligation],
) -> dict[tuple[str, str], str]:
    """How the timeline names each record of the event's story."""
    names = {(object_type(QualityEvent), str(event.pk)): f"{pgettext(CTX, 'Event')} {event.ref}"}
    if deviation is not None:
        names[(object_type(Deviation), str(deviation.pk))] = pgettext(CTX, "Deviation")
    for i, c in enumerate(capas, 1):
        names[(object_type(Capa), str(c.pk))] = f"CAPA {i}"
    for i, r in enumerate(reclassifications, 1):
        names[(object_type(Reclassification), str(r.pk))] = f"{pgettext(CTX, 'Reclassification')} {i}"
    for o in obligations:
        names[(object_type(RetentionObligation), str(o.pk))] = f"{o.get_kind_display()!s} · {o.get_party_display()!s}"
    return names


def _event_context(actor: Actor, ref: str) -> dict[str, Any]:
    event = selectors.event_get(actor=actor, ref=ref)
    deviation = selectors.deviation_get(actor=actor, ref=ref) if event.category == EventCategory.DEVIATION else None
    capas = list(selectors.capa_list(actor=actor, event=event).select_related("implemented_by", "created_by"))
    reclassifications = (
        list(selectors.reclassification_list(actor=actor, deviation=deviation).select_related("requested_by"))
        if deviation is not None
        else []
    )
    obligations = (
        [o for o in selectors.retention_obligation_list(actor=actor, batch=event.batch) if o.event_id == event.pk]
        if event.batch_id
        else []
    )
    actions = event_actions(
        actor=actor,
        event=event,
        deviation=deviation,
        capas=capas,
        reclassifications=reclassifications,
        obligations=obligations,
    )
    names = _record_names(event, deviation, capas, reclassifications, obligations)
    now = timezone.now()
    return {
        "event": event,
        "deviation": deviation,
        "capas": capas,
        "reclassifications": reclassifications,
        "obligations": obligations,
        "actions": actions,
        "close_problems": services.deviation_close_problems(deviation) if deviation is not None else [],
        "overdue": event.status == EventStatus.OPEN and event.due_at is not None and event.due_at < now,
        "timeline": timeline(selectors.event_trail(actor=actor, event=event), actor=actor, names=names),
        "classifications": _choices(Classification),
        "parties": _choices(Party),
        "today": timezone.localdate(),
        "active_nav": "events",
    }


@page
def event_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    return render(request, "web/events/event_detail.html", _event_context(actor, ref))


# --- acting on an event -----------------------------------------------------------------------------


def _number(post: Any, name: str) -> int:
    """A whole number the form carries (a version, a record's id)."""
    return posted_number(post, name, FIELD_NAMES.get(name))


def _choice(post: Any, name: str, allowed: tuple[str, ...]) -> str:
    return posted_choice(post, name, allowed, FIELD_NAMES.get(name))


def _date(post: Any, name: str) -> dt.date:
    return posted_date(post, name, FIELD_NAMES.get(name))  # type: ignore[return-value]


def _deviation(actor: Actor, event: QualityEvent) -> Deviation:
    if event.category != EventCategory.DEVIATION:
        raise Http404("not a deviation")
    return selectors.deviation_get(actor=actor, ref=event.ref)


Handler = Callable[[Actor, QualityEvent, Any], object]


def _acknowledge(actor: Actor, event: QualityEvent, post: Any) -> object:
    return services.event_acknowledge(
        actor=actor, event=event, note=post.get("note", ""), expected_version=_number(post, "version")
    )


def _withdraw(actor: Actor, event: QualityEvent, post: Any) -> object:
    return services.event_withdraw(
        actor=actor, event=event, reason=post.get("reason", ""), expected_version=_number(post, "version")
    )


def _close(actor: Actor, event: QualityEvent, post: Any) -> object:
    return services.event_close(
        actor=actor, event=event, conclusion=post.get("conclusion", ""), expected_version=_number(post, "version")
    )


def _investigate(actor: Actor, event: QualityEvent, post: Any) -> object:
    return services.deviation_investigate(
        actor=actor,
        deviation=_deviation(actor, event),
        root_cause=post.get("root_cause", ""),
        summary=post.get("summary", ""),
        party=post.get("party") or None,
        expected_version=_number(post, "version"),
    )


def _reclassify(actor: Actor, event: QualityEvent, post: Any) -> object:
    return services.deviation_reclassify(
        actor=actor,
        deviation=_deviation(actor, event),
        to=post.get("to_classification", ""),
        reason=post.get("reason", ""),
        party=post.get("party") or None,
        expected_version=_number(post, "version"),
    )


def _decide(actor: Actor, event: QualityEvent, post: Any) -> object:
    deviation = _deviation(actor, event)
    found = reclassification_get(actor=actor, deviation=deviation, pk=_number(post, "reclassification"))
    approve = _choice(post, "decision", ("approve", "reject")) == "approve"
    return services.reclassification_decide(
        actor=actor, reclassification=found, approve=approve, note=post.get("note", "")
    )


def _capa_add(actor: Actor, event: QualityEvent, post: Any) -> object:
    version = _number(post, "version")
    return services.capa_add(
        actor=actor,
        event=event,
        description=post.get("description", ""),
        owner_party=_choice(post, "owner_party", tuple(Party.values)),
        due_on=_date(post, "due_on"),
        party=post.get("party") or None,
        expected_version=version,
    )


def _capa_implement(actor: Actor, event: QualityEvent, post: Any) -> object:
    capa = capa_get(actor=actor, event=event, pk=_number(post, "capa"))
    return services.capa_implement(
        actor=actor, capa=capa, note=post.get("note", ""), expected_version=_number(post, "version")
    )


def _capa_effectiveness(actor: Actor, event: QualityEvent, post: Any) -> object:
    capa = capa_get(actor=actor, event=event, pk=_number(post, "capa"))
    return services.capa_check_effectiveness(
        actor=actor,
        capa=capa,
        effective=_choice(post, "effective", ("yes", "no")) == "yes",
        note=post.get("note", ""),
        expected_version=_number(post, "version"),
    )


def _fulfil(actor: Actor, event: QualityEvent, post: Any) -> object:
    obligation = retention_obligation_get(actor=actor, event=event, pk=_number(post, "obligation"))
    return services.retention_obligation_fulfil(actor=actor, obligation=obligation, note=post.get("note", ""))


ACTIONS: dict[str, Handler] = {
    "acknowledge": _acknowledge,
    "withdraw": _withdraw,
    "close": _close,
    "investigate": _investigate,
    "reclassify": _reclassify,
    "decide": _decide,
    "capa-add": _capa_add,
    "capa-implement": _capa_implement,
    "capa-effectiveness": _capa_effectiveness,
    "fulfil": _fulfil,
}


@page
def event_act(request: HttpRequest, actor: Actor, ref: str, action: str) -> HttpResponse:
    """One action on an event (a small form of its page): done, back to the page; refused, the page
    again with the bilingual reason and nothing written."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404("unknown action")
    event = selectors.event_get(actor=actor, ref=ref)
    return run_action(
        request,
        action=action,
        perform=partial(handler, actor, event, request.POST),
        url_name="web:event_detail",
        ref=event.ref,
        template="web/events/event_detail.html",
        context=partial(_event_context, actor, ref),
    )


# --- my deadlines -----------------------------------------------------------------------------------


@dataclass
class DeadlineRow:
    deadline: Deadline
    url: str  # "" when the record has no page to link to


# The kinds whose page is addressed by the deadline's ref (the change, the notified assessment).
KIND_PAGES: dict[str, str] = {
    "change_classify": "web:change_detail",
    "change_decide": "web:change_detail",
    "notice_feedback": "web:shared_line_notice",
    "capa_approval": "web:shared_line_notice",
}


def _deadline_url(d: Deadline) -> str:
    """The page of the record owed: an event's page for the event kinds, the page ``KIND_PAGES``
    names, else the record's own URL if it has one, else none."""
    if d.event is not None and getattr(d.event, "ref", None):
        return reverse("web:event_detail", args=[d.event.ref])
    if d.kind == FINDING_KIND:
        return finding_url(d.record)
    if d.kind in KIND_PAGES:
        return reverse(KIND_PAGES[d.kind], args=[d.ref])
    get_url = getattr(d.record, "get_absolute_url", None)
    if callable(get_url):
        try:
            return str(get_url())
        except Exception:  # a record whose URL cannot be built is listed without a link, never a 500
            return ""
    return ""


@page
def deadline_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    deadlines = my_deadlines(actor=actor)
    rows = [DeadlineRow(d, _deadline_url(d)) for d in deadlines]
    context = {
        "rows": rows,
        "overdue_count": sum(1 for d in deadlines if d.overdue),
        "active_nav": "deadlines",
    }
    return render(request, "web/events/deadline_list.html", context)


@page
def deadline_badge(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The menu's badge (loaded by htmx after the page, so no page pays for it): how many deadlines
    are open, and how many of them overdue."""
    deadlines = my_deadlines(actor=actor)
    context = {"open_count": len(deadlines), "overdue_count": sum(1 for d in deadlines if d.overdue)}
    return render(request, "web/events/_deadline_badge.html", context)
