"""Art. 16 and 19: during commissioned production the CMO holds a valid C licence entry and the MAH a
valid B licence entry for the product, each naming the other party.

（十六）受托生产企业拟申请办理受托生产药品生产许可证（以下称C类许可证）核发或者申请C类许可证许可事项变更的，……
符合规定的，方可核发C类许可证或者批准相关变更。

（十九）……持有人所在地省级药品监督管理部门应当严格审核持有人提交的申请材料，按规定对申请人开展现场检查，符合规定
的，核发B类许可证或者批准相关变更。……

The notice names the two licences and how they are granted; that a commission is carried out only
under them is what "方可核发" presupposes (and the Measures on drug production supervision require).
Readings common to both rules: they apply to a marketed product made under a contract in force
(the reading of "commissioned production" the other production rules use). An entry covers the
product when it is of the class (B or C), names the counterparty, names the product or no product
(an entry for every product of that counterparty), was entered on or before the date of evaluation
(or its date is not recorded) and not removed by then, on a drug manufacturing licence valid on that
date (issued on or before it, valid until it or later). The licences of the enterprise are what the
registry holds: none on record is none held. An entry of the class for the product whose counterparty
is not recorded, on a valid licence, cannot say whether it is this commission's: it is asked for.
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, Deadline, MissingFact, Result
from weituo.rules.facts import OrganisationFacts, ProductFacts
from weituo.rules.helpers import in_commercial_production

from . import NOTICE


def _producing(ctx: Ctx) -> bool:
    contract, product = ctx.contract, ctx.product
    ctx.read("product.status", product.status)
    ctx.read("contract.in_force", contract.in_force_on(ctx.as_of))
    return in_commercial_production(contract, product, ctx.as_of)


def _held(
    ctx: Ctx, holder: OrganisationFacts, class_code: str, counterparty: OrganisationFacts, product: ProductFacts
) -> Result:
    role = "cmo" if class_code == "C" else "mah"
    other_zh, other_en = ("委托方", "MAH") if class_code == "C" else ("受托方", "CMO")
    as_of = ctx.as_of
    candidates = [
        (licence, s)
        for licence in holder.licences
        if licence.kind == "drug"
        for s in licence.scopes
        if s.class_code == class_code
        and s.product_ref in (None, product.ref)
        and (s.entered_on is None or s.entered_on <= as_of)
        and (s.removed_on is None or s.removed_on > as_of)
    ]
    entries = [(licence, s) for licence, s in candidates if s.counterparty_ref == counterparty.ref]
    unnamed = [licence for licence, s in candidates if s.counterparty_ref is None and licence.valid_on(as_of)]
    ctx.read(
        "entries",
        [(licence.ref, licence.issued_on, licence.valid_until, s.product_ref) for licence, s in entries],
    )
    ctx.read("entries_without_counterparty", sorted({licence.ref for licence in unnamed}))
    valid = [licence for licence, _ in entries if licence.valid_on(as_of)]
    name_zh = f"{class_code}类许可证"
    name_en = f"class {class_code} licence"
    if valid:
        licence = max(valid, key=lambda x: x.valid_until)
        return ctx.met(
            f"{holder.name}持有有效的{name_zh}（{licence.number}，有效期至 {licence.valid_until}），载明{product.name}",
            f"{holder.name} holds a valid {name_en} ({licence.ref}, valid until {licence.valid_until}) covering "
            f"{product.name}",
            deadline=Deadline(licence.valid_until, False, f"licence {licence.ref} valid until"),
            action_zh=f"于 {licence.valid_until} 前办理许可证重新发证",
            action_en=f"have the licence renewed by {licence.valid_until}",
        )
    if unnamed:
        licence = unnamed[0]
        return ctx.needs(
            MissingFact(
                f"{role}.licences[{licence.ref}].counterparty",
                f"{holder.name}许可证{licence.ref}的{name_zh}生产范围载明的{other_zh}",
                f"the {other_en} named by the {name_en} entry of {holder.name}'s licence {licence.ref}",
            )
        )
    if entries:
        expired = max(licence.valid_until for licence, _ in entries)
        return ctx.not_met(
            f"{holder.name}载明{product.name}的{name_zh}不在有效期内（有效期至 {expired}）",
            f"{holder.name}'s {name_en} covering {product.name} is not valid on this date (valid until {expired})",
            action_zh="停止委托生产该品种，直至药品生产许可证重新发证",
            action_en="stop commissioned production of the product until the licence is reissued",
        )
    return ctx.not_met(
        f"{holder.name}无载明与{counterparty.name}委托生产{product.name}的{name_zh}",
        f"{holder.name} holds no {name_en} entry for {product.name} naming {counterparty.name}",
        action_zh=f"停止委托生产该品种，依法办理{name_zh}相关许可事项",
        action_en=f"stop commissioned production of the product and obtain the {name_en} entry",
    )


@NOTICE.rule(
    id="134-16.cmo-c-licence",
    title_zh="受托方持有载明受托品种的有效C类许可证",
    title_en="The CMO holds a valid C licence covering the commissioned product",
    article="16",
    quote="受托生产企业拟申请办理受托生产药品生产许可证（以下称C类许可证）核发或者申请C类许可证许可事项变更的",
    applies_to="product",
    bearer="cmo",
    severity="critical",
    condition=_producing,
    condition_zh="已上市品种在有效的委托下生产",
    condition_en="a marketed product made under a contract in force",
)
def cmo_c_licence(ctx: Ctx) -> Result:
    """On the date of evaluation the CMO's drug manufacturing licence in force has a C entry naming the
    MAH and the product (or every product of that MAH); see the module's readings."""
    contract = ctx.contract
    return _held(ctx, contract.cmo, "C", contract.mah, ctx.product)


@NOTICE.rule(
    id="134-19.mah-b-licence",
    title_zh="持有人持有载明委托品种的有效B类许可证",
    title_en="The MAH holds a valid B licence covering the commissioned product",
    article="19",
    quote="持有人所在地省级药品监督管理部门应当严格审核持有人提交的申请材料，按规定对申请人开展现场检查，符合规定的，核发B类许可证或者批准相关变更。",
    applies_to="product",
    bearer="mah",
    severity="critical",
    condition=_producing,
    condition_zh="已上市品种在有效的委托下生产",
    condition_en="a marketed product made under a contract in force",
)
def mah_b_licence(ctx: Ctx) -> Result:
    """On the date of evaluation the MAH's drug manufacturing licence in force has a B entry naming the
    CMO and the product (or every product commissioned to that CMO); see the module's readings. Within
    one province or across provinces alike: art. 19 only changes how the licence is obtained."""
    contract = ctx.contract
    return _held(ctx, contract.mah, "B", contract.cmo, ctx.product)
