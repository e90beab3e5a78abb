"""Art. 6, 7, 11: what the quality agreement must say — access and the link person, the communication
list, who keeps retained samples and runs ongoing stability.

These read the structured quality agreement, which the platform holds: a field left empty there
means the agreement does not say it (not met), not that the platform does not know.
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, Result
from weituo.rules.helpers import one_party_may_keep_samples, person_text

from . import NOTICE

# （六）委托双方应当确保质量管理体系有效衔接，强化药品生产、检验记录和数据的管理。受托生产企业应当明确与持有人质量
# 管理体系衔接的负责人，并明确其职责；质量协议中应当明确持有人有权查阅与受托生产活动相关的管理制度、操作规程和文件
# 记录等，有权查看与受托生产活动相关的场所，确保受托生产符合法律法规、技术规范以及持有人质量管理等要求。


@NOTICE.rule(
    id="134-6.access",
    title_zh="质量协议明确持有人查阅记录和查看场所的权利",
    title_en="The agreement grants the MAH access to records and sites",
    article="6",
    quote="质量协议中应当明确持有人有权查阅与受托生产活动相关的管理制度、操作规程和文件记录等，有权查看与受托生产活动相关的场所",
    applies_to="agreement",
    severity="major",
)
def access(ctx: Ctx) -> Result:
    """Both rights must be in the agreement: to consult procedures and records, and to visit sites."""
    agreement = ctx.agreement
    records = ctx.read("agreement.mah_may_consult_records", agreement.mah_may_consult_records)
    sites = ctx.read("agreement.mah_may_visit_sites", agreement.mah_may_visit_sites)
    if records and sites:
        return ctx.met("质量协议明确了持有人查阅记录和查看场所的权利", "the agreement grants both rights")
    lacking_zh = "、".join(
        x for x, ok in (("查阅管理制度、操作规程和记录", records), ("查看相关场所", sites)) if not ok
    )
    lacking_en = " and ".join(
        x for x, ok in (("consulting procedures and records", records), ("visiting the sites", sites)) if not ok
    )
    return ctx.not_met(
        f"质量协议未明确持有人{lacking_zh}的权利",
        f"the agreement does not grant the MAH the right of {lacking_en}",
        action_zh=f"修订质量协议，明确持有人{lacking_zh}的权利",
        action_en=f"amend the agreement to grant the MAH the right of {lacking_en}",
    )


@NOTICE.rule(
    id="134-6.link-person",
    title_zh="受托方明确与持有人质量体系衔接的负责人",
    title_en="The CMO names its person linking the two quality systems",
    article="6",
    quote="受托生产企业应当明确与持有人质量管理体系衔接的负责人，并明确其职责",
    applies_to="agreement",
    bearer="cmo",
    severity="major",
)
def link_person(ctx: Ctx) -> Result:
    """The agreement names the link person, and that person is the CMO's (an agreement copied from a
    template names another company's person)."""
    agreement, contract = ctx.agreement, ctx.contract
    person = agreement.cmo_link_person
    ctx.read("agreement.cmo_link_person", person_text(person))
    ctx.read("cmo.ref", contract.cmo.ref)
    if person is None:
        return ctx.not_met(
            "未明确受托方质量体系衔接负责人",
            "no link person of the CMO is named",
            action_zh="在质量协议中明确受托方衔接负责人及其职责",
            action_en="name the CMO's link person and their duties in the agreement",
        )
    if person.organisation_ref != contract.cmo.ref:
        return ctx.not_met(
            f"衔接负责人 {person.name} 不是受托方人员（属于 {person.organisation_ref}）",
            f"the link person {person.name} is not the CMO's (belongs to {person.organisation_ref})",
            action_zh="改为受托方人员担任衔接负责人",
            action_en="name a person of the CMO as link person",
        )
    return ctx.met(f"衔接负责人：{person.name}", f"link person: {person.name}")


# （七）受托生产企业和持有人应当建立质量信息沟通程序，按照风险管理原则，制定沟通信息清单（至少包括偏差、变更、检验
# 结果超标/超趋势、确认与验证、留样和稳定性考察、药物警戒、接受药品监督管理部门检查情况、不良信用记录等），明确沟通
# 人员和职责、沟通方式和有关时限，确保沟通顺畅、及时有效。

ART7_QUOTE = "受托生产企业和持有人应当建立质量信息沟通程序，按照风险管理原则，制定沟通信息清单（至少包括偏差、变更、检验结果超标/超趋势、确认与验证、留样和稳定性考察、药物警戒、接受药品监督管理部门检查情况、不良信用记录等），明确沟通人员和职责、沟通方式和有关时限，确保沟通顺畅、及时有效。"

# The eight categories, with the codes of weituo.contracts.choices.CommunicationCategory.
ART7_CATEGORIES = {
    "deviation": ("偏差", "deviation"),
    "change": ("变更", "change"),
    "oos_oot": ("检验结果超标/超趋势", "OOS/OOT"),
    "validation": ("确认与验证", "qualification and validation"),
    "retention_stability": ("留样和稳定性考察", "retained samples and stability"),
    "pharmacovigilance": ("药物警戒", "pharmacovigilance"),
    "regulatory_inspection": ("接受药品监督管理部门检查情况", "regulatory inspections"),
    "credit_record": ("不良信用记录", "adverse credit records"),
}


@NOTICE.rule(
    id="134-7.communication-list",
    title_zh="沟通信息清单涵盖八类事项并明确人员、方式和时限",
    title_en="The communication list covers the eight categories, each with persons, channel and time limit",
    article="7",
    quote=ART7_QUOTE,
    applies_to="agreement",
    severity="major",
)
def communication_list(ctx: Ctx) -> Result:
    """Each of the eight categories has a row naming a contact on each side (沟通人员), a channel (沟通
    方式) and a time limit with its unit (有关时限)."""
    agreement = ctx.agreement
    rows = {c.category: c for c in agreement.communications}
    ctx.read("agreement.communications", sorted(rows))
    absent = [k for k in ART7_CATEGORIES if k not in rows]
    incomplete_zh, incomplete_en = [], []
    for key, (zh, en) in ART7_CATEGORIES.items():
        row = rows.get(key)
        if row is None:
            continue
        gaps = [
            (zh_, en_)
            for ok, zh_, en_ in (
                (row.mah_contact is not None, "持有人联系人", "MAH contact"),
                (row.cmo_contact is not None, "受托方联系人", "CMO contact"),
                (bool(row.channel), "沟通方式", "channel"),
                (row.time_limit is not None and row.time_unit is not None, "时限", "time limit"),
            )
            if not ok
        ]
        if gaps:
            incomplete_zh.append(f"{zh}缺" + "、".join(g[0] for g in gaps))
            incomplete_en.append(f"{en} lacks " + ", ".join(g[1] for g in gaps))
    ctx.read("absent_categories", absent)
    if absent or incomplete_zh:
        parts_zh = (["缺少事项：" + "、".join(ART7_CATEGORIES[k][0] for k in absent)] if absent else []) + incomplete_zh
        parts_en = (
            ["missing categories: " + ", ".join(ART7_CATEGORIES[k][1] for k in absent)] if absent else []
        ) + incomplete_en
        return ctx.not_met(
            "；".join(parts_zh),
            "; ".join(parts_en),
            action_zh="补全沟通信息清单：八类事项逐项明确双方沟通人员、沟通方式和时限",
            action_en="complete the communication list: for each of the eight categories, contacts on both sides, channel and time limit",
        )
    return ctx.met(
        "沟通信息清单涵盖八类事项且逐项明确人员、方式和时限",
        "all eight categories with contacts, channel and time limit",
    )


@NOTICE.rule(
    id="134-7.contacts-party",
    title_zh="沟通清单联系人属于正确的一方",
    title_en="Contacts of the communication list belong to the right party",
    article="7",
    quote=ART7_QUOTE,
    applies_to="agreement",
    severity="major",
)
def contacts_party(ctx: Ctx) -> Result:
    """The MAH contact of each row is the MAH's person and the CMO contact the CMO's. A contact of
    another company is how an agreement copied from a template shows (Jiangsu study)."""
    agreement, contract = ctx.agreement, ctx.contract
    named = [
        (row, side, person)
        for row in agreement.communications
        for side, person in (("mah", row.mah_contact), ("cmo", row.cmo_contact))
        if person is not None
    ]
    if not named:
        return ctx.not_applicable(
            "沟通清单未列联系人（见 134-7.communication-list）", "no contacts named (see 134-7.communication-list)"
        )
    owners = {"mah": contract.mah.ref, "cmo": contract.cmo.ref}
    ctx.read("parties", owners)
    wrong = [(row.category, side, person) for row, side, person in named if person.organisation_ref != owners[side]]
    ctx.read("wrong_party_contacts", [(c, s, person_text(p)) for c, s, p in wrong])
    if wrong:
        side_zh = {"mah": "持有人", "cmo": "受托方"}
        return ctx.not_met(
            "联系人不属于相应一方："
            + "；".join(f"{c} 的{side_zh[s]}联系人 {p.name} 属于 {p.organisation_ref}" for c, s, p in wrong),
            "contacts of the wrong party: "
            + "; ".join(f"{c} {s.upper()} contact {p.name} belongs to {p.organisation_ref}" for c, s, p in wrong),
            action_zh="核对质量协议是否照搬模板，改为本协议双方的人员",
            action_en="check whether the agreement was copied from a template and name the parties' own people",
        )
    return ctx.met("联系人均属于相应一方", "every contact belongs to the right party")


# （十一）持有人和受托生产企业应当加强留样和稳定性考察工作，经持有人评估认为有必要的，持有人和受托生产企业均应当对
# 相关物料开展留样或者对相关制剂产品开展留样及持续稳定性考察，确保满足药品质量追溯和调查要求。对于生产过程中出现重大
# 偏差的相关批次产品、重大变更获批实施后生产的最初三批次产品，委托双方均应当对相关制剂产品开展留样及持续稳定性考察。……
# 在同一集团内执行统一质量管理体系的企业之间委托生产药品的，或者受托生产企业采用信息化手段记录生产、检验全过程数据，
# 并能与持有人进行电子数据交换的，可由持有人或者受托生产企业一方进行留样及持续稳定性考察。

PARTY = {
    "mah": ("持有人", "the MAH"),
    "cmo": ("受托方", "the CMO"),
    "both": ("双方", "both parties"),
    "unassigned": ("未明确", "nobody"),
}


@NOTICE.rule(
    id="134-11.retention-party",
    title_zh="质量协议明确留样和持续稳定性考察的责任方",
    title_en="The agreement says who keeps retained samples and runs ongoing stability",
    article="11",
    quote="持有人和受托生产企业应当加强留样和稳定性考察工作，经持有人评估认为有必要的，持有人和受托生产企业均应当对相关物料开展留样或者对相关制剂产品开展留样及持续稳定性考察，确保满足药品质量追溯和调查要求。",
    applies_to="agreement",
    severity="major",
)
def retention_party(ctx: Ctx) -> Result:
    """Reading: the agreement must assign retained samples and ongoing stability to a party (the MAH,
    the CMO or both); whether the MAH's assessment calls for both is its judgement, not checked here."""
    agreement = ctx.agreement
    retained = ctx.read("agreement.retained_samples_party", agreement.retained_samples_party)
    stability = ctx.read("agreement.stability_party", agreement.stability_party)
    lacking = [x for x, p in (("留样", retained), ("持续稳定性考察", stability)) if p == "unassigned"]
    lacking_en = [x for x, p in (("retained samples", retained), ("ongoing stability", stability)) if p == "unassigned"]
    if lacking:
        return ctx.not_met(
            "质量协议未明确" + "、".join(lacking) + "的责任方",
            "the agreement assigns nobody to " + " and ".join(lacking_en),
            action_zh="在质量协议中明确留样和持续稳定性考察由哪一方（或双方）开展",
            action_en="assign retained samples and ongoing stability to a party (or both) in the agreement",
        )
    return ctx.met(
        f"留样：{PARTY[retained][0]}；持续稳定性考察：{PARTY[stability][0]}",
        f"retained samples: {PARTY[retained][1]}; ongoing stability: {PARTY[stability][1]}",
    )


@NOTICE.rule(
    id="134-11.special-batches-both-parties",
    title_zh="重大偏差批次和重大变更后最初三批由双方留样并考察稳定性",
    title_en="Both parties keep samples and run stability for major-deviation batches and the first three after a major change",
    article="11",
    quote="对于生产过程中出现重大偏差的相关批次产品、重大变更获批实施后生产的最初三批次产品，委托双方均应当对相关制剂产品开展留样及持续稳定性考察。",
    applies_to="agreement",
    severity="major",
)
def special_batches_both_parties(ctx: Ctx) -> Result:
    """Met when the agreement has both parties keep samples and run stability for every batch, or
    provides both parties for these batches; the platform does not hold that clause as structured
    data yet (``special_batches_both_parties``), so otherwise it is asked for."""
    agreement = ctx.agreement
    retained = ctx.read("agreement.retained_samples_party", agreement.retained_samples_party)
    stability = ctx.read("agreement.stability_party", agreement.stability_party)
    if retained == "both" and stability == "both":
        return ctx.met(
            "双方均对所有批次留样并开展持续稳定性考察", "both parties keep samples and run stability for every batch"
        )
    clause = ctx.need(
        "agreement.special_batches_both_parties",
        agreement.special_batches_both_parties,
        "质量协议是否约定重大偏差批次及重大变更后最初三批由双方留样和考察稳定性",
        "whether the agreement has both parties keep samples and run stability for major-deviation batches and the first three after a major change",
    )
    if clause:
        return ctx.met(
            "质量协议约定上述批次由双方留样和考察稳定性", "the agreement provides both parties for those batches"
        )
    return ctx.not_met(
        "质量协议未约定重大偏差批次及重大变更后最初三批由双方留样和考察稳定性",
        "the agreement does not provide both parties for major-deviation batches and the first three after a major change",
        action_zh="修订质量协议：上述批次由委托双方均留样并开展持续稳定性考察",
        action_en="amend the agreement so that both parties keep samples and run stability for those batches",
    )


def _one_party_suffices(ctx: Ctx) -> bool:
    return one_party_may_keep_samples(ctx, ctx.contract, ctx.agreement)


@NOTICE.rule(
    id="134-11.one-party-suffices",
    title_zh="同一集团统一体系或电子数据交换时可由一方留样和考察",
    title_en="One party suffices within one group with one QMS, or with electronic data exchange",
    article="11",
    quote="在同一集团内执行统一质量管理体系的企业之间委托生产药品的，或者受托生产企业采用信息化手段记录生产、检验全过程数据，并能与持有人进行电子数据交换的，可由持有人或者受托生产企业一方进行留样及持续稳定性考察。",
    applies_to="agreement",
    severity="major",
    exception_to="134-11.special-batches-both-parties",
    condition=_one_party_suffices,
    condition_zh="同一集团统一质量管理体系，或受托方信息化记录并与持有人电子数据交换",
    condition_en="one group with one quality system, or the CMO records electronically and exchanges data with the MAH",
)
def one_party_suffices(ctx: Ctx) -> Result:
    """Reading: this paragraph follows the both-party sentence and relaxes it — for the special batches
    too — to one party; it does not relax that a party is named for both tasks. "采用信息化手段记录生产、
    检验全过程数据，并能与持有人进行电子数据交换" is two conditions, each recorded in the agreement
    (``electronic_production_records`` and ``electronic_data_exchange``): one without the other does
    not suffice."""
    agreement = ctx.agreement
    retained = ctx.read("agreement.retained_samples_party", agreement.retained_samples_party)
    stability = ctx.read("agreement.stability_party", agreement.stability_party)
    if retained == "unassigned" or stability == "unassigned":
        return ctx.not_met(
            "可由一方开展，但质量协议未明确由哪一方开展留样或持续稳定性考察",
            "one party suffices, but the agreement names none for retained samples or ongoing stability",
            action_zh="在质量协议中明确由哪一方留样并开展持续稳定性考察",
            action_en="name the party that keeps retained samples and runs ongoing stability",
        )
    return ctx.met(
        f"由一方开展即可：留样 {PARTY[retained][0]}，稳定性 {PARTY[stability][0]}",
        f"one party suffices: retained samples {PARTY[retained][1]}, stability {PARTY[stability][1]}",
    )
