"""The demo's collaboration records on its shared line, written through the services (so the ledger has them).

``seed_collaboration(seed=…)`` runs after ``ensure_demo_users``. On the shared line the demo users
work on (``users.py``: MAH "mah" li.na QA / wang.qiang QP, MAH "mah2" zhao.lei QA, the CMO's sun.li QA /
zhou.jun QP / wu.gang production) it leaves, for mah's product:

* the quality agreement's communication list with contacts and time limits — only the art. 7
  categories it lacks are added (the demo may have made this agreement deficient on purpose);
* batch ``…-01``: a minor deviation raised by the CMO, acknowledged by the MAH, investigated, with a
  CAPA implemented and found effective, closed; then factory and market release — released to market;
* batch ``…-02``: complete package, factory released, awaiting the MAH's market release;
* batch ``…-03`` (``journey_batch``): in production, package complete, no open event — the browser
  journey raises its deviation on this one;
* batch ``…-04``: in production, an open OOS result raised by the CMO, with its deadline from the agreement;

and for mah2's product on the same line one batch of its own, so that isolation can be seen (li.na
never sees it, zhao.lei never sees mah's). Then the collaboration workflows, on mah's contract:

* change ``…-CHG-01`` (art. 9): proposed by the CMO (sun.li), classified moderate/filing by the CMO
  (zheng.hong) and major/approval by the MAH (li.na) — the higher governs: major/approval; approved by
  zhang.min, the supplement application submitted and approved, implemented by the CMO. Art. 11: batch
  ``…-05``, the first batch made after it, carries both parties' retention and stability duties;
* change ``…-CHG-02``: just proposed and classified by the MAH, awaiting the CMO's classification
  (sun.li's deadline);
* the shared-line assessment CHG-01 started (art. 8, because it names the shared line): findings for
  every product on the line, conclusion and controls notified to every MAH; mah's feedback answered
  by the CMO and agreed; mah2's notice awaiting feedback; one CAPA approved by mah, awaiting mah2
  (zhao.lei's two deadlines);
* on-site audit ``…-AUD-01`` (arts. 13, 14) conducted last month, report issued (a PDF); a major
  finding whose CAPA was implemented and checked effective, another whose CAPA is due in a week
  (sun.li's deadline); a remote audit ``…-AUD-02`` is planned only if the agreement records electronic
  data exchange (art. 14), otherwise none (the summary says so);
* technology transfer ``DEMO-<product>-TT-01`` (art. 4) of mah's product, or of another product of the
  contract when mah's already has one in progress (one at a time): lead and working group, the
  first three steps, a risk raised by the CMO and controlled.

Why CHG-01 is implemented on the day the demo is built, after batches 01–04, not weeks before: the
services stamp the MAH's approval with the clock, and refuse an implementation dated before the
approval (art. 9: "未经持有人批准，不得擅自实施") or in the future. An implementation dated weeks ago
would need an approval dated weeks ago, which only a faked clock could give. So CHG-01 is approved,
filed and implemented today (AS_OF when the clock is the demo's date), no existing batch is made after
it, and batch ``…-05`` is registered as made that day: the first batch after the change, which gets
its art. 11 duties the way a real batch does (``batch_create`` → ``obligations_for_new_batch``).

Deterministic: refs, numbers, dates, quantities and results come from the seed and the demo's date;
only the times the services stamp (raised, released, approved …) are the clock's — and the refs the
services make themselves: the shared-line assessment started by change control gets its own
``SLA-<date>-<random>`` ref (``assessment_start`` takes no ref). Idempotent: a re-run finds the
first batch's ref and changes nothing. Everything is written in one transaction: all or nothing.

To extend: add a ``_seed_<workflow>(ctx)`` below
and call it from ``seed_collaboration``; ``Context`` holds the actors, the contracts and the batches.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from weituo.accounts.selectors import actor_for_user
from weituo.batches import services as batches
from weituo.batches.models import Batch
from weituo.batches.signing import open_session
from weituo.contracts import tech_transfer
from weituo.contracts.choices import ART7_CATEGORIES
from weituo.contracts.models import CommissionContract, CommunicationItem, QualityAgreement, TechTransfer
from weituo.contracts.services import communication_item_set
from weituo.core.actors import Actor
from weituo.quality import services as quality
from weituo.quality.choices import SharedLineTrigger
from weituo.quality.models import Audit, Capa, Change, QualityEvent, SharedLineAssessment, SharedLineNotice
from weituo.registry.models import Line, LineProduct, Person, Product
from weituo.registry.selectors import shared_lines

from .generator import AS_OF
from .users import DEMO_PASSWORD

# Time limits for categories the agreement lacks: the agreement's own, where it has one, stay.
DEFAULT_LIMITS: dict[str, tuple[int, str]] = {
    "deviation": (1, "working_days"),
    "change": (5, "working_days"),
    "oos_oot": (24, "hours"),
    "validation": (10, "working_days"),
    "retention_stability": (5, "working_days"),
    "pharmacovigilance": (1, "working_days"),
    "regulatory_inspection": (2, "working_days"),
    "credit_record": (3, "working_days"),
}
RESULTS = (  # (test, specification, low, high, unit)
    ("含量", "95.0%–105.0%", 97.0, 103.0, "%"),
    ("pH 值", "3.5–5.5", 4.0, 5.0, ""),
    ("有关物质（总杂）", "≤1.0%", 0.1, 0.6, "%"),
)


@dataclass
class Context:
    """What each seeding step needs: who acts, on which contract, line and batches."""

    seed: int
    rng: random.Random
    line: Line
    contract: CommissionContract
    product: Product
    contract2: CommissionContract | None
    product2: Product | None
    actors: dict[str, Actor]
    batches: dict[str, Batch] = field(default_factory=dict)
    events: dict[str, QualityEvent] = field(default_factory=dict)
    changes: dict[str, Change] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    """What the demo command prints: each batch's number and state, and the journey's batch."""

    lines: list[str]
    journey_batch: str  # the batch number the browser journey raises its deviation on
    created: bool  # False: the records were there already (a re-run)


def _ref(ctx: Context, suffix: str) -> str:
    return f"DEMO-{ctx.product.ref}-{suffix}"


def _actors() -> dict[str, Actor]:
    users = get_user_model().objects
    names = ("li.na", "wang.qiang", "zhang.min", "zhao.lei", "sun.li", "zhou.jun", "wu.gang", "zheng.hong")
    return {name: actor_for_user(users.get(username=name)) for name in names}


def _contract_for(product: Product, line: Line) -> CommissionContract | None:
    """The in-force contract commissioning ``product`` on ``line``'s CMO that names the line."""
    return (
        CommissionContract.objects.filter(
            products=product, cmo=line.workshop.site.organisation, lines=line, status="in_force"
        )
        .order_by("ref")
        .first()
    )


def _context(seed: int, actors: dict[str, Actor], province: str) -> Context:
    line = next(iter(shared_lines(actor=actors["sun.li"]).filter(workshop__site__province=province)), None)
    if line is None:
        raise LookupError("the demo has no shared line in the province")
    holders = {}
    for lp in LineProduct.objects.filter(line=line).select_related("product__holder").order_by("product__ref"):
        holders.setdefault(lp.product.holder.ref, lp.product)
    refs = sorted(holders)
    product, product2 = holders[refs[0]], holders[refs[1]] if len(refs) > 1 else None
    contract = _contract_for(product, line)
    if contract is None:
        raise LookupError(f"no contract in force commissions {product.ref} on {line.ref}")
    return Context(
        seed=seed,
        rng=random.Random(seed),
        line=line,
        contract=contract,
        product=product,
        contract2=_contract_for(product2, line) if product2 else None,
        product2=product2,
        actors=actors,
    )


def _pdf(title: str, body: str) -> bytes:
    """A small valid one-page PDF whose text is ``title`` and ``body`` (ASCII), deterministic bytes."""
    text = f"BT /F1 14 Tf 56 780 Td ({title}) Tj 0 -24 Td /F1 10 Tf ({body}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body_ in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body_ + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- the steps --------------------------------------------------------------------------------------


def _communication_list(ctx: Context) -> int:
    """Art. 7: every minimum category with contacts and a time limit; only what is missing is added."""
    agreement = quality.agreement_in_force(ctx.contract, AS_OF)
    if agreement is None:
        agreement = QualityAgreement.objects.filter(contract=ctx.contract).order_by("-effective_from").first()
    if agreement is None:
        return 0
    have = {i.category: i for i in CommunicationItem.objects.filter(agreement=agreement)}
    mah_contact = _contact(ctx.contract.mah_id, have, "mah_contact")
    cmo_contact = _contact(ctx.contract.cmo_id, have, "cmo_contact")
    added = 0
    for category in ART7_CATEGORIES:
        item = have.get(category)
        if item is not None and item.time_limit and item.mah_contact_id and item.cmo_contact_id:
            continue
        limit, unit = DEFAULT_LIMITS[category]
        communication_item_set(
            actor=ctx.actors["li.na"],
            agreement=agreement,
            category=category,
            mah_contact=item.mah_contact if item and item.mah_contact_id else mah_contact,
            cmo_contact=item.cmo_contact if item and item.cmo_contact_id else cmo_contact,
            channel=(item.channel if item and item.channel else "system"),
            time_limit=item.time_limit if item and item.time_limit else limit,
            time_unit=item.time_unit if item and item.time_limit else unit,
        )
        added += 1
    return added


def _contact(organisation_id: int, have: dict[str, CommunicationItem], attribute: str) -> Person | None:
    for item in have.values():
        person = getattr(item, attribute)
        if person is not None:
            return person
    return Person.objects.filter(organisation_id=organisation_id).order_by("ref").first()


def _batch(ctx: Context, key: str, number: str, made: date, *, product=None, contract=None) -> Batch:
    rng = ctx.rng
    theoretical = Decimal(rng.choice((50_000, 80_000, 100_000)))
    batch = batches.batch_create(
        actor=ctx.actors["wu.gang"],
        contract=contract or ctx.contract,
        product=product or ctx.product,
        line=ctx.line,
        number=number,
        ref=f"DEMO-{(product or ctx.product).ref}-{key}",
        manufactured_on=made,
        expiry_on=made.replace(year=made.year + 2) - timedelta(days=1),
        quantity=(theoretical * Decimal(rng.randint(960, 995)) / 1000).quantize(Decimal(1)),
        quantity_unit="支",
        theoretical_quantity=theoretical,
    )
    ctx.batches[key] = batch
    return batch


def _package(ctx: Context, batch: Batch, deviations: tuple[QualityEvent, ...] = ()) -> Batch:
    """A complete release package: batch and test records (small real PDFs), passing results."""
    qa = ctx.actors["sun.li"]
    for kind, title, name in (
        ("batch_record", "批生产记录", "batch-record"),
        ("test_record", "批检验记录", "test-record"),
    ):
        content = _pdf(f"{name} {batch.number}", f"weituo demo, product {batch.product.ref}, seed {ctx.seed}")
        file = SimpleUploadedFile(f"{name}-{batch.number}.pdf", content, content_type="application/pdf")
        batches.release_document_add(actor=qa, batch=batch, kind=kind, title=f"{title} {batch.number}", file=file)
    for event in deviations:
        content = _pdf(f"deviation {event.ref}", f"investigation record, batch {batch.number}")
        file = SimpleUploadedFile(f"deviation-{event.ref}.pdf", content, content_type="application/pdf")
        batches.release_document_add(
            actor=qa, batch=batch, kind="deviation_record", title=f"偏差调查记录 {event.ref}", file=file, event=event
        )
    for test, spec, low, high, unit in RESULTS:
        value = f"{ctx.rng.uniform(low, high):.1f}{unit}"
        batches.batch_result_add(actor=qa, batch=batch, test_name=test, specification=spec, result=value, passed=True)
    return Batch.objects.get(pk=batch.pk)


def _closed_minor_deviation(ctx: Context, batch: Batch) -> QualityEvent:
    cmo_qa, mah_qa = ctx.actors["sun.li"], ctx.actors["li.na"]
    deviation = quality.deviation_raise(
        actor=cmo_qa,
        contract=ctx.contract,
        classification="minor",
        title="灌装间压差短时低于标准",
        description="灌装过程中 B 级区与 C 级区压差 3 分钟低于 10 Pa，已恢复；无产品暴露。",
        batch=batch,
        ref=_ref(ctx, "DEV-01"),
    )
    event = deviation.event
    quality.event_acknowledge(actor=mah_qa, event=event, note="已知悉，请提交调查报告")
    deviation = quality.deviation_investigate(
        actor=cmo_qa,
        deviation=deviation,
        root_cause="送风机组变频器参数漂移",
        summary="压差恢复时间内未进行灌装暴露操作；环境监测结果符合规定。",
    )
    capa = quality.capa_add(
        actor=cmo_qa,
        event=event,
        description="变频器参数纳入月度校验；压差报警下限上调至 12 Pa",
        owner_party="cmo",
        due_on=batch.manufactured_on + timedelta(days=14),
    )
    capa = quality.capa_implement(actor=cmo_qa, capa=capa, note="已修订 SOP-EQ-017 并完成校验")
    quality.capa_check_effectiveness(actor=mah_qa, capa=capa, effective=True, note="后续 10 批压差无异常")
    event = QualityEvent.objects.get(pk=event.pk)
    quality.event_close(actor=cmo_qa, event=event, conclusion="次要偏差，不影响产品质量；CAPA 有效")
    ctx.events["closed_minor_deviation"] = event
    return QualityEvent.objects.get(pk=event.pk)


def _release(ctx: Context, batch: Batch, *, market: bool) -> Batch:
    batches.batch_factory_release(
        actor=ctx.actors["zhou.jun"],
        batch=batch,
        signing_token=open_session(ctx.actors["zhou.jun"], batch, "factory").token,
        password=DEMO_PASSWORD,
    )
    if market:
        batch = Batch.objects.get(pk=batch.pk)
        batches.batch_market_release(
            actor=ctx.actors["wang.qiang"],
            batch=batch,
            signing_token=open_session(ctx.actors["wang.qiang"], batch, "market").token,
            password=DEMO_PASSWORD,
        )
    return Batch.objects.get(pk=batch.pk)


def _open_oos(ctx: Context, batch: Batch) -> QualityEvent:
    event = quality.event_raise(
        actor=ctx.actors["sun.li"],
        contract=ctx.contract,
        category="oos_oot",
        title="含量检验结果超标（初检 93.8%）",
        description="标准 95.0%–105.0%；实验室调查第一阶段进行中，复检前暂停放行。",
        batch=batch,
        ref=_ref(ctx, "OOS-01"),
    )
    ctx.events["open_oos"] = event
    return event


def _number(ctx: Context, k: int) -> str:
    return f"{AS_OF:%y%m}{ctx.seed % 100:02d}{k:02d}"


def _seed_batches(ctx: Context) -> None:
    made = AS_OF - timedelta(days=40)
    b1 = _batch(ctx, "01", _number(ctx, 1), made)
    deviation = _closed_minor_deviation(ctx, b1)
    _release(ctx, _package(ctx, b1, (deviation,)), market=True)
    b2 = _batch(ctx, "02", _number(ctx, 2), made + timedelta(days=14))
    _release(ctx, _package(ctx, b2), market=False)
    b3 = _batch(ctx, "03", _number(ctx, 3), AS_OF - timedelta(days=6))
    _package(ctx, b3)
    b4 = _batch(ctx, "04", _number(ctx, 4), AS_OF - timedelta(days=4))
    _open_oos(ctx, b4)
    if ctx.product2 is not None and ctx.contract2 is not None:
        _batch(ctx, "01", _number(ctx, 51), AS_OF - timedelta(days=5), product=ctx.product2, contract=ctx.contract2)


# --- change control, the shared-line assessment it starts, audits, technology transfer -------------

# The CMO's process change: each party's own class, path and rationale, so the higher visibly governs.
CHANGE_CLASSIFICATIONS = {  # party: (class, regulatory path, rationale)
    "cmo": (
        "moderate",
        "filing",
        "F0 值仍不低于 12，参数调整在已验证的设计空间内，按中等变更备案管理",
    ),
    "mah": (
        "major",
        "approval",
        "无菌制剂的灭菌工艺变更影响无菌保证水平，按《药品上市后变更管理办法（试行）》属重大变更，须经审批",
    ),
}


def _today() -> date:
    """The date the services stamp: an approval, a filing or an implementation cannot be later, nor
    (an implementation) earlier than the approval the service records now."""
    return timezone.localdate()


def _seed_changes(ctx: Context) -> None:
    """Art. 9 and 11: the CMO's major process change, carried to implementation, and its first batch;
    the MAH's new change awaiting the CMO's classification (a deadline of sun.li)."""
    cmo_qa, cmo_head, mah_qa, mah_head = (ctx.actors[n] for n in ("sun.li", "zheng.hong", "li.na", "zhang.min"))
    change = quality.change_propose(
        actor=cmo_qa,
        contract=ctx.contract,
        products=[ctx.product],
        lines=[ctx.line],  # a shared line: change control starts the shared-line assessment (art. 8)
        trigger=SharedLineTrigger.FORMULA_OR_PROCESS_CHANGE,
        title="终端灭菌工艺参数变更（121 ℃ 15 分钟改为 121 ℃ 12 分钟）",
        description="灭菌釜热分布与热穿透再验证完成，F0 值不低于 12；为缩短灭菌周期、降低产品降解，"
        "拟调整终端灭菌保温时间。设备、装载方式和清洁程序不变。",
        ref=_ref(ctx, "CHG-01"),
    )
    for party, actor in (("cmo", cmo_head), ("mah", mah_qa)):
        change_class, path, rationale = CHANGE_CLASSIFICATIONS[party]
        change = quality.change_classify(
            actor=actor, change=change, change_class=change_class, regulatory_path=path, rationale=rationale
        )
    change = quality.change_decide(
        actor=mah_head, change=change, approve=True, note="同意按重大变更（审批类）管理；获批后方可实施"
    )
    today = _today()
    reference = f"DEMO-CYHB-{ctx.seed:04d}"
    change = quality.change_filing_record(actor=mah_qa, change=change, to="submitted", on=today, reference=reference)
    change = quality.change_filing_record(actor=mah_qa, change=change, to="accepted", on=today, reference=reference)
    change = quality.change_implement(
        actor=cmo_qa, change=change, on=today, note="已修订灭菌工艺规程 SOP-PR-031 并完成培训；自下一批起执行"
    )
    ctx.changes["major"] = change
    # The first batch made after the change: registering it gives both parties its art. 11 duties.
    _batch(ctx, "05", _number(ctx, 5), today)
    ctx.changes["proposed"] = _proposed_change(ctx)


def _proposed_change(ctx: Context) -> Change:
    mah_qa = ctx.actors["li.na"]
    change = quality.change_propose(
        actor=mah_qa,
        contract=ctx.contract,
        products=[ctx.product],
        title="增加原料药第二供应商",
        description="为保障供应，拟增加一家原料药供应商；质量标准不变，供应商审计与三批对比研究已完成。",
        ref=_ref(ctx, "CHG-02"),
    )
    return quality.change_classify(
        actor=mah_qa,
        change=change,
        change_class="moderate",
        regulatory_path="filing",
        rationale="变更原料药供应商（质量标准不变），按中等变更备案管理",
    )


def _seed_shared_line(ctx: Context) -> SharedLineAssessment:
    """Art. 8, the assessment the major change started: findings for every product on the line, the
    conclusion and controls notified to every MAH; mah's feedback answered and agreed, mah2's notice
    awaiting its feedback; one CAPA approved by mah and awaiting the others (a deadline of zhao.lei)."""
    cmo_qa, mah_qa = ctx.actors["sun.li"], ctx.actors["li.na"]
    assessment = SharedLineAssessment.objects.get(change=ctx.changes["major"], line=ctx.line)
    on_line = LineProduct.objects.filter(line=ctx.line).select_related("product").order_by("product__ref")
    for product in dict.fromkeys(lp.product for lp in on_line):
        changed = product.pk == ctx.product.pk
        quality.assessment_product_risk_set(
            actor=cmo_qa,
            assessment=assessment,
            product=product,
            findings=(
                f"{product.name}：灭菌保温时间缩短，设备、装载方式与清洁程序不变；"
                if changed
                else f"{product.name}：本品工艺不变；"
            )
            + "按最大允许残留量（MACO）计算的清洁限度不变，最近三次清洁验证残留均低于限度。",
        )
    assessment = quality.assessment_notify(
        actor=cmo_qa,
        assessment=assessment,
        conclusion="灭菌工艺参数变更不改变共线设备、清洁程序和产品接触表面，不引入新的交叉污染风险；风险可接受。",
        controls="变更后前三批加做灭菌釜热分布确认；品种切换时按现行清洁验证程序清洁并检测残留。",
    )
    notice = SharedLineNotice.objects.get(assessment=assessment, mah_id=ctx.contract.mah_id)
    notice = quality.notice_feedback(
        actor=mah_qa, notice=notice, feedback="请提供变更后首批热分布确认数据，并说明是否影响我司品种的清场时间。"
    )
    notice = quality.notice_respond(
        actor=cmo_qa,
        notice=notice,
        response="首批热分布确认数据于实施后 5 个工作日内上传；清洁程序未变，清场时间不变。",
    )
    quality.notice_agree(actor=mah_qa, notice=notice, note="答复可接受，达成一致")
    capa = quality.assessment_capa_add(
        actor=cmo_qa,
        assessment=assessment,
        description="灭菌釜温度探头校准周期由 12 个月缩短为 6 个月，并纳入共线品种切换检查表",
        due_on=AS_OF + timedelta(days=30),
    )
    quality.assessment_capa_decide(actor=mah_qa, capa=capa, approve=True, note="同意")
    return assessment


def _seed_audits(ctx: Context) -> Audit | None:
    """Arts. 13 and 14: last month's on-site audit with its report, a major finding remedied (CAPA
    effective) and another whose CAPA is due soon (a deadline of sun.li); a remote audit is planned
    only if the agreement records electronic production records and data exchange (art. 14), else none. Returns it."""
    mah_qa, cmo_qa = ctx.actors["li.na"], ctx.actors["sun.li"]
    start = AS_OF - timedelta(days=27)
    audit = quality.audit_plan(
        actor=mah_qa,
        contract=ctx.contract,
        mode="on_site",
        scope=f"{ctx.product.name} 生产线 {ctx.line.name}：质量体系、灭菌与无菌保证、偏差与变更管理",
        auditors="李娜、张敏",
        planned_on=start,
        ref=_ref(ctx, "AUD-01"),
    )
    audit = quality.audit_conduct(
        actor=mah_qa,
        audit=audit,
        conducted_from=start,
        conducted_to=start + timedelta(days=2),
        report_due_on=AS_OF + timedelta(days=3),
    )
    major = quality.audit_finding_add(
        actor=mah_qa,
        audit=audit,
        severity="major",
        description="灭菌釜温度探头校准已超期 2 个月，期间生产的批次未按偏差进行评估",
        reference="《药品生产质量管理规范（2010年修订）》第五章第五节 校准",
        response_due_on=AS_OF - timedelta(days=10),
    )
    other = quality.audit_finding_add(
        actor=mah_qa,
        audit=audit,
        severity="other",
        description="偏差调查报告未附环境监测趋势数据",
        reference="《药品生产质量管理规范（2010年修订）》第十章第五节 偏差处理",
        response_due_on=AS_OF + timedelta(days=7),
    )
    content = _pdf(f"audit report {audit.ref}", f"on-site audit of contract {ctx.contract.number}, seed {ctx.seed}")
    audit = quality.audit_report(
        actor=mah_qa,
        audit=Audit.objects.get(pk=audit.pk),
        summary="受托方质量体系总体运行有效；主要缺陷 1 项、一般缺陷 1 项，均须整改并经持有人确认。",
        file=SimpleUploadedFile(f"audit-report-{audit.ref}.pdf", content, content_type="application/pdf"),
    )
    capa = quality.finding_capa_add(
        actor=cmo_qa,
        finding=major,
        description="完成全部温度探头校准；对超期期间的 6 批进行偏差评估；校准计划纳入电子提醒",
        due_on=AS_OF - timedelta(days=10),
    )
    capa = quality.finding_capa_implement(actor=cmo_qa, capa=capa, note="探头已校准合格；6 批评估结论为不影响产品质量")
    quality.finding_capa_check(actor=mah_qa, capa=capa, effective=True, note="现场复核校准记录与提醒设置，措施有效")
    quality.finding_capa_add(
        actor=cmo_qa,
        finding=other,
        description="修订偏差调查 SOP，调查报告须附相关环境监测趋势图",
        due_on=AS_OF + timedelta(days=7),
    )
    planned_on = AS_OF + timedelta(days=45)
    agreement = quality.agreement_in_force(ctx.contract, planned_on)
    if agreement is None or not agreement.records_exchanged_electronically:
        return None  # art. 14: without electronic data exchange a remote audit may not replace an on-site one
    return quality.audit_plan(
        actor=mah_qa,
        contract=ctx.contract,
        mode="remote",
        scope="通过电子数据交换审阅批生产记录、检验记录与偏差台账",
        auditors="李娜",
        planned_on=planned_on,
        ref=_ref(ctx, "AUD-02"),
    )


def _transfer_product(ctx: Context) -> Product | None:
    """mah's product, or another of the contract, without a transfer in progress (only one at a time)."""
    running = {
        t.product_id
        for t in TechTransfer.objects.filter(contract=ctx.contract)
        if tech_transfer.transfer_state(t) == tech_transfer.IN_PROGRESS
    }
    products = sorted(ctx.contract.products.all(), key=lambda p: (p.pk != ctx.product.pk, p.ref))
    return next((p for p in products if p.pk not in running), None)


def _seed_transfer(ctx: Context) -> TechTransfer | None:
    """Art. 4: a transfer in progress, with the CMO's lead and working group, its first steps, and a
    risk raised by the CMO and controlled. None when every product of the contract has one running."""
    product = _transfer_product(ctx)
    if product is None:
        return None
    mah_qa, cmo_qa = ctx.actors["li.na"], ctx.actors["sun.li"]
    started = AS_OF - timedelta(days=70)
    transfer = tech_transfer.tech_transfer_start(
        actor=mah_qa, contract=ctx.contract, product=product, started_on=started, ref=f"DEMO-{product.ref}-TT-01"
    )
    cmo_people = list(Person.objects.filter(organisation_id=ctx.contract.cmo_id).order_by("ref")[:3])
    mah_people = list(Person.objects.filter(organisation_id=ctx.contract.mah_id).order_by("ref")[:1])
    if not cmo_people:
        raise LookupError(f"the CMO of {ctx.contract.ref} has no person to lead the technology transfer")
    transfer = tech_transfer.tech_transfer_set_team(
        actor=cmo_qa,
        transfer=transfer,
        lead=cmo_people[0],
        working_group=cmo_people[1:] + mah_people,
        reason="第四条（1）配备技术转移负责人，成立工作组",
    )
    for step, days, note in (
        ("plan_reviewed", 60, "技术转移方案可行性审核通过，明确批量与关键工艺参数"),
        ("equipment_qualified", 45, "配液罐、灌装机安装与运行确认完成"),
        ("cleaning_validated", 30, "清洁方法验证三批残留均低于限度"),
    ):
        tech_transfer.tech_transfer_record_step(
            actor=cmo_qa, transfer=transfer, step=step, done_on=AS_OF - timedelta(days=days), note=note
        )
    risk = tech_transfer.tech_transfer_risk_raise(
        actor=cmo_qa,
        transfer=transfer,
        description="分析方法转移中有关物质检测的系统适用性两次未达标",
        raised_on=AS_OF - timedelta(days=25),
        measures="更换同型号色谱柱，双方实验室比对",
        ref=f"DEMO-{product.ref}-TTR-01",
    )
    tech_transfer.tech_transfer_risk_control(
        actor=mah_qa,
        risk=risk,
        resolved_on=AS_OF - timedelta(days=18),
        resolution="更换色谱柱后系统适用性连续三次符合要求，双方比对结果一致，风险已控制",
    )
    return TechTransfer.objects.get(pk=transfer.pk)


def _summary(ctx: Context, created: bool, added_items: int) -> Summary:
    states = []
    for batch in Batch.objects.filter(ref__startswith="DEMO-", line=ctx.line).select_related("product__holder"):
        states.append(
            f"  批次 batch {batch.number:<10} {batch.product.name}（{batch.product.holder.name}） "
            f"{batch.get_status_display()}"
        )
    journey = f"DEMO-{ctx.product.ref}-03"
    number = Batch.objects.get(ref=journey).number
    lines = [f"协作演示数据 collaboration records on line {ctx.line.ref}（{ctx.line.name}）:", *states]
    if added_items:
        lines.append(f"  沟通清单补充 {added_items} 项 / {added_items} communication-list item(s) added")
    lines += _workflow_lines(ctx)
    lines.append(
        f"  浏览器流程使用批次 journey batch (raise the deviation on it): {number}（{journey}，生产中，放行资料齐全）"
    )
    return Summary(lines=lines, journey_batch=number, created=created)


def _workflow_lines(ctx: Context) -> list[str]:
    """One line (Chinese, then English) per workflow record, read back from the database, so that a
    re-run prints the same as the first run."""
    lines = []
    major = Change.objects.filter(ref=_ref(ctx, "CHG-01")).first()
    if major is not None:
        first = Batch.objects.filter(ref=f"DEMO-{ctx.product.ref}-05").first()
        lines.append(
            f"  变更 change {major.ref}：受托方提出；受托方定为中等/备案、持有人定为重大/审批，按较高级别"
            f"（{major.change_class}/{major.regulatory_path}）管理；已批准、获批并于 {major.implemented_on} 实施"
            + (f"，其后首批 {first.number} 须双方留样及持续稳定性考察（第十一条）" if first else "")
            + f" / proposed by the CMO, classified moderate/filing by the CMO and major/approval by the MAH: "
            f"the higher governs; approved, accepted by the regulator, implemented on {major.implemented_on}"
            + (f"; the first batch after it ({first.number}) carries both parties' art. 11 duties" if first else "")
        )
    proposed = Change.objects.filter(ref=_ref(ctx, "CHG-02")).first()
    if proposed is not None:
        lines.append(
            f"  变更 change {proposed.ref}：持有人提出并定类，待受托方定类（孙丽的待办期限）"
            f" / proposed and classified by the MAH, awaiting the CMO's classification (sun.li's deadline)"
        )
    assessment = SharedLineAssessment.objects.filter(change=major).first() if major else None
    if assessment is not None:
        notices = assessment.notices.count()
        lines.append(
            f"  共线风险评估 shared-line assessment {assessment.ref}（由变更 {major.ref} 发起）：已通报 {notices} 家持有人；"
            f"本持有人反馈已答复并达成一致，其他持有人待反馈；纠正预防措施 1 项已获本持有人同意，待其他持有人审核"
            f"（赵磊的待办期限） / started by change {major.ref}, notified to {notices} MAHs: mah's feedback answered "
            f"and agreed, the others' feedback awaited; one CAPA approved by mah, awaiting the others (zhao.lei's deadlines)"
        )
    audit = Audit.objects.filter(ref=_ref(ctx, "AUD-01")).first()
    if audit is not None:
        planned = Capa.objects.filter(finding__audit=audit, status="planned").order_by("due_on").first()
        due = planned.due_on if planned else "—"
        lines.append(
            f"  现场审核 on-site audit {audit.ref}（{audit.conducted_from}–{audit.conducted_to}）：报告已出具；"
            f"发现 2 项（主要 1 项），1 项整改经确认有效，1 项整改应于 {due} 完成 / report issued; two findings "
            f"(one major): one CAPA checked effective, the other's due on {due}"
        )
    remote = Audit.objects.filter(ref=_ref(ctx, "AUD-02")).first()
    if remote is not None:
        lines.append(
            f"  非现场审核 remote audit {remote.ref}：计划于 {remote.planned_on} / planned on {remote.planned_on}"
        )
    elif audit is not None:
        lines.append(
            "  未计划非现场审核：质量协议未约定信息化记录及电子数据交换（第十四条） / no remote audit planned: the quality "
            "agreement does not provide for electronic records and data exchange (art. 14)"
        )
    transfer = TechTransfer.objects.filter(
        contract=ctx.contract, ref__startswith="DEMO-", ref__endswith="-TT-01"
    ).first()
    if transfer is not None:
        steps, risks = transfer.steps.count(), transfer.risks.filter(status="controlled").count()
        lines.append(
            f"  技术转移 technology transfer {transfer.ref}（{transfer.product.name}）进行中：工作组已成立，"
            f"已记录 {steps} 个步骤，{risks} 项风险已控制 / in progress: team appointed, {steps} steps recorded, "
            f"{risks} risk(s) raised and controlled"
        )
    elif audit is not None:
        lines.append(
            "  未新建技术转移：该协议的每个品种均已有进行中的技术转移 / no technology transfer added: every product "
            "of the contract already has one in progress"
        )
    return lines


def seed_collaboration(*, seed: int = 1, province: str = "32") -> Summary:
    """Seed the demo's collaboration records (see the module docstring); a re-run changes nothing."""
    actors = _actors()
    ctx = _context(seed, actors, province)
    if Batch.objects.filter(ref=f"DEMO-{ctx.product.ref}-01").exists():
        return _summary(ctx, created=False, added_items=0)
    with transaction.atomic():
        added = _communication_list(ctx)
        _seed_batches(ctx)
        _seed_changes(ctx)
        _seed_shared_line(ctx)
        _seed_audits(ctx)
        _seed_transfer(ctx)
    return _summary(ctx, created=True, added_items=added)
