"""Contract pages: the list, and a contract with its quality agreements — the responsibility matrix and
the communication list as tables a party edits in place, every change ledgered by the contracts services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from weituo.compliance.selectors import contract_findings
from weituo.contracts.choices import Activity, CommunicationCategory
from weituo.contracts.models import CommissionContract, CommunicationItem, QualityAgreement, ResponsibilityItem
from weituo.contracts.selectors import (
    agreement_get,
    communication_item_get,
    contract_get,
    contract_may_edit,
    contract_search,
    contract_signatures,
    contract_trail,
    missing_communication_categories,
    responsibility_get,
    tech_transfer_may_start,
    tech_transfer_search,
)
from weituo.contracts.services import agreement_require_editor, communication_item_edit, responsibility_edit
from weituo.core.actors import Actor
from weituo.core.errors import ValidationFailed
from weituo.integrity.audited import object_type
from weituo.registry.selectors import organisation_get, person_list

from ..forms import CommunicationItemForm, ContractFilter, ResponsibilityForm
from ..shell import page, paginate, query_without_page
from ..trail import trail_context

CATEGORY_ORDER = {c: i for i, c in enumerate(CommunicationCategory.values)}
ACTIVITY_ORDER = {a: i for i, a in enumerate(Activity.values)}


@page
def contract_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ContractFilter(request.GET)
    form.is_valid()
    f = {k: v for k, v in form.cleaned_data.items() if v}
    organisation = organisation_get(actor=actor, ref=f["organisation"]) if f.get("organisation") else None
    qs = contract_search(actor=actor, search=f.get("q", ""), status=f.get("status", ""), organisation=organisation)
    context = {
        "form": form,
        "organisation": organisation,
        "page_obj": paginate(request, qs),
        "query": query_without_page(request),
        "active_nav": "contracts",
    }
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "web/_contract_table.html", context)
    return render(request, "web/contract_list.html", context)


@dataclass
class AgreementView:
    agreement: QualityAgreement
    responsibilities: list[ResponsibilityItem]
    communications: list[CommunicationItem]
    missing: list[tuple[str, str]]  # art. 7 categories not covered: (value, label)
    unassigned: list[tuple[str, str]]  # activities with no row yet
    signatures: list[dict[str, Any]]


def _trail_names(contract: CommissionContract) -> dict[tuple[str, str], str]:
    """How the contract page names each record of its trail."""
    names = {(object_type(CommissionContract), str(contract.pk)): contract.number}
    for a in contract.quality_agreements.all():
        names[(object_type(QualityAgreement), str(a.pk))] = f"v{a.document_version}"
        for r in a.responsibilities.all():
            names[(object_type(ResponsibilityItem), str(r.pk))] = (
                f"v{a.document_version} · {r.get_activity_display()!s}"
            )
        for c in a.communications.all():
            names[(object_type(CommunicationItem), str(c.pk))] = f"v{a.document_version} · {c.get_category_display()!s}"
        for s in a.resident_staff.all():
            names[(object_type(type(s)), str(s.pk))] = f"v{a.document_version} · {s.person.name}"
        for att in a.attachments.all():
            names[(object_type(type(att)), str(att.pk))] = f"v{a.document_version} · {att.title}"
    return names


def _contract_context(actor: Actor, contract: CommissionContract, *, full_trail: bool = False) -> dict[str, Any]:
    signatures = contract_signatures(actor=actor, contract=contract)
    agreements = []
    for a in sorted(contract.quality_agreements.all(), key=lambda a: (a.effective_from is None, a.document_version)):
        present = {r.activity for r in a.responsibilities.all()}
        agreements.append(
            AgreementView(
                agreement=a,
                responsibilities=sorted(a.responsibilities.all(), key=lambda r: ACTIVITY_ORDER.get(r.activity, 99)),
                communications=sorted(a.communications.all(), key=lambda c: CATEGORY_ORDER.get(c.category, 99)),
                missing=[
                    (c, CommunicationCategory(c).label)
                    for c in missing_communication_categories(actor=actor, agreement=a)
                ],
                unassigned=[(v, lbl) for v, lbl in Activity.choices if v not in present],
                signatures=signatures.get(a.pk, []),
            )
        )
    return {
        "contract": contract,
        "agreements": agreements,
        "may_edit": contract_may_edit(actor=actor, contract=contract),
        **trail_context(
            contract_trail(actor=actor, contract=contract), actor=actor, full=full_trail, names=_trail_names(contract)
        ),
        "signatures": signatures.get(None, []),
        # the technology transfers of the contract's products (art. 4), linked to their pages
        "tech_transfers": tech_transfer_search(actor=actor, contract=contract),
        "may_start_transfer": tech_transfer_may_start(actor=actor, contract=contract),
        # what the notices ask of this contract and who must act: the findings beside the record
        "findings": contract_findings(actor=actor, contract=contract),
        "active_nav": "contracts",
    }


@page
def contract_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    contract = contract_get(actor=actor, ref=ref)
    full_trail = request.GET.get("trail") == "all"
    return render(request, "web/contract_detail.html", _contract_context(actor, contract, full_trail=full_trail))


# --- editing a row of the agreement in place ----------------------------------------------------


def _row_response(
    request: HttpRequest, actor: Actor, agreement: QualityAgreement, template: str, context: dict[str, Any]
) -> HttpResponse:
    """After a change: the row as it now reads, with the refreshed trail panel (htmx, out of band),
    or back to the contract page (a plain form post)."""
    url = reverse("web:contract_detail", args=[agreement.contract.ref]) + f"#agreement-{agreement.ref}"
    if not getattr(request, "htmx", False):
        return redirect(url)
    contract = contract_get(actor=actor, ref=agreement.contract.ref)
    trail = trail_context(
        contract_trail(actor=actor, contract=contract), actor=actor, full=False, names=_trail_names(contract)
    )
    context.update({"agreement": agreement, "may_edit": True, **trail, "oob": True, "contract": contract})
    return render(request, template, context)


@page
def communication_edit(request: HttpRequest, actor: Actor, ref: str, category: str) -> HttpResponse:
    if category not in CommunicationCategory.values:
        raise Http404("unknown communication category")
    agreement = agreement_get(actor=actor, ref=ref)
    agreement_require_editor(actor=actor, agreement=agreement)
    contract = agreement.contract
    item = communication_item_get(actor=actor, agreement=agreement, category=category)
    current = [item.mah_contact_id, item.cmo_contact_id] if item else []
    people = {
        "mah_people": person_list(actor=actor, organisation=contract.mah, include=current),
        "cmo_people": person_list(actor=actor, organisation=contract.cmo, include=current),
    }
    initial = (
        {
            "mah_contact": item.mah_contact_id,
            "cmo_contact": item.cmo_contact_id,
            "channel": item.channel,
            "time_limit": item.time_limit,
            "time_unit": item.time_unit,
        }
        if item
        else {}
    )
    errors: list = []
    status = 200
    if request.method == "POST":
        form = CommunicationItemForm(request.POST, **people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = communication_item_edit(
                    actor=actor,
                    agreement=agreement,
                    category=category,
                    reason=data["reason"],
                    mah_contact=data["mah_contact"],
                    cmo_contact=data["cmo_contact"],
                    channel=data["channel"] or "",
                    time_limit=data["time_limit"],
                    time_unit=data["time_unit"] or "",
                )
            except ValidationFailed as e:
                errors = e.details
            else:
                return _row_response(
                    request, actor, agreement, "web/_communication_row.html", {"item": item, "category": category}
                )
        status = 422
    else:
        form = CommunicationItemForm(initial=initial, **people)
    context = {
        "agreement": agreement,
        "contract": contract,
        "category": category,
        "category_label": CommunicationCategory(category).label,
        "item": item,
        "form": form,
        "errors": errors,
    }
    template = "web/_communication_form_row.html" if getattr(request, "htmx", False) else "web/communication_edit.html"
    return render(request, template, context, status=status)


@page
def communication_row(request: HttpRequest, actor: Actor, ref: str, category: str) -> HttpResponse:
    """The row as it reads (htmx: "cancel" of an inline edit)."""
    agreement = agreement_get(actor=actor, ref=ref)
    item = communication_item_get(actor=actor, agreement=agreement, category=category)
    if item is None:
        raise Http404("no such row")
    return render(
        request,
        "web/_communication_row.html",
        {
            "agreement": agreement,
            "contract": agreement.contract,
            "item": item,
            "may_edit": contract_may_edit(actor=actor, contract=agreement.contract),
        },
    )


@page
def responsibility_edit_view(request: HttpRequest, actor: Actor, ref: str, activity: str) -> HttpResponse:
    if activity not in Activity.values:
        raise Http404("unknown activity")
    agreement = agreement_get(actor=actor, ref=ref)
    agreement_require_editor(actor=actor, agreement=agreement)
    item = responsibility_get(actor=actor, agreement=agreement, activity=activity)
    initial = {"party": item.party, "period_months": item.period_months, "detail": item.detail} if item else {}
    errors: list = []
    status = 200
    if request.method == "POST":
        form = ResponsibilityForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = responsibility_edit(
                    actor=actor,
                    agreement=agreement,
                    activity=activity,
                    reason=data["reason"],
                    party=data["party"],
                    period_months=data["period_months"],
                    detail=data["detail"],
                )
            except ValidationFailed as e:
                errors = e.details
            else:
                return _row_response(
                    request, actor, agreement, "web/_responsibility_row.html", {"item": item, "activity": activity}
                )
        status = 422
    else:
        form = ResponsibilityForm(initial=initial)
    context = {
        "agreement": agreement,
        "contract": agreement.contract,
        "activity": activity,
        "activity_label": Activity(activity).label,
        "item": item,
        "form": form,
        "errors": errors,
    }
    template = (
        "web/_responsibility_form_row.html" if getattr(request, "htmx", False) else "web/responsibility_edit.html"
    )
    return render(request, template, context, status=status)


@page
def responsibility_row(request: HttpRequest, actor: Actor, ref: str, activity: str) -> HttpResponse:
    agreement = agreement_get(actor=actor, ref=ref)
    item = responsibility_get(actor=actor, agreement=agreement, activity=activity)
    if item is None:
        raise Http404("no such row")
    return render(
        request,
        "web/_responsibility_row.html",
        {
            "agreement": agreement,
            "contract": agreement.contract,
            "item": item,
            "may_edit": contract_may_edit(actor=actor, contract=agreement.contract),
        },
    )
