"""Lists are paginated: ``page``/``page_size`` in, ``{count, page, page_size, items}`` out."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def page(client, world, query: str) -> dict:
    response = client.get(f"/api/v1/organisations?{query}", **world.auth("zheng.admin"))
    assert response.status_code == 200, response.content
    return response.json()


def test_paging_through_a_list_visits_every_item_once(client, world):
    first = page(client, world, "page_size=1")
    assert first["count"] == 4 and first["page"] == 1 and first["page_size"] == 1 and len(first["items"]) == 1
    seen = [item["ref"] for n in range(1, 5) for item in page(client, world, f"page={n}&page_size=1")["items"]]
    assert sorted(seen) == ["ORG-CMO", "ORG-CMO2", "ORG-MAH", "ORG-MAH2"]
    assert seen == [item["ref"] for item in page(client, world, "page_size=10")["items"]]  # a stable order


def test_past_the_end_is_an_empty_page(client, world):
    beyond = page(client, world, "page=3&page_size=2")
    assert beyond["items"] == [] and beyond["count"] == 4


def test_default_and_bounds(client, world):
    assert page(client, world, "")["page_size"] == 50
    for query in ("page_size=201", "page_size=0", "page=0", "page=100001"):
        response = client.get(f"/api/v1/organisations?{query}", **world.auth("zheng.admin"))
        assert response.status_code == 422, query


def test_filters_combine_with_pages(client, world):
    cmos = page(client, world, "role=cmo&page_size=1")
    assert cmos["count"] == 2 and len(cmos["items"]) == 1
    assert page(client, world, "search=华瑞")["count"] == 1
