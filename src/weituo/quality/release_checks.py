"""What quality adds to a batch's release checks (registered with ``batches.checks`` at start-up):
an open deviation or OOS/OOT blocks the release (art. 12), and a deviation's investigation record
belongs in the release package.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from weituo.batches.choices import DocumentKind
from weituo.batches.models import Batch
from weituo.core.errors import ErrorDetail
from weituo.core.i18n import detail

from .choices import EventCategory, EventStatus
from .selectors.events import blocking_events


def open_events(batch: Batch) -> list[ErrorDetail]:
    return [
        detail(
            gettext_lazy("%(category)s %(ref)s (%(title)s) is still open"),
            category=event.get_category_display,
            ref=event.ref,
            title=event.title,
            field="quality_events",
        )
        for event in blocking_events(batch=batch)
    ]


def missing_deviation_records(batch: Batch) -> list[ErrorDetail]:
    recorded = set(batch.documents.filter(kind=DocumentKind.DEVIATION_RECORD).values_list("event_id", flat=True))
    deviations = batch.quality_events.filter(category=EventCategory.DEVIATION).exclude(status=EventStatus.WITHDRAWN)
    return [
        detail(
            gettext_lazy("the deviation record of %(ref)s is missing"),
            ref=event.ref,
            field="documents",
        )
        for event in deviations.order_by("raised_at", "ref")
        if event.pk not in recorded
    ]
