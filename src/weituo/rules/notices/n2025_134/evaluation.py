"""Art. 3: the CMO evaluates the MAH and the product before signing.

（三）受托生产企业应当对持有人及受托生产产品建立评估机制。在接受委托生产前，受托生产企业应当对持有人
及拟受托生产产品进行全面评估，评估重点包括持有人资质、质量管理能力以及拟受托生产产品风险因素、接受技术
转移的可行性、共线生产的可行性等。经评估符合要求的，方可签署委托生产协议与质量协议。在同一集团内执行统一
质量管理体系的企业之间委托生产药品的，可简化持有人资质、质量管理能力等评估内容。
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, Result
from weituo.rules.helpers import commissioning_date

from . import NOTICE

TOPICS = {
    "qualification": ("持有人资质", "the MAH's qualification"),
    "quality_capability": ("质量管理能力", "its quality management capability"),
    "product_risk": ("产品风险因素", "the product's risk factors"),
    "tech_transfer_feasibility": ("接受技术转移的可行性", "the feasibility of the technology transfer"),
    "shared_line_feasibility": ("共线生产的可行性", "the feasibility of shared-line production"),
}
SIMPLIFIABLE = frozenset({"qualification", "quality_capability"})


def _same_group(ctx: Ctx) -> bool:
    contract = ctx.contract
    ctx.read("mah.group_ref", contract.mah.group_ref)
    ctx.read("cmo.group_ref", contract.cmo.group_ref)
    ctx.read("group_unified_qms", contract.mah.group_unified_qms and contract.cmo.group_unified_qms)
    return contract.mah.same_group_unified_qms(contract.cmo) and contract.cmo.same_group_unified_qms(contract.mah)


def _check_evaluations(ctx: Ctx, required: frozenset[str]) -> Result:
    contract = ctx.contract
    ctx.read("contract.status", contract.status)
    # Signed before the notice applied: the evaluation cannot have preceded signing; one done since
    # (as rectification, art. 25) is accepted. Otherwise it must be dated on or before the signing.
    limit = ctx.read("evaluation_due_by", commissioning_date(ctx, contract))
    ctx.read("required_topics", sorted(required))
    evaluations = [e for e in contract.evaluations if e.cmo_ref == contract.cmo.ref and e.mah_ref == contract.mah.ref]
    ctx.read(
        "evaluations",
        [(e.ref, e.evaluated_on, e.conclusion, sorted(e.topics), sorted(e.product_refs)) for e in evaluations],
    )
    if not contract.products:
        ctx.need("contract.products", None, "委托品种", "the commissioned products")
    problems_zh: list[str] = []
    problems_en: list[str] = []
    for product in contract.products:
        covering = [e for e in evaluations if product.ref in e.product_refs]
        valid = [
            e for e in covering if e.evaluated_on <= limit and e.conclusion == "acceptable" and required <= e.topics
        ]
        if valid:
            continue
        if not covering:
            problems_zh.append(f"{product.name}：无评估")
            problems_en.append(f"{product.name}: no evaluation")
            continue
        late = [e for e in covering if e.evaluated_on > limit]
        rejected = [e for e in covering if e.conclusion != "acceptable"]
        missing_topics = sorted(set().union(*(required - e.topics for e in covering if e.evaluated_on <= limit)))
        if late and len(late) == len(covering):
            problems_zh.append(f"{product.name}：评估晚于签订（{late[0].evaluated_on}）")
            problems_en.append(f"{product.name}: evaluated after signing ({late[0].evaluated_on})")
        elif rejected and len(rejected) == len(covering):
            problems_zh.append(f"{product.name}：评估结论为不符合要求")
            problems_en.append(f"{product.name}: the evaluation concluded not acceptable")
        else:
            problems_zh.append(f"{product.name}：评估未涵盖" + "、".join(TOPICS[t][0] for t in missing_topics))
            problems_en.append(
                f"{product.name}: evaluation does not cover " + ", ".join(TOPICS[t][1] for t in missing_topics)
            )
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="受托方在签订协议前对持有人及品种进行全面评估（"
            + "、".join(TOPICS[t][0] for t in sorted(required))
            + "），结论符合要求后方可签署",
            action_en="the CMO evaluates the MAH and each product before signing ("
            + ", ".join(TOPICS[t][1] for t in sorted(required))
            + ") and signs only on an acceptable conclusion",
        )
    return ctx.met(
        "每个委托品种均有签订前的评估，涵盖要求的内容且结论符合要求",
        "every product has an acceptable evaluation before signing covering the required topics",
    )


@NOTICE.rule(
    id="134-3.evaluation",
    title_zh="受托方签订前对持有人及拟受托品种进行全面评估",
    title_en="The CMO evaluates the MAH and each product before signing",
    article="3",
    quote="在接受委托生产前，受托生产企业应当对持有人及拟受托生产产品进行全面评估，评估重点包括持有人资质、质量管理能力以及拟受托生产产品风险因素、接受技术转移的可行性、共线生产的可行性等。经评估符合要求的，方可签署委托生产协议与质量协议。",
    applies_to="contract",
    bearer="cmo",
    severity="major",
)
def evaluation(ctx: Ctx) -> Result:
    """Each commissioned product is covered by an evaluation of this MAH by this CMO, dated on or before
    the contract's signing, concluded acceptable, covering all five topics. A draft contract is checked
    against the evaluations so far (they must exist before it is signed). A contract signed before the
    notice applied cannot have been evaluated under it: an evaluation done since (by the date of
    evaluation) is accepted as its rectification (art. 25)."""
    return _check_evaluations(ctx, frozenset(TOPICS))


@NOTICE.rule(
    id="134-3.evaluation-same-group",
    title_zh="同一集团统一质量管理体系内可简化评估",
    title_en="Simplified evaluation within one group with one quality system",
    article="3",
    quote="在同一集团内执行统一质量管理体系的企业之间委托生产药品的，可简化持有人资质、质量管理能力等评估内容。",
    applies_to="contract",
    bearer="cmo",
    severity="major",
    exception_to="134-3.evaluation",
    condition=_same_group,
    condition_zh="委托双方在同一集团内执行统一质量管理体系",
    condition_en="both parties are in one group running one quality system",
)
def evaluation_same_group(ctx: Ctx) -> Result:
    """Within one group with one quality system the MAH's qualification and quality capability may be
    left out; the product's risk factors, the transfer's and the shared line's feasibility are still
    required, before signing, with an acceptable conclusion."""
    return _check_evaluations(ctx, frozenset(TOPICS) - SIMPLIFIABLE)
