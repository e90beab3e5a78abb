"""API tokens: how another system calls the REST API as one named user.

A token belongs to one user (accounts are individual: a token acts for the person who holds it, and
the ledger names that person), so it sees and may do exactly what that user may. Only the SHA-256
digest of the token's random 32-byte secret is stored; the secret itself is shown once, when the
token is created (``services.api_token_create``). A token can expire and be revoked; neither it nor
its use is ever deleted, so the ledger entries of its creation and revocation keep their object.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.core.models import BaseModel


class ApiToken(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        pgettext_lazy("ApiToken", "name"),
        max_length=100,
        blank=True,
        help_text="调用方系统，如 LIMS / the calling system",
    )
    # The first characters of the token as shown to its holder, so a token in a configuration file
    # can be matched to its row without storing anything that would let it be used.
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField("SHA-256", max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def state(self, now: dt.datetime | None = None) -> str:
        """``active``, ``expired`` or ``revoked``."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"
