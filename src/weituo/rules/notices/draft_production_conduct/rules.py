"""The rules of the production-conduct draft, each under the text it implements."""

from __future__ import annotations

from weituo.rules.engine import Ctx, MissingFact, Result
from weituo.rules.helpers import IN_FORCE_EN, IN_FORCE_ZH, contract_changes, in_force_now

from . import NOTICE

# 四、规范计算机化系统合规管理。企业应当严格管控实验室信息管理系统（LIMS）、制造执行系统（MES）等计算机化系统。确保系统权限
# 分配合理，审计追踪功能全面开启且不可关闭；……


@NOTICE.rule(
    id="draft-pc-4.audit-trail",
    title_zh="计算机化系统审计追踪全面开启且不可关闭",
    title_en="Audit trails of computerised systems are on and cannot be switched off",
    article="4",
    quote="确保系统权限分配合理，审计追踪功能全面开启且不可关闭",
    applies_to="enterprise",
    severity="major",
    condition=lambda ctx: bool(ctx.read("enterprise.roles", ctx.organisation.roles) & {"mah", "cmo"}),
    condition_zh="药品上市许可持有人或药品生产企业",
    condition_en="an MAH or a drug manufacturer",
)
def audit_trail(ctx: Ctx) -> Result:
    """The enterprise's LIMS/MES audit trails are on and locked (``audit_trail_enabled``), as the
    enterprise declares it or an inspection found it; the platform does not hold it yet."""
    enabled = ctx.need(
        "enterprise.audit_trail_enabled",
        ctx.organisation.audit_trail_enabled,
        "LIMS、MES等系统审计追踪是否全面开启且不可关闭",
        "whether the audit trails of LIMS, MES and the like are on and cannot be switched off",
    )
    if enabled:
        return ctx.met("审计追踪全面开启且不可关闭", "audit trails are on and locked")
    return ctx.not_met(
        "计算机化系统审计追踪未全面开启或可被关闭",
        "audit trails are not all on, or can be switched off",
        action_zh="全面开启并锁定审计追踪，合理分配权限",
        action_en="switch on and lock the audit trails and review the access rights",
    )


# 七、完善生产检验异常数据内部报告制度。企业应当完善生产检验数据异常偏差的内部报告与彻底排查机制。对于产量突增突降、物料消耗
# 异常、成品率畸高畸低、检验结果超标（OOS）或超趋势（OOT）等关键异常信号，企业必须开展深层次的根源性调查，杜绝避重就轻或虚假
# 说明。

OOS_OOT = "oos_oot"  # the communication-list category of OOS/OOT results


@NOTICE.rule(
    id="draft-pc-7.oos-investigation",
    title_zh="检验结果超标或超趋势开展根源性调查",
    title_en="OOS and OOT results are investigated to their root cause",
    article="7",
    quote="对于产量突增突降、物料消耗异常、成品率畸高畸低、检验结果超标（OOS）或超趋势（OOT）等关键异常信号，企业必须开展深层次的根源性调查，杜绝避重就轻或虚假说明。",
    applies_to="contract",
    severity="major",
)
def oos_investigation(ctx: Ctx) -> Result:
    """Of the signals the article lists, the platform holds OOS/OOT results: the quality events of
    category ``oos_oot`` raised between the parties (a withdrawn one was raised by mistake). Surges
    of yield or consumption are not recorded as events and are not read here.

    Reading: an OOS/OOT event is investigated when the party that raised it closed it, which the
    platform allows only after the counterparty acknowledged it and with a written conclusion. Until
    then the investigation is not concluded: not met (the text gives no time limit, so no deadline).
    Whether the conclusion reaches the root cause (深层次的根源性调查) is a judgement on its content
    that the platform does not make: a finding met says every OOS/OOT result has a concluded,
    recorded investigation. No OOS/OOT event recorded is met: nothing to investigate."""
    events = ctx.need(
        "contract.quality_events",
        ctx.contract.quality_events,
        "委托双方之间的质量事件记录（含OOS/OOT）",
        "the quality events between the parties (OOS/OOT included)",
    )
    signals = [e for e in events if e.category == OOS_OOT and not e.withdrawn and e.raised_on <= ctx.as_of]
    ctx.read("oos_oot_events", [(e.ref, e.raised_on, e.closed_on) for e in signals])
    open_ = [e.ref for e in signals if e.closed_on is None or e.closed_on > ctx.as_of]
    if open_:
        return ctx.not_met(
            "OOS/OOT调查尚未完成：" + "、".join(open_),
            "OOS/OOT results whose investigation is not concluded: " + ", ".join(open_),
            action_zh="对OOS/OOT结果开展根源性调查，记录调查结论后关闭",
            action_en="investigate the OOS/OOT results to their root cause and close them with the conclusion",
        )
    if signals:
        return ctx.met(
            f"{len(signals)}项OOS/OOT均已完成调查并记录结论",
            f"all {len(signals)} OOS/OOT results have a concluded investigation",
        )
    return ctx.met("未记录OOS/OOT", "no OOS/OOT result recorded")


# 十一、规范变更分级分类管理。……涉及生产工艺、原辅料来源、关键生产设备等可能影响药品质量的重大变更，必须依法依规提出补充
# 申请并按规定经批准后实施。


@NOTICE.rule(
    id="draft-pc-11.major-change-approval",
    title_zh="重大变更经批准后实施",
    title_en="Major changes are implemented only once approved by the authority",
    article="11",
    quote="涉及生产工艺、原辅料来源、关键生产设备等可能影响药品质量的重大变更，必须依法依规提出补充申请并按规定经批准后实施。",
    applies_to="contract",
    severity="critical",
)
def major_change_approval(ctx: Ctx) -> Result:
    """Each change classed major (by either party, or managed as major) and implemented by the date of
    evaluation has the authority's approval (``authority_approved_on``) on or before implementation."""
    changes = contract_changes(ctx)
    major = [
        c
        for c in changes
        if "major" in (c.mah_class, c.cmo_class, c.managed_as)
        and c.implemented_on is not None
        and c.implemented_on <= ctx.as_of
    ]
    ctx.read("major_changes", [(c.ref, c.implemented_on, c.authority_approved_on) for c in major])
    unapproved = [c.ref for c in major if c.authority_approved_on is None or c.authority_approved_on > c.implemented_on]
    if unapproved:
        return ctx.not_met(
            "重大变更未经批准即实施：" + "、".join(unapproved),
            "major changes implemented without approval: " + ", ".join(unapproved),
            action_zh="停止实施，依法提出补充申请，经批准后实施",
            action_en="stop, file the supplementary application and implement only once approved",
        )
    return ctx.met("已实施的重大变更均经批准", "every implemented major change was approved")


# 十二、强化偏差调查与纠正预防。企业应严防偏差被人为“降级”处理或隐瞒不报。所有偏差必须按程序进行记录、评估、调查，查明根本
# 原因，制定并有效执行纠正和预防措施，确保类似问题不再重复发生，保证质量管理体系有效运行。

RANK = {"minor": 1, "major": 2, "critical": 3}  # deviation classes, lowest first


@NOTICE.rule(
    id="draft-pc-12.deviation-downgrade",
    title_zh="偏差降级有记录的理由并经第二人批准",
    title_en="A deviation downgrade carries its reason and a second person's approval",
    article="12",
    quote="企业应严防偏差被人为“降级”处理或隐瞒不报。",
    applies_to="contract",
    severity="major",
)
def deviation_downgrade(ctx: Ctx) -> Result:
    """The text asks to guard against deviations being "downgraded" (严防…人为“降级”); it names no
    control. Reading: a downgrade is guarded when the record shows why (a reason) and that someone
    other than the person who asked approved it (the platform's control: QA or the head of quality
    of the same party). So every downgrade that took effect by the date of evaluation (a
    reclassification to a lower class, approved or applied at once) has a reason and a second
    person's approval; one applied without approval, approved without a reason, or approved by the
    requester is not met. A downgrade still awaiting approval or rejected has not taken effect.
    Deviations "隐瞒不报" (never reported) leave no record to read. Only the platform's services
    enforce this control, so a finding not met points at records that bypassed them (imported or
    altered)."""
    deviations = ctx.need(
        "contract.deviations", ctx.contract.deviations, "委托合同的偏差记录", "the contract's deviations"
    )
    effective, missing, bad_zh, bad_en = [], [], [], []
    for deviation in deviations:
        changes = ctx.need(
            f"deviations[{deviation.ref}].reclassifications",
            deviation.reclassifications,
            f"偏差{deviation.ref}的分级变更记录",
            f"the reclassifications of deviation {deviation.ref}",
        )
        for change in changes:
            if RANK[change.to_classification] >= RANK[change.from_classification]:
                continue
            if change.status not in ("applied", "approved") or (change.decided_on or change.requested_on) > ctx.as_of:
                continue
            label = f"{deviation.ref}（{change.from_classification}→{change.to_classification}）"
            label_en = f"{deviation.ref} ({change.from_classification} → {change.to_classification})"
            effective.append((deviation.ref, change.from_classification, change.to_classification, change.status))
            if change.status == "applied":
                bad_zh.append(f"{label}未经批准即生效")
                bad_en.append(f"{label_en} took effect without approval")
            elif not change.reason.strip():
                bad_zh.append(f"{label}无降级理由")
                bad_en.append(f"{label_en} has no reason")
            elif change.second_person is False:
                bad_zh.append(f"{label}由申请人本人批准")
                bad_en.append(f"{label_en} was approved by the person who asked")
            elif change.second_person is None:
                missing.append(
                    MissingFact(
                        f"deviations[{deviation.ref}].reclassifications.second_person",
                        f"偏差{deviation.ref}降级的批准人是否为申请人以外的人员",
                        f"whether someone other than the requester approved the downgrade of {deviation.ref}",
                    )
                )
    ctx.read("downgrades", effective)
    if bad_zh:
        return ctx.not_met(
            "；".join(bad_zh),
            "; ".join(bad_en),
            action_zh="复核降级的偏差：记录理由并由质量部门第二人审批，必要时恢复原分级",
            action_en="review the downgraded deviations: record the reason, have QA approve, or restore the class",
        )
    if missing:
        return ctx.needs(*missing)
    if effective:
        return ctx.met(
            f"{len(effective)}项偏差降级均有理由并经第二人批准",
            f"all {len(effective)} deviation downgrades have a reason and a second person's approval",
        )
    return ctx.met("无生效的偏差降级", "no deviation downgrade took effect")


# 十三、严格落实上市许可持有人委托生产延伸责任。委托生产并非责任转移。药品上市许可持有人（MAH）必须对受托方的质量保证能力和
# 风险控制能力进行实质性现场审计，定期对受托生产全过程进行监督和质量管理评估，……


@NOTICE.rule(
    id="draft-pc-13.on-site-audit",
    title_zh="持有人对受托方进行实质性现场审计",
    title_en="The MAH audits the CMO on site",
    article="13",
    quote="药品上市许可持有人（MAH）必须对受托方的质量保证能力和风险控制能力进行实质性现场审计，定期对受托生产全过程进行监督和质量管理评估",
    applies_to="contract",
    bearer="mah",
    severity="major",
    condition=in_force_now,
    condition_zh=IN_FORCE_ZH,
    condition_en=IN_FORCE_EN,
)
def on_site_audit(ctx: Ctx) -> Result:
    """At least one on-site audit of the CMO by the MAH by the date of evaluation; 定期 sets no
    interval, so none is invented."""
    audits = ctx.need("contract.audits", ctx.contract.audits, "持有人对受托方的审核记录", "the MAH's audits of the CMO")
    on_site = sorted(a.audited_on for a in audits if a.kind == "on_site" and a.audited_on <= ctx.as_of)
    ctx.read("on_site_audits", on_site)
    if on_site:
        return ctx.met(f"最近一次现场审计：{on_site[-1]}", f"latest on-site audit: {on_site[-1]}")
    return ctx.not_met(
        "持有人未对受托方进行现场审计",
        "the MAH has not audited the CMO on site",
        action_zh="对受托方质量保证能力和风险控制能力进行实质性现场审计",
        action_en="audit the CMO's quality assurance and risk control on site",
    )
