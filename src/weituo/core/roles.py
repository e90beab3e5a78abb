"""The roles a user can hold, by the kind of organisation they hold them in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    MAH_QA = "mah_qa", pgettext_lazy("Role", "MAH QA")
    MAH_QP = "mah_qp", _("MAH QP")
    MAH_HEAD_OF_QUALITY = "mah_head_of_quality", pgettext_lazy("Role", "MAH head of quality")
    MAH_VIEWER = "mah_viewer", pgettext_lazy("Role", "MAH viewer")
    CMO_QA = "cmo_qa", pgettext_lazy("Role", "CMO QA")
    CMO_QP = "cmo_qp", _("CMO QP")
    CMO_PRODUCTION = "cmo_production", pgettext_lazy("Role", "CMO production")
    CMO_HEAD_OF_QUALITY = "cmo_head_of_quality", pgettext_lazy("Role", "CMO head of quality")
    CMO_VIEWER = "cmo_viewer", pgettext_lazy("Role", "CMO viewer")
    INSPECTOR = "inspector", _("inspector")
    HEAD_OF_DIVISION = "head_of_division", _("head of division")
    PLATFORM_ADMIN = "platform_admin", _("platform administrator")


class Side(models.TextChoices):
    """Which side of a contract (or of supervision) a role acts for."""

    MAH = "mah", _("MAH / registrant")
    CMO = "cmo", _("contract manufacturer")
    REGULATOR = "regulator", _("regulator")
    PLATFORM = "platform", _("platform")


SIDE_OF_ROLE: dict[str, str] = {
    Role.MAH_QA: Side.MAH,
    Role.MAH_QP: Side.MAH,
    Role.MAH_HEAD_OF_QUALITY: Side.MAH,
    Role.MAH_VIEWER: Side.MAH,
    Role.CMO_QA: Side.CMO,
    Role.CMO_QP: Side.CMO,
    Role.CMO_PRODUCTION: Side.CMO,
    Role.CMO_HEAD_OF_QUALITY: Side.CMO,
    Role.CMO_VIEWER: Side.CMO,
    Role.INSPECTOR: Side.REGULATOR,
    Role.HEAD_OF_DIVISION: Side.REGULATOR,
    Role.PLATFORM_ADMIN: Side.PLATFORM,
}

# Roles that may change records (viewers only read). Finer permissions per action come with the workflows.
WRITER_ROLES = frozenset(SIDE_OF_ROLE) - {Role.MAH_VIEWER, Role.CMO_VIEWER}
QP_ROLES = frozenset({Role.MAH_QP, Role.CMO_QP})


class Party(models.TextChoices):
    """The two parties of a commission contract, and of every record between them (events, changes,
    audits, transfers): the one MAH/CMO enum."""

    MAH = "mah", pgettext_lazy("Party", "MAH")
    CMO = "cmo", pgettext_lazy("Party", "CMO")


SIDE_OF_PARTY: dict[str, str] = {Party.MAH: Side.MAH, Party.CMO: Side.CMO}

# Who approves a deviation downgrade and checks CAPA effectiveness, per party.
QA_ROLES: dict[str, frozenset[str]] = {
    Party.MAH: frozenset({Role.MAH_QA, Role.MAH_HEAD_OF_QUALITY}),
    Party.CMO: frozenset({Role.CMO_QA, Role.CMO_HEAD_OF_QUALITY}),
}


def counterparty(party: str) -> str:
    return Party.CMO if party == Party.MAH else Party.MAH
