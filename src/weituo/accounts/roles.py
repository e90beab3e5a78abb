"""The roles a user can hold, by the kind of organisation they hold them in."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    MAH_QA = "mah_qa", "持有人 QA"
    MAH_QP = "mah_qp", "持有人 质量受权人 QP"
    MAH_HEAD_OF_QUALITY = "mah_head_of_quality", "持有人 质量负责人"
    MAH_VIEWER = "mah_viewer", "持有人 查阅"
    CMO_QA = "cmo_qa", "受托方 QA"
    CMO_QP = "cmo_qp", "受托方 质量受权人 QP"
    CMO_PRODUCTION = "cmo_production", "受托方 生产"
    CMO_HEAD_OF_QUALITY = "cmo_head_of_quality", "受托方 质量负责人"
    CMO_VIEWER = "cmo_viewer", "受托方 查阅"
    INSPECTOR = "inspector", "监管 检查员"
    HEAD_OF_DIVISION = "head_of_division", "监管 处长"
    PLATFORM_ADMIN = "platform_admin", "平台管理员"


class Side(models.TextChoices):
    """Which side of a contract (or of supervision) a role acts for."""

    MAH = "mah", "持有人/注册人"
    CMO = "cmo", "受托生产企业"
    REGULATOR = "regulator", "监管部门"
    PLATFORM = "platform", "平台"


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
