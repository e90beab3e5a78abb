"""``weituo registry export FILE`` and ``weituo registry import FILE``: the whole registry as .xlsx or .json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from weituo.core.actors import system_actor
from weituo.core.errors import ApplicationError
from weituo.exchange.formats import dump_json, load_json, read_workbook, write_workbook
from weituo.exchange.selectors import registry_dataset
from weituo.exchange.services import registry_import


class Command(BaseCommand):
    help = "导入或导出登记信息（Excel 或 JSON） / import or export the registry (Excel or JSON)"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="导出 / export")
        export.add_argument("file", help=".xlsx or .json")
        imp = actions.add_parser("import", help="导入 / import")
        imp.add_argument("file", help=".xlsx or .json")
        imp.add_argument("--dry-run", action="store_true", help="只校验，不写入 / validate only")

    def handle(self, *args, action: str, file: str, dry_run: bool = False, **options):
        path = Path(file)
        if path.suffix.lower() not in (".xlsx", ".json"):
            raise CommandError("文件应为 .xlsx 或 .json / the file must be .xlsx or .json")
        if action == "export":
            dataset = registry_dataset(actor=system_actor(f"registry export {path.name}"))
            if path.suffix.lower() == ".json":
                path.write_text(dump_json(dataset), encoding="utf-8")
            else:
                with path.open("wb") as f:
                    write_workbook(dataset, f)
            total = sum(len(rows) for rows in dataset.values())
            self.stdout.write(f"已导出 {total} 行到 {path} / exported {total} rows to {path}")
            return
        if not path.exists():
            raise CommandError(f"文件不存在：{path} / no such file: {path}")
        try:
            if path.suffix.lower() == ".json":
                dataset = load_json(path.read_text(encoding="utf-8"))
            else:
                with path.open("rb") as f:
                    dataset = read_workbook(f)
            total = sum(len(rows) for rows in dataset.values())
            with tqdm(total=total, unit="行", desc="导入 import", disable=not sys.stderr.isatty()) as bar:
                report = registry_import(
                    actor=system_actor(f"registry import {path.name}"),
                    dataset=dataset,
                    source=str(path),
                    dry_run=dry_run,
                    progress=lambda _sheet, n: bar.update(n),
                )
        except ApplicationError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        verb = "校验通过（未写入）" if dry_run else "导入完成"
        self.stdout.write(f"{verb}：{report.changed} 条新增或变更 / {report.changed} created or changed")
