"""What the compliance scans leave behind: the findings with their history, and the scans themselves.

A ``Finding`` is the current answer of one rule about one subject: keyed by the rule, the kind and
ref of the subject, and the fact graph it was evaluated in (``scope_ref``: the contract of a contract,
agreement or product finding — a product belongs to several contracts, and each contract answers
for it — or the enterprise of an enterprise, line or person finding). It holds the outcome, the
deadline, whether the deadline is provisional, who must act on it (``bearer``: the MAH, the CMO,
both, the enterprise or the regulator), and the facts and parameters the rule read.

Every change of outcome is a ``FindingEvent`` (opened, met, reopened, changed, closed) written in
the transaction that changes the finding, together with its audit-ledger entry (``ledger_seq``).
Findings are derived data: only the services of this app write them (``services.py``), never a
view or a person; the ledger records each change of outcome, not each re-evaluation.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.contracts.models import CommissionContract
from weituo.core.models import BaseModel
from weituo.registry.models import Organisation


class Outcome(models.TextChoices):
    """The engine's outcomes (``weituo.rules.Outcome``)."""

    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")
    NEEDS_INFORMATION = "needs_information", _("needs information")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


OPEN_OUTCOMES = (Outcome.NOT_MET, Outcome.NEEDS_INFORMATION)
APPLICABLE_OUTCOMES = (Outcome.MET, Outcome.NOT_MET, Outcome.NEEDS_INFORMATION)


class EventKind(models.TextChoices):
    OPENED = "opened", _("opened")  # first recorded, not met or needing information
    MET = "met", _("met")  # first recorded as met, or fixed
    REOPENED = "reopened", _("reopened")  # was met (or not applicable), now open again
    CHANGED = "changed", pgettext_lazy("EventKind", "changed")  # between not met and needs information
    CLOSED = "closed", pgettext_lazy("EventKind", "closed")  # no longer applies (or its subject is gone)


class Bearer(models.TextChoices):
    """Who must act on a finding not met (``weituo.rules.engine.BEARERS``)."""

    PARTIES = "parties", _("both parties")
    MAH = "mah", pgettext_lazy("Bearer", "the MAH")
    CMO = "cmo", pgettext_lazy("Bearer", "the CMO")
    ENTERPRISE = "enterprise", _("the enterprise")
    REGULATOR = "regulator", _("the regulator")


class ScopeKind(models.TextChoices):
    CONTRACT = "contract", _("contract")
    ENTERPRISE = "enterprise", _("enterprise")


class SubjectKind(models.TextChoices):
    CONTRACT = "contract", _("contract")
    AGREEMENT = "agreement", _("quality agreement")
    PRODUCT = "product", _("product")
    ENTERPRISE = "enterprise", _("enterprise")
    LINE = "line", _("line")
    PERSON = "person", _("person")


class Scan(BaseModel):
    """One run of the rules: what it covered, on which date, who ran it, what it found and changed."""

    class Kind(models.TextChoices):
        FULL = "full", _("full")
        ORGANISATION = "organisation", _("one enterprise")
        RECHECK = "recheck", _("re-check after a change")

    kind = models.CharField(pgettext_lazy("Scan", "kind"), max_length=20, choices=Kind.choices)
    scope_ref = models.CharField(pgettext_lazy("Scan", "scope ref"), max_length=200, blank=True)
    as_of = models.DateField(_("as of"))
    include_draft = models.BooleanField(_("include draft"), default=False)
    actor = models.CharField(_("actor"), max_length=200)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    subjects = models.PositiveIntegerField(_("subjects"), default=0)  # fact graphs: contracts and enterprises
    findings = models.PositiveIntegerField(pgettext_lazy("Scan", "findings"), default=0)
    changes = models.PositiveIntegerField(pgettext_lazy("Scan", "changes"), default=0)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = pgettext_lazy("Scan", "scan")
        verbose_name_plural = _("scans")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scope_ref} @ {self.as_of}"


class Finding(BaseModel):
    rule_id = models.CharField(_("rule ID"), max_length=80)
    rule_version = models.PositiveIntegerField(_("rule version"), default=1)
    notice = models.CharField(_("notice"), max_length=40)
    severity = models.CharField(pgettext_lazy("Finding", "severity"), max_length=10)
    subject_kind = models.CharField(_("subject kind"), max_length=12, choices=SubjectKind.choices)
    subject_ref = models.CharField(_("subject ref"), max_length=64, blank=True)  # "" : an agreement not made yet
    scope_kind = models.CharField(_("scope kind"), max_length=12, choices=ScopeKind.choices)
    scope_ref = models.CharField(pgettext_lazy("Finding", "scope ref"), max_length=64)
    # The records the finding is about, for the visibility policy and the per-enterprise reports.
    # SET_NULL: the finding and its history outlive a deleted record (scope_ref still names it).
    contract = models.ForeignKey(
        CommissionContract,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contract"),
    )
    enterprise = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("enterprise")
    )
    mah = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("Finding", "MAH"),
    )
    cmo = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("Finding", "CMO"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    bearer = models.CharField(_("to act"), max_length=12, choices=Bearer.choices, default=Bearer.PARTIES)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    provisional = models.BooleanField(_("provisional"), default=False)
    overdue = models.BooleanField(_("overdue"), default=False)
    deadline_basis = models.CharField(_("deadline basis"), max_length=300, blank=True)
    facts = models.JSONField(_("facts"), default=dict)
    parameters = models.JSONField(_("parameters"), default=dict)
    missing = models.JSONField(_("missing"), default=list)
    excepted_by = models.JSONField(_("excepted by"), default=list)
    reason_zh = models.TextField(_("reason zh"), blank=True)
    reason_en = models.TextField("reason", blank=True)
    action_zh = models.TextField(_("action zh"), blank=True)
    action_en = models.TextField("action", blank=True)
    error = models.TextField(_("error"), blank=True)
    as_of = models.DateField(_("as of"))  # of the evaluation that gave the content held now
    digest = models.CharField(max_length=64)  # SHA-256 of the content: a re-scan rewrites only what changed
    scan = models.ForeignKey(
        Scan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("Finding", "scan"),
    )

    class Meta:
        verbose_name = pgettext_lazy("Finding", "finding")
        verbose_name_plural = pgettext_lazy("Finding", "findings")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_id", "subject_kind", "subject_ref", "scope_ref"], name="finding_rule_subject_unique"
            )
        ]
        indexes = [
            models.Index(fields=["scope_kind", "scope_ref"], name="finding_scope_idx"),
            models.Index(fields=["enterprise", "outcome"], name="finding_enterprise_idx"),
            models.Index(fields=["mah", "outcome"], name="finding_mah_idx"),
            models.Index(fields=["cmo", "outcome"], name="finding_cmo_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject_kind}:{self.subject_ref or '—'}@{self.scope_ref} {self.outcome}"

    @property
    def is_open(self) -> bool:
        return self.outcome in OPEN_OUTCOMES


class FindingEvent(models.Model):
    """One change of a finding's outcome, with the ledger entry that records it."""

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="events", verbose_name=pgettext_lazy("FindingEvent", "finding")
    )
    kind = models.CharField(pgettext_lazy("FindingEvent", "kind"), max_length=10, choices=EventKind.choices)
    outcome_from = models.CharField(_("outcome from"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_to = models.CharField(_("outcome to"), max_length=20, choices=Outcome.choices)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    as_of = models.DateField(_("as of"))
    at = models.DateTimeField(pgettext_lazy("FindingEvent", "at"))
    actor = models.CharField(_("actor"), max_length=200)
    scan = models.ForeignKey(
        Scan, null=True, blank=True, on_delete=models.SET_NULL, related_name="events", verbose_name=_("scan")
    )
    ledger_seq = models.BigIntegerField(_("ledger seq"), null=True, blank=True)
    reason_en = models.TextField("reason", blank=True)

    class Meta:
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.kind} {self.outcome_from or '—'} → {self.outcome_to}"
