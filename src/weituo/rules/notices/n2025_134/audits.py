"""Art. 13 and 14: the MAH's periodic audits of the CMO, the CMO's rectification of what they find,
and remote audits only where the CMO's records are electronic and exchanged with the MAH.

（十三）受托生产企业应当积极配合持有人定期开展现场审核工作，积极配合持有人所在地省级药品监督管理部门开展延伸检查，
不得隐瞒真实情况或者提供虚假材料，对审核或者检查发现的问题应当及时整改。……

（十四）……受托生产企业采用信息化手段记录药品生产、检验全过程数据，并能与持有人进行电子数据交换的，持有人在定期审核
工作中，可以以非现场审核形式代替部分现场审核。

The audits, their findings and the CMO's CAPAs come from the quality app's audit workflow
(``compliance.facts``). 134-13.audit-report (the report after each on-site audit) is in
``production``.
"""

from __future__ import annotations

import datetime as dt

from weituo.rules.engine import Ctx, Deadline, MissingFact, Result
from weituo.rules.facts import AuditFacts, ContractFacts
from weituo.rules.helpers import (
    IN_FORCE_EN,
    IN_FORCE_ZH,
    in_force_now,
    periodic_duty,
    production_start,
    records_exchanged_electronically,
)

from . import NOTICE


def _audits(ctx: Ctx) -> tuple[AuditFacts, ...]:
    return ctx.need("contract.audits", ctx.contract.audits, "持有人对受托方的审核记录", "the MAH's audits of the CMO")


def _remote_allowed(ctx: Ctx, contract: ContractFacts, on: dt.date) -> bool:
    """Art. 14's two conditions on the day of a remote audit, as the quality agreement in force that day
    records them: "采用信息化手段记录药品生产、检验全过程数据" (``electronic_production_records``) and
    "能与持有人进行电子数据交换" (``electronic_data_exchange``). No agreement in force that day: the
    conditions were not agreed."""
    agreement = next((a for a in contract.agreements if a.in_force_on(on)), None)
    ctx.read(f"agreement_on[{on.isoformat()}]", agreement and agreement.ref)
    if agreement is None:
        return False
    return records_exchanged_electronically(ctx, agreement, f"agreement[{agreement.ref}]")


@NOTICE.rule(
    id="134-13.periodic-audit",
    title_zh="持有人定期对受托方开展审核",
    title_en="The MAH audits the CMO periodically",
    article="13",
    quote="受托生产企业应当积极配合持有人定期开展现场审核工作",
    applies_to="contract",
    bearer="mah",
    severity="major",
    condition=in_force_now,
    condition_zh=IN_FORCE_ZH,
    condition_en=IN_FORCE_EN,
)
def periodic_audit(ctx: Ctx) -> Result:
    """Reading of 定期: the notice gives no interval, and the quality agreement has no structured audit
    period, so weituo reads it as at least one audit every twelve months (``periodic_audit_interval_months``,
    a house reading cited to this sentence, on the yearly rhythm the notice itself sets for the MAH's
    on-site supervision of sterile validation in art. 5, 每年至少一次), the first due
    twelve months after commissioned production began under the contract (or the notice). An on-site
    audit counts; a remote audit counts only where art. 14 allows it on its day (the agreement in force
    records electronic records and electronic data exchange) — 134-14.remote-audit judges the rest.
    Only the present is judged: up to date, or overdue. A planned or cancelled audit audited nothing."""
    contract = ctx.contract
    audits = [a for a in _audits(ctx) if a.audited_on <= ctx.as_of]
    counted = [
        a.audited_on
        for a in audits
        if a.kind == "on_site" or (a.kind == "remote" and _remote_allowed(ctx, contract, a.audited_on))
    ]
    return periodic_duty(
        ctx,
        events=counted,
        start=production_start(contract, ctx),
        interval_months=ctx.param("periodic_audit_interval_months"),
        what_zh="持有人对受托方的定期审核",
        what_en="periodic audit of the CMO by the MAH",
    )


@NOTICE.rule(
    id="134-13.findings-rectified",
    title_zh="受托方对审核发现的问题及时整改",
    title_en="The CMO rectifies what the MAH's audits found, by the dates set",
    article="13",
    quote="对审核或者检查发现的问题应当及时整改",
    applies_to="contract",
    bearer="cmo",
    severity="major",
)
def findings_rectified(ctx: Ctx) -> Result:
    """Reading of 及时整改 for the MAH's audits: each finding is answered by a CAPA of the CMO by the
    finding's response due date, and fixed — a CAPA reported implemented and not found ineffective
    by the MAH's check — by that CAPA's own due date. A finding still open is not met, with the date
    it is due: the response date while no CAPA answers it, else the earliest due date of its open
    CAPAs (when every CAPA was found ineffective, the response date again: a new CAPA is owed).
    Answers that came late but are done are not reported: the finding is about now. Findings of the
    regulator's inspections are not audit records and are not read here. Audits whose findings are not
    known ask for them."""
    audits = [a for a in _audits(ctx) if a.audited_on <= ctx.as_of]
    outstanding: list[tuple[str, dt.date, str]] = []
    missing, done = [], []
    for audit in audits:
        if audit.findings is None:
            missing.append(
                MissingFact(
                    f"audits[{audit.ref}].findings", f"审核{audit.ref}发现的问题", f"the findings of audit {audit.ref}"
                )
            )
            continue
        for finding in audit.findings:
            capas = [c for c in finding.capas if c.raised_on is None or c.raised_on <= ctx.as_of]
            fixed = [
                c
                for c in capas
                if c.implemented_on is not None and c.implemented_on <= ctx.as_of and c.effective is not False
            ]
            if fixed:
                done.append((finding.ref, min(c.implemented_on for c in fixed)))
                continue
            open_capas = [c for c in capas if c.implemented_on is None or c.implemented_on > ctx.as_of]
            if open_capas:
                outstanding.append((finding.ref, min(c.due_on for c in open_capas), "capa"))
            else:
                outstanding.append((finding.ref, finding.response_due_on, "response"))
    ctx.read("rectified_findings", done)
    ctx.read("open_findings", outstanding)
    if outstanding:
        ref, due, kind = min(outstanding, key=lambda o: o[1])
        late = [o for o in outstanding if o[1] < ctx.as_of]
        basis = f"finding {ref}: " + ("CAPA due date" if kind == "capa" else "response due date")
        listing_zh = "、".join(f"{r}（{d}前）" for r, d, _ in outstanding)
        listing_en = ", ".join(f"{r} (by {d})" for r, d, _ in outstanding)
        return ctx.not_met(
            ("审核发现的问题逾期未整改：" if late else "审核发现的问题待整改：") + listing_zh,
            ("audit findings not rectified in time: " if late else "audit findings to rectify: ") + listing_en,
            action_zh="针对审核发现的问题制定并落实纠正预防措施，按期整改到位",
            action_en="answer each finding with a CAPA and carry it out by its due date",
            deadline=Deadline(due, False, basis),
        )
    if missing:
        return ctx.needs(*missing)
    if not done:
        return ctx.not_applicable("审核未发现问题", "no audit finding recorded")
    return ctx.met("审核发现的问题均已整改", "every audit finding has been rectified")


@NOTICE.rule(
    id="134-14.remote-audit",
    title_zh="非现场审核仅在受托方信息化记录并与持有人电子数据交换时代替部分现场审核",
    title_en="A remote audit replaces part of the on-site audits only where records are electronic and exchanged",
    article="14",
    quote="受托生产企业采用信息化手段记录药品生产、检验全过程数据，并能与持有人进行电子数据交换的，持有人在定期审核工作中，可以以非现场审核形式代替部分现场审核。",
    applies_to="contract",
    bearer="mah",
    severity="major",
)
def remote_audit(ctx: Ctx) -> Result:
    """Each remote audit by the date of evaluation took place while the quality agreement in force
    recorded both conditions — the CMO records production and testing electronically, and exchanges
    the data with the MAH electronically (one without the other is not enough; being in one group is
    not a condition here, unlike art. 11 and 17) — and, reading of 代替部分, remote audits have not
    replaced every audit: at least one on-site audit of the CMO took place by the date of evaluation.
    No remote audit: not applicable. No agreement on record at all asks for it; an agreement on
    record but none in force on the day of a remote audit is read as the conditions not agreed."""
    contract = ctx.contract
    audits = [a for a in _audits(ctx) if a.audited_on <= ctx.as_of]
    remote = [a for a in audits if a.kind == "remote"]
    ctx.read("remote_audits", [(a.ref, a.audited_on) for a in remote])
    if not remote:
        return ctx.not_applicable("无非现场审核", "no remote audit")
    if not contract.agreements:
        return ctx.needs(MissingFact("contract.agreements", "质量协议", "the quality agreement"))
    unfounded = [a for a in remote if not _remote_allowed(ctx, contract, a.audited_on)]
    on_site = ctx.read("on_site_audits", [a.audited_on for a in audits if a.kind == "on_site"])
    problems_zh, problems_en = [], []
    if unfounded:
        problems_zh.append(
            "非现场审核时质量协议未约定信息化记录生产检验全过程数据并与持有人电子数据交换："
            + "、".join(f"{a.ref}（{a.audited_on}）" for a in unfounded)
        )
        problems_en.append(
            "remote audits while the agreement in force did not record electronic production and testing "
            "records exchanged electronically with the MAH: "
            + ", ".join(f"{a.ref} ({a.audited_on})" for a in unfounded)
        )
    if not on_site:
        problems_zh.append("仅有非现场审核，未开展现场审核")
        problems_en.append("only remote audits: no on-site audit has taken place")
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="开展现场审核；非现场审核仅在受托方信息化记录生产检验全过程数据并能与持有人电子数据交换时代替部分现场审核",
            action_en="audit the CMO on site; use remote audits only for part of the audits, and only where the "
            "CMO records production and testing electronically and exchanges the data with the MAH",
        )
    return ctx.met(
        "非现场审核符合第十四条条件，且已开展现场审核",
        "remote audits met art. 14's conditions and on-site audits took place",
    )
