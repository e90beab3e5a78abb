"""Excel export of what the actor may see; import for platform admins only, all or nothing, with the
errors shown by sheet, row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.web.helpers import html, ids_of
from weituo.integrity.models import LedgerEntry
from weituo.registry.models import Organisation, Product

pytestmark = pytest.mark.django_db


def _sheet_refs(content: bytes, title: str) -> set[str]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(wb[title].iter_rows(values_only=True))
    col = rows[0].index(next(h for h in rows[0] if h and "ref" in str(h)))
    return {r[col] for r in rows[1:]}


def test_export_holds_only_what_the_actor_may_see(login):
    from weituo.exchange.sheets import SHEET_BY_NAME

    response = login("mah.qa").get("/registry/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    products = _sheet_refs(response.content, SHEET_BY_NAME["products"].title)
    assert products == {"P-1"}
    json_response = login("mah.qa").get("/registry/export/?format=json")
    assert '"P-1"' in html(json_response) and '"P-2"' not in html(json_response)


def test_import_is_refused_to_all_but_the_platform_admin(login):
    for username in ("mah.qa", "cmo.qa", "inspector.js"):
        client = login(username)
        response = client.get("/registry/import/")
        assert response.status_code == 403
        assert "只有平台管理员可以批量导入登记信息" in html(response)
        assert client.post("/registry/import/", {}).status_code == 403


def _bad_workbook() -> io.BytesIO:
    from weituo.exchange.sheets import SHEET_BY_NAME

    sheet = SHEET_BY_NAME["organisations"]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet.title
    ws.append([c.header for c in sheet.columns])
    good = {"ref": "ORG-NEW", "name": "新企业有限公司", "uscc": "91320100MA1W0099XX", "province": "32", "is_mah": True}
    bad = {"ref": "ORG-BAD", "name": "坏数据有限公司", "uscc": "123", "province": "99", "is_mah": True}
    for row in (good, bad):
        ws.append([row.get(c.field) for c in sheet.columns])
    stream = io.BytesIO()
    wb.save(stream)
    stream.seek(0)
    stream.name = "bad.xlsx"
    return stream


def test_a_bad_workbook_shows_sheet_row_column_errors_and_writes_nothing(login):
    client = login("platform.admin")
    organisations, entries = Organisation.objects.count(), LedgerEntry.objects.count()
    response = client.post("/registry/import/", {"file": _bad_workbook()})
    assert response.status_code == 422
    assert {"import-errors", "import-error-table", "import-nothing-written"} <= ids_of(response)
    page = html(response)
    assert 'data-testid="import-error" data-sheet="企业" data-row="3"' in page
    assert 'data-column="统一社会信用代码' in page or 'data-column="uscc"' in page
    assert Organisation.objects.count() == organisations
    assert LedgerEntry.objects.count() == entries


def test_a_good_workbook_can_be_checked_then_imported(login):
    from tests.exchange.dataset import valid_uscc
    from weituo.exchange.formats import write_workbook
    from weituo.exchange.sheets import SHEET_BY_NAME

    dataset = {
        "organisations": [
            {"ref": "ORG-NEW", "name": "新企业有限公司", "uscc": valid_uscc("91320100MA1W0099X"), "province": "32",
             "is_mah": True}
        ]
    }  # fmt: skip
    stream = io.BytesIO()
    write_workbook(dataset, stream)
    client = login("platform.admin")

    def upload(dry_run: bool):
        f = io.BytesIO(stream.getvalue())
        f.name = "new.xlsx"
        return client.post("/registry/import/", {"file": f, **({"dry_run": "on"} if dry_run else {})})

    response = upload(dry_run=True)
    assert response.status_code == 200 and 'data-dry-run="true"' in html(response)
    assert not Organisation.objects.filter(ref="ORG-NEW").exists()
    response = upload(dry_run=False)
    assert response.status_code == 200 and "import-report" in ids_of(response)
    assert Organisation.objects.filter(ref="ORG-NEW").exists()
    assert SHEET_BY_NAME["organisations"].title  # the sheet the report names


def test_a_file_that_is_not_a_workbook_is_reported(login):
    f = io.BytesIO(b"not a workbook")
    f.name = "x.xlsx"
    response = login("platform.admin").post("/registry/import/", {"file": f})
    assert response.status_code == 422 and "import-errors" in ids_of(response)
    assert Product.objects.count() == 3


def test_list_pages_offer_export_to_all_and_import_to_the_platform_admin(login):
    ids = ids_of(login("mah.qa").get("/products/"))
    assert "export-button" in ids and "import-button" not in ids
    ids = ids_of(login("platform.admin").get("/products/"))
    assert {"export-button", "import-button"} <= ids
