"""Django admin of the accounts: users with their memberships, labelled in Chinese.

The admin applies the same rules as ``services.user_create``: no generic or shared usernames, a
full name for every account (kept whole in ``first_name``, see ``models``), and the membership's
side checked by ``Membership.clean``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import pgettext_lazy

from weituo.integrity.admin import BaseAdmin

from .models import Membership
from .services import is_generic_name

User = get_user_model()

GENERIC_USERNAME = pgettext_lazy("admin", "a username must name one person, not a function or a department")


class IndividualUserCreationForm(UserCreationForm):
    full_name = forms.CharField(
        label=pgettext_lazy("admin", "Full name (shown with electronic signatures)"), max_length=150
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "email")

    def clean_username(self) -> str:
        username = super().clean_username()
        if is_generic_name(username):
            raise forms.ValidationError(GENERIC_USERNAME)
        return username

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        user.first_name, user.last_name = " ".join(self.cleaned_data["full_name"].split()), ""
        if commit:
            user.save()
        return user


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("role", "organisation", "province", "active", "since")
    autocomplete_fields = ("organisation",)


admin.site.unregister(User)


@admin.register(User)
class IndividualUserAdmin(UserAdmin):
    add_form = IndividualUserCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "email", "password1", "password2")}),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (pgettext_lazy("admin", "Personal information"), {"fields": ("first_name", "email")}),
        (pgettext_lazy("admin", "Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (pgettext_lazy("admin", "Times"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ("username", "first_name", "email", "is_active", "last_login")
    search_fields = ("username", "first_name", "email")
    inlines = (MembershipInline,)

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else ()  # memberships are added once the user exists

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "first_name" and field is not None:
            field.label = pgettext_lazy("admin", "Full name (shown with electronic signatures)")
            field.required = True
        return field


@admin.register(Membership)
class MembershipAdmin(BaseAdmin):
    list_display = ("user", "role", "organisation", "province", "active", "since")
    list_filter = ("role", "active", "province")
    list_select_related = ("user", "organisation")
    search_fields = ("user__username", "user__first_name", "organisation__name", "organisation__uscc")
    autocomplete_fields = ("user", "organisation")
