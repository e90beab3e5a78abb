"""Every write of the accounts app: users (individual accounts only) and their memberships.

GMP records must say who did what (Annex 11 §12, PIC/S PI 041 §9): an account is one named person,
never a department or a shared login, and its full name is what signature manifestations print.
Passwords are checked by Django's validators (``AUTH_PASSWORD_VALIDATORS``) and stored with Argon2.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import replace

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from weituo.core.actors import Actor
from weituo.core.errors import ErrorDetail, PermissionDenied, ValidationFailed
from weituo.core.i18n import detail, messages, validation_failed
from weituo.core.roles import SIDE_OF_ROLE, Role, Side
from weituo.core.validation import validate
from weituo.integrity import writes
from weituo.registry.models import Organisation

from .models import Membership

# Names that say what a login is for, not who uses it. Compared after case folding, with digits and
# separators around them removed: "Admin", "qa01", "test_user" and "质量部2" are all refused.
GENERIC_NAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "superuser",
        "sysadmin",
        "system",
        "qa",
        "qc",
        "qp",
        "quality",
        "production",
        "test",
        "tester",
        "testuser",
        "demo",
        "user",
        "users",
        "guest",
        "shared",
        "public",
        "common",
        "everyone",
        "operator",
        "office",
        "info",
        "service",
        "default",
        "anonymous",
        "管理员",
        "系统管理员",
        "测试",
        "用户",
        "访客",
        "公共",
        "共享",
        "质量部",
        "质管部",
        "质量保证部",
        "质量控制部",
        "生产部",
        "化验室",
        "办公室",
    }
)
_DECORATION = re.compile(r"^[\d\W_]+|[\d\W_]+$")  # leading/trailing digits, punctuation, spaces
_SEPARATORS = re.compile(r"[\W_]+")


def is_generic_name(name: str) -> bool:
    """Whether a username or full name names a function or a group rather than one person."""
    folded = unicodedata.normalize("NFKC", name or "").casefold().strip()
    core = _DECORATION.sub("", folded)
    return not core or core in GENERIC_NAMES or _SEPARATORS.sub("", core) in GENERIC_NAMES


def _may_manage(actor: Actor, role: str, organisation: Organisation | None, province: str) -> bool:
    """Who may give someone a role: the platform admin (or a command-line job), a head of quality
    for their own organisation's side, a head of division for their own province's regulator roles."""
    if actor.system or actor.is_platform_admin:
        return True
    side = SIDE_OF_ROLE.get(role)
    heads = {Side.MAH: Role.MAH_HEAD_OF_QUALITY, Side.CMO: Role.CMO_HEAD_OF_QUALITY}
    for m in actor.memberships:
        if organisation is not None and m.organisation_id == organisation.pk and m.role == heads.get(side):
            return True
        if side == Side.REGULATOR and m.role == Role.HEAD_OF_DIVISION and m.province == province:
            return True
    return False


def _require_manager(actor: Actor, role: str, organisation: Organisation | None, province: str) -> None:
    if not isinstance(actor, Actor):
        raise TypeError(f"a service needs an Actor (weituo.core.actors), not {actor!r}")
    if not _may_manage(actor, role, organisation, province):
        raise PermissionDenied(
            code="permission_denied",
            **messages(gettext_lazy("you may not grant this role")),
        )


def _password_details(password: str, user: AbstractBaseUser) -> list[ErrorDetail]:
    """The password validators' objections, in both languages (they translate as they validate)."""
    rendered: dict[str, list[str]] = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            try:
                password_validation.validate_password(password, user)
                return []
            except ValidationError as e:
                rendered[lang] = [str(m) for m in e.messages]
    return [
        ErrorDetail(message_zh, message_en, field="password")
        for message_zh, message_en in zip(rendered["zh-hans"], rendered["en"], strict=True)
    ]


def _membership_details(membership: Membership, *, exclude: list[str] | None = None) -> list[ErrorDetail]:
    try:
        validate(membership, exclude=exclude)
    except ValidationFailed as e:
        return list(e.details)
    return []


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    full_name: str,
    email: str,
    password: str,
    role: str,
    organisation: Organisation | None = None,
    province: str = "",
    since: dt.date | None = None,
) -> AbstractBaseUser:
    """Create one person's account with its first membership; every problem is reported at once.

    Refused: a generic or shared username (admin, qa, test, 质量部 …), a missing full name, a
    password the validators reject, and a membership that does not fit the role's side.
    """
    _require_manager(actor, role, organisation, province)
    User = get_user_model()
    username = (username or "").strip()
    full_name = " ".join((full_name or "").split())
    details: list[ErrorDetail] = []
    if is_generic_name(username):
        details.append(
            detail(
                gettext_lazy(
                    "username '%(username)s' is not an individual account; each account belongs to one person"
                ),
                username=username,
                field="username",
            )
        )
    if not full_name:
        details.append(detail(gettext_lazy("a full name is required (signatures show it)"), field="full_name"))
    elif is_generic_name(full_name):
        details.append(
            detail(gettext_lazy("full name '%(full_name)s' must name a person"), full_name=full_name, field="full_name")
        )
    user = User(username=username, first_name=full_name, last_name="", email=(email or "").strip())
    details.extend(_password_details(password, user))
    user.set_password(password)
    try:
        validate(user)
    except ValidationFailed as e:
        details.extend(replace(d, field="full_name") if d.field == "first_name" else d for d in e.details)
    membership = Membership(
        role=role,
        organisation=organisation,
        province=province or "",
        since=since or timezone.localdate(),
    )
    details.extend(_membership_details(membership, exclude=["user"]))
    if details:
        raise validation_failed(_unique(details), what=gettext_lazy("user"))
    # The account itself is recorded without its password hash: the ledger is shown to counterparties.
    account = {"username": user.get_username(), "full_name": user.get_full_name(), "email": user.email}
    writes.create(actor, user, recorded=account)
    membership.user = user
    writes.create(actor, membership)
    return user


@transaction.atomic
def membership_add(
    *,
    actor: Actor,
    user: AbstractBaseUser,
    role: str,
    organisation: Organisation | None = None,
    province: str = "",
    since: dt.date | None = None,
) -> Membership:
    """Give a user one more role (a QA who also acts as QP, an inspector moved to another province)."""
    _require_manager(actor, role, organisation, province)
    membership = Membership(
        user=user,
        role=role,
        organisation=organisation,
        province=province or "",
        since=since or timezone.localdate(),
    )
    details = _membership_details(membership)
    if details:
        raise validation_failed(details, what=gettext_lazy("membership"))
    return writes.create(actor, membership)


@transaction.atomic
def membership_end(*, actor: Actor, membership: Membership) -> Membership:
    """Withdraw a role (someone leaves, or changes job): the membership stays on record, inactive."""
    _require_manager(actor, membership.role, membership.organisation, membership.province)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    return writes.record_update(actor=actor, instance=membership, active=False)


@transaction.atomic
def user_grant_admin_site(*, actor: Actor, user: AbstractBaseUser) -> AbstractBaseUser:
    """Open the Django admin site to a platform administrator (and to nobody else: it ignores tenancy)."""
    if not (actor.system or actor.is_platform_admin):
        raise PermissionDenied(
            code="permission_denied",
            **messages(gettext_lazy("only a platform administrator may open the admin site")),
        )
    if not Membership.objects.filter(user=user, role=Role.PLATFORM_ADMIN, active=True).exists():
        raise validation_failed(
            [
                detail(
                    gettext_lazy("only a platform administrator may use the admin site"),
                    field="role",
                )
            ],
            what=gettext_lazy("user"),
        )
    return writes.record_update(actor=actor, instance=user, is_staff=True, is_superuser=True)


def _unique(details: list[ErrorDetail]) -> list[ErrorDetail]:
    return list(dict.fromkeys(details))
