"""The rules weituo checks, as people read them: by notice, each with its article and quoted
sentence, effective period, status, whose duty it is, and the facts it reads with where each one is
recorded (``fact_homes``). Read by the rules page and ``weituo rules list``.

The facts a rule reads are collected by evaluating every YAML case (a few seconds); they depend on
the code only, so they are collected once per process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext_lazy

from weituo.core.calendar import WorkingCalendar
from weituo.core.i18n import pick
from weituo.rules import Rule, all_rules
from weituo.rules.cases import facts_read

from .fact_homes import home_of
from .models import Bearer

NOT_IN_FORCE = gettext_lazy("not in force today")
STATUSES = {
    "in_force": gettext_lazy("in force"),
    "pilot": gettext_lazy("pilot"),
    "draft": gettext_lazy("draft for comment"),
}


@cache
def facts_read_by_rule() -> dict[str, list[str]]:
    # the cases' own calendar (the built-in schedules): the listing needs no database
    return facts_read(WorkingCalendar())


@dataclass(frozen=True)
class FactRead:
    name: str
    home: str  # "" : a value the rule works out on the way, which no one records


@dataclass(frozen=True)
class RuleEntry:
    rule: Rule
    title: str
    citation: str
    state: str  # in force / pilot / draft / not in force today, in the reader's language
    in_force_today: bool
    bearer: str
    condition: str
    facts: list[FactRead]


@dataclass(frozen=True)
class NoticeRules:
    notice_id: str
    title: str
    rules: list[RuleEntry]


def rule_state(rule: Rule, today: dt.date) -> tuple[bool, str]:
    """Whether the rule is in force today, and its state as a person reads it."""
    in_force = str(rule.status) != "draft" and rule.in_force_on(today)
    shown = in_force or str(rule.status) == "draft"
    return in_force, str(STATUSES[str(rule.status)] if shown else NOT_IN_FORCE)


def facts_with_homes(rule_id: str) -> list[FactRead]:
    facts = []
    for name in facts_read_by_rule().get(rule_id, []):
        home = home_of(name)
        facts.append(FactRead(name, str(home) if home is not None else ""))
    return facts


def rule_catalogue(today: dt.date) -> list[NoticeRules]:
    """Every rule, by notice in the order the notices are loaded, articles in order."""
    groups: dict[str, NoticeRules] = {}
    for rule in sorted(all_rules(), key=lambda r: r.sort_key):
        notice = rule.notice
        group = groups.setdefault(notice.id, NoticeRules(notice.id, pick(notice.title_zh, notice.title_en), []))
        in_force, state = rule_state(rule, today)
        group.rules.append(
            RuleEntry(
                rule=rule,
                title=pick(rule.title_zh, rule.title_en),
                citation=pick(rule.citation.label_zh, rule.citation.label_en),
                state=state,
                in_force_today=in_force,
                bearer=str(Bearer(rule.bearer).label),
                condition=pick(rule.condition_zh, rule.condition_en),
                facts=facts_with_homes(rule.id),
            )
        )
    return list(groups.values())
