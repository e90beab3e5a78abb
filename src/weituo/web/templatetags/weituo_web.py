"""Template helpers of the web app: errors in the reader's language, the menu, times in China Standard Time."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats

from weituo.core.calendar import CHINA
from weituo.core.i18n import in_language_of
from weituo.core.roles import Role
from weituo.web.shell import get_actor, navigation

register = template.Library()


@register.filter
def message(error: object) -> str:
    """An error or one of its details (``message_zh`` / ``message_en``) in the UI's language."""
    return in_language_of(error)


@register.filter
def shanghai(value: dt.datetime | None) -> str:
    """A moment as China Standard Time, to the second, whatever the active time zone."""
    if not value:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


@register.filter
def isodate(value: dt.date | None) -> str:
    return value.isoformat() if value else "—"


@register.filter
def number(value: object) -> str:
    if value is None or value == "":
        return "—"
    return formats.number_format(value, use_l10n=False)


@register.filter
def percent(value: object) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def is_platform_admin(context: template.Context) -> bool:
    """Whether the logged-in user is a platform administrator (who alone may import)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    return get_actor(request).is_platform_admin


@register.inclusion_tag("web/_nav.html", takes_context=True)
def web_nav(context: template.Context) -> dict:
    """The menu of the logged-in user (by role), the user's name and roles, the language switch."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"request": request, "items": [], "user": None, "active": context.get("active_nav", "")}
    actor = get_actor(request)
    roles = sorted({str(Role(m.role).label) for m in actor.memberships})
    return {
        "request": request,
        "items": navigation(actor),
        "user": user,
        "display_name": actor.display_name or actor.username,
        "roles": roles,
        "active": context.get("active_nav", ""),
        "csrf_token": context.get("csrf_token"),
    }
