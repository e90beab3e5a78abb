"""Enumerations and the transition table of batches and their release."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BatchStatus(models.TextChoices):
    IN_PRODUCTION = "in_production", _("awaiting release")
    FACTORY_RELEASED = "factory_released", _("factory released")
    MARKET_RELEASED = "market_released", _("market released")
    REJECTED = "rejected", pgettext_lazy("BatchStatus", "rejected")


# Two-step release (Notice 2025-134 art. 12; device notice 2024-38 art. 8): factory (production)
# release by the CMO's QP, then market release by the MAH/registrant. A rejected batch stays rejected.
BATCH_TRANSITIONS: dict[str, set[str]] = {
    BatchStatus.IN_PRODUCTION: {BatchStatus.FACTORY_RELEASED, BatchStatus.REJECTED},
    BatchStatus.FACTORY_RELEASED: {BatchStatus.MARKET_RELEASED, BatchStatus.REJECTED},
    BatchStatus.MARKET_RELEASED: set(),
    BatchStatus.REJECTED: set(),
}


class ReleaseStep(models.TextChoices):
    FACTORY = "factory", pgettext_lazy("ReleaseStep", "factory release")
    MARKET = "market", _("market release")


STATUS_AFTER: dict[str, str] = {
    ReleaseStep.FACTORY: BatchStatus.FACTORY_RELEASED,
    ReleaseStep.MARKET: BatchStatus.MARKET_RELEASED,
}


class DocumentKind(models.TextChoices):
    """The records the CMO submits with the factory release (art. 12)."""

    BATCH_RECORD = "batch_record", _("batch production record")
    TEST_RECORD = "test_record", _("batch test record")
    DEVIATION_RECORD = "deviation_record", _("deviation investigation record")
