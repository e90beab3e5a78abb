"""Which finding shows each deficiency the demo generator seeded (its catalogue), and whether a scan
found it. Used by the tests on the small demo and to report on the province demo.

``locate(kind, entry, findings, dataset)`` answers one of:

* ``found`` — a finding of the rule that checks this deficiency is not met on its subject (or, for a
  product with no batch in its cycle, an exception of the notice applies and says so);
* ``missed`` — the rule applies to the subject and did not find it: a bug;
* ``out_of_scope`` — the rule exists but does not apply to this subject (a drug rule and a device
  agreement, a line no contract uses, a key person of a CMO with no sterile contract, a same-province
  contract for a rule about cross-province letters …), with the reason;
* ``no_rule`` — no machine-checkable rule of the notices covers it (yet), with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from weituo.rules import Finding

NO_RULE = {
    "no_production_date_definition": "the notices set no rule on defining the production date (Jiangsu study)",
    "sterile_without_resident_staff": "Notice 2025-134 requires resident staff only in the biologics pilot; art. 5 "
    "asks for on-site supervision of sterile validation (134-5.sterile-supervision), not resident staff",
}
AGREEMENT_RULES = {
    "copied_template": ("drug", ("134-7.contacts-party",)),
    "missing_communication_categories": ("drug", ("134-7.communication-list",)),
    "no_time_limit": ("drug", ("134-7.communication-list",)),
    "no_access_rights": ("drug", ("134-6.access",)),
    "no_cmo_link_person": ("drug", ("134-6.link-person",)),
    "no_annual_review": ("device", ("38-5.annual-agreement-review",)),
    "agreement_outlasts_certificate": ("device", ("38-4.agreement-validity",)),
    "implantable_without_resident_staff": ("device", ("38-3.implantable-resident-staff",)),
}


def _not_met(findings: Iterable[Finding], rule_ids: Iterable[str]) -> list[Finding]:
    ids = set(rule_ids)
    return [f for f in findings if f.rule_id in ids and str(f.outcome) == "not_met"]


def _index(dataset: dict[str, list[dict]]) -> dict[str, Any]:
    products = {p["ref"]: p for p in dataset["products"]}
    contracts = {c["ref"]: c for c in dataset["contracts"]}
    agreements = {a["ref"]: a for a in dataset["agreements"]}
    orgs = {o["ref"]: o for o in dataset["organisations"]}
    people = {p["ref"]: p for p in dataset["people"]}
    return {"products": products, "contracts": contracts, "agreements": agreements, "orgs": orgs, "people": people}


def _domain(ix: dict, contract_ref: str) -> str:
    kinds = {ix["products"][p]["kind"] for p in ix["contracts"][contract_ref]["products"]}
    return "device" if kinds == {"device"} else "drug"


def locate(kind: str, entry: dict, findings: list[Finding], dataset: dict[str, list[dict]]) -> tuple[str, str]:
    ref = entry["ref"]
    ix = _index(dataset)
    if kind in NO_RULE:
        return "no_rule", NO_RULE[kind]
    if kind == "unassigned_responsibility":
        if "留样" not in entry["detail"] and "稳定性" not in entry["detail"]:  # DEMO_WORDS of retention, stability
            return "no_rule", "only who keeps samples and runs stability is an obligation (art. 11); " + entry["detail"]
        kind_rules = ("drug", ("134-11.retention-party",))
    else:
        kind_rules = AGREEMENT_RULES.get(kind)
    if kind_rules is not None:
        domain, rules = kind_rules
        contract = ix["agreements"][ref]["contract"]
        if _domain(ix, contract) != domain:
            return "out_of_scope", f"a {domain} rule; {ref} is the agreement of a {_domain(ix, contract)} contract"
        current = [f for f in findings if f.subject.get("contract") == contract and f.subject["kind"] == "agreement"]
        if current and all(f.subject.get("ref") != ref for f in current):
            return "out_of_scope", f"{ref} is not the agreement in force of {contract}"
        hit = [f for f in _not_met(findings, rules) if f.subject.get("ref") == ref]
        return ("found", hit[0].rule_id) if hit else ("missed", ", ".join(rules))
    if kind in ("key_person_short_experience", "key_person_no_same_type_experience"):
        if kind == "key_person_short_experience":
            rule, attributes = "134-17.key-persons", ("practice_years", "sterile_years")
        else:
            rule = "134-17.key-persons-same-type"
            attributes = tuple(
                f"{t}_years" for t in ("tcm_injection", "multicomponent_biochemical") if t in entry["detail"]
            )
        keys = {f"{ref}.{a}" for a in attributes}
        mentions = [f for f in findings if f.rule_id == rule and keys & set(f.facts)]
        if not mentions:
            org = ix["people"][ref]["organisation"]
            return "out_of_scope", f"{rule} applies to no contract of {org} needing it (no such product commissioned)"
        hit = [f for f in mentions if str(f.outcome) == "not_met"]
        return ("found", rule) if hit else ("missed", rule)
    if kind in ("idle_sterile_line", "idle_line"):
        on_line = [
            f for f in findings if f.rule_id == "134-18.idle-line" and ref in (f.facts.get("contract.lines") or [])
        ]
        if not on_line:
            return "out_of_scope", f"no contract names {ref} (134-18.idle-line is checked when commissioning on it)"
        hit = [f for f in on_line if str(f.outcome) == "not_met" and ref in (f.facts.get("idle_lines") or [])]
        return ("found", "134-18.idle-line") if hit else ("missed", "134-18.idle-line")
    if kind == "line_over_capacity":
        hit = [f for f in _not_met(findings, ["134-8.line-capacity"]) if f.subject.get("ref") == ref]
        return ("found", "134-8.line-capacity") if hit else ("missed", "134-8.line-capacity")
    if kind == "tech_transfer_incomplete":
        transfer = next(t for t in dataset["tech_transfers"] if t["ref"] == ref)
        if _domain(ix, transfer["contract"]) != "drug":
            return (
                "out_of_scope",
                f"art. 4 of Notice 2025-134 is a drug rule; {transfer['contract']} is a device contract",
            )
        mine = [
            f
            for f in findings
            if f.rule_id in ("134-4.transfer-complete", "134-4.cmo-duties")
            and f.subject.get("contract") == transfer["contract"]
            and f.subject.get("ref") == transfer["product"]
        ]
        for f in mine:
            if f.rule_id == "134-4.transfer-complete" and str(f.outcome) == "not_met":
                return "found", f.rule_id
            if f.rule_id == "134-4.cmo-duties" and str(f.outcome) in ("not_met", "needs_information"):
                return "found", f"{f.rule_id} ({f.outcome}: " + ", ".join(m.name for m in f.missing) + ")"
        if mine and all(str(f.outcome) == "not_applicable" for f in mine):
            return "out_of_scope", "the transfer is in progress and the product not in commercial production yet"
        return "missed", "134-4.transfer-complete, 134-4.cmo-duties"
    if kind == "contract_without_evaluation":
        if _domain(ix, ref) != "drug":
            return "out_of_scope", f"art. 3 of Notice 2025-134 is a drug rule; {ref} is a device contract"
        hit = [
            f
            for f in _not_met(findings, ["134-3.evaluation", "134-3.evaluation-same-group"])
            if f.subject["ref"] == ref
        ]
        return ("found", hit[0].rule_id) if hit else ("missed", "134-3.evaluation")
    if kind == "evaluation_incomplete":
        hit = [
            f
            for f in _not_met(findings, ["134-3.evaluation", "134-3.evaluation-same-group"])
            if any(e and e[0] == ref for e in (f.facts.get("evaluations") or []))
        ]
        return ("found", hit[0].rule_id) if hit else ("missed", "134-3.evaluation")
    if kind == "no_commercial_batch_in_cycle":
        if ix["products"][ref]["kind"] != "drug":
            return "out_of_scope", f"art. 18 of Notice 2025-134 is a drug rule; {ref} is a device"
        base = [
            f
            for f in findings
            if f.rule_id == "134-18.no-batch-in-cycle"
            and f.subject.get("ref") == ref
            and (str(f.outcome) != "not_applicable" or f.excepted_by)
        ]
        if any(str(f.outcome) == "not_met" for f in base):
            return "found", "134-18.no-batch-in-cycle"
        if base and all(f.excepted_by for f in base):
            return "found", "134-18.no-batch-in-cycle (excepted: " + ", ".join(base[0].excepted_by) + ")"
        if base and all(str(f.outcome) == "needs_information" for f in base):
            return "found", "134-18.no-batch-in-cycle (needs information: " + ", ".join(
                m.name for f in base for m in f.missing
            ) + ")"
        if not base:
            return "out_of_scope", f"no contract in force commissions {ref}"
        return "missed", "134-18.no-batch-in-cycle"
    if kind == "terminated_scope_retained":
        hit = [f for f in _not_met(findings, ["134-20.cancellation"]) if f.subject["ref"] == ref]
        return ("found", "134-20.cancellation") if hit else ("missed", "134-20.cancellation")
    if kind == "prohibited_device_commissioned":
        hit = [f for f in _not_met(findings, ["38-3.prohibited-catalogue"]) if f.subject.get("ref") == ref]
        return ("found", "38-3.prohibited-catalogue") if hit else ("missed", "38-3.prohibited-catalogue")
    if kind in ("stale_inspection", "non_compliant_inspection"):
        # annex 1: the opinion letter of a cross-province commission rests on a recent compliant inspection
        line = ref if kind == "stale_inspection" else entry["detail"].split()[0]
        basis = [
            f
            for f in findings
            if f.rule_id == "134-19.letter-basis"
            and str(f.outcome) != "not_applicable"
            and line in (f.facts.get("product_lines") or [])
        ]
        if not basis:
            return "out_of_scope", f"no cross-province commission on {line} (134-19.letter-basis, annex 1)"
        hit = [f for f in basis if str(f.outcome) == "not_met"]
        return ("found", "134-19.letter-basis") if hit else ("missed", "134-19.letter-basis")
    return "missed", f"unknown kind {kind}"


def survey(catalogue: dict[str, list[dict]], findings: list[Finding], dataset: dict) -> dict[str, list[tuple]]:
    """Every catalogue entry with its answer: kind → [(ref, state, detail)]."""
    return {
        kind: [(e["ref"], *locate(kind, e, findings, dataset)) for e in entries]
        for kind, entries in catalogue.items()
        if entries
    }
