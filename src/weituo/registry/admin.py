"""Django admin of the registry, labelled in Chinese: the demo's user interface until the web app arrives.

Built for national size (~100,000 products): every foreign key is an autocomplete widget (never a
<select> of every row), every changelist names the joins it needs in ``list_select_related`` so that
a page costs the same number of queries whatever its length, and no changelist runs a second full
COUNT(*) (``show_full_result_count = False``). Admins whose ``__str__`` walks up foreign keys
(a line prints its workshop, site and organisation) also join them in ``get_queryset``, so that
autocomplete results do not cost a query per row.

Validation is the models' ``clean``; the admin adds none of its own.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import pgettext_lazy

from weituo.core.models import CalendarYear
from weituo.integrity.admin import BaseAdmin

from .choices import RISK_FLAGS, ProductKind
from .models import (
    Appointment,
    EnterpriseExperience,
    EnterpriseGroup,
    ExperienceRecord,
    InspectionRecord,
    Licence,
    LicenceScope,
    Line,
    LineProduct,
    Organisation,
    Person,
    Product,
    RegistrationCertificate,
    Site,
    Workshop,
)

# Short Chinese names of the organisation roles, for one compact list column.
ROLE_LABELS: tuple[tuple[str, str], ...] = (
    ("is_mah", pgettext_lazy("admin", "MAH")),
    ("is_cmo", pgettext_lazy("admin", "Contract manufacturing")),
    ("is_registrant", pgettext_lazy("admin", "Device registrant")),
    ("is_device_cmo", pgettext_lazy("admin", "Device contract manufacturing")),
    ("is_testing_lab", pgettext_lazy("admin", "Testing laboratory")),
)

# Risk flags offered as list filters (the others remain searchable on the change form).
PRODUCT_FLAG_FILTERS: tuple[str, ...] = (
    "sterile",
    "high_risk",
    "tcm_injection",
    "multicomponent_biochemical",
    "biologic",
    "vaccine",
    "shortage",
    "procurement_winner",
    "implantable",
    "prohibited_catalogue",
)


# ---------------------------------------------------------------------------------------------
# Inlines
# ---------------------------------------------------------------------------------------------


class SiteInline(admin.TabularInline):
    model = Site
    fields = ("ref", "name", "address", "province")
    extra = 0
    show_change_link = True


class LicenceInline(admin.TabularInline):
    model = Licence
    fields = ("ref", "kind", "number", "class_codes", "category_letters", "issued_on", "valid_until")
    extra = 0
    show_change_link = True


class PersonInline(admin.TabularInline):
    model = Person
    fields = ("ref", "name", "title", "email", "phone")
    extra = 0
    show_change_link = True


class WorkshopInline(admin.TabularInline):
    model = Workshop
    fields = ("ref", "name")
    extra = 0
    show_change_link = True


class LineInline(admin.TabularInline):
    model = Line
    fields = ("ref", "name", "dosage_forms", "sterile", "design_capacity", "capacity_unit")
    extra = 0
    show_change_link = True


class LineProductInline(admin.TabularInline):
    """On a line: the products made on it. On a product: the lines it is made on."""

    model = LineProduct
    fields = ("line", "product", "annual_volume")
    autocomplete_fields = ("line", "product")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[LineProduct]:
        return super().get_queryset(request).select_related("line__workshop__site__organisation", "product")


class LicenceScopeInline(admin.TabularInline):
    model = LicenceScope
    fields = ("site", "class_code", "scope", "product", "counterparty", "entered_on")
    autocomplete_fields = ("site", "product", "counterparty")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[LicenceScope]:
        return super().get_queryset(request).select_related("licence", "site__organisation", "product", "counterparty")


class AppointmentInline(admin.TabularInline):
    model = Appointment
    fields = ("role", "since", "until")
    extra = 0


class ExperienceRecordInline(admin.TabularInline):
    model = ExperienceRecord
    fields = (
        "employer",
        "activity",
        "started_on",
        "ended_on",
        "sterile",
        "tcm_injection",
        "multicomponent_biochemical",
    )
    extra = 0


class RegistrationCertificateInline(admin.StackedInline):
    """Devices only: a drug has an approval number instead (hidden on an existing drug's page)."""

    model = RegistrationCertificate
    fields = ("ref", "number", "issued_on", "valid_until", "annotation")
    extra = 0
    max_num = 1


# ---------------------------------------------------------------------------------------------
# Organisations and their sites, workshops, lines
# ---------------------------------------------------------------------------------------------


@admin.register(EnterpriseGroup)
class EnterpriseGroupAdmin(BaseAdmin):
    list_display = ("name", "unified_qms", "ref")
    list_filter = ("unified_qms",)
    search_fields = ("name", "ref")


@admin.register(Organisation)
class OrganisationAdmin(BaseAdmin):
    list_display = ("name", "uscc", "province", "roles", "group")
    list_filter = ("province", *(field for field, _label in ROLE_LABELS), "group__unified_qms")
    list_select_related = ("group",)
    search_fields = ("name", "uscc", "ref")
    autocomplete_fields = ("group",)
    fieldsets = (
        (
            pgettext_lazy("admin", "Basic information"),
            {"fields": ("ref", "name", "uscc", "province", "address", "group")},
        ),
        (pgettext_lazy("admin", "Roles"), {"fields": tuple(field for field, _label in ROLE_LABELS)}),
        (pgettext_lazy("admin", "Recorded at"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (SiteInline, LicenceInline, PersonInline)

    @admin.display(description=pgettext_lazy("admin", "Roles"))
    def roles(self, obj: Organisation) -> str:
        return "、".join(str(label) for field, label in ROLE_LABELS if getattr(obj, field)) or "—"


@admin.register(Site)
class SiteAdmin(BaseAdmin):
    list_display = ("name", "organisation", "province", "address")
    list_filter = ("province",)
    list_select_related = ("organisation",)
    search_fields = ("name", "address", "ref", "organisation__name", "organisation__uscc")
    autocomplete_fields = ("organisation",)
    inlines = (WorkshopInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Site]:
        return super().get_queryset(request).select_related("organisation")


@admin.register(Workshop)
class WorkshopAdmin(BaseAdmin):
    list_display = ("name", "site", "ref")
    list_filter = ("site__province",)
    list_select_related = ("site__organisation",)
    search_fields = ("name", "ref", "site__name", "site__organisation__name")
    autocomplete_fields = ("site",)
    inlines = (LineInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Workshop]:
        return super().get_queryset(request).select_related("site__organisation")


@admin.register(Line)
class LineAdmin(BaseAdmin):
    list_display = (
        "name",
        "workshop",
        "dosage_forms",
        "sterile",
        "design_capacity",
        "capacity_unit",
        "last_commercial_production",
    )
    list_filter = ("sterile", "workshop__site__province")
    list_select_related = ("workshop__site__organisation",)
    search_fields = ("name", "ref", "dosage_forms", "workshop__name", "workshop__site__organisation__name")
    autocomplete_fields = ("workshop",)
    inlines = (LineProductInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Line]:
        return super().get_queryset(request).select_related("workshop__site__organisation")


# ---------------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------------


@admin.register(Product)
class ProductAdmin(BaseAdmin):
    list_display = ("name", "kind", "holder", "approval_number", "dosage_form", "device_class", "status", "risk_flags")
    list_filter = ("kind", "status", "category", "device_class", "holder__province", *PRODUCT_FLAG_FILTERS)
    list_select_related = ("holder",)
    search_fields = ("name", "approval_number", "ref", "holder__name", "holder__uscc")
    autocomplete_fields = ("holder",)
    fieldsets = (
        (pgettext_lazy("admin", "Basic information"), {"fields": ("ref", "kind", "holder", "name", "status")}),
        (pgettext_lazy("admin", "Drugs"), {"fields": ("approval_number", "dosage_form", "strength", "category")}),
        (
            pgettext_lazy("admin", "Medical devices"),
            {"fields": ("device_class", "implantable", "prohibited_catalogue", "last_commercial_batch_released")},
        ),
        (
            pgettext_lazy("admin", "Risk flags"),
            {
                "fields": tuple(RISK_FLAGS),
                "description": pgettext_lazy("admin", "What each risk flag rests on:")
                + "；".join(f"{label}（{citation}）" for label, citation in RISK_FLAGS.values()),
            },
        ),
        (pgettext_lazy("admin", "Recorded at"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (RegistrationCertificateInline, LineProductInline)

    def get_inlines(self, request: HttpRequest, obj: Product | None) -> tuple:
        if obj is not None and obj.kind == ProductKind.DRUG:
            return (LineProductInline,)
        return self.inlines

    @admin.display(description=pgettext_lazy("admin", "Risk flags"))
    def risk_flags(self, obj: Product) -> str:
        return "、".join(label for field, (label, _citation) in RISK_FLAGS.items() if getattr(obj, field)) or "—"


@admin.register(LineProduct)
class LineProductAdmin(BaseAdmin):
    list_display = ("product", "line", "annual_volume")
    list_filter = ("line__sterile", "product__kind")
    list_select_related = ("product", "line__workshop__site__organisation")
    search_fields = ("product__name", "product__approval_number", "line__name", "line__ref")
    autocomplete_fields = ("line", "product")


@admin.register(RegistrationCertificate)
class RegistrationCertificateAdmin(BaseAdmin):
    list_display = ("number", "product", "holder", "issued_on", "valid_until")
    list_filter = ("product__device_class", "product__implantable")
    list_select_related = ("product__holder",)
    search_fields = ("number", "ref", "product__name", "product__holder__name", "product__holder__uscc")
    autocomplete_fields = ("product",)
    date_hierarchy = "valid_until"

    @admin.display(description=pgettext_lazy("admin", "Registrant"), ordering="product__holder__name")
    def holder(self, obj: RegistrationCertificate) -> str:
        return str(obj.product.holder)


# ---------------------------------------------------------------------------------------------
# Licences
# ---------------------------------------------------------------------------------------------


@admin.register(Licence)
class LicenceAdmin(BaseAdmin):
    list_display = ("number", "organisation", "kind", "class_codes", "category_letters", "issued_on", "valid_until")
    list_filter = ("kind", "organisation__province")
    list_select_related = ("organisation",)
    search_fields = ("number", "ref", "organisation__name", "organisation__uscc")
    autocomplete_fields = ("organisation",)
    date_hierarchy = "valid_until"
    inlines = (LicenceScopeInline,)


@admin.register(LicenceScope)
class LicenceScopeAdmin(BaseAdmin):
    list_display = ("licence", "site", "class_code", "scope", "product", "counterparty", "entered_on")
    list_filter = ("class_code", "licence__kind")
    list_select_related = ("licence", "site__organisation", "product", "counterparty")
    search_fields = (
        "licence__number",
        "scope",
        "product__name",
        "product__approval_number",
        "counterparty__name",
        "counterparty__uscc",
    )
    autocomplete_fields = ("licence", "site", "product", "counterparty")


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------


@admin.register(Person)
class PersonAdmin(BaseAdmin):
    list_display = ("name", "organisation", "title", "email", "phone")
    list_filter = ("appointments__role", "organisation__province")
    list_select_related = ("organisation",)
    search_fields = ("name", "ref", "email", "organisation__name", "organisation__uscc")
    autocomplete_fields = ("organisation",)
    inlines = (AppointmentInline, ExperienceRecordInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return super().get_queryset(request).select_related("organisation")


@admin.register(Appointment)
class AppointmentAdmin(BaseAdmin):
    list_display = ("person", "role", "since", "until")
    list_filter = ("role",)
    list_select_related = ("person__organisation",)
    search_fields = ("person__name", "person__organisation__name", "person__organisation__uscc")
    autocomplete_fields = ("person",)
    date_hierarchy = "since"


@admin.register(ExperienceRecord)
class ExperienceRecordAdmin(BaseAdmin):
    list_display = (
        "person",
        "employer",
        "activity",
        "started_on",
        "ended_on",
        "sterile",
        "tcm_injection",
        "multicomponent_biochemical",
    )
    list_filter = ("activity", "sterile", "tcm_injection", "multicomponent_biochemical")
    list_select_related = ("person__organisation",)
    search_fields = ("person__name", "employer")
    autocomplete_fields = ("person",)


# ---------------------------------------------------------------------------------------------
# Inspections
# ---------------------------------------------------------------------------------------------


@admin.register(InspectionRecord)
class InspectionRecordAdmin(BaseAdmin):
    list_display = ("organisation", "inspected_on", "kind", "conclusion", "line", "dosage_form", "notice_number")
    list_filter = ("kind", "conclusion", "organisation__province")
    list_select_related = ("organisation", "line__workshop__site__organisation")
    search_fields = ("ref", "notice_number", "dosage_form", "organisation__name", "organisation__uscc")
    autocomplete_fields = ("organisation", "site", "line")
    date_hierarchy = "inspected_on"


@admin.register(EnterpriseExperience)
class EnterpriseExperienceAdmin(BaseAdmin):
    list_display = ("organisation", "activity", "dosage_form", "sterile", "biologic", "started_on", "ended_on")
    list_filter = ("activity", "sterile", "biologic", "organisation__province")
    list_select_related = ("organisation",)
    search_fields = ("dosage_form", "organisation__name", "organisation__uscc")
    autocomplete_fields = ("organisation",)


@admin.register(CalendarYear)
class CalendarYearAdmin(BaseAdmin):
    """Read-only: a year's schedule is loaded with ``weituo calendar load FILE`` (services.calendar_year_load),
    which checks it for contradictions; editing the JSON here would bypass those checks."""

    list_display = ("year", "holiday_count", "workday_count", "source", "loaded_by", "updated_at")
    list_select_related = ("loaded_by",)
    search_fields = ("year", "source")
    fields = ("year", "holidays", "workdays", "source", "loaded_by", "created_at", "updated_at")

    @admin.display(description=pgettext_lazy("admin", "Official holidays"))
    def holiday_count(self, obj: CalendarYear) -> int:
        return len(obj.holidays or [])

    @admin.display(description=pgettext_lazy("admin", "Adjusted working days"))
    def workday_count(self, obj: CalendarYear) -> int:
        return len(obj.workdays or [])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False
