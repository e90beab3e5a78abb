"""Checkpoint signing keys outside the database, and signed checkpoints."""

from __future__ import annotations

import datetime as dt
import hashlib
import stat

import pytest

from weituo.integrity import canonical, keys
from weituo.integrity.checkpoints import (
    ORIGIN,
    checkpoint_message,
    checkpoint_problem,
    sign_checkpoint,
    verify_checkpoint,
)

ROOT = hashlib.sha256(b"some tree").hexdigest()
AT = dt.datetime(2025, 3, 1, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def key_dir(tmp_path):
    return tmp_path / "keys"


def test_ensure_key_creates_once_and_lays_out_the_directory(key_dir):
    pair = keys.ensure_key(key_dir)
    assert keys.ensure_key(key_dir).key_id == pair.key_id
    assert pair.key_id == hashlib.sha256(pair.public_key).hexdigest()[:16]
    assert (key_dir / "current").read_text().strip() == pair.key_id
    assert (key_dir / "public" / f"{pair.key_id}.pub").read_text().strip() == pair.public_key.hex()
    assert len(pair.public_key) == 32
    assert keys.load_current(key_dir).public_key == pair.public_key
    assert keys.public_keys(key_dir) == {pair.key_id: pair.public_key}


def test_private_key_file_is_owner_only(key_dir):
    pair = keys.ensure_key(key_dir)
    private = key_dir / "private" / f"{pair.key_id}.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE((key_dir / "private").stat().st_mode) == 0o700
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    rotated = keys.rotate_key(key_dir)
    assert stat.S_IMODE((key_dir / "private" / f"{rotated.key_id}.pem").stat().st_mode) == 0o600


def test_load_current_without_a_key_fails(key_dir):
    with pytest.raises(keys.KeyStoreError):
        keys.load_current(key_dir)


def test_a_public_key_file_that_does_not_match_its_name_is_refused(key_dir):
    pair = keys.ensure_key(key_dir)
    other = keys.rotate_key(key_dir)
    (key_dir / "public" / f"{pair.key_id}.pub").write_text(other.public_key.hex())
    with pytest.raises(keys.KeyStoreError):
        keys.public_keys(key_dir)


def test_sign_and_verify(key_dir):
    pair = keys.ensure_key(key_dir)
    cp = sign_checkpoint(120, ROOT, AT, pair)
    assert cp == {
        "tree_size": 120,
        "root_hash": ROOT,
        "at": "2025-03-01T08:30:00.000000Z",
        "key_id": pair.key_id,
        "signature": cp["signature"],
    }
    assert len(cp["signature"]) == 128
    assert verify_checkpoint(cp, keys.public_keys(key_dir))
    assert sign_checkpoint(120, bytes.fromhex(ROOT), "2025-03-01T08:30:00.000000Z", pair)["root_hash"] == ROOT


def test_the_signed_message_is_the_canonical_bytes_with_the_origin(key_dir):
    pair = keys.ensure_key(key_dir)
    cp = sign_checkpoint(7, ROOT, AT, pair)
    message = canonical.canonical_bytes(
        {"tree_size": 7, "root_hash": ROOT, "at": cp["at"], "key_id": pair.key_id, "origin": ORIGIN}
    )
    assert checkpoint_message(7, ROOT, cp["at"], pair.key_id) == message
    pair.private_key.public_key().verify(bytes.fromhex(cp["signature"]), message)  # raises if not


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tree_size", 121),
        ("tree_size", 119),
        ("root_hash", hashlib.sha256(b"another tree").hexdigest()),
        ("at", "2025-03-01T08:31:00.000000Z"),
    ],
)
def test_tampered_fields_are_rejected(key_dir, field, value):
    pair = keys.ensure_key(key_dir)
    cp = sign_checkpoint(120, ROOT, AT, pair)
    cp[field] = value
    assert not verify_checkpoint(cp, keys.public_keys(key_dir))
    assert checkpoint_problem(cp, keys.public_keys(key_dir)) == "bad signature"


def test_tampered_signature_unknown_key_and_malformed_are_rejected(key_dir, tmp_path):
    pair = keys.ensure_key(key_dir)
    public = keys.public_keys(key_dir)
    cp = sign_checkpoint(5, ROOT, AT, pair)
    sig = bytearray.fromhex(cp["signature"])
    sig[10] ^= 1
    assert not verify_checkpoint({**cp, "signature": sig.hex()}, public)
    assert checkpoint_problem(cp, {}) == "unknown key"
    # A key from another directory does not verify it, even under this key id.
    stranger = keys.ensure_key(tmp_path / "elsewhere")
    assert not verify_checkpoint(cp, {pair.key_id: stranger.public_key})
    assert not verify_checkpoint(sign_checkpoint(5, ROOT, AT, stranger), public)
    for broken in (
        None,
        [],
        {k: v for k, v in cp.items() if k != "root_hash"},
        {**cp, "tree_size": "5"},
        {**cp, "tree_size": True},
        {**cp, "tree_size": -1},
        {**cp, "root_hash": ROOT.upper()},
        {**cp, "root_hash": ROOT[:-2]},
        {**cp, "at": "yesterday"},
        {**cp, "at": "2025-03-01T08:30:00+08:00"},
        {**cp, "key_id": 5},
        {**cp, "signature": "zz" * 64},
        {**cp, "signature": cp["signature"][:-2]},
    ):
        assert not verify_checkpoint(broken, public)
        assert checkpoint_problem(broken, public).startswith("malformed")


def test_rotation_keeps_old_checkpoints_verifiable(key_dir):
    first = keys.ensure_key(key_dir)
    old = sign_checkpoint(10, ROOT, AT, first)
    second = keys.rotate_key(key_dir)
    assert second.key_id != first.key_id
    assert keys.load_current(key_dir).key_id == second.key_id
    assert keys.ensure_key(key_dir).key_id == second.key_id
    new = sign_checkpoint(20, ROOT, AT, second)
    public = keys.public_keys(key_dir)
    assert set(public) == {first.key_id, second.key_id}
    assert verify_checkpoint(old, public)
    assert verify_checkpoint(new, public)
    assert keys.load_key(key_dir, first.key_id).public_key == first.public_key


def test_sign_refuses_bad_input(key_dir):
    pair = keys.ensure_key(key_dir)
    with pytest.raises(ValueError):
        sign_checkpoint(-1, ROOT, AT, pair)
    with pytest.raises(ValueError):
        sign_checkpoint(1, "abc", AT, pair)
    with pytest.raises(ValueError):
        sign_checkpoint(1, ROOT, dt.datetime(2025, 3, 1), pair)  # naive
    with pytest.raises(ValueError):
        sign_checkpoint(1, ROOT, "2025-03-01T08:30:00", pair)  # no 'Z'
