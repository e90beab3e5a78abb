"""Art. 5, 12, 13: duties during commissioned production — periodic reviews, on-site supervision of
sterile validation, factory release by the QP, audit reports.

Reviews and on-site visits rest on records the platform does not hold yet: until an app holds them
the facts are None and the rules answer ``needs_information`` naming them. Batches and audits are
read from the platform's own records.
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, MissingFact, Result
from weituo.rules.helpers import in_commercial_production, periodic_duty, production_start

from . import NOTICE

# （五）……已上市产品受托生产期间，受托生产企业应当基于品种类型、工艺特点、在产情况，配合持有人开展季度风险研判
# 分析和年度产品质量回顾分析。……
REVIEW_QUOTE = "已上市产品受托生产期间，受托生产企业应当基于品种类型、工艺特点、在产情况，配合持有人开展季度风险研判分析和年度产品质量回顾分析。"


def _producing(ctx: Ctx) -> bool:
    contract, product = ctx.contract, ctx.product
    ctx.read("product.status", product.status)
    ctx.read("contract.in_force", contract.in_force_on(ctx.as_of))
    return in_commercial_production(contract, product, ctx.as_of)


def _review(ctx: Ctx, kind: str, interval: str, what_zh: str, what_en: str) -> Result:
    if not _producing(ctx):
        return ctx.not_applicable(
            "该已上市品种不在本协议下生产", "the product is not a marketed product in production under this contract"
        )
    product = ctx.product
    reviews = ctx.need(
        "contract.reviews",
        ctx.contract.reviews,
        f"{product.name}的{what_zh}记录",
        f"the {what_en} records of {product.name}",
    )
    return periodic_duty(
        ctx,
        events=[r.completed_on for r in reviews if r.product_ref == product.ref and r.kind == kind],
        start=production_start(ctx.contract, ctx),
        interval_months=ctx.param(interval),
        what_zh=what_zh,
        what_en=what_en,
    )


@NOTICE.rule(
    id="134-5.quarterly-risk-review",
    title_zh="季度风险研判分析",
    title_en="Quarterly risk review",
    article="5",
    quote=REVIEW_QUOTE,
    applies_to="product",
    bearer="mah",
    severity="major",
)
def quarterly_risk_review(ctx: Ctx) -> Result:
    """Reading of 季度: reviews at most three months apart, the first three months after production
    under the contract (or the notice) began. Only the present is judged: up to date, or overdue."""
    return _review(
        ctx, "quarterly_risk_review", "quarterly_review_interval_months", "季度风险研判分析", "quarterly risk review"
    )


@NOTICE.rule(
    id="134-5.apqr",
    title_zh="年度产品质量回顾分析",
    title_en="Annual product quality review",
    article="5",
    quote=REVIEW_QUOTE,
    applies_to="product",
    bearer="mah",
    severity="major",
)
def apqr(ctx: Ctx) -> Result:
    """Reading of 年度: reviews at most twelve months apart, the first twelve months after production
    under the contract (or the notice) began."""
    return _review(ctx, "apqr", "apqr_interval_months", "年度产品质量回顾分析", "annual product quality review")


# 受托生产无菌药品等高风险产品的，持有人应当派驻人员每年至少一次以现场检查的方式监督灭菌工艺验证、无菌工艺模拟
# 试验等验证活动；受托生产企业应当开放相关场所、区域，提供相关记录，积极配合持有人开展相关工作。


@NOTICE.rule(
    id="134-5.sterile-supervision",
    title_zh="持有人每年至少一次现场监督灭菌工艺验证、无菌工艺模拟试验",
    title_en="The MAH supervises sterilisation validation / aseptic process simulation on site at least yearly",
    article="5",
    quote="受托生产无菌药品等高风险产品的，持有人应当派驻人员每年至少一次以现场检查的方式监督灭菌工艺验证、无菌工艺模拟试验等验证活动",
    applies_to="product",
    bearer="mah",
    severity="major",
    condition=lambda ctx: bool(ctx.read("product.flags", ctx.product.flags) & {"sterile", "high_risk"}),
    condition_zh="无菌药品等高风险产品",
    condition_en="a sterile or other high-risk product",
)
def sterile_supervision(ctx: Ctx) -> Result:
    """Reading of 每年至少一次: visits at most twelve months apart, the first within twelve months of
    production under the contract (or the notice) starting. Any on-site supervision of a validation
    activity of the product counts."""
    if not _producing(ctx):
        return ctx.not_applicable(
            "该已上市品种不在本协议下生产", "the product is not a marketed product in production under this contract"
        )
    product = ctx.product
    visits = ctx.need(
        "contract.supervision_visits",
        ctx.contract.supervision_visits,
        f"持有人现场监督{product.name}灭菌工艺验证、无菌工艺模拟试验的记录",
        f"the MAH's on-site supervisions of sterilisation validation / aseptic process simulation of {product.name}",
    )
    return periodic_duty(
        ctx,
        events=[v.visited_on for v in visits if v.product_ref == product.ref],
        start=production_start(ctx.contract, ctx),
        interval_months=ctx.param("sterile_supervision_interval_months"),
        what_zh="持有人现场监督验证活动",
        what_en="on-site supervision of validation by the MAH",
    )


# （十二）……符合标准、条件及法律法规要求的药品，经质量授权人签字后方可出厂放行。出厂放行时，受托生产企业应当将与
# 受托生产产品相关的批生产记录、批检验记录、偏差调查记录等相关记录及数据一并提交持有人。……


@NOTICE.rule(
    id="134-12.factory-release",
    title_zh="出厂放行经受托方质量授权人签字并随附记录提交持有人",
    title_en="Factory release signed by the CMO's QP, records sent to the MAH",
    article="12",
    quote="符合标准、条件及法律法规要求的药品，经质量授权人签字后方可出厂放行。出厂放行时，受托生产企业应当将与受托生产产品相关的批生产记录、批检验记录、偏差调查记录等相关记录及数据一并提交持有人。",
    applies_to="product",
    bearer="cmo",
    severity="critical",
)
def factory_release(ctx: Ctx) -> Result:
    """Every batch of the product factory-released on or before the date of evaluation was signed by a
    person holding the CMO's QP appointment on the release date, and its records were sent to the MAH
    (on or before market release, when there is one: the MAH reviews them at market release). A
    release signed in the platform by an account with the CMO's QP role (``released_by_qp_account``)
    is a QP's signature: the release service refuses anyone else."""
    product = ctx.product
    batches = ctx.need(
        "contract.batches",
        ctx.contract.batches,
        f"{product.name}的批次及出厂放行记录",
        f"the batches and factory releases of {product.name}",
    )
    released = [
        b
        for b in batches
        if b.product_ref == product.ref and b.factory_released_on and b.factory_released_on <= ctx.as_of
    ]
    ctx.read(
        "released_batches", [(b.ref, b.factory_released_on, b.released_by_ref, b.records_sent_on) for b in released]
    )
    if not released:
        return ctx.not_applicable("尚无出厂放行的批次", "no batch has been factory-released yet")
    people = {p.ref: p for p in ctx.contract.cmo.key_persons}
    problems_zh, problems_en, missing = [], [], []
    for b in released:
        signer = people.get(b.released_by_ref or "")
        if b.released_by_ref is None and b.released_by_qp_account:
            pass  # signed in the platform by an account holding the CMO's QP role, checked at signing
        elif b.released_by_ref is None:
            missing.append(
                MissingFact(
                    f"batches[{b.ref}].released_by_ref",
                    f"批次{b.number or b.ref}的放行人",
                    f"who released batch {b.number or b.ref}",
                )
            )
        elif signer is None or not signer.holds("qp", b.factory_released_on):
            problems_zh.append(f"批次{b.number or b.ref}不是由受托方质量授权人放行")
            problems_en.append(f"batch {b.number or b.ref} was not released by the CMO's QP")
        if b.records_sent_on is None:
            problems_zh.append(f"批次{b.number or b.ref}的记录未提交持有人")
            problems_en.append(f"the records of batch {b.number or b.ref} were not sent to the MAH")
        elif b.market_released_on and b.records_sent_on > b.market_released_on:
            problems_zh.append(f"批次{b.number or b.ref}的记录晚于上市放行才提交")
            problems_en.append(f"the records of batch {b.number or b.ref} were sent after market release")
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="出厂放行由受托方质量授权人签字，并随放行将批生产记录、批检验记录、偏差调查记录提交持有人",
            action_en="have the CMO's QP sign each factory release and send the batch, test and deviation records with it",
        )
    if missing:
        return ctx.needs(*missing)
    return ctx.met(
        "已放行批次均经质量授权人签字并提交记录", "every released batch was signed by the QP and its records sent"
    )


# （十三）……持有人对受托生产企业完成现场审核工作后，应当及时撰写现场审核报告。


@NOTICE.rule(
    id="134-13.audit-report",
    title_zh="现场审核后及时撰写现场审核报告",
    title_en="An audit report after each on-site audit",
    article="13",
    quote="持有人对受托生产企业完成现场审核工作后，应当及时撰写现场审核报告。",
    applies_to="contract",
    bearer="mah",
    severity="minor",
)
def audit_report(ctx: Ctx) -> Result:
    """Each on-site audit of the CMO by the MAH has a report. 及时 sets no number of days, so none is
    invented: a report missing is not met, without a deadline."""
    audits = ctx.need("contract.audits", ctx.contract.audits, "持有人对受托方的审核记录", "the MAH's audits of the CMO")
    on_site = [a for a in audits if a.kind == "on_site" and a.audited_on <= ctx.as_of]
    ctx.read("on_site_audits", [(a.ref, a.audited_on, a.report_on) for a in on_site])
    if not on_site:
        return ctx.not_applicable("尚无现场审核", "no on-site audit yet")
    without = [a for a in on_site if a.report_on is None]
    if without:
        return ctx.not_met(
            "现场审核未撰写报告：" + "、".join(f"{a.ref}（{a.audited_on}）" for a in without),
            "on-site audits without a report: " + ", ".join(f"{a.ref} ({a.audited_on})" for a in without),
            action_zh="及时撰写现场审核报告",
            action_en="write the on-site audit reports now",
        )
    return ctx.met("每次现场审核均有报告", "every on-site audit has its report")
