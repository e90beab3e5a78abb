"""The platform admin imports a bad workbook — a valid export with one USCC's check character broken —
and sees the error by sheet, row and column, and that nothing was written."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from stdnum.cn import uscc

from tests.browser.helpers import expect, refs_of, visit

SHEET = "企业"
USCC_HEADER = "统一社会信用代码"
REF_HEADER = "编号"
CHECK_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _column(ws, starts_with: str) -> int:
    headers = [str(c.value or "") for c in ws[1]]
    return next(i for i, h in enumerate(headers, start=1) if h.startswith(starts_with))


def test_a_workbook_with_a_broken_uscc_is_refused_row_by_row_and_nothing_is_written(open_page, tmp_path: Path):
    page = open_page("chen.jing")
    expect(page.get_by_test_id("workspace-platform")).to_be_visible()
    page.get_by_test_id("nav-import").click()
    expect(page.get_by_test_id("import-form")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_test_id("export-link").click()
    exported = tmp_path / "export.xlsx"
    download.value.save_as(exported)

    wb = load_workbook(exported)
    ws = wb[SHEET]
    row = 3  # the second organisation
    uscc_cell = ws.cell(row=row, column=_column(ws, USCC_HEADER))
    ref = ws.cell(row=row, column=_column(ws, REF_HEADER)).value
    good = str(uscc_cell.value)
    assert uscc.is_valid(good), good
    broken = good[:17] + next(c for c in CHECK_ALPHABET if c != good[17])
    uscc_cell.value = broken
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)

    page.get_by_test_id("import-file").set_input_files(bad)
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-errors")).to_be_visible()
    error = page.locator(f'[data-testid="import-error"][data-sheet="{SHEET}"][data-row="{row}"]')
    expect(error).to_have_count(1)
    assert error.get_attribute("data-column") in {
        "uscc",
        *(c.value for c in ws[1] if str(c.value).startswith(USCC_HEADER)),
    }
    expect(page.get_by_test_id("import-error")).to_have_count(1)  # only the broken cell
    expect(page.get_by_test_id("import-nothing-written")).to_be_visible()
    expect(page.get_by_test_id("import-report")).to_have_count(0)

    # Nothing written: the organisation still has its USCC, and no organisation has the broken one.
    assert visit(page, f"/organisations/?q={good}") == 200
    assert refs_of(page, "organisation-row") == [ref]
    assert visit(page, f"/organisations/?q={broken}") == 200
    expect(page.get_by_test_id("organisation-row")).to_have_count(0)
