"""Art. 7, 11, 12 on the platform's own records: communication within the agreed time limits, the
art. 11 duties of batches with a critical deviation (重大偏差), market release after review of the deviations.

These read the quality events, batches, deviations and retention duties that the quality and
batches apps hold (``contract.quality_events``, ``contract.batches``); None there (records not
held, e.g. an installation without them) makes each rule ask for them.
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, Result
from weituo.rules.facts import BatchFacts
from weituo.rules.helpers import contract_changes, one_party_may_keep_samples

from . import NOTICE

# （七）受托生产企业和持有人应当建立质量信息沟通程序，按照风险管理原则，制定沟通信息清单（……），明确沟通人员和职责、
# 沟通方式和有关时限，确保沟通顺畅、及时有效。


@NOTICE.rule(
    id="134-7.timely-communication",
    title_zh="沟通事项在质量协议约定的时限内得到确认",
    title_en="Communication-list items are acknowledged within the agreed time limits",
    article="7",
    quote="明确沟通人员和职责、沟通方式和有关时限，确保沟通顺畅、及时有效。",
    applies_to="contract",
    severity="major",
)
def timely_communication(ctx: Ctx) -> Result:
    """Reading: "及时有效" within the "有关时限" the parties set, on both legs of the communication. The
    raising party notifies within the agreed limit from when it found the item (art. 5: the CMO
    "及时记录、处置，并通报持有人"; an item raised after its limit from discovery is late, however fast the
    counterparty then acknowledges it), and the counterparty acknowledges it within the limit from
    the notification. An item not yet acknowledged and past its deadline on the date of evaluation,
    or acknowledged after it, or raised after its notification deadline, is not met; withdrawn items
    and items without an agreed time limit (the agreement rule 134-7.communication-list covers those)
    are not judged here, nor the notification of an item whose discovery was not recorded. Dates in
    China time: an item due within hours counts as late from the next day."""
    events = ctx.need(
        "contract.quality_events",
        ctx.contract.quality_events,
        "委托双方之间的沟通事项记录（质量事件）",
        "the communication-list items raised between the parties (quality events)",
    )
    timed = [e for e in events if not e.withdrawn and e.due_on is not None and e.raised_on <= ctx.as_of]
    notified_late = [e for e in timed if e.notify_due_on is not None and e.raised_on > e.notify_due_on]
    acknowledged_late = [
        e
        for e in timed
        if (e.acknowledged_on is None and e.due_on < ctx.as_of)
        or (e.acknowledged_on is not None and e.acknowledged_on > e.due_on)
    ]
    ctx.read(
        "timed_items",
        [
            (e.ref, e.category, e.discovered_on, e.notify_due_on, e.raised_on, e.due_on, e.acknowledged_on)
            for e in timed
        ],
    )
    if not timed:
        return ctx.not_applicable("尚无约定时限的沟通事项", "no communication item with an agreed time limit yet")
    if notified_late or acknowledged_late:
        zh_parts, en_parts = [], []
        if notified_late:
            zh_parts.append(
                "发现后超过约定时限才通报："
                + "、".join(
                    f"{e.ref}（{e.category}，发现 {e.discovered_on}，应于 {e.notify_due_on} 前通报）"
                    for e in notified_late
                )
            )
            en_parts.append(
                "notified after the agreed time limit from discovery: "
                + ", ".join(
                    f"{e.ref} ({e.category}, found {e.discovered_on}, due {e.notify_due_on})" for e in notified_late
                )
            )
        if acknowledged_late:
            zh_parts.append(
                "超过约定时限未确认："
                + "、".join(f"{e.ref}（{e.category}，时限 {e.due_on}）" for e in acknowledged_late)
            )
            en_parts.append(
                "not acknowledged within the agreed time limit: "
                + ", ".join(f"{e.ref} ({e.category}, due {e.due_on})" for e in acknowledged_late)
            )
        open_late = [e for e in acknowledged_late if e.acknowledged_on is None]
        return ctx.not_met(
            "；".join(zh_parts),
            "; ".join(en_parts),
            action_zh=(
                "接收方立即确认逾期事项" if open_late else "分析逾期通报或确认的原因，必要时调整联系人、流程或时限"
            ),
            action_en=(
                "the recipient acknowledges the overdue items now"
                if open_late
                else "find why items were notified or acknowledged late; adjust contacts, procedure or time limits"
            ),
        )
    return ctx.met(
        f"{len(timed)} 项沟通事项均在时限内通报和确认，或尚未到期",
        f"none of the {len(timed)} items was notified or acknowledged late, or is overdue",
    )


# （十一）……对于生产过程中出现重大偏差的相关批次产品、重大变更获批实施后生产的最初三批次产品，委托双方均应当对相关
# 制剂产品开展留样及持续稳定性考察。……在同一集团内执行统一质量管理体系的企业之间委托生产药品的，或者受托生产企业采用
# 信息化手段记录生产、检验全过程数据，并能与持有人进行电子数据交换的，可由持有人或者受托生产企业一方进行留样及持续
# 稳定性考察。

KINDS = {"retained_sample": ("留样", "retained samples"), "ongoing_stability": ("持续稳定性考察", "ongoing stability")}
PARTIES = {"mah": ("持有人", "the MAH"), "cmo": ("受托方", "the CMO")}


def _batches(ctx: Ctx):
    return ctx.need(
        "contract.batches",
        ctx.contract.batches,
        "本协议下的批次及其偏差、留样和稳定性考察记录",
        "the batches of this contract with their deviations, retained samples and stability studies",
    )


def _duty_problems(batches: list[BatchFacts], ctx: Ctx, *, one_party: bool) -> tuple[list[str], list[str]]:
    """What is missing of each batch's art. 11 duties: each party's (or, under para. 2, one party's)
    retained-sample and ongoing-stability duty, fulfilled once the batch is factory-released."""
    problems_zh, problems_en = [], []
    for b in batches:
        released = b.factory_released_on is not None and b.factory_released_on <= ctx.as_of
        duties = {(d.kind, d.party): d for d in b.retention_duties}
        parties = ["mah", "cmo"]
        if one_party:
            carrying = {p for (_k, p) in duties}
            parties = [p for p in parties if p in carrying][:1] or parties
        for kind, (kind_zh, kind_en) in KINDS.items():
            for party in parties:
                duty = duties.get((kind, party))
                who_zh, who_en = PARTIES[party]
                if duty is None:
                    problems_zh.append(f"批次{b.number or b.ref}：{who_zh}无{kind_zh}记录")
                    problems_en.append(f"batch {b.number or b.ref}: no {kind_en} duty of {who_en}")
                elif released and (duty.fulfilled_on is None or duty.fulfilled_on > ctx.as_of):
                    problems_zh.append(f"批次{b.number or b.ref}已放行，{who_zh}尚未完成{kind_zh}")
                    problems_en.append(f"batch {b.number or b.ref} is released; {who_en} has not recorded {kind_en}")
    return problems_zh, problems_en


@NOTICE.rule(
    id="134-11.major-deviation-batches",
    title_zh="重大偏差批次由委托双方留样并开展持续稳定性考察",
    title_en="Batches with a critical deviation (重大偏差): both parties keep retained samples and run ongoing stability",
    article="11",
    quote="对于生产过程中出现重大偏差的相关批次产品、重大变更获批实施后生产的最初三批次产品，委托双方均应当对相关制剂产品开展留样及持续稳定性考察。",
    applies_to="contract",
    severity="major",
)
def major_deviation_batches(ctx: Ctx) -> Result:
    """Each batch with a 重大偏差 (GMP art. 250's critical class: the parameter
    ``art11_deviation_classifications``; 主要偏差 is major, not 重大) carries, for each party, a
    retained-sample and an ongoing-stability duty; once the batch is factory-released, each duty is recorded fulfilled
    (the samples are taken from the batch as released). Art. 11 para. 2 (one group with one quality
    system, or electronic records exchanged with the MAH) lets one party carry both duties: then one party's duties
    suffice. The first three batches after a major change are ``134-11.major-change-batches``."""
    batches = _batches(ctx)
    contract = ctx.contract
    one_party = one_party_may_keep_samples(ctx, contract, contract.current_agreement(ctx.as_of))
    serious_classes = frozenset(ctx.param("art11_deviation_classifications"))
    serious = [
        b
        for b in batches
        if any(d.classification in serious_classes and d.raised_on <= ctx.as_of for d in b.deviations)
    ]
    ctx.read(
        "major_deviation_batches",
        [
            (b.ref, [d.ref for d in b.deviations if d.classification in serious_classes], b.factory_released_on)
            for b in serious
        ],
    )
    if not serious:
        return ctx.not_applicable("没有出现重大偏差的批次", "no batch with a critical deviation (重大偏差)")
    problems_zh, problems_en = _duty_problems(serious, ctx, one_party=one_party)
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="对重大偏差批次由委托双方（或依第二款由约定的一方）留样并开展持续稳定性考察，并记录",
            action_en="have both parties (or the one agreed under para. 2) keep retained samples of these batches "
            "and run ongoing stability, and record it",
        )
    return ctx.met(
        "重大偏差批次的留样和持续稳定性考察均已落实或尚在放行前",
        "the retained samples and stability studies of batches with a critical deviation are in place, or the batch "
        "is not released yet",
    )


@NOTICE.rule(
    id="134-11.major-change-batches",
    title_zh="重大变更实施后最初三批由委托双方留样并开展持续稳定性考察",
    title_en="The first three batches after a major change: both parties keep retained samples and run ongoing stability",
    article="11",
    quote="重大变更获批实施后生产的最初三批次产品，委托双方均应当对相关制剂产品开展留样及持续稳定性考察。",
    applies_to="contract",
    severity="major",
)
def major_change_batches(ctx: Ctx) -> Result:
    """Reading: for each change managed as major and implemented, the first batches
    (``batches_after_major_change``: three) of each product it names, made on or after the day it was
    implemented, carry each party's retained-sample and ongoing-stability duty, fulfilled once the
    batch is factory-released — or one party's under para. 2, as for a 重大偏差. A batch whose
    manufacturing date is not recorded cannot be placed and is asked for."""
    contract = ctx.contract
    changes = contract_changes(ctx)
    batches = _batches(ctx)
    count = ctx.param("batches_after_major_change")
    major = [
        c for c in changes if c.managed_as == "major" and c.implemented_on is not None and c.implemented_on <= ctx.as_of
    ]
    ctx.read("major_changes", [(c.ref, c.product_ref, c.implemented_on) for c in major])
    if not major:
        return ctx.not_applicable("无已实施的重大变更", "no major change has been implemented")
    undated = [b.ref for b in batches if b.manufactured_on is None]
    if undated:
        ctx.need(
            "batch.manufactured_on",
            None,
            "批次的生产日期：" + "、".join(undated),
            "the manufacturing date of " + ", ".join(undated),
        )
    one_party = one_party_may_keep_samples(ctx, contract, contract.current_agreement(ctx.as_of))
    first: dict[str, BatchFacts] = {}
    for c in major:
        made = sorted(
            (
                b
                for b in batches
                if b.product_ref == c.product_ref and c.implemented_on <= b.manufactured_on <= ctx.as_of
            ),
            key=lambda b: (b.manufactured_on, b.number, b.ref),  # a day's batches by number, as the services
        )
        for b in made[:count]:
            first[b.ref] = b
    ctx.read("first_batches", sorted(first))
    if not first:
        return ctx.not_applicable("重大变更实施后尚未生产批次", "no batch made since the major change yet")
    problems_zh, problems_en = _duty_problems(list(first.values()), ctx, one_party=one_party)
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh=f"对重大变更实施后最初{count}批由委托双方（或依第二款由约定的一方）留样并开展持续稳定性考察，并记录",
            action_en=f"have both parties (or the one agreed under para. 2) keep retained samples of the first {count} "
            "batches after the major change and run ongoing stability, and record it",
        )
    return ctx.met(
        f"重大变更实施后最初{count}批的留样和持续稳定性考察均已落实或尚在放行前",
        f"the retained samples and stability studies of the first {count} batches after the major change are in "
        "place, or the batch is not released yet",
    )


# （十二）……持有人在上市放行时，应当对药品质量检验结果、关键生产记录和偏差控制情况严格审核……


@NOTICE.rule(
    id="134-12.market-release-review",
    title_zh="上市放行在出厂放行之后，且批次偏差均已处理完毕",
    title_en="Market release follows factory release, with every deviation of the batch closed",
    article="12",
    quote="持有人在上市放行时，应当对药品质量检验结果、关键生产记录和偏差控制情况严格审核",
    applies_to="contract",
    bearer="mah",
    severity="critical",
)
def market_release_review(ctx: Ctx) -> Result:
    """Reading: a review of "偏差控制情况" at market release cannot pass while a deviation of the batch
    is still open, and the MAH reviews what the CMO submitted at factory release, so market release
    comes on or after factory release and after every deviation of the batch was closed. Whether the
    review was "严格" is the QP's judgement, not checked here. The events that must be closed first are
    those of ``release_blocking_event_categories`` (deviations, OOS/OOT): an open OOS of the batch at
    market release is not met either."""
    batches = _batches(ctx)
    blocking = frozenset(ctx.param("release_blocking_event_categories"))
    events = ctx.contract.quality_events or ()  # the deviations are also on the batches: the OOS/OOT only here
    released = [b for b in batches if b.market_released_on is not None and b.market_released_on <= ctx.as_of]
    ctx.read(
        "market_released_batches",
        [
            (b.ref, b.factory_released_on, b.market_released_on, [(d.ref, d.closed_on) for d in b.deviations])
            for b in released
        ],
    )
    if not released:
        return ctx.not_applicable("尚无上市放行的批次", "no batch has been released to market yet")
    problems_zh, problems_en = [], []
    for b in released:
        name = b.number or b.ref
        if b.factory_released_on is None or b.factory_released_on > b.market_released_on:
            problems_zh.append(f"批次{name}在出厂放行之前上市放行")
            problems_en.append(f"batch {name} was released to market before its factory release")
        still_open = [d.ref for d in b.deviations if d.closed_on is None or d.closed_on > b.market_released_on]
        still_open += [
            e.ref
            for e in events
            if e.batch_ref == b.ref
            and e.category in blocking
            and not e.withdrawn
            and e.raised_on <= b.market_released_on
            and (e.closed_on is None or e.closed_on > b.market_released_on)
            and e.ref not in still_open
        ]
        if still_open:
            problems_zh.append(f"批次{name}上市放行时偏差未关闭：{'、'.join(still_open)}")
            problems_en.append(f"batch {name} was released to market with deviations open: {', '.join(still_open)}")
    if problems_zh:
        return ctx.not_met(
            "；".join(problems_zh),
            "; ".join(problems_en),
            action_zh="评估已上市批次的风险；上市放行前审核出厂放行资料，并确认批次偏差均已关闭",
            action_en="assess the risk of these batches; before market release review the factory-release records "
            "and confirm every deviation of the batch is closed",
        )
    return ctx.met(
        "上市放行均在出厂放行之后，且放行时批次偏差均已关闭",
        "every market release followed factory release with the batch's deviations closed",
    )
