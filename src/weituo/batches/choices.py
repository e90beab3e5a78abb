"""Enumerations and the transition table of batches and their release."""

from __future__ import annotations

from django.db import models


class BatchStatus(models.TextChoices):
    IN_PRODUCTION = "in_production", "生产中/待放行 awaiting release"
    FACTORY_RELEASED = "factory_released", "已出厂放行 factory released"
    MARKET_RELEASED = "market_released", "已上市放行 market released"
    REJECTED = "rejected", "不予放行 rejected"


# Two-step release (Notice 2025-134 art. 12; device notice 2024-38 art. 8): factory (production)
# release by the CMO's QP, then market release by the MAH/registrant. A rejected batch stays rejected.
BATCH_TRANSITIONS: dict[str, set[str]] = {
    BatchStatus.IN_PRODUCTION: {BatchStatus.FACTORY_RELEASED, BatchStatus.REJECTED},
    BatchStatus.FACTORY_RELEASED: {BatchStatus.MARKET_RELEASED, BatchStatus.REJECTED},
    BatchStatus.MARKET_RELEASED: set(),
    BatchStatus.REJECTED: set(),
}


class ReleaseStep(models.TextChoices):
    FACTORY = "factory", "出厂放行（器械：生产放行） factory release"
    MARKET = "market", "上市放行 market release"


STATUS_AFTER: dict[str, str] = {
    ReleaseStep.FACTORY: BatchStatus.FACTORY_RELEASED,
    ReleaseStep.MARKET: BatchStatus.MARKET_RELEASED,
}


class DocumentKind(models.TextChoices):
    """The records the CMO submits with the factory release (art. 12)."""

    BATCH_RECORD = "batch_record", "批生产记录 batch production record"
    TEST_RECORD = "test_record", "批检验记录 batch test record"
    DEVIATION_RECORD = "deviation_record", "偏差调查记录 deviation investigation record"
