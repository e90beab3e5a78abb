"""What every page shares: who the actor is, how domain errors become responses, paging and navigation.

Every view of the web app is wrapped by :func:`page`: it requires a login, turns the user into the
``Actor`` the selectors take (once per request), and converts the domain errors in one place — a
record the actor may not see (``NotFound``) is an HTTP 404, exactly like a record that does not
exist; a refusal (``PermissionDenied``) is an HTTP 403 page with the bilingual message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.accounts.middleware import request_actor
from weituo.core.actors import Actor
from weituo.core.errors import NotFound, PermissionDenied
from weituo.core.roles import Side

PAGE_SIZE = 25

View = Callable[..., HttpResponse]


def get_actor(request: HttpRequest) -> Actor:
    """The actor of the request's user, computed once per request (one query)."""
    return request_actor(request)


def page(view: View) -> View:
    """A page of the web app: login required, ``actor`` passed in, domain errors turned into responses."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = get_actor(request)
        try:
            return view(request, actor, *args, **kwargs)
        except NotFound as e:
            raise Http404(e.message_en) from e
        except PermissionDenied as e:
            return refused(request, e)

    return wrapper


def refused(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """The refusal page; to an htmx request, the message alone, shown in the page's message area."""
    if getattr(request, "htmx", False):
        response = render(request, "web/_refused.html", {"error": error}, status=403)
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "web/refused.html", {"error": error}, status=403)


def paginate(request: HttpRequest, queryset: Any, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of a list (``?page=``); a page number out of range gives the last page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, without ``page``, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- navigation by role -------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    key: str  # stable: the element's data-testid is "nav-<key>"
    label: str
    url: str
    badge_url: str = ""  # a count loaded by htmx after the page (data-testid "nav-<key>-count")


def navigation(actor: Actor) -> list[NavItem]:
    """The menu of an actor: the union of what each of its sides works with, in a fixed order."""
    sides = {m.side for m in actor.memberships}
    if not sides:
        return []
    platform = Side.PLATFORM in sides
    keys: list[tuple[str, Any, str]] = [("home", _("Workspace"), reverse("web:home"))]
    if platform or Side.REGULATOR in sides:
        keys.append(("organisations", _("Enterprises"), reverse("web:organisation_list")))
    if Side.MAH in sides:
        keys.append(("products", _("My products"), reverse("web:product_list")))
        keys.append(("cmos", _("CMOs"), reverse("web:organisation_list") + "?role=cmo"))
    if Side.CMO in sides:
        keys.append(("lines", _("My lines"), reverse("web:line_list")))
        keys.append(("mahs", _("MAHs I serve"), reverse("web:organisation_list") + "?role=mah"))
    if Side.MAH not in sides:
        keys.append(("products", _("Products"), reverse("web:product_list")))
    if Side.CMO not in sides:
        keys.append(("lines", _("Lines"), reverse("web:line_list")))
    keys.append(("contracts", _("Contracts"), reverse("web:contract_list")))
    keys.append(("batches", _("Batches"), reverse("web:batch_list")))
    keys.append(("events", pgettext_lazy("events", "Quality events"), reverse("web:event_list")))
    keys.append(("deadlines", pgettext_lazy("events", "Deadlines"), reverse("web:deadline_list")))
    keys.append(("changes", pgettext_lazy("changes", "Changes"), reverse("web:change_list")))
    keys.append(("audits", pgettext_lazy("audits", "Audits"), reverse("web:audit_list")))
    if Side.MAH in sides:
        label = pgettext_lazy("shared_line", "Shared-line notices")
        keys.append(("shared-line-notices", label, reverse("web:shared_line_notices")))
    if Side.MAH not in sides or Side.CMO in sides:
        label = pgettext_lazy("shared_line", "Shared-line assessments")
        keys.append(("shared-line", label, reverse("web:shared_line_list")))
    keys.append(("compliance", pgettext_lazy("compliance", "Compliance"), reverse("web:compliance_index")))
    keys.append(("export", _("Export"), reverse("web:registry_export")))
    if platform:
        keys.append(("import", _("Import"), reverse("web:registry_import")))
        keys.append(("admin", pgettext_lazy("menu", "Administration"), reverse("admin:index")))
    seen: set[str] = set()
    items = []
    for key, label, url in keys:
        if key not in seen:
            seen.add(key)
            badge = reverse("web:deadline_badge") if key == "deadlines" else ""
            items.append(NavItem(key, str(label), url, badge))
    return items
