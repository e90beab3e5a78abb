"""Art. 18: products without a commercial batch in the re-registration cycle, and idle lines.

（十八）对再注册周期内未上市放行过商业规模批次的品种，持有人拟委托生产的，应当先按照国家药监局《境内生产药品再注册
申报程序》中关于长期停产药品复产的相关要求组织恢复生产。国家短缺药品、国家临床必需易短缺药品、通过仿制药质量和疗效
一致性评价的药品、停产前以委托生产形式进行生产的药品，持有人可以通过委托生产形式恢复生产。

相关生产线长期未生产（无菌生产线超过三年、其他类型生产线超过五年）拟恢复生产的，药品生产企业应当在复产前开展确认和
验证，并向所在地省级药品监督管理部门申请药品GMP符合性检查，检查品种可以是本企业持有的品种或者受托生产的品种，通过
检查后方可接受委托生产。
"""

from __future__ import annotations

import datetime as dt

from weituo.rules.engine import Ctx, MissingFact, Result
from weituo.rules.helpers import commissioning_date
from weituo.rules.periods import add_years

from . import NOTICE

BASE = "134-18.no-batch-in-cycle"
RESTORE_BY_COMMISSION_FLAGS = frozenset({"shortage", "clinically_necessary_short", "consistency_evaluated"})


def _idle_in_cycle(ctx: Ctx) -> tuple[bool, dt.date, dt.date]:
    """(idle?, cycle start, commissioning date). Raises Missing without the last release date."""
    product = ctx.product
    ref = commissioning_date(ctx, ctx.contract)
    years = ctx.param("reregistration_cycle_years")
    valid_from = ctx.read("product.approval_valid_from", product.approval_valid_from)
    if valid_from is not None and valid_from <= ref < add_years(valid_from, years):
        start = valid_from
        ctx.read("cycle_basis", "approval validity")
    else:
        start = add_years(ref, -years)
        ctx.read("cycle_basis", f"{years} years before commissioning")
    ctx.read("cycle_start", start)
    last = ctx.need(
        "product.last_commercial_batch_released",
        product.last_commercial_batch_released,
        f"{product.name}最近一次上市放行商业规模批次的日期",
        f"the date {product.name}'s last commercial-scale batch was released",
    )
    return last < start, start, ref


def _marketed(ctx: Ctx) -> bool:
    return ctx.read("product.status", ctx.product.status) == "marketed"


@NOTICE.rule(
    id=BASE,
    title_zh="再注册周期内未放行商业规模批次的品种先恢复生产再委托",
    title_en="A product with no commercial batch in its re-registration cycle restores production before commissioning",
    article="18",
    quote="对再注册周期内未上市放行过商业规模批次的品种，持有人拟委托生产的，应当先按照国家药监局《境内生产药品再注册申报程序》中关于长期停产药品复产的相关要求组织恢复生产。",
    applies_to="product",
    bearer="mah",
    severity="critical",
    condition=_marketed,
    condition_zh="已上市品种",
    condition_en="a marketed product",
)
def no_batch_in_cycle(ctx: Ctx) -> Result:
    """Reading: the cycle is the approval's current five-year validity when ``approval_valid_from`` is
    known and covers the commissioning date, otherwise the five years before commissioning (signing;
    for a draft or a contract signed before the notice, the date of evaluation). A release recorded
    after the cycle start — even one made under this contract — shows the product was not idle.
    An idle product must have restored production (``production_restored_on``) by commissioning."""
    idle, start, ref = _idle_in_cycle(ctx)
    if not idle:
        return ctx.met(f"{start} 以来放行过商业规模批次", f"a commercial batch was released since {start}")
    restored = ctx.read("product.production_restored_on", ctx.product.production_restored_on)
    if restored is not None and restored <= ref:
        return ctx.met(f"已于 {restored} 恢复生产", f"production was restored on {restored}")
    return ctx.not_met(
        f"再注册周期内（{start} 起）未上市放行商业规模批次",
        f"no commercial-scale batch released in the re-registration cycle (since {start})",
        action_zh="按《境内生产药品再注册申报程序》长期停产药品复产要求先恢复生产，再委托生产",
        action_en="restore production under the re-registration procedure for long-stopped drugs before commissioning",
    )


def _may_restore_by_commission(ctx: Ctx) -> bool:
    if not _marketed(ctx):
        return False
    idle, _, _ = _idle_in_cycle(ctx)
    if not idle:
        return False
    product = ctx.product
    if ctx.read("product.restore_flags", product.flags & RESTORE_BY_COMMISSION_FLAGS):
        return True
    return ctx.need(
        "product.commissioned_before_stop",
        product.commissioned_before_stop,
        f"{product.name}停产前是否以委托生产形式生产",
        f"whether {product.name} was made under commission before it stopped",
    )


@NOTICE.rule(
    id="134-18.restore-through-commission",
    title_zh="短缺药品、一致性评价药品等可通过委托生产恢复生产",
    title_en="Shortage, consistency-evaluated and previously commissioned products may restore production by commissioning",
    article="18",
    quote="国家短缺药品、国家临床必需易短缺药品、通过仿制药质量和疗效一致性评价的药品、停产前以委托生产形式进行生产的药品，持有人可以通过委托生产形式恢复生产。",
    applies_to="product",
    bearer="mah",
    severity="critical",
    exception_to=BASE,
    condition=_may_restore_by_commission,
    condition_zh="周期内未放行的短缺药品、临床必需易短缺药品、通过一致性评价的药品或停产前委托生产的药品",
    condition_en="an idle shortage, clinically necessary, consistency-evaluated or previously commissioned product",
)
def restore_through_commission(ctx: Ctx) -> Result:
    """The MAH may restore production through this commission; the restoration itself still follows
    the re-registration procedure, which the platform does not check."""
    return ctx.met(
        "可通过委托生产形式恢复生产",
        "production may be restored through this commission",
        action_zh="按长期停产药品复产要求，通过本次委托生产恢复生产",
        action_en="restore production through this commission, following the requirements for long-stopped drugs",
    )


@NOTICE.rule(
    id="134-18.idle-line",
    title_zh="长期未生产的生产线复产前确认验证并通过GMP符合性检查后方可接受委托",
    title_en="An idle line is requalified and passes a GMP compliance inspection before accepting a commission",
    article="18",
    quote="相关生产线长期未生产（无菌生产线超过三年、其他类型生产线超过五年）拟恢复生产的，药品生产企业应当在复产前开展确认和验证，并向所在地省级药品监督管理部门申请药品GMP符合性检查，检查品种可以是本企业持有的品种或者受托生产的品种，通过检查后方可接受委托生产。",
    applies_to="contract",
    bearer="cmo",
    severity="critical",
)
def idle_line(ctx: Ctx) -> Result:
    """For each line of the contract: idle when more than three years (sterile line) or five (other)
    passed between its last commercial production and commissioning (signing; for a draft or a
    contract signed before the notice, the date of evaluation) — exactly three/five years is not
    "超过". An idle line needs a qualification or validation after its last production and a compliant
    GMP compliance inspection of the line after it, both on or before commissioning. A line that never
    produced commercially is new, not idle (its licensing inspection is another matter). A blank last
    production date is read as everywhere else (``LineFacts.commercial_state``): production still
    going on when products are made on the line, unknown when none is."""
    contract = ctx.contract
    ref = commissioning_date(ctx, contract)
    lines = contract.lines()
    ctx.read("contract.lines", [ln.ref for ln in lines])
    if not lines:
        return ctx.needs(MissingFact("contract.line_refs", "受托生产线", "the lines the contract uses"))
    problems_zh, problems_en, missing, idle_refs = [], [], [], []
    for line in lines:
        last = ctx.read(f"{line.ref}.last_commercial_production", line.last_commercial_production)
        if last is None:
            ctx.read(f"{line.ref}.products", [p.ref for p in line.products])
            if line.commercial_state == "ongoing":
                continue  # produced commercially and still made on the line: in production, not idle
            if line.commercial_state == "unknown":
                missing.append(
                    MissingFact(
                        f"{line.ref}.last_commercial_production",
                        f"生产线{line.name}最近一次商业化生产日期",
                        f"the last commercial production on line {line.name}",
                    )
                )
            continue
        years = ctx.param("idle_years_sterile_line" if line.sterile else "idle_years_other_line")
        if ref <= add_years(last, years):
            continue
        idle_refs.append(line.ref)
        passed = [
            i
            for i in contract.cmo.inspections
            if i.line_ref == line.ref
            and i.kind == "gmp_compliance"
            and i.conclusion == "compliant"
            and last < i.inspected_on <= ref
        ]
        ctx.read(f"{line.ref}.inspections_after_idle", [(i.ref, i.inspected_on) for i in passed])
        if not passed:
            problems_zh.append(f"生产线{line.name}自 {last} 起超过{years}年未生产，未通过复产GMP符合性检查")
            problems_en.append(
                f"line {line.name} idle since {last} (over {years} years) without a passed GMP compliance inspection"
            )
        dates = line.qualification_dates
        if dates is None:
            missing.append(
                MissingFact(
                    f"{line.ref}.qualification_dates",
                    f"生产线{line.name}复产前的确认和验证",
                    f"the requalification of line {line.name} before restarting",
                )
            )
        elif not any(last < d <= ref for d in dates):
            problems_zh.append(f"生产线{line.name}复产前未开展确认和验证")
            problems_en.append(f"line {line.name} was not requalified before restarting")
    ctx.read("idle_lines", idle_refs)
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="复产前开展确认和验证，向省级药监局申请药品GMP符合性检查，通过后方可接受委托生产",
            action_en="requalify the line, apply to the provincial MPA for a GMP compliance inspection and accept the commission only once it is passed",
        )
    if missing:
        return ctx.needs(*missing)
    if idle_refs:
        return ctx.met("长期未生产的生产线已确认验证并通过检查", "idle lines were requalified and passed inspection")
    return ctx.met("受托生产线均未长期停产", "no line of the contract was idle beyond the limit")
