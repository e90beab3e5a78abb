"""Quality models: quality events, deviations, their reclassifications, CAPA, retention obligations.

A ``QualityEvent`` is one item of the communication list raised by one party of a commission
contract to the other (Notice 2025-134 art. 7): its routing (the counterparty's contact, the
channel) and its time limit are copied from the quality agreement in force when it was raised, so a
later change of the agreement does not move a deadline already running. When the agreement has no
row for the category (or no contact, or no time limit), the event is still raised and says so.

A deviation is an event of category ``deviation`` with a ``Deviation`` beside it. ``version`` on
the records two users may change at once counts their changes (optimistic check, see services).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.batches.models import Batch
from weituo.contracts.choices import Channel, TimeUnit
from weituo.contracts.models import CommissionContract, QualityAgreement
from weituo.core.models import BaseModel, ReferencedModel
from weituo.core.roles import Party
from weituo.registry.models import Organisation, Person

from ..choices import (
    CapaStatus,
    Classification,
    EventCategory,
    EventStatus,
    ObligationException,
    ObligationKind,
    ObligationStatus,
    ReclassificationStatus,
)

USER = settings.AUTH_USER_MODEL


class QualityEvent(ReferencedModel):
    """One communication-list item raised by a party of a contract to the other, with its deadline."""

    contract = models.ForeignKey(
        CommissionContract, on_delete=models.PROTECT, related_name="quality_events", verbose_name=_("contract")
    )
    agreement = models.ForeignKey(
        QualityAgreement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quality_events",
        verbose_name=pgettext_lazy("QualityEvent", "agreement"),
    )
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="quality_events", verbose_name=_("batch")
    )
    category = models.CharField(pgettext_lazy("QualityEvent", "category"), max_length=30, choices=EventCategory.choices)
    title = models.CharField(pgettext_lazy("QualityEvent", "title"), max_length=200)
    description = models.TextField(pgettext_lazy("QualityEvent", "description"), blank=True)
    raised_by_party = models.CharField(_("raised by party"), max_length=3, choices=Party.choices)
    raised_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised at"))
    # When the raising party found it (art. 5: "及时记录、处置，并通报持有人"): the agreed time limit
    # runs from here to the notification (raised_at), and from raised_at to the acknowledgement.
    discovered_at = models.DateTimeField(_("discovered at"), null=True, blank=True)
    notify_by = models.DateTimeField(_("notify by"), null=True, blank=True)
    # counted Monday to Friday: the holiday schedule of that year is not loaded yet
    notify_by_provisional = models.BooleanField(_("notify by provisional"), default=False)
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient"))
    recipient_contact = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient contact")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    time_limit = models.PositiveIntegerField(_("time limit"), null=True, blank=True)
    time_unit = models.CharField(_("time unit"), max_length=12, choices=TimeUnit.choices, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    due_provisional = models.BooleanField(_("due provisional"), default=False)
    no_agreed_contact = models.BooleanField(_("no agreed contact"), default=False)
    no_agreed_time_limit = models.BooleanField(_("no agreed time limit"), default=False)
    notified_to = models.CharField(_("notified to"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.OPEN)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("acknowledged by")
    )
    acknowledgement_note = models.TextField(_("acknowledgement note"), blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("QualityEvent", "closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    conclusion = models.TextField(pgettext_lazy("QualityEvent", "conclusion"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("quality event")
        verbose_name_plural = _("quality events")
        ordering = ["-raised_at", "ref"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="quality_event_due_idx"),
            models.Index(fields=["batch", "category", "status"], name="quality_event_batch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def raising_organisation_id(self) -> int:
        return self.contract.mah_id if self.raised_by_party == Party.MAH else self.contract.cmo_id

    @property
    def notified_late(self) -> bool:
        """Raised (notified) after the time agreed from its discovery (art. 5, art. 7)."""
        return self.notify_by is not None and self.raised_at is not None and self.raised_at > self.notify_by

    @property
    def flagged(self) -> bool:
        """No agreed contact or time limit for this category: the agreement needs completing."""
        return self.no_agreed_contact or self.no_agreed_time_limit

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.batch_id and self.contract_id and self.batch.contract_id != self.contract_id:
            errors["batch"] = _("the batch is not made under this contract")
        if self.agreement_id and self.contract_id and self.agreement.contract_id != self.contract_id:
            errors["agreement"] = _("the agreement is not this contract's")
        if bool(self.time_limit) != bool(self.time_unit):
            errors["time_unit"] = _("give the time limit with its unit")
        if errors:
            raise ValidationError(errors)


class Deviation(BaseModel):
    """The deviation data of an event of category deviation: classification, investigation."""

    event = models.OneToOneField(
        QualityEvent,
        on_delete=models.PROTECT,
        related_name="deviation",
        verbose_name=pgettext_lazy("Deviation", "event"),
    )
    classification = models.CharField(_("classification"), max_length=10, choices=Classification.choices)
    root_cause = models.TextField(_("root cause"), blank=True)
    investigation_summary = models.TextField(_("investigation summary"), blank=True)
    investigated_at = models.DateTimeField(_("investigated at"), null=True, blank=True)
    investigated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("investigated by")
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")

    def __str__(self) -> str:
        return f"{self.event.ref} {self.get_classification_display()}"


class Reclassification(BaseModel):
    """A change of a deviation's classification: an upgrade applies at once; a downgrade waits for
    the approval of a second person, QA or head of quality of the same party. Kept forever."""

    deviation = models.ForeignKey(
        Deviation, on_delete=models.PROTECT, related_name="reclassifications", verbose_name=_("deviation")
    )
    from_classification = models.CharField(_("from classification"), max_length=10, choices=Classification.choices)
    to_classification = models.CharField(_("to classification"), max_length=10, choices=Classification.choices)
    reason = models.TextField(pgettext_lazy("Reclassification", "reason"))
    party = models.CharField(pgettext_lazy("Reclassification", "party"), max_length=3, choices=Party.choices)
    requested_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(_("status"), max_length=10, choices=ReclassificationStatus.choices)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(pgettext_lazy("Reclassification", "decided at"), null=True, blank=True)
    decision_note = models.TextField(pgettext_lazy("Reclassification", "decision note"), blank=True)

    class Meta:
        verbose_name = _("reclassification")
        verbose_name_plural = _("reclassifications")
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_classification} → {self.to_classification}（{self.get_status_display()}）"

    def clean(self) -> None:
        if self.from_classification == self.to_classification:
            raise ValidationError({"to_classification": _("the classification does not change")})
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("a reclassification needs its reason")})


class Capa(BaseModel):
    """A corrective or preventive action, and the check of its effectiveness.

    It answers exactly one thing: a quality event (a deviation…), a shared-line assessment (art. 8:
    the CMO applies it only once every affected MAH approved it, see ``CapaApproval``), or a finding
    of an audit of the CMO.
    """

    event = models.ForeignKey(
        QualityEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capas",
        verbose_name=pgettext_lazy("Capa", "event"),
    )
    assessment = models.ForeignKey(
        "quality.SharedLineAssessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capas",
        verbose_name=_("assessment"),
    )
    finding = models.ForeignKey(
        "quality.AuditFinding",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capas",
        verbose_name=pgettext_lazy("Capa", "finding"),
    )
    description = models.TextField(pgettext_lazy("Capa", "description"))
    owner_party = models.CharField(_("owner party"), max_length=3, choices=Party.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=CapaStatus.choices, default=CapaStatus.PLANNED)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    implemented_at = models.DateTimeField(_("implemented at"), null=True, blank=True)
    implemented_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("implemented by")
    )
    implementation_note = models.TextField(_("implementation note"), blank=True)
    effectiveness_checked_at = models.DateTimeField(_("effectiveness checked at"), null=True, blank=True)
    effectiveness_checked_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("effectiveness checked by"),
    )
    effectiveness_note = models.TextField(_("effectiveness note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = pgettext_lazy("Capa", "CAPA")
        verbose_name_plural = _("CAPAs")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(event__isnull=False, assessment__isnull=True, finding__isnull=True)
                    | models.Q(event__isnull=True, assessment__isnull=False, finding__isnull=True)
                    | models.Q(event__isnull=True, assessment__isnull=True, finding__isnull=False)
                ),
                name="capa_answers_one_thing",
                violation_error_message=_("a CAPA answers one event, assessment or audit finding"),
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]


class RetentionObligation(BaseModel):
    """Art. 11: a party must keep retained samples of, or run an ongoing stability study on, a batch.

    Created by the services when a major or critical deviation is raised on (or upgraded on) a batch,
    or for each of the first three batches made after a major change was approved and implemented:
    for both parties, or for one when the agreement's same-group or electronic-data-exchange exception
    applies (``exception``). The cause is the ``event`` or the ``change``. The compliance engine reads
    these records.
    """

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="retention_obligations", verbose_name=_("batch")
    )
    event = models.ForeignKey(
        QualityEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retention_obligations",
        verbose_name=pgettext_lazy("RetentionObligation", "event"),
    )
    change = models.ForeignKey(
        "quality.Change",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retention_obligations",
        verbose_name=pgettext_lazy("RetentionObligation", "change"),
    )
    party = models.CharField(pgettext_lazy("RetentionObligation", "party"), max_length=3, choices=Party.choices)
    kind = models.CharField(pgettext_lazy("RetentionObligation", "kind"), max_length=20, choices=ObligationKind.choices)
    basis = models.CharField(_("basis"), max_length=200)
    exception = models.CharField(
        _("exception"), max_length=30, choices=ObligationException.choices, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.OPEN
    )
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("fulfilled by")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("retention obligation")
        verbose_name_plural = _("retention obligations")
        ordering = ["batch", "kind", "party"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "party", "kind"], name="one_obligation_per_batch_party_kind"),
            models.CheckConstraint(
                condition=models.Q(event__isnull=False, change__isnull=True)
                | models.Q(event__isnull=True, change__isnull=False),
                name="obligation_has_one_cause",
                violation_error_message=_("an obligation has one cause: an event or a change"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.get_kind_display()} → {self.get_party_display()}"
