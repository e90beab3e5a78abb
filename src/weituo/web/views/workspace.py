"""The workspace: what the logged-in person works on, by the side of each of their memberships."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from weituo.contracts.selectors import contract_search, counterparties
from weituo.core.actors import Actor
from weituo.core.roles import Side
from weituo.registry.models import Organisation
from weituo.registry.provinces import Province
from weituo.registry.selectors import line_list, organisation_list, own_organisations, product_search

from ..shell import page

SHOWN = 10  # rows per workspace table; "all" links to the list page with the filter


@dataclass
class Section:
    """One block of the workspace: a list of at most ``SHOWN`` rows, its total, a link to all."""

    rows: list
    total: int
    more_url: str = ""


@dataclass
class OrganisationDesk:
    organisation: Organisation
    sections: dict[str, Section] = field(default_factory=dict)


def _section(queryset: Any, more_url: str = "") -> Section:
    # Always counted (one query), so that a page costs the same whatever the length of its lists.
    return Section(list(queryset[:SHOWN]), queryset.count(), more_url)


@page
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    mah_desks, cmo_desks = [], []
    for org in own_organisations(actor=actor, side=Side.MAH):
        mah_desks.append(
            OrganisationDesk(
                org,
                {
                    "products": _section(product_search(actor=actor, holder=org), f"?holder={org.ref}"),
                    "contracts": _section(contract_search(actor=actor, organisation=org), f"?organisation={org.ref}"),
                    "cmos": _section(counterparties(actor=actor, organisation=org)),
                },
            )
        )
    for org in own_organisations(actor=actor, side=Side.CMO):
        cmo_desks.append(
            OrganisationDesk(
                org,
                {
                    "lines": _section(line_list(actor=actor, organisation=org), f"?organisation={org.ref}"),
                    "mahs": _section(counterparties(actor=actor, organisation=org)),
                    "contracts": _section(contract_search(actor=actor, organisation=org), f"?organisation={org.ref}"),
                },
            )
        )
    provinces = []
    for code in sorted(actor.provinces):
        enterprises = organisation_list(actor=actor, province=code)
        provinces.append(
            {
                "code": code,
                "name": Province(code).label if code in Province.values else code,
                "enterprises": _section(enterprises, f"?province={code}"),
                "mahs": organisation_list(actor=actor, province=code, role="mah").count(),
                "cmos": organisation_list(actor=actor, province=code, role="cmo").count(),
            }
        )
    platform = None
    if actor.is_platform_admin:
        platform = {
            "organisations": organisation_list(actor=actor).count(),
            "products": product_search(actor=actor).count(),
            "lines": line_list(actor=actor).count(),
            "contracts": contract_search(actor=actor).count(),
        }
    return render(
        request,
        "web/workspace.html",
        {
            "active_nav": "home",
            "mah_desks": mah_desks,
            "cmo_desks": cmo_desks,
            "provinces": provinces,
            "platform": platform,
            "no_membership": not actor.memberships,
        },
    )
