"""``weituo registry export FILE`` and ``weituo registry import FILE``: the whole registry as .xlsx or .json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_lazy
from tqdm import tqdm

from weituo.core.actors import system_actor
from weituo.core.commands import Command as WeituoCommand
from weituo.core.commands import command_error
from weituo.core.errors import ApplicationError
from weituo.exchange.formats import dump_json, load_json, read_workbook, write_workbook
from weituo.exchange.selectors import registry_dataset
from weituo.exchange.services import registry_import


class Command(WeituoCommand):
    help = gettext_lazy("import or export the registry (Excel or JSON)")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help=gettext_lazy("export"))
        export.add_argument("file", help=gettext_lazy(".xlsx or .json"))
        imp = actions.add_parser("import", help=gettext_lazy("import"))
        imp.add_argument("file", help=gettext_lazy(".xlsx or .json"))
        imp.add_argument("--dry-run", action="store_true", help=gettext_lazy("validate only, write nothing"))

    def handle(self, *args, action: str, file: str, dry_run: bool = False, **options):
        path = Path(file)
        if path.suffix.lower() not in (".xlsx", ".json"):
            raise CommandError(gettext("the file must be .xlsx or .json"))
        if action == "export":
            dataset = registry_dataset(actor=system_actor(f"registry export {path.name}"))
            if path.suffix.lower() == ".json":
                path.write_text(dump_json(dataset), encoding="utf-8")
            else:
                with path.open("wb") as f:
                    write_workbook(dataset, f)
            total = sum(len(rows) for rows in dataset.values())
            self.stdout.write(gettext("exported %(count)d rows to %(path)s") % {"count": total, "path": path})
            return
        if not path.exists():
            raise CommandError(gettext("no such file: %(path)s") % {"path": path})
        try:
            if path.suffix.lower() == ".json":
                dataset = load_json(path.read_text(encoding="utf-8"))
            else:
                with path.open("rb") as f:
                    dataset = read_workbook(f)
            total = sum(len(rows) for rows in dataset.values())
            with tqdm(
                total=total, unit=gettext("rows"), desc=gettext("import"), disable=not sys.stderr.isatty()
            ) as bar:
                report = registry_import(
                    actor=system_actor(f"registry import {path.name}"),
                    dataset=dataset,
                    source=str(path),
                    dry_run=dry_run,
                    progress=lambda _sheet, n: bar.update(n),
                )
        except ApplicationError as e:
            raise command_error(e) from None
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        done = (
            gettext("validated, nothing written: %(count)d created or changed")
            if dry_run
            else gettext("imported: %(count)d created or changed")
        )
        self.stdout.write(done % {"count": report.changed})
