"""actor_for_user: who a logged-in user is, in one query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.accounts.world import world_dataset
from weituo.accounts.selectors import actor_for_user
from weituo.accounts.services import membership_add, membership_end, user_create
from weituo.core.actors import system_actor
from weituo.core.roles import Role, Side
from weituo.exchange.services import registry_import
from weituo.registry.models import Organisation

SYSTEM = system_actor("tests: accounts selectors")

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    registry_import(actor=SYSTEM, dataset=world_dataset(), source="accounts tests")
    return user_create(
        actor=SYSTEM,
        username="li.xiaomei",
        full_name="李晓梅",
        email="li@example.org",
        password="Correct-horse-42",
        role=Role.MAH_QA,
        organisation=Organisation.objects.get(ref="MAH-A"),
        since=dt.date(2024, 1, 1),
    )


def test_actor_for_user_in_one_query(user, django_assert_num_queries):
    cmo = Organisation.objects.get(ref="CMO-J")
    membership_add(actor=SYSTEM, user=user, role=Role.CMO_QA, organisation=cmo, since=dt.date(2024, 1, 1))
    membership_add(actor=SYSTEM, user=user, role=Role.INSPECTOR, province="32", since=dt.date(2024, 1, 1))
    with django_assert_num_queries(1):
        actor = actor_for_user(user)
    assert (actor.user_id, actor.username, actor.display_name) == (user.pk, "li.xiaomei", "李晓梅")
    assert actor.label == "li.xiaomei（李晓梅）" and not actor.system
    assert actor.organisation_ids(Side.MAH) == {Organisation.objects.get(ref="MAH-A").pk}
    assert actor.organisation_ids(Side.CMO) == {cmo.pk}
    assert actor.provinces == {"32"} and actor.can_write


def test_ended_and_future_memberships_give_nothing(user):
    [first] = user.memberships.all()
    membership_add(
        actor=SYSTEM,
        user=user,
        role=Role.MAH_QP,
        organisation=Organisation.objects.get(ref="MAH-A"),
        since=dt.date.today() + dt.timedelta(days=30),
    )
    assert [m.role for m in actor_for_user(user).memberships] == ["mah_qa"]
    membership_end(actor=SYSTEM, membership=first)
    assert actor_for_user(user).memberships == ()


def test_a_viewer_may_not_write(user):
    [membership] = user.memberships.all()
    membership_end(actor=SYSTEM, membership=membership)
    membership_add(actor=SYSTEM, user=user, role=Role.MAH_VIEWER, organisation=membership.organisation)
    assert not actor_for_user(user).can_write


def test_anonymous_and_deactivated_users_have_no_membership(user):
    anonymous = actor_for_user(AnonymousUser())
    assert anonymous.memberships == () and not anonymous.can_write and anonymous.user_id is None
    user.is_active = False
    assert actor_for_user(user).memberships == ()
