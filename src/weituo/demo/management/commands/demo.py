"""``weituo demo``: migrate, build a seeded synthetic province, load it through the registry import, serve it.

    weituo demo                          # Jiangsu-like province, seed 1, served at http://127.0.0.1:8000/
    weituo demo --seed 7 --port 8001     # another draw, another port
    weituo demo --size small --no-serve  # a handful of companies, then exit
    weituo demo --size national          # ~8,000 organisations, 100,000 products (loading takes long)

After the demo users, ``demo.collaboration.seed_collaboration`` adds batches, release packages and
quality events on the demo's shared line through the quality and batch services (printing the batch
the browser journey uses). The build ends with a full compliance scan as of today, so the pages open
on findings, not on "not checked" (re-checks after each write are paused while it builds). The data goes in through ``weituo.exchange.services.registry_import``, the one write path of the
registry, so loading it twice changes nothing the second time (records are matched by ref). Another
seed or size over an existing demo (or over real data) is refused before anything is written: the
same refs would name other organisations. Use a fresh data directory (``WEITUO_DATA_DIR``) for it.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext, gettext_lazy
from tqdm import tqdm

from weituo.compliance.services import compliance_scan
from weituo.core.actors import system_actor
from weituo.core.commands import Command as WeituoCommand
from weituo.core.commands import command_error, error_text
from weituo.core.errors import ApplicationError
from weituo.core.i18n import pick
from weituo.core.roles import Role
from weituo.demo.collaboration import seed_collaboration
from weituo.demo.generator import AS_OF, SHEET_NAMES, SIZES, STAGES, generate
from weituo.demo.users import DEMO_PASSWORD, ensure_demo_users
from weituo.exchange.services import registry_import
from weituo.integrity import committed
from weituo.registry.selectors import organisation_list


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(gettext("the date must be YYYY-MM-DD: %(value)s") % {"value": value}) from None


class Command(WeituoCommand):
    help = gettext_lazy("build and load a reproducible demo province, then serve it")

    # "%(default)s" in a help text is argparse's: the option's default
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help=gettext_lazy("random seed (default %(default)s)"))
        parser.add_argument(
            "--size", choices=SIZES, default="province", help=gettext_lazy("size (default %(default)s)")
        )
        parser.add_argument("--no-serve", action="store_true", help=gettext_lazy("build the data and exit"))
        parser.add_argument("--port", type=int, default=8000, help=gettext_lazy("port (default %(default)s)"))
        parser.add_argument(
            "--as-of",
            type=_date,
            default=AS_OF,
            help=gettext_lazy("the date the data describes (default %(default)s)"),
        )

    def handle(self, *args, seed: int, size: str, no_serve: bool, port: int, as_of: date, **options) -> None:
        out = self.stdout
        out.write(gettext("migrating the database …"))
        call_command("migrate", interactive=False, verbosity=0)

        started = time.monotonic()
        with tqdm(total=len(STAGES), desc=gettext("generate"), unit=gettext("steps"), disable=None) as bar:
            data = generate(seed=seed, size=size, as_of=as_of, progress=lambda _stage: bar.update(1))
        generated = time.monotonic() - started
        dataset = data.dataset

        source = f"演示数据 demo seed {seed}"  # the ledger's reason and actor: people read it in Chinese
        actor = system_actor(source)
        clashes = _clashing_organisations(actor, dataset["organisations"])
        if clashes:
            raise CommandError(
                gettext(
                    "the database already holds other organisations under the same refs (%(refs)s …), "
                    "probably a demo of another seed or size; nothing was written. "
                    "Use a fresh WEITUO_DATA_DIR or database."
                )
                % {"refs": pick("、", ", ").join(clashes[:5])}
            )
        # every write below would re-check what it touched after its commit; the build ends with one
        # full scan instead (what the re-checks would have found, once)
        with committed.paused():
            self._load(actor, data, source=source, size=size, seed=seed, as_of=as_of, generated=generated)
            self._users(actor)
            self._collaboration(seed)
        self._scan(actor)
        if no_serve:
            return
        url = f"http://127.0.0.1:{port}/"
        out.write(self.style.SUCCESS(gettext("open %(url)s") % {"url": url}))
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _load(self, actor, data, *, source: str, size: str, seed: int, as_of: date, generated: float) -> None:
        """The registry through its import, and what it created, updated or found unchanged."""
        out, dataset = self.stdout, data.dataset
        total = sum(len(rows) for rows in dataset.values())
        started = time.monotonic()
        try:
            with tqdm(total=total, desc=gettext("load"), unit=gettext("rows"), disable=None) as bar:
                report = registry_import(
                    actor=actor,
                    dataset=dataset,
                    source=f"{source}（{size}，截至 {as_of.isoformat()}）",
                    progress=lambda _sheet, n: bar.update(n),
                )
        except ApplicationError as e:
            raise command_error(e) from None
        loaded = time.monotonic() - started
        out.write("")
        out.write(
            f"{gettext('sheet'):<22}{gettext('rows'):>9}{gettext('created'):>10}"
            f"{gettext('updated'):>10}{gettext('unchanged'):>11}"
        )
        for name in SHEET_NAMES:
            c = report.counts.get(name)
            created, updated, unchanged = (c.created, c.updated, c.unchanged) if c else (0, 0, 0)
            out.write(f"{name:<22}{len(dataset[name]):>9}{created:>10}{updated:>10}{unchanged:>11}")
        out.write(f"{gettext('total'):<22}{total:>9}")
        out.write(
            gettext(
                "size %(size)s, seed %(seed)s, as of %(as_of)s; generated in %(generated).1f s, loaded in %(loaded).1f s"
            )
            % {"size": size, "seed": seed, "as_of": as_of.isoformat(), "generated": generated, "loaded": loaded}
        )
        deficient = {kind: len(refs) for kind, refs in data.catalogue.items() if refs}
        out.write(
            gettext("deliberate deficiencies: %(kinds)s")
            % {"kinds": pick("，", ", ").join(f"{k} {n}" for k, n in deficient.items())}
        )

    def _users(self, actor) -> None:
        out = self.stdout
        logins = ensure_demo_users(actor=actor)
        out.write(
            self.style.SUCCESS(gettext("demo logins (password %(password)s for all):") % {"password": DEMO_PASSWORD})
        )
        for login in logins:
            out.write(f"  {login.username:<12} {login.full_name:<4} {Role(login.role).label:<16} {login.organisation}")
        out.write(gettext("(for a local demo only, never in production)"))

    def _collaboration(self, seed: int) -> None:
        out = self.stdout
        started = time.monotonic()
        try:
            summary = seed_collaboration(seed=seed)
        except LookupError as e:  # this draw has no suitable contract on the line: the registry demo stands
            out.write(self.style.WARNING(gettext("collaboration records not written: %(why)s") % {"why": e}))
        except ApplicationError as e:
            why = error_text(e)
            raise CommandError(gettext("collaboration records not written: %(why)s") % {"why": why}) from None
        else:
            for line in summary.lines:
                out.write(line)
            done = gettext("written") if summary.created else gettext("already there, unchanged")
            out.write(f"  {done} ({time.monotonic() - started:.1f} s)")

    def _scan(self, actor) -> None:
        """The full compliance scan as of today: the pages open on findings, not on "not checked"."""
        started = time.monotonic()
        with tqdm(desc=gettext("compliance scan"), unit=gettext("subjects"), disable=None) as bar:
            result = compliance_scan(actor=actor, on_loaded=lambda n: setattr(bar, "total", n), progress=bar.update)
        counts = result.counts()
        self.stdout.write(
            gettext(
                "compliance scan as of %(as_of)s: %(met)s met, %(not_met)s not met, "
                "%(needs)s need information (%(seconds).1f s)"
            )
            % {
                "as_of": result.as_of.isoformat(),
                "met": counts["met"],
                "not_met": counts["not_met"],
                "needs": counts["needs_information"],
                "seconds": time.monotonic() - started,
            }
        )


def _clashing_organisations(actor, organisations: list[dict]) -> list[str]:
    """Refs the database already gives to another organisation (another USCC): not this demo's data."""
    stored = dict(organisation_list(actor=actor).values_list("ref", "uscc"))
    return [o["ref"] for o in organisations if o["ref"] in stored and stored[o["ref"]] != o["uscc"]]
