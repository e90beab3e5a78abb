"""Registry pages read through the selectors: what one may not see is a 404, exactly like nothing."""

from __future__ import annotations

import pytest

from tests.web.helpers import block, html, ids_of, refs

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("mah.qa", "/products/P-2/"),  # another MAH's product, on the same shared line
        ("mah.qa", "/products/P-3/"),
        ("mah.qa", "/contracts/CON-2/"),  # another MAH's contract
        ("mah.qa", "/organisations/ORG-MAH2/"),
        ("mah.qa", "/lines/LINE-2/"),
        ("mah2.qa", "/contracts/CON-1/"),
        ("cmo.qa", "/lines/LINE-2/"),  # another CMO's line
        ("cmo.qa", "/contracts/CON-2/"),
        ("cmo.qa", "/products/P-3/"),
        ("cmo2.qa", "/lines/LINE-1/"),
        ("cmo2.qa", "/organisations/ORG-MAH/"),
        ("inspector.zj", "/lines/LINE-1/"),
        ("mah.qa", "/products/NO-SUCH/"),  # and one that does not exist: the same answer
    ],
)
def test_what_one_may_not_see_is_not_found(login, username, url):
    response = login(username).get(url)
    assert response.status_code == 404
    assert "not-found" in ids_of(response)


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("mah.qa", "/products/P-1/"),
        ("mah.qa", "/contracts/CON-1/"),
        ("mah.qa", "/lines/LINE-1/"),
        ("mah.qa", "/organisations/ORG-CMO/"),
        ("cmo.qa", "/products/P-2/"),
        ("cmo2.qa", "/lines/LINE-2/"),
        ("inspector.zj", "/contracts/CON-2/"),  # cross-province contract of its CMO
        ("platform.admin", "/lines/LINE-2/"),
    ],
)
def test_what_one_may_see_is_shown(login, username, url):
    assert login(username).get(url).status_code == 200


def test_a_filter_naming_an_invisible_organisation_is_not_found(login):
    assert login("mah.qa").get("/products/?holder=ORG-MAH2").status_code == 404


def test_on_a_shared_line_an_mah_sees_only_its_own_rows_and_no_capacity_in_use(login):
    response = login("mah.qa").get("/lines/LINE-1/")
    assert refs(response, "line-product-row") == {"P-1"}
    assert "line-withheld" in ids_of(response)
    assert "line-utilisation" not in ids_of(response)
    page = html(response)
    assert "维生素C注射液" not in page and "800" not in page  # the other holder's product and volume


def test_the_cmo_sees_every_row_of_its_line_and_the_capacity_in_use(login):
    response = login("cmo.qa").get("/lines/LINE-1/")
    assert refs(response, "line-product-row") == {"P-1", "P-2"}
    assert 'data-testid="line-holders">' in html(response)
    assert "40.0%" in block(response, "line-utilisation")  # (1200 + 800) / 5000


def test_the_organisation_file_has_every_section(login):
    response = login("cmo.qa").get("/organisations/ORG-CMO/")
    ids = ids_of(response)
    for section in ("licences", "sites", "products", "people", "contracts", "inspections"):
        assert f"section-{section}" in ids
    assert {"trail-panel", "signature-panel"} <= ids
    assert refs(response, "licence") == {"LIC-CMO"}
    assert refs(response, "site") == {"SITE-1"}
    assert refs(response, "site-line") == {"LINE-1"}
    assert refs(response, "person-row") == {"PER-QP"}
    assert refs(response, "contract-row") == {"CON-1"}
    assert refs(response, "inspection-row") == {"INSP-1"}
    assert "cv-withheld" not in ids  # its own people's CVs


def test_a_counterparty_file_shows_key_people_without_their_cv(login):
    response = login("mah.qa").get("/organisations/ORG-CMO/")
    assert refs(response, "person-row") == {"PER-QP"}
    assert "cv-withheld" in ids_of(response)
    assert refs(response, "contract-row") == {"CON-1"}


def test_the_product_page_shows_lines_contracts_flags_and_trail(login):
    response = login("mah.qa").get("/products/P-1/")
    assert refs(response, "line-row") == {"LINE-1"}
    assert refs(response, "contract-row") == {"CON-1"}
    assert 'data-flag="sterile"' in html(response)
    trail = block(response, "trail-panel")
    assert 'data-action="create"' in trail
    assert "系统任务：tests" in trail  # a system job by its purpose, in the reader's language


def test_lists_search_filter_and_paginate(login):
    client = login("platform.admin")
    assert refs(client.get("/organisations/?role=cmo"), "organisation-row") == {"ORG-CMO", "ORG-CMO2"}
    assert refs(client.get("/organisations/?province=33"), "organisation-row") == {"ORG-CMO2"}
    assert refs(client.get("/organisations/?q=康宁"), "organisation-row") == {"ORG-MAH"}
    assert refs(client.get("/products/?q=阿莫西林"), "product-row") == {"P-3"}
    assert refs(client.get("/products/?holder=ORG-MAH2"), "product-row") == {"P-2", "P-3"}
    assert refs(client.get("/lines/?organisation=ORG-CMO2"), "line-row") == {"LINE-2"}
    assert refs(client.get("/contracts/?q=WT-2024-002"), "contract-row") == {"CON-2"}
    assert refs(client.get("/contracts/?status=terminated"), "contract-row") == set()
    # an unknown filter value is ignored rather than an error
    assert client.get("/organisations/?role=pirate").status_code == 200


def test_pagination_pages_through_a_long_list(login, settings, monkeypatch):
    from weituo.web import shell

    monkeypatch.setattr(shell, "PAGE_SIZE", 2)
    monkeypatch.setattr(shell.paginate, "__defaults__", (2,))
    client = login("platform.admin")
    first = client.get("/organisations/")
    assert len(refs(first, "organisation-row")) == 2 and "page-next" in ids_of(first)
    last = client.get("/organisations/?page=2")
    assert len(refs(last, "organisation-row")) == 2 and "page-prev" in ids_of(last)
    assert refs(first, "organisation-row").isdisjoint(refs(last, "organisation-row"))


def test_htmx_filtering_returns_only_the_results_table(login):
    response = login("platform.admin").get("/products/?q=阿莫西林", HTTP_HX_REQUEST="true")
    page = html(response)
    assert "<html" not in page and 'data-testid="product-table"' in page
    assert refs(response, "product-row") == {"P-3"}
