"""Django admin of commission contracts, structured quality agreements and technology transfer.

The ``status`` of a commission contract and of a quality agreement is READ-ONLY here, on the change
form and in every inline: a status changes only through the contracts services, which check the
transition table (``choices.CONTRACT_TRANSITIONS``) and write the audit ledger. Nobody assigns
``.status`` by hand, and the admin is no exception. A record added here starts as a draft.
"""

from __future__ import annotations

import hashlib

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import pgettext_lazy

from weituo.integrity.admin import BaseAdmin

from .models import (
    AgreementAttachment,
    CommissionContract,
    CommunicationItem,
    MahEvaluation,
    QualityAgreement,
    ResidentStaff,
    ResponsibilityItem,
    TechTransfer,
    TechTransferRisk,
    TechTransferStep,
)

STATUS_READ_ONLY = pgettext_lazy(
    "admin",
    "The status is read-only: it changes only through the services, along the transition table "
    "(draft → in force → terminated); a new record is a draft.",
)


def file_sha256(field_file) -> str:
    """SHA-256 of an uploaded file, read in chunks."""
    digest = hashlib.sha256()
    field_file.open("rb")
    try:
        for chunk in field_file.chunks():
            digest.update(chunk)
    finally:
        field_file.seek(0)
    return digest.hexdigest()


def stamp_attachment(attachment: AgreementAttachment, changed_fields: list[str]) -> None:
    """Record the digest of a new or replaced file (until an attachment service takes this over)."""
    if attachment.file and ("file" in changed_fields or not attachment.sha256):
        attachment.sha256 = file_sha256(attachment.file)


# ---------------------------------------------------------------------------------------------
# Inlines
# ---------------------------------------------------------------------------------------------


class QualityAgreementInline(admin.TabularInline):
    """The versions of the quality agreement; open one (link) to edit its matrix and lists."""

    model = QualityAgreement
    fields = ("ref", "document_version", "signed_on", "effective_from", "expires_on", "status")
    readonly_fields = ("status",)  # status changes only through the services (transition table)
    extra = 0
    show_change_link = True


class TechTransferInline(admin.TabularInline):
    model = TechTransfer
    fields = ("ref", "product", "lead", "started_on", "completed_on")
    autocomplete_fields = ("product", "lead")
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[TechTransfer]:
        return super().get_queryset(request).select_related("product", "contract__cmo", "lead__organisation")


class ResponsibilityItemInline(admin.TabularInline):
    model = ResponsibilityItem
    fields = ("activity", "party", "period_months", "detail")
    extra = 0


class CommunicationItemInline(admin.TabularInline):
    model = CommunicationItem
    fields = ("category", "mah_contact", "cmo_contact", "channel", "time_limit", "time_unit")
    autocomplete_fields = ("mah_contact", "cmo_contact")
    extra = 0


class ResidentStaffInline(admin.TabularInline):
    model = ResidentStaff
    fields = ("person", "duties", "products")
    autocomplete_fields = ("person", "products")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[ResidentStaff]:
        return super().get_queryset(request).select_related("person__organisation")


class AgreementAttachmentInline(admin.TabularInline):
    model = AgreementAttachment
    fields = ("title", "file", "sha256")
    readonly_fields = ("sha256",)  # computed from the file on upload, never typed in
    extra = 0


# ---------------------------------------------------------------------------------------------
# Contracts and agreements
# ---------------------------------------------------------------------------------------------


@admin.register(CommissionContract)
class CommissionContractAdmin(BaseAdmin):
    list_display = ("number", "mah", "cmo", "status", "signed_on", "effective_from", "expires_on", "terminated_on")
    list_filter = ("status", "mah__province", "cmo__province")
    list_select_related = ("mah", "cmo")
    search_fields = (
        "number",
        "ref",
        "mah__name",
        "mah__uscc",
        "cmo__name",
        "cmo__uscc",
        "products__name",
        "products__approval_number",
    )
    autocomplete_fields = ("mah", "cmo", "products", "lines")
    date_hierarchy = "signed_on"
    # status changes only through the services (transition table), never by hand
    readonly_fields = ("status", "created_at", "updated_at")
    fieldsets = (
        (pgettext_lazy("admin", "Basic information"), {"fields": ("ref", "number", "mah", "cmo")}),
        (pgettext_lazy("admin", "Scope of the commission"), {"fields": ("products", "lines")}),
        (pgettext_lazy("admin", "Dates"), {"fields": ("signed_on", "effective_from", "expires_on")}),
        (pgettext_lazy("admin", "Status"), {"fields": ("status", "terminated_on"), "description": STATUS_READ_ONLY}),
        (pgettext_lazy("admin", "Recorded at"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (QualityAgreementInline, TechTransferInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommissionContract]:
        return super().get_queryset(request).select_related("mah", "cmo")


@admin.register(QualityAgreement)
class QualityAgreementAdmin(BaseAdmin):
    list_display = (
        "contract",
        "document_version",
        "status",
        "effective_from",
        "expires_on",
        "last_annual_review",
        "retained_samples_party",
        "stability_party",
    )
    list_filter = (
        "status",
        "retained_samples_party",
        "stability_party",
        "mah_may_consult_records",
        "mah_may_visit_sites",
        "electronic_production_records",
        "electronic_data_exchange",
        "electronic_material_management",
    )
    list_select_related = ("contract__mah", "contract__cmo")
    search_fields = ("ref", "document_version", "contract__number", "contract__mah__name", "contract__cmo__name")
    autocomplete_fields = ("contract", "cmo_link_person")
    date_hierarchy = "effective_from"
    # status changes only through the services (transition table), never by hand
    readonly_fields = ("status", "created_at", "updated_at")
    fieldsets = (
        (pgettext_lazy("admin", "Basic information"), {"fields": ("ref", "contract", "document_version")}),
        (
            pgettext_lazy("admin", "Dates"),
            {"fields": ("signed_on", "effective_from", "expires_on", "last_annual_review")},
        ),
        (pgettext_lazy("admin", "Status"), {"fields": ("status", "terminated_on"), "description": STATUS_READ_ONLY}),
        (
            pgettext_lazy("admin", "Access and coordination (art. 6)"),
            {"fields": ("mah_may_consult_records", "mah_may_visit_sites", "cmo_link_person")},
        ),
        (
            pgettext_lazy("admin", "Retained samples and stability (art. 11)"),
            {"fields": ("retained_samples_party", "stability_party", "production_date_definition")},
        ),
        (
            pgettext_lazy("admin", "Other"),
            {
                "fields": (
                    "electronic_production_records",
                    "electronic_data_exchange",
                    "electronic_material_management",
                    "notes",
                )
            },
        ),
        (pgettext_lazy("admin", "Recorded at"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (ResponsibilityItemInline, CommunicationItemInline, ResidentStaffInline, AgreementAttachmentInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[QualityAgreement]:
        return super().get_queryset(request).select_related("contract__mah", "contract__cmo")

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool) -> None:
        if formset.model is AgreementAttachment:
            for inline_form in formset.forms:
                if inline_form.has_changed() and inline_form.is_valid():
                    stamp_attachment(inline_form.instance, inline_form.changed_data)
        super().save_formset(request, form, formset, change)


@admin.register(ResponsibilityItem)
class ResponsibilityItemAdmin(BaseAdmin):
    list_display = ("agreement", "activity", "party", "period_months", "detail")
    list_filter = ("activity", "party")
    list_select_related = ("agreement__contract",)
    search_fields = ("agreement__ref", "agreement__contract__number", "detail")
    autocomplete_fields = ("agreement",)


@admin.register(CommunicationItem)
class CommunicationItemAdmin(BaseAdmin):
    list_display = ("agreement", "category", "mah_contact", "cmo_contact", "channel", "time_limit", "time_unit")
    list_filter = ("category", "channel", "time_unit")
    list_select_related = ("agreement__contract", "mah_contact__organisation", "cmo_contact__organisation")
    search_fields = ("agreement__ref", "agreement__contract__number", "mah_contact__name", "cmo_contact__name")
    autocomplete_fields = ("agreement", "mah_contact", "cmo_contact")


@admin.register(ResidentStaff)
class ResidentStaffAdmin(BaseAdmin):
    list_display = ("person", "agreement", "duties")
    list_select_related = ("person__organisation", "agreement__contract")
    search_fields = ("person__name", "agreement__ref", "agreement__contract__number", "duties")
    autocomplete_fields = ("agreement", "person", "products")


@admin.register(AgreementAttachment)
class AgreementAttachmentAdmin(BaseAdmin):
    list_display = ("title", "agreement", "sha256", "created_at")
    list_select_related = ("agreement__contract",)
    search_fields = ("title", "sha256", "agreement__ref", "agreement__contract__number")
    autocomplete_fields = ("agreement",)
    date_hierarchy = "created_at"
    readonly_fields = ("sha256", "created_at", "updated_at")  # computed from the file on upload

    def save_model(self, request: HttpRequest, obj: AgreementAttachment, form: ModelForm, change: bool) -> None:
        stamp_attachment(obj, form.changed_data)
        super().save_model(request, obj, form, change)


# ---------------------------------------------------------------------------------------------
# Technology transfer and the CMO's evaluation of the MAH
# ---------------------------------------------------------------------------------------------


@admin.register(TechTransfer)
class TechTransferAdmin(BaseAdmin):
    list_display = ("product", "contract", "lead", "started_on", "process_validated_on", "completed_on")
    list_filter = (("completed_on", admin.EmptyFieldListFilter), "contract__cmo__province")
    list_select_related = ("product", "contract__mah", "contract__cmo", "lead__organisation")
    search_fields = (
        "ref",
        "product__name",
        "product__approval_number",
        "contract__number",
        "contract__cmo__name",
        "contract__mah__name",
    )
    autocomplete_fields = ("contract", "product", "lead", "working_group")
    date_hierarchy = "started_on"
    fieldsets = (
        (
            pgettext_lazy("admin", "Basic information"),
            {"fields": ("ref", "contract", "product", "lead", "working_group")},
        ),
        (
            pgettext_lazy("admin", "Technology transfer (art. 4)"),
            {
                "fields": (
                    "started_on",
                    "plan_reviewed_on",
                    "equipment_qualified_on",
                    "cleaning_validated_on",
                    "analytical_validated_on",
                    "process_validated_on",
                    "shared_line_assessed_on",
                    "report_reviewed_on",
                    "master_documents_approved_on",
                    "completed_on",
                )
            },
        ),
        (pgettext_lazy("admin", "Recorded at"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )


class _ReadOnlyTransferRecordAdmin(BaseAdmin):
    """Read-only: a transfer's steps and risks are written only by ``contracts.tech_transfer``, which
    enforces the order of the steps, the party of each, and the transitions of a risk."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TechTransferStep)
class TechTransferStepAdmin(_ReadOnlyTransferRecordAdmin):
    list_display = ("transfer", "step", "party", "done_on", "recorded_by")
    list_filter = ("step", "party")
    list_select_related = ("transfer", "recorded_by")
    search_fields = ("transfer__ref", "note", "evidence")


@admin.register(TechTransferRisk)
class TechTransferRiskAdmin(_ReadOnlyTransferRecordAdmin):
    list_display = ("ref", "transfer", "status", "raised_by_party", "raised_on", "resolved_on")
    list_filter = ("status", "raised_by_party")
    list_select_related = ("transfer",)
    search_fields = ("ref", "transfer__ref", "description")


@admin.register(MahEvaluation)
class MahEvaluationAdmin(BaseAdmin):
    list_display = ("cmo", "mah", "evaluated_on", "conclusion", "simplified_same_group")
    list_filter = ("conclusion", "simplified_same_group")
    list_select_related = ("cmo", "mah")
    search_fields = ("ref", "cmo__name", "cmo__uscc", "mah__name", "mah__uscc")
    autocomplete_fields = ("cmo", "mah", "products")
    date_hierarchy = "evaluated_on"
    fieldsets = (
        (pgettext_lazy("admin", "Basic information"), {"fields": ("ref", "cmo", "mah", "products", "evaluated_on")}),
        (
            pgettext_lazy("admin", "What was evaluated (art. 3)"),
            {
                "fields": (
                    "covers_qualification",
                    "covers_quality_capability",
                    "covers_product_risk",
                    "covers_tech_transfer_feasibility",
                    "covers_shared_line_feasibility",
                    "simplified_same_group",
                )
            },
        ),
        (pgettext_lazy("admin", "Conclusion"), {"fields": ("conclusion", "notes")}),
        (pgettext_lazy("admin", "Recorded at"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
