"""Art. 4: technology transfer, complete and documented, before commercial production.

（四）委托双方应当强化技术转移过程中的风险识别、沟通、分析、评估、处置，对相关人员做好技术培训，按照有关
法律法规和技术指导原则要求开展技术转移工作，确保技术转移研究充分，转移前后产品质量一致。……

受托生产企业在技术转移过程中应当做好以下工作：
（1）配备对接技术转移的负责人，成立技术转移工作组，明确负责人及工作组成员的工作职责；
（2）建立健全技术转移管理制度，审核技术转移相关方制定的技术转移方案可行性，并落实方案要求；
（3）依法依规做好设施设备、清洁方法、分析方法、生产工艺等确认或者验证工作，以及共线生产风险评估等工作；
（4）配合持有人汇总分析技术转移数据、记录，审核技术转移报告，……
（5）根据确认或者验证工作以及共线生产风险评估结果，……制定生产工艺规程、空白批记录等技术文件，并经持有人审核批准。
"""

from __future__ import annotations

from weituo.rules.engine import Ctx, MissingFact, Result
from weituo.rules.helpers import in_commercial_production, person_text

from . import NOTICE


def _transfers(ctx: Ctx):
    product = ctx.product
    transfers = [t for t in ctx.contract.tech_transfers if t.product_ref == product.ref]
    ctx.read("tech_transfers", [(t.ref, t.started_on, t.completed_on) for t in transfers])
    return transfers


@NOTICE.rule(
    id="134-4.transfer-complete",
    title_zh="商业化生产前完成技术转移",
    title_en="Technology transfer complete before commercial production",
    article="4",
    quote="委托双方应当强化技术转移过程中的风险识别、沟通、分析、评估、处置，对相关人员做好技术培训，按照有关法律法规和技术指导原则要求开展技术转移工作，确保技术转移研究充分，转移前后产品质量一致。",
    applies_to="product",
    severity="critical",
)
def transfer_complete(ctx: Ctx) -> Result:
    """Art. 1 has production rest on sufficient transfer studies (在充分进行技术转移研究的基础上…组织生产)
    and art. 4 sets out the transfer. Reading: once the product is in commercial production under the
    contract (a marketed product under a contract in force — no batches are held yet to date the
    first one), a transfer of it to this CMO must be recorded as completed. No transfer record at all
    asks for it (the transfer may predate the platform); a record not completed is not met."""
    contract, product = ctx.contract, ctx.product
    ctx.read("product.status", product.status)
    ctx.read("contract.in_force", contract.in_force_on(ctx.as_of))
    if not in_commercial_production(contract, product, ctx.as_of):
        return ctx.not_applicable(
            "该品种尚未在本协议下商业化生产（技术转移应在商业化生产前完成）",
            "the product is not in commercial production under this contract yet (complete the transfer before it is)",
        )
    transfers = _transfers(ctx)
    if not transfers:
        return ctx.needs(
            MissingFact(
                f"contract.tech_transfers[{product.ref}]",
                f"{product.name}向受托方技术转移的记录",
                f"the record of the technology transfer of {product.name} to the CMO",
            )
        )
    done = [t for t in transfers if t.completed_on is not None and t.completed_on <= ctx.as_of]
    if done:
        return ctx.met(
            f"技术转移已于 {done[0].completed_on} 完成", f"technology transfer completed on {done[0].completed_on}"
        )
    return ctx.not_met(
        "已上市品种在受托方商业化生产，但技术转移尚未完成",
        "the marketed product is in commercial production at the CMO but its technology transfer is not complete",
        action_zh="完成技术转移（含工艺验证和技术转移报告审核）后方可进行商业化生产；未完成前暂停商业化生产",
        action_en="complete the technology transfer (including process validation and the transfer report) "
        "before commercial production; hold commercial production until then",
    )


DUTIES = (
    ("plan_reviewed_on", "(2) 技术转移方案可行性审核", "(2) review of the transfer plan's feasibility"),
    ("equipment_qualified_on", "(3) 设施设备确认", "(3) qualification of facilities and equipment"),
    ("cleaning_validated_on", "(3) 清洁方法验证", "(3) validation of the cleaning method"),
    ("analytical_validated_on", "(3) 分析方法验证", "(3) validation of the analytical methods"),
    ("process_validated_on", "(3) 生产工艺验证", "(3) validation of the manufacturing process"),
    ("shared_line_assessed_on", "(3) 共线生产风险评估", "(3) shared-line risk assessment"),
    ("report_reviewed_on", "(4) 技术转移报告审核", "(4) review of the transfer report"),
    (
        "master_documents_approved_on",
        "(5) 工艺规程、空白批记录经持有人批准",
        "(5) master documents approved by the MAH",
    ),
)


@NOTICE.rule(
    id="134-4.cmo-duties",
    title_zh="受托方技术转移五项工作有记录",
    title_en="The CMO's five technology-transfer duties are recorded",
    article="4",
    clause="(1)-(5)",
    quote="受托生产企业在技术转移过程中应当做好以下工作：",
    applies_to="product",
    bearer="cmo",
    severity="major",
)
def cmo_duties(ctx: Ctx) -> Result:
    """Checked once a transfer is completed or the product is in commercial production (while it is
    in progress, the dates come as the work is done). Each duty's date must be recorded; an empty date
    asks for it (needs_information: done but not entered, or not done). A transfer lead who is not the
    CMO's person is not met: duty (1) is the CMO's, and a copied template shows that way."""
    contract, product = ctx.contract, ctx.product
    transfers = _transfers(ctx)
    if not transfers:
        return ctx.not_applicable(
            "无技术转移记录（见 134-4.transfer-complete）", "no transfer record (see 134-4.transfer-complete)"
        )
    transfer = max(transfers, key=lambda t: (t.completed_on is not None, t.completed_on or t.started_on or ctx.as_of))
    producing = in_commercial_production(contract, product, ctx.as_of)
    ctx.read("transfer", transfer.ref)
    ctx.read("transfer.completed_on", transfer.completed_on)
    if transfer.completed_on is None and not producing:
        return ctx.not_applicable("技术转移进行中", "the technology transfer is in progress")
    lead = ctx.read("transfer.lead", person_text(transfer.lead))
    ctx.read("transfer.working_group_size", transfer.working_group_size)
    if transfer.lead is not None and transfer.lead.organisation_ref != contract.cmo.ref:
        return ctx.not_met(
            f"技术转移负责人 {lead} 不是受托方人员",
            f"the transfer lead {lead} is not the CMO's person",
            action_zh="由受托方配备对接技术转移的负责人并成立工作组，明确职责",
            action_en="the CMO appoints its own transfer lead and working group with their duties",
        )
    missing = []
    if transfer.lead is None:
        missing.append(MissingFact("transfer.lead", "(1) 受托方技术转移负责人", "(1) the CMO's transfer lead"))
    if transfer.working_group_size < 1:
        missing.append(
            MissingFact("transfer.working_group", "(1) 技术转移工作组成员", "(1) the transfer working group")
        )
    for name, zh, en in DUTIES:
        value = ctx.read(f"transfer.{name}", getattr(transfer, name))
        if value is None:
            missing.append(MissingFact(f"transfer.{name}", f"{zh}日期", f"date of {en}"))
    if missing:
        return ctx.needs(*missing)
    return ctx.met("技术转移五项工作均有记录", "all five transfer duties are recorded")
