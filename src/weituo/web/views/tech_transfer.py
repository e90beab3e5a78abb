"""Technology-transfer pages (Notice 2025-134 art. 4): start a transfer from its contract's page, then
one page per transfer with its team, its steps in order (each by the party the article gives it to),
the risks found during it, its completion and its audit trail.

The views only parse what was typed and show what the selectors return; ``contracts.tech_transfer``
decides and writes. Each action is a plain form POST: on success back to the transfer's page (so a
reload does not post twice), on a refusal of the input the page again with the bilingual reasons
(HTTP 422), a state conflict likewise (409); a refusal of the actor is the shell's 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import pgettext_lazy

from weituo.contracts import tech_transfer as services
from weituo.contracts.choices import TransferStep
from weituo.contracts.models import TechTransfer
from weituo.contracts.selectors import (
    contract_get,
    tech_transfer_get,
    tech_transfer_progress,
    tech_transfer_risk_get,
    tech_transfer_trail,
)
from weituo.core.actors import Actor
from weituo.core.errors import InvalidTransition, ValidationFailed
from weituo.integrity.audited import object_type
from weituo.registry.selectors import person_list

from ..forms import TestIds
from ..shell import page
from ..trail import trail_context

CTX = "tech transfer"


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


# --- forms: they parse what was typed; the services check it and decide -------------------------


class StartForm(TestIds, forms.Form):
    testid_prefix = "transfer"

    product = forms.ChoiceField(label=pgettext_lazy(CTX, "Product"), choices=[])
    started_on = forms.DateField(label=pgettext_lazy(CTX, "Started on"), widget=_date_widget())

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [(p.ref, p.name) for p in products]
        self._set_testids()


class TeamForm(TestIds, forms.Form):
    testid_prefix = "team"

    lead = forms.ChoiceField(label=pgettext_lazy(CTX, "Transfer lead (the CMO's)"), choices=[])
    working_group = forms.MultipleChoiceField(label=pgettext_lazy(CTX, "Working group"), choices=[])
    reason = forms.CharField(label=pgettext_lazy(CTX, "Reason"), required=False, max_length=500)

    def __init__(self, *args: Any, cmo_people: Any, all_people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [(p.ref, f"{p.name} {p.title}".strip()) for p in cmo_people]
        self.fields["working_group"].choices = [(p.ref, f"{p.name} · {p.organisation.name}") for p in all_people]
        self._set_testids()


class StepForm(TestIds, forms.Form):
    testid_prefix = "step"

    step = forms.ChoiceField(choices=TransferStep.choices, widget=forms.HiddenInput)
    done_on = forms.DateField(label=pgettext_lazy(CTX, "Done on"), widget=_date_widget())
    note = forms.CharField(
        label=pgettext_lazy(CTX, "Note (what was done, its conclusion)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.CharField(label=pgettext_lazy(CTX, "Evidence (document number)"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_testids()


class CorrectionForm(TestIds, forms.Form):
    testid_prefix = "correct"

    done_on = forms.DateField(label=pgettext_lazy(CTX, "Done on"), widget=_date_widget())
    note = forms.CharField(
        label=pgettext_lazy(CTX, "Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.CharField(label=pgettext_lazy(CTX, "Evidence"), required=False, max_length=300)
    reason = forms.CharField(label=pgettext_lazy(CTX, "Reason for the correction"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_testids()


class CompleteForm(TestIds, forms.Form):
    testid_prefix = "complete"

    completed_on = forms.DateField(label=pgettext_lazy(CTX, "Completed on"), widget=_date_widget())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_testids()


class RiskForm(TestIds, forms.Form):
    testid_prefix = "risk"

    raised_on = forms.DateField(label=pgettext_lazy(CTX, "Found on"), widget=_date_widget())
    description = forms.CharField(
        label=pgettext_lazy(CTX, "Risk found"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    measures = forms.CharField(
        label=pgettext_lazy(CTX, "Measures taken"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_testids()


class ResolveForm(TestIds, forms.Form):
    testid_prefix = "resolve"

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    resolved_on = forms.DateField(label=pgettext_lazy(CTX, "Date"), widget=_date_widget())
    resolution = forms.CharField(
        label=pgettext_lazy(CTX, "Conclusion, or the reason to stop"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measures = forms.CharField(
        label=pgettext_lazy(CTX, "Measures taken"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_testids()


# --- pages -------------------------------------------------------------------------------------------


def _url(transfer: TechTransfer) -> str:
    return reverse("web:tech_transfer_detail", args=[transfer.ref])


def _trail_names(transfer: TechTransfer) -> dict[tuple[str, str], str]:
    """How the page names each record of its trail: the transfer, each step by its label, each risk by ref."""
    names = {(object_type(TechTransfer), str(transfer.pk)): transfer.ref}
    for s in transfer.steps.all():
        names[(object_type(type(s)), str(s.pk))] = str(s.get_step_display())
    for r in transfer.risks.all():
        names[(object_type(type(r)), str(r.pk))] = r.ref
    return names


def _context(
    request: HttpRequest, actor: Actor, transfer: TechTransfer, *, forms_: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    contract = transfer.contract
    state = services.transfer_state(transfer)
    parties = services.acting_parties(actor, transfer)
    steps = tech_transfer_progress(actor=actor, transfer=transfer)
    next_step = next((s for s in steps if s.is_next), None)
    in_progress = state == services.IN_PROGRESS
    team_ready = transfer.lead_id is not None and bool(transfer.working_group.all())
    forms_ = forms_ or {}
    cmo_people = person_list(actor=actor, organisation=contract.cmo)
    all_people = list(cmo_people) + list(person_list(actor=actor, organisation=contract.mah))
    context: dict[str, Any] = {
        "transfer": transfer,
        "contract": contract,
        "state": state,
        "steps": steps,
        "next_step": next_step,
        "risks": list(transfer.risks.all()),
        "may_team": in_progress and "cmo" in parties,
        "may_step": in_progress and team_ready and next_step is not None and next_step.party in parties,
        "may_complete": in_progress and "mah" in parties and next_step is None,
        "may_risk": in_progress and bool(parties),
        "may_correct_parties": sorted(parties) if in_progress else [],
        "team_ready": team_ready,
        "team_form": forms_.get("team")
        or TeamForm(
            initial={
                "lead": transfer.lead.ref if transfer.lead else "",
                "working_group": [p.ref for p in transfer.working_group.all()],
            },
            cmo_people=cmo_people,
            all_people=all_people,
        ),
        "step_form": forms_.get("step") or StepForm(initial={"step": next_step.step if next_step else ""}),
        "complete_form": forms_.get("complete") or CompleteForm(),
        "risk_form": forms_.get("risk") or RiskForm(),
        "resolve_form": ResolveForm(auto_id=False),
        "errors": forms_.get("errors", []),
        "errors_for": forms_.get("errors_for", ""),
        "errors_form": forms_.get("errors_form"),
        "active_nav": "contracts",
        **trail_context(
            tech_transfer_trail(actor=actor, transfer=transfer),
            actor=actor,
            full=request.GET.get("trail") == "all",
            names=_trail_names(transfer),
        ),
    }
    return context


def _again(
    request: HttpRequest, actor: Actor, ref: str, where: str, error: Exception | None, form: forms.Form
) -> HttpResponse:
    """The page again, with the refusal shown beside the form ``where``: the form's own errors, or the
    service's bilingual reasons (422 refused input, 409 a state that does not allow it)."""
    status = 409 if isinstance(error, InvalidTransition) else 422
    details = getattr(error, "details", []) if error is not None else []
    transfer = tech_transfer_get(actor=actor, ref=ref)
    bound = {where: form, "errors": details, "errors_for": where, "errors_form": form}
    ctx = _context(request, actor, transfer, forms_=bound)
    return render(request, "web/tech_transfer/detail.html", ctx, status=status)


def _submit(
    request: HttpRequest,
    actor: Actor,
    ref: str,
    where: str,
    form: forms.Form,
    perform: Callable[[dict[str, Any]], object],
    done_url: str,
) -> HttpResponse:
    """One form of the page: parsed, then ``perform(cleaned_data)`` (the service call); done, to
    ``done_url``; refused (the form's errors or the service's), the page again beside ``where``."""
    if not form.is_valid():
        return _again(request, actor, ref, where, None, form)
    try:
        perform(form.cleaned_data)
    except (ValidationFailed, InvalidTransition) as e:
        return _again(request, actor, ref, where, e, form)
    return redirect(done_url)


@page
def tech_transfer_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    transfer = tech_transfer_get(actor=actor, ref=ref)
    return render(request, "web/tech_transfer/detail.html", _context(request, actor, transfer))


@page
def tech_transfer_new(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    """Start a transfer of one of the contract's products (``ref``: the contract)."""
    contract = contract_get(actor=actor, ref=ref)
    products = list(contract.products.all())
    errors: list = []
    status = 200
    if request.method == "POST":
        form = StartForm(request.POST, products=products)
        if form.is_valid():
            product = next(p for p in products if p.ref == form.cleaned_data["product"])
            try:
                transfer = services.tech_transfer_start(
                    actor=actor, contract=contract, product=product, started_on=form.cleaned_data["started_on"]
                )
            except (ValidationFailed, InvalidTransition) as e:
                errors = e.details
                status = 409 if isinstance(e, InvalidTransition) else 422
            else:
                return redirect(_url(transfer))
        else:
            status = 422
    else:
        form = StartForm(products=products)
    return render(
        request,
        "web/tech_transfer/new.html",
        {"contract": contract, "form": form, "errors": errors, "active_nav": "contracts"},
        status=status,
    )


@page
def tech_transfer_team(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    transfer = tech_transfer_get(actor=actor, ref=ref)
    if request.method != "POST":
        return redirect(_url(transfer))
    contract = transfer.contract
    cmo_people = person_list(actor=actor, organisation=contract.cmo)
    all_people = list(cmo_people) + list(person_list(actor=actor, organisation=contract.mah))
    form = TeamForm(request.POST, cmo_people=cmo_people, all_people=all_people)
    by_ref = {p.ref: p for p in all_people}
    return _submit(
        request,
        actor,
        ref,
        "team",
        form,
        lambda data: services.tech_transfer_set_team(
            actor=actor,
            transfer=transfer,
            lead=by_ref[data["lead"]],
            working_group=[by_ref[r] for r in data["working_group"]],
            reason=data["reason"],
        ),
        _url(transfer),
    )


@page
def tech_transfer_step(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    transfer = tech_transfer_get(actor=actor, ref=ref)
    if request.method != "POST":
        return redirect(_url(transfer))
    return _submit(
        request,
        actor,
        ref,
        "step",
        StepForm(request.POST),
        lambda data: services.tech_transfer_record_step(
            actor=actor,
            transfer=transfer,
            step=data["step"],
            done_on=data["done_on"],
            note=data["note"],
            evidence=data["evidence"],
        ),
        _url(transfer) + "#steps",
    )


@page
def tech_transfer_correct(request: HttpRequest, actor: Actor, ref: str, step: str) -> HttpResponse:
    """Correct a recorded step, with the reason the ledger keeps."""
    transfer = tech_transfer_get(actor=actor, ref=ref)
    if request.method != "POST":
        return redirect(_url(transfer))
    return _submit(
        request,
        actor,
        ref,
        f"correct-{step}",
        CorrectionForm(request.POST),
        lambda data: services.tech_transfer_correct_step(
            actor=actor,
            transfer=transfer,
            step=step,
            reason=data["reason"],
            done_on=data["done_on"],
            note=data["note"],
            evidence=data["evidence"],
        ),
        _url(transfer) + "#steps",
    )


@page
def tech_transfer_complete(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    transfer = tech_transfer_get(actor=actor, ref=ref)
    if request.method != "POST":
        return redirect(_url(transfer))
    return _submit(
        request,
        actor,
        ref,
        "complete",
        CompleteForm(request.POST),
        lambda data: services.tech_transfer_complete(actor=actor, transfer=transfer, completed_on=data["completed_on"]),
        _url(transfer),
    )


@page
def tech_transfer_risk(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    transfer = tech_transfer_get(actor=actor, ref=ref)
    if request.method != "POST":
        return redirect(_url(transfer))
    return _submit(
        request,
        actor,
        ref,
        "risk",
        RiskForm(request.POST),
        lambda data: services.tech_transfer_risk_raise(
            actor=actor,
            transfer=transfer,
            description=data["description"],
            raised_on=data["raised_on"],
            measures=data["measures"],
        ),
        _url(transfer) + "#risks",
    )


@page
def tech_transfer_resolve(request: HttpRequest, actor: Actor, ref: str, risk_ref: str, outcome: str) -> HttpResponse:
    """Close a risk: ``controlled`` (the transfer goes on) or ``stop`` (the cooperation stops)."""
    transfer = tech_transfer_get(actor=actor, ref=ref)
    risk = tech_transfer_risk_get(actor=actor, transfer=transfer, ref=risk_ref)
    if request.method != "POST":
        return redirect(_url(transfer))

    def resolve(data: dict[str, Any]) -> None:
        if outcome == "stop":
            services.tech_transfer_stop(
                actor=actor,
                risk=risk,
                resolved_on=data["resolved_on"],
                reason=data["resolution"],
                version=data["version"],
            )
        else:
            services.tech_transfer_risk_control(
                actor=actor,
                risk=risk,
                resolved_on=data["resolved_on"],
                resolution=data["resolution"],
                measures=data["measures"] or None,
                version=data["version"],
            )

    return _submit(
        request, actor, ref, f"resolve-{risk.ref}", ResolveForm(request.POST), resolve, _url(transfer) + "#risks"
    )
