"""Tenant isolation through the API: what a token's user may not see does not exist (404, and absent
from every list), exactly as the selectors decide for the web."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def get(client, world, user: str, path: str):
    return client.get(f"/api/v1{path}", **world.auth(user))


def refs(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["ref"] for item in response.json()["items"]}


def assert_not_found(response) -> None:
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        "/products/P-2",  # the other MAH's product, though on the same shared line
        "/products/P-3",
        "/contracts/CON-2",  # the other MAH's contract
        "/quality-agreements/QA-2",
        "/organisations/ORG-MAH2",
        "/lines/LINE-2",
        "/evaluations/EVAL-1",  # the CMO's own evaluation of this MAH
    ],
)
def test_an_mah_gets_404_for_another_mahs_records(client, world, path):
    assert_not_found(get(client, world, "li.mah", path))


@pytest.mark.parametrize(
    "path",
    ["/lines/LINE-2", "/sites/SITE-2", "/workshops/WS-2", "/contracts/CON-2", "/products/P-3", "/people/PER-QP2"],
)
def test_a_cmo_gets_404_for_another_cmos_records(client, world, path):
    assert_not_found(get(client, world, "wang.cmo", path))
    assert get(client, world, "zhao.cmo2", path).status_code == 200  # they exist: the other CMO sees them


def test_an_unknown_ref_and_an_invisible_one_answer_alike(client, world):
    invisible = get(client, world, "li.mah", "/contracts/CON-2")
    unknown = get(client, world, "li.mah", "/contracts/CON-9")
    assert invisible.status_code == unknown.status_code == 404
    assert invisible.content.decode() == unknown.content.decode().replace("CON-9", "CON-2")
    assert dict(invisible.headers) == dict(unknown.headers)


def test_lists_hold_only_what_the_actor_sees(client, world):
    assert refs(get(client, world, "li.mah", "/products")) == {"P-1"}
    assert refs(get(client, world, "li.mah", "/contracts")) == {"CON-1"}
    assert refs(get(client, world, "li.mah", "/lines")) == {"LINE-1"}
    assert refs(get(client, world, "wang.cmo", "/lines")) == {"LINE-1"}
    assert refs(get(client, world, "wang.cmo", "/products")) == {"P-1", "P-2"}  # both made on its line
    assert refs(get(client, world, "zhao.cmo2", "/contracts")) == {"CON-2"}
    assert refs(get(client, world, "zhao.cmo2", "/quality-agreements")) == {"QA-2"}
    assert refs(get(client, world, "wu.inspector", "/contracts")) == {"CON-1", "CON-2"}  # its province


def test_a_filter_naming_an_invisible_record_is_404(client, world):
    assert_not_found(get(client, world, "li.mah", "/products?holder=ORG-MAH2"))
    assert_not_found(get(client, world, "wang.cmo", "/inspections?line=LINE-2"))


def test_on_a_shared_line_an_mah_sees_its_own_row_only(client, world):
    load = get(client, world, "li.mah", "/lines/LINE-1").json()["load"]
    assert load == {
        "complete": False,
        "shared": True,
        "holders": None,
        "planned_volume": "1200.00",
        "utilisation": None,
        "products": [
            {
                "product": {"ref": "P-1", "name": "盐酸利多卡因注射液"},
                "holder": {"ref": "ORG-MAH", "name": "南京康宁药业有限公司"},
                "annual_volume": "1200.00",
            }
        ],
    }
    load = get(client, world, "wang.cmo", "/lines/LINE-1").json()["load"]
    assert load["complete"] and load["holders"] == 2 and load["utilisation"] == "0.400"
    assert [p["product"]["ref"] for p in load["products"]] == ["P-1", "P-2"]


def test_a_counterpartys_cv_is_withheld(client, world):
    qp_by_mah = get(client, world, "li.mah", "/people/PER-QP").json()
    assert qp_by_mah["experience"] is None and qp_by_mah["appointments"][0]["role"] == "qp"
    qp_by_cmo = get(client, world, "wang.cmo", "/people/PER-QP").json()
    assert [e["employer"] for e in qp_by_cmo["experience"]] == ["苏州华瑞制药有限公司"]
    [key] = get(client, world, "li.mah", "/organisations/ORG-CMO").json()["key_people"]
    assert key["person"]["ref"] == "PER-QP" and key["years"] is None
    [key] = get(client, world, "wang.cmo", "/organisations/ORG-CMO").json()["key_people"]
    assert key["years"]["practice"] > 0


def test_a_contract_shows_the_parties_only_what_they_see(client, world):
    contract = get(client, world, "wang.cmo", "/contracts/CON-1").json()
    assert [p["ref"] for p in contract["products"]] == ["P-1"]
    assert [a["ref"] for a in contract["agreements"]] == ["QA-1"]
    agreement = get(client, world, "li.mah", "/quality-agreements/QA-1").json()
    assert agreement["mah"]["ref"] == "ORG-MAH" and agreement["cmo"]["ref"] == "ORG-CMO"
    assert [r["activity"] for r in agreement["responsibilities"]] == ["release_testing", "revalidation"]
    assert agreement["communications"][0]["mah_contact"] == {"ref": "PER-MQA", "name": "李晓梅"}
    assert "change" in agreement["missing_categories"] and "deviation" not in agreement["missing_categories"]
