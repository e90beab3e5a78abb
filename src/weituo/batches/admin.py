"""Django admin of the batches app: read-only views for the platform admin.

A batch changes status only by a QP's signed release through ``batches.services``; its package is
frozen at factory release and its digest is in the signed decision. The admin shows batches,
package contents and decisions and changes none of them (see ``integrity.admin.ReadOnlyAdmin``). The
package files are listed by name and digest, not linked: they are the parties' records, served
only through the workspace's own access checks.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import pgettext_lazy

from weituo.integrity.admin import ReadOnlyAdmin

from .models import Batch, ReleaseDecision, ReleaseDocument, TestResult


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ("number", "product", "contract", "line", "status", "manufactured_on", "factory_released_at")
    list_filter = ("status",)
    list_select_related = ("product", "contract", "line")
    search_fields = ("number", "ref", "product__name", "contract__ref")
    date_hierarchy = "manufactured_on"


@admin.register(ReleaseDocument)
class ReleaseDocumentAdmin(ReadOnlyAdmin):
    list_display = ("batch", "kind", "title", "file_name", "size", "sha256")
    list_filter = ("kind",)
    list_select_related = ("batch",)
    search_fields = ("batch__number", "title", "sha256")
    exclude = ("file",)
    readonly_fields = ("file_name", "created_at", "updated_at")

    @admin.display(description=pgettext_lazy("admin", "File name"))
    def file_name(self, obj: ReleaseDocument) -> str:
        return obj.file.name.rsplit("/", 1)[-1] if obj.file else ""


@admin.register(TestResult)
class TestResultAdmin(ReadOnlyAdmin):
    list_display = ("batch", "test_name", "specification", "result", "passed")
    list_filter = ("passed",)
    list_select_related = ("batch",)
    search_fields = ("batch__number", "test_name")


@admin.register(ReleaseDecision)
class ReleaseDecisionAdmin(ReadOnlyAdmin):
    list_display = ("batch", "step", "decided_by", "decided_at", "package_digest")
    list_filter = ("step",)
    list_select_related = ("batch", "decided_by")
    search_fields = ("batch__number", "package_digest")
