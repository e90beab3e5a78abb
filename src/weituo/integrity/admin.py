"""The base class every weituo admin derives from: each admin save and delete ledgered, who did it named."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from weituo.access.parties import require_writer
from weituo.core.actors import Actor, MembershipView
from weituo.core.roles import Role

from .audited import diff, snapshot
from .ledger import Change, ledger_append


def admin_actor(request: HttpRequest) -> Actor:
    """The actor behind an admin request. A Django superuser without a membership acts as platform admin.

    The request's actor is set by ``accounts.middleware.ActorMiddleware`` (who the logged-in user is);
    computed once per request: the admin index asks every registered model for its permissions.
    """
    cached = getattr(request, "_weituo_admin_actor", None)
    if cached is not None:
        return cached
    lazy = request.actor  # type: ignore[attr-defined]
    memberships = tuple(lazy.memberships)
    if request.user.is_superuser and not lazy.is_platform_admin:
        memberships = (*memberships, MembershipView(Role.PLATFORM_ADMIN, None))
    actor = Actor(lazy.user_id, lazy.username, lazy.display_name, memberships, lazy.system)
    request._weituo_admin_actor = actor  # type: ignore[attr-defined]
    return actor


def _stored(obj: models.Model) -> dict:
    """The values of obj as they are in the database now (before the form's changes are saved)."""
    if obj.pk is None:
        return {}
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(current) if current is not None else {}


class LedgeredAdmin(admin.ModelAdmin):
    """Admin saves and deletes, each ledgered in the admin view's own transaction.

    The Django admin writes through forms, not through the services; without this its edits would
    be indistinguishable from tampering (``weituo ledger verify`` would report them), and nobody
    would be named as their author.
    """

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool) -> None:
        require_writer(admin_actor(request))
        request._weituo_before = getattr(request, "_weituo_before", {})
        request._weituo_before[id(obj)] = _stored(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # m2m and inlines first: the entry shows them
        obj = form.instance
        _ledger_saved(admin_actor(request), obj, request._weituo_before.pop(id(obj), {}))

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool) -> None:
        actor = admin_actor(request)
        require_writer(actor)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            ledger_append(actor=actor, change=Change.of("delete", obj, old=snapshot(obj), reason="admin"))
            obj.delete()
        for obj in instances:
            before = _stored(obj)
            obj.save()
            _ledger_saved(actor, obj, before)
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        actor = admin_actor(request)
        require_writer(actor)
        ledger_append(actor=actor, change=Change.of("delete", obj, old=snapshot(obj), reason="admin"))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        actor = admin_actor(request)
        require_writer(actor)
        for obj in queryset:
            ledger_append(actor=actor, change=Change.of("delete", obj, old=snapshot(obj), reason="admin"))
        super().delete_queryset(request, queryset)


def _ledger_saved(actor: Actor, obj: models.Model, before: dict) -> None:
    if before:
        old, new = diff(before, snapshot(obj))
        if new:
            ledger_append(actor=actor, change=Change.of("update", obj, old=old, new=new, reason="admin"))
    else:
        ledger_append(actor=actor, change=Change.of("create", obj, new=snapshot(obj), reason="admin"))


class BaseAdmin(LedgeredAdmin):
    """Shared defaults for national-size tables.

    No second full-table COUNT(*) per changelist page, 50 rows a page, a stable order for every
    queryset, and the creation and change times shown read-only (subclasses that declare
    ``fieldsets`` place them). Every save and delete is ledgered (LedgeredAdmin).
    """

    show_full_result_count = False
    list_per_page = 50
    readonly_fields: tuple[str, ...] = ("created_at", "updated_at")

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...] | list[str]:
        # A model without Meta.ordering is still paged in a stable order (autocomplete pages too).
        return super().get_ordering(request) or self.model._meta.ordering or ("pk",)


class ReadOnlyAdmin(BaseAdmin):
    """Shown to a platform admin, changed by nobody here: the services are the only writers."""

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff) and admin_actor(request).is_platform_admin

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}  # not even "delete selected"
