"""The engine on its own: declarations refused at load, drafts, parameters by date, deadlines,
exceptions, errors turned into answers, findings as JSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from weituo.core.calendar import WorkingCalendar
from weituo.rules import Outcome, all_notices, all_rules, evaluate
from weituo.rules.engine import (
    Missing,
    MissingFact,
    Notice,
    Parameters,
    RuleDeclarationError,
    RuleRegistry,
    Status,
    parse_parameters,
)
from weituo.rules.facts import ContractFacts, FactsError, OrganisationFacts, ProductFacts, from_dict
from weituo.rules.periods import add_months, add_years

d = dt.date
TEXT = "第一条 受托生产企业应当建立评估机制。\n第二条 持有人应当每年审核一次，\n时限为三年。"
CALENDAR = WorkingCalendar()


def make_notice(registry: RuleRegistry, *, status=Status.IN_FORCE, parameters=None, **kw) -> Notice:
    return Notice(
        id="T-1",
        short="t1",
        title_zh="测试公告",
        title_en="test notice",
        domain="drug",
        status=status,
        published_on=d(2026, 1, 6),
        effective_from=kw.pop("effective_from", d(2026, 1, 6)) if status != Status.DRAFT else None,
        effective_until=kw.pop("effective_until", None),
        text=TEXT,
        parameters=parameters or Parameters("T-1", {}),
        registry=registry,
    )


def org(ref: str, province: str = "32", roles=("mah",)) -> OrganisationFacts:
    return OrganisationFacts(ref=ref, name=ref, uscc="X", province=province, roles=frozenset(roles))


def contract(**kw) -> ContractFacts:
    base = dict(
        ref="C1",
        number="N1",
        mah=org("M"),
        cmo=org("K", roles=("cmo",)),
        status="in_force",
        effective_from=d(2026, 2, 1),
        products=(ProductFacts(ref="P1", name="片", kind="drug", holder_ref="M", status="marketed"),),
    )
    base.update(kw)
    return ContractFacts(**base)


RULE = dict(title_zh="标题", title_en="title", article="1", applies_to="contract", severity="major")


# --- declarations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"article": None},
        {"article": " "},
        {"quote": None},
        {"quote": ""},
        {"quote": "受托生产企业不得建立评估机制。"},  # not in the notice
        {"title_en": ""},
        {"applies_to": "batch"},
        {"severity": "fatal"},
        {"id": "Bad Id"},
        {"bearer": "nobody"},
        {"bearer": "enterprise"},  # a contract's duty falls on its MAH, its CMO or both
        {"applies_to": "line", "bearer": "mah"},  # a line's duty falls on the enterprise running it
    ],
)
def test_a_rule_without_a_proper_citation_or_metadata_is_refused_at_load(change):
    notice = make_notice(RuleRegistry())
    spec = {**RULE, "id": "t1-1.rule", "quote": "受托生产企业应当建立评估机制。", **change}
    with pytest.raises(RuleDeclarationError):
        notice.rule(**spec)(lambda ctx: ctx.met("", ""))


def test_whose_duty_defaults_to_both_parties_on_a_contract_and_the_enterprise_on_its_own():
    notice = make_notice(RuleRegistry())
    spec = {**RULE, "quote": "受托生产企业应当建立评估机制。"}
    assert notice.rule(**spec, id="t1-1.a")(lambda ctx: ctx.met("", "")).bearer == "parties"
    assert (
        notice.rule(**{**spec, "applies_to": "line"}, id="t1-1.b")(lambda ctx: ctx.met("", "")).bearer == "enterprise"
    )
    assert notice.rule(**spec, id="t1-1.c", bearer="cmo")(lambda ctx: ctx.met("", "")).bearer == "cmo"


def test_a_quote_matches_across_line_breaks_and_spaces():
    notice = make_notice(RuleRegistry())
    rule = notice.rule(**RULE, id="t1-2.rule", quote="持有人应当每年审核一次， 时限为三年。")(
        lambda ctx: ctx.met("", "")
    )
    assert rule.citation.article == "1"
    assert rule.citation.to_dict()["quote"] == "持有人应当每年审核一次， 时限为三年。"


def test_duplicate_ids_exceptions_without_condition_and_dangling_exceptions_are_refused():
    registry = RuleRegistry()
    notice = make_notice(registry)
    spec = {**RULE, "quote": "受托生产企业应当建立评估机制。"}
    notice.rule(**spec, id="t1-1.a")(lambda ctx: ctx.met("", ""))
    with pytest.raises(RuleDeclarationError):
        notice.rule(**spec, id="t1-1.a")(lambda ctx: ctx.met("", ""))
    with pytest.raises(RuleDeclarationError):
        notice.rule(**spec, id="t1-1.b", exception_to="t1-1.a")(lambda ctx: ctx.met("", ""))
    notice.rule(
        **spec,
        id="t1-1.c",
        exception_to="t1-1.nothing",
        condition=lambda ctx: True,
        condition_zh="条件",
        condition_en="c",
    )(lambda ctx: ctx.met("", ""))
    with pytest.raises(RuleDeclarationError):
        registry.check()


def test_the_loaded_notices_quote_their_own_text():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules) >= 40
    for rule in rules:
        assert rule.citation.quote and rule.citation.article
        assert "".join(rule.citation.quote.split()) in "".join(rule.notice.text.split())
        assert rule.title_zh and rule.title_en
        assert rule.doc, f"{rule.id} has no docstring stating what it checks"
    assert {n.id for n in all_notices()} >= {"2025-134"}


# --- drafts and effective periods -------------------------------------------------------------------


def test_draft_rules_are_off_by_default_and_can_be_switched_on():
    registry = RuleRegistry()
    notice = make_notice(registry, status=Status.DRAFT)
    notice.rule(**RULE, id="t1-1.draft", quote="受托生产企业应当建立评估机制。")(lambda ctx: ctx.met("好", "fine"))
    rules = registry.rules()
    assert rules[0].status == Status.DRAFT and rules[0].effective_from is None
    assert evaluate([contract()], as_of=d(2026, 3, 1), calendar=CALENDAR, rules=rules) == []
    findings = evaluate([contract()], as_of=d(2026, 3, 1), calendar=CALENDAR, rules=rules, include_draft=True)
    assert [(f.rule_id, f.outcome, f.status) for f in findings] == [("t1-1.draft", Outcome.MET, Status.DRAFT)]


def test_a_non_draft_notice_needs_an_effective_date():
    with pytest.raises(RuleDeclarationError):
        Notice("T", "t", "测", "t", "drug", Status.IN_FORCE, None, None, None, TEXT, Parameters("T", {}))


def test_outside_its_effective_period_a_rule_does_not_apply():
    registry = RuleRegistry()
    notice = make_notice(registry, status=Status.PILOT, effective_until=d(2026, 12, 31))
    notice.rule(**RULE, id="t1-1.pilot", quote="受托生产企业应当建立评估机制。")(lambda ctx: ctx.met("好", "fine"))
    outcomes = {
        day: evaluate([contract()], as_of=day, calendar=CALENDAR, rules=registry.rules())[0].outcome
        for day in (d(2026, 1, 5), d(2026, 1, 6), d(2026, 12, 31), d(2027, 1, 1))
    }
    assert outcomes == {
        d(2026, 1, 5): Outcome.NOT_APPLICABLE,
        d(2026, 1, 6): Outcome.MET,
        d(2026, 12, 31): Outcome.MET,
        d(2027, 1, 1): Outcome.NOT_APPLICABLE,
    }


# --- parameters -------------------------------------------------------------------------------------


def params(values, /, **spec):
    spec = {"values": values, **spec}
    data = {
        "notice": "T-1",
        "parameters": {
            "review_years": {
                "description": {"zh": "审核时限", "en": "time to review"},
                "unit": "years",
                "citation": {"article": "2", "quote": "时限为三年。"},
                **spec,
            }
        },
    }
    return parse_parameters(data, notice_id="T-1", notice_title_zh="测试公告", text=TEXT)


def test_parameters_are_valued_by_date():
    p = params({"2026-01-06": 3, d(2027, 7, 1): 2})
    assert p.at("review_years", d(2026, 1, 6)).value == 3
    assert p.at("review_years", d(2027, 6, 30)).value == 3
    assert p.at("review_years", d(2027, 7, 1)).value == 2
    assert p.at("review_years", d(2027, 7, 1)).since == d(2027, 7, 1)
    assert p.at("review_years", d(2027, 7, 1)).citation.quote == "时限为三年。"
    with pytest.raises(LookupError):
        p.at("review_years", d(2026, 1, 5))


@pytest.mark.parametrize(
    "spec",
    [
        {"citation": None},
        {"citation": {"article": "2"}},
        {"citation": {"article": "2", "quote": "时限为五年。"}},
        {"unit": "fortnights"},
        {"description": {"zh": "只有中文"}},
        {"values": {}},
        {"values": {"not a date": 3}},
        {"values": {"2026-01-06": -1}},
        {"colour": "blue"},
    ],
)
def test_a_parameter_without_citation_or_with_bad_values_is_refused(spec):
    with pytest.raises(RuleDeclarationError):
        params({"2026-01-06": 3}, **spec)


def test_a_rule_records_the_parameters_it_read():
    registry = RuleRegistry()
    notice = make_notice(registry, parameters=params({"2026-01-06": 3, "2027-01-01": 4}))

    @notice.rule(**RULE, id="t1-2.review", quote="时限为三年。")
    def review(ctx):
        return ctx.met(f"{ctx.param('review_years')}", "")

    for day, value in ((d(2026, 12, 31), 3), (d(2027, 1, 1), 4)):
        finding = evaluate([contract()], as_of=day, calendar=CALENDAR, rules=registry.rules())[0]
        assert finding.parameters["review_years"]["value"] == value
        assert finding.parameters["review_years"]["citation"] == "Notice T-1 art. 2"


# --- deadlines --------------------------------------------------------------------------------------


def deadline_rule(registry, start, n):
    notice = make_notice(registry)

    @notice.rule(**RULE, id="t1-1.deadline", quote="受托生产企业应当建立评估机制。")
    def rule(ctx):
        return ctx.not_met("", "", action_zh="做", action_en="do", deadline=ctx.working_days_after(start, n))

    return registry.rules()


def test_a_deadline_in_a_year_without_an_official_schedule_is_provisional():
    rules = deadline_rule(RuleRegistry(), d(2026, 12, 20), 15)
    finding = evaluate([contract()], as_of=d(2026, 12, 21), calendar=CALENDAR, rules=rules)[0]
    assert finding.deadline.year == 2027
    assert finding.provisional is True
    assert "2027" in finding.deadline_basis
    assert finding.overdue is False


def test_a_deadline_within_a_known_year_is_exact_and_counts_holidays():
    # Received on the eve of National Day 2026: 1–7 October are holidays, 10 October (Saturday) is worked.
    rules = deadline_rule(RuleRegistry(), d(2026, 9, 30), 5)
    finding = evaluate([contract()], as_of=d(2026, 10, 20), calendar=CALENDAR, rules=rules)[0]
    assert finding.deadline == d(2026, 10, 13)
    assert finding.provisional is False
    assert finding.overdue is True


def test_months_end_on_the_corresponding_day_or_the_month_end():
    assert add_months(d(2026, 1, 31), 1) == d(2026, 2, 28)
    assert add_months(d(2027, 8, 31), 6) == d(2028, 2, 29)
    assert add_months(d(2026, 7, 15), -6) == d(2026, 1, 15)
    assert add_years(d(2024, 2, 29), 1) == d(2025, 2, 28)
    assert add_years(d(2026, 1, 6), 1) == d(2027, 1, 6)


# --- never a crash, never a silent met -------------------------------------------------------------


def test_missing_facts_answer_needs_information_naming_them():
    registry = RuleRegistry()
    notice = make_notice(registry)

    @notice.rule(**RULE, id="t1-1.needs", quote="受托生产企业应当建立评估机制。")
    def needs(ctx):
        ctx.need("contract.signed_on", ctx.contract.signed_on, "签订日期", "signing date")
        return ctx.met("", "")

    finding = evaluate([contract()], as_of=d(2026, 3, 1), calendar=CALENDAR, rules=registry.rules())[0]
    assert finding.outcome == Outcome.NEEDS_INFORMATION
    assert [m.name for m in finding.missing] == ["contract.signed_on"]
    assert "签订日期" in finding.action_zh and "signing date" in finding.action_en
    assert finding.error is None


def test_a_rule_that_raises_answers_needs_information_with_the_error():
    registry = RuleRegistry()
    notice = make_notice(registry)
    notice.rule(**RULE, id="t1-1.bug", quote="受托生产企业应当建立评估机制。")(lambda ctx: 1 / 0)
    finding = evaluate([contract()], as_of=d(2026, 3, 1), calendar=CALENDAR, rules=registry.rules())[0]
    assert finding.outcome == Outcome.NEEDS_INFORMATION
    assert finding.error.startswith("ZeroDivisionError")


def test_an_exception_that_cannot_be_decided_turns_not_met_into_needs_information():
    registry = RuleRegistry()
    notice = make_notice(registry)
    spec = {**RULE, "quote": "受托生产企业应当建立评估机制。"}
    notice.rule(**spec, id="t1-1.base")(lambda ctx: ctx.not_met("不", "no", action_zh="做", action_en="do"))

    def unknown(ctx):
        raise Missing(MissingFact("contract.cmo_rnd_participation", "研发参与", "R&D participation"))

    notice.rule(
        **spec, id="t1-1.exc", exception_to="t1-1.base", condition=unknown, condition_zh="条件", condition_en="c"
    )(lambda ctx: ctx.met("", ""))
    registry.check()
    findings = {
        f.rule_id: f for f in evaluate([contract()], as_of=d(2026, 3, 1), calendar=CALENDAR, rules=registry.rules())
    }
    assert findings["t1-1.base"].outcome == Outcome.NEEDS_INFORMATION
    assert [m.name for m in findings["t1-1.base"].missing] == ["contract.cmo_rnd_participation"]
    assert findings["t1-1.exc"].outcome == Outcome.NEEDS_INFORMATION


def test_drug_rules_are_not_evaluated_on_device_contracts():
    device = contract(
        products=(
            ProductFacts(ref="D1", name="支架", kind="device", holder_ref="M", status="marketed", device_class="III"),
        )
    )
    assert [f for f in evaluate([device], as_of=d(2026, 3, 1), calendar=CALENDAR) if f.notice == "2025-134"] == []


def test_evaluate_wants_a_date_and_fact_graphs():
    with pytest.raises(TypeError):
        evaluate([contract()], as_of=dt.datetime(2026, 3, 1), calendar=CALENDAR)
    with pytest.raises(TypeError):
        evaluate([{"ref": "C1"}], as_of=d(2026, 3, 1), calendar=CALENDAR)


# --- findings and facts ------------------------------------------------------------------------------


def test_every_finding_is_json_with_the_fields_the_compliance_app_stores():
    findings = evaluate([contract()], as_of=d(2026, 3, 1), calendar=CALENDAR)
    assert findings
    for finding in findings:
        data = json.loads(finding.to_json())
        assert {
            "rule_id",
            "version",
            "citation",
            "outcome",
            "subject",
            "facts",
            "parameters",
            "deadline",
            "provisional",
            "action_zh",
            "action_en",
        } <= set(data)
        assert data["citation"]["quote"]
        assert data["outcome"] in {"met", "not_met", "not_applicable", "needs_information"}
        assert data["error"] is None, data


def test_facts_from_plain_data_refuse_unknown_fields_and_wrong_types():
    good = {"ref": "P1", "name": "片", "kind": "drug", "holder_ref": "M", "status": "marketed", "flags": ["sterile"]}
    assert from_dict(ProductFacts, good).flags == frozenset({"sterile"})
    for bad, where in (
        ({**good, "colour": "red"}, "colour"),
        ({**good, "kind": "food"}, "kind"),
        ({**good, "flags": ["glittery"]}, "glittery"),
        ({**good, "last_commercial_batch_released": "yesterday"}, "last_commercial_batch_released"),
        ({k: v for k, v in good.items() if k != "ref"}, "ref"),
    ):
        with pytest.raises(FactsError, match=where):
            from_dict(ProductFacts, bad)
