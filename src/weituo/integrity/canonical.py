"""Canonical bytes of a ledger entry and of a record: the one definition both sides of a hash agree on.

Sorted-key JSON, UTF-8, no insignificant whitespace; decimals and dates as strings, so that the same
values hash the same on SQLite and PostgreSQL, in Python today and in any verifier tomorrow.
Pure Python: the offline verifier uses this module without Django.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64  # prev_hash of the first entry

# The fields of an entry that its hash covers, in the order the export writes them.
ENTRY_FIELDS = (
    "seq",
    "at",
    "actor",
    "organisation",
    "action",
    "object_type",
    "object_id",
    "old",
    "new",
    "reason",
    "meaning",
    "prev_hash",
)


def plain(value: Any) -> Any:
    """A value as the JSON the hash covers: Decimal and dates as strings, datetimes in UTC with 'Z'."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a ledger value")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise ValueError("floats are not stored in the ledger; use Decimal")
    return str(value)


def canonical_bytes(obj: Any) -> bytes:
    return json.dumps(plain(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict[str, Any]) -> str:
    """SHA-256 (hex) of an entry's canonical bytes; ``entry`` holds at least ENTRY_FIELDS."""
    return hashlib.sha256(canonical_bytes({k: entry[k] for k in ENTRY_FIELDS})).hexdigest()


def record_digest(values: dict[str, Any]) -> str:
    """SHA-256 (hex) of a record's values, which an electronic signature is bound to."""
    return hashlib.sha256(canonical_bytes(values)).hexdigest()


# The JSON text of a string exactly as json.dumps(value, ensure_ascii=False) writes it, without
# building an encoder per call (that was most of the time of verifying a million entries).
_s = json.encoder.encode_basestring


def stored_entry_bytes(
    *,
    seq: int,
    at: str,
    actor: str,
    organisation: str,
    action: str,
    object_type: str,
    object_id: str,
    old_text: str,
    new_text: str,
    reason: str,
    meaning: str,
    prev_hash: str,
) -> bytes:
    """The canonical bytes of an entry built from its stored columns without re-parsing old/new.

    Equal to ``canonical_bytes`` of the parsed entry as long as old/new were stored canonically (as
    ``ledger_append`` does); a non-canonical rewrite of them changes these bytes, so it is detected
    too. Verification of a million entries spends its time hashing, not re-serialising JSON.
    """
    return (
        f'{{"action":{_s(action)},"actor":{_s(actor)},"at":{_s(at)},"meaning":{_s(meaning)},'
        f'"new":{new_text},"object_id":{_s(object_id)},"object_type":{_s(object_type)},"old":{old_text},'
        f'"organisation":{_s(organisation)},"prev_hash":{_s(prev_hash)},"reason":{_s(reason)},"seq":{seq}}}'
    ).encode()
