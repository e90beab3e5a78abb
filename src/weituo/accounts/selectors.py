"""Reads of the accounts app: who a logged-in user is, as the ``Actor`` every service and selector takes."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from weituo.core.actors import Actor, MembershipView

from .models import Membership


def actor_for_user(user: AbstractBaseUser | AnonymousUser) -> Actor:
    """The actor of a user, with their memberships in force today, in one query.

    An anonymous or deactivated user is an actor with no membership: the policy shows them nothing
    and they may write nothing (the web layer sends them to the login page before it gets here).
    A membership that is inactive or starts after today gives nothing.
    """
    if not user.is_authenticated or not user.is_active:
        return Actor(user_id=user.pk, username=user.get_username(), display_name="")
    rows = (
        Membership.objects.filter(user_id=user.pk, active=True, since__lte=timezone.localdate())
        .order_by("role", "organisation_id", "province")
        .values_list("role", "organisation_id", "province")
    )
    return Actor(
        user_id=user.pk,
        username=user.get_username(),
        display_name=user.get_full_name(),
        memberships=tuple(MembershipView(role, organisation_id, province) for role, organisation_id, province in rows),
    )
