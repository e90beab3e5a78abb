"""YAML cases: given facts and a date, the expected finding of a rule (OpenFisca's YAML tests).

A notice's ``cases/`` directory holds ``*.yaml`` files; a file whose name starts with ``_`` holds
defaults (``_defaults.yaml``: facts merged under every case of the notice). A case file::

    rule: 134-3.evaluation           # the rule its cases are about (a case or expectation may override)
    include_draft: false             # evaluate draft rules too
    defaults: _defaults.yaml         # the defaults file, relative to this one (this is the default)
    base:                            # facts merged under each case's facts
      contract: {...}
    cases:
      - name: evaluated before signing
        as_of: 2026-03-01
        facts: {contract: {...}}     # merged over the defaults and base: mappings merge, other values
                                     # replace, null removes the key
        expect:                      # one expectation, or a list of them
          outcome: met                        # or absent: the rule gives no finding (a draft left out)
          subject: {kind: product, ref: P1}   # which finding, when the rule gives several
          deadline: 2027-01-06                # optional: checked only when given (null: no deadline)
          provisional: false                  # optional
          overdue: false                      # optional
          excepted_by: [134-3.evaluation-same-group]   # optional
          missing: [contract.signed_on]       # optional: the names of the missing facts

Facts: ``contract`` (a :class:`~weituo.rules.facts.ContractFacts`) and/or ``enterprise`` (an
:class:`~weituo.rules.facts.OrganisationFacts`), in the plain form :func:`~weituo.rules.facts.from_dict`
reads. Every finding of every rule on the case's facts must be free of evaluation errors.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from weituo.core.calendar import WorkingCalendar

from .engine import Finding, all_rules, evaluate
from .facts import ContractFacts, OrganisationFacts, from_dict

__all__ = ["Case", "CaseError", "Expectation", "case_files", "facts_read", "load_case_file", "run_case"]

_UNSET: Any = object()
_CASE_FIELDS = frozenset({"name", "as_of", "facts", "expect", "rule", "include_draft", "note"})
_FILE_FIELDS = frozenset({"rule", "include_draft", "defaults", "base", "cases", "note"})
_EXPECT_FIELDS = frozenset(
    {"rule", "subject", "outcome", "deadline", "provisional", "overdue", "excepted_by", "missing"}
)


class CaseError(ValueError):
    """A case file that cannot be read as written."""


@dataclass(frozen=True)
class Expectation:
    rule: str
    outcome: str
    subject: Mapping[str, Any] | None = None
    deadline: Any = _UNSET
    provisional: Any = _UNSET
    overdue: Any = _UNSET
    excepted_by: Any = _UNSET
    missing: Any = _UNSET


@dataclass(frozen=True)
class Case:
    file: Path
    name: str
    as_of: dt.date
    include_draft: bool
    facts: Mapping[str, Any]
    expectations: tuple[Expectation, ...]

    @property
    def id(self) -> str:
        return f"{self.file.parent.parent.name}/{self.file.stem}::{self.name}"

    def rules(self) -> set[str]:
        return {e.rule for e in self.expectations}


def merge(base: Any, override: Any) -> Any:
    """Deep merge: mappings merge key by key, anything else replaces, None removes the key."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        out = dict(base)
        for key, value in override.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


def case_files(root: Path | None = None) -> list[Path]:
    """Every case file of every notice (``notices/*/cases/*.yaml``, defaults excluded)."""
    root = root or Path(__file__).parent / "notices"
    return sorted(p for p in root.glob("*/cases/*.yaml") if not p.name.startswith("_"))


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CaseError(f"{path}: malformed YAML: {exc}") from None


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CaseError(f"{where}: expected a date, got {value!r}")


def _expectation(data: Any, default_rule: str | None, where: str) -> Expectation:
    if not isinstance(data, Mapping):
        raise CaseError(f"{where}: an expectation is a mapping")
    unknown = sorted(set(data) - _EXPECT_FIELDS)
    if unknown:
        raise CaseError(f"{where}: unknown field(s) {unknown}")
    rule = data.get("rule", default_rule)
    if not rule:
        raise CaseError(f"{where}: no rule given")
    if "outcome" not in data:
        raise CaseError(f"{where}: outcome is required")
    deadline = data.get("deadline", _UNSET)
    if deadline is not _UNSET and deadline is not None:
        deadline = _as_date(deadline, f"{where}.deadline")
    return Expectation(
        rule=rule,
        outcome=str(data["outcome"]),
        subject=data.get("subject"),
        deadline=deadline,
        provisional=data.get("provisional", _UNSET),
        overdue=data.get("overdue", _UNSET),
        excepted_by=data.get("excepted_by", _UNSET),
        missing=data.get("missing", _UNSET),
    )


def load_case_file(path: Path) -> list[Case]:
    """The cases of one file, with the notice's defaults and the file's base merged in."""
    data = _read(path)
    if not isinstance(data, Mapping) or not isinstance(data.get("cases"), list):
        raise CaseError(f"{path}: a case file is a mapping with a 'cases' list")
    unknown = sorted(set(data) - _FILE_FIELDS)
    if unknown:
        raise CaseError(f"{path}: unknown field(s) {unknown}")
    defaults_file = path.parent / str(data.get("defaults") or "_defaults.yaml")
    defaults = _read(defaults_file) if defaults_file.exists() else {}
    base = merge(defaults or {}, data.get("base") or {})
    cases: list[Case] = []
    names: set[str] = set()
    for index, raw in enumerate(data["cases"]):
        where = f"{path.name} case {index}"
        if not isinstance(raw, Mapping):
            raise CaseError(f"{where}: a case is a mapping")
        unknown = sorted(set(raw) - _CASE_FIELDS)
        if unknown:
            raise CaseError(f"{where}: unknown field(s) {unknown}")
        name = raw.get("name")
        if not name or name in names:
            raise CaseError(f"{where}: each case needs a unique name")
        names.add(name)
        rule = raw.get("rule", data.get("rule"))
        expect = raw.get("expect")
        items = expect if isinstance(expect, list) else [expect]
        cases.append(
            Case(
                file=path,
                name=name,
                as_of=_as_date(raw.get("as_of"), f"{where}.as_of"),
                include_draft=bool(raw.get("include_draft", data.get("include_draft", False))),
                facts=merge(base, raw.get("facts") or {}),
                expectations=tuple(_expectation(e, rule, f"{where}.expect") for e in items),
            )
        )
    return cases


def build_subjects(facts: Mapping[str, Any]) -> list[ContractFacts | OrganisationFacts]:
    unknown = sorted(set(facts) - {"contract", "enterprise"})
    if unknown:
        raise CaseError(f"facts: unknown graph(s) {unknown} (expected contract and/or enterprise)")
    subjects: list[ContractFacts | OrganisationFacts] = []
    if "contract" in facts:
        subjects.append(from_dict(ContractFacts, facts["contract"], "contract"))
    if "enterprise" in facts:
        subjects.append(from_dict(OrganisationFacts, facts["enterprise"], "enterprise"))
    return subjects


def _describe(finding: Finding) -> str:
    return (
        f"{finding.rule_id} {dict(finding.subject)} → {finding.outcome} "
        f"(deadline {finding.deadline}, provisional {finding.provisional}, overdue {finding.overdue}, "
        f"excepted_by {list(finding.excepted_by)}, missing {[m.name for m in finding.missing]}): {finding.reason_en}"
    )


def run_case(case: Case, calendar: WorkingCalendar) -> tuple[list[str], list[Finding]]:
    """Evaluate a case; the problems found (empty when it passes) and the findings."""
    known = {r.id for r in all_rules()}
    problems = [f"unknown rule {e.rule}" for e in case.expectations if e.rule not in known]
    if problems:
        return problems, []
    findings = evaluate(
        build_subjects(case.facts), as_of=case.as_of, calendar=calendar, include_draft=case.include_draft
    )
    problems += [f"evaluation error in {_describe(f)}: {f.error}" for f in findings if f.error]
    for f in findings:
        try:
            f.to_json()
        except (TypeError, ValueError) as exc:
            problems.append(f"{f.rule_id}: finding is not JSON-serialisable: {exc}")
    for e in case.expectations:
        candidates = [
            f
            for f in findings
            if f.rule_id == e.rule and all(f.subject.get(k) == v for k, v in (e.subject or {}).items())
        ]
        if e.outcome == "absent":
            if candidates:
                problems.append(f"{e.rule}: expected no finding, got " + "; ".join(_describe(f) for f in candidates))
            continue
        if len(candidates) != 1:
            problems.append(
                f"{e.rule} {e.subject or ''}: expected one finding, got {len(candidates)}: "
                + "; ".join(_describe(f) for f in candidates)
            )
            continue
        f = candidates[0]
        checks = [
            ("outcome", e.outcome, str(f.outcome)),
            ("deadline", e.deadline, f.deadline),
            ("provisional", e.provisional, f.provisional),
            ("overdue", e.overdue, f.overdue),
            ("excepted_by", e.excepted_by if e.excepted_by is _UNSET else sorted(e.excepted_by), sorted(f.excepted_by)),
            ("missing", e.missing if e.missing is _UNSET else sorted(e.missing), sorted(m.name for m in f.missing)),
        ]
        for what, expected, actual in checks:
            if expected is not _UNSET and expected != actual:
                problems.append(f"{e.rule}: {what} expected {expected!r}, got {actual!r} — {_describe(f)}")
    return problems, findings


def facts_read(calendar: WorkingCalendar) -> dict[str, list[str]]:
    """Rule id → the facts it reads (dotted names such as ``contract.audits``), as the rules
    themselves record them while every case of every notice is evaluated: what a rule reads is
    what its code asks for, not a list kept beside it. A few seconds: for listings, not for scans."""
    reads: dict[str, set[str]] = {}
    for path in case_files():
        for case in load_case_file(path):
            for finding in run_case(case, calendar)[1]:
                names = reads.setdefault(finding.rule_id, set())
                names.update(name for name in finding.facts if "." in name)
                names.update(m.name for m in finding.missing if "." in m.name)
    return {rule_id: sorted(names) for rule_id, names in reads.items()}
