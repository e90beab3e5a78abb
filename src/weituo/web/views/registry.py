"""Registry pages: organisations (one file per enterprise), products and lines, with their trails."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from weituo.contracts.selectors import contract_search
from weituo.core.actors import Actor
from weituo.registry.choices import RISK_FLAGS, KeyRole
from weituo.registry.selectors import (
    inspection_list,
    key_people,
    licence_list,
    line_get,
    line_list,
    line_load,
    organisation_get,
    organisation_list,
    product_certificate,
    product_get,
    product_lines,
    product_search,
    site_list,
)

from ..forms import LineFilter, OrganisationFilter, ProductFilter
from ..labels import FLAG_LABELS
from ..shell import page, paginate, query_without_page
from ..trail import record_panels

SECTION_ROWS = 50  # rows of a long section on a record page; the rest through the list page


def _filters(form: Any) -> dict[str, Any]:
    form.is_valid()
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


def _list_page(request: HttpRequest, template: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """A list page, or only its results table when htmx asks for it (filtering, paging in place)."""
    context["query"] = query_without_page(request)
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, partial, context)
    return render(request, template, context)


# --- organisations ------------------------------------------------------------------------------


@page
def organisation_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = OrganisationFilter(request.GET)
    f = _filters(form)
    qs = organisation_list(actor=actor, search=f.get("q", ""), province=f.get("province", ""), role=f.get("role", ""))
    nav = {"cmo": "cmos", "mah": "mahs"}.get(f.get("role", ""), "organisations")
    return _list_page(
        request,
        "web/organisation_list.html",
        "web/_organisation_table.html",
        {"form": form, "page_obj": paginate(request, qs), "active_nav": nav},
    )


@page
def organisation_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    org = organisation_get(actor=actor, ref=ref)
    products = product_search(actor=actor, holder=org)
    contracts = contract_search(actor=actor, organisation=org)
    return render(
        request,
        "web/organisation_detail.html",
        {
            "org": org,
            "licences": list(licence_list(actor=actor, organisation=org)),
            "sites": list(site_list(actor=actor, organisation=org)),
            "products": list(products[: SECTION_ROWS + 1]),
            "contracts": list(contracts[: SECTION_ROWS + 1]),
            "section_rows": SECTION_ROWS,
            "people": [
                {
                    "person": kp.person,
                    "years": kp.years,
                    "role_labels": [str(KeyRole(r).label) if r in KeyRole.values else r for r in kp.roles],
                }
                for kp in key_people(actor=actor, organisation=org, as_of=timezone.localdate())
            ],
            "inspections": list(inspection_list(actor=actor, organisation=org)[: SECTION_ROWS + 1]),
            **record_panels(actor=actor, record=org, full=request.GET.get("trail") == "all"),
        },
    )


# --- products -----------------------------------------------------------------------------------


@page
def product_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ProductFilter(request.GET)
    f = _filters(form)
    holder = organisation_get(actor=actor, ref=f["holder"]) if f.get("holder") else None
    qs = product_search(
        actor=actor, search=f.get("q", ""), holder=holder, kind=f.get("kind", ""), status=f.get("status", "")
    )
    return _list_page(
        request,
        "web/product_list.html",
        "web/_product_table.html",
        {"form": form, "holder": holder, "page_obj": paginate(request, qs), "active_nav": "products"},
    )


def _flags(product: Any) -> list[tuple[str, str, str]]:
    """The product's flags that are set: (field, label in the UI's language, citation)."""
    flags = [(name, str(FLAG_LABELS[name]), cite) for name, (_zh, cite) in RISK_FLAGS.items() if getattr(product, name)]
    for name in ("implantable", "prohibited_catalogue"):
        if getattr(product, name):
            flags.append((name, str(FLAG_LABELS[name]), ""))
    return flags


@page
def product_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    product = product_get(actor=actor, ref=ref)
    return render(
        request,
        "web/product_detail.html",
        {
            "product": product,
            "flags": _flags(product),
            "certificate": product_certificate(actor=actor, product=product),
            "line_rows": list(product_lines(actor=actor, product=product)),
            "contracts": list(contract_search(actor=actor, product=product)),
            "active_nav": "products",
            **record_panels(actor=actor, record=product, full=request.GET.get("trail") == "all"),
        },
    )


# --- lines --------------------------------------------------------------------------------------


@page
def line_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = LineFilter(request.GET)
    f = _filters(form)
    organisation = organisation_get(actor=actor, ref=f["organisation"]) if f.get("organisation") else None
    qs = line_list(actor=actor, search=f.get("q", ""), organisation=organisation)
    return _list_page(
        request,
        "web/line_list.html",
        "web/_line_table.html",
        {"form": form, "organisation": organisation, "page_obj": paginate(request, qs), "active_nav": "lines"},
    )


@page
def line_detail(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    line = line_get(actor=actor, ref=ref)
    return render(
        request,
        "web/line_detail.html",
        {
            "line": line,
            "load": line_load(actor=actor, line=line),
            "contracts": list(contract_search(actor=actor, line=line)),
            "inspections": list(inspection_list(actor=actor, line=line)),
            "active_nav": "lines",
            **record_panels(actor=actor, record=line, full=request.GET.get("trail") == "all"),
        },
    )
