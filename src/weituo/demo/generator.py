"""A reproducible synthetic province (or nation) of MAHs, contract manufacturers and device companies.

``build_dataset(seed=…, size=…, as_of=…)`` returns the exchange dataset — sheet name → rows keyed by
model field name, foreign keys as the referenced record's ``ref``, many-to-many fields as lists of
refs — that ``weituo.exchange.services.registry_import`` loads. The same seed, size and date give
byte-identical output: every random draw comes from one ``random.Random(seed)`` and one Faker
seeded with the same seed; nothing reads the clock or the global random state.

Sizes:

* ``small``: about 5 MAHs, 2 CMOs, 20 products — for fast tests;
* ``province`` (default): a Jiangsu-like province (code 32, licences 苏…): about 40 MAHs, half of
  them "pure B" (no site of their own), 15 CMOs with shared lines, device registrants and device
  CMOs, two groups, a few MAHs of other provinces commissioning Jiangsu CMOs, about 300 products;
* ``national``: about 8,000 organisations across the 31 provinces and the XPCC, 100,000 products.

The data is realistic on purpose and deficient on purpose. Quality agreements are made deficient in
the ways the Jiangsu study (Zuo & Li, Jiangsu MPA) found — copied templates, unassigned
responsibilities, a communication list without the art. 7 categories, without time limits, no
annual review, no consult/visit rights for the MAH (art. 6), no CMO link person (art. 6), no agreed
definition of the production date — in the fixed proportions of ``AGREEMENT_DEFICIENCY_RATES``.
Each deficient agreement says so in its ``notes``, first line ``DEMO-DEFICIENCIES: kind, kind…`` (the kinds hyphenated)
(see ``agreement_deficiencies``); the other in-force agreements are complete. Other records are
deficient too — CMO key persons short of art. 17's experience, idle lines (art. 18), stale or
non-compliant inspections, lines over capacity, incomplete technology transfers, contracts without
the CMO's evaluation, scopes kept after termination, a commissioned device of the prohibited
catalogue. ``generate(...).catalogue`` lists every deliberate deficiency of every kind
(``DEFICIENCY_KINDS``) as ``{"ref": …, "detail": …}``, the ref naming the record concerned
(agreement, person, line, inspection, contract, transfer, evaluation or product). Every kind occurs
at least once in the province; the catalogue is exact (what it does not list is not deficient in
that way), which the tests check against the data itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal

from faker import Faker
from stdnum.cn import uscc as stdnum_uscc

from weituo.contracts.choices import ART7_CATEGORIES
from weituo.registry.provinces import ABBREVIATION
from weituo.registry.provinces import CHINESE as PROVINCE_NAMES

from .catalogues import (
    CITIES,
    CMO_PROFILES,
    CODE_NAMED_FORMS,
    COMMUNICATION_LIMITS,
    DEVICE_PROFILES,
    DEVICES,
    GENERICS,
    LINE_TYPES,
    OWN_PLANT_PROFILES,
    PRODUCTION_DATE_DEFINITIONS,
    PROVINCE_WEIGHTS,
    RESPONSIBILITIES,
    ZONES,
    DeviceEntry,
    Generic,
    LineType,
)

AS_OF = date(2026, 11, 22)
SIZES = ("small", "province", "national")
SHEET_NAMES = (
    "groups", "organisations", "sites", "workshops", "lines", "products", "line_products", "certificates",
    "licences", "licence_scopes", "people", "appointments", "experience", "enterprise_experience", "inspections",
    "contracts",
    "agreements", "responsibilities", "communications", "resident_staff", "tech_transfers", "evaluations",
)  # fmt: skip
DEFICIENCY_MARK = "DEMO-DEFICIENCIES:"
# How the notes of a deficient agreement name what it lacks (data in Chinese: the generator runs
# without Django, so it cannot ask the catalogue for the choices' labels).
DEMO_WORDS = {
    "material_purchasing": "物料采购",
    "revalidation": "再验证",
    "stability": "持续稳定性考察",
    "retention": "留样",
    "supplier_audit": "供应商审计",
    "deviation": "偏差",
    "change": "变更",
    "oos_oot": "检验结果超标/超趋势",
    "validation": "确认与验证",
    "retention_stability": "留样及稳定性考察",
    "pharmacovigilance": "药物警戒",
    "regulatory_inspection": "监督检查",
    "credit_record": "不良信用记录",
}
ART7 = tuple(c.value for c in ART7_CATEGORIES)

# Share of the eligible quality agreements (in force) made deficient in each way; at least one each.
AGREEMENT_DEFICIENCY_RATES: dict[str, float] = {
    "copied_template": 0.15,
    "unassigned_responsibility": 0.12,
    "missing_communication_categories": 0.12,
    "no_time_limit": 0.10,
    "no_annual_review": 0.12,
    "no_access_rights": 0.08,
    "no_cmo_link_person": 0.08,
    "no_production_date_definition": 0.08,
    "sterile_without_resident_staff": 0.10,
}

DEFICIENCY_KINDS: dict[str, str] = {
    # quality agreements (marked in notes)
    "copied_template": "质量协议照搬模板：职责分工和沟通清单抄自另一协议，联系人属于其他企业 / "
    "responsibility matrix and communication list copied from another agreement, contacts of other companies (Jiangsu study; art. 15)",
    "unassigned_responsibility": "职责未明确（物料采购、再验证等） / activities left unassigned (Jiangsu study)",
    "missing_communication_categories": "沟通清单缺少第七条规定的事项 / communication list lacks art. 7 categories",
    "no_time_limit": "沟通事项未约定时限（仅口头告知） / communication items without time limit (art. 7)",
    "no_annual_review": "超过一年未审核质量协议 / no annual review of the agreement for over a year",
    "no_access_rights": "未约定持有人查阅记录或查看场所的权利 / MAH's right to consult records or visit sites missing (art. 6)",
    "no_cmo_link_person": "未明确受托方质量体系衔接负责人 / no CMO link person (art. 6)",
    "no_production_date_definition": "未约定生产日期确定方式 / production date definition not agreed (Jiangsu study)",
    "sterile_without_resident_staff": "无菌药品委托生产未约定驻厂人员 / sterile product without MAH resident staff (art. 5)",
    "agreement_outlasts_certificate": "器械质量协议有效期超过注册证或生产许可证 / device agreement outlasts the certificate or licence (device notice art. 4)",
    "implantable_without_resident_staff": "植入性器械委托生产未派驻人员 / implantable device without resident staff (device notice art. 3)",
    # other records (listed in the catalogue only)
    "key_person_short_experience": "受托方关键人员不足五年或无菌不足三年经验 / CMO key person short of 5 years or 3 sterile years (art. 17)",
    "key_person_no_same_type_experience": "受托方关键人员缺少中药注射剂/多组分生化药三年经验 / no 3 years with TCM injections or multi-component biochemicals (art. 17)",
    "idle_sterile_line": "无菌生产线超过三年未商业化生产 / sterile line idle for over 3 years (art. 18)",
    "idle_line": "非无菌生产线超过五年未商业化生产 / other line idle for over 5 years (art. 18)",
    "stale_inspection": "生产线最近一次GMP符合性检查过旧（无菌>3年，其他>5年） / last GMP inspection of a line too old (annex 1)",
    "non_compliant_inspection": "最近一次检查结论为不符合要求 / latest inspection non-compliant",
    "line_over_capacity": "共线品种计划产量超过设计产能 / planned volumes exceed the line's design capacity (art. 8)",
    "tech_transfer_incomplete": "已上市品种技术转移未完成 / technology transfer of a marketed product incomplete (art. 4)",
    "contract_without_evaluation": "受托方未对持有人及品种评估 / no evaluation of the MAH before signing (art. 3)",
    "evaluation_incomplete": "评估内容不全 / evaluation misses required topics (art. 3)",
    "no_commercial_batch_in_cycle": "再注册周期内未放行商业规模批次 / no commercial batch released within the re-registration cycle (art. 18)",
    "terminated_scope_retained": "终止委托后超过6个月未核减生产范围 / scope not removed 6 months after termination (art. 20)",
    "prohibited_device_commissioned": "禁止委托生产目录中的器械被委托生产 / device of the prohibited catalogue commissioned (device notice art. 3)",
}


def _electronic(rng: random.Random) -> dict[str, bool]:
    """The three electronic conditions of an agreement, from one draw (so the rest of a seed's
    demo stays as it was): about 30 % record production and testing electronically and exchange the
    data with the MAH; half of those manage materials electronically too (art. 17 item 3)."""
    draw = rng.random()
    return {
        "electronic_production_records": draw < 0.3,
        "electronic_data_exchange": draw < 0.3,
        "electronic_material_management": draw < 0.15,
    }


def agreement_deficiencies(notes: str) -> list[str]:
    """The deliberate deficiency kinds a generated agreement's notes declare (first line)."""
    first = (notes or "").split("\n", 1)[0]
    if not first.startswith(DEFICIENCY_MARK):
        return []
    return [k.strip().replace("-", "_") for k in first[len(DEFICIENCY_MARK) :].split(",") if k.strip()]


# ---------------------------------------------------------------------------------------------
# sizes


@dataclass(frozen=True)
class Counts:
    pure_b: int = 0  # MAH with a B licence only, no site
    own_a: int = 0  # MAH making everything itself (A)
    own_ab: int = 0  # MAH with its own plant that also commissions (AB)
    cmo_c: int = 0  # CMO (C)
    cmo_ac: int = 0  # CMO that also holds products it makes itself (AC)
    registrant: int = 0  # device registrant commissioning only
    registrant_mfr: int = 0  # device registrant with its own plant
    device_cmo: int = 0


@dataclass(frozen=True)
class Spec:
    name: str
    home: str | None  # the province of a one-province world; None for the nation
    counts: Counts  # home counts, or national totals spread over provinces by PROVINCE_WEIGHTS
    externals: tuple[tuple[str, int], ...]  # (province, n) pure-B MAHs elsewhere commissioning home CMOs
    products: dict[str, tuple[int, int]]  # per organisation kind: (min, max) products held
    groups: int
    cross_province: float  # national: share of commissions placed in another province
    name_pool: int
    max_lines: int = 6  # lines of one CMO (an MAH's own plant: at most 4)


SPECS: dict[str, Spec] = {
    "small": Spec(
        "small",
        "32",
        Counts(pure_b=2, own_ab=1, cmo_c=1, cmo_ac=1, registrant=1, device_cmo=1),
        (("31", 1),),
        {"pure_b": (2, 4), "own_a": (6, 7), "own_ab": (6, 7), "cmo_ac": (2, 3), "registrant": (3, 3),
         "registrant_mfr": (3, 4), "external": (2, 2)},
        1,
        0.0,
        300,
        max_lines=3,
    ),
    "province": Spec(
        "province",
        "32",
        Counts(pure_b=20, own_a=5, own_ab=9, cmo_c=9, cmo_ac=6, registrant=3, registrant_mfr=1, device_cmo=2),
        (("31", 1), ("33", 2), ("11", 1), ("44", 1)),
        {"pure_b": (2, 6), "own_a": (8, 14), "own_ab": (8, 14), "cmo_ac": (3, 8), "registrant": (2, 4),
         "registrant_mfr": (3, 5), "external": (2, 4)},
        2,
        0.0,
        1500,
    ),
    "national": Spec(
        "national",
        None,
        Counts(pure_b=1500, own_a=1400, own_ab=2200, cmo_c=700, cmo_ac=1100, registrant=600, registrant_mfr=200,
               device_cmo=300),
        (),
        {"pure_b": (2, 6), "own_a": (8, 36), "own_ab": (8, 36), "cmo_ac": (4, 14), "registrant": (8, 24),
         "registrant_mfr": (10, 30), "external": (2, 4)},
        60,
        0.3,
        6000,
    ),
}  # fmt: skip

STAGES = (
    "organisations",
    "sites and lines",
    "products",
    "people",
    "contracts and agreements",
    "licences",
    "inspections",
    "deficiencies",
)


@dataclass
class DemoData:
    dataset: dict[str, list[dict]]
    catalogue: dict[str, list[dict]]  # deficiency kind → [{"ref": …, "detail": …}]


def build_dataset(
    *, seed: int = 1, size: str = "province", as_of: date = AS_OF, progress: Callable[[str], None] | None = None
) -> dict[str, list[dict]]:
    """The dataset of a synthetic province (or nation), ready for ``registry_import``."""
    return generate(seed=seed, size=size, as_of=as_of, progress=progress).dataset


def generate(
    *, seed: int = 1, size: str = "province", as_of: date = AS_OF, progress: Callable[[str], None] | None = None
) -> DemoData:
    """The dataset and the catalogue of its deliberate deficiencies. ``progress`` is called after each stage."""
    if size not in SPECS:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}")
    return _World(seed, SPECS[size], as_of, progress).build()


# ---------------------------------------------------------------------------------------------
# internal records


@dataclass(eq=False)
class _Person:
    ref: str
    org: _Org
    row: dict
    career_start: date | None = None


@dataclass(eq=False)
class _Line:
    ref: str
    org: _Org
    site_ref: str
    type: LineType
    row: dict
    state: str  # active, new (no commercial production yet), idle
    products: list = field(default_factory=list)  # [_Product]
    volumes: list = field(default_factory=list)  # planned annual volume of each product (or None)
    stale: tuple[float, float] | None = None  # years since the last inspection, when made stale on purpose


@dataclass(eq=False)
class _Product:
    ref: str
    holder: _Org
    row: dict
    line_type: str
    lines: list = field(default_factory=list)  # [_Line]
    cmo: _Org | None = None
    entry: Generic | DeviceEntry | None = None
    cert: dict | None = None


@dataclass(eq=False)
class _Org:
    idx: int
    ref: str
    kind: str
    province: str
    city: str
    city_code: str
    home: bool
    external: bool = False
    row: dict = field(default_factory=dict)
    sites: list = field(default_factory=list)  # [(site ref, row)]
    lines: list = field(default_factory=list)  # [_Line]
    products: list = field(default_factory=list)  # [_Product] held
    people: list = field(default_factory=list)  # [_Person]
    key: dict = field(default_factory=dict)  # role → _Person
    qa: list = field(default_factory=list)  # QA contacts
    residents: list = field(default_factory=list)
    link: _Person | None = None
    tt_lead: _Person | None = None
    cmos: list = field(default_factory=list)  # preferred CMOs of an MAH
    licence: dict | None = None
    device_licence: dict | None = None
    domain: str = ""
    needs: dict = field(default_factory=dict)  # art. 17 needs of a CMO: sterile, tcm_injection, multicomponent
    group_unified: bool = False
    mah_qa: list = field(default_factory=list)  # the MAH's (or registrant's) QA people
    device_licence_valid: date | None = None

    @property
    def is_mah(self) -> bool:
        return self.kind in ("pure_b", "own_a", "own_ab", "cmo_ac")

    @property
    def is_cmo(self) -> bool:
        return self.kind in ("cmo_c", "cmo_ac")

    @property
    def is_device(self) -> bool:
        return self.kind in ("registrant", "registrant_mfr", "device_cmo")

    @property
    def line_types(self) -> list[str]:
        return [ln.type.key for ln in self.lines]


@dataclass(eq=False)
class _Contract:
    ref: str
    mah: _Org
    cmo: _Org
    products: list
    lines: list
    row: dict
    agreements: list = field(default_factory=list)  # [_Agreement]
    retain_scope: bool = False  # terminated, yet still on the licences (art. 20)
    reported: bool = False


@dataclass(eq=False)
class _Agreement:
    ref: str
    contract: _Contract
    row: dict
    responsibilities: list
    communications: list
    residents: list
    kinds: list = field(default_factory=list)
    details: list = field(default_factory=list)
    device_limit: date | None = None  # devices: the agreement may not outlast this date


def _org_code(digits: str) -> str:
    """A GB 11714 organisation code: 8 characters and their check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return digits + {10: "X", 11: "0"}.get(check, str(check))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _production_address(org: _Org, *, commissioned: bool) -> str:
    if not org.sites:
        return ""
    address = org.sites[0][1]["address"]
    return f"{address}（委托生产）" if commissioned else address


def _short_city(city: str) -> str:
    for suffix in ("回族自治州", "新区", "市", "区"):
        if city.endswith(suffix) and len(city) > len(suffix) + 1:
            return city[: -len(suffix)]
    return city


ROLE_TITLES = {
    "head_of_enterprise": "总经理",
    "legal_representative": "董事长",
    "head_of_production": "生产负责人",
    "head_of_quality": "质量负责人",
    "qp": "质量受权人",
}
KEY_ROLES = tuple(ROLE_TITLES)
TECHNICAL_ROLES = ("head_of_production", "head_of_quality", "qp")
ORG_NAME_PATTERNS = {
    "pure_b": ("{c}{p}生物医药有限公司", "{c}{p}医药科技有限公司", "{p}药业（{c}）有限公司", "{c}{p}新药研究有限公司"),
    "own": ("{c}{p}制药股份有限公司", "{c}{p}药业有限公司", "{c}{p}制药有限公司", "{c}{p}药业股份有限公司"),
    "cmo": ("{c}{p}制药有限公司", "{c}{p}生物制药有限公司", "{p}医药技术（{c}）有限公司", "{c}{p}药业股份有限公司"),
    "device": ("{c}{p}医疗器械有限公司", "{c}{p}医疗科技有限公司", "{c}{p}生物材料有限公司"),
}
NAME_FAMILY = {
    "pure_b": "pure_b",
    "own_a": "own",
    "own_ab": "own",
    "cmo_c": "cmo",
    "cmo_ac": "cmo",
    "registrant": "device",
    "registrant_mfr": "device",
    "device_cmo": "device",
}
EXTRA_WORDS = "康华瑞德宁泰恒信安诚正元和益健嘉"
TRANSFER_STEPS = (
    "plan_reviewed_on",
    "equipment_qualified_on",
    "cleaning_validated_on",
    "analytical_validated_on",
    "process_validated_on",
    "shared_line_assessed_on",
    "report_reviewed_on",
    "master_documents_approved_on",
)


class _World:
    def __init__(self, seed: int, spec: Spec, as_of: date, progress: Callable[[str], None] | None) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.spec = spec
        self.as_of = as_of
        self.progress = progress or (lambda stage: None)
        self.rows: dict[str, list[dict]] = {name: [] for name in SHEET_NAMES}
        self.catalogue: dict[str, list[dict]] = {kind: [] for kind in DEFICIENCY_KINDS}
        self._pools(seed)
        self.orgs: list[_Org] = []
        self.lines: list[_Line] = []
        self.products: list[_Product] = []
        self.contracts: list[_Contract] = []
        self.agreements: list[_Agreement] = []
        self.commissions: list[tuple[_Product, _Org, _Line]] = []
        self.used_names: set[str] = set()
        self.used_uscc: set[str] = set()
        self.used_approvals: set[str] = set()
        self.used_codes: set[str] = set()
        self.used_domains: set[str] = set()
        self.used_licence_numbers: set[tuple[str, int, int]] = set()
        self.cert_seq = 0
        self.used_certificates: set[str] = set()
        self.inspection_seq = 0
        self.product_seq = 0
        self.cmo_index: dict[tuple[str, str], list[_Org]] = {}  # (province or "*", line type) → CMOs
        self.person_counter: dict[str, int] = {}
        self.finished_transfers: list[tuple[dict, _Product]] = []  # marketed products, contract in force

    # -- pools drawn once from Faker, then sampled with the seeded Random ------------------------

    def _pools(self, seed: int) -> None:
        fk = Faker("zh_CN")
        fk.seed_instance(seed)
        n = self.spec.name_pool
        self.names = [fk.name() for _ in range(n)]
        prefixes: list[str] = []
        for _ in range(400):
            p = fk.company_prefix()
            if p not in prefixes and "公司" not in p and 2 <= len(p) <= 4:
                prefixes.append(p)
        self.prefixes = prefixes
        self.streets = list(dict.fromkeys(fk.street_name() for _ in range(200)))
        self.user_names = list(dict.fromkeys(fk.user_name() for _ in range(max(200, n // 4))))
        self.domain_words = [
            w
            for w in dict.fromkeys(fk.domain_word() for _ in range(400))
            if w.isascii() and w.isalpha() and len(w) >= 3
        ]

    # -- helpers ---------------------------------------------------------------------------------

    def ago(self, lo_days: int, hi_days: int) -> date:
        return self.as_of - timedelta(days=self.rng.randint(lo_days, hi_days))

    def years_ago(self, lo: float, hi: float) -> date:
        return self.as_of - timedelta(days=int(self.rng.uniform(lo, hi) * 365.25))

    def step(self, d: date, lo: int, hi: int) -> date:
        return d + timedelta(days=self.rng.randint(lo, hi))

    def report(self, kind: str, ref: str, detail: str) -> None:
        self.catalogue[kind].append({"ref": ref, "detail": detail})

    def sample_count(self, rate: float, n: int) -> int:
        return min(n, max(1, round(rate * n))) if n else 0

    def build(self) -> DemoData:
        self.make_organisations()
        self.progress("organisations")
        self.make_plants()
        self.progress("sites and lines")
        self.make_products()
        self.progress("products")
        self.make_people()
        self.progress("people")
        self.make_contracts()
        self.progress("contracts and agreements")
        self.make_licences()
        self.progress("licences")
        self.make_inspections()
        self.records_for_rules()
        self.progress("inspections")
        self.apply_agreement_deficiencies()
        self.emit_agreements()
        self.progress("deficiencies")
        return DemoData(dataset=self.rows, catalogue=dict(self.catalogue))

    # -- organisations -----------------------------------------------------------------------------

    def plan(self) -> list[tuple[str, str, bool]]:
        """(province, kind, home) for every organisation, in creation order."""
        spec = self.spec
        kinds = [f.name for f in fields(Counts)]
        plan: list[tuple[str, str, bool]] = []
        if spec.home:
            for kind in kinds:
                plan += [(spec.home, kind, True)] * getattr(spec.counts, kind)
            self.rng.shuffle(plan)
            for province, n in spec.externals:
                plan += [(province, "pure_b", False)] * n
            return plan
        provinces = list(PROVINCE_WEIGHTS)
        total_weight = sum(PROVINCE_WEIGHTS.values())
        for kind in kinds:
            total = getattr(spec.counts, kind)
            shares = [total * PROVINCE_WEIGHTS[p] / total_weight for p in provinces]
            counts = [int(s) for s in shares]
            order = sorted(range(len(provinces)), key=lambda i: (-(shares[i] - counts[i]), i))
            for i in order[: total - sum(counts)]:
                counts[i] += 1
            for p, n in zip(provinces, counts, strict=True):
                plan += [(p, kind, True)] * n
        self.rng.shuffle(plan)
        return plan

    def make_organisations(self) -> None:
        for i, (province, kind, home) in enumerate(self.plan(), start=1):
            city, code = self.rng.choice(CITIES[province])
            org = _Org(i, f"ORG-{i:04d}", kind, province, city, code, home=home, external=not home)
            org.row = {
                "ref": org.ref,
                "name": self.company_name(kind, city),
                "uscc": self.uscc(code),
                "province": province,
                "address": self.address(province, city),
                "is_mah": org.is_mah,
                "is_cmo": org.is_cmo,
                "is_registrant": kind in ("registrant", "registrant_mfr"),
                "is_device_cmo": kind == "device_cmo",
                "is_testing_lab": False,
                "group": None,
            }
            org.domain = self.domain()
            self.orgs.append(org)
            self.rows["organisations"].append(org.row)
        self.make_groups()

    def company_name(self, kind: str, city: str) -> str:
        patterns = ORG_NAME_PATTERNS[NAME_FAMILY[kind]]
        c = _short_city(city)
        for attempt in range(40):
            p = self.rng.choice(self.prefixes)
            if attempt >= 10:
                p += self.rng.choice(EXTRA_WORDS)
            if attempt >= 25:
                p += self.rng.choice(EXTRA_WORDS)
            name = self.rng.choice(patterns).format(c=c, p=p)
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        name = f"{c}{self.rng.choice(self.prefixes)}{len(self.used_names)}号药业有限公司"
        self.used_names.add(name)
        return name

    def uscc(self, division: str) -> str:
        while True:
            body = "91" + division + _org_code(f"{self.rng.randrange(10**8):08d}")
            value = body + stdnum_uscc.calc_check_digit(body)
            if value not in self.used_uscc:
                self.used_uscc.add(value)
                return value

    def address(self, province: str, city: str) -> str:
        zone = "" if city.endswith("区") else self.rng.choice(ZONES)
        return f"{PROVINCE_NAMES[province]}{city}{zone}{self.rng.choice(self.streets)}{self.rng.randint(1, 999)}号"

    def domain(self) -> str:
        for _ in range(10):
            d = f"{self.rng.choice(self.domain_words)}.com.cn"
            if d not in self.used_domains:
                self.used_domains.add(d)
                return d
        d = f"{self.rng.choice(self.domain_words)}{len(self.used_domains)}.com.cn"
        self.used_domains.add(d)
        return d

    def make_groups(self) -> None:
        """Groups of related companies; the first runs one quality system (arts. 3, 11, 17), others alternate."""
        by_province: dict[str, dict[str, list[_Org]]] = {}
        for org in self.orgs:
            if org.home and not org.is_device:
                by_province.setdefault(org.province, {}).setdefault(org.kind, []).append(org)
        provinces = list(by_province)
        for g in range(1, self.spec.groups + 1):
            province = self.spec.home or provinces[(g - 1) % len(provinces)]
            pool = by_province[province]
            cmos = [o for o in pool.get("cmo_ac", []) + pool.get("cmo_c", []) if o.row["group"] is None]
            mahs = [o for k in ("own_ab", "own_a", "pure_b") for o in pool.get(k, []) if o.row["group"] is None]
            if not cmos or not mahs:
                continue
            unified = g % 2 == 1 or self.rng.random() < 0.5
            ref = f"GRP-{g:02d}"
            name = f"{self.rng.choice(self.prefixes)}医药集团有限公司"
            while name in self.used_names:
                name = f"{self.rng.choice(self.prefixes)}{self.rng.choice(EXTRA_WORDS)}医药集团有限公司"
            self.used_names.add(name)
            self.rows["groups"].append({"ref": ref, "name": name, "unified_qms": unified})
            own = [o for o in mahs if o.kind != "pure_b"]
            pure = [o for o in mahs if o.kind == "pure_b"]
            members = [cmos[0], *own[: 2 if g == 1 and len(own) > 2 else 1], *pure[:1]]
            for org in members:
                org.row["group"] = ref
                org.group_unified = unified

    # -- sites, workshops, lines ---------------------------------------------------------------------

    def make_plants(self) -> None:
        home_cmo = home_device_cmo = 0
        for org in self.orgs:
            if org.kind in ("cmo_c", "cmo_ac"):
                if self.spec.home:
                    profile = CMO_PROFILES[home_cmo % len(CMO_PROFILES)]
                    home_cmo += 1
                else:
                    profile = self.rng.choice(CMO_PROFILES)
                n_lines = self.rng.randint(2, self.spec.max_lines)
                n_sites = min(n_lines, self.rng.choice((1, 1, 2, 3)))
            elif org.kind in ("own_a", "own_ab"):
                profile = self.rng.choice(OWN_PLANT_PROFILES)
                n_lines = self.rng.randint(len(profile), max(len(profile), min(4, self.spec.max_lines - 1)))
                n_sites = self.rng.choice((1, 1, 1, 2)) if n_lines > 1 else 1
            elif org.kind == "device_cmo":
                profile = DEVICE_PROFILES[home_device_cmo % len(DEVICE_PROFILES)]
                home_device_cmo += 1
                n_lines = self.rng.randint(2, 3)
                n_sites = 1
            elif org.kind == "registrant_mfr":
                profile = self.rng.choice(DEVICE_PROFILES)
                n_lines = self.rng.randint(1, 2)
                n_sites = 1
            else:
                continue
            types = list(profile[:n_lines])
            while len(types) < n_lines:
                types.append(self.rng.choice(profile))
            self.build_plant(org, types, n_sites)
        self.mark_idle_lines()
        for org in self.orgs:
            if org.is_cmo or org.kind == "device_cmo":
                for t in dict.fromkeys(org.line_types):
                    self.cmo_index.setdefault((org.province, t), []).append(org)
                    self.cmo_index.setdefault(("*", t), []).append(org)

    def build_plant(self, org: _Org, types: list[str], n_sites: int) -> None:
        per_site: list[list[str]] = [[] for _ in range(n_sites)]
        for i, t in enumerate(types):
            per_site[i % n_sites].append(t)
        seen_types: set[str] = set()
        for s, site_types in enumerate(per_site, start=1):
            site_ref = f"SITE-{org.idx:04d}-{s}"
            city, _code = self.rng.choice(CITIES[org.province]) if s > 1 else (org.city, org.city_code)
            site_row = {
                "ref": site_ref,
                "organisation": org.ref,
                "name": f"{'一二三四'[s - 1]}厂区（{_short_city(city)}）",
                "address": self.address(org.province, city),
                "province": org.province,
            }
            self.rows["sites"].append(site_row)
            org.sites.append((site_ref, site_row))
            workshops: dict[str, str] = {}
            for line_no, t in enumerate(site_types, start=1):
                lt = LINE_TYPES[t]
                if t not in workshops:
                    w = len(workshops) + 1
                    workshops[t] = f"WS-{org.idx:04d}-{s}-{w}"
                    self.rows["workshops"].append({"ref": workshops[t], "site": site_ref, "name": lt.workshop})
                same = sum(1 for ln in org.lines if ln.type.key == t) + 1
                # the first line of a type produces; a second one may be new (no commercial production yet)
                state = "active" if t not in seen_types else self.rng.choice(("active", "active", "new"))
                seen_types.add(t)
                since = None if state == "new" else self.years_ago(2, 22)
                last = None if state == "new" else self.ago(1, 45)
                if since and last and last < since:
                    last = since
                line = _Line(
                    f"LINE-{org.idx:04d}-{s}-{line_no}",
                    org,
                    site_ref,
                    lt,
                    {
                        "ref": f"LINE-{org.idx:04d}-{s}-{line_no}",
                        "workshop": workshops[t],
                        "name": f"{lt.label}{same}号线",
                        "dosage_forms": "、".join(lt.dosage_forms),
                        "sterile": lt.sterile,
                        "design_capacity": Decimal(self.rng.randint(*lt.capacity)),
                        "capacity_unit": lt.unit,
                        "commercial_since": since,
                        "last_commercial_production": last,
                    },
                    state,
                )
                org.lines.append(line)
                self.lines.append(line)
                self.rows["lines"].append(line.row)

    def mark_idle_lines(self) -> None:
        """Some CMO lines have not produced commercially for years (art. 18): sterile > 3, others > 5.

        Only a second (or later) line of a type may stand idle, so the CMO still makes that type.
        """
        for sterile, years, kind in ((True, 3, "idle_sterile_line"), (False, 5, "idle_line")):
            pool = []
            for org in self.orgs:
                if not (org.is_cmo and org.home):
                    continue
                for t in dict.fromkeys(org.line_types):
                    same = [ln for ln in org.lines if ln.type.key == t]
                    pool += [ln for ln in same[1:] if ln.state == "active" and ln.type.sterile == sterile]
            if not pool:
                pool = self.add_spare_lines(sterile)
            k = self.sample_count(0.05 if self.spec.home is None else 0.12, len(pool))
            for ln in self.rng.sample(pool, k):
                ln.state = "idle"
                last = self.years_ago(years + 0.2, years + 2.5)
                ln.row["last_commercial_production"] = last
                ln.row["commercial_since"] = min(ln.row["commercial_since"] or last, last - timedelta(days=900))
                self.report(kind, ln.ref, f"{ln.type.label}线最近商业化生产 {last.isoformat()}")

    def add_spare_lines(self, sterile: bool) -> list[_Line]:
        """A second line of a type at a home CMO, so that one can stand idle."""
        for org in self.orgs:
            if not (org.is_cmo and org.home):
                continue
            for ln in org.lines:
                if ln.type.sterile == sterile and not ln.type.device:
                    before = len(org.lines)
                    site_no = int(ln.site_ref.rsplit("-", 1)[1])
                    self.append_line(org, ln, site_no)
                    return org.lines[before:]
        return []

    def append_line(self, org: _Org, like: _Line, site_no: int) -> None:
        lt = like.type
        n = sum(1 for ln in org.lines if ln.site_ref == like.site_ref) + 1
        same = sum(1 for ln in org.lines if ln.type.key == lt.key) + 1
        ref = f"LINE-{org.idx:04d}-{site_no}-{n}"
        since = self.years_ago(6, 15)
        line = _Line(
            ref,
            org,
            like.site_ref,
            lt,
            {
                "ref": ref,
                "workshop": like.row["workshop"],
                "name": f"{lt.label}{same}号线",
                "dosage_forms": "、".join(lt.dosage_forms),
                "sterile": lt.sterile,
                "design_capacity": Decimal(self.rng.randint(*lt.capacity)),
                "capacity_unit": lt.unit,
                "commercial_since": since,
                "last_commercial_production": self.ago(1, 45),
            },
            "active",
        )
        org.lines.append(line)
        self.lines.append(line)
        self.rows["lines"].append(line.row)

    # -- products ---------------------------------------------------------------------------------

    def make_products(self) -> None:
        self.generics_by_line: dict[str, list[Generic]] = {}
        for g in GENERICS:
            self.generics_by_line.setdefault(g.line, []).append(g)
        self.devices_by_line: dict[str, list[DeviceEntry]] = {}
        for d in DEVICES:
            self.devices_by_line.setdefault(d.line, []).append(d)
        home_registrants = [o for o in self.orgs if o.kind in ("registrant", "registrant_mfr") and o.home]
        self.prohibited_quota = 1 if self.spec.home else max(1, len(home_registrants) // 40)
        for org in self.orgs:
            if org.kind in ("cmo_c", "device_cmo"):
                continue
            if org.is_device:
                self.device_products(org)
            else:
                self.drug_products(org)
        self.resume_idle_lines()
        self.set_volumes()

    def resume_idle_lines(self) -> None:
        """An idle line gets a new in-development product: the art. 18 case of resuming production."""
        for line in self.lines:
            if line.state != "idle" or line.products:
                continue
            # prefer a product already at this CMO; else one the MAH now moves here
            candidates = [
                (i, product, old)
                for i, (product, cmo, old) in enumerate(self.commissions)
                if old is not line
                and product.line_type == line.type.key
                and product.row["status"] == "in_development"
                and product.holder is not line.org
                and len(product.lines) == 1
            ]
            candidates.sort(key=lambda c: c[2].org is not line.org)
            if candidates:
                i, product, old = candidates[0]
                old.products.remove(product)
                product.lines = [line]
                product.cmo = line.org
                line.products.append(product)
                self.commissions[i] = (product, line.org, line)

    def cmo_types(self, org: _Org, device: bool = False) -> list[str]:
        """Line types offered by the CMOs an organisation may commission (its province's, or the home province's)."""
        province = self.spec.home or org.province
        if self.spec.home is None and self.rng.random() < self.spec.cross_province:
            province = "*"
        return [t for (p, t) in self.cmo_index if p == province and LINE_TYPES[t].device == device]

    def drug_products(self, org: _Org) -> None:
        rng = self.rng
        kind = "external" if org.external else org.kind
        n = rng.randint(*self.spec.products[kind])
        own_types = list(dict.fromkeys(ln.type.key for ln in org.lines if ln.state != "idle"))
        cmo_types = [t for t in self.cmo_types(org) if t in self.generics_by_line]
        if org.kind in ("pure_b",):
            n_marketed = min(n, rng.choices((0, 1, 2, 3, 4), (50, 20, 15, 10, 5))[0])
        elif org.external:
            n_marketed = max(1, n - 1)
        else:
            n_marketed = sum(1 for _ in range(n) if rng.random() < 0.9)
        taken: set[tuple[str, str]] = set()
        commissioned = 0
        for i in range(n):
            marketed = i < n_marketed
            if org.kind in ("own_a", "cmo_ac") or (org.kind == "own_ab" and rng.random() < 0.7 and own_types):
                types, made_here = own_types, True
            else:
                types, made_here = cmo_types, False
            if not types:
                types, made_here = (own_types, True) if own_types else (cmo_types, False)
            if not types:
                continue
            if org.kind == "own_ab" and i == n - 1 and commissioned == 0 and cmo_types:
                types, made_here = cmo_types, False  # an AB MAH commissions at least one product
            line_type = rng.choice(types)
            product = self.new_drug(org, line_type, marketed, made_here, taken)
            if product is None:
                continue
            if made_here:
                self.place(product, org)
            else:
                must = org.kind == "pure_b" and commissioned == 0 and i == n - 1
                if (marketed or must or rng.random() < 0.6) and self.commission(product, org):
                    commissioned += 1

    def new_drug(self, org: _Org, line_type: str, marketed: bool, made_here: bool, taken: set) -> _Product | None:
        rng = self.rng
        flags: list[str] = []
        if not marketed and rng.random() < 0.6 and any(f[1] == line_type for f in CODE_NAMED_FORMS):
            form, _lt, category, pattern = rng.choice([f for f in CODE_NAMED_FORMS if f[1] == line_type])
            code = self.code_name(org)
            name, strength, entry = pattern.format(code=code), "", None
            flags.append(rng.choice(("innovative", "innovative", "innovative", "improved_new_drug", "rare_disease")))
        else:
            pool = [
                g
                for g in self.generics_by_line.get(line_type, ())
                if not ("vaccine" in g.flags and not made_here) and any((g.name, s) not in taken for s in g.strengths)
            ]
            if not pool:
                return None
            entry = rng.choice(pool)
            strength = rng.choice([s for s in entry.strengths if (entry.name, s) not in taken])
            taken.add((entry.name, strength))
            name, form, category = entry.name, entry.form, entry.category
            flags += entry.flags
        lt = LINE_TYPES[line_type]
        sterile = lt.sterile
        if line_type == "biologic":
            flags.append("biologic")
        foreign = marketed and category == "h" and rng.random() < 0.01
        if foreign:
            flags.append("foreign_transferred")
        if marketed and not flags and rng.random() < 0.02:
            flags.append("clinically_urgent")
        approval = self.approval_number(org, category, foreign) if marketed else None
        high_risk = sterile or any(
            f in flags for f in ("biologic", "vaccine", "tcm_injection", "multicomponent_biochemical")
        )
        last_release = None
        if marketed:
            r = rng.random()
            last_release = self.ago(3, 180) if r < 0.85 else self.ago(200, 900)
        self.product_seq += 1
        ref = f"P-{self.product_seq:05d}"
        row = self.product_row(ref, "drug", org.ref, name, "marketed" if marketed else "in_development")
        row.update(
            approval_number=approval,
            dosage_form=form,
            strength=strength,
            category=category,
            last_commercial_batch_released=last_release,
            sterile=sterile,
            high_risk=high_risk,
        )
        for f in flags:
            row[f] = True
        product = _Product(ref, org, row, line_type, entry=entry)
        org.products.append(product)
        self.products.append(product)
        self.rows["products"].append(row)
        return product

    @staticmethod
    def product_row(ref: str, kind: str, holder: str, name: str, status: str) -> dict:
        return {
            "ref": ref, "kind": kind, "holder": holder, "name": name, "status": status, "approval_number": None,
            "dosage_form": "", "strength": "", "category": "", "device_class": "", "implantable": False,
            "prohibited_catalogue": False, "last_commercial_batch_released": None, "sterile": False,
            "high_risk": False, "tcm_injection": False, "multicomponent_biochemical": False, "biologic": False,
            "vaccine": False, "innovative": False, "improved_new_drug": False, "shortage": False,
            "clinically_necessary_short": False, "clinically_urgent": False, "public_health_emergency": False,
            "rare_disease": False, "foreign_transferred": False, "consistency_evaluated": False,
            "procurement_winner": False, "approval_valid_from": None, "commissioned_before_stop": None,
            "production_restored_on": None, "segmented_pilot": False, "pilot_category": "",
        }  # fmt: skip

    def code_name(self, org: _Org) -> str:
        letters = "ABCDEFGHJKLMNPQRSTXYZ"
        while True:
            code = f"{self.rng.choice(letters)}{self.rng.choice(letters)}-{self.rng.randint(100, 3999)}"
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def approval_number(self, org: _Org, category: str, foreign: bool) -> str:
        letter = "J" if foreign else {"h": "H", "z": "Z", "s": "S"}[category]
        while True:
            if self.rng.random() < 0.45:
                digits = f"{org.province}{self.rng.randrange(10**6):06d}"  # older, province-coded numbers
            else:
                digits = f"{self.rng.randint(2002, self.as_of.year)}{self.rng.randrange(10**4):04d}"
            value = f"国药准字{letter}{digits}"
            if value not in self.used_approvals:
                self.used_approvals.add(value)
                return value

    def device_products(self, org: _Org) -> None:
        rng = self.rng
        n = rng.randint(*self.spec.products[org.kind])
        own_types = list(dict.fromkeys(org.line_types))
        cmo_types = self.cmo_types(org, device=True)
        taken: set[str] = set()
        for i in range(n):
            made_here = org.kind == "registrant_mfr" and own_types and (rng.random() < 0.6 or not cmo_types)
            types = own_types if made_here else cmo_types
            if not types:
                continue
            line_type = rng.choice(types)
            if i == 0 and not made_here and org.home and self.prohibited_quota > 0 and "device_implant" in types:
                line_type = "device_implant"  # the one device of the prohibited catalogue (below)
            pool = [d for d in self.devices_by_line.get(line_type, ()) if d.name not in taken and not d.prohibited]
            if (
                line_type == "device_implant"
                and not made_here
                and org.home
                and self.prohibited_quota > 0
                and (i == 0 or rng.random() < 0.3)
            ):
                pool = [d for d in self.devices_by_line[line_type] if d.prohibited]
                self.prohibited_quota -= 1
            if not pool:
                continue
            entry = rng.choice(pool)
            taken.add(entry.name)
            self.product_seq += 1
            ref = f"P-{self.product_seq:05d}"
            row = self.product_row(ref, "device", org.ref, entry.name, "marketed")
            sterile = LINE_TYPES[line_type].sterile
            row.update(
                device_class=entry.device_class,
                implantable=entry.implantable,
                prohibited_catalogue=entry.prohibited,
                last_commercial_batch_released=self.ago(3, 200),
                sterile=sterile,
                high_risk=entry.device_class == "III",
            )
            product = _Product(ref, org, row, line_type, entry=entry)
            org.products.append(product)
            self.products.append(product)
            self.rows["products"].append(row)
            if made_here:
                self.place(product, org)
            elif self.commission(product, org) and entry.prohibited:
                self.report("prohibited_device_commissioned", ref, f"{entry.name} 委托 {product.cmo.ref} 生产")

    def place(self, product: _Product, org: _Org) -> _Line | None:
        marketed = product.row["status"] == "marketed"
        lines = [ln for ln in org.lines if ln.type.key == product.line_type]
        if marketed:
            usable = [ln for ln in lines if ln.state == "active"]
        else:
            idle = [ln for ln in lines if ln.state == "idle"]
            usable = idle if idle and self.rng.random() < 0.5 else [ln for ln in lines if ln.state != "idle"]
        if not usable:
            usable = [ln for ln in lines if ln.state == "active"]
        if not usable:
            return None
        line = self.rng.choice(usable)
        line.products.append(product)
        product.lines.append(line)
        return line

    def commission(self, product: _Product, mah: _Org) -> bool:
        device = product.row["kind"] == "device"
        t = product.line_type
        cmo = None
        for candidate in mah.cmos:
            if t in candidate.line_types and self.rng.random() < 0.75:
                cmo = candidate
                break
        if cmo is None:
            province = mah.province if mah.home else self.spec.home
            candidates = self.cmo_index.get((province, t), [])
            if self.spec.home is None and (not candidates or self.rng.random() < self.spec.cross_province):
                candidates = self.cmo_index.get(("*", t), [])
            candidates = [c for c in candidates if c is not mah and (c.kind == "device_cmo") == device]
            if not candidates:
                return False
            cmo = self.rng.choice(candidates)
        line = self.place(product, cmo)
        if line is None:
            return False
        product.cmo = cmo
        if cmo not in mah.cmos:
            mah.cmos.append(cmo)
        self.commissions.append((product, cmo, line))
        return True

    def set_volumes(self) -> None:
        """Planned annual volumes; most lines well within capacity, a few shared lines over it (art. 8)."""
        rng = self.rng
        shared = []
        for line in self.lines:
            cap = int(line.row["design_capacity"])
            volumes = []
            for product in line.products:
                if product.row["status"] != "marketed" and rng.random() < 0.5:
                    volumes.append(None)
                else:
                    volumes.append(max(1, int(cap * rng.uniform(0.03, 0.2))))
            total = sum(v for v in volumes if v)
            if total > 0.9 * cap:
                volumes = [max(1, int(v * 0.85 * cap / total)) if v else v for v in volumes]
            line.volumes = volumes
            if line.org.is_cmo and line.org.home and len({p.holder.ref for p in line.products}) >= 2:
                shared.append(line)
        k = self.sample_count(0.06, len(shared))
        for line in rng.sample(shared, k):
            cap = int(line.row["design_capacity"])
            volumes = [v or max(1, int(cap * 0.1)) for v in line.volumes]
            target = cap * rng.uniform(1.1, 1.4)
            line.volumes = [max(1, int(v * target / sum(volumes))) + 1 for v in volumes]
            self.report(
                "line_over_capacity",
                line.ref,
                f"计划年产量合计 {sum(line.volumes)} > 设计产能 {cap} {line.row['capacity_unit']}",
            )
        for line in self.lines:
            for product, volume in zip(line.products, line.volumes, strict=True):
                self.rows["line_products"].append(
                    {
                        "line": line.ref,
                        "product": product.ref,
                        "annual_volume": None if volume is None else Decimal(volume),
                    }
                )

    # -- people -----------------------------------------------------------------------------------

    def make_people(self) -> None:
        # art. 17 needs of each CMO, from what its lines make
        for org in self.orgs:
            if not org.is_cmo:
                continue
            made = [p for ln in org.lines for p in ln.products]
            org.needs = {
                "sterile": any(ln.type.sterile for ln in org.lines),
                "tcm_injection": any(p.row["tcm_injection"] for p in made),
                "multicomponent_biochemical": any(p.row["multicomponent_biochemical"] for p in made),
            }
        short: dict[tuple[str, str], str] = {}
        sterile_cmos = [o for o in self.orgs if o.is_cmo and o.home and o.needs["sterile"]]
        k = self.sample_count(0.15 if self.spec.home else 0.05, len(sterile_cmos))
        for i, org in enumerate(self.rng.sample(sterile_cmos, k)):
            short[(org.ref, self.rng.choice(TECHNICAL_ROLES))] = ("total", "sterile")[i % 2]
        for flag in ("tcm_injection", "multicomponent_biochemical"):
            pool = [o for o in self.orgs if o.is_cmo and o.home and o.needs.get(flag)]
            k = self.sample_count(0.2 if self.spec.home else 0.05, len(pool))
            for org in self.rng.sample(pool, k):
                role = self.rng.choice(TECHNICAL_ROLES)
                short.setdefault((org.ref, role), flag)
        for org in self.orgs:
            self.org_people(org, short)

    def new_person(self, org: _Org, title: str) -> _Person:
        n = self.person_counter.get(org.ref, 0) + 1
        self.person_counter[org.ref] = n
        ref = f"PER-{org.idx:04d}-{n:02d}"
        row = {
            "ref": ref,
            "organisation": org.ref,
            "name": self.rng.choice(self.names),
            "title": title,
            "email": f"{self.rng.choice(self.user_names)}@{org.domain}",
            "phone": f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}",
        }
        person = _Person(ref, org, row)
        org.people.append(person)
        self.rows["people"].append(row)
        return person

    def org_people(self, org: _Org, short: dict[tuple[str, str], str]) -> None:
        rng = self.rng
        roles = list(KEY_ROLES) if not org.is_device else [r for r in KEY_ROLES if r != "qp"]
        persons: dict[str, _Person] = {}
        for role in roles:
            if role == "legal_representative" and rng.random() < 0.3:
                persons[role] = persons["head_of_enterprise"]
                persons[role].row["title"] = "董事长兼总经理"
            elif role == "qp" and not org.is_cmo and rng.random() < 0.3:
                persons[role] = persons["head_of_quality"]
                persons[role].row["title"] = "质量负责人兼质量受权人"
            else:
                persons[role] = self.new_person(org, ROLE_TITLES[role])
        for role in roles:
            person = persons[role]
            org.key[role] = person
            mode = short.get((org.ref, role))
            since = self.career(person, org, role, mode)
            if (
                org.is_cmo
                and role in TECHNICAL_ROLES
                and rng.random() < 0.15
                and since > self.as_of - timedelta(days=3000)
            ):
                former = self.new_person(org, f"原{ROLE_TITLES[role]}")
                until = since - timedelta(days=1)
                f_since = until - timedelta(days=rng.randint(400, 2500))
                self.rows["appointments"].append({"person": former.ref, "role": role, "since": f_since, "until": until})
                self.experience(
                    former,
                    org.row["name"],
                    "quality" if role != "head_of_production" else "production",
                    f_since - timedelta(days=rng.randint(0, 400)),
                    until,
                    org.needs.get("sterile", False),
                )
        # staff: QA contacts, link person, transfer lead, resident staff
        if org.is_cmo or org.kind == "device_cmo":
            org.link = self.new_person(org, "QA经理（质量体系衔接负责人）")
            org.tt_lead = self.new_person(org, "技术转移负责人")
            org.qa = [org.link, *(self.new_person(org, "QA主管") for _ in range(rng.randint(1, 2)))]
        if org.is_mah or org.kind in ("registrant", "registrant_mfr"):
            mah_qa = [self.new_person(org, "QA经理")]
            if not org.is_cmo:
                mah_qa += [self.new_person(org, "驻厂QA") for _ in range(rng.randint(1, 2))]
            org.residents = [p for p in mah_qa if p.row["title"] == "驻厂QA"] or mah_qa[:1]
            org.mah_qa = mah_qa
        if not org.qa:
            org.qa = org.mah_qa

    def career(self, person: _Person, org: _Org, role: str, mode: str | None) -> date:
        """Appointment and CV of a key person; returns the appointment date.

        ``mode`` makes a CMO key person deliberately short of art. 17: "total" (under 5 years of
        production and quality management), "sterile" (under 3 sterile years), or a same-type flag
        ("tcm_injection", "multicomponent_biochemical": none of those years).
        """
        rng = self.rng
        if person.career_start is not None:  # a second role of the same person: same CV
            since = min(self.as_of, self.step(person.career_start, 0, 200))
            self.rows["appointments"].append({"person": person.ref, "role": role, "since": since, "until": None})
            return since
        if role in ("head_of_enterprise", "legal_representative"):
            start = self.years_ago(1, 12)
            person.career_start = start
            self.experience(person, org.row["name"], "other", start, None, False)
            since = min(self.as_of, self.step(start, 0, 200))
            self.rows["appointments"].append({"person": person.ref, "role": role, "since": since, "until": None})
            return since
        activity = "production" if role == "head_of_production" else "quality"
        needs = org.needs if org.is_cmo else {}
        year = 365.25
        # lengths of the periods in days, oldest first
        if mode == "total":
            total = rng.uniform(2.5, 4.6) * year
            lengths = [total] if rng.random() < 0.5 else [total * 0.4, total * 0.6]
        elif mode == "sterile":
            current = rng.uniform(1.0, 2.6) * year
            lengths = [rng.uniform(5, 14) * year, current]
        else:
            total = rng.uniform(6, 24) * year
            n = rng.randint(1, 4)
            cuts = sorted(rng.uniform(0.15, 0.85) for _ in range(n - 1))
            lengths = [(b - a) * total for a, b in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
        periods: list[tuple[date, date | None]] = []
        end = self.as_of
        for length in reversed(lengths):
            start = end - timedelta(days=max(120, int(length)))
            periods.append((start, None if not periods else end))
            end = start - timedelta(days=rng.randint(1, 60))
        periods.reverse()
        last = len(periods) - 1
        counted = sum(((e or self.as_of) - s).days for s, e in periods)
        tally = dict.fromkeys(("total", "sterile", "tcm_injection", "multicomponent_biochemical"), 0)
        sterile_left = 3.5 * year if needs.get("sterile") or rng.random() < 0.3 else 0.0
        same_left = {f: 3.3 * year for f in ("tcm_injection", "multicomponent_biochemical") if needs.get(f)}
        for i in range(last, -1, -1):
            start, end_ = periods[i]
            length = ((end_ or self.as_of) - start).days
            if mode == "sterile":
                sterile = i == last
            elif mode == "total":
                sterile = bool(needs.get("sterile"))
            else:
                sterile = sterile_left > 0
                sterile_left -= length if sterile else 0
            flags = {}
            for f in ("tcm_injection", "multicomponent_biochemical"):
                flags[f] = same_left.get(f, 0) > 0 and mode != f
                if flags[f]:
                    same_left[f] -= length
            act = activity if i == last or rng.random() < 0.8 else ("quality", "production")[i % 2]
            if mode is None and i == 0 and last >= 2 and counted - length > 6 * year and rng.random() < 0.3:
                act = "rnd"  # began in R&D; the rest still makes more than 5 years
            employer = org.row["name"] if i == last else self.other_employer(org)
            self.experience(person, employer, act, start, end_, sterile, **flags)
            if act in ("production", "quality"):
                tally["total"] += length
                tally["sterile"] += length if sterile else 0
                for f, on in flags.items():
                    tally[f] += length if on else 0
        person.career_start = periods[last][0]
        cur_start = periods[last][0]
        since = min(self.as_of, self.step(cur_start, 0, min(1000, max(0, (self.as_of - cur_start).days // 2))))
        self.rows["appointments"].append({"person": person.ref, "role": role, "since": since, "until": None})
        if org.is_cmo:  # report what the CV shows, so the catalogue is exact whatever the draw
            y = {k: v / year for k, v in tally.items()}
            if y["total"] < 5 or (needs.get("sterile") and y["sterile"] < 3):
                self.report(
                    "key_person_short_experience",
                    person.ref,
                    f"{org.ref} {ROLE_TITLES[role]}：生产和质量管理 {y['total']:.1f} 年，其中无菌 {y['sterile']:.1f} 年",
                )
            lacking = [f for f in ("tcm_injection", "multicomponent_biochemical") if needs.get(f) and y[f] < 3]
            if lacking:
                self.report(
                    "key_person_no_same_type_experience",
                    person.ref,
                    f"{org.ref} {ROLE_TITLES[role]}：" + "，".join(f"{f} {y[f]:.1f} 年" for f in lacking),
                )
        return since

    def other_employer(self, org: _Org) -> str:
        family = "device" if org.is_device else self.rng.choice(("own", "cmo"))
        city, _ = self.rng.choice(CITIES[self.rng.choice(list(CITIES))])
        p = self.rng.choice(self.prefixes)
        return self.rng.choice(ORG_NAME_PATTERNS[family]).format(c=_short_city(city), p=p)

    def experience(
        self,
        person: _Person,
        employer: str,
        activity: str,
        start: date,
        end: date | None,
        sterile: bool,
        tcm_injection: bool = False,
        multicomponent_biochemical: bool = False,
    ) -> None:
        self.rows["experience"].append(
            {
                "person": person.ref,
                "employer": employer,
                "activity": activity,
                "started_on": start,
                "ended_on": end,
                "sterile": sterile,
                "tcm_injection": tcm_injection,
                "multicomponent_biochemical": multicomponent_biochemical,
            }
        )

    # -- contracts, agreements, transfers, evaluations -------------------------------------------------

    def make_contracts(self) -> None:
        rng = self.rng
        pairs: dict[tuple[str, str], list[tuple[_Product, _Line]]] = {}
        owners: dict[tuple[str, str], tuple[_Org, _Org]] = {}
        for product, cmo, line in self.commissions:
            key = (product.holder.ref, cmo.ref)
            pairs.setdefault(key, []).append((product, line))
            owners[key] = (product.holder, cmo)
        self.certificates()
        per_mah: dict[str, int] = {}
        for key, items in pairs.items():
            mah, cmo = owners[key]
            products = list(dict.fromkeys(p for p, _ in items))
            lines = list(dict.fromkeys(ln for _, ln in items))
            marketed = any(p.row["status"] == "marketed" for p in products)
            if marketed:
                status = "in_force"
                signed = self.ago(60, 360) if rng.random() < 0.2 else self.ago(400, 2900)
            else:
                status = "in_force" if rng.random() < 0.75 else "draft"
                signed = self.ago(30, 700)
            contract = self.new_contract(mah, cmo, products, lines, status, signed, None, per_mah)
            if marketed and (self.as_of - signed).days > 800 and rng.random() < 0.12:
                self.terminated_predecessor(contract, per_mah)
        terminated = [c for c in self.contracts if c.row["status"] == "terminated"]
        if not terminated:  # at least one MAH moved from one CMO to another
            for contract in list(self.contracts):
                signed = contract.row["signed_on"]
                if signed and (self.as_of - signed).days > 800 and self.terminated_predecessor(contract, per_mah):
                    break
        terminated = [c for c in self.contracts if c.row["status"] == "terminated"]
        late = [c for c in terminated if (self.as_of - c.row["terminated_on"]).days > 183]
        if late and not any(c.retain_scope for c in late):
            late[0].retain_scope = True
        self.evaluations()

    def new_contract(
        self,
        mah: _Org,
        cmo: _Org,
        products: list,
        lines: list,
        status: str,
        signed: date,
        terminated_on: date | None,
        per_mah: dict,
    ) -> _Contract:
        rng = self.rng
        n = len(self.contracts) + 1
        per_mah[mah.ref] = per_mah.get(mah.ref, 0) + 1
        ref = f"CON-{n:04d}"
        if status == "draft":
            signed_on = effective = expires = None
        else:
            signed_on = signed
            effective = min(self.as_of, self.step(signed, 0, 20))
            expires = self.as_of + timedelta(days=rng.randint(60, 1500))
            if terminated_on:
                terminated_on = max(terminated_on, effective)
                expires = None if rng.random() < 0.5 else max(terminated_on, _add_years(effective, 5))
        row = {
            "ref": ref,
            "number": f"WTSC-{(signed_on or self.as_of).year}-{per_mah[mah.ref]:03d}",
            "mah": mah.ref,
            "cmo": cmo.ref,
            "signed_on": signed_on,
            "effective_from": effective,
            "expires_on": expires,
            "status": status,
            "terminated_on": terminated_on,
            "products": [p.ref for p in products],
            "lines": [ln.ref for ln in lines],
            "cmo_rnd_products": [],
            "unified_qms_confirmed": None,
        }
        contract = _Contract(ref, mah, cmo, products, lines, row)
        self.contracts.append(contract)
        self.rows["contracts"].append(row)
        self.agreements_for(contract)
        self.tech_transfers(contract)
        return contract

    def terminated_predecessor(self, current: _Contract, per_mah: dict) -> bool:
        """The MAH used another CMO before; that contract was terminated when it moved (art. 20)."""
        rng = self.rng
        t = current.products[0].line_type
        candidates = self.cmo_index.get((current.cmo.province, t), [])
        others = [c for c in candidates if c is not current.cmo and c is not current.mah]
        if not others:
            return False
        old_cmo = rng.choice(others)
        lines = [ln for ln in old_cmo.lines if ln.type.key == t][:1]
        products = [p for p in current.products if p.line_type == t]
        start = current.row["signed_on"]
        signed = start - timedelta(days=rng.randint(700, 2200))
        terminated = start - timedelta(days=rng.randint(0, 60))
        contract = self.new_contract(current.mah, old_cmo, products, lines, "terminated", signed, terminated, per_mah)
        contract.retain_scope = rng.random() < 0.4 and (self.as_of - terminated).days > 183
        return True

    def agreements_for(self, contract: _Contract) -> None:
        """The quality agreement(s) of a contract, complete; deficiencies are applied later."""
        rng = self.rng
        row = contract.row
        versions = 1
        if row["status"] == "in_force" and (self.as_of - row["effective_from"]).days > 1100 and rng.random() < 0.2:
            versions = 2
        for v in range(1, versions + 1):
            ref = f"QA-{len(self.agreements) + 1:04d}"
            status = row["status"]
            signed, effective, expires = row["signed_on"], row["effective_from"], row["expires_on"]
            terminated = row["terminated_on"]
            if v == 2:
                signed = self.step(row["effective_from"], 700, (self.as_of - row["effective_from"]).days - 30)
                effective = min(self.as_of, self.step(signed, 0, 10))
            review = None
            end = terminated or self.as_of
            if effective and (end - effective).days > 365:
                review = max(effective, end - timedelta(days=rng.randint(10, 330)))
            retention = rng.choice(("both", "cmo"))
            stability = rng.choice(("cmo", "mah", "both"))
            a_row = {
                "ref": ref,
                "contract": contract.ref,
                "document_version": f"{v}.0",
                "signed_on": signed,
                "effective_from": effective,
                "expires_on": expires,
                "status": status,
                "terminated_on": terminated,
                "mah_may_consult_records": True,
                "mah_may_visit_sites": True,
                "cmo_link_person": contract.cmo.link.ref if contract.cmo.link else None,
                "retained_samples_party": retention,
                "stability_party": stability,
                "production_date_definition": rng.choice(PRODUCTION_DATE_DEFINITIONS),
                **_electronic(rng),
                "last_annual_review": review,
                "notes": "",
            }
            responsibilities = []
            for activity, parties, detail in RESPONSIBILITIES:
                party = {"retention": retention, "stability": stability}.get(activity) or rng.choice(parties)
                responsibilities.append(
                    {
                        "agreement": ref,
                        "activity": activity,
                        "party": party,
                        "period_months": rng.choice((12, 24, 36)) if activity == "revalidation" else None,
                        "detail": detail,
                    }
                )
            mah_qa = contract.mah.mah_qa or contract.mah.qa
            cmo_qa = contract.cmo.qa
            categories = [*ART7, *(c for c in ("complaint", "recall") if rng.random() < 0.7)]
            channel = rng.choice(("system", "email", "email", "letter"))
            communications = []
            for i, category in enumerate(categories):
                limit, unit = rng.choice(COMMUNICATION_LIMITS[category])
                communications.append(
                    {
                        "agreement": ref,
                        "category": category,
                        "mah_contact": mah_qa[i % len(mah_qa)].ref if mah_qa else None,
                        "cmo_contact": cmo_qa[i % len(cmo_qa)].ref if cmo_qa else None,
                        "channel": channel,
                        "time_limit": limit,
                        "time_unit": unit,
                    }
                )
            residents = []
            if any(p.row["sterile"] or p.row["implantable"] for p in contract.products) and contract.mah.residents:
                device = any(p.row["kind"] == "device" for p in contract.products)
                duties = (
                    "入驻受托生产企业，对生产管理、质量管理关键环节进行现场指导和监督"
                    if device
                    else "每年至少一次现场监督灭菌工艺验证、无菌工艺模拟试验等验证活动；驻厂监督生产和质量管理"
                )
                for person in contract.mah.residents[: rng.randint(1, 2)]:
                    residents.append({"agreement": ref, "person": person.ref, "duties": duties, "products": []})
            agreement = _Agreement(ref, contract, a_row, responsibilities, communications, residents)
            contract.agreements.append(agreement)
            self.agreements.append(agreement)
        if versions == 2:  # version 1 was superseded the day before version 2 took effect
            v1, v2 = contract.agreements[-2:]
            v1.row.update(
                status="terminated",
                terminated_on=max(v1.row["effective_from"], v2.row["effective_from"] - timedelta(days=1)),
                expires_on=None,
                last_annual_review=None,
                notes=f"已由 {v2.ref}（第2版）替代 / superseded by version 2",
            )
        if any(p.row["kind"] == "device" for p in contract.products):
            self.device_agreement_validity(contract)

    def device_agreement_validity(self, contract: _Contract) -> None:
        """Device notice art. 4: a quality agreement does not outlast the certificate or the CMO's licence."""
        limits = [p.cert["valid_until"] for p in contract.products if p.cert]
        if contract.cmo.device_licence_valid:
            limits.append(contract.cmo.device_licence_valid)
        limit = min(limits)
        for ag in contract.agreements:
            if ag.row["status"] == "in_force" and ag.row["expires_on"]:
                ag.row["expires_on"] = min(ag.row["expires_on"], limit)
                if ag.row["effective_from"] and ag.row["expires_on"] < ag.row["effective_from"]:
                    ag.row["expires_on"] = limit
            ag.device_limit = limit

    def tech_transfers(self, contract: _Contract) -> None:
        rng = self.rng
        row = contract.row
        for product in contract.products:
            if rng.random() < 0.15 and row["status"] != "draft":
                continue  # old transfers not on record
            n = len(self.rows["tech_transfers"]) + 1
            ref = f"TT-{n:04d}"
            marketed = product.row["status"] == "marketed"
            base = row["signed_on"] or self.ago(30, 300)
            started = base - timedelta(days=rng.randint(0, 60)) if marketed else self.step(base, 0, 30)
            started = min(started, self.as_of)
            t = {"ref": ref, "contract": contract.ref, "product": product.ref, "lead": None, "started_on": started}
            d = started
            for step in TRANSFER_STEPS:
                d = self.step(d, 5, 60)
                t[step] = d if d <= self.as_of else None
            finished = self.step(d, 1, 20)
            t["completed_on"] = finished if all(t[s] for s in TRANSFER_STEPS) and finished <= self.as_of else None
            if marketed and row["status"] == "in_force" and contract.cmo.home:
                self.finished_transfers.append((t, product))
            cmo_people = [p for p in (contract.cmo.tt_lead, *contract.cmo.qa) if p]
            t["lead"] = contract.cmo.tt_lead.ref if contract.cmo.tt_lead else None
            mah_people = contract.mah.mah_qa[:1]
            t["working_group"] = [p.ref for p in dict.fromkeys([*cmo_people[1:3], *mah_people])]
            self.rows["tech_transfers"].append(t)

    def incomplete_transfers(self) -> None:
        """Some transfers of marketed products never finished (art. 4): steps missing, no completion."""
        rng = self.rng
        pool = self.finished_transfers
        for t, product in rng.sample(pool, self.sample_count(0.08, len(pool))):
            missing = rng.sample(TRANSFER_STEPS[1:], rng.randint(1, 3))
            for step in missing:
                t[step] = None
            t["completed_on"] = None
            self.report("tech_transfer_incomplete", t["ref"], f"{product.ref} 缺少：{'、'.join(missing)}")

    def evaluations(self) -> None:
        """The CMO's evaluation of the MAH and its products before signing (art. 3)."""
        rng = self.rng
        self.incomplete_transfers()
        n = 0
        same_group = {
            c.ref
            for c in self.contracts
            if c.mah.row["group"] is not None and c.mah.row["group"] == c.cmo.row["group"] and c.mah.group_unified
        }
        pool = [c for c in self.contracts if c.ref not in same_group and (c.cmo.home or c.mah.home)]
        unevaluated = {c.ref for c in rng.sample(pool, self.sample_count(0.08, len(pool)))}
        evaluated = [c for c in self.contracts if c.ref not in unevaluated]
        partial = {
            c.ref for c in rng.sample(evaluated, self.sample_count(0.1, len(evaluated))) if c.ref not in same_group
        }
        for contract in self.contracts:
            mah, cmo = contract.mah, contract.cmo
            if contract.ref in unevaluated:
                self.report("contract_without_evaluation", contract.ref, f"{cmo.ref} 未评估 {mah.ref}")
                continue
            n += 1
            ref = f"EVAL-{n:04d}"
            before = contract.row["signed_on"] or self.ago(5, 60)
            covers = dict.fromkeys(
                (
                    "covers_qualification",
                    "covers_quality_capability",
                    "covers_product_risk",
                    "covers_tech_transfer_feasibility",
                    "covers_shared_line_feasibility",
                ),
                True,
            )
            if contract.ref in same_group:
                covers["covers_qualification"] = covers["covers_quality_capability"] = False
            elif contract.ref in partial:
                missing = rng.sample(list(covers), rng.randint(1, 2))
                for m in missing:
                    covers[m] = False
                self.report("evaluation_incomplete", ref, f"缺少：{'、'.join(missing)}")
            self.rows["evaluations"].append(
                {
                    "ref": ref,
                    "cmo": cmo.ref,
                    "mah": mah.ref,
                    "evaluated_on": before - timedelta(days=rng.randint(10, 90)),
                    **covers,
                    "simplified_same_group": contract.ref in same_group,
                    "conclusion": "acceptable",
                    "notes": "同一集团统一质量管理体系，简化资质和质量管理能力评估"
                    if contract.ref in same_group
                    else "",
                    "products": [p.ref for p in contract.products],
                }
            )
        # a CMO that said no: in-development products of an MAH it declined
        declined = [p for p in self.products if p.row["status"] == "in_development" and p.cmo is None]
        for product in declined[: max(1, len(declined) // 20)]:
            candidates = [
                c
                for c in self.cmo_index.get((product.holder.province, product.line_type), [])
                if c is not product.holder
            ]
            if not candidates:
                continue
            n += 1
            self.rows["evaluations"].append(
                {
                    "ref": f"EVAL-{n:04d}",
                    "cmo": rng.choice(candidates).ref,
                    "mah": product.holder.ref,
                    "evaluated_on": self.ago(20, 400),
                    "covers_qualification": True,
                    "covers_quality_capability": True,
                    "covers_product_risk": True,
                    "covers_tech_transfer_feasibility": True,
                    "covers_shared_line_feasibility": True,
                    "simplified_same_group": False,
                    "conclusion": "not_acceptable",
                    "notes": "共线生产风险不可接受，且持有人未掌握关键工艺技术",
                    "products": [product.ref],
                }
            )

    # -- licences and certificates ---------------------------------------------------------------------

    def licence_number(self, province: str, device: bool) -> tuple[str, int]:
        while True:
            year = self.rng.randint(2005, min(self.as_of.year, 2025))
            seq = self.rng.randint(1, 9999 if self.spec.home is None else 600)
            key = (province + ("d" if device else ""), year, seq)
            if key not in self.used_licence_numbers:
                self.used_licence_numbers.add(key)
                break
        abbr = ABBREVIATION[province]
        if device:
            return f"{abbr}药监械生产许{year}{seq:04d}号", year
        return f"{abbr}{year}{seq:04d}", year

    def issue_dates(self) -> tuple[date, date]:
        issued = self.ago(30, 5 * 365 - 30)
        return issued, _add_years(issued, 5) - timedelta(days=1)

    def certificates(self) -> None:
        """Device registration certificates, and the device licences whose validity bounds agreements."""
        for org in self.orgs:
            if org.kind in ("device_cmo", "registrant_mfr"):
                number, _year = self.licence_number(org.province, device=True)
                issued, valid = self.issue_dates()
                org.device_licence = {
                    "ref": f"LIC-{org.idx:04d}-D",
                    "organisation": org.ref,
                    "kind": "device",
                    "number": number,
                    "class_codes": "",
                    "category_letters": "",
                    "issued_on": issued,
                    "valid_until": valid,
                }
                org.device_licence_valid = valid
        for product in self.products:
            if product.row["kind"] != "device":
                continue
            entry: DeviceEntry = product.entry
            self.cert_seq += 1
            issued = self.ago(30, int(4.6 * 365))
            if entry.device_class == "III":
                prefix = f"国械注准{issued.year}3{entry.category}"
            else:
                prefix = f"{ABBREVIATION[product.holder.province]}械注准{issued.year}2{entry.category}"
            while True:  # 4-digit sequence within year, class and category, as on real certificates
                number = f"{prefix}{self.rng.randint(1, 9999):04d}"
                if number not in self.used_certificates:
                    self.used_certificates.add(number)
                    break
            cmo = product.cmo
            product.cert = {
                "ref": f"CERT-{self.cert_seq:05d}",
                "product": product.ref,
                "number": number,
                "issued_on": issued,
                "valid_until": _add_years(issued, 5) - timedelta(days=1),
                "annotation": f"受托生产企业：{cmo.row['name']}；统一社会信用代码：{cmo.row['uscc']}" if cmo else "",
                # 生产地址: the CMO's plant marked (委托生产) while commissioned (device arts 13, 14)
                "production_address": _production_address(cmo or product.holder, commissioned=cmo is not None),
            }
            self.rows["certificates"].append(product.cert)

    def make_licences(self) -> None:
        active = [c for c in self.contracts if c.row["status"] != "draft"]
        scopes_b: dict[str, list] = {}
        scopes_c: dict[str, list] = {}
        for contract in active:
            if contract.row["status"] == "terminated" and not contract.retain_scope:
                continue
            scopes_b.setdefault(contract.mah.ref, []).append(contract)
            scopes_c.setdefault(contract.cmo.ref, []).append(contract)
        for org in self.orgs:
            if org.is_device:
                if org.device_licence:
                    self.rows["licences"].append(org.device_licence)
                    self.device_scopes(org, scopes_c.get(org.ref, []))
                continue
            classes = {"pure_b": "B", "own_a": "A", "own_ab": "AB", "cmo_c": "C", "cmo_ac": "AC"}[org.kind]
            if org.kind == "own_ab" and org.ref not in scopes_b:
                classes = "A"
            if org.kind == "pure_b" and org.ref not in scopes_b:
                continue  # nothing commissioned yet: no licence
            categories = {p.row["category"] for p in org.products if p.row["kind"] == "drug"}
            categories |= {p.row["category"] for ln in org.lines for p in ln.products if p.row["kind"] == "drug"}
            categories |= {"s" for ln in org.lines if ln.type.key == "biologic"}
            letters = "".join(c for c in "hzsdyqtx" if c in categories) or "h"
            number, _year = self.licence_number(org.province, device=False)
            issued, valid = self.issue_dates()
            ref = f"LIC-{org.idx:04d}"
            org.licence = {
                "ref": ref,
                "organisation": org.ref,
                "kind": "drug",
                "number": number,
                "class_codes": classes,
                "category_letters": letters,
                "issued_on": issued,
                "valid_until": valid,
            }
            self.rows["licences"].append(org.licence)
            if "A" in classes:
                for site_ref, _row in org.sites:
                    forms = list(
                        dict.fromkeys(f for ln in org.lines if ln.site_ref == site_ref for f in ln.type.dosage_forms)
                    )
                    self.scope(ref, site_ref, "A", "、".join(forms), None, None, None)
            if "C" in classes:
                for site_ref, _row in org.sites:
                    forms = list(
                        dict.fromkeys(f for ln in org.lines if ln.site_ref == site_ref for f in ln.type.dosage_forms)
                    )
                    self.scope(ref, site_ref, "C", "、".join(forms) + "（受托生产）", None, None, None)
                for contract in scopes_c.get(org.ref, []):
                    for product, site_ref in self.product_sites(contract):
                        entered = None
                        if self.rng.random() < 0.9:
                            entered = min(self.as_of, self.step(contract.row["effective_from"], 10, 80))
                        self.scope(
                            ref, site_ref, "C", product.row["dosage_form"], product.ref, contract.mah.ref, entered
                        )
                        self.retained(contract, ref)
            if "B" in classes:
                for contract in scopes_b.get(org.ref, []):
                    for product, site_ref in self.product_sites(contract):
                        self.scope(ref, site_ref, "B", product.row["dosage_form"], product.ref, contract.cmo.ref, None)

    def retained(self, contract: _Contract, licence_ref: str) -> None:
        if contract.retain_scope and not contract.reported:
            contract.reported = True
            self.report(
                "terminated_scope_retained",
                contract.ref,
                f"{licence_ref} 仍载明 {contract.row['terminated_on'].isoformat()} 终止的委托",
            )

    def product_sites(self, contract: _Contract) -> list[tuple[_Product, str]]:
        out = []
        for product in contract.products:
            sites = [ln.site_ref for ln in contract.lines if ln.type.key == product.line_type]
            if not sites:
                continue
            out.append((product, sites[0]))
        return list(dict.fromkeys(out))

    def device_scopes(self, org: _Org, contracts: list) -> None:
        ref = org.device_licence["ref"]
        for site_ref, _row in org.sites:
            forms = list(dict.fromkeys(f for ln in org.lines if ln.site_ref == site_ref for f in ln.type.dosage_forms))
            self.scope(ref, site_ref, "", "、".join(forms), None, None, None)
        for contract in contracts:
            for product, site_ref in self.product_sites(contract):
                entered = min(self.as_of, self.step(contract.row["effective_from"], 10, 60))
                self.scope(ref, site_ref, "", product.row["name"], product.ref, contract.mah.ref, entered)
                self.retained(contract, ref)

    def scope(self, licence, site, class_code, scope, product, counterparty, entered) -> None:
        self.rows["licence_scopes"].append(
            {
                "licence": licence,
                "site": site,
                "class_code": class_code,
                "scope": scope,
                "product": product,
                "counterparty": counterparty,
                "entered_on": entered,
                "removal_applied_on": None,
            }
        )

    # -- what the art. 17 and 18 rules read -------------------------------------------------------------

    def records_for_rules(self) -> None:
        """Enterprises' R&D and non-commercial production, the products CMOs developed, and marketed
        drugs' approval validity. Drawn from a Random of their own, so the draws before them (and the
        deficiencies catalogued after) stay what they were for a seed."""
        rng = random.Random(f"{self.seed}-records")

        def years_ago(lo: float, hi: float) -> date:
            return self.as_of - timedelta(days=int(rng.uniform(lo, hi) * 365.25))

        for org in self.orgs:
            forms = sorted(
                {
                    (p.row["dosage_form"], p.row["sterile"], p.row["biologic"])
                    for p in org.products
                    if p.row["dosage_form"]
                }
            )
            if not forms or rng.random() > 0.4:  # most enterprises record no R&D of their own
                continue
            form, sterile, biologic = rng.choice(forms)
            started = years_ago(2, 9)
            self.rows["enterprise_experience"].append(
                {
                    "organisation": org.ref,
                    "activity": rng.choice(["rnd", "rnd", "production"]),
                    "dosage_form": form,
                    "sterile": sterile,
                    "biologic": biologic,
                    "started_on": started,
                    "ended_on": None
                    if rng.random() < 0.7
                    else min(self.as_of, started + timedelta(days=rng.randint(200, 900))),
                }
            )
        for contract in self.contracts:
            if contract.products and rng.random() < 0.15:  # the CMO mainly made the R&D batches
                contract.row["cmo_rnd_products"] = [contract.products[0].ref]
        for product in self.products:
            if product.row["kind"] == "drug" and product.row["status"] == "marketed":
                product.row["approval_valid_from"] = years_ago(0.1, 4.9)
        # the CAPA duties in the agreement (device notice art. 9): both parties, the CMO leading
        for agreement in self.agreements:
            agreement.responsibilities.append(
                {
                    "agreement": agreement.ref,
                    "activity": "capa",
                    "party": rng.choice(("both", "both", "cmo")),
                    "period_months": None,
                    "detail": "受托方调查并制定纠正预防措施，持有人审核批准并跟踪有效性",
                }
            )
        # a few commissioned biologics in the segmented-production pilot (the 2024 pilot notice)
        biologics = [p for p in self.products if p.row["biologic"] and p.cmo is not None]
        pilot = rng.sample(biologics, min(2, len(biologics)))
        for product in pilot:
            product.row["segmented_pilot"] = True
            product.row["pilot_category"] = rng.choice(("antibody", "glp1", "insulin", "innovative"))
        for contract in self.contracts:  # the parties of the first confirm one quality system
            if pilot and pilot[0] in contract.products:
                contract.row["unified_qms_confirmed"] = True

    # -- inspections ------------------------------------------------------------------------------------

    def make_inspections(self) -> None:
        rng = self.rng
        drug_lines = [ln for ln in self.lines if not ln.type.device]
        home_active = [ln for ln in drug_lines if ln.org.home and ln.state == "active" and ln.products]
        stale: set[str] = set()
        for sterile, (lo, hi) in ((True, (3.1, 4.5)), (False, (5.1, 7.0))):
            pool = [ln for ln in home_active if ln.type.sterile == sterile]
            for ln in rng.sample(pool, self.sample_count(0.08, len(pool))):
                stale.add(ln.ref)
                ln.stale = (lo, hi)
        pool = [ln for ln in home_active if ln.ref not in stale]
        failing = {ln.ref for ln in rng.sample(pool, self.sample_count(0.03, len(pool)))}
        for ln in drug_lines:
            abbr = ABBREVIATION[ln.org.province]
            if ln.state == "new":
                self.inspection(ln, self.ago(20, 360), "licensing", "compliant", abbr)
                continue
            if ln.ref in stale:
                lo, hi = ln.stale
                latest = self.years_ago(lo, hi)
                years = (self.as_of - latest).days / 365.25
                self.report(
                    "stale_inspection", ln.ref, f"最近一次GMP符合性检查 {latest.isoformat()}（{years:.1f} 年前）"
                )
            elif ln.state == "idle":
                latest = ln.row["last_commercial_production"] - timedelta(days=rng.randint(100, 700))
            else:
                latest = self.ago(30, 900 if ln.type.sterile else 1500)
            dates = [latest]
            for _ in range(rng.randint(0, 2)):
                dates.append(dates[-1] - timedelta(days=rng.randint(500, 1100)))
            since = ln.row["commercial_since"]
            dates = [d for d in dates if since is None or d >= since - timedelta(days=120)] or [latest]
            for i, d in enumerate(reversed(dates)):
                last = i == len(dates) - 1
                conclusion = "non_compliant" if last and ln.ref in failing else "compliant"
                ins = self.inspection(ln, d, "gmp_compliance", conclusion, abbr)
                if conclusion == "non_compliant":
                    self.report("non_compliant_inspection", ins, f"{ln.ref} {d.isoformat()} 检查结论不符合要求")
        # B-licence holders: licensing inspections of the dosage forms they commission
        for org in self.orgs:
            if org.kind != "pure_b" or not org.licence:
                continue
            forms = list(dict.fromkeys(p.row["dosage_form"] for p in org.products if p.cmo))
            for form in forms[:2]:
                self.inspection(
                    None, self.ago(60, 1500), "licensing", "compliant", ABBREVIATION[org.province], org, form
                )
        # commissioned products not released for over five years (art. 18)
        pool = [p for p in self.products if p.cmo and p.cmo.home and p.row["last_commercial_batch_released"]]
        for product in rng.sample(pool, self.sample_count(0.03, len(pool))):
            product.row["last_commercial_batch_released"] = self.years_ago(5.2, 6.5)
        for product in self.products:
            released = product.row["last_commercial_batch_released"]
            if product.cmo and released and (self.as_of - released).days > 5 * 365:
                self.report("no_commercial_batch_in_cycle", product.ref, f"最近商业规模批次放行 {released.isoformat()}")

    def inspection(self, line, when, kind, conclusion, abbr, org=None, form=None) -> str:
        self.inspection_seq += 1
        ref = f"INS-{self.inspection_seq:05d}"
        if line is not None:
            org = line.org
        self.rows["inspections"].append(
            {
                "ref": ref,
                "organisation": org.ref,
                "site": line.site_ref if line is not None else None,
                "line": line.ref if line is not None else None,
                "dosage_form": form if form else line.type.dosage_forms[0],
                "inspected_on": when,
                "kind": kind,
                "conclusion": conclusion,
                "notice_number": f"{abbr}{'GMP' if kind == 'gmp_compliance' else 'XK'}{when.year}{self.inspection_seq % 10000:04d}",
            }
        )
        return ref

    # -- deficient agreements ----------------------------------------------------------------------------

    def apply_agreement_deficiencies(self) -> None:
        rng = self.rng
        in_force = [a for a in self.agreements if a.row["status"] == "in_force"]
        # the kinds below are applied to home-province agreements in force (in the nation: all of them)
        eligible_all = [a for a in in_force if a.contract.cmo.home or a.contract.mah.home]
        clean = {id(a) for a in eligible_all}

        def pick(kind: str, pool: list[_Agreement]) -> list[_Agreement]:
            chosen = rng.sample(pool, self.sample_count(AGREEMENT_DEFICIENCY_RATES[kind], len(pool)))
            for a in chosen:
                a.kinds.append(kind)
                clean.discard(id(a))
            return chosen

        # copied templates first: the copy takes the source's matrix and list as they were
        copied = pick("copied_template", eligible_all)
        sources = [a for a in eligible_all if a not in copied]
        for a in copied:
            others = [
                s for s in sources if s.contract.mah is not a.contract.mah and s.contract.cmo is not a.contract.cmo
            ]
            others = others or [s for s in sources if s.contract.mah is not a.contract.mah] or sources
            if not others:
                a.kinds.remove("copied_template")
                continue
            src = rng.choice(others)
            a.responsibilities = [{**r, "agreement": a.ref} for r in src.responsibilities]
            a.communications = [{**c, "agreement": a.ref} for c in src.communications]
            a.row["production_date_definition"] = src.row["production_date_definition"]
            a.row["retained_samples_party"] = src.row["retained_samples_party"]
            a.row["stability_party"] = src.row["stability_party"]
            a.details.append(
                f"copied_template: 职责分工和沟通清单抄自 {src.ref}（{src.contract.mah.ref}/{src.contract.cmo.ref}），"
                f"联系人为其他企业人员 / copied from {src.ref}"
            )
            self.report("copied_template", a.ref, f"source {src.ref}")

        for a in pick("unassigned_responsibility", eligible_all):
            acts = rng.sample(
                ["material_purchasing", "revalidation", "stability", "retention", "supplier_audit"], rng.randint(1, 3)
            )
            for r in a.responsibilities:
                if r["activity"] in acts:
                    r["party"] = "unassigned"
                    if r["activity"] == "revalidation":
                        r["detail"] = "再验证周期参照哪方标准未约定"
            if "retention" in acts:
                a.row["retained_samples_party"] = "unassigned"
            if "stability" in acts:
                a.row["stability_party"] = "unassigned"
            self.mark(a, "unassigned_responsibility", f"未明确责任方：{'、'.join(DEMO_WORDS[x] for x in acts)}")

        for a in pick("missing_communication_categories", eligible_all):
            dropped = rng.sample(list(ART7), rng.randint(2, 5))
            a.communications = [c for c in a.communications if c["category"] not in dropped]
            self.mark(a, "missing_communication_categories", f"缺少：{'、'.join(DEMO_WORDS[x] for x in dropped)}")

        for a in pick("no_time_limit", eligible_all):
            for c in a.communications:
                c["time_limit"] = None
                c["time_unit"] = ""
                c["channel"] = rng.choice(("phone", "phone", ""))
            self.mark(a, "no_time_limit", "沟通事项均未约定时限，仅电话口头告知")

        old = [a for a in eligible_all if (self.as_of - a.row["effective_from"]).days > 400]
        for a in pick("no_annual_review", old):
            if rng.random() < 0.5:
                a.row["last_annual_review"] = None
                text = "生效后从未审核"
            else:
                a.row["last_annual_review"] = max(a.row["effective_from"], self.ago(420, 1000))
                if (self.as_of - a.row["last_annual_review"]).days <= 365:
                    a.row["last_annual_review"] = None
                text = f"最近一次审核 {a.row['last_annual_review'] or '无'}"
            self.mark(a, "no_annual_review", text)

        for a in pick("no_access_rights", eligible_all):
            which = rng.choice(("consult", "visit", "both"))
            if which in ("consult", "both"):
                a.row["mah_may_consult_records"] = False
            if which in ("visit", "both"):
                a.row["mah_may_visit_sites"] = False
            self.mark(
                a,
                "no_access_rights",
                {"consult": "未约定查阅记录", "visit": "未约定查看场所", "both": "均未约定"}[which],
            )

        for a in pick("no_cmo_link_person", eligible_all):
            a.row["cmo_link_person"] = None
            self.mark(a, "no_cmo_link_person", "未明确受托方衔接负责人")

        for a in pick("no_production_date_definition", eligible_all):
            a.row["production_date_definition"] = ""
            self.mark(a, "no_production_date_definition", "生产日期确定方式未约定")

        sterile = [
            a
            for a in eligible_all
            if a.residents and any(p.row["sterile"] and p.row["kind"] == "drug" for p in a.contract.products)
        ]
        for a in pick("sterile_without_resident_staff", sterile):
            a.residents = []
            self.mark(a, "sterile_without_resident_staff", "无菌药品未派驻人员")

        devices = [a for a in in_force if a.device_limit]
        for a in rng.sample(devices, self.sample_count(0.05, len(devices))):
            a.row["expires_on"] = a.device_limit + timedelta(days=rng.randint(200, 700))
            a.kinds.append("agreement_outlasts_certificate")
            self.mark(a, "agreement_outlasts_certificate", f"有效期至 {a.row['expires_on']}，超过 {a.device_limit}")
        implants = [x for x in devices if x.residents and any(p.row["implantable"] for p in x.contract.products)]
        for b in rng.sample(implants, self.sample_count(0.1, len(implants))):
            b.residents = []
            b.kinds.append("implantable_without_resident_staff")
            self.mark(b, "implantable_without_resident_staff", "植入性器械未派驻人员")

    def mark(self, a: _Agreement, kind: str, text: str) -> None:
        a.details.append(text)
        self.report(kind, a.ref, text)

    def emit_agreements(self) -> None:
        for a in self.agreements:
            if a.kinds:
                # The first line lists the kinds for the tests (hyphenated: data, not a column name); people
                # read the lines below it.
                codes = ", ".join(k.replace("_", "-") for k in a.kinds)
                a.row["notes"] = "\n".join([f"{DEFICIENCY_MARK} {codes}", *a.details])
            self.rows["agreements"].append(a.row)
            self.rows["responsibilities"] += a.responsibilities
            self.rows["communications"] += a.communications
            self.rows["resident_staff"] += a.residents
