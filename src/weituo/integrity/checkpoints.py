"""Signed checkpoints of the ledger's Merkle tree.

A checkpoint is ``{"tree_size", "root_hash", "at", "key_id", "signature"}``: the ledger had
``tree_size`` entries whose RFC 6962 root (see ``merkle``) was ``root_hash`` (hex) at time ``at``
(ISO 8601, UTC, ending in 'Z'), signed with Ed25519 key ``key_id``. The signed message is the
canonical bytes (``canonical.canonical_bytes``) of the four fields plus ``"origin": ORIGIN``, so a
signature made for this ledger cannot be passed off as one for something else.

No Django here: the offline verifier checks checkpoints with nothing but ``cryptography``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from weituo.integrity import canonical
from weituo.integrity.keys import KeyPair, key_id_for

__all__ = [
    "CHECKPOINT_FIELDS",
    "ORIGIN",
    "checkpoint_message",
    "checkpoint_problem",
    "format_at",
    "sign_checkpoint",
    "verify_checkpoint",
]

ORIGIN = "weituo-ledger-v1"
CHECKPOINT_FIELDS = ("tree_size", "root_hash", "at", "key_id", "signature")

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX128 = re.compile(r"^[0-9a-f]{128}$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")


def format_at(at: dt.datetime | str) -> str:
    """``at`` as the checkpoint writes it: ISO 8601 in UTC with 'Z' (an aware datetime or such a string)."""
    if isinstance(at, dt.datetime):
        return canonical.plain(at)  # ValueError for a naive datetime
    if isinstance(at, str) and at.endswith("Z"):
        try:
            parsed = dt.datetime.fromisoformat(at)
        except ValueError:
            pass
        else:
            if parsed.utcoffset() == dt.timedelta(0):
                return at
    raise ValueError(f"checkpoint time must be an aware datetime or ISO UTC ending in 'Z': {at!r}")


def checkpoint_message(tree_size: int, root_hash: str, at: str, key_id: str) -> bytes:
    """The bytes a checkpoint's signature covers."""
    return canonical.canonical_bytes(
        {"tree_size": tree_size, "root_hash": root_hash, "at": at, "key_id": key_id, "origin": ORIGIN}
    )


def sign_checkpoint(tree_size: int, root_hash: str | bytes, at: dt.datetime | str, keypair: KeyPair) -> dict[str, Any]:
    """A signed checkpoint of a tree of ``tree_size`` leaves with root ``root_hash`` (hex or 32 bytes)."""
    if isinstance(tree_size, bool) or not isinstance(tree_size, int) or tree_size < 0:
        raise ValueError(f"tree size must be a non-negative int: {tree_size!r}")
    if isinstance(root_hash, bytes | bytearray):
        root_hash = bytes(root_hash).hex()
    root_hash = root_hash.lower()
    if not _HEX64.match(root_hash):
        raise ValueError(f"root hash must be 32 bytes or 64 hex characters: {root_hash!r}")
    at = format_at(at)
    signature = keypair.sign(checkpoint_message(tree_size, root_hash, at, keypair.key_id))
    return {
        "tree_size": tree_size,
        "root_hash": root_hash,
        "at": at,
        "key_id": keypair.key_id,
        "signature": signature.hex(),
    }


def checkpoint_problem(cp: Any, public_keys: dict[str, bytes]) -> str | None:
    """What is wrong with checkpoint ``cp`` (None if nothing): 'malformed: …', 'unknown key', 'bad signature'."""
    if not isinstance(cp, dict):
        return "malformed: not an object"
    missing = [f for f in CHECKPOINT_FIELDS if f not in cp]
    if missing:
        return f"malformed: missing {', '.join(missing)}"
    tree_size, root_hash, at, key_id, signature = (cp[f] for f in CHECKPOINT_FIELDS)
    if isinstance(tree_size, bool) or not isinstance(tree_size, int) or tree_size < 0:
        return "malformed: tree_size is not a non-negative integer"
    if not isinstance(root_hash, str) or not _HEX64.match(root_hash):
        return "malformed: root_hash is not 64 lowercase hex characters"
    if not isinstance(at, str):
        return "malformed: at is not a string"
    try:
        format_at(at)
    except ValueError:
        return "malformed: at is not an ISO UTC time ending in 'Z'"
    if not isinstance(key_id, str) or not _KEY_ID.match(key_id):
        return "malformed: key_id is not 16 lowercase hex characters"
    if not isinstance(signature, str) or not _HEX128.match(signature):
        return "malformed: signature is not 128 lowercase hex characters"
    public = public_keys.get(key_id)
    if public is None:
        return "unknown key"
    if len(public) != 32 or key_id_for(public) != key_id:
        return "public key does not match its key id"
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(
            bytes.fromhex(signature), checkpoint_message(tree_size, root_hash, at, key_id)
        )
    except (InvalidSignature, ValueError):
        return "bad signature"
    return None


def verify_checkpoint(cp: dict[str, Any], public_keys: dict[str, bytes]) -> bool:
    """True if ``cp`` is well formed and signed by one of ``public_keys`` ({key_id: raw 32 bytes})."""
    return checkpoint_problem(cp, public_keys) is None
