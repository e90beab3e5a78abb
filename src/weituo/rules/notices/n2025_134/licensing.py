"""Art. 19 (with annexes 1 and 2) and art. 20: the opinion letter across provinces, the licences that
follow it, and their cancellation when the commission ends.

（十九）委托双方在同一省级行政区域、拟办理委托、受托生产相关许可事项的，省级药品监督管理部门无需出具《药品受托
生产意见书》，可同步办理委托生产药品生产许可证（以下称B类许可证）和C类许可证相关许可事项。

委托双方不在同一省级行政区域、拟办理委托生产相关许可事项的：……受托生产企业所在地省级药品监督管理部门……根据药品
GMP符合性检查或者许可检查结果（检查要求见附件1）同步出具《药品受托生产意见书》……

受托生产企业取得《药品受托生产意见书》后，持有人应当在12个月内向持有人所在地省级药品监督管理部门申请办理B类许可证。
……受托生产企业应当在持有人办理完成B类许可证许可事项后，60个工作日内向所在地省级药品监督管理部门提出申请，将委托双方
的企业名称、品种名称、批准文号等有关变更情况在药品生产许可证副本中载明。

Readings common to the rules here: "the same province" compares the provinces of the two
enterprises (the registered province of each organisation). The 12-month and 60-working-day limits
stand in the cross-province paragraph, so they are checked for cross-province commissions only
(within one province the B and C licences are handled together, with no time limit). The limits
are on *applying*: an application date is used when recorded, otherwise an entry granted within
the limit proves it; an entry granted later, with no application date, asks for the application
date. A licence entry made before the notice applied is an existing licence: it needs no new letter
(art. 20 likewise dispenses with one at renewal).
"""

from __future__ import annotations

import datetime as dt

from weituo.rules.engine import Ctx, Deadline, MissingFact, Result
from weituo.rules.facts import ContractFacts, LicenceScopeFacts, OrganisationFacts, ProductFacts
from weituo.rules.helpers import commission_ended
from weituo.rules.periods import add_years

from . import NOTICE

LETTER = "134-19.opinion-letter"


def _cross_province(ctx: Ctx) -> bool:
    contract = ctx.contract
    mah = ctx.read("mah.province", contract.mah.province)
    cmo = ctx.read("cmo.province", contract.cmo.province)
    return mah != cmo


def _scopes(holder: OrganisationFacts, class_code: str, counterparty: str) -> list[LicenceScopeFacts]:
    return [
        s
        for licence in holder.licences
        if licence.kind == "drug"
        for s in licence.scopes
        if s.class_code == class_code and s.counterparty_ref == counterparty
    ]


def _b_scopes(contract: ContractFacts, product_ref: str | None = None) -> list[LicenceScopeFacts]:
    scopes = _scopes(contract.mah, "B", contract.cmo.ref)
    if product_ref is not None:
        scopes = [s for s in scopes if s.product_ref in (None, product_ref)]
    return scopes


@NOTICE.rule(
    id=LETTER,
    title_zh="跨省委托须取得《药品受托生产意见书》",
    title_en="A cross-province commission needs the contract manufacturing opinion letter",
    article="19",
    quote="受托生产企业所在地省级药品监督管理部门应当严格审核申请资料，应当根据药品GMP符合性检查或者许可检查结果出具《药品受托生产意见书》，必要时按要求开展检查。",
    applies_to="contract",
    bearer="cmo",
    severity="critical",
)
def opinion_letter(ctx: Ctx) -> Result:
    """Each product is covered by an agreeing letter of the CMO's province, or was already on the MAH's
    B licence for this CMO before the notice applied."""
    contract = ctx.contract
    letters = ctx.need(
        "contract.opinion_letters", contract.opinion_letters, "《药品受托生产意见书》记录", "the opinion letter records"
    )
    agreeing = [
        letter for letter in letters if letter.agreed and letter.issued_on is not None and letter.issued_on <= ctx.as_of
    ]
    ctx.read("agreeing_letters", [(x.ref, x.issued_on, sorted(x.product_refs)) for x in agreeing])
    start = ctx.rule.effective_from or dt.date.min
    uncovered = []
    for product in contract.products:
        if any(product.ref in x.product_refs for x in agreeing):
            continue
        if any(s.entered_on is not None and s.entered_on < start for s in _b_scopes(contract, product.ref)):
            continue
        uncovered.append(product)
    ctx.read("uncovered_products", [p.ref for p in uncovered])
    if uncovered:
        return ctx.not_met(
            "未取得同意受托生产的意见书：" + "、".join(p.name for p in uncovered),
            "no agreeing opinion letter for " + ", ".join(p.name for p in uncovered),
            action_zh="受托方向所在地省级药监局申请出具《药品受托生产意见书》，取得后持有人再申请B类许可证",
            action_en="the CMO applies to its provincial MPA for the opinion letter; the MAH applies for its B licence after it",
        )
    return ctx.met(
        "各委托品种均有同意受托生产的意见书或既有许可", "every product has an agreeing letter or an existing licence"
    )


@NOTICE.rule(
    id="134-19.same-province",
    title_zh="同省委托无需出具意见书，B、C类许可同步办理",
    title_en="Within one province no opinion letter is needed; B and C licences are handled together",
    article="19",
    quote="委托双方在同一省级行政区域、拟办理委托、受托生产相关许可事项的，省级药品监督管理部门无需出具《药品受托生产意见书》，可同步办理委托生产药品生产许可证（以下称B类许可证）和C类许可证相关许可事项。",
    applies_to="contract",
    severity="critical",
    exception_to=LETTER,
    condition=lambda ctx: not _cross_province(ctx),
    condition_zh="委托双方在同一省级行政区域",
    condition_en="both parties are in the same province",
)
def same_province(ctx: Ctx) -> Result:
    """Nothing to check beyond the condition: the letter is simply not required."""
    return ctx.met("同省委托，无需意见书", "same province: no opinion letter needed")


def _product_lines(contract: ContractFacts, product: ProductFacts) -> list:
    lines = contract.lines()
    on_line = [ln for ln in lines if any(p.ref == product.ref for p in ln.products)]
    if on_line:
        return on_line
    form = product.dosage_form.strip()
    return [ln for ln in lines if form and form in (f.strip() for f in ln.dosage_forms)]


@NOTICE.rule(
    id="134-19.letter-basis",
    title_zh="意见书所依据的检查在时效内且结论为符合要求",
    title_en="The opinion letter rests on a recent compliant inspection",
    article="19",
    clause="annex 1",
    quote="拟受托生产无菌药品等高风险产品的，应当依据该品种同剂型一年内或者所在生产线三年内检查结论为“符合要求”的药品 GMP 符合性检查告知书，出具《药品受托生产意见书》；拟受托品种为其他类型产品的，应当依据该品种同剂型三年内或者所在生产线五年内检查结论为“符合要求”的药品 GMP 符合性检查告知书，出具《药品受托生产意见书》。",
    applies_to="product",
    bearer="cmo",
    severity="major",
    condition=_cross_province,
    condition_zh="委托双方不在同一省级行政区域",
    condition_en="the parties are in different provinces",
)
def letter_basis(ctx: Ctx) -> Result:
    """Judged on the date of the agreeing letter covering the product, or — with no letter yet, or no
    letter records — on the date of evaluation (could a letter be issued now?). High risk = the
    sterile or high-risk flag. A compliant GMP compliance inspection of the CMO for the product's dosage
    form within 1 (high risk) or 3 years, or of its line within 3 or 5 years, counts whether or not its
    notice (告知书) was issued yet (annex 1, second paragraph). For a product in development, a compliant
    licensing inspection of its line within 1 year also counts. "Within N years" includes the day N
    years before. A product already on the MAH's B licence before the notice needs no new letter."""
    contract, product = ctx.contract, ctx.product
    start = ctx.rule.effective_from or dt.date.min
    if any(s.entered_on is not None and s.entered_on < start for s in _b_scopes(contract, product.ref)):
        return ctx.not_applicable("该品种在公告施行前已取得许可", "the product was licensed before the notice applied")
    letters = [
        x
        for x in (contract.opinion_letters or ())
        if product.ref in x.product_refs and x.issued_on and x.issued_on <= ctx.as_of
    ]
    ref = max(x.issued_on for x in letters) if letters else ctx.as_of
    ctx.read("judged_on", ref)
    high_risk = ctx.read("high_risk", bool(product.flags & {"sterile", "high_risk"}))
    form = ctx.need(
        "product.dosage_form",
        product.dosage_form.strip() or None,
        f"{product.name}的剂型",
        f"the dosage form of {product.name}",
    )
    form_years = ctx.param("letter_high_risk_dosage_form_years" if high_risk else "letter_other_dosage_form_years")
    line_years = ctx.param("letter_high_risk_line_years" if high_risk else "letter_other_line_years")
    lines = {ln.ref for ln in _product_lines(contract, product)}
    ctx.read("product_lines", lines)
    inspections = [i for i in contract.cmo.inspections if i.conclusion == "compliant" and i.inspected_on <= ref]
    gmp = [i for i in inspections if i.kind == "gmp_compliance"]
    by_form = [
        i for i in gmp if (i.dosage_form or "").strip() == form and i.inspected_on >= add_years(ref, -form_years)
    ]
    by_line = [i for i in gmp if i.line_ref in lines and i.inspected_on >= add_years(ref, -line_years)]
    basis = by_form + by_line
    if not basis and product.status == "in_development":
        licensing_years = ctx.param("letter_licensing_inspection_years")
        basis = [
            i
            for i in inspections
            if i.kind == "licensing" and i.line_ref in lines and i.inspected_on >= add_years(ref, -licensing_years)
        ]
    ctx.read("basis", [(i.ref, i.kind, i.inspected_on, i.line_ref, i.dosage_form) for i in basis])
    if basis:
        latest = max(basis, key=lambda i: i.inspected_on)
        return ctx.met(
            f"依据 {latest.inspected_on} 的检查（{latest.ref}）",
            f"based on the inspection of {latest.inspected_on} ({latest.ref})",
        )
    if product.status == "in_development":
        action_zh, action_en = "申请生产线许可检查", "apply for a licensing inspection of the line"
    else:
        action_zh = "同步开展许可检查和药品GMP符合性检查后办理C类许可证及意见书"
        action_en = "have the licensing and GMP compliance inspections done together, then the C licence and the letter"
    return ctx.not_met(
        f"无时效内结论为符合要求的检查（同剂型{form_years}年内或生产线{line_years}年内）",
        f"no compliant inspection in time (same dosage form within {form_years} years or line within {line_years})",
        action_zh=action_zh,
        action_en=action_en,
    )


@NOTICE.rule(
    id="134-19.letter-time-limit",
    title_zh="签收后15个工作日内出具意见书",
    title_en="The opinion letter is issued within 15 working days of receipt",
    article="19",
    clause="annex 2",
    quote="签收日期：（签收后 15 个工作日内出具）",
    applies_to="contract",
    severity="minor",
    condition=_cross_province,
    condition_zh="委托双方不在同一省级行政区域",
    condition_en="the parties are in different provinces",
    bearer="regulator",
)
def letter_time_limit(ctx: Ctx) -> Result:
    """Annex 2's template: 15 working days from the day the province signed for the application (that
    day not counted), on the Chinese working-day calendar; a deadline in a year without an official
    schedule is provisional. A duty of the CMO's province, tracked for its file."""
    letters = ctx.need(
        "contract.opinion_letters",
        ctx.contract.opinion_letters,
        "《药品受托生产意见书》记录",
        "the opinion letter records",
    )
    applied = [x for x in letters if x.received_on is not None or x.issued_on is not None]
    if not applied:
        return ctx.not_applicable("无意见书申请", "no application for an opinion letter")
    n = ctx.param("letter_issue_working_days")
    late, pending, in_time = [], [], []
    for letter in applied:
        received = ctx.need(
            f"opinion_letters[{letter.ref}].received_on",
            letter.received_on,
            f"意见书{letter.ref}的签收日期",
            f"the date letter {letter.ref} was signed for",
        )
        deadline = ctx.working_days_after(received, n, "签收 received")
        ctx.read(
            f"opinion_letters[{letter.ref}]",
            {"received_on": received, "issued_on": letter.issued_on, "due": deadline.date},
        )
        if letter.issued_on is not None and letter.issued_on <= ctx.as_of:
            (in_time if letter.issued_on <= deadline.date else late).append((letter, deadline))
        else:
            pending.append((letter, deadline))
    if late:
        letter, deadline = late[0]
        return ctx.not_met(
            f"意见书{letter.ref}于 {letter.issued_on} 出具，超过时限 {deadline.date}",
            f"letter {letter.ref} issued on {letter.issued_on}, after the limit {deadline.date}",
            action_zh="记录超时原因",
            action_en="record why the limit was missed",
            deadline=deadline,
        )
    if pending:
        letter, deadline = min(pending, key=lambda p: p[1].date)
        return ctx.not_met(
            f"意见书{letter.ref}尚未出具，应于 {deadline.date} 前出具",
            f"letter {letter.ref} not issued yet; due by {deadline.date}",
            action_zh=f"于 {deadline.date} 前出具意见书",
            action_en=f"issue the letter by {deadline.date}",
            deadline=deadline,
        )
    letter, deadline = max(in_time, key=lambda p: p[1].date)
    return ctx.met("意见书均在时限内出具", "every letter was issued in time", deadline=deadline)


def _applied_in_time(
    ctx: Ctx, missing_name: str, applied_on: dt.date | None, scopes: list[LicenceScopeFacts], deadline: Deadline
) -> str | MissingFact:
    """'ok', 'late', 'none' — or a MissingFact (named ``missing_name``) when only an entry made after
    the limit, and no application date, is known."""
    dates = [d for d in [applied_on, *(s.applied_on for s in scopes)] if d is not None and d <= ctx.as_of]
    if any(d <= deadline.date for d in dates):
        return "ok"
    entered = [s.entered_on for s in scopes if s.entered_on is not None and s.entered_on <= ctx.as_of]
    if any(d <= deadline.date for d in entered):
        return "ok"
    if dates:
        return "late"
    if entered:
        return MissingFact(
            missing_name,
            "申请日期（许可在时限后才取得）",
            "the application date (the licence was granted after the limit)",
        )
    return "none"


def _limit_result(ctx: Ctx, states: list[tuple[str, object, Deadline]], what_zh: str, what_en: str) -> Result:
    late = [(n, d) for n, s, d in states if s == "late"]
    none = [(n, d) for n, s, d in states if s == "none"]
    missing = [s for _, s, _ in states if isinstance(s, MissingFact)]
    if late or none:
        overdue = [(n, d) for n, d in none if d.date < ctx.as_of] + late
        name, deadline = min(overdue or none, key=lambda p: p[1].date)
        return ctx.not_met(
            f"{name}：{what_zh}" + ("已超过时限" if overdue else f"，应于 {deadline.date} 前申请"),
            f"{name}: {what_en}" + (" past the limit" if overdue else f", due by {deadline.date}"),
            action_zh=f"{what_zh}（时限 {deadline.date}）",
            action_en=f"{what_en} (limit {deadline.date})",
            deadline=deadline,
        )
    if missing:
        return ctx.needs(*missing)
    deadline = max((d for _, _, d in states), key=lambda d: d.date)
    return ctx.met(f"{what_zh}均在时限内", f"{what_en}: all within the limit", deadline=deadline)


@NOTICE.rule(
    id="134-19.b-licence",
    title_zh="取得意见书后12个月内持有人申请B类许可证",
    title_en="The MAH applies for its B licence within 12 months of the opinion letter",
    article="19",
    quote="受托生产企业取得《药品受托生产意见书》后，持有人应当在12个月内向持有人所在地省级药品监督管理部门申请办理B类许可证。",
    applies_to="contract",
    bearer="mah",
    severity="major",
    condition=_cross_province,
    condition_zh="委托双方不在同一省级行政区域",
    condition_en="the parties are in different provinces",
)
def b_licence(ctx: Ctx) -> Result:
    """Twelve months from the agreeing letter's date (the day the CMO obtains it), ending on the
    corresponding day (Civil Code art. 202)."""
    contract = ctx.contract
    letters = ctx.need(
        "contract.opinion_letters", contract.opinion_letters, "《药品受托生产意见书》记录", "the opinion letter records"
    )
    agreeing = [x for x in letters if x.agreed and x.issued_on is not None and x.issued_on <= ctx.as_of]
    if not agreeing:
        return ctx.not_applicable("尚未取得同意的意见书", "no agreeing opinion letter yet")
    months = ctx.param("b_licence_months")
    states = []
    for letter in agreeing:
        deadline = ctx.months_after(letter.issued_on, months, "意见书 letter")
        scopes = [s for s in _b_scopes(contract) if s.product_ref is None or s.product_ref in letter.product_refs]
        state = _applied_in_time(
            ctx, f"opinion_letters[{letter.ref}].mah_applied_on", letter.mah_applied_on, scopes, deadline
        )
        ctx.read(
            f"opinion_letters[{letter.ref}]",
            {
                "issued_on": letter.issued_on,
                "due": deadline.date,
                "state": state if isinstance(state, str) else "unknown",
            },
        )
        states.append((f"意见书 {letter.ref}", state, deadline))
    return _limit_result(ctx, states, "持有人申请B类许可证", "the MAH applies for its B licence")


@NOTICE.rule(
    id="134-19.cmo-licence-entry",
    title_zh="持有人完成B类许可后60个工作日内受托方申请在许可证副本中载明",
    title_en="Within 60 working days of the MAH's B licence the CMO applies to have its licence name the commission",
    article="19",
    quote="受托生产企业应当在持有人办理完成B类许可证许可事项后，60个工作日内向所在地省级药品监督管理部门提出申请，将委托双方的企业名称、品种名称、批准文号等有关变更情况在药品生产许可证副本中载明。",
    applies_to="contract",
    bearer="cmo",
    severity="major",
    condition=_cross_province,
    condition_zh="委托双方不在同一省级行政区域",
    condition_en="the parties are in different provinces",
)
def cmo_licence_entry(ctx: Ctx) -> Result:
    """For each product, from the date the MAH's B licence entry for this CMO and product was made
    (entered_on, on or after the notice applied): 60 working days, that day not counted, on the Chinese
    working-day calendar (provisional in a year without an official schedule)."""
    contract = ctx.contract
    start = ctx.rule.effective_from or dt.date.min
    n = ctx.param("licence_entry_working_days")
    states = []
    for product in contract.products:
        done = [
            s.entered_on
            for s in _b_scopes(contract, product.ref)
            if s.entered_on is not None and start <= s.entered_on <= ctx.as_of
        ]
        if not done:
            continue
        deadline = ctx.working_days_after(min(done), n, "B类许可 B licence")
        scopes = [s for s in _scopes(contract.cmo, "C", contract.mah.ref) if s.product_ref in (None, product.ref)]
        state = _applied_in_time(ctx, f"cmo.licence_scopes[{product.ref}].applied_on", None, scopes, deadline)
        ctx.read(
            f"products[{product.ref}]",
            {"b_licence_on": min(done), "due": deadline.date, "state": state if isinstance(state, str) else "unknown"},
        )
        states.append((product.name, state, deadline))
    if not states:
        return ctx.not_applicable("持有人尚未完成B类许可", "the MAH's B licence is not completed yet")
    return _limit_result(ctx, states, "受托方申请在许可证副本中载明", "the CMO applies for the entry in its licence")


# （二十）……如申报上市许可的申请未能获得批准的、不具备相应生产条件的或者因协议约定等因素终止委托活动的，持有人及受托
# 生产企业应当在终止委托活动后6个月内主动向所在地省级药品监督管理部门申请注销或者核减相应委托、受托生产范围。


@NOTICE.rule(
    id="134-20.cancellation",
    title_zh="终止委托后6个月内申请注销或核减生产范围",
    title_en="Within 6 months of the commission ending, apply to cancel or reduce the scope",
    article="20",
    quote="如申报上市许可的申请未能获得批准的、不具备相应生产条件的或者因协议约定等因素终止委托活动的，持有人及受托生产企业应当在终止委托活动后6个月内主动向所在地省级药品监督管理部门申请注销或者核减相应委托、受托生产范围。",
    applies_to="contract",
    severity="major",
    after_termination=True,
    condition=commission_ended,
    condition_zh="委托活动已终止",
    condition_en="the commission has ended",
)
def cancellation(ctx: Ctx) -> Result:
    """The entries naming the counterparty for the contract's products — the MAH's B entries and the
    CMO's C entries — are removed, or their removal applied for, within six months of the termination
    (corresponding day, Civil Code art. 202). Products the two still commission under another
    contract in force keep their entries. A party whose licences record no entry naming the
    counterparty at all — neither held nor removed — is not read as having cancelled it: "主动…申请注销
    或者核减" is an act, and an absent record cannot show it was done, so the entries and their removal
    are asked for."""
    contract = ctx.contract
    deadline = ctx.months_after(contract.terminated_on, ctx.param("cancellation_months"), "终止 termination")
    ended = {p.ref for p in contract.products} - contract.continuing_product_refs
    ctx.read("ended_products", ended)
    linked = [
        (party, s)
        for party, scopes in (
            ("mah", _scopes(contract.mah, "B", contract.cmo.ref)),
            ("cmo", _scopes(contract.cmo, "C", contract.mah.ref)),
        )
        for s in scopes
        if (s.product_ref in ended) or (s.product_ref is None and not contract.continuing_product_refs)
    ]
    outstanding, missing = [], []
    for party, holder in (("mah", contract.mah), ("cmo", contract.cmo)):
        if ended and not any(p == party for p, _ in linked):
            missing.append(
                MissingFact(
                    f"{party}.licence_scopes",
                    f"{holder.name}许可证上本委托的生产范围及其注销/核减记录",
                    f"the entries of this commission on {holder.name}'s licence and their removal",
                )
            )
    for party, s in linked:
        if s.removal_applied_on is not None and s.removal_applied_on <= deadline.date:
            continue
        if s.removed_on is not None and s.removed_on <= ctx.as_of:
            if s.removed_on > deadline.date and s.removal_applied_on is None:
                missing.append(
                    MissingFact(
                        f"{party}.licence_scopes[{s.product_ref}].removal_applied_on",
                        "注销/核减的申请日期",
                        "the date the cancellation was applied for",
                    )
                )
            continue
        outstanding.append((party, s))
    ctx.read("outstanding_entries", [(p, s.product_ref, s.scope) for p, s in outstanding])
    if outstanding:
        who = "、".join(sorted({"持有人" if p == "mah" else "受托方" for p, _ in outstanding}))
        who_en = " and ".join(sorted({p.upper() for p, _ in outstanding}))
        return ctx.not_met(
            f"{who}尚未申请注销或核减相应生产范围",
            f"the {who_en} has not applied to cancel or reduce the scope",
            action_zh=f"于 {deadline.date} 前向所在地省级药监局申请注销或核减相应委托、受托生产范围",
            action_en=f"apply to the provincial MPA by {deadline.date} to cancel or reduce the commissioning scope",
            deadline=deadline,
        )
    if missing:
        return ctx.needs(*missing)
    return ctx.met(
        "相应生产范围已注销、核减或已按时申请",
        "the scope was cancelled, reduced or applied for in time",
        deadline=deadline,
    )
