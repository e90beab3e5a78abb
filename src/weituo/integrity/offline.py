"""The standalone verifier of an exported ledger bundle: no Django, no database.

A bundle is a directory or a .zip holding

* ``entries.jsonl``: one JSON object per line, exactly ``canonical.ENTRY_FIELDS`` plus ``entry_hash``;
* ``checkpoints.json``: a list of signed checkpoints (see ``checkpoints``);
* ``public_keys.json``: ``{key_id: public key hex}``.

``verify_bundle`` recomputes every entry hash, follows the seq numbers and the ``prev_hash`` chain,
checks every checkpoint's signature and that its Merkle root is the root of the first ``tree_size``
entries, and names each problem it finds: which entry was altered, which seq is missing or out of
order, which checkpoint does not verify, whether the tail was cut off. A counterparty holding an
older checkpoint checks the bundle against it with ``verify_against_held_checkpoint``.

Command line (``weituo-verify``)::

    weituo-verify BUNDLE [--held-checkpoint FILE] [--trusted-keys FILE]

exits 0 when everything verifies, 1 when a problem was found, 2 when the input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from weituo.integrity import canonical, merkle
from weituo.integrity.checkpoints import CHECKPOINT_FIELDS, checkpoint_problem
from weituo.integrity.keys import key_id_for

__all__ = [
    "BUNDLE_FILES",
    "BundleError",
    "Problem",
    "Report",
    "main",
    "read_public_keys",
    "verify_against_held_checkpoint",
    "verify_bundle",
    "write_bundle",
]

ENTRIES_FILE = "entries.jsonl"
CHECKPOINTS_FILE = "checkpoints.json"
KEYS_FILE = "public_keys.json"
BUNDLE_FILES = (ENTRIES_FILE, CHECKPOINTS_FILE, KEYS_FILE)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ENTRY_KEYS = frozenset((*canonical.ENTRY_FIELDS, "entry_hash"))
_ZERO_LEAF = bytes(32)


class BundleError(Exception):
    """The bundle (or a file given with it) cannot be read at all: a missing file, bad JSON structure."""


class Problem(str):
    """One problem found, as its English text (the string itself) with a Chinese rendering in ``zh``."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Problem:
        obj = super().__new__(cls, en)
        obj.zh = zh
        return obj

    @property
    def en(self) -> str:
        return str(self)


@dataclass
class Report:
    """What ``verify_bundle`` found. ``ok`` is True when ``problems`` is empty; warnings do not fail it."""

    source: str
    entries: int = 0
    checkpoints: int = 0
    checkpoints_verified: int = 0
    key_ids: list[str] = field(default_factory=list)
    latest_checkpoint: dict[str, Any] | None = None  # the verified checkpoint with the largest tree_size
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    entry_hashes: list[str] = field(default_factory=list, repr=False)  # recomputed, in file order (Merkle leaves)
    public_keys: dict[str, bytes] = field(default_factory=dict, repr=False)  # the keys checkpoints were checked with

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]

    def add(self, en: str, zh: str) -> None:
        self.problems.append(Problem(en, zh))

    def warn(self, en: str, zh: str) -> None:
        self.warnings.append(Problem(en, zh))

    def summary(self) -> str:
        """A bilingual (Chinese / English) summary for a person to read."""
        lines = [
            "weituo-verify — 审计账本离线核验 / offline ledger verification",
            f"数据包 Bundle: {self.source}",
            f"条目 Entries: {self.entries}    检查点 Checkpoints: {self.checkpoints}"
            f" (已验证 verified: {self.checkpoints_verified})",
            f"公钥 Public keys: {', '.join(self.key_ids) or '—'}",
        ]
        cp = self.latest_checkpoint
        if cp is not None:
            lines.append(
                f"最新已验证检查点 Latest verified checkpoint: tree_size {cp['tree_size']}, root {cp['root_hash']},"
                f" at {cp['at']}, key {cp['key_id']}"
            )
        for note in self.notes:
            lines.append(f"{note.zh} / {note.en}")
        if self.ok:
            lines.append("结果 Result: 通过，未发现问题 / PASS: no problems found")
        else:
            n = len(self.problems)
            lines.append(f"结果 Result: 未通过，发现 {n} 个问题 / FAIL: {n} problem{'s' if n != 1 else ''} found")
            for i, p in enumerate(self.problems, 1):
                lines.append(f"  {i}. {p.zh}")
                lines.append(f"     {p.en}")
        if self.warnings:
            lines.append("提示 Warnings:")
            for w in self.warnings:
                lines.append(f"  - {w.zh}")
                lines.append(f"    {w.en}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


def _zip_member(names: Sequence[str], wanted: str) -> str | None:
    """The member named ``wanted`` at the top of the archive or inside one top-level folder."""
    candidates = [n for n in names if n == wanted or n.endswith("/" + wanted)]
    if not candidates:
        return None
    shallowest = min(n.count("/") for n in candidates)
    top = [n for n in candidates if n.count("/") == shallowest]
    if len(top) > 1:
        raise BundleError(f"the archive holds more than one {wanted}: {', '.join(top)}")
    return top[0]


def _read_files(path: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    if path.is_dir():
        for name in BUNDLE_FILES:
            try:
                files[name] = (path / name).read_bytes()
            except FileNotFoundError as exc:
                raise BundleError(f"{name} missing from {path}") from exc
            except OSError as exc:
                raise BundleError(f"cannot read {path / name}: {exc}") from exc
        return files
    if not path.exists():
        raise BundleError(f"no such bundle: {path}")
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            for name in BUNDLE_FILES:
                member = _zip_member(names, name)
                if member is None:
                    raise BundleError(f"{name} missing from {path}")
                files[name] = archive.read(member)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"not a bundle directory or a readable .zip: {path} ({exc})") from exc
    return files


def _load_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleError(f"{name} is not valid UTF-8 JSON: {exc}") from exc


def read_public_keys(mapping: Any, report: Report | None = None) -> dict[str, bytes]:
    """``{key_id: hex}`` as ``{key_id: raw bytes}``; a key that does not match its id is left out (and reported)."""
    if not isinstance(mapping, dict):
        raise BundleError("public keys must be a JSON object {key_id: hex}")
    keys: dict[str, bytes] = {}
    for key_id, value in mapping.items():
        raw: bytes | None = None
        if isinstance(value, str):
            try:
                raw = bytes.fromhex(value)
            except ValueError:
                raw = None
        if raw is None or len(raw) != 32:
            if report is not None:
                report.add(f"public key {key_id}: not 32 bytes of hex", f"公钥 {key_id}：不是 32 字节的十六进制")
            continue
        if key_id_for(raw) != key_id:
            if report is not None:
                report.add(
                    f"public key {key_id}: does not match its key id (the key's id is {key_id_for(raw)})",
                    f"公钥 {key_id}：与密钥标识不符（该公钥的标识是 {key_id_for(raw)}）",
                )
            continue
        keys[key_id] = raw
    return keys


# --------------------------------------------------------------------------- entries


@dataclass
class _Row:
    line: int
    entry: dict[str, Any] | None = None
    seq: int | None = None
    stored: str | None = None  # entry_hash as written, when it is 64 hex characters
    computed: str | None = None  # entry_hash recomputed from the fields

    @property
    def chain_hash(self) -> str | None:
        """The hash the next entry's prev_hash refers to: the stored one (it is what was chained)."""
        return self.stored or self.computed

    @property
    def leaf(self) -> bytes:
        value = self.computed or self.stored
        return bytes.fromhex(value) if value else _ZERO_LEAF


def _parse_entries(data: bytes, report: Report) -> list[_Row]:
    rows: list[_Row] = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for lineno, raw in enumerate(lines, 1):
        row = _Row(line=lineno)
        rows.append(row)
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            report.add(f"line {lineno}: not valid JSON", f"第 {lineno} 行：不是有效的 JSON")
            continue
        if not isinstance(obj, dict):
            report.add(f"line {lineno}: not a JSON object", f"第 {lineno} 行：不是 JSON 对象")
            continue
        row.entry = obj
        seq = obj.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 1:
            row.seq = seq
        else:
            report.add(f"line {lineno}: seq is not a positive integer", f"第 {lineno} 行：序号不是正整数")
        stored = obj.get("entry_hash")
        if isinstance(stored, str) and _HEX64.match(stored):
            row.stored = stored
    seq_counts = Counter(r.seq for r in rows if r.seq is not None)

    def label(row: _Row) -> tuple[str, str]:
        if row.seq is None:
            return f"line {row.line}", f"第 {row.line} 行"
        if seq_counts[row.seq] > 1:
            return f"entry {row.seq} (line {row.line})", f"条目 {row.seq}（第 {row.line} 行）"
        return f"entry {row.seq}", f"条目 {row.seq}"

    for row in rows:
        if row.entry is None:
            continue
        en, zh = label(row)
        keys = set(row.entry)
        missing = [f for f in (*canonical.ENTRY_FIELDS, "entry_hash") if f not in keys]
        extra = sorted(keys - _ENTRY_KEYS)
        if missing:
            report.add(f"{en}: missing fields {', '.join(missing)}", f"{zh}：缺少字段 {', '.join(missing)}")
        if extra:
            report.add(
                f"{en}: fields outside the hash {', '.join(extra)}", f"{zh}：含有不受哈希保护的字段 {', '.join(extra)}"
            )
        if "entry_hash" in keys and row.stored is None:
            report.add(
                f"{en}: entry_hash is not 64 lowercase hex characters", f"{zh}：entry_hash 不是 64 位小写十六进制"
            )
        if not any(f in missing for f in canonical.ENTRY_FIELDS):
            try:
                row.computed = canonical.entry_hash(row.entry)
            except (ValueError, TypeError) as exc:
                report.add(f"{en}: hash cannot be computed ({exc})", f"{zh}：无法计算哈希（{exc}）")
        if row.stored and row.computed and row.stored != row.computed:
            report.add(
                f"{en}: hash mismatch (stored {row.stored}, computed {row.computed})",
                f"{zh}：哈希不符（存储值 {row.stored}，重算值 {row.computed}）",
            )

    _check_chain(rows, report, label)
    _check_seqs(rows, seq_counts, report)
    return rows


def _check_chain(rows: list[_Row], report: Report, label: Any) -> None:
    for i, row in enumerate(rows):
        if row.entry is None or "prev_hash" not in row.entry:
            continue
        prev_hash = row.entry["prev_hash"]
        en, zh = label(row)
        if i == 0:
            if prev_hash != canonical.GENESIS:
                report.add(
                    f"{en}: prev_hash of the first entry is not the genesis value",
                    f"{zh}：首个条目的 prev_hash 不是创世值",
                )
            continue
        before = rows[i - 1]
        expected = before.chain_hash
        if expected is None or prev_hash == expected:
            continue
        ben, bzh = label(before)
        report.add(f"{en}: prev_hash does not match {ben}", f"{zh}：prev_hash 与{bzh} 的哈希不符")


def _check_seqs(rows: list[_Row], seq_counts: Counter[int], report: Report) -> None:
    seqs = [r.seq for r in rows]
    present = set(seq_counts)
    first = next((s for s in seqs if s is not None), None)
    if first is not None and first != 1 and 1 not in present:
        report.add(f"seq starts at {first}, not 1", f"序号从 {first} 开始，而不是 1")
    for s, count in sorted(seq_counts.items()):
        if count > 1:
            lines = ", ".join(str(r.line) for r in rows if r.seq == s)
            report.add(f"seq {s} appears {count} times (lines {lines})", f"序号 {s} 出现 {count} 次（第 {lines} 行）")
    for a, b in pairwise(seqs):
        if a is None or b is None or b == a + 1 or b == a:
            continue
        if b < a:
            report.add(f"seq out of order: {a} followed by {b}", f"序号顺序错乱：{a} 之后是 {b}")
            continue
        missing = [s for s in range(a + 1, b) if s not in present]
        if missing:  # numbers in between that are elsewhere in the file are a reordering, reported above
            gone = str(missing[0]) if len(missing) == 1 else f"{missing[0]}..{missing[-1]}"
            report.add(f"seq gap: {a} followed by {b} (missing {gone})", f"序号缺失：{a} 之后是 {b}（缺少 {gone}）")


# --------------------------------------------------------------------------- checkpoints


_REASON_ZH = {
    "unknown key": "未知密钥",
    "bad signature": "签名无效",
    "public key does not match its key id": "公钥与密钥标识不符",
}


def _cp_label(cp: Any, en: str, zh: str) -> tuple[str, str]:
    """``en``/``zh`` name the checkpoint ("checkpoint 7" / "检查点 7"); its size and key are added when readable."""
    if isinstance(cp, dict) and "tree_size" in cp and "key_id" in cp:
        return (
            f"{en} (tree_size {cp['tree_size']}, key {cp['key_id']})",
            f"{zh}（条目数 {cp['tree_size']}，密钥 {cp['key_id']}）",
        )
    return en, zh


def _reason_zh(reason: str) -> str:
    return _REASON_ZH.get(reason, f"格式错误（{reason}）")


def _check_checkpoints(
    cps: list[Any], keys: dict[str, bytes], rows: list[_Row], tree: merkle.MerkleTree, report: Report
) -> None:
    n = len(rows)
    last_seq = max((r.seq for r in rows if r.seq is not None), default=0)
    for index, cp in enumerate(cps, 1):
        en, zh = _cp_label(cp, f"checkpoint {index}", f"检查点 {index}")
        reason = checkpoint_problem(cp, keys)
        if reason is not None:
            report.add(f"{en}: {reason}", f"{zh}：{_reason_zh(reason)}")
            continue
        size = cp["tree_size"]
        if size > n:
            if last_seq < size:
                report.add(
                    f"ledger truncated: checkpoint holds {size} entries, bundle has {n} ({en})",
                    f"账本被截断：检查点包含 {size} 个条目，数据包只有 {n} 个（{zh}）",
                )
            else:
                report.add(
                    f"{en}: holds {size} entries, bundle has {n} (entries removed)",
                    f"{zh}：检查点包含 {size} 个条目，数据包只有 {n} 个（条目被删除）",
                )
            continue
        computed = tree.root(size).hex()
        if computed != cp["root_hash"]:
            report.add(
                f"{en}: root does not match entries 1..{size} (signed {cp['root_hash']}, computed {computed})",
                f"{zh}：根哈希与条目 1..{size} 不符（签名值 {cp['root_hash']}，重算值 {computed}）",
            )
            continue
        report.checkpoints_verified += 1
        latest = report.latest_checkpoint
        if latest is None or size > latest["tree_size"]:
            report.latest_checkpoint = {f: cp[f] for f in CHECKPOINT_FIELDS}


# --------------------------------------------------------------------------- verification


def verify_bundle(path: str | Path, trusted_keys: Mapping[str, bytes] | None = None) -> Report:
    """Verify the bundle at ``path`` (a directory or a .zip); BundleError if it cannot be read.

    Checkpoint signatures are checked against ``trusted_keys`` ({key_id: raw bytes}, obtained out of
    band) when given, otherwise against the bundle's own ``public_keys.json``.
    """
    path = Path(path)
    files = _read_files(path)
    checkpoints = _load_json(files[CHECKPOINTS_FILE], CHECKPOINTS_FILE)
    if not isinstance(checkpoints, list):
        raise BundleError(f"{CHECKPOINTS_FILE} must hold a JSON list")
    report = Report(source=str(path), checkpoints=len(checkpoints))
    bundle_keys = read_public_keys(_load_json(files[KEYS_FILE], KEYS_FILE), report)
    if trusted_keys is not None:
        keys = dict(trusted_keys)
        for key_id in sorted(set(bundle_keys) - set(keys)):
            report.warn(
                f"public key {key_id} in the bundle is not among the trusted keys",
                f"数据包中的公钥 {key_id} 不在受信任公钥之列",
            )
    else:
        keys = bundle_keys
    report.key_ids = sorted(keys)
    report.public_keys = keys

    rows = _parse_entries(files[ENTRIES_FILE], report)
    report.entries = len(rows)
    leaves = [r.leaf for r in rows]
    tree = merkle.MerkleTree(leaves)
    report.entry_hashes = [leaf.hex() for leaf in leaves]
    _check_checkpoints(checkpoints, keys, rows, tree, report)

    covered = report.latest_checkpoint["tree_size"] if report.latest_checkpoint else 0
    if not checkpoints:
        report.warn(
            "the bundle has no checkpoint: the hash chain is not signed",
            "数据包没有检查点：哈希链未经签名",
        )
    if covered < len(rows):
        report.warn(
            f"entries after {covered} are not covered by a verified checkpoint",
            f"第 {covered} 个之后的条目没有已验证的检查点覆盖",
        )
    return report


def _proof_bytes(proof: Iterable[str | bytes]) -> list[bytes] | None:
    out: list[bytes] = []
    for p in proof:
        if isinstance(p, bytes | bytearray):
            out.append(bytes(p))
        elif isinstance(p, str):
            try:
                out.append(bytes.fromhex(p))
            except ValueError:
                return None
        else:
            return None
    return out


def verify_against_held_checkpoint(
    entries_hashes: Sequence[str | bytes] | None,
    held_cp: dict[str, Any],
    consistency_proof: Sequence[str | bytes] | None,
    *,
    new_checkpoint: dict[str, Any] | None = None,
    public_keys: Mapping[str, bytes] | None = None,
) -> list[Problem]:
    """Problems (empty if none) with a newer ledger as seen by someone who kept an older checkpoint.

    ``entries_hashes`` are the entry hashes of the newer ledger in seq order (hex or bytes; may be None
    when only the newer checkpoint and the proof were received), ``held_cp`` the checkpoint kept,
    ``consistency_proof`` the RFC 6962 proof from the held tree to the newer one (hex or bytes; None to
    rely on the entries alone). The newer tree is ``new_checkpoint`` when given, else all the entries.
    With ``public_keys``, the signatures of both checkpoints are checked too.
    """
    problems: list[Problem] = []

    def add(en: str, zh: str) -> None:
        problems.append(Problem(en, zh))

    held_en, held_zh = _cp_label(held_cp, "held checkpoint", "所持检查点")
    reason = checkpoint_problem(held_cp, dict(public_keys) if public_keys is not None else {})
    if reason is not None and (public_keys is not None or reason.startswith("malformed")):
        add(f"{held_en}: {reason}", f"{held_zh}：{_reason_zh(reason)}")
        return problems
    held_size, held_root = held_cp["tree_size"], held_cp["root_hash"]

    tree: merkle.MerkleTree | None = None
    if entries_hashes is not None:
        leaves = _proof_bytes(entries_hashes)
        if leaves is None or any(len(h) != 32 for h in leaves):
            add("the entry hashes are not 32-byte hashes", "条目哈希不是 32 字节的哈希值")
            return problems
        tree = merkle.MerkleTree(leaves)

    if new_checkpoint is not None:
        new_en, new_zh = _cp_label(new_checkpoint, "new checkpoint", "新检查点")
        reason = checkpoint_problem(new_checkpoint, dict(public_keys) if public_keys is not None else {})
        if reason is not None and (public_keys is not None or reason.startswith("malformed")):
            add(f"{new_en}: {reason}", f"{new_zh}：{_reason_zh(reason)}")
            return problems
        new_size, new_root = new_checkpoint["tree_size"], new_checkpoint["root_hash"]
        if tree is not None:
            if new_size > tree.size:
                add(
                    f"ledger truncated: new checkpoint holds {new_size} entries, bundle has {tree.size}",
                    f"账本被截断：新检查点包含 {new_size} 个条目，数据包只有 {tree.size} 个",
                )
            elif tree.root(new_size).hex() != new_root:
                add(
                    f"{new_en}: root does not match entries 1..{new_size}",
                    f"{new_zh}：根哈希与条目 1..{new_size} 不符",
                )
    elif tree is not None:
        new_size, new_root = tree.size, tree.root().hex()
    else:
        raise ValueError("give the entry hashes or the new checkpoint")

    if held_size > new_size:
        add(
            f"ledger truncated: held checkpoint holds {held_size} entries, the newer tree has {new_size}",
            f"账本被截断：所持检查点包含 {held_size} 个条目，新的树只有 {new_size} 个",
        )
        return problems

    if consistency_proof is not None:
        proof = _proof_bytes(consistency_proof)
        if proof is None or not merkle.verify_consistency(
            held_size, new_size, bytes.fromhex(held_root), bytes.fromhex(new_root), proof
        ):
            add(
                f"consistency proof from tree_size {held_size} to {new_size} does not verify:"
                " the newer ledger does not extend the held checkpoint",
                f"从 {held_size} 到 {new_size} 的一致性证明不成立：新账本不是所持检查点的延续",
            )

    if tree is not None and held_size <= tree.size and tree.root(held_size).hex() != held_root:
        add(
            f"history rewritten: entries 1..{held_size} no longer match the {held_en}",
            f"历史被改写：条目 1..{held_size} 与{held_zh}不再相符",
        )
    return problems


# --------------------------------------------------------------------------- writing


def write_bundle(
    path: str | Path,
    entries: Iterable[Mapping[str, Any]],
    checkpoints: Sequence[Mapping[str, Any]],
    public_keys: Mapping[str, bytes | str],
) -> Path:
    """Write a bundle: a .zip if ``path`` ends in .zip, otherwise a directory.

    ``entries`` hold ``canonical.ENTRY_FIELDS`` plus ``entry_hash``; their values are written as the
    hash sees them (``canonical.plain``). ``public_keys`` values are raw bytes or hex.
    """
    path = Path(path)
    lines = []
    for entry in entries:
        obj = {k: canonical.plain(entry[k]) for k in canonical.ENTRY_FIELDS}
        obj["entry_hash"] = entry["entry_hash"]
        lines.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
    files = {
        ENTRIES_FILE: "".join(line + "\n" for line in lines).encode("utf-8"),
        CHECKPOINTS_FILE: json.dumps([dict(cp) for cp in checkpoints], indent=2).encode("utf-8"),
        KEYS_FILE: json.dumps(
            {k: (v.hex() if isinstance(v, bytes | bytearray) else v) for k, v in sorted(public_keys.items())},
            indent=2,
        ).encode("utf-8"),
    }
    if path.suffix.lower() == ".zip":
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        path.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (path / name).write_bytes(data)
    return path


# --------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="weituo-verify",
        description="离线核验审计账本数据包 / Verify an exported audit-ledger bundle offline.",
        epilog="退出码 Exit status: 0 通过 all good, 1 发现问题 problems found, 2 无法读取 unreadable input.",
    )
    parser.add_argument("bundle", metavar="BUNDLE", help="数据包目录或 .zip / bundle directory or .zip")
    parser.add_argument(
        "--held-checkpoint",
        metavar="FILE",
        help="此前收到并保存的检查点 (JSON) / a checkpoint received earlier and kept (JSON)",
    )
    parser.add_argument(
        "--trusted-keys",
        metavar="FILE",
        help="另行取得的受信任公钥 {key_id: hex} / trusted public keys obtained out of band",
    )
    return parser


def _read_json_file(name: str, what: str) -> Any:
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise BundleError(f"cannot read {what} {name}: {exc}") from exc
    return _load_json(data, f"{what} {name}")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error (argparse exits with 2)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        trusted = None
        if args.trusted_keys:
            probe = Report(source=args.trusted_keys)
            trusted = read_public_keys(_read_json_file(args.trusted_keys, "trusted keys"), probe)
            if probe.problems:
                raise BundleError(f"trusted keys {args.trusted_keys}: {'; '.join(probe.messages)}")
        held = _read_json_file(args.held_checkpoint, "held checkpoint") if args.held_checkpoint else None
        if held is not None and not isinstance(held, dict):
            raise BundleError(f"held checkpoint {args.held_checkpoint} must hold a JSON object")
        report = verify_bundle(args.bundle, trusted_keys=trusted)
    except BundleError as exc:
        print("weituo-verify: 无法读取输入 / cannot read the input", file=sys.stderr)
        print(f"  {exc}", file=sys.stderr)
        return 2
    if held is not None:
        held_problems = verify_against_held_checkpoint(
            report.entry_hashes, held, None, new_checkpoint=report.latest_checkpoint, public_keys=report.public_keys
        )
        report.problems.extend(held_problems)
        if not held_problems:
            size = held["tree_size"]
            report.notes.append(
                Problem(
                    f"held checkpoint (tree_size {size}): the bundle extends it",
                    f"所持检查点（条目数 {size}）：数据包是其延续",
                )
            )
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
