"""The OpenAPI schema at /api/v1/openapi.json and the Swagger UI at /api/docs, served with nothing
from the internet (the plants run on intranets)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/v1/me"),
    ("get", "/api/v1/organisations"),
    ("post", "/api/v1/organisations"),
    ("get", "/api/v1/organisations/{ref}"),
    ("patch", "/api/v1/organisations/{ref}"),
    ("get", "/api/v1/sites"),
    ("get", "/api/v1/sites/{ref}"),
    ("get", "/api/v1/workshops"),
    ("get", "/api/v1/workshops/{ref}"),
    ("get", "/api/v1/lines"),
    ("get", "/api/v1/lines/{ref}"),
    ("put", "/api/v1/lines/{ref}/products/{product}"),
    ("get", "/api/v1/products"),
    ("post", "/api/v1/products"),
    ("get", "/api/v1/products/{ref}"),
    ("patch", "/api/v1/products/{ref}"),
    ("get", "/api/v1/licences"),
    ("get", "/api/v1/licences/{ref}"),
    ("get", "/api/v1/people"),
    ("get", "/api/v1/people/{ref}"),
    ("get", "/api/v1/inspections"),
    ("get", "/api/v1/inspections/{ref}"),
    ("get", "/api/v1/contracts"),
    ("post", "/api/v1/contracts"),
    ("get", "/api/v1/contracts/{ref}"),
    ("post", "/api/v1/contracts/{ref}/transitions"),
    ("get", "/api/v1/quality-agreements"),
    ("get", "/api/v1/quality-agreements/{ref}"),
    ("put", "/api/v1/quality-agreements/{ref}/responsibilities/{activity}"),
    ("put", "/api/v1/quality-agreements/{ref}/communications/{category}"),
    ("get", "/api/v1/tech-transfers"),
    ("get", "/api/v1/tech-transfers/{ref}"),
    ("get", "/api/v1/tech-transfers/{ref}/progress"),
    ("post", "/api/v1/tech-transfers"),
    ("put", "/api/v1/tech-transfers/{ref}/team"),
    ("post", "/api/v1/tech-transfers/{ref}/steps"),
    ("patch", "/api/v1/tech-transfers/{ref}/steps/{step}"),
    ("post", "/api/v1/tech-transfers/{ref}/complete"),
    ("post", "/api/v1/tech-transfers/{ref}/risks"),
    ("post", "/api/v1/tech-transfers/{ref}/risks/{risk_ref}/control"),
    ("post", "/api/v1/tech-transfers/{ref}/risks/{risk_ref}/stop"),
    ("get", "/api/v1/evaluations"),
    ("get", "/api/v1/evaluations/{ref}"),
    # quality events, deadlines, retention obligations
    ("get", "/api/v1/events"),
    ("post", "/api/v1/events"),
    ("get", "/api/v1/events/{ref}"),
    ("post", "/api/v1/events/{ref}/acknowledge"),
    ("post", "/api/v1/events/{ref}/withdraw"),
    ("post", "/api/v1/events/{ref}/close"),
    ("get", "/api/v1/events/{ref}/timeline"),
    ("post", "/api/v1/events/{ref}/investigation"),
    ("post", "/api/v1/events/{ref}/reclassifications"),
    ("post", "/api/v1/events/{ref}/reclassifications/{reclassification_id}/decision"),
    ("post", "/api/v1/events/{ref}/capas"),
    ("post", "/api/v1/events/{ref}/capas/{capa_id}/implement"),
    ("post", "/api/v1/events/{ref}/capas/{capa_id}/effectiveness"),
    ("get", "/api/v1/retention-obligations"),
    ("post", "/api/v1/retention-obligations/{obligation_id}/fulfil"),
    ("get", "/api/v1/deadlines"),
    # batches and their two-step release
    ("get", "/api/v1/batches"),
    ("post", "/api/v1/batches"),
    ("get", "/api/v1/batches/{ref}"),
    ("get", "/api/v1/batches/{ref}/timeline"),
    ("get", "/api/v1/batches/{ref}/documents/{document_id}"),
    ("post", "/api/v1/batches/{ref}/results"),
    ("post", "/api/v1/batches/{ref}/documents"),
    ("get", "/api/v1/batches/{ref}/releases/{step}/signing"),
    ("post", "/api/v1/batches/{ref}/factory-release"),
    ("post", "/api/v1/batches/{ref}/market-release"),
    ("post", "/api/v1/batches/{ref}/reject"),
    # change control (art. 9)
    ("get", "/api/v1/changes"),
    ("post", "/api/v1/changes"),
    ("get", "/api/v1/changes/{ref}"),
    ("post", "/api/v1/changes/{ref}/classification"),
    ("post", "/api/v1/changes/{ref}/decision"),
    ("post", "/api/v1/changes/{ref}/filing"),
    ("post", "/api/v1/changes/{ref}/implementation"),
    ("post", "/api/v1/changes/{ref}/close"),
    ("post", "/api/v1/changes/{ref}/withdraw"),
    ("get", "/api/v1/changes/{ref}/timeline"),
    ("get", "/api/v1/audits"),
    ("post", "/api/v1/audits"),
    ("get", "/api/v1/audits/{ref}"),
    ("get", "/api/v1/audits/{ref}/timeline"),
    ("get", "/api/v1/audits/{ref}/report/file"),
    ("post", "/api/v1/audits/{ref}/conduct"),
    ("post", "/api/v1/audits/{ref}/findings"),
    ("post", "/api/v1/audits/{ref}/report"),
    ("post", "/api/v1/audits/{ref}/findings/{finding}/capas"),
    ("post", "/api/v1/audits/{ref}/capas/{capa}/implement"),
    ("post", "/api/v1/audits/{ref}/capas/{capa}/check"),
    ("post", "/api/v1/audits/{ref}/close"),
    ("post", "/api/v1/audits/{ref}/cancel"),
    ("get", "/api/v1/shared-line/assessments"),
    ("post", "/api/v1/shared-line/assessments"),
    ("get", "/api/v1/shared-line/assessments/{ref}"),
    ("post", "/api/v1/shared-line/assessments/{ref}/findings"),
    ("post", "/api/v1/shared-line/assessments/{ref}/notify"),
    ("post", "/api/v1/shared-line/assessments/{ref}/notices/{notice_id}/response"),
    ("post", "/api/v1/shared-line/assessments/{ref}/capas"),
    ("post", "/api/v1/shared-line/assessments/{ref}/capas/{capa_id}/implement"),
    ("post", "/api/v1/shared-line/assessments/{ref}/capas/{capa_id}/effectiveness"),
    ("post", "/api/v1/shared-line/assessments/{ref}/close"),
    ("get", "/api/v1/shared-line/assessments/{ref}/timeline"),
    ("get", "/api/v1/shared-line/notices"),
    ("get", "/api/v1/shared-line/notices/{ref}"),
    ("post", "/api/v1/shared-line/notices/{ref}/feedback"),
    ("post", "/api/v1/shared-line/notices/{ref}/agreement"),
    ("post", "/api/v1/shared-line/notices/{ref}/capas/{capa_id}/decision"),
    ("get", "/api/v1/shared-line/notices/{ref}/timeline"),
}


def test_the_schema_describes_every_operation_its_security_and_its_errors(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = {(m, p) for p, item in schema["paths"].items() for m in item}
    assert operations == OPERATIONS
    assert schema["components"]["securitySchemes"] == {
        "BearerToken": {"type": "http", "scheme": "bearer"},
        "SessionWithCsrf": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"BearerToken": []} in operation["security"], (method, path)
            for status in ("401", "422") if path != "/api/v1/me" else ("401",):
                assert operation["responses"][status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOut"
                }, (method, path, status)
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message_zh", "message_en", "field", "details"}


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def test_the_docs_page_uses_local_assets_only(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    parser = Assets()
    parser.feed(html)
    assert parser.urls, "the page loads its assets"
    assert all(url.startswith("/static/ninja/") for url in parser.urls), parser.urls
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", html, re.IGNORECASE), "no external URL at all"
    assert '"validatorUrl": null' in html  # no call to swagger.io's public validator either
    assert '"url": "/api/v1/openapi.json"' in html
    for url in parser.urls:
        assert finders.find(url.removeprefix("/static/")), f"{url} is not among the static files"
