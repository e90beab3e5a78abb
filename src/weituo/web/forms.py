"""Forms of the web app: they parse and check what a person typed; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from weituo.contracts.choices import Assignee, Channel, ContractStatus, TimeUnit
from weituo.registry.choices import OrganisationRole, ProductKind, ProductStatus
from weituo.registry.provinces import Province


def _choices(enum: type, blank: str | None = None) -> list[tuple[str, str]]:
    """A model enumeration's choices, labelled in the UI's language when the form is rendered."""
    values = list(enum.choices)
    return ([("", blank)] if blank is not None else []) + values


class TestIds:
    """Give every field a stable ``data-testid`` (``<prefix>-<field name>``) for the browser tests."""

    testid_prefix = "field"

    def _set_testids(self) -> None:
        for name, f in self.fields.items():
            f.widget.attrs.setdefault("data-testid", f"{self.testid_prefix}-{name}")


class FilterForm(TestIds, forms.Form):
    testid_prefix = "filter"

    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._set_testids()


class OrganisationFilter(FilterForm):
    province = forms.ChoiceField(label=_("Province"), required=False, choices=[("", "—"), *Province.choices])
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _choices(OrganisationRole, "—")


class ProductFilter(FilterForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])
    holder = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(ProductKind, "—")
        self.fields["status"].choices = _choices(ProductStatus, "—")


class LineFilter(FilterForm):
    organisation = forms.CharField(required=False, widget=forms.HiddenInput)


class ContractFilter(FilterForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])
    organisation = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _choices(ContractStatus, "—")


class ReasonField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            label=_("Reason for the change"),
            max_length=500,
            widget=forms.TextInput(attrs={"placeholder": _("why (kept in the audit trail)")}),
            **kwargs,
        )


class CommunicationItemForm(TestIds, forms.Form):
    """One row of the communication list. Contacts are chosen among the people the actor may see."""

    mah_contact = forms.ModelChoiceField(label=_("MAH contact"), queryset=None, required=False)
    cmo_contact = forms.ModelChoiceField(label=_("CMO contact"), queryset=None, required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[])
    time_limit = forms.IntegerField(label=_("Time limit"), required=False, min_value=1)
    time_unit = forms.ChoiceField(label=_("Unit"), required=False, choices=[])
    reason = ReasonField()

    def __init__(self, *args, mah_people, cmo_people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mah_contact"].queryset = mah_people
        self.fields["cmo_contact"].queryset = cmo_people
        self.fields["channel"].choices = _choices(Channel, "—")
        self.fields["time_unit"].choices = _choices(TimeUnit, "—")
        self._set_testids()


class ResponsibilityForm(TestIds, forms.Form):
    party = forms.ChoiceField(label=_("Responsible party"), choices=[])
    period_months = forms.IntegerField(label=_("Period (months)"), required=False, min_value=1, max_value=600)
    detail = forms.CharField(label=_("Detail"), required=False, max_length=300)
    reason = ReasonField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = _choices(Assignee)
        self._set_testids()


class ImportForm(TestIds, forms.Form):
    testid_prefix = "import"

    file = forms.FileField(label=_("Workbook (.xlsx) or JSON file"))
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._set_testids()
