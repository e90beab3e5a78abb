"""PURE: the rule engine and one package per notice. No Django, no app import (import-linter enforces it).

Public API::

    from weituo.rules import evaluate, all_rules
    findings = evaluate([contract_facts, enterprise_facts], as_of=date, calendar=working_calendar)
    [f.to_dict() for f in findings]

The facts are the frozen dataclasses of :mod:`weituo.rules.facts`; the compliance app builds them
from the ORM. See :mod:`weituo.rules.engine` for outcomes, deadlines and exceptions.
"""

from __future__ import annotations

from .engine import (
    Citation,
    Finding,
    MissingFact,
    Notice,
    Outcome,
    Rule,
    RuleDeclarationError,
    Severity,
    Status,
    all_notices,
    all_rules,
    evaluate,
    get_rule,
    parameter,
)

__all__ = [
    "Citation",
    "Finding",
    "MissingFact",
    "Notice",
    "Outcome",
    "Rule",
    "RuleDeclarationError",
    "Severity",
    "Status",
    "all_notices",
    "all_rules",
    "evaluate",
    "get_rule",
    "parameter",
]
