"""Reads of the integrity app: a record's trail and its signatures, as shown wherever the record is."""

from __future__ import annotations

from typing import Any

from django.db import models

from weituo.core.actors import Actor

from .audited import object_type
from .models import LedgerEntry, Signature
from .services import record_signing_digest


def record_trail(*, actor: Actor, record: models.Model) -> list[LedgerEntry]:
    """Every ledger entry about a record, oldest first. The caller has already obtained ``record``
    through a selector, so the actor may see it."""
    return list(LedgerEntry.objects.filter(object_type=object_type(type(record)), object_id=str(record.pk)))


def signature_manifestations(*, actor: Actor, record: models.Model) -> list[dict[str, Any]]:
    """The signatures of a record as they must be shown: printed name, time, meaning, and whether still valid."""
    digest = record_signing_digest(record)
    return [
        {
            "signer": s.signer_name,
            "meaning": s.meaning,
            "meaning_label": s.get_meaning_display(),
            "signed_at": s.signed_at,
            "valid": s.record_digest == digest,
            "ledger_seq": s.ledger_seq,
        }
        for s in Signature.objects.filter(object_type=object_type(type(record)), object_id=str(record.pk))
    ]
