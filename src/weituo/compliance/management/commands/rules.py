"""``weituo rules list``: the rules weituo checks, readable without the code.

    weituo rules list                   # a table: rule, status, effective period, article, whose duty, title
    weituo rules list --format json     # every rule with its quoted sentence and the facts it reads

Each rule with its notice, the article and the sentence it quotes, its effective period and whether
it is in force today (a draft's rules are listed as drafts), whose duty it checks (the MAH's, the
CMO's, both parties', the enterprise's or the regulator's), and the facts it reads — collected by
evaluating every YAML case of every notice, so the list is what the rules' code asks for — with
where in weituo each is recorded (JSON ``recorded_in``; ``compliance.fact_homes``).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from weituo.compliance.models import Bearer
from weituo.compliance.rule_catalogue import facts_with_homes, rule_state
from weituo.core.commands import Command as WeituoCommand
from weituo.core.i18n import pick
from weituo.rules import all_rules


class Command(WeituoCommand):
    help = gettext_lazy("List the rules weituo checks: notice, article, quote, effective period, facts read")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help=str(gettext_lazy("list every rule")))
        listing.add_argument(
            "--format", choices=("table", "json"), default="table", help=str(gettext_lazy("output format"))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        rows = []
        for rule in all_rules():
            described = rule.describe()
            facts = facts_with_homes(rule.id)
            described["in_force_today"], state = rule_state(rule, today)
            described["facts_read"] = [f.name for f in facts]
            described["recorded_in"] = {f.name: f.home for f in facts if f.home}
            rows.append((rule, described, state))
        if options["format"] == "json":
            self.stdout.write(json.dumps([d for _, d, _ in rows], ensure_ascii=False, indent=1))
            return
        for rule, d, state in rows:
            period = f"{d['effective_from'] or '…'} – {d['effective_until'] or '…'}"
            head = f"{rule.id}  [{state}]  {period}  {pick(rule.citation.label_zh, rule.citation.label_en)}  "
            duty = gettext("duty of %(bearer)s") % {"bearer": Bearer(rule.bearer).label}
            reads_text = gettext("reads: %(facts)s") % {"facts": ", ".join(d["facts_read"]) or "—"}
            self.stdout.write(f"{head}{duty}\n    {pick(rule.title_zh, rule.title_en)}\n    {reads_text}")
        self.stdout.write(gettext("%(count)d rules") % {"count": len(rows)})
