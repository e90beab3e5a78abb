"""The audit ledger and its evidence tables.

``LedgerEntry`` is append-only, hash-chained and refused UPDATE/DELETE by database triggers.
``ShadowChange`` is written by row triggers on every audited table, whoever changes the row, so a
raw-SQL edit that bypasses the services still leaves evidence. ``Checkpoint`` holds signed Merkle
roots. ``Signature`` binds an electronic signature to a record's digest.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LedgerEntry(models.Model):
    seq = models.BigIntegerField(_("seq"), primary_key=True)
    at = models.DateTimeField(pgettext_lazy("LedgerEntry", "at"))
    actor = models.CharField(_("actor"), max_length=200)
    actor_user_id = models.BigIntegerField(_("actor user ID"), null=True, blank=True)
    organisation = models.CharField(pgettext_lazy("LedgerEntry", "organisation"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object ID"), max_length=64)
    # Canonical JSON text (sorted keys, compact): stored as the exact bytes the hash covers, because
    # PostgreSQL's jsonb would reorder and renormalise them.
    old = models.TextField(_("old"), default="{}")
    new = models.TextField(_("new"), default="{}")
    reason = models.TextField(pgettext_lazy("LedgerEntry", "reason"), blank=True)
    meaning = models.CharField(pgettext_lazy("LedgerEntry", "meaning"), max_length=20, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="ledger_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class ShadowChange(models.Model):
    """One row change on an audited table, recorded by a trigger in the database itself."""

    table_name = models.CharField(max_length=80)
    row_pk = models.CharField(max_length=64)
    op = models.CharField(max_length=10)  # INSERT, UPDATE, DELETE
    at = models.CharField(max_length=40)  # the database's own clock, as text
    # NULL: there was no row (an INSERT has no old row, a DELETE no new one), unlike an empty text.
    old_row = models.TextField(null=True)  # noqa: DJ001
    new_row = models.TextField(null=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("shadow change")
        verbose_name_plural = _("shadow changes")
        indexes = [models.Index(fields=["table_name", "row_pk"], name="shadow_row_idx")]

    def __str__(self) -> str:
        return f"{self.op} {self.table_name}:{self.row_pk} @ {self.at}"


class Checkpoint(models.Model):
    tree_size = models.BigIntegerField(_("tree size"))
    root_hash = models.CharField(_("root hash"), max_length=64)
    at = models.CharField(pgettext_lazy("Checkpoint", "at"), max_length=40)
    key_id = models.CharField(_("key ID"), max_length=16)
    signature = models.CharField(pgettext_lazy("Checkpoint", "signature"), max_length=128)
    # The right-edge subtree hashes of the tree (hex, space-separated, largest first), so that the next
    # checkpoint extends this tree instead of rehashing the whole ledger. Not signed and not exported:
    # it is trusted only when it folds to the signed root_hash. NULL: made before checkpoints kept it.
    frontier = models.TextField(_("frontier"), null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["tree_size", "id"]
        indexes = [models.Index(fields=["tree_size"], name="checkpoint_size_idx")]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size} {self.root_hash[:12]}…"

    def as_dict(self) -> dict:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "at": self.at,
            "key_id": self.key_id,
            "signature": self.signature,
        }


class Signature(models.Model):
    """An electronic signature: who, when, what it means, and the digest of the record it covers."""

    class Meaning(models.TextChoices):
        AUTHORED = "authored", _("authored")
        REVIEWED = "reviewed", _("reviewed")
        APPROVED = "approved", pgettext_lazy("Meaning", "approved")
        RELEASED = "released", _("released")

    signer_user_id = models.BigIntegerField(_("signer user ID"))
    signer_name = models.CharField(_("signer name"), max_length=150)
    meaning = models.CharField(pgettext_lazy("Signature", "meaning"), max_length=20, choices=Meaning.choices)
    signed_at = models.DateTimeField(_("signed at"))
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    record_digest = models.CharField(max_length=64)
    ledger_seq = models.BigIntegerField(_("ledger seq"))

    class Meta:
        verbose_name = pgettext_lazy("Signature", "signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="signature_object_idx")]

    def __str__(self) -> str:
        return f"{self.signer_name} {self.get_meaning_display()} {self.signed_at:%Y-%m-%d %H:%M}"
