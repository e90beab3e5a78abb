"""Each workspace shows its role what it may see, and nothing else."""

from __future__ import annotations

import pytest

from tests.web.helpers import html, ids_of, refs

pytestmark = pytest.mark.django_db


def test_mah_workspace_shows_its_products_contracts_and_cmos(login):
    response = login("mah.qa").get("/")
    assert refs(response, "workspace-mah") == {"ORG-MAH"}
    assert refs(response, "product-row") == {"P-1"}
    assert refs(response, "contract-row") == {"CON-1"}
    assert refs(response, "organisation-row") == {"ORG-CMO"}
    assert not {"workspace-cmo", "workspace-regulator", "workspace-platform"} & ids_of(response)
    page = html(response)
    for hidden in ("P-2", "P-3", "CON-2", "ORG-MAH2", "ORG-CMO2", "维生素C注射液"):
        assert hidden not in page


def test_the_other_mah_sees_its_own_world_only(login):
    response = login("mah2.qa").get("/")
    assert refs(response, "product-row") == {"P-2", "P-3"}
    assert refs(response, "contract-row") == {"CON-2"}
    assert refs(response, "organisation-row") == {"ORG-CMO", "ORG-CMO2"}  # its line's owner and its CMO
    assert "盐酸利多卡因注射液" not in html(response)  # P-1 shares its line


def test_cmo_workspace_shows_its_lines_with_every_product_and_the_mahs_it_serves(login):
    response = login("cmo.qa").get("/")
    assert refs(response, "workspace-cmo") == {"ORG-CMO"}
    assert refs(response, "ws-line-row") == {"LINE-1"}
    assert refs(response, "organisation-row") == {"ORG-MAH", "ORG-MAH2"}
    assert refs(response, "contract-row") == {"CON-1"}
    page = html(response)
    assert "盐酸利多卡因注射液" in page and "维生素C注射液" in page  # products per line, both holders
    for hidden in ("LINE-2", "CON-2", "ORG-CMO2", "阿莫西林片"):
        assert hidden not in page


def test_regulator_workspace_lists_the_enterprises_of_its_province(login):
    response = login("inspector.js").get("/")
    assert refs(response, "workspace-regulator") == set() and 'data-province="32"' in html(response)
    assert refs(response, "organisation-row") == {"ORG-MAH", "ORG-MAH2", "ORG-CMO"}
    response = login("inspector.zj").get("/")
    assert refs(response, "organisation-row") == {"ORG-CMO2"}


def test_platform_admin_workspace_links_to_admin_and_everything(login):
    response = login("platform.admin").get("/")
    ids = ids_of(response)
    assert {"workspace-platform", "tile-admin", "tile-import", "tile-export", "tile-organisations"} <= ids
    page = html(response)
    assert 'href="/admin/"' in page
    assert "<b>4</b>" in page  # four organisations


def test_a_user_without_membership_sees_an_empty_workspace(db, client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("nobody.here", password="x-Unused-12345")
    client.force_login(user)
    response = client.get("/")
    assert "no-membership" in ids_of(response)
    assert client.get("/contracts/").status_code == 200
    assert refs(client.get("/contracts/"), "contract-row") == set()
