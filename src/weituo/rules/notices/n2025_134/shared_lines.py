"""Art. 8 and 10: shared lines — changes notified to every MAH on the line, capacity, the same generic
name for several holders, one product at several CMOs.
"""

from __future__ import annotations

from decimal import Decimal

from weituo.rules.engine import Ctx, MissingFact, Result

from . import NOTICE


def _is_cmo(ctx: Ctx) -> bool:
    return "cmo" in ctx.read("enterprise.roles", ctx.organisation.roles)


def _shared_line(ctx: Ctx) -> bool:
    return _is_cmo(ctx) and len(ctx.read("line.products", [p.ref for p in ctx.line.products])) >= 2


# （八）……在共线生产条件发生变化时（如新增商业化生产药品、新增非商业化品种、处方及生产工艺变更、设备设施变更或者
# 发生其他重大变更等），受托生产企业应当形成清晰明确的共线生产风险评估结论，根据评估结论采取有效的风险控制措施，并及时
# 将共线生产风险评估结论和采取的风险控制措施通报所有共线生产品种的持有人，通报信息中如涉及依法应当予以保护的商业信息可
# 不显示。……


@NOTICE.rule(
    id="134-8.shared-line-change",
    title_zh="共线条件变化经评估并通报所有共线品种持有人",
    title_en="A change of shared-line conditions is assessed and notified to every MAH on the line",
    article="8",
    quote="在共线生产条件发生变化时（如新增商业化生产药品、新增非商业化品种、处方及生产工艺变更、设备设施变更或者发生其他重大变更等），受托生产企业应当形成清晰明确的共线生产风险评估结论，根据评估结论采取有效的风险控制措施，并及时将共线生产风险评估结论和采取的风险控制措施通报所有共线生产品种的持有人",
    applies_to="line",
    severity="major",
    condition=_shared_line,
    condition_zh="受托生产企业的共线生产线（两个以上品种）",
    condition_en="a CMO's line shared by two or more products",
)
def shared_line_change(ctx: Ctx) -> Result:
    """Every change of the line's shared-production conditions has a risk assessment and was notified
    to each holder of a product on the line other than the CMO itself. 及时 sets no number of days."""
    line = ctx.line
    changes = ctx.need(
        "line.shared_line_changes",
        line.shared_line_changes,
        f"生产线{line.name}共线生产条件变化及其风险评估、通报记录",
        f"the changes of shared-line conditions of line {line.name}, their assessments and notifications",
    )
    holders = line.holder_refs() - {ctx.organisation.ref}
    ctx.read("line.holders", holders)
    problems_zh, problems_en = [], []
    for change in (c for c in changes if c.changed_on <= ctx.as_of):
        if change.assessed_on is None:
            problems_zh.append(f"变更{change.ref}无共线风险评估结论")
            problems_en.append(f"change {change.ref} has no shared-line risk assessment")
        unnotified = sorted(holders - change.notified_holder_refs)
        if unnotified:
            problems_zh.append(f"变更{change.ref}未通报：" + "、".join(unnotified))
            problems_en.append(f"change {change.ref} not notified to " + ", ".join(unnotified))
    ctx.read("changes", [(c.ref, c.changed_on, c.assessed_on, c.notified_holder_refs) for c in changes])
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="形成共线风险评估结论，采取控制措施，并通报所有共线品种持有人（可隐去受保护的商业信息）",
            action_en="conclude the shared-line risk assessment, take the controls and notify every MAH on the line "
            "(protected business information may be left out)",
        )
    return ctx.met(
        "共线条件变化均已评估并通报所有持有人", "every change was assessed and notified to every MAH on the line"
    )


# 受托生产企业应当结合生产线的设计产能、共线生产风险评估、清洁验证、生产管理、物料和成品管理等情况，合理确定接受委托
# 生产的品种数量和生产计划，确保产能始终处于合理范围内。


@NOTICE.rule(
    id="134-8.line-capacity",
    title_zh="共线品种计划产量不超过生产线设计产能",
    title_en="Planned volumes on a line do not exceed its design capacity",
    article="8",
    quote="受托生产企业应当结合生产线的设计产能、共线生产风险评估、清洁验证、生产管理、物料和成品管理等情况，合理确定接受委托生产的品种数量和生产计划，确保产能始终处于合理范围内。",
    applies_to="line",
    severity="major",
    condition=lambda ctx: _is_cmo(ctx) and bool(ctx.line.products),
    condition_zh="受托生产企业的在产生产线",
    condition_en="a CMO's line with products",
)
def line_capacity(ctx: Ctx) -> Result:
    """Reading of 合理范围: the sum of the planned annual volumes of every product on the line, of
    every holder, does not exceed the line's design capacity (both in the line's capacity unit)."""
    line = ctx.line
    capacity = ctx.need(
        "line.design_capacity",
        line.design_capacity,
        f"生产线{line.name}的设计产能",
        f"the design capacity of line {line.name}",
    )
    ctx.read("line.capacity_unit", line.capacity_unit)
    unknown = [p for p in line.products if p.annual_volume is None]
    if unknown:
        return ctx.needs(
            *(
                MissingFact(
                    f"line.products[{p.ref}].annual_volume",
                    f"{p.name}的计划年产量",
                    f"the planned annual volume of {p.name}",
                )
                for p in unknown
            )
        )
    volumes = {p.ref: p.annual_volume for p in line.products}
    ctx.read("line.planned_volumes", volumes)
    total = ctx.read("planned_total", sum(volumes.values(), Decimal(0)))
    if total > capacity:
        return ctx.not_met(
            f"计划年产量合计 {total} 超过设计产能 {capacity}（{line.capacity_unit}）",
            f"planned volumes total {total}, above the design capacity {capacity} ({line.capacity_unit})",
            action_zh="核减接受委托的品种数量或调整生产计划，使产能处于合理范围",
            action_en="take fewer products or re-plan production so that the line stays within its capacity",
        )
    return ctx.met(
        f"计划年产量合计 {total}，未超过设计产能 {capacity}",
        f"planned volumes total {total}, within the design capacity {capacity}",
    )


# （十）同一受托生产企业接受多家持有人委托生产同一通用名称药品，或者受托生产企业自身持有相同通用名称药品的，应当严格
# 生产全过程管理和文件管理，对制剂产品分别制定相应的工艺规程、质量标准、检验方法等，生产过程应当相互独立、严格区分；
# 还应当加强物料管理，关键物料、中间产品和制剂产品的管理应当相互独立、避免混淆，确保可追溯。


@NOTICE.rule(
    id="134-10.same-generic-name",
    title_zh="同一通用名称药品多家持有人（或受托方自有）时分别管理、相互独立",
    title_en="The same generic name for several holders at one CMO is kept separate",
    article="10",
    quote="同一受托生产企业接受多家持有人委托生产同一通用名称药品，或者受托生产企业自身持有相同通用名称药品的，应当严格生产全过程管理和文件管理，对制剂产品分别制定相应的工艺规程、质量标准、检验方法等，生产过程应当相互独立、严格区分",
    applies_to="product",
    bearer="cmo",
    severity="major",
)
def same_generic_name(ctx: Ctx) -> Result:
    """When the CMO makes a product of the same generic name for another holder, or holds one itself,
    the platform cannot see separate procedures, specifications and material flows: it asks for the
    evidence of separation (``separation_evidence`` for the product) and is met when it is recorded."""
    contract, product = ctx.contract, ctx.product
    name = product.name.strip()
    others = {
        p.ref: p.holder_ref
        for p in [*(p for ln in contract.cmo.lines for p in ln.products), *contract.cmo.held_products]
        if p.name.strip() == name and p.holder_ref != contract.mah.ref and p.ref != product.ref
    }
    ctx.read("same_name_products", others)
    if not others:
        return ctx.not_applicable(
            "受托方无其他持有人（或自有）的同名品种",
            "no product of the same generic name for another holder at the CMO",
        )
    evidence = ctx.need(
        "contract.separation_evidence",
        contract.separation_evidence,
        f"{product.name}与同名品种分别制定工艺规程、质量标准、检验方法并相互独立管理的证据",
        f"evidence that {product.name} has its own procedures, specifications and test methods and is kept separate from the same-name products",
    )
    found = [e for e in evidence if e.product_ref == product.ref and e.documented_on <= ctx.as_of]
    if not found:
        return ctx.needs(
            MissingFact(
                f"contract.separation_evidence[{product.ref}]",
                f"{product.name}与同名品种相互独立管理的证据",
                f"evidence that {product.name} is kept separate from the same-name products",
            )
        )
    ctx.read("separation_evidence", [(e.documented_on, e.description) for e in found])
    return ctx.met("已记录相互独立管理的证据", "evidence of separation is recorded")


# 持有人委托多个受托生产企业生产同一药品的，……持有人应当定期开展产品质量对比研究，确保产品质量一致。


@NOTICE.rule(
    id="134-10.several-cmos-comparison",
    title_zh="同一药品委托多个受托方时开展产品质量对比研究",
    title_en="An MAH with several CMOs for one product runs quality comparison studies",
    article="10",
    quote="持有人应当定期开展产品质量对比研究，确保产品质量一致。",
    applies_to="product",
    bearer="mah",
    severity="major",
)
def several_cmos_comparison(ctx: Ctx) -> Result:
    """Applies when the product is made by two or more CMOs (``cmo_refs``, built from the contracts in
    force). 定期 gives no interval, so none is invented: at least one comparison study must be on
    record; with none recorded the platform asks for them."""
    contract, product = ctx.contract, ctx.product
    cmos = ctx.need(
        "product.cmo_refs", product.cmo_refs, f"{product.name}的全部受托生产企业", f"every CMO making {product.name}"
    )
    cmos = ctx.read("product.cmos", frozenset(cmos) | {contract.cmo.ref})
    if len(cmos) < 2:
        return ctx.not_applicable("该品种仅委托一家受托方", "the product is made by one CMO only")
    studies = ctx.need(
        "contract.comparison_studies",
        contract.comparison_studies,
        f"{product.name}在各受托方之间的产品质量对比研究",
        f"the quality comparison studies of {product.name} across its CMOs",
    )
    done = [s.completed_on for s in studies if s.product_ref == product.ref and s.completed_on <= ctx.as_of]
    ctx.read("comparison_studies", done)
    if not done:
        return ctx.not_met(
            "多家受托方生产同一药品，未开展产品质量对比研究",
            "several CMOs make the product and no quality comparison study is on record",
            action_zh="组织各受托方开展产品质量对比研究，评估差异并制定风险防控措施",
            action_en="run a quality comparison study across the CMOs, assess the differences and set controls",
        )
    return ctx.met(f"最近一次对比研究：{max(done)}", f"latest comparison study: {max(done)}")


# （八）……对持有人反馈的意见，受托生产企业应当认真研判，采取相应措施，并与持有人达成一致。对存在风险隐患的，受托
# 生产企业应当采取经持有人审核过的纠正预防措施。


def _changes_so_far(ctx: Ctx):
    line = ctx.line
    changes = ctx.need(
        "line.shared_line_changes",
        line.shared_line_changes,
        f"生产线{line.name}共线生产条件变化及其风险评估、通报记录",
        f"the changes of shared-line conditions of line {line.name}, their assessments and notifications",
    )
    return [c for c in changes if c.changed_on <= ctx.as_of]


@NOTICE.rule(
    id="134-8.feedback-agreed",
    title_zh="对持有人反馈的共线风险意见研判处理并与持有人达成一致",
    title_en="The CMO answers each MAH's feedback on a shared-line notice and reaches agreement with it",
    article="8",
    quote="对持有人反馈的意见，受托生产企业应当认真研判，采取相应措施，并与持有人达成一致。",
    applies_to="line",
    severity="major",
    condition=_shared_line,
    condition_zh="受托生产企业的共线生产线（两个以上品种）",
    condition_en="a CMO's line shared by two or more products",
)
def feedback_agreed(ctx: Ctx) -> Result:
    """Every notified MAH that gave feedback on a shared-line risk notice of the line has reached
    agreement with the CMO (the agreement is recorded by the MAH's QA once the CMO answered its
    feedback). A notice without feedback asks for no agreement: the text speaks of "持有人反馈的意见".
    The text sets no time limit ("认真研判"), so none is invented: feedback still open is not met,
    without a deadline. Unknown feedback or agreement records ask for them."""
    problems_zh, problems_en, missing, seen = [], [], [], []
    for change in _changes_so_far(ctx):
        if change.feedback_holder_refs is None or change.agreed_holder_refs is None:
            missing.append(
                MissingFact(
                    f"shared_line_changes[{change.ref}].feedback",
                    f"共线风险评估{change.ref}的持有人反馈意见及达成一致的记录",
                    f"the MAHs' feedback on shared-line assessment {change.ref} and the agreements reached",
                )
            )
            continue
        seen.append((change.ref, change.feedback_holder_refs, change.agreed_holder_refs))
        open_ = sorted(change.feedback_holder_refs - change.agreed_holder_refs)
        if open_:
            problems_zh.append(f"评估{change.ref}：未与{'、'.join(open_)}就其反馈意见达成一致")
            problems_en.append(f"assessment {change.ref}: no agreement yet with {', '.join(open_)} on its feedback")
    ctx.read("feedback", seen)
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="认真研判持有人反馈意见，采取相应措施，并与持有人达成一致",
            action_en="evaluate the MAHs' feedback, take the measures it calls for and reach agreement with them",
        )
    if missing:
        return ctx.needs(*missing)
    if not any(feedback for _, feedback, _ in seen):
        return ctx.not_applicable("持有人未对共线风险通报反馈意见", "no MAH gave feedback on a shared-line notice")
    return ctx.met("持有人反馈意见均已研判处理并达成一致", "every MAH's feedback was answered and agreement reached")


@NOTICE.rule(
    id="134-8.capa-approved",
    title_zh="共线风险纠正预防措施经所有被通报持有人审核后方可采取",
    title_en="A shared-line CAPA is taken only once every notified MAH approved it",
    article="8",
    quote="对存在风险隐患的，受托生产企业应当采取经持有人审核过的纠正预防措施。",
    applies_to="line",
    severity="major",
    condition=_shared_line,
    condition_zh="受托生产企业的共线生产线（两个以上品种）",
    condition_en="a CMO's line shared by two or more products",
)
def capa_approved(ctx: Ctx) -> Result:
    """Reading of 经持有人审核过: each CAPA of a shared-line assessment that the CMO reported
    implemented was approved, on or before that day, by every MAH the assessment was notified to (the
    holders concerned; an MAH that should have been notified and was not is 134-8.shared-line-change's
    finding), and rejected by none. A CAPA still planned is not taken yet: nothing to judge. Unknown
    CAPA records ask for them."""
    problems_zh, problems_en, missing, taken = [], [], [], []
    for change in _changes_so_far(ctx):
        if change.capas is None:
            missing.append(
                MissingFact(
                    f"shared_line_changes[{change.ref}].capas",
                    f"共线风险评估{change.ref}的纠正预防措施及持有人审核记录",
                    f"the CAPAs of shared-line assessment {change.ref} and the MAHs' reviews",
                )
            )
            continue
        for capa in change.capas:
            if capa.implemented_on is None or capa.implemented_on > ctx.as_of:
                continue
            approved = {
                a.holder_ref for a in capa.approvals if a.decision == "approved" and a.decided_on <= capa.implemented_on
            }
            rejected = sorted({a.holder_ref for a in capa.approvals if a.decision == "rejected"})
            unapproved = sorted(change.notified_holder_refs - approved)
            taken.append((capa.ref, capa.implemented_on, sorted(approved), rejected))
            if unapproved:
                problems_zh.append(f"措施{capa.ref}实施前未经{'、'.join(unapproved)}审核同意")
                problems_en.append(f"CAPA {capa.ref} was taken without the approval of {', '.join(unapproved)}")
            if rejected:
                problems_zh.append(f"措施{capa.ref}被{'、'.join(rejected)}驳回仍予实施")
                problems_en.append(f"CAPA {capa.ref} was taken although {', '.join(rejected)} rejected it")
    ctx.read("capas_taken", taken)
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="将纠正预防措施提交所有被通报持有人审核，取得同意后方可实施；对已实施的措施补充审核并评估风险",
            action_en="submit the CAPA to every notified MAH and take it only once they approved; have the "
            "CAPAs already taken reviewed and assess the risk",
        )
    if missing:
        return ctx.needs(*missing)
    if not taken:
        return ctx.not_applicable("尚未采取共线风险纠正预防措施", "no shared-line CAPA has been taken yet")
    return ctx.met(
        "已采取的纠正预防措施均经所有被通报持有人事先审核同意",
        "every CAPA taken was approved beforehand by every notified MAH",
    )
