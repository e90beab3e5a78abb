"""Checkpoint benchmarks: a checkpoint at each release must not make the release slow at national sizes.

Run from the project root::

    .venv/bin/python benchmarks/checkpoint.py                          # 10^4, 10^5, 10^6 entries (a few minutes)
    .venv/bin/python benchmarks/checkpoint.py --sizes 10000 100000     # quicker
    .venv/bin/python benchmarks/checkpoint.py --releases 5             # fewer releases per side and size

In a throwaway SQLite database (a file in a temporary directory; nothing touches ``var/``), with the
ledger grown to each size through the real bulk path (``ledger_append_many``, 10,000 per transaction),
each figure beside a baseline measured in the same run at the same size:

A. Release latency with its checkpoint vs without: ``batch_factory_release`` by the CMO's QP (two
   Argon2 password checks, the decision, the signature, the transition, then, after the commit, the
   checkpoint ``transaction.on_commit`` runs), against the same release with the on-commit checkpoint
   replaced by a no-op. Alternating releases (with, without, without, with, …), a new batch each.
B. An incremental checkpoint after a release's worth of new entries (``ledger_checkpoint()``: the
   stored frontier extended) vs the full recomputation at the same size (``ledger_checkpoint(full=True)``:
   every entry hash read and hashed again, what a checkpoint cost before). Alternating, median of ``--repeat``.

Both sides of each row run in one process on one database, so a busy machine moves both.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ledger import FILL_BATCH, Row, engine_info, fill_changes, log, setup_django, table  # noqa: E402

ENGINE = "sqlite"
RELEASE_SHARE = 0.10  # a checkpoint may add at most 10% to a release


def _fill_to(total: int) -> int:
    from django.db import transaction

    from weituo.core.actors import system_actor
    from weituo.integrity.ledger import ledger_append_many
    from weituo.integrity.models import LedgerEntry

    actor = system_actor("bench fill")
    have = LedgerEntry.objects.count()
    for lo in range(have, total, FILL_BATCH):
        with transaction.atomic():
            ledger_append_many(actor=actor, changes=fill_changes(lo, min(lo + FILL_BATCH, total)))
    return LedgerEntry.objects.count()


def _world() -> Any:
    """The tests' mini world (two MAHs on the CMO's shared line, QPs with known passwords)."""
    from django.conf import settings

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="weituo-bench-media-")
    from tests.quality.world import build_world

    return build_world()


class _Releases:
    """Ready batches, made on demand (untimed), released one at a time (timed)."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.count = 0

    def ready_batch(self) -> Any:
        from tests.quality.world import fill_package, make_batch

        self.count += 1
        batch = make_batch(self.world, f"B{self.count:06d}")
        fill_package(self.world, batch)
        return batch

    def release(self, batch: Any) -> float:
        from tests.quality.world import PASSWORD
        from weituo.batches import services
        from weituo.batches.signing import open_session

        token = open_session(self.world.cmo_qp, batch, "factory").token
        start = time.perf_counter()
        services.batch_factory_release(actor=self.world.cmo_qp, batch=batch, password=PASSWORD, signing_token=token)
        return time.perf_counter() - start


def bench_release(size: int, releases: _Releases, n: int, rows: list[Row]) -> None:
    """(A) a factory release with its on-commit checkpoint vs the same release without it.

    The release is dominated by two Argon2 password checks whose time varies with the machine's
    load, so besides the two medians the checkpoint's own time inside the release (timed around the
    on-commit callback) is set against the release without it: that share is what the target holds.
    """
    from weituo.batches import services

    real = services.ledger_checkpoint_after
    in_release: list[float] = []

    def timed_checkpoint(**kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return real(**kwargs)
        finally:
            in_release.append(time.perf_counter() - start)

    spent: dict[bool, list[float]] = {True: [], False: []}
    for k in range(2 * n):
        with_checkpoint = k % 4 in (0, 3)  # with, without, without, with, …
        batch = releases.ready_batch()
        services.ledger_checkpoint_after = timed_checkpoint if with_checkpoint else (lambda **kw: None)
        try:
            spent[with_checkpoint].append(releases.release(batch))
        finally:
            services.ledger_checkpoint_after = real
    with_cp, without = statistics.median(spent[True]), statistics.median(spent[False])
    checkpoint = statistics.median(in_release)
    rows.append(
        Row(
            ENGINE,
            f"(A) factory release + checkpoint, {size:,} entries (median of {n})",
            with_cp * 1000,
            "ms",
            without * 1000,
            "same release, no checkpoint",
            with_cp / without,
        )
    )
    share = checkpoint / without
    rows.append(
        Row(
            ENGINE,
            f"    the checkpoint inside that release, {size:,} entries",
            checkpoint * 1000,
            "ms",
            without * 1000,
            "release without it",
            share,
            f"≤ {RELEASE_SHARE:.0%} of the release",
            share <= RELEASE_SHARE,
        )
    )


def bench_checkpoint(size: int, repeat: int, rows: list[Row]) -> None:
    """(B) the incremental checkpoint after ~20 new entries vs the full recomputation at the same size."""
    from django.db import transaction

    from weituo.core.actors import system_actor
    from weituo.integrity import merkle
    from weituo.integrity.ledger import Change, ledger_append_many
    from weituo.integrity.models import LedgerEntry
    from weituo.integrity.services import ledger_checkpoint
    from weituo.integrity.verify import iter_entry_hashes

    actor = system_actor("bench")
    incremental: list[float] = []
    full: list[float] = []
    for r in range(repeat):
        with transaction.atomic():  # a release's worth of entries since the last checkpoint
            ledger_append_many(actor=actor, changes=[Change("notify", "bench.item", f"r{r}-{i}") for i in range(20)])
        order = (True, False) if r % 2 == 0 else (False, True)
        for is_full in order:
            start = time.perf_counter()
            checkpoint = ledger_checkpoint(full=is_full)
            (full if is_full else incremental).append(time.perf_counter() - start)
    n = LedgerEntry.objects.count()
    if checkpoint.tree_size != n or checkpoint.root_hash != merkle.root(list(iter_entry_hashes())).hex():
        raise SystemExit("the checkpoint disagrees with merkle.root over the ledger")
    inc, base = statistics.median(incremental), statistics.median(full)
    rows.append(
        Row(
            ENGINE,
            f"(B) incremental ledger_checkpoint, {size:,} entries (+20 new, median of {repeat})",
            inc * 1000,
            "ms",
            base * 1000,
            "full recomputation",
            inc / base,
        )
    )


def child(args: argparse.Namespace) -> int:
    log(ENGINE, "setting up Django and migrating the throwaway database")
    setup_django()
    info = engine_info()
    info["load"] = f"{os.getloadavg()[0]:.2f}"
    world = _world()
    releases = _Releases(world)
    for _ in range(3):  # warm-up: Argon2, statement caches, the key directory
        releases.release(releases.ready_batch())
    rows: list[Row] = []
    for size in sorted(args.sizes):
        log(ENGINE, f"filling the ledger to {size:,} entries")
        start = time.perf_counter()
        have = _fill_to(size)
        log(ENGINE, f"  {have:,} entries ({time.perf_counter() - start:.1f} s); first checkpoint (full)")
        from weituo.integrity.services import ledger_checkpoint

        ledger_checkpoint()  # the first checkpoint at this size: from here on each one is incremental
        log(ENGINE, f"(A) {2 * args.releases} releases at {size:,} entries")
        bench_release(size, releases, args.releases, rows)
        log(ENGINE, f"(B) {args.repeat} incremental and {args.repeat} full checkpoints at {size:,} entries")
        bench_checkpoint(size, args.repeat, rows)
    info["load"] += f" → {os.getloadavg()[0]:.2f}"
    print(json.dumps({"engine": ENGINE, "info": info, "rows": [asdict(r) for r in rows]}))
    return 0


def parent(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="weituo-bench-") as name:
        tmp = Path(name)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "WEITUO_DATA_DIR": str(tmp / "data"),
            "WEITUO_KEY_DIR": str(tmp / "keys"),
        }
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--sizes", *map(str, args.sizes)]
        command += ["--releases", str(args.releases), "--repeat", str(args.repeat)]
        done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        print(f"FAILED (exit {done.returncode})", file=sys.stderr)
        return 1
    result = json.loads(done.stdout.strip().splitlines()[-1])
    info = result["info"]
    print()
    print(f"weituo checkpoint benchmark — one run, {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{info['version']} ({info['durability']}); 1-minute load average {info['load']}; "
        f"{time.perf_counter() - started:,.0f} s in all"
    )
    print()
    print(table([result]))
    print()
    print("Ratios are measured time ÷ baseline time (same run, same ledger size).")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    misses = [r for r in result["rows"] if r["ok"] is False]
    print(f"{len(misses)} target(s) missed." if misses else "All targets met.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--releases", type=int, default=8, help="releases per side and size for (A)")
    parser.add_argument("--repeat", type=int, default=5, help="checkpoints per side and size for (B)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # internal: the measuring process
    args = parser.parse_args(argv)
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
