"""Rules benchmarks: a full compliance scan of the national demo against loading its facts, and a
re-check after one change. Every figure is measured in one run, each against its baseline of the same run.

Run from the project root::

    .venv/bin/python benchmarks/rules.py --data-dir /tmp/wt-nat/var   # reuse a national demo already loaded
    .venv/bin/python benchmarks/rules.py                              # build the national demo first (~8 min)
    .venv/bin/python benchmarks/rules.py --size province              # a quick run on a generated province
    .venv/bin/python benchmarks/rules.py --data-dir DIR --store       # also time recording a whole scan

What it measures (SQLite, in this process, on one database):

1. ``load``: :func:`weituo.compliance.facts.load_facts` over everything — the baseline: reading the
   facts from the database (one ``values()`` query per model) and building the fact graphs.
2. ``scan``: :func:`weituo.compliance.services.compliance_scan` with ``store=False`` — loading the
   same facts and evaluating every rule on them (:func:`weituo.rules.evaluate`), end to end. Targets:
   the evaluation part no more than the load (scan ≤ 2 × load).
3. ``re-check``: after one change through a service (the MAH's right to visit the sites toggled in a
   quality agreement in force, ``contracts.services.quality_agreement_update``, which flips the art. 6
   finding), :func:`compliance_recheck` — mapping the record to what depends on it, loading,
   evaluating and recording only that, the changed finding's event and ledger entry included. Median
   wall time over ``--changes`` changes of different contracts. Target ≤ 100 ms.

Rows marked ``info`` have no target: the counts, time per finding, queries per scan, a re-check after a
change to a key person of the CMO with the most contracts (its every contract is re-checked), and with
``--store`` the time to record a whole first scan and a second one that changes nothing.

Rounds alternate load and scan (``--rounds``, default 2) and keep the best of each, so that a busy
machine does not fall on one side only; both wall and CPU (process) time are shown, and the ratios are
judged on CPU time, which other processes on a shared machine do not inflate (wall ratios are shown
beside them). The load average at the start and the end is printed.

The database: with ``--data-dir DIR`` (a ``WEITUO_DATA_DIR`` holding ``weituo.sqlite3``), the file is
copied to a temporary directory and the copy is migrated and written — the original is left as it is
(``--in-place`` uses it directly). Without ``--data-dir``, ``weituo demo --size SIZE --no-serve`` builds
one in a temporary directory first (the national size takes about 8 minutes on SQLite); temporary
directories are removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCAN_RATIO_TARGET = 2.0
EVALUATE_RATIO_TARGET = 1.0
RECHECK_TARGET_MS = 100.0


@dataclass
class Row:
    metric: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: informational


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "n/a"


def timed(fn) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, value)."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, value


# --------------------------------------------------------------------------------------------------
# the database


def prepare(args: argparse.Namespace, scratch: Path) -> Path:
    """The data directory to run against: a copy of --data-dir, the directory itself, or a new demo."""
    if args.data_dir:
        source = Path(args.data_dir)
        if not (source / "weituo.sqlite3").exists():
            raise SystemExit(f"no weituo.sqlite3 in {source}")
        if args.in_place:
            return source
        target = scratch / "data"
        target.mkdir()
        log(f"copying {source / 'weituo.sqlite3'} to {target} (the original stays untouched) …")
        shutil.copy2(source / "weituo.sqlite3", target / "weituo.sqlite3")
        return target
    target = scratch / "data"
    target.mkdir()
    log(f"building the {args.size} demo in {target} (weituo demo --size {args.size} --no-serve) …")
    env = {**os.environ, "WEITUO_DATA_DIR": str(target), "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    env.pop("DATABASE_URL", None)
    started = time.perf_counter()
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "weituo"), "demo", "--size", args.size, "--seed", str(args.seed), "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log(f"demo built in {time.perf_counter() - started:.0f} s")
    return target


def setup_django(data_dir: Path, scratch: Path) -> None:
    os.environ["WEITUO_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("WEITUO_KEY_DIR", str(scratch / "keys"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    log("migrating …")
    call_command("migrate", interactive=False, verbosity=0)


# --------------------------------------------------------------------------------------------------
# measurements


def measure(args: argparse.Namespace) -> tuple[list[Row], dict[str, Any]]:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from weituo.compliance.facts import load_facts
    from weituo.compliance.services import compliance_recheck, compliance_scan, gc_paused
    from weituo.contracts.models import QualityAgreement
    from weituo.contracts.services import quality_agreement_update
    from weituo.core.actors import system_actor
    from weituo.integrity.writes import record_update
    from weituo.registry.models import Appointment, Organisation, Person

    settings.DEBUG = False
    actor = system_actor("benchmark rules")
    as_of = args.as_of or timezone.localdate()
    rows: list[Row] = []
    info: dict[str, Any] = {"as_of": as_of.isoformat()}

    def load() -> Any:
        with gc_paused():
            return load_facts(as_of=as_of, everything=True)

    def scan() -> Any:
        return compliance_scan(actor=actor, as_of=as_of, store=False)

    loads, scans = [], []
    order = [("load", load, loads), ("scan", scan, scans)]
    for n in range(args.rounds):
        for name, fn, out in order if n % 2 == 0 else order[::-1]:
            wall, cpu, value = timed(fn)
            if name == "scan":
                out.append((wall, cpu, value.seconds, len(value.findings), value.counts(), len(value.graphs)))
            else:
                out.append((wall, cpu, len(value)))
            log(f"round {n + 1}: {name} {wall:.2f} s wall, {cpu:.2f} s CPU")
            del value
            gc.collect()
    load_wall, load_cpu, graphs = min(loads, key=lambda x: x[1])
    scan_wall, scan_cpu, seconds, findings, counts, _ = min(scans, key=lambda x: x[1])
    # the evaluation within the best scan: its CPU share is the scan's CPU less the load's
    eval_cpu = scan_cpu - load_cpu
    eval_wall = seconds["evaluate"]
    info.update(graphs=graphs, findings=findings, counts=counts)
    rows.append(Row("load facts (baseline)", load_cpu, "s CPU", target="", ok=None))
    rows.append(Row("load facts, wall", load_wall, "s"))
    rows.append(
        Row(
            "scan = load + evaluate",
            scan_cpu,
            "s CPU",
            load_cpu,
            "load (CPU)",
            scan_cpu / load_cpu,
            f"≤ {SCAN_RATIO_TARGET:g}×",
            scan_cpu / load_cpu <= SCAN_RATIO_TARGET,
        )
    )
    rows.append(Row("scan, wall", scan_wall, "s", load_wall, "load (wall)", scan_wall / load_wall))
    rows.append(
        Row(
            "evaluate (scan − load)",
            eval_cpu,
            "s CPU",
            load_cpu,
            "load (CPU)",
            eval_cpu / load_cpu,
            f"≤ {EVALUATE_RATIO_TARGET:g}×",
            eval_cpu / load_cpu <= EVALUATE_RATIO_TARGET,
        )
    )
    rows.append(
        Row(
            "evaluate, wall (inside the scan)",
            eval_wall,
            "s",
            seconds["load"],
            "load (wall, same scan)",
            eval_wall / seconds["load"],
        )
    )
    rows.append(Row("evaluation per finding", eval_cpu / findings * 1e6, "µs CPU"))
    rows.append(Row("fact graphs (contracts + enterprises)", graphs, "graphs"))
    rows.append(Row("findings", findings, "findings"))
    for outcome, n in counts.items():
        rows.append(Row(f"  {outcome}", n, "findings"))
    with CaptureQueriesContext(connection) as captured:
        compliance_scan(actor=actor, as_of=as_of, store=False)
    rows.append(Row("queries of a whole scan", len(captured), "queries"))
    gc.collect()

    # re-check after one change: an agreement in force whose MAH's right to visit the sites is toggled
    # through the contracts service — the access rule (art. 6) flips, so the finding, its event and
    # its ledger entry are written: the full path, not a no-op
    rng = random.Random(args.seed)
    agreements = sorted(
        QualityAgreement.objects.filter(status="in_force", contract__status="in_force").values_list("pk", flat=True)
    )
    chosen = rng.sample(agreements, min(args.changes, len(agreements)))
    times, cpu_times, queries, graphs_touched, changed = [], [], [], [], []
    for pk in chosen:
        agreement = QualityAgreement.objects.get(pk=pk)
        compliance_recheck(actor=actor, changed=agreement, as_of=as_of)  # the state before the change, recorded
        agreement = quality_agreement_update(
            actor=actor, agreement=agreement, mah_may_visit_sites=not agreement.mah_may_visit_sites, reason="benchmark"
        )
        with CaptureQueriesContext(connection) as captured:
            wall, cpu, result = timed(
                lambda agreement=agreement: compliance_recheck(actor=actor, changed=agreement, as_of=as_of)
            )
        times.append(wall * 1000)
        cpu_times.append(cpu * 1000)
        queries.append(len(captured))
        graphs_touched.append(len(result.graphs))
        changed.append(result.changes)
    median = statistics.median(times)
    rows.append(
        Row(
            f"re-check after one change (median of {len(times)})",
            median,
            "ms",
            target=f"≤ {RECHECK_TARGET_MS:g} ms",
            ok=median <= RECHECK_TARGET_MS,
        )
    )
    rows.append(Row("  re-check, slowest", max(times), "ms"))
    rows.append(Row("  re-check, CPU (median)", statistics.median(cpu_times), "ms CPU"))
    rows.append(Row("  re-check, queries (median)", statistics.median(queries), "queries"))
    rows.append(Row("  re-check, fact graphs evaluated", statistics.median(graphs_touched), "graphs"))
    rows.append(Row("  re-check, changes of outcome recorded (median)", statistics.median(changed), "changes"))

    # a change to a key person of the CMO with the most contracts: all of its contracts depend on it
    busiest = (
        Organisation.objects.filter(is_cmo=True).annotate(n=Count("contracts_as_cmo")).order_by("-n", "ref").first()
    )
    person = (
        Person.objects.filter(organisation=busiest, pk__in=Appointment.objects.values("person_id"))
        .order_by("ref")
        .first()
    )
    if person is not None:
        compliance_recheck(actor=actor, changed=person, as_of=as_of)
        person = record_update(actor=actor, instance=person, title=(person.title or "") + "·", reason="benchmark")
        wall, _, result = timed(lambda: compliance_recheck(actor=actor, changed=person, as_of=as_of))
        rows.append(
            Row(
                f"re-check after a change to a key person of {busiest.ref} ({len(result.graphs.contracts)} contracts)",
                wall * 1000,
                "ms",
            )
        )

    if args.store:
        wall, _, result = timed(lambda: compliance_scan(actor=actor, as_of=as_of))
        rows.append(Row(f"record a whole scan ({result.changes} changes of outcome)", wall, "s"))
        wall, _, result = timed(lambda: compliance_scan(actor=actor, as_of=as_of))
        rows.append(Row(f"record a second scan ({result.changes} changes)", wall, "s"))
    info["agreements"] = QualityAgreement.objects.count()
    return rows, info


# --------------------------------------------------------------------------------------------------
# report


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if unit in ("graphs", "findings", "queries", "changes"):
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"


def print_table(rows: list[Row], header: list[str]) -> None:
    print()
    for line in header:
        print(line)
    print()
    width = max(len(r.metric) for r in rows) + 2
    print(
        f"{'measure':<{width}}{'value':>14}  {'unit':<8}{'baseline':>12}  {'of':<24}{'ratio':>8}  {'target':<10}result"
    )
    for r in rows:
        result = "info" if r.ok is None else ("PASS" if r.ok else "MISS")
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else ""
        print(
            f"{r.metric:<{width}}{fmt(r.value, r.unit):>14}  {r.unit:<8}{fmt(r.baseline):>12}  "
            f"{r.baseline_label:<24}{ratio:>8}  {r.target:<10}{result}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", help="an existing WEITUO_DATA_DIR with weituo.sqlite3 (copied unless --in-place)")
    parser.add_argument("--in-place", action="store_true", help="use --data-dir itself (it gets migrated and written)")
    parser.add_argument("--size", default="national", choices=("small", "province", "national"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="date of evaluation (default today)")
    parser.add_argument("--rounds", type=int, default=2, help="load/scan rounds, best kept (default 2)")
    parser.add_argument("--changes", type=int, default=20, help="changes re-checked (default 20)")
    parser.add_argument("--store", action="store_true", help="also time recording a whole scan")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="weituo-rules-bench-"))
    started_load = load_average()
    try:
        data_dir = prepare(args, scratch)
        setup_django(data_dir, scratch)
        rows, info = measure(args)
    finally:
        if args.keep:
            log(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    ended_load = load_average()
    header = [
        "weituo rules benchmark — compliance scan vs loading the facts; re-check after one change",
        f"data: {args.data_dir or f'new {args.size} demo (seed {args.seed})'}; as of {info['as_of']}; "
        f"{info['graphs']:,} fact graphs, {info['findings']:,} findings, {info['agreements']:,} agreements",
        f"machine: {platform.platform()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs; load average {started_load} at start, {ended_load} at end",
        "ratios are of CPU time (wall figures beside them); best of the rounds",
    ]
    if os.cpu_count() and os.getloadavg()[0] > os.cpu_count():
        header.append("warning: the machine was busy (load average above the number of CPUs): wall times are inflated")
    print_table(rows, header)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"header": header, "info": info, "rows": [asdict(r) for r in rows]}, ensure_ascii=False, indent=1
            )
        )


if __name__ == "__main__":
    main()
