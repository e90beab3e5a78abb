"""Verification of the ledger in the database: the chain, the checkpoints, and the data itself.

1. The chain: every entry's hash recomputes from its stored columns; seq runs 1, 2, 3 … without a
   gap; each entry's prev_hash is the previous entry's hash. A flipped byte, a deleted, inserted
   or reordered entry each breaks one of these, at a named seq.
2. The checkpoints: each signature verifies with its public key, each root equals the Merkle root
   of the first tree_size entries, and no checkpoint holds more entries than the ledger does (a
   truncated tail).
3. The data: replaying the ledger gives the values every audited record should have; a record
   whose stored value differs was changed outside the services, and is named by table, id and
   field, with the database's own trigger evidence (the shadow table) when it has any.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

from . import checkpoints as cp
from . import keys, merkle
from .audited import audited_models, object_type, snapshot
from .canonical import GENESIS, plain, stored_entry_bytes
from .models import Checkpoint, LedgerEntry, ShadowChange

BATCH = 20_000


@dataclass(frozen=True)
class Problem:
    kind: str
    message_zh: str
    message_en: str
    seq: int | None = None
    table: str | None = None
    row: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


@dataclass
class Report:
    entries: int = 0
    checkpoints: int = 0
    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    hashes: list[bytes] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems


def key_dir():
    return settings.WEITUO_KEY_DIR


ENTRY_COLUMNS = (
    "seq", "at", "actor", "organisation", "action", "object_type", "object_id",
    "old", "new", "reason", "meaning", "prev_hash", "entry_hash",
)  # fmt: skip


def iter_entries(batch: int = BATCH) -> Iterator[tuple]:
    """Every entry in seq order, ``at`` as its canonical UTC text, in batches of raw rows.

    Keyset pagination keeps memory bounded at a million rows; reading raw rows instead of through
    the ORM skips per-row value conversion, which otherwise costs more than the hashing itself.
    """
    table = LedgerEntry._meta.db_table
    columns = list(ENTRY_COLUMNS)
    if connection.vendor == "postgresql":
        # The server writes the canonical text itself: psycopg's timestamptz parsing per row cost more
        # than the hashing.
        columns[1] = """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    select = f"SELECT {', '.join(columns)} FROM {table} WHERE seq > %s ORDER BY seq LIMIT %s"
    canonical_at: dict[Any, str] = {}  # entries of one transaction share their time: format it once
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(select, [last, batch])
            rows = cursor.fetchall()
        if not rows:
            return
        for row in rows:
            at = canonical_at.get(row[1])
            if at is None:
                at = canonical_at[row[1]] = _canonical_at(row[1])
                if len(canonical_at) > 100_000:
                    canonical_at.clear()
            yield (row[0], at, *row[2:])
        last = rows[-1][0]


def _canonical_at(raw: Any) -> str:
    """The stored time as ``plain`` formats it: SQLite gives naive UTC text, PostgreSQL the canonical text."""
    if isinstance(raw, str) and raw.endswith("Z"):
        return raw
    if isinstance(raw, str):
        raw = dt.datetime.fromisoformat(raw)
    if raw.tzinfo is None:
        raw = raw.replace(tzinfo=dt.UTC)
    return plain(raw)


def iter_entry_hashes(batch: int = 100_000, *, after: int = 0) -> Iterator[bytes]:
    """Every entry's stored hash in seq order (from seq ``after`` + 1), the Merkle leaves of a checkpoint."""
    table = LedgerEntry._meta.db_table
    last = after
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT seq, entry_hash FROM {table} WHERE seq > %s ORDER BY seq LIMIT %s", [last, batch])
            rows = cursor.fetchall()
        if not rows:
            return
        for _seq, digest in rows:
            yield bytes.fromhex(digest)
        last = rows[-1][0]


def verify_chain(report: Report) -> None:
    expected_seq, prev = 1, GENESIS
    sha256 = hashlib.sha256
    for seq, at, actor, org, action, otype, oid, old, new, reason, meaning, prev_hash, stored in iter_entries():
        computed = sha256(
            stored_entry_bytes(
                seq=seq, at=at, actor=actor, organisation=org, action=action, object_type=otype,
                object_id=oid, old_text=old, new_text=new, reason=reason, meaning=meaning, prev_hash=prev_hash,
            )
        ).hexdigest()  # fmt: skip
        if seq != expected_seq:
            report.problems.append(
                Problem(
                    "seq_gap",
                    f"序号不连续：应为 {expected_seq}，实为 {seq}（条目被删除或插入）",
                    f"seq gap: expected {expected_seq}, found {seq} (an entry was deleted or inserted)",
                    seq=seq,
                )
            )
        if prev_hash != prev:
            report.problems.append(
                Problem(
                    "chain_broken",
                    f"条目 {seq} 的 prev_hash 与前一条目不符（条目被删除、插入或调换）",
                    f"entry {seq}: prev_hash does not match the previous entry (deleted, inserted or reordered)",
                    seq=seq,
                )
            )
        if computed != stored:
            report.problems.append(
                Problem(
                    "hash_mismatch",
                    f"条目 {seq} 的内容被改动（存储哈希 {stored[:12]}…，计算哈希 {computed[:12]}…）",
                    f"entry {seq} was altered (stored hash {stored[:12]}…, computed {computed[:12]}…)",
                    seq=seq,
                )
            )
        report.hashes.append(bytes.fromhex(stored))
        report.entries += 1
        prev = stored
        expected_seq = seq + 1


def verify_checkpoints(report: Report) -> None:
    public = keys.public_keys(key_dir())
    tree = merkle.MerkleTree(report.hashes) if report.hashes else None
    for checkpoint in Checkpoint.objects.order_by("tree_size", "id"):
        report.checkpoints += 1
        data = checkpoint.as_dict()
        label = f"{checkpoint.tree_size} @ {checkpoint.at}"
        if not cp.verify_checkpoint(data, public):
            report.problems.append(
                Problem(
                    "checkpoint_signature",
                    f"检查点 {label} 签名无效或密钥未知（密钥 {checkpoint.key_id}）",
                    f"checkpoint {label}: bad signature or unknown key {checkpoint.key_id}",
                )
            )
        if checkpoint.tree_size > report.entries:
            report.problems.append(
                Problem(
                    "truncated",
                    f"审计追踪被截断：检查点包含 {checkpoint.tree_size} 条，现仅有 {report.entries} 条",
                    f"ledger truncated: checkpoint holds {checkpoint.tree_size} entries, the ledger has {report.entries}",
                )
            )
            continue
        root = tree.root(checkpoint.tree_size).hex() if tree else merkle.root([]).hex()
        if root != checkpoint.root_hash:
            report.problems.append(
                Problem(
                    "checkpoint_root",
                    f"检查点 {label} 的 Merkle 根与审计追踪不符（其覆盖的条目被改动）",
                    f"checkpoint {label}: Merkle root does not match the ledger (entries it covers were altered)",
                )
            )


def expected_state() -> dict[tuple[str, str], dict[str, Any] | None]:
    """Replay the ledger: each object's values as the services last recorded them (None once deleted)."""
    state: dict[tuple[str, str], dict[str, Any] | None] = {}
    for row in iter_entries():
        otype, oid, action, new = row[5], row[6], row[4], row[8]
        key = (otype, oid)
        if action == "delete":
            state[key] = None
        elif action in ("create", "update", "transition"):
            values = json.loads(new)
            current = state.get(key) or {}
            state[key] = values if action == "create" else {**current, **values}
    return state


def verify_records(report: Report) -> None:
    state = expected_state()
    for model in audited_models():
        otype = object_type(model)
        table = model._meta.db_table
        seen = set()
        for instance in model.objects.all().iterator(chunk_size=2000):
            oid = str(instance.pk)
            seen.add(oid)
            report.records += 1
            expected = state.get((otype, oid))
            actual = plain(snapshot(instance, with_m2m=bool(model._meta.local_many_to_many)))
            if expected is None:
                report.problems.append(_outside(table, oid, None, "inserted", None, actual))
                continue
            for name, value in actual.items():
                if name in expected and expected[name] != value:
                    report.problems.append(_outside(table, oid, name, "altered", expected[name], value))
        for (t, oid), values in state.items():
            if t == otype and values is not None and oid not in seen:
                report.problems.append(_outside(table, oid, None, "deleted", None, None))


def _outside(table: str, row: str, field_name: str | None, how: str, expected: Any, actual: Any) -> Problem:
    evidence = ShadowChange.objects.filter(table_name=table, row_pk=row).order_by("-id").first()
    seen_zh = f"；数据库记录到最近一次 {evidence.op} 于 {evidence.at}" if evidence else ""
    seen_en = f"; the database recorded the last {evidence.op} at {evidence.at}" if evidence else ""
    if how == "altered":
        return Problem(
            "record_altered",
            f"{table} id={row} 字段 {field_name} 在系统之外被修改：审计追踪为 {expected!r}，数据库为 {actual!r}{seen_zh}",
            f"{table} id={row} field {field_name} was changed outside the services: ledger {expected!r}, database {actual!r}{seen_en}",
            table=table,
            row=row,
            field=field_name,
        )
    zh = "在系统之外被插入" if how == "inserted" else "在系统之外被删除"
    return Problem(
        f"record_{how}",
        f"{table} id={row} {zh}（审计追踪中无此记录）{seen_zh}"
        if how == "inserted"
        else f"{table} id={row} {zh}{seen_zh}",
        f"{table} id={row} was {how} outside the services{seen_en}",
        table=table,
        row=row,
    )


def verify_all(*, records: bool = True) -> Report:
    report = Report()
    verify_chain(report)
    verify_checkpoints(report)
    if records:
        verify_records(report)
    return report
