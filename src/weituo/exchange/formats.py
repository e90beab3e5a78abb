"""The two file formats of the registry: an Excel workbook (one sheet per entity, Chinese headers)
and JSON. Both read into and write from the dataset that the import service and the export selector use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from weituo.core.errors import ErrorDetail
from weituo.core.i18n import bounded, detail, validation_failed

from .cells import to_cell, to_json
from .sheets import SHEET_BY_NAME, SHEET_BY_TITLE, SHEETS

JSON_FORMAT = "weituo-registry"
JSON_VERSION = 1
GUIDE_TITLE = "说明"

KIND_ZH = {
    "str": "文本", "int": "整数", "decimal": "数字", "date": "日期 YYYY-MM-DD", "bool": "是/否",
    "choice": "可选值", "fk": "编号（引用）", "m2m": "编号列表，以;分隔",
}  # fmt: skip


def write_workbook(dataset: dict[str, list[dict[str, Any]]], stream: IO[bytes]) -> None:
    """One sheet per entity, Chinese headers, plus a guide sheet listing each column's field and values."""
    wb = Workbook(write_only=True)
    guide = wb.create_sheet(GUIDE_TITLE)
    guide.append(["工作表 sheet", "列 column", "字段 field", "类型 kind", "必填 required", "可选值 allowed values"])
    for sheet in SHEETS:
        for col in sheet.columns:
            allowed = "、".join(label for _, label in col.choices)
            guide.append([sheet.title, col.header, col.field, KIND_ZH[col.kind], "是" if col.required else "", allowed])
    for sheet in SHEETS:
        if sheet.name not in dataset:
            continue
        ws = wb.create_sheet(sheet.title)
        ws.append(_bold_cells(ws, [c.header for c in sheet.columns]))
        for row in dataset[sheet.name]:
            ws.append([to_cell(c, row.get(c.field)) for c in sheet.columns])
    wb.save(stream)


def _bold_cells(ws: Any, values: Iterable[str]) -> list:
    cells = []
    for v in values:
        cell = WriteOnlyCell(ws, value=v)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def read_workbook(stream: IO[bytes]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """Rows keyed by field name with their Excel row numbers; raise ValidationFailed on bad sheets or headers."""
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a file that is not a workbook
        raise validation_failed(
            [detail(gettext_lazy("the file is not a valid Excel workbook (.xlsx): %(error)s"), error=bounded(e, 200))],
            what=gettext_lazy("import file"),
        ) from None
    errors: list[ErrorDetail] = []
    dataset: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for ws in wb.worksheets:
        if ws.title == GUIDE_TITLE:
            continue
        sheet = SHEET_BY_TITLE.get(ws.title) or SHEET_BY_NAME.get(ws.title)
        if sheet is None:
            known = "、".join(s.title for s in SHEETS)
            errors.append(detail(gettext_lazy("unknown sheet (available: %(known)s)"), known=known, sheet=ws.title))
            continue
        by_header = {c.header: c.field for c in sheet.columns} | {c.field: c.field for c in sheet.columns}
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        fields: list[str | None] = []
        for i, h in enumerate(header, start=1):
            name = by_header.get(str(h).strip()) if h is not None else None
            if h is not None and name is None:
                errors.append(detail(gettext_lazy("unknown column header"), sheet=ws.title, row=1, column=bounded(h)))
            if name is not None and name in fields:
                errors.append(
                    detail(
                        gettext_lazy("column %(number)s repeats a header"),
                        number=i,
                        sheet=ws.title,
                        row=1,
                        column=bounded(h),
                    )
                )
            fields.append(name)
        data = []
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue  # blank lines people leave in spreadsheets
            data.append((number, {f: v for f, v in zip(fields, values, strict=False) if f is not None}))
        dataset[sheet.name] = data
    if errors:
        raise validation_failed(errors, what=gettext_lazy("import file"))
    return dataset


def dump_json(dataset: dict[str, list[dict[str, Any]]]) -> str:
    sheets = {
        name: [{c.field: to_json(c, row.get(c.field)) for c in SHEET_BY_NAME[name].columns} for row in rows]
        for name, rows in dataset.items()
    }
    return json.dumps({"format": JSON_FORMAT, "version": JSON_VERSION, "sheets": sheets}, ensure_ascii=False, indent=1)


def load_json(text: str) -> dict[str, list[dict[str, Any]]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise validation_failed(
            [detail(gettext_lazy("invalid JSON at line %(line)s: %(error)s"), line=e.lineno, error=e.msg)],
            what=gettext_lazy("import file"),
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != JSON_FORMAT or not isinstance(doc.get("sheets"), dict):
        raise validation_failed(
            [detail(gettext_lazy("not a %(json_format)s file (format/sheets missing)"), json_format=JSON_FORMAT)],
            what=gettext_lazy("import file"),
        )
    if doc.get("version") != JSON_VERSION:
        raise validation_failed(
            [detail(gettext_lazy("unsupported version %(version)s"), version=bounded(doc.get("version")))],
            what=gettext_lazy("import file"),
        )
    bad = [
        detail(gettext_lazy("each sheet must be a list of objects"), sheet=bounded(name))
        for name, rows in doc["sheets"].items()
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows)
    ]
    if bad:
        raise validation_failed(bad, what=gettext_lazy("import file"))
    return doc["sheets"]
