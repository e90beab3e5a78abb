"""Human-readable references of new records: ``PREFIX-YYYYMMDD-XXXXXXXX`` (date, 32 random bits)."""

from __future__ import annotations

import secrets

from django.utils import timezone


def new_ref(prefix: str) -> str:
    return f"{prefix}-{timezone.now():%Y%m%d}-{secrets.token_hex(4).upper()}"
