"""The shell: login and logout through Django's views with axes, the language switch, the menu by role."""

from __future__ import annotations

import pytest

from tests.web.helpers import html, ids_of
from tests.web.world import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get("/contracts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/contracts/")


def test_login_page_is_chinese_by_default_and_has_its_test_ids(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert {"login-form", "login-username", "login-password", "login-submit", "lang-en"} <= ids_of(response)
    assert "登录" in html(response)
    assert 'lang="zh-Hans"' in html(response)


def test_password_login_goes_through_axes_and_lands_on_the_workspace(world, client):
    response = client.post("/login/", {"username": "mah.qa", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_failed_logins_are_counted_by_axes_and_lock_the_username(world, client, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": "mah.qa", "password": "wrong-password-1"})
    assert AccessAttempt.objects.filter(username="mah.qa").exists()
    # locked out now: even the right password is refused
    response = client.post("/login/", {"username": "mah.qa", "password": PASSWORD})
    assert response.status_code != 302


def test_logout_is_a_post_and_returns_to_the_login_page(login):
    client = login("mah.qa")
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_language_switch_to_english_and_back(login):
    client = login("cmo.qa")
    assert "工作台" in html(client.get("/"))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = html(client.get("/"))
    assert "Workspace" in page and "工作台" not in page
    assert 'lang="en"' in page
    # domain labels show their English half too
    assert "in force" in html(client.get("/contracts/"))
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = html(client.get("/contracts/"))
    assert "生效" in page and "in force" not in page


def test_the_ui_shows_the_glossary_terms_in_chinese(login):
    page = html(login("mah.qa").get("/contracts/CON-1/"))
    for term in ("委托生产协议", "质量协议", "沟通信息清单", "受托生产企业"):
        assert term in page


@pytest.mark.parametrize(
    ("username", "present", "absent"),
    [
        ("mah.qa", {"nav-home", "nav-products", "nav-cmos", "nav-contracts", "nav-lines", "nav-export"},
         {"nav-mahs", "nav-import", "nav-admin", "nav-organisations"}),
        ("cmo.qa", {"nav-home", "nav-lines", "nav-mahs", "nav-products", "nav-contracts"},
         {"nav-cmos", "nav-import", "nav-admin", "nav-organisations"}),
        ("inspector.js", {"nav-home", "nav-organisations", "nav-products", "nav-lines", "nav-contracts"},
         {"nav-import", "nav-admin", "nav-cmos", "nav-mahs"}),
        ("platform.admin", {"nav-home", "nav-organisations", "nav-import", "nav-admin", "nav-export"}, set()),
    ],
)  # fmt: skip
def test_the_menu_follows_the_role(login, username, present, absent):
    ids = ids_of(login(username).get("/"))
    assert present <= ids
    assert not (absent & ids)


def test_the_page_loads_htmx_and_the_stylesheet_from_our_own_static_files(login):
    page = html(login("mah.qa").get("/"))
    assert "/static/django_htmx/htmx-2.min.js" in page
    assert "/static/web/weituo.css" in page
    assert "http://" not in page.replace('xmlns="http://', "") and "https://" not in page
