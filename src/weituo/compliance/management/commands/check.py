"""``weituo check``: evaluate the rules on the platform's data and record the findings.

    weituo check                                  # every contract and enterprise, as of today
    weituo check --org ORG-0004                   # one enterprise and every contract it is a party to
    weituo check --as-of 2026-06-30 --no-store    # a date in the past or the future: not recorded
    weituo check --format json --output f.json    # every finding, with its citation and facts
    weituo check --org ORG-0004 --format html     # the enterprise's self-inspection report (art. 25)
    weituo check --include-draft                  # also the rules of drafts (not in force)
    weituo check --system [--deploy] [--tag T]    # Django's system checks, which this command replaces

The command takes the name of Django's ``check``; given ``--system`` or any of that command's own
arguments (app labels, ``--deploy``, ``--tag``, ``--list-tags``, ``--database``) it runs Django's system
checks instead, so that ``weituo check --deploy`` and Django's test runner still work.

The findings are recorded (with their history and audit-ledger entries) for a scan as of today;
a scan as of another date only reports, since its answers are not the current state of anything.
The progress bar goes to the standard error, the report to the standard output or ``--output``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter, defaultdict
from typing import TextIO

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands.check import Command as SystemCheckCommand
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from tqdm import tqdm

from weituo.compliance.report import ReportItem, build_report, render_html
from weituo.compliance.selectors import head_of_quality
from weituo.compliance.services import ScanResult, compliance_scan
from weituo.core.actors import system_actor
from weituo.core.commands import ReaderLanguage
from weituo.core.i18n import pick
from weituo.registry.models import Organisation

OUTCOMES = ("met", "not_met", "needs_information", "not_applicable")
HEADS = {
    "met": gettext_lazy("met"),
    "not_met": gettext_lazy("not met"),
    "needs_information": gettext_lazy("needs info"),
    "not_applicable": gettext_lazy("n/a"),
}


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(gettext("the date must be YYYY-MM-DD: %(value)s") % {"value": value}) from None


class Command(ReaderLanguage, SystemCheckCommand):
    help = gettext_lazy(
        "compliance scan: evaluate the rules and record the findings (--system: Django's system checks)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)  # Django's system checks: app labels, --tag, --deploy, --database …
        parser.add_argument("--system", action="store_true", help=gettext_lazy("run Django's system checks"))
        parser.add_argument("--org", metavar="REF", help=gettext_lazy("one enterprise and its contracts"))
        parser.add_argument(
            "--as-of", type=_date, help=gettext_lazy("the date of evaluation (default: today, China time)")
        )
        parser.add_argument(
            "--format", choices=("table", "json", "html"), default="table", help=gettext_lazy("output format")
        )
        parser.add_argument("--include-draft", action="store_true", help=gettext_lazy("include the rules of drafts"))
        parser.add_argument("--no-store", action="store_true", help=gettext_lazy("report only, record nothing"))
        parser.add_argument("--output", metavar="FILE", help=gettext_lazy("write to FILE (default stdout)"))

    def handle(self, *app_labels: str, org: str | None, as_of: dt.date | None, format: str, include_draft: bool,
               no_store: bool, output: str | None, **options) -> None:  # fmt: skip
        if options["system"] or app_labels or any(options.get(k) for k in ("tags", "list_tags", "deploy", "databases")):
            return super().handle(*app_labels, **options)
        today = timezone.localdate()
        as_of = as_of or today
        organisation = None
        if org:
            organisation = Organisation.objects.filter(ref=org).first()
            if organisation is None:
                raise CommandError(gettext("no organisation %(ref)s") % {"ref": org})
        store = not no_store and as_of == today
        if not no_store and as_of != today:
            self.stderr.write(gettext("as of %(date)s, not today: reported, not recorded") % {"date": as_of})
        bar: list[tqdm] = []

        def loaded(n: int) -> None:
            bar.append(tqdm(total=n, desc=gettext("evaluate"), unit=gettext("objects"), file=sys.stderr, disable=None))

        try:
            result = compliance_scan(
                actor=system_actor("compliance check"),
                as_of=as_of,
                organisation=organisation,
                include_draft=include_draft,
                store=store,
                on_loaded=loaded,
                progress=lambda n: bar[0].update(n),
            )
        finally:
            for b in bar:
                b.close()
        stream: TextIO = open(output, "w", encoding="utf-8") if output else self.stdout  # noqa: SIM115
        try:
            if format == "json":
                self._json(result, stream, organisation, include_draft)
            elif format == "html":
                self._html(result, stream, organisation)
            else:
                self._table(result, stream, organisation)
        finally:
            if output:
                stream.close()
        recorded = (
            gettext("recorded: scan #%(scan)s, %(changes)d changes of outcome")
            % {"scan": result.scan.pk, "changes": result.changes}
            if result.scan
            else gettext("not recorded")
        )
        self.stderr.write(
            gettext(
                "%(recorded)s; load %(load).2f s, evaluate %(evaluate).2f s, store %(store).2f s, total %(total).2f s"
            )
            % {"recorded": recorded, **result.seconds}
        )

    # -- outputs -------------------------------------------------------------------------------------

    def _table(self, result: ScanResult, out: TextIO, organisation: Organisation | None) -> None:
        counts = result.counts()
        scope = organisation.ref if organisation else gettext("all")
        out.write(
            gettext(
                "compliance scan — scope %(scope)s, as of %(as_of)s, contracts %(contracts)d, "
                "enterprises %(enterprises)d, findings %(findings)d"
            )
            % {
                "scope": scope,
                "as_of": result.as_of,
                "contracts": len(result.graphs.contracts),
                "enterprises": len(result.graphs.enterprises),
                "findings": len(result.findings),
            }
            + "\n"
        )
        out.write("  ".join(f"{HEADS[o]} {counts[o]}" for o in OUTCOMES) + "\n\n")
        by_rule: dict[str, Counter] = defaultdict(Counter)
        for f in result.findings:
            by_rule[f.rule_id][str(f.outcome)] += 1
        width = max((len(r) for r in by_rule), default=10) + 2
        out.write(f"{gettext('rule'):<{width}}" + "".join(f"{o:>19}" for o in OUTCOMES) + "\n")
        for rule_id in sorted(by_rule):
            out.write(f"{rule_id:<{width}}" + "".join(f"{by_rule[rule_id][o]:>19}" for o in OUTCOMES) + "\n")
        if organisation is not None:
            open_ = [f for f in result.findings if str(f.outcome) in ("not_met", "needs_information")]
            out.write("\n" + gettext("open findings (%(count)d):") % {"count": len(open_)} + "\n")
            for f in sorted(open_, key=lambda f: (str(f.outcome), f.rule_id)):
                subject = f"{f.subject['kind']}:{f.subject.get('ref') or '—'}"
                deadline = ""
                if f.deadline:
                    due = gettext("due %(date)s (provisional)") if f.provisional else gettext("due %(date)s")
                    deadline = " " + due % {"date": f.deadline}
                out.write(f"  [{f.outcome}] {f.rule_id} {subject}{deadline}\n      {pick(f.reason_zh, f.reason_en)}\n")

    def _json(self, result: ScanResult, out: TextIO, organisation: Organisation | None, include_draft: bool) -> None:
        head = {
            "as_of": result.as_of.isoformat(),
            "scope": organisation.ref if organisation else "all",
            "include_draft": include_draft,
            "recorded": result.scan is not None,
            "changes": result.changes,
            "counts": result.counts(),
        }
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "findings": [\n')
        for i, finding in enumerate(result.findings):
            out.write(("" if i == 0 else ",\n") + finding.to_json())
        out.write("\n]}\n")

    def _html(self, result: ScanResult, out: TextIO, organisation: Organisation | None) -> None:
        items = [ReportItem.from_rule_finding(f) for f in result.findings]
        if organisation is not None:
            contracts = {
                c.ref: {
                    "number": c.number,
                    "role": "mah" if c.mah.ref == organisation.ref else "cmo",
                    "counterparty": c.cmo.name if c.mah.ref == organisation.ref else c.mah.name,
                }
                for c in result.graphs.contracts
            }
            enterprise = next(e for e in result.graphs.enterprises if e.ref == organisation.ref)
            hoq = head_of_quality(organisation=organisation, as_of=result.as_of)
        else:  # every enterprise: one report of the whole scan
            contracts = {
                c.ref: {"number": c.number, "role": "", "counterparty": f"{c.mah.name} → {c.cmo.name}"}
                for c in result.graphs.contracts
            }
            enterprise = None
            hoq = None
        report = build_report(
            enterprise={
                "ref": enterprise.ref if enterprise else "all",
                "name": enterprise.name if enterprise else gettext("All enterprises"),
                "uscc": enterprise.uscc if enterprise else "—",
                "province": enterprise.province if enterprise else "",
                "roles": sorted(enterprise.roles) if enterprise else [],
            },
            items=items,
            contracts=contracts,
            as_of=result.as_of,
            head_of_quality=hoq,
            generated_at=timezone.now(),
            enterprises={e.ref: e.name for e in result.graphs.enterprises},
        )
        out.write(render_html(report))
