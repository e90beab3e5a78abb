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
never sees it, zhao.lei never sees mah's).

Deterministic: refs, numbers, dates, quantities and results come from the seed and the demo's date;
only the times the services stamp (raised, released) are the clock's. Idempotent: a re-run finds the
first batch's ref and changes nothing. Everything is written in one transaction: all or nothing.

To extend (change control, shared-line assessments, audits …): add a ``_seed_<workflow>(ctx)`` below
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

from weituo.accounts.actors import Actor
from weituo.accounts.selectors import actor_for_user
from weituo.batches import services as batches
from weituo.batches.models import Batch
from weituo.contracts.choices import ART7_CATEGORIES
from weituo.contracts.models import CommissionContract, CommunicationItem, QualityAgreement
from weituo.contracts.services import communication_item_set
from weituo.quality import services as quality
from weituo.quality.models import QualityEvent
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
    names = ("li.na", "wang.qiang", "zhao.lei", "sun.li", "zhou.jun", "wu.gang")
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
    batches.batch_factory_release(actor=ctx.actors["zhou.jun"], batch=batch, password=DEMO_PASSWORD)
    if market:
        batch = Batch.objects.get(pk=batch.pk)
        batches.batch_market_release(actor=ctx.actors["wang.qiang"], batch=batch, password=DEMO_PASSWORD)
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
    lines.append(
        f"  浏览器流程使用批次 journey batch (raise the deviation on it): {number}（{journey}，生产中，放行资料齐全）"
    )
    return Summary(lines=lines, journey_batch=number, created=created)


def seed_collaboration(*, seed: int = 1, province: str = "32") -> Summary:
    """Seed the demo's collaboration records (see the module docstring); a re-run changes nothing."""
    actors = _actors()
    ctx = _context(seed, actors, province)
    if Batch.objects.filter(ref=f"DEMO-{ctx.product.ref}-01").exists():
        return _summary(ctx, created=False, added_items=0)
    with transaction.atomic():
        added = _communication_list(ctx)
        _seed_batches(ctx)
    return _summary(ctx, created=True, added_items=added)
