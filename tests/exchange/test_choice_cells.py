"""A choice cell of the workbook: written as its Chinese label whatever language the request speaks,
read back from its code, its Chinese label, its English label, or as older exports wrote it."""

from __future__ import annotations

import pytest
from django.utils import translation

from weituo.exchange.cells import CellError, parse_choice, to_cell
from weituo.exchange.sheets import SHEET_BY_NAME


def status_column():
    return SHEET_BY_NAME["contracts"].column_by_field["status"]


@pytest.mark.parametrize("text", ["in_force", "生效", "in force", "In force", "生效 in force"])
def test_a_choice_is_read_from_its_code_or_either_label(text):
    assert parse_choice(status_column(), text) == "in_force"


def test_an_unknown_value_names_the_allowed_labels():
    with pytest.raises(CellError) as excinfo:
        parse_choice(status_column(), "valid")
    assert "生效" in str(excinfo.value)


def test_the_workbook_is_chinese_even_for_an_english_request():
    SHEET_BY_NAME["contracts"].__dict__.pop("columns", None)  # built afresh under the English UI
    SHEET_BY_NAME["contracts"].__dict__.pop("column_by_field", None)
    with translation.override("en"):
        column = status_column()
        assert to_cell(column, "in_force") == "生效"
        assert column.header == "状态"
