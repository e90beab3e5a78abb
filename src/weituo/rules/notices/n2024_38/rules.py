"""The rules of the device notice 2024-38, each under the text it implements.

In the facts, the registrant is the contract's ``mah`` (the commissioning party) and the device CMO
its ``cmo``; a contract is a device contract when its products are devices.
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, MissingFact, Result
from weituo.rules.helpers import (
    IN_FORCE_EN,
    IN_FORCE_ZH,
    commission_ended,
    commissioning_date,
    in_force_now,
    periodic_duty,
    person_text,
    production_start,
)

from . import NOTICE

# （一）……注册人委托生产的，应当建立健全与所委托生产的产品特点、企业规模相适应的管理机构，充分履行产品风险管理、变更控制、
# 产品放行、售后服务、产品投诉处理、不良事件监测和产品召回等职责，定期按照医疗器械生产质量管理规范对受托生产企业质量管理体系
# 运行情况进行审核。


@NOTICE.rule(
    id="38-1.periodic-audit",
    title_zh="注册人定期审核受托生产企业质量管理体系运行情况",
    title_en="The registrant audits the CMO's quality system periodically",
    article="1",
    quote="定期按照医疗器械生产质量管理规范对受托生产企业质量管理体系运行情况进行审核。",
    applies_to="contract",
    bearer="mah",
    severity="major",
    condition=in_force_now,
    condition_zh=IN_FORCE_ZH,
    condition_en=IN_FORCE_EN,
)
def periodic_audit(ctx: Ctx) -> Result:
    """Reading of 定期 (periodically): the text gives no interval, so the parameter
    ``cmo_audit_interval_months`` (12, cited to art. 1) reads it as at least once every twelve months,
    the rhythm the notice itself sets for the agreement review (art. 5, 每年). The first audit is due
    that long after the commission took effect (or after the notice applied, for an older one). Any
    audit of the CMO by the registrant that took place counts, on site or remote: art. 1 says 审核,
    not 现场审核. A planned or cancelled audit audited nothing (the builder leaves it out)."""
    contract = ctx.contract
    audits = ctx.need(
        "contract.audits", contract.audits, "注册人对受托方的审核记录", "the registrant's audits of the CMO"
    )
    ctx.read("audits", [(a.ref, a.kind, a.audited_on) for a in audits])
    return periodic_duty(
        ctx,
        events=[a.audited_on for a in audits],
        start=production_start(contract, ctx),
        interval_months=ctx.param("cmo_audit_interval_months"),
        what_zh="对受托生产企业质量管理体系的审核",
        what_en="audit of the CMO's quality system",
    )


# （二）……进行委托生产前，注册人应当要求受托方提交信用情况说明，并查阅监管部门公开信息，全面了解受托方信用情况。


@NOTICE.rule(
    id="38-2.credit-statement",
    title_zh="委托生产前要求受托方提交信用情况说明",
    title_en="A credit statement from the CMO before commissioning",
    article="2",
    quote="进行委托生产前，注册人应当要求受托方提交信用情况说明，并查阅监管部门公开信息，全面了解受托方信用情况。",
    applies_to="contract",
    bearer="cmo",
    severity="minor",
)
def credit_statement(ctx: Ctx) -> Result:
    """A credit statement of the CMO dated on or before signing (for a draft: by now). A commission
    signed before the notice applied is not concerned: unlike Notice 2025-134 (art. 25) this notice asks
    for no rectification of earlier commissions. The platform does not hold these statements yet."""
    contract = ctx.contract
    signed = ctx.read("contract.signed_on", contract.signed_on)
    if signed is not None and ctx.rule.effective_from and signed < ctx.rule.effective_from:
        return ctx.not_applicable("委托生产早于本公告施行", "commissioned before the notice applied")
    statements = ctx.need(
        "contract.credit_statements",
        contract.credit_statements,
        "受托方提交的信用情况说明",
        "the CMO's credit statement",
    )
    by = ctx.read("due_by", commissioning_date(ctx, contract))
    ctx.read("credit_statements", sorted(statements))
    if any(s <= by for s in statements):
        return ctx.met("委托前已取得受托方信用情况说明", "the CMO's credit statement was obtained before commissioning")
    return ctx.not_met(
        "委托前未取得受托方信用情况说明",
        "no credit statement of the CMO before commissioning",
        action_zh="要求受托方提交信用情况说明，并查阅监管部门公开信息",
        action_en="obtain the CMO's credit statement and check the regulators' public information",
    )


# （三）对于植入性医疗器械，鼓励注册人自行生产，确需进行委托生产的，在委托生产活动期间，注册人原则上应当选派具有相关领域
# 生产质量管理工作经验、熟悉产品生产过程和质量控制要求的人员入驻受托生产企业，对生产管理、质量管理关键环节进行现场指导和
# 监督，……派驻人员工作职责应当在质量协议中予以明确。《禁止委托生产医疗器械目录》中的产品不得委托生产。


@NOTICE.rule(
    id="38-3.prohibited-catalogue",
    title_zh="禁止委托生产目录中的产品不得委托生产",
    title_en="Devices of the prohibited catalogue are not commissioned",
    article="3",
    quote="《禁止委托生产医疗器械目录》中的产品不得委托生产。",
    applies_to="product",
    bearer="mah",
    severity="critical",
)
def prohibited_catalogue(ctx: Ctx) -> Result:
    """The product's ``prohibited_catalogue`` flag, as the registry holds it."""
    product = ctx.product
    if ctx.read("product.prohibited_catalogue", product.prohibited_catalogue):
        return ctx.not_met(
            f"{product.name}列入《禁止委托生产医疗器械目录》，不得委托生产",
            f"{product.name} is in the catalogue of devices that may not be contract-manufactured",
            action_zh="停止委托生产，由注册人自行生产",
            action_en="stop the commission; the registrant makes the device itself",
        )
    return ctx.met("未列入禁止委托生产目录", "not in the prohibited catalogue")


def _implantables(ctx: Ctx) -> bool:
    return bool(ctx.read("implantable_products", [p.ref for p in ctx.contract.products if p.implantable]))


@NOTICE.rule(
    id="38-3.implantable-resident-staff",
    title_zh="植入性医疗器械委托生产派驻人员并在质量协议中明确职责",
    title_en="Implantables: resident staff at the CMO, their duties in the quality agreement",
    article="3",
    quote="注册人原则上应当选派具有相关领域生产质量管理工作经验、熟悉产品生产过程和质量控制要求的人员入驻受托生产企业，对生产管理、质量管理关键环节进行现场指导和监督，确保按照法规、规章、规范性文件、强制性标准和经注册的产品技术要求组织生产。派驻人员工作职责应当在质量协议中予以明确。",
    applies_to="agreement",
    bearer="mah",
    severity="major",
    condition=_implantables,
    condition_zh="委托生产植入性医疗器械",
    condition_en="an implantable device is commissioned",
)
def implantable_resident_staff(ctx: Ctx) -> Result:
    """Each implantable product has at least one resident of the registrant named in the agreement
    with written duties (原则上: the platform flags its absence; a justified departure is the
    registrant's to explain). Their experience is not checked: the platform holds no CV for them."""
    agreement, contract = ctx.agreement, ctx.contract
    residents = [
        r for r in agreement.resident_staff if r.person.organisation_ref == contract.mah.ref and r.duties.strip()
    ]
    ctx.read(
        "resident_staff",
        [(person_text(r.person), r.duties, sorted(r.product_refs or [])) for r in agreement.resident_staff],
    )
    uncovered = [
        p.name
        for p in contract.products
        if p.implantable and not any(r.product_refs is None or p.ref in r.product_refs for r in residents)
    ]
    if uncovered:
        return ctx.not_met(
            "未在质量协议中明确注册人派驻人员及其职责：" + "、".join(uncovered),
            "no resident staff of the registrant with duties in the agreement for " + ", ".join(uncovered),
            action_zh="选派熟悉产品的人员入驻受托生产企业，并在质量协议中明确其职责",
            action_en="station staff who know the product at the CMO and write their duties into the agreement",
        )
    return ctx.met(
        "质量协议明确了注册人派驻人员及其职责", "the agreement names the registrant's resident staff and their duties"
    )


# （四）……原则上质量协议有效期限不超过产品注册证和受托生产企业生产许可证有效期限。……


@NOTICE.rule(
    id="38-4.agreement-validity",
    title_zh="质量协议有效期不超过注册证和受托方生产许可证有效期",
    title_en="The agreement's validity does not go beyond the registration certificate or the CMO's licence",
    article="4",
    quote="原则上质量协议有效期限不超过产品注册证和受托生产企业生产许可证有效期限。",
    applies_to="agreement",
    severity="major",
)
def agreement_validity(ctx: Ctx) -> Result:
    """The agreement's expiry is on or before every commissioned device's certificate expiry and the
    expiry of the CMO's device production licence (the one valid on the date of evaluation, else the
    latest). An agreement without an end date goes beyond them."""
    agreement, contract = ctx.agreement, ctx.contract
    expires = ctx.read("agreement.expires_on", agreement.expires_on)
    missing, limits = [], {}
    for product in contract.products:
        if product.certificate is None:
            missing.append(
                MissingFact(
                    f"products[{product.ref}].certificate",
                    f"{product.name}的注册证",
                    f"the registration certificate of {product.name}",
                )
            )
        else:
            limits[f"certificate {product.certificate.number}"] = product.certificate.valid_until
    licences = [lc for lc in contract.cmo.licences if lc.kind == "device"]
    current = [lc for lc in licences if lc.valid_on(ctx.as_of)] or licences
    if not current:
        missing.append(MissingFact("cmo.licences", "受托方医疗器械生产许可证", "the CMO's device production licence"))
    else:
        licence = max(current, key=lambda lc: lc.valid_until)
        limits[f"licence {licence.number}"] = licence.valid_until
    ctx.read("limits", limits)
    beyond = {k: v for k, v in limits.items() if expires is None or expires > v}
    if beyond:
        return ctx.not_met(
            f"质量协议有效期（{expires or '未约定'}）超过：" + "、".join(f"{k}（{v}）" for k, v in beyond.items()),
            f"the agreement ({expires or 'no end date'}) outlasts: "
            + ", ".join(f"{k} ({v})" for k, v in beyond.items()),
            action_zh="修订质量协议有效期，使其不超过注册证和受托方生产许可证有效期",
            action_en="bring the agreement's validity within the certificate's and the CMO licence's",
        )
    if missing:
        return ctx.needs(*missing)
    return ctx.met(
        "质量协议有效期未超过注册证和生产许可证有效期", "the agreement ends within the certificate and licence validity"
    )


# （五）……注册人和受托生产企业应当每年对质量协议的适宜性、充分性、有效性开展评审，确认质量协议相关要求与委托生产管理文件和
# 实际生产情况相一致。发现不一致的，应当及时采取整改措施。


@NOTICE.rule(
    id="38-5.annual-agreement-review",
    title_zh="每年评审质量协议",
    title_en="The quality agreement is reviewed every year",
    article="5",
    quote="注册人和受托生产企业应当每年对质量协议的适宜性、充分性、有效性开展评审，确认质量协议相关要求与委托生产管理文件和实际生产情况相一致。",
    applies_to="agreement",
    severity="minor",
)
def annual_agreement_review(ctx: Ctx) -> Result:
    """Reading of 每年: reviews at most twelve months apart, the first twelve months after the
    agreement took effect (or after the notice, for an older agreement). The platform holds only the
    latest review date, which is what "up to date" needs."""
    agreement = ctx.agreement
    start = ctx.need(
        "agreement.effective_from", agreement.effective_from, "质量协议生效日期", "the agreement's effective date"
    )
    if ctx.rule.effective_from and start < ctx.rule.effective_from:
        start = ctx.rule.effective_from
    last = ctx.read("agreement.last_annual_review", agreement.last_annual_review)
    return periodic_duty(
        ctx,
        events=[last] if last else [],
        start=start,
        interval_months=ctx.param("agreement_review_interval_months"),
        what_zh="质量协议年度评审",
        what_en="annual review of the quality agreement",
    )


# （八）……产品上市放行应当由注册人自行完成，不得委托其他企业上市放行。


@NOTICE.rule(
    id="38-8.market-release",
    title_zh="产品上市放行由注册人自行完成",
    title_en="Market release is done by the registrant itself",
    article="8",
    quote="产品上市放行应当由注册人自行完成，不得委托其他企业上市放行。",
    applies_to="agreement",
    bearer="mah",
    severity="critical",
)
def market_release(ctx: Ctx) -> Result:
    """The responsibility matrix gives market release to the registrant alone; to the CMO or to both
    is not met; no row, or a row left unassigned, asks who does it."""
    row = ctx.agreement.responsibility("market_release")
    party = ctx.read("agreement.market_release", row.party if row else None)
    if party == "mah":
        return ctx.met("上市放行由注册人完成", "market release is the registrant's")
    if party in ("cmo", "both"):
        return ctx.not_met(
            "质量协议将上市放行交由受托方（或双方）",
            "the agreement gives market release to the CMO (or to both)",
            action_zh="修订质量协议：上市放行由注册人自行完成，受托方仅负责生产放行",
            action_en="amend the agreement: the registrant does market release, the CMO only production release",
        )
    return ctx.needs(
        MissingFact(
            "agreement.responsibilities.market_release",
            "质量协议中上市放行的责任方",
            "who does market release under the agreement",
        )
    )


# （九）注册人应当会同受托生产企业，在质量协议中明确纠正预防措施沟通机制、双方职责和处置要求，……出现产品质量符合性有显著
# 降低趋势，连续多批次中间品或者成品不合格，上市后风险管理中的风险事件超出可接受准则等趋势性、系统性、突发性问题时，注册人
# 应当与受托生产企业共同对发现的问题进行调查和分析，制定并评审纠正预防措施计划，实施相关措施并对措施的有效性进行评价。


@NOTICE.rule(
    id="38-9.capa",
    title_zh="趋势性、系统性、突发性问题共同调查并制定、评价纠正预防措施",
    title_en="Trend, systemic or sudden problems: joint investigation, CAPA plan and effectiveness check",
    article="9",
    quote="注册人应当与受托生产企业共同对发现的问题进行调查和分析，制定并评审纠正预防措施计划，实施相关措施并对措施的有效性进行评价。",
    applies_to="contract",
    severity="major",
)
def capa(ctx: Ctx) -> Result:
    """Each trigger recorded by the date of evaluation was investigated, has a reviewed CAPA plan and
    an effectiveness evaluation. The text sets no time limit. The platform does not hold triggers yet."""
    triggers = ctx.need(
        "contract.capa_triggers",
        ctx.contract.capa_triggers,
        "趋势性、系统性、突发性问题及其纠正预防措施记录",
        "the trend, systemic or sudden problems and their CAPA",
    )
    open_ = [
        t.ref
        for t in triggers
        if t.detected_on <= ctx.as_of and None in (t.investigated_on, t.plan_reviewed_on, t.effectiveness_evaluated_on)
    ]
    ctx.read("open_triggers", open_)
    if open_:
        return ctx.not_met(
            "问题尚未完成调查、纠正预防措施计划评审或有效性评价：" + "、".join(open_),
            "problems without investigation, reviewed CAPA plan or effectiveness check: " + ", ".join(open_),
            action_zh="双方共同调查分析，制定并评审纠正预防措施计划，实施并评价有效性",
            action_en="investigate jointly, review the CAPA plan, implement it and check its effectiveness",
        )
    return ctx.met("已记录的问题均完成纠正预防措施闭环", "every recorded problem has its CAPA closed")


@NOTICE.rule(
    id="38-9.capa-duties",
    title_zh="质量协议明确纠正预防措施的双方职责",
    title_en="The quality agreement assigns the parties' duties for CAPA",
    article="9",
    quote="注册人应当会同受托生产企业，在质量协议中明确纠正预防措施沟通机制、双方职责和处置要求，并制定与产品风险相适宜的纠正预防控制程序。",
    applies_to="agreement",
    severity="major",
)
def capa_duties(ctx: Ctx) -> Result:
    """What the platform holds of this sentence is the responsibility matrix: its ``capa`` row says
    who does what in corrective and preventive action. A row given to the registrant, the CMO or both
    states the duties; a row left unassigned does not (not met); no row at all asks for it (the
    matrix may simply not have been entered in full). The communication mechanism, the handling
    requirements and the CAPA procedure are in the agreement's text, which the platform does not
    read: a finding met says the duties are assigned, nothing more."""
    row = ctx.agreement.responsibility("capa")
    party = ctx.read("agreement.capa", row.party if row else None)
    if party in ("mah", "cmo", "both"):
        return ctx.met("质量协议明确了纠正预防措施的责任方", "the agreement assigns who does CAPA")
    if party == "unassigned":
        return ctx.not_met(
            "质量协议未明确纠正预防措施的责任方",
            "the agreement leaves CAPA duties unassigned",
            action_zh="在质量协议中明确纠正预防措施沟通机制、双方职责和处置要求",
            action_en="write the CAPA communication, each party's duties and the handling into the agreement",
        )
    return ctx.needs(
        MissingFact(
            "agreement.responsibilities.capa",
            "质量协议中纠正预防措施的责任方",
            "who does CAPA under the agreement",
        )
    )


# （十一）委托生产的注册人应当按照《医疗器械不良事件监测和再评价管理办法》等规定，……切实承担医疗器械不良事件监测责任，
# 并在质量协议中约定在不良事件调查处置中委托双方的责任义务。对于《医疗器械监督管理条例》等法规规定的注册人应当履行的不良
# 事件监测责任，不得通过质量协议向受托生产企业转移。


@NOTICE.rule(
    id="38-11.adverse-event-monitoring",
    title_zh="不良事件监测责任不得通过质量协议转移给受托方",
    title_en="Adverse-event monitoring stays with the registrant, not passed to the CMO",
    article="11",
    quote="对于《医疗器械监督管理条例》等法规规定的注册人应当履行的不良事件监测责任，不得通过质量协议向受托生产企业转移。",
    applies_to="agreement",
    bearer="mah",
    severity="major",
)
def adverse_event_monitoring(ctx: Ctx) -> Result:
    """The responsibility matrix's ``pharmacovigilance`` row is, on a device agreement, adverse-event
    monitoring (不良事件监测). Given to the registrant: met. Given to both: met — the registrant keeps
    the duty, and the CMO's share is the part in investigating and handling events that the same
    article asks the agreement to settle. Given to the CMO alone: the duty was passed on (not met).
    No row, or a row left unassigned, asks who holds it."""
    row = ctx.agreement.responsibility("pharmacovigilance")
    party = ctx.read("agreement.pharmacovigilance", row.party if row else None)
    if party in ("mah", "both"):
        return ctx.met(
            "不良事件监测责任由注册人承担" + ("（受托方协助）" if party == "both" else ""),
            "the registrant holds adverse-event monitoring" + (" (the CMO takes part)" if party == "both" else ""),
        )
    if party == "cmo":
        return ctx.not_met(
            "质量协议将不良事件监测责任交由受托方",
            "the agreement passes adverse-event monitoring to the CMO",
            action_zh="修订质量协议：不良事件监测责任由注册人承担，仅约定受托方在调查处置中的责任义务",
            action_en="amend the agreement: the registrant monitors adverse events; the CMO only helps investigate",
        )
    return ctx.needs(
        MissingFact(
            "agreement.responsibilities.pharmacovigilance",
            "质量协议中不良事件监测的责任方",
            "who monitors adverse events under the agreement",
        )
    )


# （十三）涉及境内委托生产的注册申请或者延续注册申请，注册审批部门应当在医疗器械注册证生产地址栏中登载受托生产地址并注明
# “（委托生产）”，同时在备注栏备注受托生产企业名称和统一社会信用代码，备注形式为“受托生产企业：XXXX公司；统一社会信用
# 代码：XXXX”。……各省级药品监督管理部门应当组织对本行政区域内已核发的委托生产的注册证进行梳理，发现未按照上述要求标注
# 相关信息的，应当督促注册人及时向原注册部门申请标注，并在本公告施行之日起3个月内完成标注。

ANNOTATION_QUOTE = "注册审批部门应当在医疗器械注册证生产地址栏中登载受托生产地址并注明“（委托生产）”，同时在备注栏备注受托生产企业名称和统一社会信用代码，备注形式为“受托生产企业：XXXX公司；统一社会信用代码：XXXX”。"


def _compact(text: str) -> str:
    return "".join(text.split()).replace("(", "（").replace(")", "）")


@NOTICE.rule(
    id="38-13.certificate-annotation",
    title_zh="注册证注明“（委托生产）”并备注受托方名称和统一社会信用代码",
    title_en='The certificate shows "(委托生产)" and the CMO\'s name and USCC',
    article="13",
    quote=ANNOTATION_QUOTE,
    applies_to="product",
    bearer="mah",
    severity="minor",
)
def certificate_annotation(ctx: Ctx) -> Result:
    """The remark contains this CMO's name and USCC; the production address contains "（委托生产）"
    (half- or full-width brackets, spaces ignored). A certificate issued before the notice applied
    had to be annotated within three months of it (by 2024-09-01); a later one at issue (no deadline
    given: apply to the registration department now)."""
    product, cmo = ctx.product, ctx.contract.cmo
    certificate = ctx.need(
        f"products[{product.ref}].certificate",
        product.certificate,
        f"{product.name}的注册证",
        f"the registration certificate of {product.name}",
    )
    remark = _compact(ctx.read("certificate.annotation", certificate.annotation))
    address = ctx.read("certificate.production_address", certificate.production_address)
    problems_zh, problems_en = [], []
    if _compact(cmo.name) not in remark:
        problems_zh.append("备注栏无受托生产企业名称")
        problems_en.append("the remark does not name the CMO")
    if cmo.uscc.strip().upper() not in remark.upper():
        problems_zh.append("备注栏无受托生产企业统一社会信用代码")
        problems_en.append("the remark lacks the CMO's USCC")
    if address is not None and "（委托生产）" not in _compact(address):
        problems_zh.append("生产地址栏未注明（委托生产）")
        problems_en.append('the production address lacks "(委托生产)"')
    if problems_zh:
        deadline = None
        start = ctx.rule.effective_from
        if start and certificate.issued_on < start:
            deadline = ctx.months_after(start, ctx.param("annotation_backlog_months"), "施行 entry into force")
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="向原注册部门申请标注委托生产信息",
            action_en="apply to the registration department for the commissioning annotation",
            deadline=deadline,
        )
    if address is None:
        return ctx.needs(
            MissingFact(
                "certificate.production_address", "注册证生产地址栏", "the certificate's production address field"
            )
        )
    return ctx.met("注册证已标注委托生产信息", "the certificate carries the commissioning annotation")


# （十四）……注册人不再进行委托生产的，应当及时向原注册部门核减受托生产地址；受托生产企业应当及时向所在地省级药品监督管理部门
# 报告有关情况。


@NOTICE.rule(
    id="38-14.address-removed",
    title_zh="不再委托生产的，及时核减受托生产地址",
    title_en="When commissioning ends, the CMO's production address is removed from the certificate",
    article="14",
    quote="注册人不再进行委托生产的，应当及时向原注册部门核减受托生产地址",
    applies_to="product",
    bearer="mah",
    severity="major",
    after_termination=True,
    condition=commission_ended,
    condition_zh="委托生产已终止",
    condition_en="the commission has ended",
)
def address_removed(ctx: Ctx) -> Result:
    """After the commission ended, a product the registrant no longer commissions to this CMO under
    another contract in force (``continuing_product_refs``) must no longer show the commissioned
    production: the certificate's production address marked （委托生产） or its remark naming this
    CMO means the address was not removed. 及时 sets no time limit, so the finding carries no
    deadline. A certificate whose production address is not recorded is asked for; a product still
    commissioned to the same CMO has nothing to remove."""
    product, contract = ctx.product, ctx.contract
    if ctx.read("continuing", product.ref in contract.continuing_product_refs):
        return ctx.met(
            "该品种仍委托同一受托方生产，无需核减",
            "the product is still commissioned to the same CMO: nothing to remove",
        )
    certificate = ctx.need(
        f"products[{product.ref}].certificate",
        product.certificate,
        f"{product.name}的注册证",
        f"the registration certificate of {product.name}",
    )
    address = ctx.need(
        "certificate.production_address",
        certificate.production_address,
        "注册证生产地址栏",
        "the certificate's production address field",
    )
    remark = _compact(ctx.read("certificate.annotation", certificate.annotation))
    still = "（委托生产）" in _compact(address) or _compact(contract.cmo.name) in remark
    if still:
        return ctx.not_met(
            "委托已终止，注册证仍载明受托生产地址或受托生产企业",
            "the commission ended and the certificate still shows the CMO's production address or name",
            action_zh="向原注册部门申请核减受托生产地址；受托生产企业向所在地省级药品监督管理部门报告",
            action_en="apply to the registration department to remove the CMO's address; the CMO reports to its province",
        )
    return ctx.met("注册证已不再载明受托生产地址", "the certificate no longer shows the CMO's production address")
