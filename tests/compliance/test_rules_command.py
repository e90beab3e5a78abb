"""``weituo rules list``: every rule with its citation, period, status, whose duty and the facts it reads."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from weituo.rules import all_rules


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("rules", "list", *args, stdout=out)
    return out.getvalue()


def test_the_json_lists_every_rule_with_what_it_reads():
    listed = {r["rule_id"]: r for r in json.loads(run("--format", "json"))}
    assert set(listed) == {r.id for r in all_rules()}
    audit = listed["134-13.audit-report"]
    assert "contract.audits" in audit["facts_read"] and audit["citation"]["quote"]
    assert audit["bearer"] == "mah" and audit["in_force_today"] is True  # the MAH reports on its audit
    assert listed["134-19.letter-time-limit"]["bearer"] == "regulator"
    # and where in weituo each fact is recorded (the command speaks Chinese unless asked otherwise)
    assert audit["recorded_in"]["contract.audits"].startswith("审计（审计页面")
    drafts = [r for r in listed.values() if r["status"] == "draft"]
    assert drafts and not any(r["in_force_today"] for r in drafts)


def test_the_table_speaks_chinese_by_default_and_english_when_asked(monkeypatch):
    table = run()
    assert (
        "持有人对受托方进行实质性现场审计" in table
        and "征求意见稿" in table
        and "义务主体：监管部门" in table
        and "读取：contract.audits" in table
    )
    assert f"共 {len(all_rules())} 条规则" in table
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    english = run()
    assert "The MAH audits the CMO on site" in english and "duty of the regulator" in english
    assert f"{len(all_rules())} rules" in english and "义务主体" not in english and "征求意见稿" not in english


def test_every_fact_a_rule_reads_says_where_it_is_recorded():
    from weituo.compliance.fact_homes import home_of
    from weituo.compliance.rule_catalogue import facts_read_by_rule

    names = {name for facts in facts_read_by_rule().values() for name in facts}
    assert len(names) > 100
    assert sorted(name for name in names if home_of(name) is None) == []
