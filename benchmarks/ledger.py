"""Audit-ledger benchmarks: every figure measured in one run, each against a baseline of the same run.

Run from the project root::

    .venv/bin/python benchmarks/ledger.py                    # SQLite and PostgreSQL, 1,000,000 entries
    .venv/bin/python benchmarks/ledger.py --entries 20000    # a quick run
    .venv/bin/python benchmarks/ledger.py --skip-postgres    # SQLite only

What it measures, on each engine, in a throwaway database (a SQLite file in a temporary directory;
a ``weituo_bench_<random>`` database on the PostgreSQL server, dropped at the end):

1. An audited write (``writes.record_create``: validate, save, ledger entry, one transaction) against
   the same write without the ledger (``full_clean`` + ``save`` in its own transaction). Target ≤ 1.15×.
   The shadow triggers on audited tables fire in both: they are part of the database, always on.
2. Ledger appends per second, one per transaction (``ledger_append``), against a plain single-row ORM
   insert per transaction into an unguarded table (``django_session``). Targets ≥ 200/s on SQLite,
   ≥ 500/s on PostgreSQL.
3. Full verification of the ledger filled to ``--entries`` entries (``ledger_append_many``, 10,000 per
   transaction): ``verify_chain`` + ``verify_checkpoints`` against bare SHA-256 over the same canonical
   bytes (built once from the stored rows, untimed). Targets ≥ 100,000 entries/s and ≤ 3× the bare
   hashing time. The record replay (``verify_records``) is timed too, separately.
4. A checkpoint over all entries (``services.ledger_checkpoint``) against ``merkle.root`` over the same
   leaves in memory.

Django can be set up only once per process, so the parent runs each engine in a child process of this
same script (``--engine sqlite|postgresql``), which prints its figures as JSON on stdout (progress on
stderr); the parent tabulates them.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("sqlite", "postgresql")
DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
FILL_BATCH = 10_000
APPEND_TARGET = {"sqlite": 200.0, "postgresql": 500.0}
WRITE_TARGET = 1.15
VERIFY_RATE_TARGET = 100_000.0
VERIFY_RATIO_TARGET = 3.0
SHADOW_NOTE = (
    "The shadow triggers on audited tables (registry_enterprisegroup → integrity_shadowchange) fire in both the "
    "audited and the plain write of (1): they are part of the database, always on, so (1) isolates the ledger append."
)


@dataclass
class Row:
    """One line of the table: a figure, its baseline from the same run, and the target it is held to."""

    engine: str
    metric: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: informational, no target


# --------------------------------------------------------------------------------------------------
# Child: one engine, Django set up against the throwaway database the parent made.
# --------------------------------------------------------------------------------------------------


def log(engine: str, message: str) -> None:
    print(f"[{engine} {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", file=sys.stderr, flush=True)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleaved(
    measured: Callable[[int], Any], baseline: Callable[[int], Any], n: int, rounds: int = 10
) -> tuple[float, float, int]:
    """Seconds for n calls of ``measured`` and n of ``baseline`` in alternating blocks (AB BA AB …).

    Alternating blocks spread any drift (a growing table, the page cache, another process) over both
    sides alike. Returns (measured seconds, baseline seconds, calls per side).
    """
    per = max(1, n // rounds)
    spent = [0.0, 0.0]
    start = 0
    for r in range(rounds):
        order = ((0, measured), (1, baseline)) if r % 2 == 0 else ((1, baseline), (0, measured))
        for side, fn in order:
            t0 = time.perf_counter()
            for k in range(start, start + per):
                fn(k)
            spent[side] += time.perf_counter() - t0
        start += per
    return spent[0], spent[1], per * rounds


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.conf import settings

    # Measure as production runs: local settings have DEBUG on, which logs every query.
    settings.DEBUG = False
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def engine_info() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
            cursor.execute("SHOW synchronous_commit")
            durability = f"synchronous_commit={cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            durability = f"journal_mode={journal}, synchronous={cursor.fetchone()[0]}"
    return {"version": version, "durability": durability}


STATEMENTS: dict[str, list[str]] = {}  # the SQL one operation runs, for the report


def statements(fn: Callable[[], Any]) -> list[str]:
    """The SQL statements ``fn`` sends (outside any timing), shortened to their first words."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return [" ".join(q["sql"].split())[:90] for q in captured.captured_queries]


def bench_writes(engine: str, n: int, rows: list[Row]) -> None:
    """(1) record_create vs the same full_clean + save without the ledger, each in its own transaction."""
    from django.db import transaction

    from weituo.core.actors import system_actor
    from weituo.integrity.writes import record_create
    from weituo.registry.models import EnterpriseGroup

    actor = system_actor("bench")

    def audited(k: int) -> None:
        record_create(actor=actor, model=EnterpriseGroup, ref=f"BENCH-A-{k}", name=f"基准集团 A{k}")

    def plain(k: int) -> None:
        with transaction.atomic():
            group = EnterpriseGroup(ref=f"BENCH-P-{k}", name=f"基准集团 P{k}")
            group.full_clean()
            group.save()

    for k in range(-50, 0):  # warm-up: connection, statement caches, the first page splits
        audited(k)
        plain(k)
    log(engine, f"(1) {n} audited writes vs {n} plain writes, interleaved")
    t_audited, t_plain, count = interleaved(audited, plain, n)
    ratio = t_audited / t_plain
    rows.append(
        Row(
            engine,
            "(1) audited write (record_create) vs plain full_clean+save",
            t_audited / count * 1000,
            "ms/write",
            t_plain / count * 1000,
            "plain write",
            ratio,
            f"≤ {WRITE_TARGET}×",
            ratio <= WRITE_TARGET,
        )
    )
    queries_audited = statements(lambda: audited(10**9))
    queries_plain = statements(lambda: plain(10**9))
    rows.append(
        Row(
            engine,
            "    statements per write (BEGIN and COMMIT included)",
            len(queries_audited),
            "statements",
            len(queries_plain),
            "plain write",
            len(queries_audited) / len(queries_plain),
        )
    )
    STATEMENTS[f"(1) audited write, {engine}"] = queries_audited
    STATEMENTS[f"(1) plain write, {engine}"] = queries_plain
    # The plain rows were written outside the services on purpose; remove them so that the record
    # replay of (3) is measured on a consistent database, not on building a problem per row.
    EnterpriseGroup.objects.filter(ref__startswith="BENCH-P-").delete()


def bench_appends(engine: str, n: int, rows: list[Row]) -> None:
    """(2) ledger_append, one per transaction, vs a plain single-row insert per transaction."""
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone

    from weituo.core.actors import system_actor
    from weituo.integrity.ledger import Change, ledger_append

    actor = system_actor("bench")
    payload = "x" * 300  # about the size of a ledger row's text
    expires = timezone.now()

    def append(k: int) -> None:
        with transaction.atomic():
            ledger_append(
                actor=actor,
                change=Change(
                    "update", "bench.item", f"append-{k}", old={"name": f"旧名称 {k}"}, new={"name": f"新名称 {k}"}
                ),
            )

    def insert(k: int) -> None:
        with transaction.atomic():
            Session.objects.create(session_key=f"bench{k + 1000:035d}", session_data=payload, expire_date=expires)

    for k in range(-50, 0):
        append(k)
        insert(k - 500)
    STATEMENTS[f"(2) ledger_append, {engine}"] = statements(lambda: append(10**9))
    log(engine, f"(2) {n} ledger appends vs {n} plain inserts, one per transaction, interleaved")
    t_append, t_insert, count = interleaved(append, insert, n)
    rate, base_rate = count / t_append, count / t_insert
    target = APPEND_TARGET[engine]
    rows.append(
        Row(
            engine,
            "(2) ledger_append, 1 per transaction",
            rate,
            "/s",
            base_rate,
            "plain 1-row insert txn",
            t_append / t_insert,
            f"≥ {target:,.0f}/s",
            rate >= target,
        )
    )


def fill_changes(start: int, stop: int) -> Iterator[Any]:
    from weituo.integrity.ledger import Change

    for i in range(start, stop):
        yield Change(
            "update",
            "bench.item",
            str(i),
            old={"name": f"基准条目 {i}", "status": "draft", "quantity": Decimal("10.00")},
            new={"name": f"基准条目 {i}（修订）", "status": "active", "quantity": Decimal(f"{i % 997}.50")},
            reason="benchmark fill",
        )


def fill(engine: str, total: int, rows: list[Row]) -> int:
    """Bring the ledger to ``total`` entries through the real bulk path; returns the count."""
    from django.db import transaction

    from weituo.core.actors import system_actor
    from weituo.integrity.ledger import ledger_append_many
    from weituo.integrity.models import LedgerEntry

    actor = system_actor("bench fill")
    have = LedgerEntry.objects.count()
    todo = max(0, total - have)
    log(engine, f"filling the ledger from {have:,} to {have + todo:,} entries ({FILL_BATCH:,} per transaction)")
    start = time.perf_counter()
    for lo in range(have, have + todo, FILL_BATCH):
        hi = min(lo + FILL_BATCH, have + todo)
        with transaction.atomic():
            ledger_append_many(actor=actor, changes=fill_changes(lo, hi))
        if (hi - have) % 100_000 == 0:
            log(engine, f"  {hi:,} entries, {(hi - have) / (time.perf_counter() - start):,.0f}/s")
    spent = time.perf_counter() - start
    if todo:
        rows.append(
            Row(engine, f"    fill: ledger_append_many, {FILL_BATCH:,}/transaction (context)", todo / spent, "/s")
        )
    return LedgerEntry.objects.count()


def bench_checkpoint(engine: str, n: int, rows: list[Row]) -> None:
    """(4) ledger_checkpoint over the whole ledger vs merkle.root over the same leaves in memory."""
    from weituo.integrity import merkle
    from weituo.integrity.services import ledger_checkpoint
    from weituo.integrity.verify import iter_entries

    log(engine, f"(4) checkpoint over {n:,} entries")
    t_checkpoint, checkpoint = timed(ledger_checkpoint)
    leaves = [bytes.fromhex(row[-1]) for row in iter_entries()]  # untimed: the baseline starts in memory
    t_root, root = timed(lambda: merkle.root(leaves))
    if root.hex() != checkpoint.root_hash or checkpoint.tree_size != n:
        raise SystemExit(f"checkpoint disagrees with merkle.root: {checkpoint.root_hash} vs {root.hex()}")
    rows.append(
        Row(
            engine,
            f"(4) ledger_checkpoint over {n:,} entries",
            t_checkpoint,
            "s",
            t_root,
            "merkle.root, leaves in memory",
            t_checkpoint / t_root,
            "(none set)",
            None,
        )
    )


def bench_verify(engine: str, n: int, rows: list[Row]) -> None:
    """(3) verify_chain + verify_checkpoints vs bare SHA-256 over the same canonical bytes; verify_records apart."""
    from weituo.integrity.canonical import plain, stored_entry_bytes
    from weituo.integrity.verify import Report, iter_entries, verify_chain, verify_checkpoints, verify_records

    log(engine, f"(3) full verification of {n:,} entries")
    report = Report()
    t_chain, _ = timed(lambda: verify_chain(report))
    t_checkpoints, _ = timed(lambda: verify_checkpoints(report))
    if not report.ok or report.entries != n or report.checkpoints < 1:
        raise SystemExit(f"verification failed: {report.entries} entries, {report.problems[:3]}")
    report.hashes.clear()
    gc.collect()

    # Decomposition (context rows): reading the rows alone, then building the bytes from them.
    def read_only() -> int:
        count = 0
        for _ in iter_entries():
            count += 1
        return count

    t_read, _ = timed(read_only)

    def build() -> list[bytes]:
        out = []
        for seq, at, actor, org, action, otype, oid, old, new, reason, meaning, prev_hash, _stored in iter_entries():
            out.append(
                stored_entry_bytes(
                    seq=seq, at=plain(at), actor=actor, organisation=org, action=action, object_type=otype,
                    object_id=oid, old_text=old, new_text=new, reason=reason, meaning=meaning, prev_hash=prev_hash,
                )
            )  # fmt: skip
        return out

    t_build, blobs = timed(build)
    sha256 = hashlib.sha256

    def bare() -> None:
        for blob in blobs:
            sha256(blob).digest()

    t_hash, _ = timed(bare)
    mean_bytes = sum(map(len, blobs)) / len(blobs)
    blobs.clear()
    gc.collect()

    t_verify = t_chain + t_checkpoints
    rate, bare_rate = n / t_verify, n / t_hash
    label = f"bare sha256, {mean_bytes:.0f} B/entry"
    rows += [
        Row(
            engine,
            f"(3) verify_chain+verify_checkpoints, {n:,} entries: rate",
            rate,
            "/s",
            bare_rate,
            label,
            t_verify / t_hash,
            f"≥ {VERIFY_RATE_TARGET:,.0f}/s",
            rate >= VERIFY_RATE_TARGET,
        ),
        Row(
            engine,
            f"(3) verify_chain+verify_checkpoints, {n:,} entries: time",
            t_verify,
            "s",
            t_hash,
            label,
            t_verify / t_hash,
            f"≤ {VERIFY_RATIO_TARGET:.0f}× bare",
            t_verify / t_hash <= VERIFY_RATIO_TARGET,
        ),
        Row(engine, "    of which verify_chain", t_chain, "s", t_hash, label, t_chain / t_hash),
        Row(engine, "    of which verify_checkpoints (Merkle tree + signature)", t_checkpoints, "s", t_hash, label,
            t_checkpoints / t_hash),
        Row(engine, "    context: read rows only (iter_entries, no work)", t_read, "s", t_hash, label, t_read / t_hash),
        Row(engine, "    context: read rows + plain(at) + stored_entry_bytes", t_build, "s", t_hash, label,
            t_build / t_hash),
    ]  # fmt: skip

    log(engine, "(3) record replay (verify_records)")
    records = Report()
    t_records, _ = timed(lambda: verify_records(records))
    if not records.ok:
        raise SystemExit(f"record replay found problems: {records.problems[:3]}")
    rows.append(
        Row(
            engine,
            f"(3') record replay verify_records ({n:,} entries, {records.records:,} records) — not the chain check",
            t_records,
            "s",
            t_read,
            "reading the rows only",
            t_records / t_read,
        )
    )


def child(args: argparse.Namespace) -> int:
    engine = args.engine
    log(engine, "setting up Django and migrating the throwaway database")
    setup_django()
    info = engine_info()
    log(engine, f"{info['version']} ({info['durability']})")
    info["load"] = f"{os.getloadavg()[0]:.2f}"
    rows: list[Row] = []
    bench_writes(engine, args.writes, rows)
    bench_appends(engine, args.appends, rows)
    n = fill(engine, args.entries, rows)
    bench_checkpoint(engine, n, rows)
    bench_verify(engine, n, rows)
    info["load"] += f" → {os.getloadavg()[0]:.2f}"
    print(json.dumps({"engine": engine, "info": info, "rows": [asdict(r) for r in rows], "statements": STATEMENTS}))
    return 0


# --------------------------------------------------------------------------------------------------
# Parent: a throwaway database per engine, a child per engine, one table.
# --------------------------------------------------------------------------------------------------


def run_child(engine: str, args: argparse.Namespace, database_url: str, tmp: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url,
        "WEITUO_DATA_DIR": str(tmp / "data"),
        "WEITUO_KEY_DIR": str(tmp / "keys"),
    }
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--engine",
        engine,
        "--entries",
        str(args.entries),
        "--writes",
        str(args.writes),
        "--appends",
        str(args.appends),
    ]
    done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {engine} run failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="weituo-bench-") as name:
        tmp = Path(name)
        return run_child("sqlite", args, f"sqlite:///{tmp / 'bench.sqlite3'}", tmp)


def run_postgresql(args: argparse.Namespace) -> dict[str, Any]:
    import psycopg
    from psycopg import sql

    server = args.pg_server.rstrip("/")
    database = f"weituo_bench_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    try:
        with tempfile.TemporaryDirectory(prefix="weituo-bench-") as name:
            return run_child("postgresql", args, f"{server}/{database}", Path(name))
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        print(f"[postgresql] dropped database {database}", file=sys.stderr, flush=True)


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "s":
        return f"{value:,.2f} s"
    if unit == "statements":
        return f"{value:.0f}"
    return f"{value:,.3f} {unit}"


def table(results: list[dict[str, Any]]) -> str:
    header = ("engine", "metric", "value", "baseline", "ratio", "target", "result")
    lines = [header]
    for result in results:
        for r in result["rows"]:
            row = Row(**r)
            baseline = f"{show(row.baseline, row.unit)} {row.baseline_label}" if row.baseline is not None else "—"
            ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
            verdict = "info" if row.ok is None else ("PASS" if row.ok else "MISS")
            lines.append(
                (row.engine, row.metric, show(row.value, row.unit), baseline, ratio, row.target or "—", verdict)
            )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for i, line in enumerate(lines):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def parent(args: argparse.Namespace) -> int:
    engines = ["sqlite"] if args.skip_postgres else list(ENGINES)
    results: list[dict[str, Any]] = []
    failed: list[str] = []
    started = time.perf_counter()
    for engine in engines:
        try:
            results.append(run_sqlite(args) if engine == "sqlite" else run_postgresql(args))
        except Exception as e:  # report the other engine's figures all the same
            print(f"[{engine}] FAILED: {e}", file=sys.stderr, flush=True)
            failed.append(engine)
    print()
    print(f"weituo audit-ledger benchmark — one run, {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"--entries {args.entries:,} --writes {args.writes:,} --appends {args.appends:,}; "
        f"{time.perf_counter() - started:,.0f} s in all"
    )
    busy = False
    for result in results:
        info = result["info"]
        print(f"  {result['engine']}: {info['version']} ({info['durability']}); 1-minute load average {info['load']}")
        busy = busy or max(float(x) for x in info["load"].split(" → ")) > (os.cpu_count() or 1) - 0.5
    if busy:
        print("  WARNING: other processes competed for the CPUs or the disk during the run; figures are noisy.")
    print()
    print(table(results))
    print()
    print("Ratios are cost ratios (measured time ÷ baseline time; for rates, baseline rate ÷ measured rate).")
    print(SHADOW_NOTE)
    print(
        "(3) baseline: hashlib.sha256(...).digest() over the canonical bytes of every stored entry, built once "
        "beforehand with canonical.stored_entry_bytes (untimed); verification also reads the rows from the database."
    )
    for result in results:
        for what, sql in result.get("statements", {}).items():
            print(f"SQL of one {what}:")
            for line in sql:
                print(f"    {line}")
    print("Query logging is off (settings.DEBUG = False after setup), as in production.")
    if failed:
        print(f"FAILED: {', '.join(failed)} (see the log above)")
    misses = [r for res in results for r in res["rows"] if r["ok"] is False]
    print(f"{len(misses)} target(s) missed." if misses else "All targets met.")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="ledger size for (3) and (4)")
    parser.add_argument("--writes", type=int, default=2_000, help="writes per side for (1)")
    parser.add_argument("--appends", type=int, default=2_000, help="appends per side for (2)")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER, help="PostgreSQL server (trust auth), no database")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)  # internal: run one engine (child)
    args = parser.parse_args(argv)
    return child(args) if args.engine else parent(args)


if __name__ == "__main__":
    sys.exit(main())
