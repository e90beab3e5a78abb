"""Art. 25: commissions existing at publication are brought into line within one year.

（二十五）各省级药品监督管理部门应当加强政策宣贯，督促持有人和受托生产企业对照本公告要求开展全面自查。委托生产情况
与本公告要求不一致的，委托双方应当沟通协商，制定整改方案，原则上应当在本公告发布后一年内完成整改，个别项目整改时间
确需超过一年的，应当明确理由和完成时限。……
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, Deadline, MissingFact, Outcome, Result, get_rule

from . import NOTICE


def _existing_at_publication(ctx: Ctx) -> bool:
    published = NOTICE.published_on
    contract = ctx.contract
    ctx.read("notice.published_on", published)
    ctx.read("contract.effective_from", contract.effective_from)
    return published is not None and ctx.read("in_force_at_publication", contract.in_force_on(published))


@NOTICE.rule(
    id="134-25.rectification",
    title_zh="公告发布前已有的委托在一年内完成整改",
    title_en="Commissions existing at publication are rectified within one year",
    article="25",
    quote="委托生产情况与本公告要求不一致的，委托双方应当沟通协商，制定整改方案，原则上应当在本公告发布后一年内完成整改，个别项目整改时间确需超过一年的，应当明确理由和完成时限。",
    applies_to="contract",
    severity="major",
    reads_findings=True,
    condition=_existing_at_publication,
    condition_zh="公告发布之日已生效的委托",
    condition_en="a commission in force on the day the notice was published",
)
def rectification(ctx: Ctx) -> Result:
    """Reading of the dates: 发布 2026-01-06 (the document is signed 2025-12-30, which is not the
    publication), so "within one year after publication" ends on 2027-01-06 (corresponding day, Civil
    Code art. 201–202; no extension for a holiday is applied, which can only make the date earlier
    than the legal one, never later). A contract counts as existing if it was in force on 2026-01-06.
    The other rules of this notice on the same contract decide: any not met → rectification still
    open (due 2027-01-06, or the date of a rectification plan's stated extension); any needing
    information → asks for it; otherwise met. Each of those not met without a deadline of its own is
    due by the same date (the plan's extension included). Line and enterprise findings are not part of it, nor
    the regulator's own duties (the province's 15 working days for the opinion letter, art. 19 and
    annex 2): "委托双方应当…完成整改" binds the two parties, who cannot rectify a province's delay."""
    contract = ctx.contract
    deadline = ctx.years_after(NOTICE.published_on, ctx.param("rectification_years"), "发布 publication")
    plan = ctx.read("contract.rectification_plan", contract.rectification_plan)
    if plan is not None and plan.extended_until is not None and plan.extension_reason.strip():
        deadline = Deadline(plan.extended_until, False, f"extension in the rectification plan: {plan.extension_reason}")
    own = [
        f
        for f in ctx.findings
        if f.notice == NOTICE.id
        and f.rule_id != ctx.rule.id
        and f.subject.get("contract") == contract.ref
        and get_rule(f.rule_id).bearer != "regulator"
    ]
    not_met = sorted({f.rule_id for f in own if f.outcome == Outcome.NOT_MET})
    unknown = sorted({f.rule_id for f in own if f.outcome == Outcome.NEEDS_INFORMATION})
    ctx.read("rules_not_met", not_met)
    ctx.read("rules_needing_information", unknown)
    if not_met:
        return ctx.not_met(
            "与公告要求不一致：" + "、".join(not_met),
            "not in line with the notice: " + ", ".join(not_met),
            action_zh=f"委托双方制定整改方案并于 {deadline.date} 前完成整改；个别项目确需超过一年的，明确理由和完成时限",
            action_en=f"agree a rectification plan and complete it by {deadline.date}; an item needing longer states its reason and date",
            deadline=deadline,
            governs=not_met,
        )
    if unknown:
        return ctx.needs(
            *(
                MissingFact(f"findings[{rule_id}]", f"{rule_id} 所需信息", f"the information {rule_id} needs")
                for rule_id in unknown
            ),
            reason_zh="自查尚未完成：部分要求缺少判断所需信息",
            reason_en="self-inspection incomplete: some requirements lack the facts to decide",
        )
    return ctx.met("委托生产情况与公告要求一致", "the commission is in line with the notice", deadline=deadline)
