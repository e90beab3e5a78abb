"""The web tests' world: the mini registry (tests.exchange.dataset) and a second CMO in Zhejiang.

    ORG-MAH  ──CON-1──▶ ORG-CMO (Jiangsu): P-1 on LINE-1 (shared line)
    ORG-MAH2 ─────────▶ ORG-CMO          : P-2 on LINE-1 (no contract)
    ORG-MAH2 ──CON-2──▶ ORG-CMO2 (Zhejiang): P-3 on LINE-2

One account per viewpoint, made through ``user_create`` like a real one.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from tests.exchange.dataset import SYSTEM, load_mini, valid_uscc
from weituo.accounts.services import user_create
from weituo.core.roles import Role
from weituo.exchange.services import registry_import
from weituo.registry.models import Organisation

PASSWORD = "Web-tests-2026!"

d = dt.date


def extra_dataset() -> dict[str, list[dict]]:
    return {
        "organisations": [
            {
                "ref": "ORG-CMO2",
                "name": "杭州远山制药有限公司",
                "uscc": valid_uscc("91330100MA1W0004X"),
                "province": "33",
                "is_cmo": True,
            }
        ],
        "sites": [
            {"ref": "SITE-2", "organisation": "ORG-CMO2", "name": "二厂", "address": "杭州滨江1号", "province": "33"}
        ],
        "workshops": [{"ref": "WS-2", "site": "SITE-2", "name": "固体制剂车间"}],
        "lines": [
            {
                "ref": "LINE-2",
                "workshop": "WS-2",
                "name": "片剂线",
                "dosage_forms": "片剂",
                "sterile": False,
                "design_capacity": 10000,
                "capacity_unit": "万片/年",
            }
        ],
        "products": [
            {
                "ref": "P-3",
                "kind": "drug",
                "holder": "ORG-MAH2",
                "name": "阿莫西林片",
                "status": "marketed",
                "approval_number": "国药准字H32020003",
                "dosage_form": "片剂",
                "category": "h",
            }
        ],
        "line_products": [{"line": "LINE-2", "product": "P-3", "annual_volume": 3000}],
        "people": [
            {"ref": "PER-QP2", "organisation": "ORG-CMO2", "name": "赵子龙", "title": "质量受权人"},
            {"ref": "PER-M2QA", "organisation": "ORG-MAH2", "name": "钱多多", "title": "QA经理"},
        ],
        "appointments": [{"person": "PER-QP2", "role": "qp", "since": d(2020, 1, 1)}],
        "contracts": [
            {
                "ref": "CON-2",
                "number": "WT-2024-002",
                "mah": "ORG-MAH2",
                "cmo": "ORG-CMO2",
                "signed_on": d(2024, 2, 1),
                "effective_from": d(2024, 2, 10),
                "status": "in_force",
                "products": ["P-3"],
                "lines": ["LINE-2"],
            }
        ],
        "agreements": [{"ref": "QA-2", "contract": "CON-2", "document_version": "1.0", "status": "draft"}],
        "communications": [
            {
                "agreement": "QA-2",
                "category": "deviation",
                "mah_contact": "PER-M2QA",
                "cmo_contact": "PER-QP2",
                "channel": "email",
                "time_limit": 2,
                "time_unit": "working_days",
            }
        ],
    }


# username: (full name, role, organisation ref or province)
ACCOUNTS = {
    "mah.qa": ("李晓梅", Role.MAH_QA, "ORG-MAH"),
    "mah.viewer": ("刘洋", Role.MAH_VIEWER, "ORG-MAH"),
    "mah2.qa": ("赵磊", Role.MAH_QA, "ORG-MAH2"),
    "cmo.qa": ("孙丽", Role.CMO_QA, "ORG-CMO"),
    "cmo2.qa": ("周军", Role.CMO_QA, "ORG-CMO2"),
    "inspector.js": ("徐华", Role.INSPECTOR, "32"),
    "inspector.zj": ("何平", Role.INSPECTOR, "33"),
    "platform.admin": ("陈静", Role.PLATFORM_ADMIN, ""),
}


def build_world() -> dict:
    """Load the data and create the accounts; returns the users by username."""
    load_mini()
    registry_import(actor=SYSTEM, dataset=extra_dataset(), source="web tests")
    users = {}
    for username, (full_name, role, where) in ACCOUNTS.items():
        organisation = Organisation.objects.get(ref=where) if where.startswith("ORG") else None
        users[username] = user_create(
            actor=SYSTEM,
            username=username,
            full_name=full_name,
            email=f"{username}@example.invalid",
            password=PASSWORD,
            role=role,
            organisation=organisation,
            province=where if where.isdigit() else "",
            since=d(2024, 1, 1),
        )
    return users


def user(username: str):
    return get_user_model().objects.get(username=username)
