"""The audit ledger and its evidence tables.

``LedgerEntry`` is append-only, hash-chained and refused UPDATE/DELETE by database triggers.
``ShadowChange`` is written by row triggers on every audited table, whoever changes the row, so a
raw-SQL edit that bypasses the services still leaves evidence. ``Checkpoint`` holds signed Merkle
roots. ``Signature`` binds an electronic signature to a record's digest.
"""

from __future__ import annotations

from django.db import models


class LedgerEntry(models.Model):
    seq = models.BigIntegerField("序号", primary_key=True)
    at = models.DateTimeField("时间（UTC）")
    actor = models.CharField("操作人", max_length=200)
    actor_user_id = models.BigIntegerField("操作人账号", null=True, blank=True)
    organisation = models.CharField("操作人所属企业", max_length=64, blank=True)
    action = models.CharField("操作", max_length=40)
    object_type = models.CharField("对象类型", max_length=80)
    object_id = models.CharField("对象编号", max_length=64)
    # Canonical JSON text (sorted keys, compact): stored as the exact bytes the hash covers, because
    # PostgreSQL's jsonb would reorder and renormalise them.
    old = models.TextField("原值", default="{}")
    new = models.TextField("新值", default="{}")
    reason = models.TextField("原因", blank=True)
    meaning = models.CharField("签名含义", max_length=20, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "审计追踪条目"
        verbose_name_plural = "审计追踪"
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
        verbose_name = "数据库变更记录"
        verbose_name_plural = "数据库变更记录"
        indexes = [models.Index(fields=["table_name", "row_pk"], name="shadow_row_idx")]

    def __str__(self) -> str:
        return f"{self.op} {self.table_name}:{self.row_pk} @ {self.at}"


class Checkpoint(models.Model):
    tree_size = models.BigIntegerField("条目数")
    root_hash = models.CharField("Merkle 根", max_length=64)
    at = models.CharField("签署时间（UTC）", max_length=40)
    key_id = models.CharField("密钥编号", max_length=16)
    signature = models.CharField("签名", max_length=128)
    # The right-edge subtree hashes of the tree (hex, space-separated, largest first), so that the next
    # checkpoint extends this tree instead of rehashing the whole ledger. Not signed and not exported:
    # it is trusted only when it folds to the signed root_hash. NULL: made before checkpoints kept it.
    frontier = models.TextField("右边界子树哈希", null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        verbose_name = "检查点"
        verbose_name_plural = "检查点"
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
        AUTHORED = "authored", "编写 authored"
        REVIEWED = "reviewed", "审核 reviewed"
        APPROVED = "approved", "批准 approved"
        RELEASED = "released", "放行 released"

    signer_user_id = models.BigIntegerField("签名人账号")
    signer_name = models.CharField("签名人姓名", max_length=150)
    meaning = models.CharField("含义", max_length=20, choices=Meaning.choices)
    signed_at = models.DateTimeField("签名时间")
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    record_digest = models.CharField(max_length=64)
    ledger_seq = models.BigIntegerField("审计追踪序号")

    class Meta:
        verbose_name = "电子签名"
        verbose_name_plural = "电子签名"
        ordering = ["signed_at"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="signature_object_idx")]

    def __str__(self) -> str:
        return f"{self.signer_name} {self.get_meaning_display()} {self.signed_at:%Y-%m-%d %H:%M}"
