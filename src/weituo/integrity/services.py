"""Writes of the integrity app: checkpoints, the offline bundle, electronic signatures.

Ledger entries themselves are written only by ``ledger.ledger_append``, called by every other
app's services in the transaction of the change they record.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from django.contrib.auth import authenticate, get_user_model
from django.db import models, transaction
from django.utils import timezone

from weituo.accounts.actors import Actor
from weituo.core.errors import ApplicationError, ErrorDetail

from . import checkpoints as cp
from . import keys, merkle
from .audited import object_type, snapshot
from .canonical import ENTRY_FIELDS, record_digest
from .ledger import Change, ledger_append
from .models import Checkpoint, Signature
from .verify import iter_entries, iter_entry_hashes, key_dir

SIGNATURE_MEANINGS = tuple(Signature.Meaning.values)


@transaction.atomic
def ledger_checkpoint() -> Checkpoint:
    """Sign the Merkle root of the whole ledger as it stands (a command-line job: no actor to record)."""
    hashes = list(iter_entry_hashes())
    at = timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    signed = cp.sign_checkpoint(len(hashes), merkle.root(hashes).hex(), at, keys.ensure_key(key_dir()))
    return Checkpoint.objects.create(**signed)


def ledger_export(path: Path) -> dict[str, int]:
    """Write the offline bundle (entries, checkpoints, public keys) as a zip that ``weituo-verify`` checks."""
    columns = ("seq", "at", "actor", "organisation", "action", "object_type", "object_id", "old", "new",
               "reason", "meaning", "prev_hash", "entry_hash")  # fmt: skip
    entries = io.StringIO()
    count = 0
    for row in iter_entries():
        values = dict(zip(columns, row, strict=True))
        values["old"], values["new"] = json.loads(values["old"]), json.loads(values["new"])
        entries.write(json.dumps({k: values[k] for k in (*ENTRY_FIELDS, "entry_hash")}, ensure_ascii=False))
        entries.write("\n")
        count += 1
    checkpoints = [c.as_dict() for c in Checkpoint.objects.order_by("tree_size", "id")]
    public = {key_id: raw.hex() for key_id, raw in keys.public_keys(key_dir()).items()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("entries.jsonl", entries.getvalue())
        bundle.writestr("checkpoints.json", json.dumps(checkpoints, indent=1))
        bundle.writestr("public_keys.json", json.dumps(public, indent=1))
    return {"entries": count, "checkpoints": len(checkpoints), "public_keys": len(public)}


class SignatureRefused(ApplicationError):
    """A signing attempt that was refused (and recorded as refused)."""


def record_signing_digest(instance: models.Model) -> str:
    return record_digest({"type": object_type(type(instance)), "id": str(instance.pk), "values": snapshot(instance)})


def signature_apply(
    *, actor: Actor, record: models.Model, meaning: str, password: str, reason: str = "", request: Any = None
) -> Signature:
    """Sign ``record`` as ``actor`` with a meaning, after the actor re-enters their password.

    The signer is always the actor: there is no parameter to sign for someone else, and an admin
    signs only as themself. Refused attempts are ledgered too, in their own transaction, so the
    record of a refusal survives the refusal. Given the HTTP ``request`` (web, API), the password is
    checked through ``authenticate`` so that failed signing attempts count toward the login lockout.
    """
    problem = _signing_problem(actor, meaning, password, request)
    if problem is not None:
        zh, en = problem
        with transaction.atomic():
            ledger_append(
                actor=actor,
                change=Change.of("sign_refused", record, new={"meaning": meaning, "why": en}, reason=reason),
            )
        raise SignatureRefused(
            code="signature_refused",
            message_zh=zh,
            message_en=en,
            details=[ErrorDetail(zh, en, field="password" if "password" in en else "meaning")],
        )
    with transaction.atomic():
        user = get_user_model().objects.get(pk=actor.user_id)
        digest = record_signing_digest(record)
        entry = ledger_append(
            actor=actor,
            change=Change.of(
                "sign", record, new={"meaning": meaning, "record_digest": digest}, reason=reason, meaning=meaning
            ),
        )
        return Signature.objects.create(
            signer_user_id=user.pk,
            signer_name=user.get_full_name() or user.get_username(),
            meaning=meaning,
            signed_at=entry.at,
            object_type=object_type(type(record)),
            object_id=str(record.pk),
            record_digest=digest,
            ledger_seq=entry.seq,
        )


def _signing_problem(actor: Actor, meaning: str, password: str, request: Any) -> tuple[str, str] | None:
    if actor.system or actor.user_id is None:
        return "系统任务不能签名", "a system job cannot sign"
    if meaning not in SIGNATURE_MEANINGS:
        return f"未知的签名含义「{meaning}」", f"unknown signature meaning {meaning!r}"
    user = get_user_model().objects.filter(pk=actor.user_id, is_active=True).first()
    if user is None:
        return "账号已停用，签名被拒绝", "account inactive: signature refused"
    if request is not None:
        authenticated = authenticate(request=request, username=user.get_username(), password=password)
        ok = authenticated is not None and authenticated.pk == user.pk
    else:
        ok = user.check_password(password)
    if not ok:
        return "密码错误，签名被拒绝", "wrong password: signature refused"
    return None
