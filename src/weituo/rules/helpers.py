"""Small pieces the notices' rules share: production status, experience in years, periodic duties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .engine import Ctx, Deadline, Result
from .facts import AgreementFacts, ChangeFacts, ContractFacts, ExperienceFacts, PersonFacts, ProductFacts
from .periods import add_months, union_years


def in_commercial_production(contract: ContractFacts, product: ProductFacts, as_of: dt.date) -> bool:
    """Made commercially under this contract on ``as_of``: a marketed product under a contract in force.

    The platform holds no batches yet, so this is the reading used by the rules on duties "during
    commissioned production of a marketed product" (art. 4, 5, 12).
    """
    return product.status == "marketed" and contract.in_force_on(as_of)


def production_start(contract: ContractFacts, ctx: Ctx) -> dt.date:
    """When the duties of commissioned production started: the contract's effective date or the rule's, later."""
    start = ctx.need(
        "contract.effective_from", contract.effective_from, "委托生产协议生效日期", "the contract's effective date"
    )
    if ctx.rule.effective_from and ctx.rule.effective_from > start:
        return ctx.rule.effective_from
    return start


def commissioning_date(ctx: Ctx, contract: ContractFacts) -> dt.date:
    """The date a commissioning requirement is judged on: the contract's signing date.

    A contract not signed yet (a draft) is judged on the date of evaluation: can it be signed now?
    A contract signed before the rule applied could not have met it then; it is judged on the date of
    evaluation too, which is what its rectification (art. 25) must achieve.
    """
    signed = ctx.read("contract.signed_on", contract.signed_on)
    if signed is None and contract.status != "draft":
        ctx.need("contract.signed_on", None, "委托生产协议签订日期", "the date the contract was signed")
    if signed is None or (ctx.rule.effective_from is not None and signed < ctx.rule.effective_from):
        return ctx.as_of
    return signed


def experience_years(
    entries: Iterable[ExperienceFacts],
    *,
    as_of: dt.date,
    activities: Iterable[str],
    dosage_form: str | None = None,
    sterile: bool | None = None,
    biologic: bool | None = None,
) -> float:
    """Years of experience (overlaps once, open periods to ``as_of``) matching the filters.

    The dosage form is compared as written after trimming (同剂型: the same dosage form name).
    """
    wanted = set(activities)
    form = dosage_form.strip() if dosage_form else None
    spans = []
    for e in entries:
        if e.activity not in wanted or e.started_on > as_of:
            continue
        if form is not None and (e.dosage_form or "").strip() != form:
            continue
        if sterile is not None and e.sterile != sterile:
            continue
        if biologic is not None and e.biologic != biologic:
            continue
        spans.append((e.started_on, min(e.ended_on or as_of, as_of)))
    return union_years(spans)


def periodic_duty(
    ctx: Ctx,
    *,
    events: Iterable[dt.date],
    start: dt.date,
    interval_months: int,
    what_zh: str,
    what_en: str,
) -> Result:
    """A duty repeated at most ``interval_months`` apart, the first due that long after ``start``.

    Up to date (met, with the next due date as deadline) when the latest occurrence — or ``start``
    if none yet — is no more than the interval before ``as_of``; otherwise not met and overdue.
    Gaps in the past that were later caught up are not reported: the finding is about now.
    """
    done = sorted(e for e in events if e <= ctx.as_of)
    ctx.read("occurrences", done)
    latest = done[-1] if done else None
    anchor = max(start, latest) if latest else start
    due = add_months(anchor, interval_months)
    basis = f"{interval_months} months after {anchor.isoformat()}" + (
        " (latest)" if latest and latest >= start else " (start)"
    )
    deadline = Deadline(due, False, basis)
    if ctx.as_of <= due:
        return ctx.met(
            f"{what_zh}按期进行，下次应于 {due} 前完成",
            f"{what_en} up to date; the next is due by {due}",
            deadline=deadline,
            action_zh=f"于 {due} 前完成下一次{what_zh}",
            action_en=f"complete the next {what_en} by {due}",
        )
    return ctx.not_met(
        f"{what_zh}已逾期（应于 {due} 前完成）",
        f"{what_en} overdue (due by {due})",
        action_zh=f"立即完成{what_zh}",
        action_en=f"carry out the {what_en} now",
        deadline=deadline,
    )


def person_text(person: PersonFacts | None) -> str | None:
    return None if person is None else f"{person.name} ({person.ref}, {person.organisation_ref})"


def contract_changes(ctx: Ctx) -> tuple[ChangeFacts, ...]:
    """The contract's change records, or "needs information" naming them."""
    return ctx.need(
        "contract.changes",
        ctx.contract.changes,
        "涉及受托生产产品的变更记录",
        "the change records of the commissioned products",
    )


def one_party_may_keep_samples(ctx: Ctx, contract: ContractFacts, agreement: AgreementFacts | None) -> bool:
    """Art. 11 para. 2: one party may keep the retained samples and run ongoing stability when the two
    are one group with one quality system, or when the CMO "采用信息化手段记录生产、检验全过程数据，并能与
    持有人进行电子数据交换" — two conditions, each a field of the agreement in force."""
    group = ctx.read("same_group_unified_qms", contract.mah.same_group_unified_qms(contract.cmo))
    if agreement is None:
        return group
    return records_exchanged_electronically(ctx, agreement) or group


def records_exchanged_electronically(ctx: Ctx, agreement: AgreementFacts, name: str = "agreement") -> bool:
    """ "采用信息化手段记录…生产、检验全过程数据，并能与持有人进行电子数据交换" (art. 11 para. 2, art. 14):
    both fields of the agreement, read under ``name`` — one without the other is not enough."""
    records = ctx.read(f"{name}.electronic_production_records", agreement.electronic_production_records)
    exchange = ctx.read(f"{name}.electronic_data_exchange", agreement.electronic_data_exchange)
    return records and exchange


# The condition of the rules about an ongoing commission: it is in force on the date of evaluation.
IN_FORCE_ZH = "委托在有效期内"
IN_FORCE_EN = "the commission is in force"


def in_force_now(ctx: Ctx) -> bool:
    return ctx.read("contract.in_force", ctx.contract.in_force_on(ctx.as_of))


def commission_ended(ctx: Ctx) -> bool:
    """The condition of the rules about what follows a commission: it ended on or before the date."""
    ended = ctx.read("contract.terminated_on", ctx.contract.terminated_on)
    return ended is not None and ended <= ctx.as_of
