"""A fixed number of queries per page, whatever the length of its lists.

Each page is requested with small and large lists (the large ones longer than a page of the
paginator); the count must not grow with them, and stays under a fixed bound.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.exchange.dataset import SYSTEM, valid_uscc
from weituo.contracts.choices import Activity, CommunicationCategory
from weituo.exchange.services import registry_import

pytestmark = pytest.mark.django_db

SIZES = (2, 30)

# page → (user, url, bound). The bound is what each page needs today (session and user included)
# plus three; the equality test below is the real guard against a query per row.
PAGES = {
    "workspace-mah": ("mah.qa", "/", 16),
    "workspace-cmo": ("cmo.qa", "/", 17),
    "workspace-regulator": ("inspector.js", "/", 13),
    "workspace-platform": ("platform.admin", "/", 13),
    "organisations": ("inspector.js", "/organisations/", 11),
    "products": ("mah.qa", "/products/", 11),
    "lines": ("cmo.qa", "/lines/", 12),
    "contracts": ("mah.qa", "/contracts/", 11),
    "organisation-file": ("cmo.qa", "/organisations/ORG-CMO/", 24),
    "product": ("cmo.qa", "/products/P-1/", 15),
    "line": ("cmo.qa", "/lines/LINE-1/", 17),
    "line-shared-mah": ("mah.qa", "/lines/LINE-1/", 17),
    "contract": ("mah.qa", "/contracts/CON-1/", 20),
}


def grow(start: int, stop: int) -> None:
    """More of everything the pages list, numbered start..stop-1: MAHs of Jiangsu, products of ORG-MAH
    on LINE-1 under contracts with ORG-CMO, and rows of QA-1's matrix and list (up to as many as
    there are kinds)."""
    numbers = range(start, stop)
    orgs = [
        {
            "ref": f"ORG-G{i}",
            "name": f"增长{i}药业有限公司",
            "uscc": valid_uscc(f"91320100MA1W{i + 1000:04d}X"),
            "province": "32",
            "is_mah": True,
        }
        for i in numbers
    ]
    products = [
        {
            "ref": f"P-G{i}",
            "kind": "drug",
            "holder": "ORG-MAH",
            "name": f"增长{i}注射液",
            "status": "marketed",
            "approval_number": f"国药准字H3209{i:04d}",
            "dosage_form": "小容量注射剂",
            "category": "h",
        }
        for i in numbers
    ]
    contracts = [
        {
            "ref": f"CON-G{i}",
            "number": f"WT-G-{i:03d}",
            "mah": "ORG-MAH",
            "cmo": "ORG-CMO",
            "status": "draft",
            "products": [f"P-G{i}"],
            "lines": ["LINE-1"],
        }
        for i in numbers
    ]
    categories = [c for c in CommunicationCategory.values if c != "deviation"][start:stop]
    activities = [a for a in Activity.values if a not in ("release_testing", "revalidation")][start:stop]
    registry_import(
        actor=SYSTEM,
        dataset={
            "organisations": orgs,
            "products": products,
            "line_products": [{"line": "LINE-1", "product": f"P-G{i}", "annual_volume": 1} for i in numbers],
            "contracts": contracts,
            "communications": [
                {"agreement": "QA-1", "category": c, "channel": "email", "time_limit": 2, "time_unit": "working_days"}
                for c in categories
            ],
            "responsibilities": [{"agreement": "QA-1", "activity": a, "party": "cmo"} for a in activities],
        },
        source=f"grow {start}-{stop}",
    )


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_stays_under_its_bound(login, django_assert_max_num_queries, name, size):
    username, url, bound = PAGES[name]
    grow(0, size)
    client = login(username)
    client.get(url)  # warm the session
    with django_assert_max_num_queries(bound):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", list(PAGES))
def test_the_count_does_not_grow_with_the_lists(login, name):
    username, url, _bound = PAGES[name]
    client = login(username)
    client.get(url)  # warm the session
    grow(0, SIZES[0])
    small = count(client, url)
    grow(SIZES[0], SIZES[1])  # the same page now lists many more rows (past a page of the paginator)
    large = count(client, url)
    assert large == small, f"{name}: {small} queries with short lists, {large} with long ones"
