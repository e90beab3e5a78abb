"""The API tests' world: the mini dataset, a second CMO with its own line and contract, a technology
transfer and an evaluation, and one user (with a token) per viewpoint the tests take.

    ORG-MAH  ──CON-1──▶ ORG-CMO : P-1 on LINE-1 (shared with ORG-MAH2's P-2)
    ORG-MAH2 ──CON-2──▶ ORG-CMO2: P-3 on LINE-2
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser

from tests.exchange.dataset import SYSTEM, load_mini, valid_uscc
from weituo.accounts.services import user_create
from weituo.api.services import api_token_create
from weituo.core.roles import Role
from weituo.exchange.services import registry_import
from weituo.registry.models import Organisation

d = dt.date
PASSWORD = "Correct-horse-42"


def extra_dataset() -> dict[str, list[dict]]:
    return {
        "organisations": [
            {
                "ref": "ORG-CMO2",
                "name": "常州远山制药有限公司",
                "uscc": valid_uscc("91320400MA1W0005X"),
                "province": "32",
                "is_cmo": True,
            }
        ],
        "sites": [
            {"ref": "SITE-2", "organisation": "ORG-CMO2", "name": "二厂", "address": "常州新北区1号", "province": "32"}
        ],
        "workshops": [{"ref": "WS-2", "site": "SITE-2", "name": "固体制剂车间"}],
        "lines": [
            {
                "ref": "LINE-2",
                "workshop": "WS-2",
                "name": "片剂线",
                "dosage_forms": "片剂",
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
        "people": [{"ref": "PER-QP2", "organisation": "ORG-CMO2", "name": "赵敏", "title": "质量受权人"}],
        "appointments": [{"person": "PER-QP2", "role": "qp", "since": d(2020, 1, 1)}],
        "contracts": [
            {
                "ref": "CON-2",
                "number": "TT-2024-002",
                "mah": "ORG-MAH2",
                "cmo": "ORG-CMO2",
                "signed_on": d(2024, 2, 1),
                "effective_from": d(2024, 2, 15),
                "status": "in_force",
                "products": ["P-3"],
                "lines": ["LINE-2"],
            }
        ],
        "agreements": [
            {
                "ref": "QA-2",
                "contract": "CON-2",
                "document_version": "1.0",
                "status": "draft",
                "cmo_link_person": "PER-QP2",
            }
        ],
        "tech_transfers": [
            {"ref": "TT-1", "contract": "CON-1", "product": "P-1", "lead": "PER-QP", "started_on": d(2023, 9, 1)}
        ],
        "evaluations": [
            {
                "ref": "EVAL-1",
                "cmo": "ORG-CMO",
                "mah": "ORG-MAH",
                "products": ["P-1"],
                "evaluated_on": d(2023, 12, 1),
                "conclusion": "acceptable",
            }
        ],
    }


# username: (role, organisation ref or province code), full name
USERS: dict[str, tuple[str, str, str]] = {
    "li.mah": (Role.MAH_QA, "ORG-MAH", "李晓梅"),
    "sun.mahview": (Role.MAH_VIEWER, "ORG-MAH", "孙丽"),
    "zhou.mah2": (Role.MAH_QA, "ORG-MAH2", "周强"),
    "wang.cmo": (Role.CMO_QA, "ORG-CMO", "王建国"),
    "qian.cmoview": (Role.CMO_VIEWER, "ORG-CMO", "钱芳"),
    "zhao.cmo2": (Role.CMO_QA, "ORG-CMO2", "赵敏"),
    "wu.inspector": (Role.INSPECTOR, "32", "吴刚"),
    "zheng.admin": (Role.PLATFORM_ADMIN, "", "郑华"),
}


@dataclass
class World:
    users: dict[str, AbstractBaseUser]
    tokens: dict[str, str]  # username → the token's secret text

    def auth(self, username: str) -> dict[str, str]:
        """Headers of a request made with the user's token."""
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[username]}"}


def build_world() -> World:
    load_mini()
    registry_import(actor=SYSTEM, dataset=extra_dataset(), source="api tests")
    users, tokens = {}, {}
    for n, (username, (role, where, full_name)) in enumerate(USERS.items()):
        organisation = Organisation.objects.get(ref=where) if where.startswith("ORG") else None
        users[username] = user_create(
            actor=SYSTEM,
            username=username,
            full_name=full_name,
            email=f"user{n}@example.org",
            password=PASSWORD,
            role=role,
            organisation=organisation,
            province=where if organisation is None else "",
            since=d(2024, 1, 1),
        )
        tokens[username] = api_token_create(actor=SYSTEM, user=users[username], name="tests", days=30).secret
    return World(users=users, tokens=tokens)
