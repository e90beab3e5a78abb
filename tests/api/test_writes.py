"""Writes through the API: each goes through its service, so it is validated, ledgered with the
token's user as the actor, and refused (403) to whoever sees the record but may not change it."""

from __future__ import annotations

import json

import pytest

from tests.exchange.dataset import valid_uscc
from weituo.contracts.models import CommissionContract, CommunicationItem, ResponsibilityItem
from weituo.integrity.models import LedgerEntry
from weituo.registry.models import LineProduct, Organisation, Product

pytestmark = pytest.mark.django_db

NEW_ORG = {"ref": "ORG-NEW", "name": "扬州新药业有限公司", "uscc": valid_uscc("91321000MA1W0009X"), "province": "32"}
NEW_PRODUCT = {
    "ref": "P-NEW",
    "kind": "drug",
    "holder": "ORG-MAH",
    "name": "布洛芬片",
    "status": "in_development",
    "dosage_form": "片剂",
}


def send(client, world, user: str, method: str, path: str, data: dict):
    call = getattr(client, method.lower())
    return call(f"/api/v1{path}", data, content_type="application/json", **world.auth(user))


def latest_entry() -> LedgerEntry:
    return LedgerEntry.objects.order_by("-seq").first()


def assert_ledgered_by(world, user: str, object_type: str, action: str, since: int) -> LedgerEntry:
    entry = latest_entry()
    assert entry.seq > since, "no ledger entry was written"
    assert entry.object_type == object_type and entry.action == action
    assert entry.actor_user_id == world.users[user].pk
    assert entry.actor.startswith(user)
    return entry


def seq() -> int:
    entry = latest_entry()
    return entry.seq if entry else 0


def assert_refused(response, status: int, code: str, before: int) -> None:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert seq() == before, "a refused write must not reach the ledger"


# --- organisations ---------------------------------------------------------------------------------


def test_the_platform_registers_an_organisation(client, world):
    before = seq()
    response = send(client, world, "zheng.admin", "POST", "/organisations", {**NEW_ORG, "is_mah": True})
    assert response.status_code == 201, response.content
    assert response.json()["ref"] == "ORG-NEW" and response.json()["is_mah"]
    entry = assert_ledgered_by(world, "zheng.admin", "registry.organisation", "create", before)
    assert json.loads(entry.new)["uscc"] == NEW_ORG["uscc"]


def test_nobody_else_registers_organisations(client, world):
    before = seq()
    assert_refused(
        send(client, world, "li.mah", "POST", "/organisations", {**NEW_ORG, "is_mah": True}),
        403,
        "permission_denied",
        before,
    )
    assert not Organisation.objects.filter(ref="ORG-NEW").exists()


def test_an_organisation_edits_its_own_record_only(client, world):
    before = seq()
    response = send(client, world, "li.mah", "PATCH", "/organisations/ORG-MAH", {"address": "南京市鼓楼区2号"})
    assert response.status_code == 200 and response.json()["address"] == "南京市鼓楼区2号"
    entry = assert_ledgered_by(world, "li.mah", "registry.organisation", "update", before)
    assert json.loads(entry.new) == {"address": "南京市鼓楼区2号"}
    before = seq()
    # The CMO is its counterparty: visible, not the MAH's to change.
    assert_refused(
        send(client, world, "li.mah", "PATCH", "/organisations/ORG-CMO", {"address": "x"}),
        403,
        "permission_denied",
        before,
    )


def test_an_invalid_edit_is_422_with_the_field_and_writes_nothing(client, world):
    before = seq()
    response = send(client, world, "li.mah", "PATCH", "/organisations/ORG-MAH", {"uscc": "91320100MA1W0001XY"})
    assert_refused(response, 422, "validation_failed", before)
    assert response.json()["field"] == "uscc"
    flags = {f: False for f in ("is_mah", "is_cmo", "is_registrant", "is_device_cmo", "is_testing_lab")}
    response = send(client, world, "li.mah", "PATCH", "/organisations/ORG-MAH", flags)
    assert_refused(response, 422, "validation_failed", before)


# --- products --------------------------------------------------------------------------------------


def test_the_holder_registers_and_changes_its_products(client, world):
    before = seq()
    response = send(client, world, "li.mah", "POST", "/products", {**NEW_PRODUCT, "sterile": True})
    assert response.status_code == 201, response.content
    assert response.json()["holder"]["ref"] == "ORG-MAH" and response.json()["sterile"] is True
    assert_ledgered_by(world, "li.mah", "registry.product", "create", before)

    before = seq()
    response = send(client, world, "li.mah", "PATCH", "/products/P-NEW", {"strength": "0.2g", "shortage": True})
    assert response.status_code == 200 and response.json()["strength"] == "0.2g"
    entry = assert_ledgered_by(world, "li.mah", "registry.product", "update", before)
    assert json.loads(entry.new) == {"strength": "0.2g", "shortage": True}


def test_products_are_the_holders_to_keep(client, world):
    before = seq()
    # The CMO makes P-1 and sees it; it is not the CMO's to change.
    assert_refused(
        send(client, world, "wang.cmo", "PATCH", "/products/P-1", {"strength": "x"}), 403, "permission_denied", before
    )
    assert_refused(send(client, world, "wang.cmo", "POST", "/products", NEW_PRODUCT), 403, "permission_denied", before)
    # Another MAH's product does not exist for this MAH; nor does a holder it may not see.
    assert_refused(send(client, world, "li.mah", "PATCH", "/products/P-2", {"strength": "x"}), 404, "not_found", before)
    response = send(client, world, "li.mah", "POST", "/products", {**NEW_PRODUCT, "holder": "ORG-MAH2"})
    assert_refused(response, 404, "not_found", before)
    assert not Product.objects.filter(ref="P-NEW").exists()


# --- viewers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "method", "path", "data"),
    [
        ("sun.mahview", "PATCH", "/organisations/ORG-MAH", {"address": "x"}),
        ("sun.mahview", "POST", "/products", NEW_PRODUCT),
        ("sun.mahview", "PATCH", "/products/P-1", {"strength": "x"}),
        ("sun.mahview", "POST", "/contracts/CON-1/transitions", {"to": "terminated", "on": "2026-01-01"}),
        ("sun.mahview", "PUT", "/quality-agreements/QA-1/responsibilities/recall", {"party": "mah"}),
        ("qian.cmoview", "PUT", "/lines/LINE-1/products/P-1", {"annual_volume": "1300"}),
        ("qian.cmoview", "PUT", "/quality-agreements/QA-1/communications/change", {"channel": "email"}),
        (
            "qian.cmoview",
            "POST",
            "/contracts",
            {"ref": "CON-V", "number": "V-1", "mah": "ORG-MAH", "cmo": "ORG-CMO", "products": ["P-1"]},
        ),
    ],
)
def test_viewers_get_403_on_every_write(client, world, user, method, path, data):
    before = seq()
    assert_refused(send(client, world, user, method, path, data), 403, "permission_denied", before)


# --- lines -----------------------------------------------------------------------------------------


def test_the_cmo_plans_its_line(client, world):
    before = seq()
    response = send(client, world, "wang.cmo", "PUT", "/lines/LINE-1/products/P-1", {"annual_volume": "1500"})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "line": {"ref": "LINE-1", "name": "小容量注射剂线"},
        "product": {"ref": "P-1", "name": "盐酸利多卡因注射液"},
        "annual_volume": "1500.00",
    }
    entry = assert_ledgered_by(world, "wang.cmo", "registry.lineproduct", "update", before)
    assert json.loads(entry.new) == {"annual_volume": "1500.00"}


def test_a_plan_beyond_capacity_is_422_unless_deliberate(client, world):
    before = seq()
    response = send(client, world, "wang.cmo", "PUT", "/lines/LINE-1/products/P-1", {"annual_volume": "4500"})
    assert_refused(response, 422, "validation_failed", before)
    assert response.json()["field"] == "annual_volume"
    response = send(
        client,
        world,
        "wang.cmo",
        "PUT",
        "/lines/LINE-1/products/P-1",
        {"annual_volume": "4500", "allow_over_capacity": True},
    )
    assert response.status_code == 200
    assert LineProduct.objects.get(line__ref="LINE-1", product__ref="P-1").annual_volume == 4500


def test_an_mah_sees_the_line_but_does_not_plan_it(client, world):
    before = seq()
    response = send(client, world, "li.mah", "PUT", "/lines/LINE-1/products/P-1", {"annual_volume": "1"})
    assert_refused(response, 403, "permission_denied", before)


# --- contracts -------------------------------------------------------------------------------------

NEW_CONTRACT = {
    "ref": "CON-NEW",
    "number": "WT-2026-009",
    "mah": "ORG-MAH",
    "cmo": "ORG-CMO",
    "products": ["P-1"],
    "lines": ["LINE-1"],
    "signed_on": "2026-01-05",
}


def test_a_party_drafts_a_contract_and_brings_it_into_force(client, world):
    before = seq()
    response = send(client, world, "li.mah", "POST", "/contracts", NEW_CONTRACT)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    assert [p["ref"] for p in response.json()["products"]] == ["P-1"]
    assert_ledgered_by(world, "li.mah", "contracts.commissioncontract", "create", before)

    before = seq()
    response = send(
        client, world, "wang.cmo", "POST", "/contracts/CON-NEW/transitions", {"to": "in_force", "on": "2026-01-10"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_force" and response.json()["effective_from"] == "2026-01-10"
    entry = assert_ledgered_by(world, "wang.cmo", "contracts.commissioncontract", "transition", before)
    assert json.loads(entry.new)["status"] == "in_force"


def test_a_transition_the_table_forbids_is_409(client, world):
    before = seq()
    response = send(client, world, "li.mah", "POST", "/contracts/CON-1/transitions", {"to": "draft"})
    assert_refused(response, 409, "invalid_transition", before)
    body = response.json()
    assert body["field"] == "status" and "in_force" in body["message_en"]


def test_terminating_needs_its_date(client, world):
    before = seq()
    response = send(client, world, "li.mah", "POST", "/contracts/CON-1/transitions", {"to": "terminated"})
    assert_refused(response, 422, "validation_failed", before)
    assert response.json()["field"] == "terminated_on"
    response = send(
        client, world, "li.mah", "POST", "/contracts/CON-1/transitions", {"to": "terminated", "on": "2026-06-30"}
    )
    assert response.status_code == 200 and response.json()["agreements"][0]["status"] == "terminated"


def test_contracts_are_the_parties_own(client, world):
    before = seq()
    # MAH2 sees neither this contract nor the products of ORG-MAH.
    assert_refused(
        send(
            client, world, "zhou.mah2", "POST", "/contracts/CON-1/transitions", {"to": "terminated", "on": "2026-01-01"}
        ),
        404,
        "not_found",
        before,
    )
    assert_refused(send(client, world, "zhou.mah2", "POST", "/contracts", NEW_CONTRACT), 404, "not_found", before)
    # The inspector sees the contract (its province) but is no party to it.
    assert_refused(
        send(
            client,
            world,
            "wu.inspector",
            "POST",
            "/contracts/CON-1/transitions",
            {"to": "terminated", "on": "2026-01-01"},
        ),
        403,
        "not_a_party",
        before,
    )
    # A product of another holder, though visible to the CMO, cannot be commissioned by this MAH.
    response = send(client, world, "wang.cmo", "POST", "/contracts", {**NEW_CONTRACT, "products": ["P-1", "P-2"]})
    assert_refused(response, 422, "validation_failed", before)
    assert response.json()["field"] == "products"
    assert not CommissionContract.objects.filter(ref="CON-NEW").exists()


# --- quality agreements ----------------------------------------------------------------------------


def test_a_party_sets_the_responsibility_matrix(client, world):
    before = seq()
    path = "/quality-agreements/QA-1/responsibilities/market_release"
    response = send(
        client, world, "li.mah", "PUT", path, {"party": "mah", "detail": "持有人上市放行", "reason": "art. 10"}
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "activity": "market_release",
        "party": "mah",
        "period_months": None,
        "detail": "持有人上市放行",
    }
    entry = assert_ledgered_by(world, "li.mah", "contracts.responsibilityitem", "create", before)
    assert entry.reason == "art. 10"
    before = seq()
    response = send(
        client, world, "wang.cmo", "PUT", "/quality-agreements/QA-1/responsibilities/revalidation", {"party": "cmo"}
    )
    assert_refused(response, 422, "validation_failed", before)  # revalidation needs its period
    assert response.json()["field"] == "period_months"
    assert ResponsibilityItem.objects.get(agreement__ref="QA-1", activity="revalidation").period_months == 36


def test_a_party_sets_the_communication_list(client, world):
    before = seq()
    data = {
        "mah_contact": "PER-MQA",
        "cmo_contact": "PER-QP",
        "channel": "system",
        "time_limit": 5,
        "time_unit": "working_days",
    }
    response = send(client, world, "wang.cmo", "PUT", "/quality-agreements/QA-1/communications/change", data)
    assert response.status_code == 200, response.content
    assert response.json()["cmo_contact"] == {"ref": "PER-QP", "name": "王建国"}
    assert_ledgered_by(world, "wang.cmo", "contracts.communicationitem", "create", before)
    agreement = client.get("/api/v1/quality-agreements/QA-1", **world.auth("li.mah")).json()
    assert "change" not in agreement["missing_categories"]

    before = seq()
    response = send(
        client, world, "wang.cmo", "PUT", "/quality-agreements/QA-1/communications/recall", {"time_limit": 2}
    )
    assert_refused(response, 422, "validation_failed", before)  # a time limit needs its unit
    response = send(
        client, world, "wang.cmo", "PUT", "/quality-agreements/QA-1/communications/recall", {"cmo_contact": "PER-QP2"}
    )
    assert_refused(response, 404, "not_found", before)  # another CMO's person does not exist for this one
    assert not CommunicationItem.objects.filter(agreement__ref="QA-1", category="recall").exists()


def test_another_mah_cannot_reach_the_agreement(client, world):
    before = seq()
    response = send(
        client, world, "zhou.mah2", "PUT", "/quality-agreements/QA-1/responsibilities/recall", {"party": "mah"}
    )
    assert_refused(response, 404, "not_found", before)
