"""Writes of the integrity app: checkpoints, the offline bundle, electronic signatures.

Ledger entries themselves are written only by ``ledger.ledger_append``, called by every other
app's services in the transaction of the change they record.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.core.actors import Actor, system_actor
from weituo.core.errors import PermissionDenied
from weituo.core.i18n import bounded, detail, en, messages

from . import checkpoints as cp
from . import keys, merkle
from .audited import object_type, snapshot
from .canonical import ENTRY_FIELDS, record_digest
from .ledger import Change, ledger_append
from .models import Checkpoint, Signature
from .passwords import PasswordCheck, stored_password
from .verify import iter_entries, iter_entry_hashes, key_dir

SIGNATURE_MEANINGS = tuple(Signature.Meaning.values)

log = logging.getLogger(__name__)


@transaction.atomic
def ledger_checkpoint(*, full: bool = False) -> Checkpoint:
    """Sign the Merkle root of the whole ledger as it stands (a command-line job: no actor to record).

    Incremental: the latest checkpoint's frontier (``merkle.frontier_extend``) is extended by the
    entries appended since, so a checkpoint costs O(new entries + log n), not a pass over the whole
    ledger. The stored frontier is used only if that checkpoint's signature verifies and the
    frontier folds to its signed root; otherwise (or with ``full``) every entry is hashed again.
    Either way the root is the RFC 6962 root of the first ``tree_size`` entries, so verification,
    proofs and the offline bundle are unchanged. One difference from a full pass, on purpose: an
    entry altered after it was checkpointed is not re-signed here; its old hash stays in the tree,
    and verification reports the mismatch.
    """
    keypair = keys.ensure_key(key_dir())  # first: a missing key fails before any work
    frontier, size = ([], 0) if full else _trusted_frontier()
    frontier, size = merkle.frontier_extend(frontier, size, iter_entry_hashes(after=size))
    at = timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    signed = cp.sign_checkpoint(size, merkle.frontier_root(frontier).hex(), at, keypair)
    return Checkpoint.objects.create(**signed, frontier=" ".join(h.hex() for h in frontier))


def _trusted_frontier() -> tuple[list[bytes], int]:
    """The frontier and size of the latest checkpoint whose stored frontier can be trusted, else ([], 0)."""
    latest = Checkpoint.objects.filter(frontier__isnull=False).order_by("-tree_size", "-id").first()
    if latest is None:
        return [], 0
    try:
        frontier = [bytes.fromhex(h) for h in latest.frontier.split()]
        ok = cp.verify_checkpoint(latest.as_dict(), keys.public_keys(key_dir())) and (
            len(frontier) == len(merkle.frontier_heights(latest.tree_size))
            and merkle.frontier_root(frontier).hex() == latest.root_hash
        )
    except (ValueError, keys.KeyStoreError):
        ok = False
    if not ok:
        # The checkpoint table was edited outside the services: do not build on it. Verification
        # names the checkpoint; the new one is computed from the entries themselves.
        log.warning("checkpoint %s: stored frontier not trusted, hashing the whole ledger", latest.pk)
        return [], 0
    return frontier, latest.tree_size


def ledger_checkpoint_after(*, record: models.Model) -> Checkpoint | None:
    """A checkpoint after ``record`` (a release decision) committed; never raises.

    Run from ``transaction.on_commit``: what it follows is already committed and stays so. If the
    checkpoint fails (no signing key, a broken key directory, the database), the failure is logged
    and ledgered on ``record`` (action ``checkpoint_failed``) so that it shows in the record's trail,
    and the next checkpoint (every minute, or the next release) covers these entries.
    """
    try:
        return ledger_checkpoint()
    except Exception as exc:  # the caller's work is committed: a checkpoint must not undo or hide it
        log.exception("checkpoint after %s %s failed", object_type(type(record)), record.pk)
        try:
            with transaction.atomic():
                ledger_append(
                    actor=system_actor("ledger checkpoint"),
                    change=Change.of(
                        "checkpoint_failed", record, new={"error": type(exc).__name__, "why": str(exc)[:500]}
                    ),
                )
        except Exception:  # nothing more can be done than to log it
            log.exception("could not ledger the failed checkpoint after %s %s", object_type(type(record)), record.pk)
        return None


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


class SignatureRefused(PermissionDenied):
    """A signing attempt that was refused (and recorded as refused): the signer was not confirmed, so
    the act is not allowed (403 on every face)."""


def record_signing_digest(instance: models.Model) -> str:
    return record_digest({"type": object_type(type(instance)), "id": str(instance.pk), "values": snapshot(instance)})


def signature_apply(
    *,
    actor: Actor,
    record: models.Model,
    meaning: str,
    password: str,
    reason: str = "",
    check_password: PasswordCheck = stored_password,
) -> Signature:
    """Sign ``record`` as ``actor`` with a meaning, after the actor re-enters their password.

    The signer is always the actor: there is no parameter to sign for someone else, and an admin
    signs only as themself. Refused attempts are ledgered too, in their own transaction, so the
    record of a refusal survives the refusal. The password is checked by ``check_password``, which the
    web and the API supply so that failed signing attempts count toward the login lockout.
    """
    problem = _signing_problem(actor, meaning, password, check_password)
    if problem is not None:
        field, message, params = problem
        with transaction.atomic():
            ledger_append(
                actor=actor,
                change=Change.of(
                    "sign_refused", record, new={"meaning": meaning, "why": en(message) % params}, reason=reason
                ),
            )
        raise SignatureRefused(
            code="signature_refused",
            **messages(message, **params),
            details=[detail(message, field=field, **params)],
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


def _signing_problem(
    actor: Actor, meaning: str, password: str, check_password: PasswordCheck
) -> tuple[str, Any, dict[str, Any]] | None:
    """Why the signature is refused (the field, the message, its parameters), or None."""
    if actor.system or actor.user_id is None:
        return "password", gettext_lazy("a system job cannot sign"), {}
    if meaning not in SIGNATURE_MEANINGS:
        return "meaning", gettext_lazy("unknown signature meaning %(meaning)s"), {"meaning": bounded(meaning)}
    user = get_user_model().objects.filter(pk=actor.user_id, is_active=True).first()
    if user is None:
        return "password", gettext_lazy("account inactive: signature refused"), {}
    if not check_password(user, password):
        return "password", gettext_lazy("wrong password: signature refused"), {}
    return None
