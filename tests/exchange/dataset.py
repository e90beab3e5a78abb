"""A small, valid registry dataset written by hand: one MAH, one CMO with a shared line, a contract."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import uscc

from weituo.core.actors import system_actor

SYSTEM = system_actor("tests")


def valid_uscc(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


MAH_USCC = valid_uscc("91320100MA1W0001" + "X")
CMO_USCC = valid_uscc("91320500MA1W0002" + "X")
OTHER_MAH_USCC = valid_uscc("91320200MA1W0003" + "X")


def mini_dataset() -> dict[str, list[dict]]:
    d = dt.date
    return {
        "organisations": [
            {"ref": "ORG-MAH", "name": "南京康宁药业有限公司", "uscc": MAH_USCC, "province": "32", "is_mah": True},
            {"ref": "ORG-CMO", "name": "苏州华瑞制药有限公司", "uscc": CMO_USCC, "province": "32", "is_cmo": True},
            {
                "ref": "ORG-MAH2",
                "name": "无锡同泰药业有限公司",
                "uscc": OTHER_MAH_USCC,
                "province": "32",
                "is_mah": True,
            },
        ],
        "sites": [
            {
                "ref": "SITE-1",
                "organisation": "ORG-CMO",
                "name": "一厂",
                "address": "苏州工业园区星湖街1号",
                "province": "32",
            }
        ],
        "workshops": [{"ref": "WS-1", "site": "SITE-1", "name": "注射剂车间"}],
        "lines": [
            {
                "ref": "LINE-1",
                "workshop": "WS-1",
                "name": "小容量注射剂线",
                "dosage_forms": "小容量注射剂",
                "sterile": True,
                "design_capacity": 5000,
                "capacity_unit": "万支/年",
                "last_commercial_production": d(2026, 10, 1),
            }
        ],
        "products": [
            {
                "ref": "P-1",
                "kind": "drug",
                "holder": "ORG-MAH",
                "name": "盐酸利多卡因注射液",
                "status": "marketed",
                "approval_number": "国药准字H32020001",
                "dosage_form": "小容量注射剂",
                "strength": "5ml:0.1g",
                "category": "h",
                "sterile": True,
                "high_risk": True,
            },
            {
                "ref": "P-2",
                "kind": "drug",
                "holder": "ORG-MAH2",
                "name": "维生素C注射液",
                "status": "marketed",
                "approval_number": "国药准字H32020002",
                "dosage_form": "小容量注射剂",
                "strength": "2ml:0.5g",
                "category": "h",
                "sterile": True,
            },
        ],
        "line_products": [
            {"line": "LINE-1", "product": "P-1", "annual_volume": 1200},
            {"line": "LINE-1", "product": "P-2", "annual_volume": 800},
        ],
        "licences": [
            {
                "ref": "LIC-MAH",
                "organisation": "ORG-MAH",
                "kind": "drug",
                "number": "苏20200001",
                "class_codes": "B",
                "category_letters": "h",
                "issued_on": d(2020, 5, 1),
                "valid_until": d(2030, 4, 30),
            },
            {
                "ref": "LIC-CMO",
                "organisation": "ORG-CMO",
                "kind": "drug",
                "number": "苏20160002",
                "class_codes": "AC",
                "category_letters": "h",
                "issued_on": d(2021, 1, 1),
                "valid_until": d(2025, 12, 31),
            },
        ],
        "licence_scopes": [
            {"licence": "LIC-MAH", "site": "SITE-1", "class_code": "B", "scope": "小容量注射剂", "product": "P-1"},
            {
                "licence": "LIC-CMO",
                "site": "SITE-1",
                "class_code": "C",
                "scope": "小容量注射剂",
                "product": "P-1",
                "counterparty": "ORG-MAH",
                "entered_on": d(2024, 3, 1),
            },
        ],
        "people": [
            {"ref": "PER-QP", "organisation": "ORG-CMO", "name": "王建国", "title": "质量受权人"},
            {"ref": "PER-MQA", "organisation": "ORG-MAH", "name": "李晓梅", "title": "QA经理"},
        ],
        "appointments": [{"person": "PER-QP", "role": "qp", "since": d(2019, 6, 1)}],
        "experience": [
            {
                "person": "PER-QP",
                "employer": "苏州华瑞制药有限公司",
                "activity": "quality",
                "started_on": d(2015, 7, 1),
                "sterile": True,
            }
        ],
        "inspections": [
            {
                "ref": "INSP-1",
                "organisation": "ORG-CMO",
                "line": "LINE-1",
                "inspected_on": d(2024, 9, 10),
                "kind": "gmp_compliance",
                "conclusion": "compliant",
                "notice_number": "苏GMP2024-031",
            }
        ],
        "contracts": [
            {
                "ref": "CON-1",
                "number": "WT-2024-001",
                "mah": "ORG-MAH",
                "cmo": "ORG-CMO",
                "signed_on": d(2024, 1, 10),
                "effective_from": d(2024, 1, 15),
                "expires_on": d(2029, 1, 14),
                "status": "in_force",
                "products": ["P-1"],
                "lines": ["LINE-1"],
            }
        ],
        "agreements": [
            {
                "ref": "QA-1",
                "contract": "CON-1",
                "document_version": "1.0",
                "signed_on": d(2024, 1, 10),
                "effective_from": d(2024, 1, 15),
                "status": "in_force",
                "mah_may_consult_records": True,
                "mah_may_visit_sites": True,
                "cmo_link_person": "PER-QP",
                "retained_samples_party": "both",
                "stability_party": "cmo",
                "electronic_data_exchange": False,
                "last_annual_review": d(2026, 1, 20),
            }
        ],
        "responsibilities": [
            {"agreement": "QA-1", "activity": "release_testing", "party": "cmo"},
            {"agreement": "QA-1", "activity": "revalidation", "party": "cmo", "period_months": 36},
        ],
        "communications": [
            {
                "agreement": "QA-1",
                "category": "deviation",
                "mah_contact": "PER-MQA",
                "cmo_contact": "PER-QP",
                "channel": "system",
                "time_limit": 1,
                "time_unit": "working_days",
            }
        ],
    }


def load_mini() -> None:
    """Store the mini dataset through the import service (the one bulk write path)."""
    from weituo.exchange.services import registry_import

    registry_import(actor=SYSTEM, dataset=mini_dataset(), source="tests")
