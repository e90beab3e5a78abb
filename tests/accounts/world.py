"""A small world for the visibility matrix, and what each viewpoint in it must see.

Jiangsu (32): MAH-A and MAH-B, both on the shared line L-SHARED of the CMO CMO-J, which also makes
Zhejiang's P-Z on its line L-J2. Zhejiang (33): MAH-Z, commissioning CMO-J (a cross-province
contract) and CMO-Z, which has its own line L-Z. Anhui (34) has no enterprise here at all.

    MAH-A ──C-A──▶ CMO-J: P-A on L-SHARED (1200)   ┐ the shared line
    MAH-B ──C-B──▶ CMO-J: P-B on L-SHARED (800)    ┘
    MAH-Z ──C-Z──▶ CMO-J: P-Z on L-J2 (500)          cross-province
    MAH-Z ──C-Z2─▶ CMO-Z: P-Z2 on L-Z (300)          Zhejiang only
"""

from __future__ import annotations

import datetime as dt

from tests.exchange.dataset import valid_uscc

d = dt.date

ORGS = {
    # ref: (name, province, USCC body, roles)
    "MAH-A": ("南京甲药业有限公司", "32", "91320100MA1W0011X", {"is_mah": True}),
    "MAH-B": ("无锡乙药业有限公司", "32", "91320200MA1W0012X", {"is_mah": True}),
    "CMO-J": ("苏州丙制药有限公司", "32", "91320500MA1W0013X", {"is_cmo": True}),
    "MAH-Z": ("杭州丁药业有限公司", "33", "91330100MA1W0014X", {"is_mah": True}),
    "CMO-Z": ("宁波戊制药有限公司", "33", "91330200MA1W0015X", {"is_cmo": True}),
}
SITES = {"SITE-J": ("CMO-J", "32"), "SITE-Z": ("CMO-Z", "33")}
LINES = {"L-SHARED": "SITE-J", "L-J2": "SITE-J", "L-Z": "SITE-Z"}
PRODUCTS = {  # ref: (holder, line, annual volume, approval number)
    "P-A": ("MAH-A", "L-SHARED", 1200, "国药准字H32020101"),
    "P-B": ("MAH-B", "L-SHARED", 800, "国药准字H32020102"),
    "P-Z": ("MAH-Z", "L-J2", 500, "国药准字H33020103"),
    "P-Z2": ("MAH-Z", "L-Z", 300, "国药准字H33020104"),
}
CONTRACTS = {  # ref: (mah, cmo, product, line)
    "C-A": ("MAH-A", "CMO-J", "P-A", "L-SHARED"),
    "C-B": ("MAH-B", "CMO-J", "P-B", "L-SHARED"),
    "C-Z": ("MAH-Z", "CMO-J", "P-Z", "L-J2"),
    "C-Z2": ("MAH-Z", "CMO-Z", "P-Z2", "L-Z"),
}
AGREEMENT_OF = {c: f"QA-{c[2:]}" for c in CONTRACTS}  # C-A → QA-A
LICENCE_NUMBERS = {
    "MAH-A": "苏20200101",
    "MAH-B": "苏20200102",
    "CMO-J": "苏20160103",
    "MAH-Z": "浙20200104",
    "CMO-Z": "浙20160105",
}
INSPECTIONS = {"INSP-SHARED": ("CMO-J", "L-SHARED"), "INSP-J-FORM": ("CMO-J", None), "INSP-Z": ("CMO-Z", "L-Z")}
# Each organisation's QP (PER-<org>), and a member of CMO-J's staff without a key appointment.
STAFF = "PER-J-STAFF"


def world_dataset() -> dict[str, list[dict]]:
    data: dict[str, list[dict]] = {k: [] for k in ("organisations", "sites", "workshops", "lines", "products")}
    for ref, (name, province, body, roles) in ORGS.items():
        data["organisations"].append(
            {"ref": ref, "name": name, "uscc": valid_uscc(body), "province": province, **roles}
        )
    for ref, (org, province) in SITES.items():
        data["sites"].append(
            {"ref": ref, "organisation": org, "name": "一厂", "address": "工业园1号", "province": province}
        )
        data["workshops"].append({"ref": f"WS-{ref[5:]}", "site": ref, "name": "注射剂车间"})
    for ref, site in LINES.items():
        data["lines"].append(
            {
                "ref": ref,
                "workshop": f"WS-{site[5:]}",
                "name": ref,
                "dosage_forms": "小容量注射剂",
                "sterile": True,
                "design_capacity": 5000,
                "capacity_unit": "万支/年",
            }
        )
    for ref, (holder, _line, _volume, number) in PRODUCTS.items():
        data["products"].append(
            {
                "ref": ref,
                "kind": "drug",
                "holder": holder,
                "name": f"{ref} 注射液",
                "status": "marketed",
                "approval_number": number,
                "dosage_form": "小容量注射剂",
                "category": "h",
                "sterile": True,
            }
        )
    data["line_products"] = [
        {"line": line, "product": ref, "annual_volume": volume} for ref, (_h, line, volume, _n) in PRODUCTS.items()
    ]
    data["licences"] = [
        {
            "ref": f"LIC-{org}",
            "organisation": org,
            "kind": "drug",
            "number": number,
            "class_codes": "C" if org.startswith("CMO") else "B",
            "category_letters": "h",
            "issued_on": d(2021, 1, 1),
            "valid_until": d(2030, 12, 31),
        }
        for org, number in LICENCE_NUMBERS.items()
    ]
    data["licence_scopes"] = []
    for ref, (holder, line, _volume, _number) in PRODUCTS.items():
        site = LINES[line]
        cmo = SITES[site][0]
        data["licence_scopes"].append(
            {"licence": f"LIC-{holder}", "site": site, "class_code": "B", "scope": "小容量注射剂", "product": ref}
        )
        data["licence_scopes"].append(
            {
                "licence": f"LIC-{cmo}",
                "site": site,
                "class_code": "C",
                "scope": "小容量注射剂",
                "product": ref,
                "counterparty": holder,
                "entered_on": d(2024, 3, 1),
            }
        )
    data["people"] = [
        {"ref": f"PER-{org}", "organisation": org, "name": f"{org} 质量受权人", "title": "质量受权人"} for org in ORGS
    ]
    data["people"].append({"ref": STAFF, "organisation": "CMO-J", "name": "车间主任", "title": "车间主任"})
    data["appointments"] = [{"person": f"PER-{org}", "role": "qp", "since": d(2019, 6, 1)} for org in ORGS]
    data["experience"] = [
        {
            "person": f"PER-{org}",
            "employer": ORGS[org][0],
            "activity": "quality",
            "started_on": d(2015, 7, 1),
            "sterile": True,
        }
        for org in ORGS
    ]
    data["inspections"] = [
        {
            "ref": "INSP-SHARED",
            "organisation": "CMO-J",
            "line": "L-SHARED",
            "inspected_on": d(2024, 9, 10),
            "kind": "gmp_compliance",
            "conclusion": "compliant",
        },
        {  # a dosage-form inspection of CMO-J, about no line in particular
            "ref": "INSP-J-FORM",
            "organisation": "CMO-J",
            "dosage_form": "小容量注射剂",
            "inspected_on": d(2025, 3, 1),
            "kind": "gmp_compliance",
            "conclusion": "compliant",
        },
        {
            "ref": "INSP-Z",
            "organisation": "CMO-Z",
            "line": "L-Z",
            "inspected_on": d(2024, 10, 10),
            "kind": "gmp_compliance",
            "conclusion": "compliant",
        },
    ]
    data["contracts"] = [
        {
            "ref": ref,
            "number": f"WT-{ref}",
            "mah": mah,
            "cmo": cmo,
            "signed_on": d(2024, 1, 10),
            "effective_from": d(2024, 1, 15),
            "status": "in_force",
            "products": [product],
            "lines": [line],
        }
        for ref, (mah, cmo, product, line) in CONTRACTS.items()
    ]
    data["agreements"] = [
        {
            "ref": AGREEMENT_OF[ref],
            "contract": ref,
            "document_version": "1.0",
            "status": "draft",
            "cmo_link_person": f"PER-{cmo}",
        }
        for ref, (_mah, cmo, _p, _l) in CONTRACTS.items()
    ]
    data["communications"] = [
        {
            "agreement": AGREEMENT_OF[ref],
            "category": "deviation",
            "mah_contact": f"PER-{mah}",
            "cmo_contact": f"PER-{cmo}",
            "channel": "system",
            "time_limit": 1,
            "time_unit": "working_days",
        }
        for ref, (mah, cmo, _p, _l) in CONTRACTS.items()
    ]
    data["evaluations"] = [
        {
            "ref": "EVAL-J-A",
            "cmo": "CMO-J",
            "mah": "MAH-A",
            "products": ["P-A"],
            "evaluated_on": d(2023, 12, 1),
            "conclusion": "acceptable",
        }
    ]
    return data


# --- what each viewpoint must see ----------------------------------------------------------------
# A viewpoint is the side and the organisation (or province) a role is held in; every role of a side
# sees the same (roles differ in what they may do, not in what they may see).

EVERYTHING = "everything"


def _expected() -> dict[str, dict[str, set]]:
    everything = {
        "organisations": set(ORGS),
        "products": set(PRODUCTS),
        "lines": set(LINES),
        "line_products": {(line, p) for p, (_h, line, _v, _n) in PRODUCTS.items()},
        "contracts": set(CONTRACTS),
        "agreements": set(AGREEMENT_OF.values()),
        "people": {f"PER-{o}" for o in ORGS} | {STAFF},
        "experience": {f"PER-{o}" for o in ORGS},
        "inspections": set(INSPECTIONS),
        "evaluations": {"EVAL-J-A"},
        "licences": {f"LIC-{o}" for o in ORGS},
    }

    def mah(own: str, contracts: set[str]) -> dict[str, set]:
        cmos = {CONTRACTS[c][1] for c in contracts}
        products = {CONTRACTS[c][2] for c in contracts}
        lines = {CONTRACTS[c][3] for c in contracts}
        return {
            "organisations": {own} | cmos,
            "products": products,
            "lines": lines,
            "line_products": {(PRODUCTS[p][1], p) for p in products},
            "contracts": contracts,
            "agreements": {AGREEMENT_OF[c] for c in contracts},
            "people": {f"PER-{o}" for o in {own} | cmos},  # the counterparty's QP, not its staff
            "experience": {f"PER-{own}"},  # CVs: its own people only
            "inspections": {ref for ref, (_org, line) in INSPECTIONS.items() if line in lines},  # of its lines
            "evaluations": set(),
            "licences": {f"LIC-{o}" for o in {own} | cmos},
        }

    def cmo(own: str, contracts: set[str]) -> dict[str, set]:
        mahs = {CONTRACTS[c][0] for c in contracts}
        products = {CONTRACTS[c][2] for c in contracts}
        lines = {line for line, site in LINES.items() if SITES[site][0] == own}
        return {
            "organisations": {own} | mahs,
            "products": products,
            "lines": lines,
            "line_products": {(PRODUCTS[p][1], p) for p in products},
            "contracts": contracts,
            "agreements": {AGREEMENT_OF[c] for c in contracts},
            "people": {f"PER-{o}" for o in {own} | mahs} | ({STAFF} if own == "CMO-J" else set()),
            "experience": {f"PER-{own}"},
            "inspections": {ref for ref, (org, _line) in INSPECTIONS.items() if org == own},
            "evaluations": {"EVAL-J-A"} if own == "CMO-J" else set(),
            "licences": {f"LIC-{o}" for o in {own} | mahs},
        }

    nothing = {k: set() for k in everything}
    jiangsu = {
        # its enterprises and all under them, and the cross-province contract C-Z (CMO-J is in Jiangsu)
        "organisations": {"MAH-A", "MAH-B", "CMO-J", "MAH-Z"},
        "products": {"P-A", "P-B", "P-Z"},
        "lines": {"L-SHARED", "L-J2"},
        "line_products": {("L-SHARED", "P-A"), ("L-SHARED", "P-B"), ("L-J2", "P-Z")},
        "contracts": {"C-A", "C-B", "C-Z"},
        "agreements": {"QA-A", "QA-B", "QA-Z"},
        "people": {"PER-MAH-A", "PER-MAH-B", "PER-CMO-J", STAFF, "PER-MAH-Z"},
        "experience": {"PER-MAH-A", "PER-MAH-B", "PER-CMO-J"},
        "inspections": {"INSP-SHARED", "INSP-J-FORM"},
        "evaluations": {"EVAL-J-A"},
        "licences": {"LIC-MAH-A", "LIC-MAH-B", "LIC-CMO-J", "LIC-MAH-Z"},
    }
    zhejiang = {
        # its enterprises, and the cross-province contract C-Z with its product and line (not the
        # Jiangsu-only contracts, nor the other products of the line's CMO)
        "organisations": {"MAH-Z", "CMO-Z", "CMO-J"},
        "products": {"P-Z", "P-Z2"},
        "lines": {"L-J2", "L-Z"},
        "line_products": {("L-J2", "P-Z"), ("L-Z", "P-Z2")},
        "contracts": {"C-Z", "C-Z2"},
        "agreements": {"QA-Z", "QA-Z2"},
        "people": {"PER-MAH-Z", "PER-CMO-Z", "PER-CMO-J"},
        "experience": {"PER-MAH-Z", "PER-CMO-Z"},
        "inspections": {"INSP-Z"},
        "evaluations": set(),
        "licences": {"LIC-MAH-Z", "LIC-CMO-Z", "LIC-CMO-J"},
    }
    return {
        "mah:MAH-A": mah("MAH-A", {"C-A"}),
        "mah:MAH-B": mah("MAH-B", {"C-B"}),
        "mah:MAH-Z": mah("MAH-Z", {"C-Z", "C-Z2"}),
        "cmo:CMO-J": cmo("CMO-J", {"C-A", "C-B", "C-Z"}),
        "cmo:CMO-Z": cmo("CMO-Z", {"C-Z2"}),
        "regulator:32": jiangsu,
        "regulator:33": zhejiang,
        "regulator:34": nothing,
        EVERYTHING: everything,
    }


def _with_licence_scopes(expected: dict[str, set]) -> dict[str, set]:
    """A licence entry names a product and its MAH: seen when its licence and its product are."""
    scopes = set()
    for product, (holder, line, _v, _n) in PRODUCTS.items():
        scopes |= {(f"LIC-{holder}", product), (f"LIC-{SITES[LINES[line]][0]}", product)}
    seen = {(lic, p) for lic, p in scopes if lic in expected["licences"] and p in expected["products"]}
    return {**expected, "licence_scopes": seen}


EXPECTED = {viewpoint: _with_licence_scopes(e) for viewpoint, e in _expected().items()}
