"""The standalone verifier: a clean bundle passes; each kind of tampering is found and named."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest

from weituo.integrity import keys, merkle
from weituo.integrity.canonical import ENTRY_FIELDS, GENESIS, entry_hash
from weituo.integrity.checkpoints import sign_checkpoint
from weituo.integrity.offline import main, verify_against_held_checkpoint, verify_bundle, write_bundle

N = 30
SIZES = (10, 25, 30)  # checkpoints 1, 2, 3
AT = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def make_entries(n: int, start_prev: str = GENESIS, first_seq: int = 1, reason: str = "release approved") -> list[dict]:
    entries, prev = [], start_prev
    for seq in range(first_seq, first_seq + n):
        entry = {
            "seq": seq,
            "at": f"2025-03-01T08:{seq % 60:02d}:00.000000Z",
            "actor": "qa.li@example.cn",
            "organisation": "ORG-0001",
            "action": "update",
            "object_type": "registry.product",
            "object_id": str(1000 + seq),
            "old": {"status": "草稿 draft"},
            "new": {"status": "已放行 released", "qty": "12.50"},
            "reason": reason,
            "meaning": "approved" if seq % 5 == 0 else "",
            "prev_hash": prev,
        }
        entry["entry_hash"] = prev = entry_hash(entry)
        entries.append(entry)
    return entries


def checkpoints_for(entries: list[dict], pair: keys.KeyPair, sizes=SIZES) -> list[dict]:
    leaves = [bytes.fromhex(e["entry_hash"]) for e in entries]
    tree = merkle.MerkleTree(leaves)
    return [sign_checkpoint(size, tree.root(size), AT + dt.timedelta(minutes=size), pair) for size in sizes]


@pytest.fixture
def pair(tmp_path) -> keys.KeyPair:
    return keys.ensure_key(tmp_path / "keys")


@pytest.fixture
def entries() -> list[dict]:
    return make_entries(N)


@pytest.fixture
def bundle(tmp_path, pair, entries) -> Path:
    return write_bundle(tmp_path / "bundle", entries, checkpoints_for(entries, pair), {pair.key_id: pair.public_key})


def lines(bundle: Path) -> list[bytes]:
    return (bundle / "entries.jsonl").read_bytes().splitlines(keepends=True)


def write_lines(bundle: Path, new_lines: list[bytes]) -> None:
    (bundle / "entries.jsonl").write_bytes(b"".join(new_lines))


def edit_checkpoints(bundle: Path, fn) -> None:
    path = bundle / "checkpoints.json"
    cps = json.loads(path.read_text())
    fn(cps)
    path.write_text(json.dumps(cps))


def only(report, *needles: str) -> None:
    """Every problem contains one of ``needles``, and every needle is found."""
    for needle in needles:
        assert any(needle in m for m in report.messages), (needle, report.messages)
    for m in report.messages:
        assert any(needle in m for needle in needles), (m, needles)


# --------------------------------------------------------------------------- clean


def test_clean_bundle_passes(bundle, pair):
    report = verify_bundle(bundle)
    assert report.ok, report.messages
    assert report.entries == N
    assert report.checkpoints == report.checkpoints_verified == 3
    assert report.latest_checkpoint["tree_size"] == N
    assert report.key_ids == [pair.key_id]
    assert report.warnings == []


def test_clean_zip_passes_also_inside_a_folder(tmp_path, pair, entries):
    cps = checkpoints_for(entries, pair)
    zipped = write_bundle(tmp_path / "ledger.zip", entries, cps, {pair.key_id: pair.public_key.hex()})
    assert verify_bundle(zipped).ok
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(zipped) as src, zipfile.ZipFile(nested, "w") as dst:
        for name in src.namelist():
            dst.writestr(f"ledger-export/{name}", src.read(name))
    assert verify_bundle(nested).ok


def test_uncovered_tail_and_missing_checkpoints_are_warnings_not_failures(tmp_path, pair, entries):
    report = verify_bundle(write_bundle(tmp_path / "b", entries, checkpoints_for(entries, pair, (10,)), {}))
    assert not report.ok  # no key to check the checkpoint with
    only(report, "checkpoint 1 (tree_size 10, key ")
    report = verify_bundle(
        write_bundle(tmp_path / "c", entries, checkpoints_for(entries, pair, (10,)), {pair.key_id: pair.public_key})
    )
    assert report.ok
    assert any("entries after 10 are not covered" in w for w in report.warnings)
    report = verify_bundle(write_bundle(tmp_path / "d", entries, [], {}))
    assert report.ok
    assert any("no checkpoint" in w for w in report.warnings)


# --------------------------------------------------------------------------- tampering with entries


def test_flipped_byte_in_an_entry_is_named(bundle, entries):
    ls = lines(bundle)
    line = bytearray(ls[11])  # entry 12
    at = line.index(b'"reason":"') + len(b'"reason":"') + 3
    line[at] ^= 0x01
    ls[11] = bytes(line)
    write_lines(bundle, ls)
    tampered = json.loads(ls[11])
    report = verify_bundle(bundle)
    computed = entry_hash(tampered)
    assert f"entry 12: hash mismatch (stored {entries[11]['entry_hash']}, computed {computed})" in report.messages
    # The checkpoints that cover entry 12 no longer match; the one before it still does.
    only(
        report,
        "entry 12: hash mismatch",
        "checkpoint 2 (tree_size 25, key ",
        "checkpoint 3 (tree_size 30, key ",
    )
    assert any("checkpoint 2" in m and "root does not match entries 1..25" in m for m in report.messages)
    assert report.checkpoints_verified == 1


def test_deleted_entry_is_named(bundle):
    ls = lines(bundle)
    del ls[11]  # entry 12
    write_lines(bundle, ls)
    report = verify_bundle(bundle)
    assert "seq gap: 11 followed by 13 (missing 12)" in report.messages
    assert "entry 13: prev_hash does not match entry 11" in report.messages
    only(
        report,
        "seq gap: 11 followed by 13",
        "entry 13: prev_hash does not match entry 11",
        "checkpoint 2 (tree_size 25, key ",  # root no longer matches
        "checkpoint 3 (tree_size 30, key ",  # holds 30 entries, bundle has 29
    )
    assert any("holds 30 entries, bundle has 29 (entries removed)" in m for m in report.messages)


def test_swapped_entries_are_named(bundle):
    ls = lines(bundle)
    ls[11], ls[12] = ls[12], ls[11]  # entries 12 and 13
    write_lines(bundle, ls)
    report = verify_bundle(bundle)
    assert "seq out of order: 13 followed by 12" in report.messages
    assert not any("seq gap" in m for m in report.messages)  # nothing is missing, only reordered
    only(
        report,
        "seq out of order: 13 followed by 12",
        "entry 13: prev_hash does not match entry 11",
        "entry 12: prev_hash does not match entry 13",
        "entry 14: prev_hash does not match entry 12",
        "checkpoint 2 (tree_size 25, key ",
        "checkpoint 3 (tree_size 30, key ",
    )


def test_inserted_forged_entry_is_named(bundle, entries):
    forged = make_entries(1, start_prev=entries[11]["entry_hash"], first_seq=13, reason="forged")[0]
    ls = lines(bundle)
    ls.insert(12, (json.dumps(forged) + "\n").encode())
    write_lines(bundle, ls)
    report = verify_bundle(bundle)
    assert "seq 13 appears 2 times (lines 13, 14)" in report.messages
    assert "entry 13 (line 14): prev_hash does not match entry 13 (line 13)" in report.messages
    assert any(m.startswith("checkpoint 2 (tree_size 25, key ") for m in report.messages)
    assert not report.ok


def test_forged_entry_with_the_rest_of_the_chain_recomputed_is_found_by_the_checkpoints(tmp_path, pair, entries):
    """The attacker inserts an entry and re-chains everything after it: only the signed roots show it."""
    forged = make_entries(1, start_prev=entries[11]["entry_hash"], first_seq=13, reason="forged")
    rest = make_entries(N - 12, start_prev=forged[0]["entry_hash"], first_seq=14)
    rewritten = [*entries[:12], *forged, *rest]
    bundle = write_bundle(tmp_path / "b", rewritten, checkpoints_for(entries, pair), {pair.key_id: pair.public_key})
    report = verify_bundle(bundle)
    only(report, "checkpoint 2 (tree_size 25, key ", "checkpoint 3 (tree_size 30, key ")
    assert all("root does not match" in m for m in report.messages)
    assert report.checkpoints_verified == 1


def test_truncated_tail_below_a_checkpoint_is_named(bundle):
    write_lines(bundle, lines(bundle)[:20])
    report = verify_bundle(bundle)
    only(
        report,
        "ledger truncated: checkpoint holds 25 entries, bundle has 20",
        "ledger truncated: checkpoint holds 30 entries, bundle has 20",
    )


def test_unreadable_and_malformed_lines_are_named(bundle):
    ls = lines(bundle)
    ls[4] = b"{not json\n"
    extra = json.loads(ls[6])
    extra["note"] = "added later"
    ls[6] = (json.dumps(extra) + "\n").encode()
    write_lines(bundle, ls)
    report = verify_bundle(bundle)
    assert "line 5: not valid JSON" in report.messages
    assert "entry 7: fields outside the hash note" in report.messages
    assert not report.ok


# --------------------------------------------------------------------------- tampering with checkpoints


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("tree_size", 24, "checkpoint 2 (tree_size 24, key "),
        ("root_hash", "ab" * 32, "checkpoint 2 (tree_size 25, key "),
        ("at", "2025-03-02T00:00:00.000000Z", "checkpoint 2 (tree_size 25, key "),
    ],
)
def test_tampered_checkpoint_is_named(bundle, pair, field, value, label):
    edit_checkpoints(bundle, lambda cps: cps[1].__setitem__(field, value))
    report = verify_bundle(bundle)
    assert report.messages == [f"{label}{pair.key_id}): bad signature"]


def test_checkpoint_with_an_unknown_key_is_named(bundle, pair):
    (bundle / "public_keys.json").write_text("{}")
    report = verify_bundle(bundle)
    assert f"checkpoint 1 (tree_size 10, key {pair.key_id}): unknown key" in report.messages


def test_resigned_with_another_key_is_caught_by_trusted_keys(tmp_path, pair, entries):
    """Someone rewrites history and signs it with a key of their own, shipped in the same bundle."""
    thief = keys.ensure_key(tmp_path / "thief")
    rewritten = [*entries[:5], *make_entries(N - 5, start_prev=entries[4]["entry_hash"], first_seq=6, reason="x")]
    bundle = write_bundle(
        tmp_path / "b", rewritten, checkpoints_for(rewritten, thief), {thief.key_id: thief.public_key}
    )
    assert verify_bundle(bundle).ok  # self-consistent: only a key obtained out of band can tell
    report = verify_bundle(bundle, trusted_keys={pair.key_id: pair.public_key})
    assert f"checkpoint 3 (tree_size 30, key {thief.key_id}): unknown key" in report.messages
    trusted = tmp_path / "trusted.json"
    trusted.write_text(json.dumps({pair.key_id: pair.public_key.hex()}))
    assert main([str(bundle), "--trusted-keys", str(trusted)]) == 1


def test_public_key_that_does_not_match_its_id_is_named(bundle, pair, tmp_path):
    other = keys.ensure_key(tmp_path / "other")
    (bundle / "public_keys.json").write_text(json.dumps({pair.key_id: other.public_key.hex()}))
    report = verify_bundle(bundle)
    assert any(m.startswith(f"public key {pair.key_id}: does not match its key id") for m in report.messages)


# --------------------------------------------------------------------------- held checkpoint


def test_held_checkpoint_and_consistency_proof(pair, entries):
    hashes = [e["entry_hash"] for e in entries]
    tree = merkle.MerkleTree([bytes.fromhex(h) for h in hashes])
    held = sign_checkpoint(10, tree.root(10), AT, pair)
    new = sign_checkpoint(N, tree.root(), AT, pair)
    public = {pair.key_id: pair.public_key}
    proof = [p.hex() for p in tree.consistency_proof(10)]
    assert verify_against_held_checkpoint(hashes, held, proof, new_checkpoint=new, public_keys=public) == []
    assert verify_against_held_checkpoint(None, held, proof, new_checkpoint=new, public_keys=public) == []
    assert verify_against_held_checkpoint(hashes, held, None) == []

    forged = [f"{int(proof[0][:2], 16) ^ 1:02x}{proof[0][2:]}", *proof[1:]]  # one bit flipped
    problems = verify_against_held_checkpoint(None, held, forged, new_checkpoint=new, public_keys=public)
    assert [p.split(":")[0] for p in problems] == ["consistency proof from tree_size 10 to 30 does not verify"]

    # The ledger was rewritten before entry 10 and a new checkpoint signed over the rewrite.
    rewritten = [*hashes[:3], *(e["entry_hash"] for e in make_entries(N - 3, first_seq=4, reason="rewritten"))]
    new_tree = merkle.MerkleTree([bytes.fromhex(h) for h in rewritten])
    problems = verify_against_held_checkpoint(rewritten, held, None, public_keys=public)
    assert len(problems) == 1 and problems[0].startswith("history rewritten: entries 1..10 no longer match")
    bad_proof = [p.hex() for p in new_tree.consistency_proof(10)]
    assert verify_against_held_checkpoint(
        None, held, bad_proof, new_checkpoint=sign_checkpoint(N, new_tree.root(), AT, pair)
    )

    # Truncated below the held checkpoint.
    problems = verify_against_held_checkpoint(hashes[:8], held, None)
    assert [str(p) for p in problems] == ["ledger truncated: held checkpoint holds 10 entries, the newer tree has 8"]


def test_cli_with_a_held_checkpoint(tmp_path, pair, entries, bundle, capsys):
    tree = merkle.MerkleTree([bytes.fromhex(e["entry_hash"]) for e in entries])
    held_file = tmp_path / "held.json"
    held_file.write_text(json.dumps(sign_checkpoint(10, tree.root(10), AT, pair)))
    assert main([str(bundle), "--held-checkpoint", str(held_file)]) == 0
    assert "held checkpoint (tree_size 10): the bundle extends it" in capsys.readouterr().out

    # Same key, history rewritten from entry 4 and every checkpoint re-signed: only the held one shows it.
    rewritten = [*entries[:3], *make_entries(N - 3, start_prev=entries[2]["entry_hash"], first_seq=4, reason="r")]
    other = write_bundle(
        tmp_path / "rewritten", rewritten, checkpoints_for(rewritten, pair), {pair.key_id: pair.public_key}
    )
    assert main([str(other)]) == 0
    capsys.readouterr()
    assert main([str(other), "--held-checkpoint", str(held_file)]) == 1
    assert "history rewritten: entries 1..10 no longer match the held checkpoint" in capsys.readouterr().out


# --------------------------------------------------------------------------- command line


def test_cli_exit_codes_and_bilingual_summary(bundle, tmp_path, capsys):
    assert main([str(bundle)]) == 0
    out = capsys.readouterr().out
    assert "通过" in out and "PASS" in out and f"Entries: {N}" in out

    ls = lines(bundle)
    del ls[3]
    write_lines(bundle, ls)
    assert main([str(bundle)]) == 1
    out = capsys.readouterr().out
    assert "未通过" in out and "FAIL" in out
    assert "序号缺失：3 之后是 5" in out and "seq gap: 3 followed by 5" in out

    assert main([str(tmp_path / "nowhere")]) == 2
    assert "cannot read" in capsys.readouterr().err
    (bundle / "checkpoints.json").unlink()
    assert main([str(bundle)]) == 2
    (tmp_path / "junk.zip").write_bytes(b"not a zip at all")
    assert main([str(tmp_path / "junk.zip")]) == 2
    (bundle / "checkpoints.json").write_text("{not json")
    assert main([str(bundle)]) == 2
    (bundle / "checkpoints.json").write_text("[]")
    assert main([str(bundle), "--held-checkpoint", str(tmp_path / "missing.json")]) == 2
    assert main([]) == 2  # usage error


def test_entries_written_by_write_bundle_have_exactly_the_hashed_fields(bundle):
    for line in lines(bundle):
        assert list(json.loads(line)) == [*ENTRY_FIELDS, "entry_hash"]
