"""Art. 9: changes to a commissioned product are approved by the MAH, approved by or filed with the
regulator as the law requires before they are implemented; a disputed class is managed at the higher.

（九）……涉及受托生产产品的相关变更，未经持有人批准，不得擅自实施。受托生产企业应当配合持有人共同开展变更相关
研究，确定变更的类别，并配合持有人依法进行报批、备案或者报告。委托双方关于变更类别未达成一致的，应当按照较高级别
进行变更管理。……

The change records come from the quality app's change control (``compliance.facts``).
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, MissingFact, Result
from weituo.rules.helpers import contract_changes

from . import NOTICE

RANK = {"minor": 1, "moderate": 2, "major": 3}


def _changes(ctx: Ctx):
    contract = ctx.contract
    changes = contract_changes(ctx)
    refs = {p.ref for p in contract.products}
    relevant = [c for c in changes if c.product_ref is None or c.product_ref in refs]
    ctx.read("changes", [(c.ref, c.product_ref, c.implemented_on, c.mah_approved_on) for c in relevant])
    return relevant


@NOTICE.rule(
    id="134-9.mah-approval",
    title_zh="涉及受托产品的变更经持有人批准后实施",
    title_en="Changes to a commissioned product are implemented only once the MAH approved them",
    article="9",
    quote="涉及受托生产产品的相关变更，未经持有人批准，不得擅自实施。",
    applies_to="contract",
    severity="critical",
)
def mah_approval(ctx: Ctx) -> Result:
    """Each change implemented by the date of evaluation was approved by the MAH on or before its
    implementation."""
    implemented = [c for c in _changes(ctx) if c.implemented_on is not None and c.implemented_on <= ctx.as_of]
    if not implemented:
        return ctx.met("无已实施的变更", "no change has been implemented")
    unapproved = [c for c in implemented if c.mah_approved_on is None or c.mah_approved_on > c.implemented_on]
    if unapproved:
        return ctx.not_met(
            "未经持有人批准即实施的变更：" + "、".join(c.ref for c in unapproved),
            "changes implemented without the MAH's prior approval: " + ", ".join(c.ref for c in unapproved),
            action_zh="评估已实施变更的质量风险并采取措施，补充持有人审批；今后变更经持有人批准后方可实施",
            action_en="assess the quality risk of these changes and act on it, obtain the MAH's approval, "
            "and implement changes only once approved",
        )
    return ctx.met("已实施的变更均经持有人事先批准", "every implemented change was approved by the MAH beforehand")


@NOTICE.rule(
    id="134-9.higher-class",
    title_zh="变更类别未达成一致时按较高级别管理",
    title_en="A change whose class the parties dispute is managed at the higher class",
    article="9",
    quote="委托双方关于变更类别未达成一致的，应当按照较高级别进行变更管理。",
    applies_to="contract",
    severity="major",
)
def higher_class(ctx: Ctx) -> Result:
    """Where the MAH and the CMO classed a change differently, it is managed at the higher of the two."""
    disputed = [c for c in _changes(ctx) if c.mah_class and c.cmo_class and c.mah_class != c.cmo_class]
    ctx.read("disputed", [(c.ref, c.mah_class, c.cmo_class, c.managed_as) for c in disputed])
    if not disputed:
        return ctx.not_applicable("无类别存在分歧的变更", "no change with a disputed class")
    unknown = [c for c in disputed if c.managed_as is None]
    lower = [
        c
        for c in disputed
        if c.managed_as is not None and RANK[c.managed_as] < max(RANK[c.mah_class], RANK[c.cmo_class])
    ]
    if lower:
        return ctx.not_met(
            "类别有分歧但未按较高级别管理：" + "、".join(c.ref for c in lower),
            "disputed changes not managed at the higher class: " + ", ".join(c.ref for c in lower),
            action_zh="按较高级别重新进行变更管理（报批、备案或报告）",
            action_en="manage these changes at the higher class (approval, filing or report)",
        )
    if unknown:
        return ctx.needs(
            *(
                MissingFact(
                    f"changes[{c.ref}].managed_as",
                    f"变更{c.ref}实际按何种类别管理",
                    f"the class change {c.ref} was managed as",
                )
                for c in unknown
            )
        )
    return ctx.met("有分歧的变更均按较高级别管理", "disputed changes were managed at the higher class")


@NOTICE.rule(
    id="134-9.authority-before-implementation",
    title_zh="需报批或备案的变更经批准或备案后方可实施",
    title_en="A change needing the regulator's approval or a filing is implemented only after it",
    article="9",
    quote="受托生产企业应当配合持有人共同开展变更相关研究，确定变更的类别，并配合持有人依法进行报批、备案或者报告。",
    applies_to="contract",
    severity="critical",
)
def authority_before_implementation(ctx: Ctx) -> Result:
    """Reading of 依法进行报批、备案: the law the article refers to (Drug Administration Law art. 79 and
    the post-approval change rules) has a change on the approval path (报批) implemented only once the
    regulator approved it, and one on the filing path (备案) only once it was filed; a change on the
    report path (报告) goes into the annual report and may be implemented at once. So each change
    implemented by the date of evaluation on the approval path has the regulator's approval dated on
    or before its implementation, and each on the filing path its filing (the day it was submitted).
    The path is the governing one (the higher of the parties', art. 9). An implemented change whose
    path is not recorded asks for it."""
    seen: dict[str, object] = {}
    for change in _changes(ctx):
        if change.implemented_on is not None and change.implemented_on <= ctx.as_of:
            seen.setdefault(change.ref, change)  # one fact per product: the dates are the change's
    implemented = list(seen.values())
    ctx.read(
        "implemented_changes",
        [
            (c.ref, c.regulatory_path, c.implemented_on, c.authority_approved_on, c.authority_filed_on)
            for c in implemented
        ],
    )
    early, missing, regulated = [], [], []
    for c in implemented:
        if c.regulatory_path is None:
            missing.append(
                MissingFact(
                    f"changes[{c.ref}].regulatory_path",
                    f"变更{c.ref}的管理类别（报批、备案或报告）",
                    f"the regulatory path of change {c.ref} (approval, filing or report)",
                )
            )
            continue
        if c.regulatory_path == "report":
            continue
        regulated.append(c)
        done = c.authority_approved_on if c.regulatory_path == "approval" else c.authority_filed_on
        if done is None or done > c.implemented_on:
            early.append(c)
    if early:
        what_zh = {"approval": "批准", "filing": "备案"}
        what_en = {"approval": "approval", "filing": "filing"}
        return ctx.not_met(
            "变更在药品监督管理部门批准或备案前实施："
            + "、".join(f"{c.ref}（{what_zh[c.regulatory_path]}）" for c in early),
            "changes implemented before the regulator's approval or the filing: "
            + ", ".join(f"{c.ref} ({what_en[c.regulatory_path]})" for c in early),
            action_zh="评估已实施变更的质量风险并采取措施，依法完成报批或备案；今后经批准或备案后方可实施",
            action_en="assess the quality risk of these changes and act on it, complete the approval or filing, "
            "and implement such changes only after it",
        )
    if missing:
        return ctx.needs(*missing)
    if not regulated:
        return ctx.not_applicable(
            "无已实施的需报批或备案的变更", "no change on the approval or filing path has been implemented"
        )
    return ctx.met(
        "需报批或备案的变更均在批准或备案后实施",
        "every change on the approval or filing path was implemented after the approval or filing",
    )
