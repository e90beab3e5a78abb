"""The rules of the biologics segmented-production pilot, each under the text it implements.

A contract is concerned when one of its products is a biologic in the pilot (``segmented_pilot``);
for a biologic whose pilot status the platform does not hold, the rules ask for it.
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, Deadline, MissingFact, Result
from weituo.rules.facts import ProductFacts
from weituo.rules.helpers import commissioning_date, experience_years, in_commercial_production, person_text

from . import NOTICE


def _is_pilot(ctx: Ctx, product: ProductFacts) -> bool:
    if "biologic" not in product.flags:
        return False
    return ctx.need(
        f"products[{product.ref}].segmented_pilot",
        product.segmented_pilot,
        f"{product.name}是否为生物制品分段生产试点品种",
        f"whether {product.name} is a product of the segmented-production pilot",
    )


def _contract_in_pilot(ctx: Ctx) -> bool:
    pilot = [p.ref for p in ctx.contract.products if _is_pilot(ctx, p)]
    return bool(ctx.read("pilot_products", pilot))


def _product_in_pilot(ctx: Ctx) -> bool:
    return _is_pilot(ctx, ctx.product)


# 二（二）试点企业 试点品种的持有人应当具备试点品种的自主研发、质量管理、风险防控和责任赔偿能力，持有人及分段生产的相关
# 受托生产企业应当执行统一的质量管理体系。参加试点工作的受托生产企业应当具备完善的药品质量保证体系，具有三年以上生物制品
# 商业化生产经验。


@NOTICE.rule(
    id="bio-2.2.unified-qms",
    title_zh="持有人及分段生产受托企业执行统一的质量管理体系",
    title_en="The MAH and the segment CMOs run one quality system",
    article="2(2)",
    quote="持有人及分段生产的相关受托生产企业应当执行统一的质量管理体系。",
    applies_to="contract",
    severity="critical",
    condition=_contract_in_pilot,
    condition_zh="委托品种含试点品种",
    condition_en="the contract includes a pilot product",
)
def unified_qms(ctx: Ctx) -> Result:
    """Met when both are in one group running one quality system, or when the parties' one quality
    system is recorded (``unified_qms_confirmed``); asked for otherwise."""
    contract = ctx.contract
    if ctx.read("same_group_unified_qms", contract.mah.same_group_unified_qms(contract.cmo)):
        return ctx.met("同一集团执行统一质量管理体系", "one group running one quality system")
    confirmed = ctx.need(
        "contract.unified_qms_confirmed",
        contract.unified_qms_confirmed,
        "委托双方是否执行统一的质量管理体系",
        "whether the parties run one quality system",
    )
    if confirmed:
        return ctx.met("委托双方执行统一的质量管理体系", "the parties run one quality system")
    return ctx.not_met(
        "委托双方未执行统一的质量管理体系",
        "the parties do not run one quality system",
        action_zh="建立并执行覆盖分段生产各方的统一质量管理体系",
        action_en="set up and run one quality system across the segment sites",
    )


@NOTICE.rule(
    id="bio-2.2.cmo-experience",
    title_zh="受托方三年以上生物制品商业化生产经验",
    title_en="The CMO has three years of commercial production of biologics",
    article="2(2)",
    quote="参加试点工作的受托生产企业应当具备完善的药品质量保证体系，具有三年以上生物制品商业化生产经验。",
    applies_to="contract",
    severity="critical",
    condition=_contract_in_pilot,
    condition_zh="委托品种含试点品种",
    condition_en="the contract includes a pilot product",
)
def cmo_experience(ctx: Ctx) -> Result:
    """The CMO's commercial production of biologics, overlaps once, up to the signing (for a draft or
    a contract signed before the pilot, up to the date of evaluation)."""
    cmo = ctx.contract.cmo
    entries = ctx.need(
        "cmo.experience", cmo.experience, "受托方生物制品生产经验", "the CMO's biologics production experience"
    )
    required = ctx.param("cmo_biologics_experience_years")
    years = ctx.read(
        "cmo.biologics_years",
        experience_years(
            entries, as_of=commissioning_date(ctx, ctx.contract), activities={"commercial_production"}, biologic=True
        ),
    )
    if years >= required:
        return ctx.met(
            f"受托方生物制品商业化生产经验{years}年", f"the CMO has {years} years of commercial biologics production"
        )
    return ctx.not_met(
        f"受托方生物制品商业化生产经验{years}年，不足{required}年",
        f"the CMO has {years} years of commercial biologics production, short of {required}",
        action_zh="选择具有三年以上生物制品商业化生产经验的受托生产企业",
        action_en="choose a CMO with three years or more of commercial biologics production",
    )


# 四（二）参加试点工作的持有人应当建立完善的药品质量管理体系，每个试点品种在产期间选派两名以上熟悉产品生产工艺和药品GMP管理
# 要求的技术人员至受托生产企业驻厂指导和监督，确保委托双方质量管理体系标准统一、有效衔接。


@NOTICE.rule(
    id="bio-4.2.resident-staff",
    title_zh="每个试点品种在产期间两名以上技术人员驻厂",
    title_en="Two or more of the MAH's technical staff resident at the CMO per pilot product in production",
    article="4(2)",
    quote="每个试点品种在产期间选派两名以上熟悉产品生产工艺和药品GMP管理要求的技术人员至受托生产企业驻厂指导和监督，确保委托双方质量管理体系标准统一、有效衔接。",
    applies_to="product",
    bearer="mah",
    severity="major",
    condition=_product_in_pilot,
    condition_zh="试点品种",
    condition_en="a pilot product",
)
def resident_staff(ctx: Ctx) -> Result:
    """In production (a marketed product under a contract in force): at least two of the MAH's people
    named as resident staff in the agreement in force for this product, each with written duties.
    "每个试点品种…选派两名以上" counts per pilot product: a resident stationed for named products counts
    for those; one for whom the agreement names no product counts only where the contract has a
    single pilot product — two residents do not cover any number of pilot products. Where several
    pilot products share unassigned residents, which product each serves is asked for. Their
    familiarity with the process is not checked: the platform holds no CV for them."""
    contract, product = ctx.contract, ctx.product
    if not in_commercial_production(contract, product, ctx.as_of):
        return ctx.not_applicable("试点品种未在产", "the pilot product is not in production")
    agreement = contract.current_agreement(ctx.as_of)
    if agreement is None:
        return ctx.needs(
            MissingFact("contract.agreements", "质量协议（驻厂人员）", "the quality agreement (resident staff)")
        )
    mine = [r for r in agreement.resident_staff if r.person.organisation_ref == contract.mah.ref and r.duties.strip()]
    pilots = ctx.read("pilot_products", sorted(p.ref for p in contract.products if p.segmented_pilot))
    assigned = [r for r in mine if r.product_refs is not None and product.ref in r.product_refs]
    unassigned = [r for r in mine if r.product_refs is None]
    residents = assigned + (unassigned if len(pilots) <= 1 else [])
    ctx.read("resident_staff", [person_text(r.person) for r in residents])
    required = ctx.param("resident_staff_min")
    if len(residents) < required and unassigned and len(pilots) > 1:
        return ctx.needs(
            MissingFact(
                "agreement.resident_staff.product_refs",
                "各驻厂人员所驻的试点品种",
                "the pilot product each resident is stationed for",
            )
        )
    if len(residents) >= required:
        return ctx.met(f"驻厂技术人员{len(residents)}名", f"{len(residents)} resident technical staff")
    return ctx.not_met(
        f"驻厂技术人员{len(residents)}名，少于{required}名",
        f"{len(residents)} resident technical staff, fewer than {required}",
        action_zh=f"选派{required}名以上熟悉工艺和GMP的技术人员驻厂，并在质量协议中明确职责",
        action_en=f"station {required} or more technical staff who know the process and GMP, with their duties in the agreement",
    )


# 五（一）……申请人《药品生产许可证》应载明原液及制剂生产地址，原液和（或者）制剂受托生产企业《药品生产许可证》应载明原液
# 和（或者）制剂生产地址；……


@NOTICE.rule(
    id="bio-5.1.licence-sites",
    title_zh="许可证载明原液及制剂生产地址",
    title_en="The licences show the drug-substance and drug-product sites",
    article="5(1)",
    quote="申请人《药品生产许可证》应载明原液及制剂生产地址，原液和（或者）制剂受托生产企业《药品生产许可证》应载明原液和（或者）制剂生产地址",
    applies_to="product",
    severity="major",
    condition=_product_in_pilot,
    condition_zh="试点品种",
    condition_en="a pilot product",
)
def licence_sites(ctx: Ctx) -> Result:
    """The MAH's licence entries for the product name both a drug-substance and a drug-product site;
    the CMO's entries for it (naming this MAH) name the stage(s) it makes. When no entry records its
    stage (``stage``), the platform asks for it."""
    contract, product = ctx.contract, ctx.product
    mah_scopes = [
        s for lc in contract.mah.licences if lc.kind == "drug" for s in lc.scopes if s.product_ref == product.ref
    ]
    cmo_scopes = [
        s
        for lc in contract.cmo.licences
        if lc.kind == "drug"
        for s in lc.scopes
        if s.product_ref == product.ref and s.counterparty_ref in (None, contract.mah.ref)
    ]
    mah_stages = ctx.read("mah.stages", {s.stage for s in mah_scopes if s.stage})
    cmo_stages = ctx.read("cmo.stages", {s.stage for s in cmo_scopes if s.stage})
    if not mah_stages and not cmo_stages:
        return ctx.needs(
            MissingFact(
                f"licence_scopes[{product.ref}].stage",
                f"{product.name}许可证载明的原液、制剂生产地址",
                f"the drug-substance and drug-product sites on the licences for {product.name}",
            )
        )
    problems_zh, problems_en = [], []
    lacking = {"drug_substance", "drug_product"} - mah_stages
    if lacking:
        names = {"drug_substance": ("原液", "drug substance"), "drug_product": ("制剂", "drug product")}
        problems_zh.append("持有人许可证未载明" + "、".join(names[x][0] for x in sorted(lacking)) + "生产地址")
        problems_en.append(
            "the MAH's licence lacks the " + " and ".join(names[x][1] for x in sorted(lacking)) + " site"
        )
    if not cmo_stages:
        problems_zh.append("受托方许可证未载明其原液或制剂生产地址")
        problems_en.append("the CMO's licence does not name its drug-substance or drug-product site")
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="办理许可证变更，载明原液和制剂生产地址",
            action_en="apply for the licence change naming the drug-substance and drug-product sites",
        )
    return ctx.met("许可证载明了原液和制剂生产地址", "the licences name the drug-substance and drug-product sites")


# 二（四）试点期限 试点工作自本方案印发之日起实施，至2026年12月31日结束。


# 二（三）试点品种 试点品种原则上应当为创新生物制品、临床急需生物制品或者国家药监局规定的其他生物制品，包括多联多价疫苗、
# 抗体类生物制品、抗体偶联类生物制品、胰高血糖素样肽-1类生物制品以及胰岛素类生物制品等。

ELIGIBLE_CATEGORIES = frozenset(
    {"innovative", "clinically_urgent", "multivalent_vaccine", "antibody", "adc", "glp1", "insulin", "designated"}
)


@NOTICE.rule(
    id="bio-2.3.eligible-product",
    title_zh="试点品种为方案所列类别的生物制品",
    title_en="A pilot product is a biologic of a kind the plan names",
    article="2(3)",
    quote="试点品种原则上应当为创新生物制品、临床急需生物制品或者国家药监局规定的其他生物制品",
    applies_to="product",
    bearer="mah",
    severity="major",
    condition=_product_in_pilot,
    condition_zh="试点品种",
    condition_en="a pilot product",
)
def eligible_product(ctx: Ctx) -> Result:
    """The kind of biologic the MAH stated for the pilot product (``pilot_category``): one the plan
    names — innovative, clinically urgent, or another the NMPA designates, "including" the five
    classes it lists — is met; "none of these" is not met ("原则上": the province may still have
    admitted it, which the finding's reason leaves to the reader); not stated, it is asked for. A
    product flagged innovative or clinically urgent in the registry is eligible on that alone."""
    product = ctx.product
    flagged = sorted(ctx.read("product.flags", set(product.flags)) & {"innovative", "clinically_urgent"})
    if flagged:
        return ctx.met(
            f"{product.name}为创新或临床急需生物制品", f"{product.name} is an innovative or clinically urgent biologic"
        )
    category = ctx.need(
        "product.pilot_category",
        product.pilot_category,
        f"{product.name}的试点品种类别",
        f"the pilot category of {product.name}",
    )
    if category in ELIGIBLE_CATEGORIES:
        return ctx.met(f"试点品种类别：{category}", f"pilot category: {category}")
    return ctx.not_met(
        f"{product.name}不属于方案所列的试点品种类别",
        f"{product.name} is not of a kind the pilot plan names",
        action_zh="确认该品种纳入试点的依据（国家药监局的规定），或不以分段方式委托生产",
        action_en="establish the basis on which the product is in the pilot (an NMPA designation), or do not make it in segments",
    )


@NOTICE.rule(
    id="bio-2.4.pilot-window",
    title_zh="分段生产在试点期限内",
    title_en="Segmented production within the pilot period",
    article="2(4)",
    quote="试点工作自本方案印发之日起实施，至2026年12月31日结束。",
    applies_to="product",
    bearer="mah",
    severity="critical",
    effective_until=None,
    condition=_product_in_pilot,
    condition_zh="试点品种",
    condition_en="a pilot product",
)
def pilot_window(ctx: Ctx) -> Result:
    """Not bounded by the pilot itself: it says what happens after. Within the period, met with the
    end as deadline; after it, a pilot product still commissioned under a contract in force is not met
    (segmented production needs another basis), otherwise not applicable."""
    end = ctx.param("pilot_end")
    deadline = Deadline(end, False, "the last day of the pilot (二（四）)")
    if ctx.as_of <= end:
        return ctx.met(
            f"试点期限至 {end}",
            f"the pilot runs until {end}",
            deadline=deadline,
            action_zh="在试点结束前明确分段生产的后续安排",
            action_en="settle what follows segmented production before the pilot ends",
        )
    if not ctx.read("contract.in_force", ctx.contract.in_force_on(ctx.as_of)):
        return ctx.not_applicable("委托已不在有效期内", "the commission is no longer in force")
    return ctx.not_met(
        f"试点已于 {end} 结束，试点品种仍在分段委托生产",
        f"the pilot ended on {end} and the pilot product is still made in segments under commission",
        action_zh="按试点结束后的规定办理，或停止分段生产",
        action_en="follow the rules that apply after the pilot, or stop segmented production",
        deadline=deadline,
    )
