"""Accounts admin: the same rules as the services (individual accounts, a full name, memberships per side)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from weituo.accounts.models import Membership

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-42"


def add_user(admin_client, username: str, full_name: str = "李晓梅"):
    return admin_client.post(
        reverse("admin:auth_user_add"),
        {"username": username, "full_name": full_name, "email": "", "password1": PASSWORD, "password2": PASSWORD},
    )


def test_admin_refuses_a_generic_username(admin_client):
    response = add_user(admin_client, "qa01")
    assert response.status_code == 200 and "用户名应指向一个人" in response.content.decode()
    assert not get_user_model().objects.filter(username="qa01").exists()


def test_admin_creates_an_individual_account_with_its_full_name(admin_client):
    response = add_user(admin_client, "li.xiaomei", " 李 晓梅 ")
    assert response.status_code == 302
    user = get_user_model().objects.get(username="li.xiaomei")
    assert (user.get_full_name(), user.last_name) == ("李 晓梅", "")


def test_user_page_shows_memberships_and_the_membership_list_loads(admin_client, admin_user):
    page = admin_client.get(reverse("admin:auth_user_change", args=[admin_user.pk])).content.decode()
    assert "姓名（电子签名显示）" in page and 'id="memberships-group"' in page
    assert admin_client.get(reverse("admin:accounts_membership_changelist")).status_code == 200
    assert not Membership.objects.exists()
