"""``weituo check`` on the small demo: it finds the deficiencies the generator seeded, in every format,
records the findings as of today (and only then), and leaves the ledger intact."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.compliance.conftest import DEMO_AS_OF, SYSTEM
from tests.compliance.seeded import survey
from weituo.compliance.models import Finding, FindingEvent, Scan
from weituo.compliance.services import compliance_scan
from weituo.core.commands import LANGUAGE_VARIABLES
from weituo.integrity.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese_command_line(monkeypatch):
    """The command speaks Chinese, the site's language, whatever the shell running the tests asks for."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def today(monkeypatch):
    """Today is the date the demo describes, whatever the machine's clock says."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: DEMO_AS_OF)
    return DEMO_AS_OF


def check(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("check", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_json(*args: str) -> dict:
    out, _ = check("--format", "json", "--as-of", DEMO_AS_OF.isoformat(), "--no-store", *args)
    return json.loads(out)


def first(catalogue: dict, kind: str) -> str:
    [entry] = catalogue[kind][:1]
    return entry["ref"]


def outcomes(findings: list[dict], rule_id: str, ref: str) -> list[str]:
    return [f["outcome"] for f in findings if f["rule_id"] == rule_id and f["subject"].get("ref") == ref]


def test_check_finds_the_seeded_agreement_deficiencies(demo):
    findings = run_json()["findings"]
    # a template copied from another agreement names another company's people
    assert outcomes(findings, "134-7.contacts-party", first(demo.catalogue, "copied_template")) == ["not_met"]
    # the communication list lacks art. 7 categories
    missing = first(demo.catalogue, "missing_communication_categories")
    assert outcomes(findings, "134-7.communication-list", missing) == ["not_met"]
    # no link person of the CMO
    assert outcomes(findings, "134-6.link-person", first(demo.catalogue, "no_cmo_link_person")) == ["not_met"]
    # no access rights for the MAH, items without time limits
    assert outcomes(findings, "134-6.access", first(demo.catalogue, "no_access_rights")) == ["not_met"]
    assert outcomes(findings, "134-7.communication-list", first(demo.catalogue, "no_time_limit")) == ["not_met"]
    # records other than agreements
    assert outcomes(findings, "134-8.line-capacity", first(demo.catalogue, "line_over_capacity")) == ["not_met"]
    assert outcomes(findings, "38-3.prohibited-catalogue", first(demo.catalogue, "prohibited_device_commissioned")) == [
        "not_met"
    ]
    assert outcomes(findings, "134-3.evaluation", first(demo.catalogue, "contract_without_evaluation")) == ["not_met"]


def test_every_seeded_deficiency_a_rule_covers_is_found(demo):
    result = compliance_scan(actor=SYSTEM, as_of=DEMO_AS_OF, store=False)
    answers = survey(demo.catalogue, result.findings, demo.dataset)
    missed = [(kind, ref, detail) for kind, rows in answers.items() for ref, state, detail in rows if state == "missed"]
    assert missed == []
    found = {kind for kind, rows in answers.items() for _, state, _ in rows if state == "found"}
    assert found >= {
        "copied_template",
        "missing_communication_categories",
        "no_time_limit",
        "no_access_rights",
        "no_cmo_link_person",
        "agreement_outlasts_certificate",
        "implantable_without_resident_staff",
        "key_person_short_experience",
        "idle_sterile_line",
        "line_over_capacity",
        "contract_without_evaluation",
        "prohibited_device_commissioned",
    }
    # what no rule covers is said so, with the reason, not silently ignored
    no_rule = {kind for kind, rows in answers.items() for _, state, _ in rows if state == "no_rule"}
    assert no_rule == {"no_production_date_definition", "sterile_without_resident_staff"}


def test_json_findings_carry_rule_citation_outcome_subject_facts_deadline(demo):
    data = run_json()
    assert data["as_of"] == DEMO_AS_OF.isoformat() and data["scope"] == "all" and data["recorded"] is False
    assert sum(data["counts"].values()) == len(data["findings"]) > 100
    for f in data["findings"]:
        assert {"rule_id", "citation", "outcome", "subject", "facts", "deadline", "provisional"} <= set(f)
        assert f["citation"]["notice"] and f["citation"]["article"] and f["citation"]["quote"]
        assert f["outcome"] in ("met", "not_met", "needs_information", "not_applicable")
        assert f["subject"]["kind"] and ("contract" in f["subject"] or "enterprise" in f["subject"])
        assert f["error"] is None  # wrong or missing data never crashes a rule
    rectification = [
        f for f in data["findings"] if f["rule_id"] == "134-25.rectification" and f["outcome"] == "not_met"
    ]
    assert rectification and all(f["deadline"] == "2027-01-06" for f in rectification)


def test_draft_rules_only_when_asked(demo):
    without = {f["rule_id"] for f in run_json()["findings"]}
    with_drafts = {f["rule_id"] for f in run_json("--include-draft")["findings"]}
    assert not any(r.startswith("draft-") for r in without)
    assert {r for r in with_drafts - without} >= {"draft-pc-4.audit-trail"}


def test_table_for_one_enterprise_lists_its_open_findings(demo):
    cmo = next(o["ref"] for o in demo.dataset["organisations"] if o.get("is_cmo"))
    out, err = check("--org", cmo, "--as-of", DEMO_AS_OF.isoformat(), "--no-store")
    assert f"范围 {cmo}" in out
    assert "134-7.communication-list" in out and "未符合或需补充信息（" in out
    assert "未记录" in err and "载入" in err
    assert "open findings" not in out and "not recorded" not in err  # one language, not both


def test_the_table_is_in_english_when_the_environment_asks(demo, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    cmo = next(o["ref"] for o in demo.dataset["organisations"] if o.get("is_cmo"))
    out, err = check("--org", cmo, "--as-of", DEMO_AS_OF.isoformat(), "--no-store")
    assert f"compliance scan — scope {cmo}" in out and "open findings (" in out
    assert "not recorded; load" in err
    assert "未符合" not in out and "未记录" not in err


def test_html_for_one_enterprise_is_its_self_inspection_report(demo):
    mah = first(demo.catalogue, "copied_template")
    contract = next(a["contract"] for a in demo.dataset["agreements"] if a["ref"] == mah)
    org = next(c["mah"] for c in demo.dataset["contracts"] if c["ref"] == contract)
    out, _ = check("--org", org, "--format", "html", "--as-of", DEMO_AS_OF.isoformat(), "--no-store")
    assert out.startswith("<!doctype html>")
    assert f'data-testid="self-inspection-report" data-ref="{org}"' in out
    assert 'data-ref="134-7.contacts-party" data-outcome="not_met"' in out
    assert 'data-testid="plan-item"' in out and "@page" in out


def test_check_records_as_of_today_and_a_second_run_changes_nothing(demo, today):
    entries = LedgerEntry.objects.count()
    _, err = check()
    scan = Scan.objects.get()
    assert scan.kind == Scan.Kind.FULL and scan.as_of == today and scan.actor.startswith("system:compliance check")
    stored = Finding.objects.count()
    assert stored == scan.counts["met"] + scan.counts["not_met"] + scan.counts["needs_information"]
    assert FindingEvent.objects.count() == stored == scan.changes
    # one ledger entry per change of outcome, and one for the scan
    assert LedgerEntry.objects.count() == entries + stored + 1
    assert f"已记录：检查 #{scan.pk}，{stored} 项结论变化" in err
    _, err = check()
    assert "0 项结论变化" in err and FindingEvent.objects.count() == stored
    out, _ = io.StringIO(), None
    call_command("ledger", "verify", stdout=out)
    assert "审计追踪完整" in out.getvalue()


def test_another_date_is_reported_not_recorded(demo, today):
    _, err = check("--as-of", (today - dt.timedelta(days=200)).isoformat())
    assert "仅报告，不记录结论" in err and not Scan.objects.exists() and not Finding.objects.exists()


def test_unknown_organisation_is_refused(demo):
    with pytest.raises(CommandError, match="ORG-NOPE"):
        check("--org", "ORG-NOPE")


def test_output_to_a_file(demo, tmp_path):
    path = tmp_path / "findings.json"
    check("--format", "json", "--no-store", "--as-of", DEMO_AS_OF.isoformat(), "--output", str(path))
    assert json.loads(path.read_text(encoding="utf-8"))["findings"]


def test_djangos_system_checks_are_still_there(db):
    out, _ = check("--system")
    assert "System check identified" in out
    out = io.StringIO()
    call_command("check", databases=["default"], stdout=out)  # as Django's test runner calls it
    assert "System check identified" in out.getvalue() and not Scan.objects.exists()
