"""The demo's people: one account per role, on a real shared line, so isolation can be seen.

Two MAHs with products on one CMO line, that CMO, the province's regulators and a platform admin.
Every account is made through the accounts service, so each is ledgered like a real one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from weituo.accounts.services import user_create, user_grant_admin_site
from weituo.core.actors import Actor
from weituo.core.roles import Role
from weituo.registry.models import LineProduct, Organisation
from weituo.registry.selectors import shared_lines

DEMO_PASSWORD = "weituo-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    organisation: str  # name, or the province for regulators


# (username, full name, role, which organisation: "mah", "mah2", "cmo", "regulator", "platform")
PEOPLE = (
    ("chen.jing", "陈静", Role.PLATFORM_ADMIN, "platform"),
    ("li.na", "李娜", Role.MAH_QA, "mah"),
    ("wang.qiang", "王强", Role.MAH_QP, "mah"),
    ("zhang.min", "张敏", Role.MAH_HEAD_OF_QUALITY, "mah"),
    ("liu.yang", "刘洋", Role.MAH_VIEWER, "mah"),
    ("zhao.lei", "赵磊", Role.MAH_QA, "mah2"),
    ("sun.li", "孙丽", Role.CMO_QA, "cmo"),
    ("zhou.jun", "周军", Role.CMO_QP, "cmo"),
    ("wu.gang", "吴刚", Role.CMO_PRODUCTION, "cmo"),
    ("zheng.hong", "郑红", Role.CMO_HEAD_OF_QUALITY, "cmo"),
    ("huang.tao", "黄涛", Role.CMO_VIEWER, "cmo"),
    ("xu.hua", "徐华", Role.INSPECTOR, "regulator"),
    ("he.ping", "何平", Role.HEAD_OF_DIVISION, "regulator"),
)


def ensure_demo_users(*, actor: Actor, province: str = "32") -> list[DemoLogin]:
    """Create (or reset the password of) one account per role; returns the logins to print."""
    line = next(iter(shared_lines(actor=actor).filter(workshop__site__province=province)), None)
    if line is None:
        raise LookupError("the demo has no shared line in the province to attach its users to")
    cmo = line.workshop.site.organisation
    holders = list(
        Organisation.objects.filter(pk__in=LineProduct.objects.filter(line=line).values("product__holder"))
        .order_by("ref")
        .distinct()
    )
    places = {"mah": holders[0], "mah2": holders[1], "cmo": cmo}
    users = get_user_model().objects
    logins = []
    for username, full_name, role, place in PEOPLE:
        organisation = places.get(place)
        existing = users.filter(username=username).first()
        if existing is None:
            user = user_create(
                actor=actor,
                username=username,
                full_name=full_name,
                email=f"{username}@demo.weituo.invalid",
                password=DEMO_PASSWORD,
                role=role,
                organisation=organisation,
                province=province if place == "regulator" else "",
            )
            if role == Role.PLATFORM_ADMIN:
                user_grant_admin_site(actor=actor, user=user)
        else:
            existing.set_password(DEMO_PASSWORD)  # a re-run restores the demo password printed below
            existing.save(update_fields=["password"])
        where = organisation.name if organisation else ("江苏省药品监督管理局" if place == "regulator" else "平台")
        logins.append(DemoLogin(username, full_name, role, where))
    return logins
