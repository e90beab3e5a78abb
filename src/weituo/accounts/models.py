"""Accounts: a user's memberships of organisations, each with one role.

Users are Django's own ``auth.User`` (individual accounts: see ``services.user_create``). A person's
full name, shown on every signature manifestation, is kept whole in ``first_name`` with ``last_name``
left empty, so that ``get_full_name()`` returns it unchanged: a Chinese name is not split into given
and family name by the system (欧阳修 is 欧阳 + 修, not 欧 + 阳修).

What a membership lets its user see is decided in ``policy.py``; what it lets them do, by the role.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weituo.core.models import BaseModel
from weituo.core.roles import SIDE_OF_ROLE, Role, Side
from weituo.registry.models import Organisation
from weituo.registry.provinces import Province


class Membership(BaseModel):
    """A user holding one role: in an MAH or a CMO, at a provincial regulator, or on the platform.

    - MAH-side roles: in an organisation that is an MAH or a device registrant;
    - CMO-side roles: in an organisation that is a CMO or a device CMO;
    - regulator roles: in a province (the provincial drug administration), with no organisation;
    - the platform admin: neither.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(pgettext_lazy("Membership", "role"), max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=pgettext_lazy("Membership", "organisation"),
    )
    province = models.CharField(
        pgettext_lazy("Membership", "province"), max_length=2, choices=Province.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    since = models.DateField(pgettext_lazy("Membership", "since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(organisation__isnull=False),
                name="membership_unique_in_organisation",
                violation_error_message=_("the user already holds this role here"),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "province"],
                condition=Q(organisation__isnull=True),
                name="membership_unique_without_organisation",
                violation_error_message=_("the user already holds this role"),
            ),
        ]

    def __str__(self) -> str:
        where = self.organisation or self.get_province_display() or "平台"
        return f"{self.user} · {self.get_role_display()} · {where}"

    @property
    def side(self) -> str:
        return SIDE_OF_ROLE[self.role]

    def clean(self) -> None:
        if self.role not in SIDE_OF_ROLE:
            return  # the choices validation of the field reports it
        side = SIDE_OF_ROLE[self.role]
        errors: dict[str, str] = {}
        organisation = self.organisation if self.organisation_id else None
        if side == Side.MAH:
            if organisation is None:
                errors["organisation"] = _("an MAH-side role needs an organisation")
            elif not (organisation.is_mah or organisation.is_registrant):
                errors["organisation"] = _(
                    "an MAH-side role needs an organisation that is an MAH or a device registrant"
                )
        elif side == Side.CMO:
            if organisation is None:
                errors["organisation"] = _("a CMO-side role needs an organisation")
            elif not (organisation.is_cmo or organisation.is_device_cmo):
                errors["organisation"] = _("a CMO-side role needs an organisation that is a CMO")
        elif side == Side.REGULATOR:
            if organisation is not None:
                errors["organisation"] = _("a regulator role belongs to no organisation")
            if not self.province:
                errors["province"] = _("a regulator role needs its province")
        else:  # the platform admin
            if organisation is not None:
                errors["organisation"] = _("the platform admin belongs to no organisation")
        if side != Side.REGULATOR and self.province:
            errors["province"] = _("only a regulator role has a province")
        if errors:
            raise ValidationError(errors)
