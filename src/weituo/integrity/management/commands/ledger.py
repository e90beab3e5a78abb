"""``weituo ledger checkpoint | verify | rotate-key | export FILE``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_lazy

from weituo.core.commands import Command as WeituoCommand
from weituo.core.i18n import in_language_of
from weituo.integrity import keys
from weituo.integrity.services import ledger_checkpoint, ledger_export
from weituo.integrity.verify import verify_all


class Command(WeituoCommand):
    help = gettext_lazy("audit ledger: checkpoint, verify, export")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        checkpoint = actions.add_parser("checkpoint", help=gettext_lazy("sign a checkpoint"))
        checkpoint.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help=gettext_lazy("repeat every N seconds until stopped"),
        )
        verify = actions.add_parser("verify", help=gettext_lazy("verify"))
        verify.add_argument("--chain-only", action="store_true", help=gettext_lazy("skip the record replay"))
        actions.add_parser("rotate-key", help=gettext_lazy("rotate the signing key (old public keys kept)"))
        export = actions.add_parser("export", help=gettext_lazy("export the offline bundle"))
        export.add_argument("file", help=gettext_lazy("the bundle (.zip)"))

    def handle(self, *args, action: str, **options):
        try:
            self._handle(action, **options)
        except keys.KeyStoreError as e:
            # keys.py has no Django: its message is an English msgid, translated here
            raise CommandError(gettext(e.message) % e.params) from None

    def _handle(self, action: str, **options) -> None:
        if action == "checkpoint":
            while True:
                c = ledger_checkpoint()
                self.stdout.write(
                    gettext("checkpoint: %(entries)d entries, root %(root)s, key %(key)s, %(at)s")
                    % {"entries": c.tree_size, "root": c.root_hash, "key": c.key_id, "at": c.at}
                )
                if not options.get("every"):
                    return
                time.sleep(options["every"])
        if action == "rotate-key":
            pair = keys.rotate_key(settings.WEITUO_KEY_DIR)
            self.stdout.write(
                gettext("new signing key %(key)s; old public keys kept, old checkpoints still verify")
                % {"key": pair.key_id}
            )
            return
        if action == "export":
            counts = ledger_export(Path(options["file"]))
            self.stdout.write(
                gettext(
                    "exported %(entries)d entries, %(checkpoints)d checkpoints, %(public_keys)d public keys → %(file)s"
                )
                % {**counts, "file": options["file"]}
            )
            return
        started = time.perf_counter()
        report = verify_all(records=not options.get("chain_only"))
        elapsed = time.perf_counter() - started
        for problem in report.problems:
            self.stdout.write(in_language_of(problem))
        summary = gettext(
            "%(entries)d entries, %(checkpoints)d checkpoints, %(records)d records checked in %(seconds).1f s"
        ) % {
            "entries": report.entries,
            "checkpoints": report.checkpoints,
            "records": report.records,
            "seconds": elapsed,
        }
        if report.ok:
            self.stdout.write(gettext("ledger intact: %(summary)s") % {"summary": summary})
            return
        sys.stdout.flush()
        raise CommandError(
            gettext("%(count)d problem(s) found: %(summary)s") % {"count": len(report.problems), "summary": summary}
        )
