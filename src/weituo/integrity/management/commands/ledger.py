"""``weituo ledger checkpoint | verify | export FILE``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from weituo.integrity import keys
from weituo.integrity.services import ledger_checkpoint, ledger_export
from weituo.integrity.verify import verify_all


class Command(BaseCommand):
    help = "审计追踪：检查点、校验、导出 / audit ledger: checkpoint, verify, export"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        checkpoint = actions.add_parser("checkpoint", help="签署检查点 / sign a checkpoint")
        checkpoint.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="每隔 N 秒签署一次，直到中断 / repeat every N seconds until stopped",
        )
        verify = actions.add_parser("verify", help="校验 / verify")
        verify.add_argument("--chain-only", action="store_true", help="只校验链与检查点 / skip the record replay")
        actions.add_parser(
            "rotate-key", help="更换签名密钥（旧公钥保留） / rotate the signing key (old public keys kept)"
        )
        export = actions.add_parser("export", help="导出离线校验包 / export the offline bundle")
        export.add_argument("file", help="bundle .zip")

    def handle(self, *args, action: str, **options):
        if action == "checkpoint":
            while True:
                c = ledger_checkpoint()
                self.stdout.write(
                    f"检查点 checkpoint: {c.tree_size} entries, root {c.root_hash}, key {c.key_id}, {c.at}"
                )
                if not options.get("every"):
                    return
                time.sleep(options["every"])
        if action == "rotate-key":
            pair = keys.rotate_key(settings.WEITUO_KEY_DIR)
            self.stdout.write(
                f"新签名密钥 / new signing key {pair.key_id}; 旧公钥保留，旧检查点仍可校验 / old public keys kept"
            )
            return
        if action == "export":
            counts = ledger_export(Path(options["file"]))
            self.stdout.write(
                f"已导出 / exported {counts['entries']} entries, {counts['checkpoints']} checkpoints, "
                f"{counts['public_keys']} public keys → {options['file']}"
            )
            return
        started = time.perf_counter()
        report = verify_all(records=not options.get("chain_only"))
        elapsed = time.perf_counter() - started
        for problem in report.problems:
            self.stdout.write(str(problem))
        summary = (
            f"{report.entries} entries, {report.checkpoints} checkpoints, {report.records} records checked "
            f"in {elapsed:.1f} s"
        )
        if report.ok:
            self.stdout.write(f"审计追踪完整 / ledger intact: {summary}")
            return
        sys.stdout.flush()
        raise CommandError(f"发现 {len(report.problems)} 处问题 / {len(report.problems)} problem(s) found: {summary}")
