"""Django admin of the core app, and the base class every weituo admin derives from."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import CalendarYear


class BaseAdmin(admin.ModelAdmin):
    """Shared defaults for national-size tables.

    No second full-table COUNT(*) per changelist page, 50 rows a page, a stable order for every
    queryset, and the creation and change times shown read-only (subclasses that declare
    ``fieldsets`` place them).
    """

    show_full_result_count = False
    list_per_page = 50
    readonly_fields: tuple[str, ...] = ("created_at", "updated_at")

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...] | list[str]:
        # A model without Meta.ordering is still paged in a stable order (autocomplete pages too).
        return super().get_ordering(request) or self.model._meta.ordering or ("pk",)


@admin.register(CalendarYear)
class CalendarYearAdmin(BaseAdmin):
    """Read-only: a year's schedule is loaded with ``weituo calendar load FILE`` (services.calendar_year_load),
    which checks it for contradictions; editing the JSON here would bypass those checks."""

    list_display = ("year", "holiday_count", "workday_count", "source", "loaded_by", "updated_at")
    list_select_related = ("loaded_by",)
    search_fields = ("year", "source")
    fields = ("year", "holidays", "workdays", "source", "loaded_by", "created_at", "updated_at")

    @admin.display(description="法定节假日天数")
    def holiday_count(self, obj: CalendarYear) -> int:
        return len(obj.holidays or [])

    @admin.display(description="调休上班日天数")
    def workday_count(self, obj: CalendarYear) -> int:
        return len(obj.workdays or [])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False
