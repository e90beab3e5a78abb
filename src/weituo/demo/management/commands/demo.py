"""``weituo demo``: migrate, build a seeded synthetic province, load it through the registry import, serve it.

    weituo demo                          # Jiangsu-like province, seed 1, served at http://127.0.0.1:8000/
    weituo demo --seed 7 --port 8001     # another draw, another port
    weituo demo --size small --no-serve  # a handful of companies, then exit
    weituo demo --size national          # ~8,000 organisations, 100,000 products (loading takes long)

After the demo users, ``demo.collaboration.seed_collaboration`` adds batches, release packages and
quality events on the demo's shared line through the quality and batch services (printing the batch
the browser journey uses). The data goes in through ``weituo.exchange.services.registry_import``, the one write path of the
registry, so loading it twice changes nothing the second time (records are matched by ref). Another
seed or size over an existing demo (or over real data) is refused before anything is written: the
same refs would name other organisations. Use a fresh data directory (``WEITUO_DATA_DIR``) for it.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from weituo.core.actors import system_actor
from weituo.core.errors import ApplicationError
from weituo.core.roles import Role
from weituo.demo.collaboration import seed_collaboration
from weituo.demo.generator import AS_OF, SHEET_NAMES, SIZES, STAGES, generate
from weituo.demo.users import DEMO_PASSWORD, ensure_demo_users
from weituo.exchange.services import registry_import
from weituo.registry.selectors import organisation_list


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{value} / the date must be YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "生成并载入可复现的演示省份数据，然后启动服务 / build and load a reproducible demo province, then serve it"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="随机种子 / random seed (default 1)")
        parser.add_argument("--size", choices=SIZES, default="province", help="规模 / size (default province)")
        parser.add_argument("--no-serve", action="store_true", help="只生成数据，不启动服务 / build the data and exit")
        parser.add_argument("--port", type=int, default=8000, help="端口 / port (default 8000)")
        parser.add_argument(
            "--as-of",
            type=_date,
            default=AS_OF,
            help=f"数据的基准日期 / the date the data describes (default {AS_OF.isoformat()})",
        )

    def handle(self, *args, seed: int, size: str, no_serve: bool, port: int, as_of: date, **options) -> None:
        out = self.stdout
        out.write("迁移数据库 / migrating the database …")
        call_command("migrate", interactive=False, verbosity=0)

        started = time.monotonic()
        with tqdm(total=len(STAGES), desc="生成 generate", unit="步", disable=None) as bar:
            data = generate(seed=seed, size=size, as_of=as_of, progress=lambda _stage: bar.update(1))
        generated = time.monotonic() - started
        dataset = data.dataset
        total = sum(len(rows) for rows in dataset.values())

        source = f"演示数据 demo seed {seed}"  # the ledger's reason and actor: people read it in Chinese
        actor = system_actor(source)
        clashes = _clashing_organisations(actor, dataset["organisations"])
        if clashes:
            raise CommandError(
                f"数据库中已有不同的企业使用相同编号（{'、'.join(clashes[:5])} …），可能是其他种子或规模的演示数据；"
                "未写入任何数据。请换一个数据目录（WEITUO_DATA_DIR）或数据库。\n"
                f"the database already holds other organisations under the same refs ({', '.join(clashes[:5])} …), "
                "probably a demo of another seed or size; nothing was written. Use a fresh WEITUO_DATA_DIR or database."
            )
        started = time.monotonic()
        try:
            with tqdm(total=total, desc="载入 load", unit="行", disable=None) as bar:
                report = registry_import(
                    actor=actor,
                    dataset=dataset,
                    source=f"{source}（{size}，截至 {as_of.isoformat()}）",
                    progress=lambda _sheet, n: bar.update(n),
                )
        except ApplicationError as e:
            raise CommandError(str(e)) from None
        loaded = time.monotonic() - started

        out.write("")
        out.write(f"{'工作表 sheet':<22}{'行 rows':>9}{'新增 new':>10}{'更新 upd':>10}{'未变 same':>11}")
        for name in SHEET_NAMES:
            c = report.counts.get(name)
            created, updated, unchanged = (c.created, c.updated, c.unchanged) if c else (0, 0, 0)
            out.write(f"{name:<22}{len(dataset[name]):>9}{created:>10}{updated:>10}{unchanged:>11}")
        out.write(f"{'total':<22}{total:>9}")
        out.write(
            f"规模 size {size}，种子 seed {seed}，基准日 as of {as_of.isoformat()}；"
            f"生成 generated in {generated:.1f} s，载入 loaded in {loaded:.1f} s"
        )
        deficient = {kind: len(refs) for kind, refs in data.catalogue.items() if refs}
        out.write("有意设置的缺陷 deliberate deficiencies: " + "，".join(f"{k} {n}" for k, n in deficient.items()))

        logins = ensure_demo_users(actor=actor)
        out.write(
            self.style.SUCCESS(
                f"演示账号（密码均为 {DEMO_PASSWORD}） / demo logins (password {DEMO_PASSWORD} for all):"
            )
        )
        for login in logins:
            out.write(f"  {login.username:<12} {login.full_name:<4} {Role(login.role).label:<16} {login.organisation}")
        out.write("（仅供本机演示，请勿用于生产 / for a local demo only, never in production）")

        started = time.monotonic()
        try:
            summary = seed_collaboration(seed=seed)
        except LookupError as e:  # this draw has no suitable contract on the line: the registry demo stands
            out.write(self.style.WARNING(f"协作演示数据未写入 / collaboration records not written: {e}"))
        except ApplicationError as e:
            raise CommandError(f"协作演示数据未写入 / collaboration records not written: {e}") from None
        else:
            for line in summary.lines:
                out.write(line)
            done = "已写入" if summary.created else "已存在，未改动 / already there, unchanged"
            out.write(f"  {done} ({time.monotonic() - started:.1f} s)")
        if no_serve:
            return
        url = f"http://127.0.0.1:{port}/"
        out.write(self.style.SUCCESS(f"访问 / open {url}"))
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)


def _clashing_organisations(actor, organisations: list[dict]) -> list[str]:
    """Refs the database already gives to another organisation (another USCC): not this demo's data."""
    stored = dict(organisation_list(actor=actor).values_list("ref", "uscc"))
    return [o["ref"] for o in organisations if o["ref"] in stored and stored[o["ref"]] != o["uscc"]]
