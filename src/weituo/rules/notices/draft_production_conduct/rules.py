"""The rules of the production-conduct draft, each under the text it implements."""

from __future__ import annotations

from weituo.rules.engine import Ctx, Result
from weituo.rules.helpers import contract_changes

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
    condition=lambda ctx: ctx.read("contract.in_force", ctx.contract.in_force_on(ctx.as_of)),
    condition_zh="委托在有效期内",
    condition_en="the commission is in force",
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
