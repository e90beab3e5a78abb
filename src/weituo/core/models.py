"""The abstract base model of every stored record, and the calendar schedules an admin loads."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_ref(value: str) -> None:
    if not re.fullmatch(r"[\w.\-:/]{1,64}", value or ""):
        raise ValidationError(
            _("a reference may hold only letters, digits, Chinese characters and . - : /"),
            code="ref",
        )


class BaseModel(models.Model):
    """Creation and change times (UTC) on every record."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The attributes naming the one organisation a record belongs to, first that is set wins: the
    # ledger enters a write for it when the service names no party (``integrity.writes``). A model
    # whose owner is named otherwise (an organisation owns itself) says so here.
    owner_attributes: tuple[str, ...] = ("organisation_id", "holder_id")

    class Meta:
        abstract = True


class ReferencedModel(BaseModel):
    """A record with a stable external reference, the key that imports, exports and APIs use.

    Database ids differ between installations; ``ref`` does not, so a workbook exported from one
    installation imports into another and importing it twice changes nothing.
    """

    ref = models.CharField(_("ref"), max_length=64, unique=True, validators=[validate_ref])

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.ref


class CalendarYear(BaseModel):
    """The official holiday schedule of one year, loaded by an admin for a year chinesecalendar lacks."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    workdays = models.JSONField(_("workdays"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=300)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("loaded by")
    )

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
