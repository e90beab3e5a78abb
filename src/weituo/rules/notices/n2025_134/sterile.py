"""Art. 17: who may commission and make sterile drugs — the parties' experience, its four exceptions,
and the CMO's key persons.

（十七）拟委托生产无菌药品的，原则上持有人和受托生产企业至少一方应当具有三年以上同剂型无菌药品商业化生产经验。

符合以下情形之一，持有人或者受托生产企业具有三年以上同剂型无菌药品研发或者生产经验的，也可以开展无菌药品委托生产：
1.属于创新药、改良型新药、国家短缺药品、国家临床必需易短缺药品、临床急需药品、应对突发公共卫生事件急需药品、治疗
罕见病的药品，以及已在境内上市的境外生产药品转移至境内生产的情形；
2.在同一集团内执行统一质量管理体系的企业之间委托生产的无菌药品；
3.采用信息化手段记录物料管理和药品生产、检验全过程数据，并能与持有人进行电子数据交换的受托生产企业；
4.主要参与拟受托无菌药品研发、临床试验药品生产的受托生产企业。

拟受托生产无菌药品的，受托生产企业的生产负责人、质量负责人、质量授权人均应当具有至少五年从事药品生产和质量管理的
实践经验，且其中至少三年为无菌药品生产和质量管理的实践经验。拟受托生产中药注射剂、多组分生化药的，受托生产企业的
生产负责人、质量负责人、质量授权人还应当具有同类型制剂产品三年以上生产和质量管理的实践经验。
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, MissingFact, Result
from weituo.rules.facts import OrganisationFacts
from weituo.rules.helpers import commissioning_date, experience_years

from . import NOTICE

BASE = "134-17.sterile-experience"
PRIORITY_FLAGS = frozenset(
    {
        "innovative",
        "improved_new_drug",
        "shortage",
        "clinically_necessary_short",
        "clinically_urgent",
        "public_health_emergency",
        "rare_disease",
        "foreign_transferred",
    }
)


def _sterile(ctx: Ctx) -> bool:
    return "sterile" in ctx.read("product.flags", ctx.product.flags)


def _dosage_form(ctx: Ctx) -> str:
    product = ctx.product
    form = ctx.need(
        "product.dosage_form",
        product.dosage_form.strip() or None,
        f"{product.name}的剂型",
        f"the dosage form of {product.name}",
    )
    return form


def _party_years(
    ctx: Ctx, party: str, organisation: OrganisationFacts, *, activities: set[str], with_rnd: bool
) -> float | None:
    """Years for one party, or None when the facts needed are not held."""
    if organisation.experience is None:
        return None
    entries = tuple(organisation.experience)
    if with_rnd and organisation.rnd_experience is not None:
        entries += tuple(organisation.rnd_experience)
    years = experience_years(
        entries,
        as_of=ctx.read("experience_counted_to", commissioning_date(ctx, ctx.contract)),
        activities=activities,
        dosage_form=ctx.product.dosage_form,
        sterile=True,
    )
    return ctx.read(f"{party}.sterile_years_same_dosage_form", years)


@NOTICE.rule(
    id=BASE,
    title_zh="一方具有三年以上同剂型无菌药品商业化生产经验",
    title_en="One party has three years of commercial production of sterile drugs of the same dosage form",
    article="17",
    quote="拟委托生产无菌药品的，原则上持有人和受托生产企业至少一方应当具有三年以上同剂型无菌药品商业化生产经验。",
    applies_to="product",
    severity="critical",
    condition=_sterile,
    condition_zh="拟委托生产无菌药品",
    condition_en="a sterile drug to be commissioned",
)
def sterile_experience(ctx: Ctx) -> Result:
    """The MAH's or the CMO's commercial production of sterile drugs of the product's dosage form (the
    same name after trimming), overlaps counted once, up to the contract's signing (for a draft, or a
    contract signed before the notice, up to the date of evaluation)."""
    form = _dosage_form(ctx)
    required = ctx.param("sterile_commercial_experience_years")
    contract = ctx.contract
    years = {
        party: _party_years(ctx, party, org, activities={"commercial_production"}, with_rnd=False)
        for party, org in (("mah", contract.mah), ("cmo", contract.cmo))
    }
    if any(y is not None and y >= required for y in years.values()):
        return ctx.met(
            f"一方具有{required}年以上{form}无菌药品商业化生产经验",
            f"a party has {required}+ years of commercial {form} sterile production",
        )
    unknown = [p for p, y in years.items() if y is None]
    if unknown:
        return ctx.needs(
            *(
                MissingFact(
                    f"{p}.experience",
                    f"{'持有人' if p == 'mah' else '受托方'}的无菌药品生产经验",
                    f"the {p.upper()}'s sterile production experience",
                )
                for p in unknown
            )
        )
    return ctx.not_met(
        f"双方同剂型（{form}）无菌药品商业化生产经验均不足{required}年",
        f"neither party has {required} years of commercial sterile production of {form}",
        action_zh="不得开展该无菌药品委托生产，除非符合第十七条所列例外情形之一",
        action_en="the sterile product may not be commissioned unless one of the exceptions of art. 17 applies",
    )


def _exception_check(ctx: Ctx) -> Result:
    """Shared by the four exceptions: three years of R&D or production (commercial or not) of sterile
    drugs of the same dosage form, by either party."""
    form = _dosage_form(ctx)
    required = ctx.param("sterile_exception_experience_years")
    contract = ctx.contract
    years = {
        party: _party_years(ctx, party, org, activities={"commercial_production", "production", "rnd"}, with_rnd=True)
        for party, org in (("mah", contract.mah), ("cmo", contract.cmo))
    }
    if any(y is not None and y >= required for y in years.values()):
        return ctx.met(
            f"一方具有{required}年以上{form}无菌药品研发或者生产经验",
            f"a party has {required}+ years of {form} sterile R&D or production",
        )
    missing = [
        MissingFact(
            f"{p}.rnd_experience",
            f"{'持有人' if p == 'mah' else '受托方'}的无菌药品研发经验",
            f"the {p.upper()}'s sterile R&D experience",
        )
        for p, org in (("mah", contract.mah), ("cmo", contract.cmo))
        if org.rnd_experience is None
    ] + [
        MissingFact(
            f"{p}.experience",
            f"{'持有人' if p == 'mah' else '受托方'}的无菌药品生产经验",
            f"the {p.upper()}'s sterile production experience",
        )
        for p, y in years.items()
        if y is None
    ]
    if missing:
        return ctx.needs(
            *missing,
            reason_zh=f"已知经验不足{required}年，研发经验未记录",
            reason_en=f"known experience is short of {required} years; R&D experience is not recorded",
        )
    return ctx.not_met(
        f"双方同剂型（{form}）无菌药品研发或者生产经验均不足{required}年",
        f"neither party has {required} years of sterile R&D or production of {form}",
        action_zh="不得开展该无菌药品委托生产",
        action_en="the sterile product may not be commissioned",
    )


def _priority(ctx: Ctx) -> bool:
    return _sterile(ctx) and bool(ctx.read("product.priority_flags", ctx.product.flags & PRIORITY_FLAGS))


def _same_group(ctx: Ctx) -> bool:
    contract = ctx.contract
    return _sterile(ctx) and ctx.read("same_group_unified_qms", contract.mah.same_group_unified_qms(contract.cmo))


def _electronic(ctx: Ctx) -> bool:
    if not _sterile(ctx):
        return False
    agreement = ctx.contract.current_agreement(ctx.as_of)
    if agreement is None:
        ctx.need(
            "contract.agreements",
            None,
            "质量协议（是否约定电子数据交换）",
            "the quality agreement (whether data is exchanged electronically)",
        )
    return (
        ctx.read("agreement.electronic_production_records", agreement.electronic_production_records)
        and ctx.read("agreement.electronic_material_management", agreement.electronic_material_management)
        and ctx.read("agreement.electronic_data_exchange", agreement.electronic_data_exchange)
    )


def _rnd_participation(ctx: Ctx) -> bool:
    if not _sterile(ctx):
        return False
    refs = ctx.need(
        "contract.cmo_rnd_participation",
        ctx.contract.cmo_rnd_participation,
        "受托方是否主要参与该品种研发、临床试验药品生产",
        "whether the CMO mainly took part in the product's R&D or clinical-trial production",
    )
    return ctx.read("cmo_took_part_in_rnd", ctx.product.ref in refs)


EXCEPTION_QUOTE = (
    "符合以下情形之一，持有人或者受托生产企业具有三年以上同剂型无菌药品研发或者生产经验的，也可以开展无菌药品委托生产："
)


@NOTICE.rule(
    id="134-17.exception-1-priority-products",
    title_zh="例外一：创新药、短缺药品等",
    title_en="Exception 1: innovative, shortage and other priority drugs",
    article="17",
    clause="2(1)",
    quote=EXCEPTION_QUOTE
    + "1.属于创新药、改良型新药、国家短缺药品、国家临床必需易短缺药品、临床急需药品、应对突发公共卫生事件急需药品、治疗罕见病的药品，以及已在境内上市的境外生产药品转移至境内生产的情形；",
    applies_to="product",
    severity="critical",
    exception_to=BASE,
    condition=_priority,
    condition_zh="创新药、改良型新药、短缺药品、临床急需、罕见病等或境外转境内生产的无菌药品",
    condition_en="a sterile innovative, improved, shortage, urgent, emergency, rare-disease or transferred-from-abroad drug",
)
def exception_priority(ctx: Ctx) -> Result:
    """The product flags named in item 1 (registry RISK_FLAGS)."""
    return _exception_check(ctx)


@NOTICE.rule(
    id="134-17.exception-2-same-group",
    title_zh="例外二：同一集团统一质量管理体系",
    title_en="Exception 2: one group with one quality system",
    article="17",
    clause="2(2)",
    quote="2.在同一集团内执行统一质量管理体系的企业之间委托生产的无菌药品；",
    applies_to="product",
    severity="critical",
    exception_to=BASE,
    condition=_same_group,
    condition_zh="同一集团内执行统一质量管理体系的企业之间委托生产",
    condition_en="commissioned within one group running one quality system",
)
def exception_same_group(ctx: Ctx) -> Result:
    """Both parties in one group whose quality system is one."""
    return _exception_check(ctx)


@NOTICE.rule(
    id="134-17.exception-3-electronic-data",
    title_zh="例外三：受托方信息化记录并与持有人电子数据交换",
    title_en="Exception 3: the CMO records electronically and exchanges data with the MAH",
    article="17",
    clause="2(3)",
    quote="3.采用信息化手段记录物料管理和药品生产、检验全过程数据，并能与持有人进行电子数据交换的受托生产企业；",
    applies_to="product",
    severity="critical",
    exception_to=BASE,
    condition=_electronic,
    condition_zh="受托方信息化记录物料、生产、检验全过程数据并与持有人电子数据交换",
    condition_en="the CMO records materials, production and testing electronically and exchanges the data with the MAH",
)
def exception_electronic(ctx: Ctx) -> Result:
    """Reading: item 3 is three conditions, each recorded in the quality agreement in force — materials
    managed electronically (``electronic_material_management``), production and testing recorded
    electronically (``electronic_production_records``) and the data exchanged with the MAH
    (``electronic_data_exchange``). The exchange alone no longer unlocks a licensing exception."""
    return _exception_check(ctx)


@NOTICE.rule(
    id="134-17.exception-4-rnd-participation",
    title_zh="例外四：受托方主要参与该品种研发、临床试验药品生产",
    title_en="Exception 4: the CMO mainly took part in the product's R&D or clinical-trial production",
    article="17",
    clause="2(4)",
    quote="4.主要参与拟受托无菌药品研发、临床试验药品生产的受托生产企业。",
    applies_to="product",
    severity="critical",
    exception_to=BASE,
    condition=_rnd_participation,
    condition_zh="受托方主要参与该无菌药品研发、临床试验药品生产",
    condition_en="the CMO mainly took part in the sterile product's R&D or clinical-trial production",
)
def exception_rnd(ctx: Ctx) -> Result:
    """``cmo_rnd_participation`` lists the products concerned; the platform does not hold it yet."""
    return _exception_check(ctx)


ROLES = {
    "head_of_production": ("生产负责人", "head of production"),
    "head_of_quality": ("质量负责人", "head of quality"),
    "qp": ("质量授权人", "QP"),
}


def _key_persons(ctx: Ctx, checks: list[tuple[str, str, float, str]]) -> Result:
    """Each of the three roles held on the date of evaluation, each holder meeting every check:
    (attribute, what in Chinese, required years, what in English)."""
    cmo = ctx.contract.cmo
    problems_zh, problems_en, missing = [], [], []
    for role, (zh, en) in ROLES.items():
        holders = [p for p in cmo.key_persons if p.holds(role, ctx.as_of)]
        ctx.read(f"cmo.{role}", [p.ref for p in holders])
        if not holders:
            missing.append(MissingFact(f"cmo.key_persons.{role}", f"受托方现任{zh}", f"the CMO's current {en}"))
            continue
        for person in holders:
            for attribute, what_zh, required, what_en in checks:
                years = ctx.read(f"{person.ref}.{attribute}", getattr(person, attribute))
                if years is None:
                    missing.append(
                        MissingFact(
                            f"{person.ref}.{attribute}",
                            f"{zh}{person.name}的{what_zh}年限",
                            f"{en} {person.name}'s years of {what_en}",
                        )
                    )
                elif years < required:
                    problems_zh.append(f"{zh}{person.name}{what_zh}{years}年，不足{required}年")
                    problems_en.append(f"{en} {person.name}: {years} years of {what_en}, short of {required}")
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="配备符合经验要求的生产负责人、质量负责人、质量授权人后方可受托生产",
            action_en="appoint heads of production and quality and a QP with the required experience before making the product",
        )
    if missing:
        return ctx.needs(*missing)
    return ctx.met(
        "受托方生产负责人、质量负责人、质量授权人均符合经验要求",
        "the CMO's heads of production and quality and QP meet the experience requirements",
    )


def _contract_sterile(ctx: Ctx) -> bool:
    return any("sterile" in p.flags for p in ctx.contract.products)


@NOTICE.rule(
    id="134-17.key-persons",
    title_zh="受托方关键人员五年实践经验且其中三年无菌",
    title_en="The CMO's key persons: five years of practice, three of them with sterile drugs",
    article="17",
    quote="拟受托生产无菌药品的，受托生产企业的生产负责人、质量负责人、质量授权人均应当具有至少五年从事药品生产和质量管理的实践经验，且其中至少三年为无菌药品生产和质量管理的实践经验。",
    applies_to="contract",
    bearer="cmo",
    severity="critical",
    condition=_contract_sterile,
    condition_zh="委托品种含无菌药品",
    condition_en="the contract includes a sterile drug",
)
def key_persons(ctx: Ctx) -> Result:
    """Reading: the persons holding the roles on the date of evaluation (people change; the ones in
    post are those answering for the product), with their years as the registry computes them."""
    return _key_persons(
        ctx,
        [
            (
                "practice_years",
                "药品生产和质量管理实践",
                ctx.param("key_person_practice_years"),
                "drug production and quality practice",
            ),
            ("sterile_years", "无菌药品实践", ctx.param("key_person_sterile_years"), "sterile practice"),
        ],
    )


SAME_TYPE = {
    "tcm_injection": ("tcm_injection_years", "中药注射剂实践", "TCM injection practice"),
    "multicomponent_biochemical": (
        "multicomponent_biochemical_years",
        "多组分生化药实践",
        "multi-component biochemical practice",
    ),
}


@NOTICE.rule(
    id="134-17.key-persons-same-type",
    title_zh="中药注射剂、多组分生化药：关键人员三年以上同类型经验",
    title_en="TCM injections and multi-component biochemical drugs: key persons with three years of the same type",
    article="17",
    quote="拟受托生产中药注射剂、多组分生化药的，受托生产企业的生产负责人、质量负责人、质量授权人还应当具有同类型制剂产品三年以上生产和质量管理的实践经验。",
    applies_to="contract",
    bearer="cmo",
    severity="critical",
    condition=lambda ctx: any(p.flags & set(SAME_TYPE) for p in ctx.contract.products),
    condition_zh="委托品种含中药注射剂或多组分生化药",
    condition_en="the contract includes a TCM injection or a multi-component biochemical drug",
)
def key_persons_same_type(ctx: Ctx) -> Result:
    """For each of the two types the contract includes, each key person's years with that type."""
    types = sorted({flag for p in ctx.contract.products for flag in p.flags & set(SAME_TYPE)})
    ctx.read("types", types)
    required = ctx.param("key_person_same_type_years")
    return _key_persons(ctx, [(SAME_TYPE[t][0], SAME_TYPE[t][1], required, SAME_TYPE[t][2]) for t in types])
