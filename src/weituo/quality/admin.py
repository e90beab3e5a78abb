"""Django admin of the quality app: read-only views for the platform admin, never a way around the services.

Quality events, deviations, CAPA, changes, shared-line assessments, audits and the art. 11 duties
are two-party records: each step is a service that checks the party and the role, follows a
transition table and writes the ledger. The admin therefore only shows them — no add, change or
delete, for anyone — and only to a platform admin (``is_staff`` is granted to platform admins
alone by ``accounts.services.user_grant_admin_site``; the view permission checks the role too).
"""

from __future__ import annotations

from django.contrib import admin

from weituo.integrity.admin import ReadOnlyAdmin

from .models import (
    Audit,
    AuditFinding,
    Capa,
    CapaApproval,
    Change,
    Deviation,
    QualityEvent,
    Reclassification,
    RetentionObligation,
    SharedLineAssessment,
    SharedLineNotice,
    SharedLineProductRisk,
)


@admin.register(QualityEvent)
class QualityEventAdmin(ReadOnlyAdmin):
    list_display = ("ref", "category", "title", "contract", "batch", "raised_by_party", "status", "due_at")
    list_filter = ("category", "status", "raised_by_party")
    list_select_related = ("contract", "batch")
    search_fields = ("ref", "title", "contract__ref", "batch__number")
    date_hierarchy = "raised_at"


@admin.register(Deviation)
class DeviationAdmin(ReadOnlyAdmin):
    list_display = ("event", "classification", "investigated_at")
    list_filter = ("classification",)
    list_select_related = ("event",)
    search_fields = ("event__ref", "event__title", "root_cause")


@admin.register(Reclassification)
class ReclassificationAdmin(ReadOnlyAdmin):
    list_display = ("deviation", "from_classification", "to_classification", "party", "status", "requested_at")
    list_filter = ("status", "party")
    list_select_related = ("deviation__event",)
    search_fields = ("deviation__event__ref", "reason")


@admin.register(Capa)
class CapaAdmin(ReadOnlyAdmin):
    list_display = ("pk", "event", "assessment", "finding", "owner_party", "status", "due_on")
    list_filter = ("status", "owner_party")
    list_select_related = ("event", "assessment", "finding")
    search_fields = ("event__ref", "description")


@admin.register(RetentionObligation)
class RetentionObligationAdmin(ReadOnlyAdmin):
    list_display = ("batch", "kind", "party", "exception", "status", "fulfilled_at", "basis")
    list_filter = ("kind", "party", "status", "exception")
    list_select_related = ("batch",)
    search_fields = ("batch__number", "batch__ref", "basis")


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ("ref", "status")
    list_filter = ("status",)
    search_fields = ("ref",)


@admin.register(SharedLineAssessment)
class SharedLineAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("ref", "status")
    list_filter = ("status",)
    search_fields = ("ref",)


@admin.register(SharedLineProductRisk)
class SharedLineProductRiskAdmin(ReadOnlyAdmin):
    list_display = ("pk", "assessment")
    list_select_related = ("assessment",)


@admin.register(SharedLineNotice)
class SharedLineNoticeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "assessment", "status")
    list_filter = ("status",)
    list_select_related = ("assessment",)


@admin.register(CapaApproval)
class CapaApprovalAdmin(ReadOnlyAdmin):
    list_display = ("pk", "capa")
    list_select_related = ("capa",)


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ("ref", "status")
    list_filter = ("status",)
    search_fields = ("ref",)


@admin.register(AuditFinding)
class AuditFindingAdmin(ReadOnlyAdmin):
    list_display = ("pk", "audit")
    list_select_related = ("audit",)
