"""The mini dataset (ORG-MAH and ORG-MAH2 share LINE-1 of ORG-CMO; CON-1/QA-1 between ORG-MAH and
ORG-CMO) with the people who work on quality events and batches, and helpers to make a batch and
its release package.

QA-1's communication list: deviation → 1 working day (MAH contact PER-MQA, CMO contact PER-QP);
this world adds OOS/OOT → 24 hours. PER-MQA is given an email address; PER-QP has none (so mail to
the CMO falls back to its QA users).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.exchange.dataset import load_mini
from weituo.accounts.selectors import actor_for_user
from weituo.accounts.services import user_create
from weituo.batches import services as batch_services
from weituo.batches.models import Batch
from weituo.contracts.models import CommissionContract, QualityAgreement
from weituo.contracts.services import communication_item_set
from weituo.core.actors import Actor, system_actor
from weituo.integrity.writes import record_update
from weituo.registry.models import Line, Organisation, Person, Product

SYSTEM = system_actor("tests")
PASSWORD = "Kangning-2026-secure"
MQA_EMAIL = "li.xiaomei@kangning.example.cn"


@dataclass
class World:
    cmo_qa: Actor
    cmo_hoq: Actor  # CMO head of quality: approves the CMO's downgrades
    cmo_production: Actor
    cmo_qp: Actor
    cmo_viewer: Actor
    mah_qa: Actor
    mah_hoq: Actor
    mah_qp: Actor
    mah2_qa: Actor
    mah2_qp: Actor
    inspector_js: Actor  # Jiangsu (32): the province of all three companies
    inspector_zj: Actor  # Zhejiang (33): none of them
    admin: Actor

    @property
    def contract(self) -> CommissionContract:
        return CommissionContract.objects.get(ref="CON-1")

    @property
    def agreement(self) -> QualityAgreement:
        return QualityAgreement.objects.get(ref="QA-1")


def _user(username: str, full_name: str, role: str, org: str | None = None, province: str = "") -> Actor:
    user = user_create(
        actor=SYSTEM,
        username=username,
        full_name=full_name,
        email=f"{username}@example.cn",
        password=PASSWORD,
        role=role,
        organisation=Organisation.objects.get(ref=org) if org else None,
        province=province,
        since=dt.date(2024, 1, 1),
    )
    return actor_for_user(user)


def build_world() -> World:
    load_mini()
    record_update(actor=SYSTEM, instance=Person.objects.get(ref="PER-MQA"), email=MQA_EMAIL)
    communication_item_set(
        actor=SYSTEM,
        agreement=QualityAgreement.objects.get(ref="QA-1"),
        category="oos_oot",
        mah_contact=Person.objects.get(ref="PER-MQA"),
        cmo_contact=Person.objects.get(ref="PER-QP"),
        channel="email",
        time_limit=24,
        time_unit="hours",
    )
    return World(
        cmo_qa=_user("zhao.min", "赵敏", "cmo_qa", "ORG-CMO"),
        cmo_hoq=_user("sun.li", "孙丽", "cmo_head_of_quality", "ORG-CMO"),
        cmo_production=_user("zhou.qiang", "周强", "cmo_production", "ORG-CMO"),
        cmo_qp=_user("wang.jianguo", "王建国", "cmo_qp", "ORG-CMO"),
        cmo_viewer=_user("wu.fang", "吴芳", "cmo_viewer", "ORG-CMO"),
        mah_qa=_user("li.xiaomei", "李晓梅", "mah_qa", "ORG-MAH"),
        mah_hoq=_user("chen.hua", "陈华", "mah_head_of_quality", "ORG-MAH"),
        mah_qp=_user("liu.yang", "刘洋", "mah_qp", "ORG-MAH"),
        mah2_qa=_user("huang.lei", "黄磊", "mah_qa", "ORG-MAH2"),
        mah2_qp=_user("xu.jing", "徐静", "mah_qp", "ORG-MAH2"),
        inspector_js=_user("ma.jun", "马军", "inspector", province="32"),
        inspector_zj=_user("he.ping", "何平", "inspector", province="33"),
        admin=_user("gao.feng", "高峰", "platform_admin"),
    )


def make_batch(world: World, number: str = "240101", **fields) -> Batch:
    values = {
        "manufactured_on": dt.date(2026, 11, 2),
        "expiry_on": dt.date(2028, 10, 31),
        "quantity": Decimal("98000"),
        "quantity_unit": "支",
        "theoretical_quantity": Decimal("100000"),
        **fields,
    }
    return batch_services.batch_create(
        actor=world.cmo_production,
        contract=world.contract,
        product=Product.objects.get(ref="P-1"),
        line=Line.objects.get(ref="LINE-1"),
        number=number,
        **values,
    )


def pdf(name: str, content: bytes = b"%PDF-1.7 weituo test record") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def fill_package(world: World, batch: Batch, *, deviations=()) -> None:
    """A complete release package: the batch and test records, passing results, a record per deviation."""
    actor = world.cmo_qa
    batch_services.release_document_add(
        actor=actor, batch=batch, kind="batch_record", title="批生产记录", file=pdf("bpr.pdf")
    )
    batch_services.release_document_add(
        actor=actor, batch=batch, kind="test_record", title="批检验记录", file=pdf("coa.pdf")
    )
    for name, spec, result in (
        ("含量", "95.0%–105.0%", "99.2%"),
        ("pH", "3.5–5.5", "4.6"),
        ("无菌", "应符合规定", "符合规定"),
    ):
        batch_services.batch_result_add(
            actor=actor, batch=batch, test_name=name, specification=spec, result=result, passed=True
        )
    for event in deviations:
        batch_services.release_document_add(
            actor=actor,
            batch=batch,
            kind="deviation_record",
            title=f"偏差调查记录 {event.ref}",
            file=pdf(f"dev-{event.pk}.pdf"),
            event=event,
        )
