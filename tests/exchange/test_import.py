"""The registry import: all or nothing, every bad cell named, idempotent."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from tests.exchange.dataset import CMO_USCC, mini_dataset
from weituo.contracts.models import CommissionContract
from weituo.core.actors import system_actor
from weituo.core.commands import LANGUAGE_VARIABLES
from weituo.core.errors import ValidationFailed
from weituo.exchange.formats import dump_json, load_json, read_workbook, write_workbook
from weituo.exchange.selectors import registry_dataset
from weituo.exchange.services import registry_import
from weituo.registry.models import Line, Organisation, Product

SYSTEM = system_actor("tests")

pytestmark = pytest.mark.django_db


def load(dataset, **kw):
    return registry_import(actor=SYSTEM, dataset=dataset, source="test", **kw)


def snapshot() -> dict:
    """Every stored row with its change time: equal snapshots mean nothing was written."""
    data = registry_dataset(actor=SYSTEM)
    stamps = sorted(Organisation.objects.values_list("ref", "updated_at")) + sorted(
        Product.objects.values_list("ref", "updated_at")
    )
    return {"data": data, "stamps": stamps}


def bad_check_char(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def test_import_creates_every_sheet_and_a_second_import_changes_nothing():
    first = load(mini_dataset())
    assert first.counts["organisations"].created == 3
    assert first.counts["line_products"].created == 2
    assert CommissionContract.objects.get(ref="CON-1").products.get().ref == "P-1"
    before = snapshot()

    second = load(mini_dataset())

    assert second.changed == 0
    assert all(c.created == c.updated == 0 for c in second.counts.values())
    assert snapshot() == before


def test_a_changed_cell_updates_only_that_record():
    load(mini_dataset())
    data = mini_dataset()
    data["lines"][0]["design_capacity"] = 6000
    report = load(data)
    assert report.counts["lines"].updated == 1
    assert report.changed == 1
    assert Line.objects.get(ref="LINE-1").design_capacity == 6000


def test_a_changed_many_to_many_link_counts_as_an_update():
    load(mini_dataset())
    data = mini_dataset()
    data["contracts"][0]["products"] = []
    report = load(data)
    assert report.counts["contracts"].updated == 1
    assert not CommissionContract.objects.get(ref="CON-1").products.exists()


def test_bad_uscc_names_sheet_row_column_and_writes_nothing():
    load(mini_dataset())
    before = snapshot()
    data = mini_dataset()
    data["organisations"][1]["uscc"] = bad_check_char(CMO_USCC)
    data["organisations"][1]["name"] = "改名后的企业"
    data["products"][0]["strength"] = "10ml:0.2g"  # a valid change elsewhere must not land either

    with pytest.raises(ValidationFailed) as excinfo:
        load(data)

    [detail] = excinfo.value.details
    assert (detail.sheet, detail.row, detail.column, detail.field) == ("企业", 2, "统一社会信用代码 USCC", "uscc")
    assert "校验位" in detail.message_zh and "check character" in detail.message_en
    assert CMO_USCC[-1] in detail.message_en  # tells the user the expected character
    assert snapshot() == before


def test_error_in_a_child_sheet_rolls_back_the_parents_of_a_fresh_import():
    data = mini_dataset()
    data["communications"][0]["time_unit"] = "weeks"
    with pytest.raises(ValidationFailed) as excinfo:
        load(data)
    [detail] = excinfo.value.details
    assert detail.sheet == "沟通信息清单" and detail.field == "time_unit"
    assert "weeks" in detail.message_en
    assert Organisation.objects.count() == 0
    assert Product.objects.count() == 0


def test_every_bad_row_of_every_sheet_is_reported_at_once():
    data = mini_dataset()
    data["products"][0]["approval_number"] = "国药准字X123"
    data["lines"][0]["design_capacity"] = "很多"
    data["inspections"][0]["inspected_on"] = "2024-13-45"
    data["contracts"][0]["cmo"] = "ORG-NOPE"
    with pytest.raises(ValidationFailed) as excinfo:
        load(data)
    primary = {
        ("产品", 1, "approval_number"),
        ("生产线", 1, "design_capacity"),
        ("检查记录", 1, "inspected_on"),
        ("委托生产协议", 1, "cmo"),
    }
    details = excinfo.value.details
    assert primary <= {(d.sheet, d.row, d.field) for d in details}
    # rows that depend on a bad row say so, rather than claiming the parent does not exist
    knock_on = [d for d in details if (d.sheet, d.row, d.field) not in primary]
    assert knock_on and all("has errors itself" in d.message_en for d in knock_on)


def test_reference_to_a_row_that_failed_says_so():
    data = mini_dataset()
    data["organisations"][0]["uscc"] = "123"
    with pytest.raises(ValidationFailed) as excinfo:
        load(data)
    messages = [d.message_en for d in excinfo.value.details if d.sheet == "产品"]
    assert messages == ["references 企业 'ORG-MAH', which has errors itself"]


def test_duplicates_within_the_file_and_against_the_database():
    load(mini_dataset())
    data = {"organisations": [dict(mini_dataset()["organisations"][0], ref="ORG-NEW")]}  # same USCC, new ref
    with pytest.raises(ValidationFailed) as excinfo:
        load(data)
    assert "existing record" in excinfo.value.details[0].message_en

    twice = {"organisations": [mini_dataset()["organisations"][0], mini_dataset()["organisations"][0]]}
    with pytest.raises(ValidationFailed) as excinfo:
        load(twice)
    assert "duplicates row 1" in excinfo.value.details[0].message_en


def test_model_rules_apply_to_imported_rows():
    data = mini_dataset()
    data["products"][1]["holder"] = "ORG-CMO"  # a CMO cannot hold a drug approval
    data["licences"][0]["class_codes"] = "E"
    with pytest.raises(ValidationFailed) as excinfo:
        load(data)
    fields = {(d.sheet, d.field) for d in excinfo.value.details}
    assert ("产品", "holder") in fields and ("生产许可证", "class_codes") in fields


def test_django_builtin_messages_come_in_both_languages():
    data = mini_dataset()
    data["inspections"][0]["kind"] = ""
    with pytest.raises(ValidationFailed) as excinfo:
        load(data)
    [detail] = excinfo.value.details
    assert detail.field == "kind"
    assert "blank" in detail.message_en and "空" in detail.message_zh


def test_status_changes_on_import_follow_the_transition_table():
    data = mini_dataset()
    data["contracts"][0].update(status="terminated", terminated_on=dt.date(2026, 6, 30))
    data["agreements"][0].update(status="terminated", terminated_on=dt.date(2026, 6, 30))
    load(data)
    revived = mini_dataset()
    with pytest.raises(ValidationFailed) as excinfo:
        load(revived)
    status_errors = [d for d in excinfo.value.details if d.field == "status"]
    assert len(status_errors) == 2  # the contract and its agreement
    assert all("terminated to in_force" in d.message_en for d in status_errors)
    assert CommissionContract.objects.get(ref="CON-1").status == "terminated"


def test_unknown_sheet_and_column_are_refused():
    with pytest.raises(ValidationFailed):
        load({"widgets": []})
    data = mini_dataset()
    data["organisations"][0]["colour"] = "blue"
    with pytest.raises(ValidationFailed) as excinfo:
        load(data)
    assert "colour" in excinfo.value.details[0].message_en


def test_dry_run_validates_without_writing():
    report = load(mini_dataset(), dry_run=True)
    assert report.counts["organisations"].created == 3
    assert Organisation.objects.count() == 0


def workbook_bytes(dataset) -> bytes:
    buf = io.BytesIO()
    write_workbook(dataset, buf)
    return buf.getvalue()


def test_workbook_round_trip_is_idempotent_and_uses_chinese_headers():
    load(mini_dataset())
    exported = registry_dataset(actor=SYSTEM)
    data = read_workbook(io.BytesIO(workbook_bytes(exported)))
    assert load(data).changed == 0
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(workbook_bytes(exported)), read_only=True)
    assert "企业" in wb.sheetnames and "说明" in wb.sheetnames
    header = next(wb["企业"].iter_rows(values_only=True))
    assert "企业名称" in header and "统一社会信用代码 USCC" in header
    row = next(r for r in wb["委托生产协议"].iter_rows(values_only=True) if r[0] == "CON-1")
    assert "生效" in row  # choices are written as the Chinese labels people read (any UI language)


def test_workbook_with_a_bad_uscc_reports_the_excel_row():
    load(mini_dataset())
    exported = registry_dataset(actor=SYSTEM)
    exported["organisations"][2]["uscc"] = bad_check_char(exported["organisations"][2]["uscc"])
    data = read_workbook(io.BytesIO(workbook_bytes(exported)))
    with pytest.raises(ValidationFailed) as excinfo:
        load(data)
    [detail] = excinfo.value.details
    assert (detail.sheet, detail.row, detail.column) == ("企业", 4, "统一社会信用代码 USCC")  # header is row 1


def test_json_round_trip_reproduces_the_registry():
    load(mini_dataset())
    text = dump_json(registry_dataset(actor=SYSTEM))
    exported = registry_dataset(actor=SYSTEM)
    assert load(load_json(text)).changed == 0
    assert registry_dataset(actor=SYSTEM) == exported


def test_not_a_workbook_or_not_our_json_is_a_clear_error():
    with pytest.raises(ValidationFailed) as excinfo:
        read_workbook(io.BytesIO(b"PK not really"))
    assert "Excel" in str(excinfo.value)
    with pytest.raises(ValidationFailed):
        load_json('{"format": "other"}')
    with pytest.raises(ValidationFailed) as excinfo:
        load_json("{oops")
    assert "line 1" in str(excinfo.value)


@pytest.fixture
def chinese_command_line(monkeypatch):
    """The command speaks Chinese, the site's language, whatever the shell running the tests asks for."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_registry_command_exports_and_reimports(tmp_path, chinese_command_line):
    load(mini_dataset())
    xlsx = tmp_path / "registry.xlsx"
    call_command("registry", "export", str(xlsx))
    out = io.StringIO()
    call_command("registry", "import", str(xlsx), stdout=out)
    assert "导入完成：0 条新增或变更" in out.getvalue()

    exported = registry_dataset(actor=SYSTEM)
    exported["organisations"][0]["uscc"] = "91320100MA1W0001XX"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook_bytes(exported))
    with pytest.raises(CommandError) as excinfo:
        call_command("registry", "import", str(bad))
    assert "第2行" in str(excinfo.value) and "统一社会信用代码" in str(excinfo.value)
    assert "row 2" not in str(excinfo.value)  # one language, not both


def test_registry_command_speaks_english_when_the_environment_asks(tmp_path, chinese_command_line):
    chinese_command_line.setenv("LANG", "en_US.UTF-8")
    load(mini_dataset())
    path = tmp_path / "registry.json"
    out = io.StringIO()
    call_command("registry", "export", str(path), stdout=out)
    assert "exported" in out.getvalue() and "rows to" in out.getvalue()
    out = io.StringIO()
    call_command("registry", "import", str(path), "--dry-run", stdout=out)
    assert "validated, nothing written: 0 created or changed" in out.getvalue()
    with pytest.raises(CommandError, match=r"the file must be \.xlsx or \.json"):
        call_command("registry", "import", str(tmp_path / "registry.csv"))


def test_a_missing_required_reference_is_named():
    data = mini_dataset()
    data["sites"][0]["organisation"] = ""
    with pytest.raises(ValidationFailed) as excinfo:
        load(data)
    assert ("生产地址", 1, "organisation") in {(d.sheet, d.row, d.field) for d in excinfo.value.details}


def test_import_validates_references_without_a_query_per_row(django_assert_max_num_queries):
    """Reference checks come from the ref maps: the query count does not grow with the rows."""
    load(mini_dataset())
    data = {"products": [dict(mini_dataset()["products"][0], ref=f"P-X{i}", approval_number=None,
                              status="in_development") for i in range(60)]}  # fmt: skip
    with django_assert_max_num_queries(40):
        load(data)
