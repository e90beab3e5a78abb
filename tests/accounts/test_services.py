"""Accounts services: individual accounts only, a full name, valid passwords, memberships that fit their side."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tests.accounts.world import world_dataset
from weituo.accounts.models import Membership
from weituo.accounts.services import is_generic_name, membership_add, membership_end, user_create
from weituo.core.actors import Actor, MembershipView, system_actor
from weituo.core.errors import PermissionDenied, ValidationFailed
from weituo.core.roles import Role
from weituo.exchange.services import registry_import
from weituo.registry.models import Organisation

SYSTEM = system_actor("tests: accounts")
PASSWORD = "Correct-horse-42"

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs() -> dict[str, Organisation]:
    registry_import(actor=SYSTEM, dataset=world_dataset(), source="accounts tests")
    return {o.ref: o for o in Organisation.objects.all()}


def create(**kw):
    fields = {
        "actor": SYSTEM,
        "username": "li.xiaomei",
        "full_name": "李晓梅",
        "email": "li.xiaomei@example.org",
        "password": PASSWORD,
        "role": Role.MAH_QA,
    }
    return user_create(**{**fields, **kw})


def fields_of(excinfo) -> list[str | None]:
    return [d.field for d in excinfo.value.details]


def test_user_create_stores_the_full_name_whole_with_its_first_membership(orgs):
    user = create(organisation=orgs["MAH-A"])
    assert user.get_full_name() == "李晓梅" and user.last_name == ""  # not split into family and given name
    assert user.check_password(PASSWORD) and user.password != PASSWORD
    [membership] = user.memberships.all()
    assert (membership.role, membership.organisation.ref, membership.active) == ("mah_qa", "MAH-A", True)


@pytest.mark.parametrize(
    "username",
    ["admin", "Admin", "qa", "QA01", "test", "test_user", "user", "guest", "shared", "质量部", "质量部2", "admin-2"],
)
def test_generic_or_shared_usernames_are_refused(orgs, username):
    with pytest.raises(ValidationFailed) as excinfo:
        create(username=username, organisation=orgs["MAH-A"])
    assert "username" in fields_of(excinfo)
    assert "individual account" in " ".join(d.message_en for d in excinfo.value.details)
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("username", ["li.xiaomei", "qa.wang", "wang.qa", "admin.zhang", "张伟", "tester.li"])
def test_personal_usernames_are_accepted(username):
    assert not is_generic_name(username)


def test_a_full_name_is_required(orgs):
    with pytest.raises(ValidationFailed) as excinfo:
        create(full_name="  ", organisation=orgs["MAH-A"])
    assert fields_of(excinfo) == ["full_name"]
    with pytest.raises(ValidationFailed) as excinfo:
        create(full_name="质量部", organisation=orgs["MAH-A"])
    assert fields_of(excinfo) == ["full_name"]


@pytest.mark.parametrize(
    ("password", "why"),
    [("Sh0rt-pw", "at least 10"), ("1234567890123", "entirely numeric"), ("password1234", "too common")],
)
def test_passwords_the_validators_reject_are_refused(orgs, password, why):
    with pytest.raises(ValidationFailed) as excinfo:
        create(password=password, organisation=orgs["MAH-A"])
    assert "password" in fields_of(excinfo)
    assert why in " ".join(d.message_en for d in excinfo.value.details)
    if password.isdigit():  # rendered once in each language (Django translates as it validates)
        assert "密码只包含数字" in " ".join(d.message_zh for d in excinfo.value.details)


def test_every_problem_is_reported_at_once_and_nothing_is_written(orgs):
    with pytest.raises(ValidationFailed) as excinfo:
        create(username="admin", full_name="", password="short", organisation=None)
    assert {"username", "full_name", "password", "organisation"} <= set(fields_of(excinfo))
    assert not get_user_model().objects.exists() and not Membership.objects.exists()


def test_a_username_is_unique(orgs):
    create(organisation=orgs["MAH-A"])
    with pytest.raises(ValidationFailed) as excinfo:
        create(organisation=orgs["MAH-B"])
    assert fields_of(excinfo) == ["username"]


# --- memberships, per side -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "org", "province", "bad_field"),
    [
        # MAH side: an organisation that is an MAH (or a device registrant)
        (Role.MAH_QA, "MAH-A", "", None),
        (Role.MAH_HEAD_OF_QUALITY, "CMO-J", "", "organisation"),
        (Role.MAH_VIEWER, None, "", "organisation"),
        (Role.MAH_QP, "MAH-A", "32", "province"),
        # CMO side: an organisation that is a CMO (or a device CMO)
        (Role.CMO_PRODUCTION, "CMO-J", "", None),
        (Role.CMO_QP, "MAH-A", "", "organisation"),
        (Role.CMO_VIEWER, None, "", "organisation"),
        # regulators: a province and no organisation
        (Role.INSPECTOR, None, "33", None),
        (Role.HEAD_OF_DIVISION, None, "", "province"),
        (Role.INSPECTOR, "MAH-A", "32", "organisation"),
        # the platform admin: neither
        (Role.PLATFORM_ADMIN, None, "", None),
        (Role.PLATFORM_ADMIN, "MAH-A", "", "organisation"),
        (Role.PLATFORM_ADMIN, None, "32", "province"),
    ],
)
def test_membership_must_fit_its_side(orgs, role, org, province, bad_field):
    organisation = orgs[org] if org else None
    if bad_field is None:
        user = create(role=role, organisation=organisation, province=province)
        assert user.memberships.get().role == role
        return
    with pytest.raises(ValidationFailed) as excinfo:
        create(role=role, organisation=organisation, province=province)
    assert bad_field in fields_of(excinfo)
    assert all(" / " not in d.message_zh for d in excinfo.value.details)  # split into zh and en


def test_device_registrant_and_device_cmo_count_as_mah_and_cmo(orgs):
    registrant = orgs["MAH-A"]
    registrant.is_mah, registrant.is_registrant = False, True
    registrant.save()
    device_cmo = orgs["CMO-Z"]
    device_cmo.is_cmo, device_cmo.is_device_cmo = False, True
    device_cmo.save()
    user = create(role=Role.MAH_QA, organisation=registrant)
    membership_add(actor=SYSTEM, user=user, role=Role.CMO_QA, organisation=device_cmo)
    assert user.memberships.count() == 2


def test_membership_add_refuses_a_duplicate_and_membership_end_keeps_the_record(orgs):
    user = create(role=Role.MAH_QA, organisation=orgs["MAH-A"])
    qp = membership_add(actor=SYSTEM, user=user, role=Role.MAH_QP, organisation=orgs["MAH-A"])
    with pytest.raises(ValidationFailed):
        membership_add(actor=SYSTEM, user=user, role=Role.MAH_QP, organisation=orgs["MAH-A"])
    inspector = create(username="zhao.lei", full_name="赵磊", role=Role.INSPECTOR, province="32")
    with pytest.raises(ValidationFailed):
        membership_add(actor=SYSTEM, user=inspector, role=Role.INSPECTOR, province="32")
    membership_add(actor=SYSTEM, user=inspector, role=Role.INSPECTOR, province="33")
    ended = membership_end(actor=SYSTEM, membership=qp)
    assert not ended.active and Membership.objects.filter(pk=qp.pk).exists()


def test_who_may_grant_roles(orgs):
    mah_a, mah_b = orgs["MAH-A"], orgs["MAH-B"]
    head = Actor(1, "head", "质量负责人甲", (MembershipView(Role.MAH_HEAD_OF_QUALITY, mah_a.pk),))
    qa = Actor(2, "qa.one", "QA甲", (MembershipView(Role.MAH_QA, mah_a.pk),))
    division = Actor(3, "chu.zhang", "张处", (MembershipView(Role.HEAD_OF_DIVISION, None, "32"),))
    assert create(actor=head, organisation=mah_a, role=Role.MAH_VIEWER)
    with pytest.raises(PermissionDenied):
        create(actor=head, username="li.two", organisation=mah_b)  # another MAH's staff
    with pytest.raises(PermissionDenied):
        create(actor=head, username="li.three", role=Role.CMO_QA, organisation=orgs["CMO-J"])
    with pytest.raises(PermissionDenied):
        create(actor=qa, username="li.four", organisation=mah_a)  # a QA does not manage accounts
    assert create(actor=division, username="wu.five", role=Role.INSPECTOR, province="32")
    with pytest.raises(PermissionDenied):
        create(actor=division, username="wu.six", role=Role.INSPECTOR, province="33")
    with pytest.raises(PermissionDenied):
        create(actor=division, username="wu.seven", role=Role.PLATFORM_ADMIN)
    with pytest.raises(TypeError):
        create(actor=None, organisation=mah_a)


def test_a_membership_may_start_later(orgs):
    user = create(organisation=orgs["MAH-A"], since=dt.date(2099, 1, 1))
    assert user.memberships.get().since == dt.date(2099, 1, 1)
