"""One error body for every failure: the shape, and the status of each kind of error."""

from __future__ import annotations

import pytest

from weituo.registry import selectors

pytestmark = pytest.mark.django_db

KEYS = {"code", "message_zh", "message_en", "field", "details"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == KEYS, body
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"]
    assert isinstance(body["details"], list)
    for detail in body["details"]:
        assert set(detail) == {"message_zh", "message_en", "field"}
        assert detail["message_zh"] and detail["message_en"]
    return body


def send(client, world, user, method, path, data=None, **extra):
    call = getattr(client, method.lower())
    if data is None:
        return call(f"/api/v1{path}", **world.auth(user), **extra)
    return call(f"/api/v1{path}", data, content_type="application/json", **world.auth(user), **extra)


def test_401(client):
    assert_error(client.get("/api/v1/products"), 401, "not_authenticated")


def test_403_permission_denied(client, world):
    body = assert_error(
        send(client, world, "sun.mahview", "PATCH", "/products/P-1", {"strength": "x"}), 403, "permission_denied"
    )
    assert body["field"] is None and body["details"] == []


def test_404_not_found(client, world):
    body = assert_error(send(client, world, "li.mah", "GET", "/products/P-404"), 404, "not_found")
    assert body["field"] == "ref" and body["details"][0]["message_en"] == "P-404 not found"


def test_404_for_an_unknown_endpoint_is_json_too(client, world):
    assert_error(send(client, world, "li.mah", "GET", "/no-such-thing"), 404, "not_found")
    assert_error(client.get("/api/v2/products"), 404, "not_found")


def test_409_invalid_transition(client, world):
    body = assert_error(
        send(client, world, "li.mah", "POST", "/contracts/CON-1/transitions", {"to": "draft"}),
        409,
        "invalid_transition",
    )
    assert body["field"] == "status"


def test_422_from_the_domain_rules_lists_every_problem(client, world):
    product = {
        "ref": "P-X",
        "kind": "drug",
        "holder": "ORG-MAH",
        "name": "某片",
        "status": "marketed",
        "device_class": "II",
    }
    body = assert_error(send(client, world, "li.mah", "POST", "/products", product), 422, "validation_failed")
    assert {d["field"] for d in body["details"]} == {"dosage_form", "device_class", "approval_number"}
    assert body["field"] is None  # several fields: no single one
    assert "nothing was written" in body["message_en"]


def test_422_from_the_request_schema(client, world):
    body = assert_error(send(client, world, "li.mah", "GET", "/products?page=0&kind=cheese"), 422, "invalid_request")
    assert {d["field"] for d in body["details"]} == {"page", "kind"}
    body = assert_error(
        send(client, world, "li.mah", "POST", "/products", {"ref": "bad ref!", "kind": "drug"}), 422, "invalid_request"
    )
    fields = {d["field"] for d in body["details"]}
    assert {"ref", "holder", "name", "status"} <= fields
    [ref] = [d for d in body["details"] if d["field"] == "ref"]
    assert ref["message_zh"] == "ref：格式不符"


def test_422_text_with_a_nul_character_is_refused_before_the_database(client, world):
    body = assert_error(
        send(client, world, "li.mah", "PATCH", "/organisations/ORG-MAH", {"address": "a\x00b"}), 422, "invalid_request"
    )
    assert body["field"] == "address"
    assert_error(send(client, world, "li.mah", "GET", "/products?search=%00"), 422, "invalid_request")


def test_400_for_a_body_that_is_not_json(client, world):
    response = client.post("/api/v1/products", "{not json", content_type="application/json", **world.auth("li.mah"))
    assert_error(response, 400, "bad_request")


def test_403_csrf(client, world):
    from django.test import Client

    session = Client(enforce_csrf_checks=True)
    session.force_login(world.users["li.mah"])
    response = session.patch("/api/v1/products/P-1", {"strength": "x"}, content_type="application/json")
    assert_error(response, 403, "csrf_failed")


def test_500_tells_nothing_of_the_exception(client, world, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(selectors, "product_get", broken)
    response = send(client, world, "li.mah", "GET", "/products/P-1")
    body = assert_error(response, 500, "internal_error")
    assert "hunter2" not in response.content.decode() and "RuntimeError" not in response.content.decode()
    reference = body["message_en"].rsplit("reference ", 1)[1].rstrip(")")
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records), "the error is logged"
