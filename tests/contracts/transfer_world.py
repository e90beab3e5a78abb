"""The technology-transfer world: the quality tests' world (ORG-MAH and ORG-MAH2 share LINE-1 of
ORG-CMO) plus CON-2, a contract in force between ORG-MAH2 and ORG-CMO for P-2, and the CMO people a
working group is made of. Helpers walk a transfer through its steps with the party each step needs."""

from __future__ import annotations

import datetime as dt

from tests.quality.world import SYSTEM, World, build_world
from weituo.contracts import services as contract_services
from weituo.contracts import tech_transfer as tt
from weituo.contracts.choices import TransferStep
from weituo.contracts.models import CommissionContract, TechTransfer
from weituo.integrity.writes import record_create
from weituo.registry.models import Organisation, Person, Product

START = dt.date(2026, 6, 1)
# one date per step, in order, every one in the past
STEP_DATES: dict[str, dt.date] = {
    step: START + dt.timedelta(days=10 * (i + 1)) for i, step in enumerate(TransferStep.values)
}
COMPLETED_ON = dt.date(2026, 10, 1)


def build_transfer_world() -> World:
    world = build_world()
    cmo = Organisation.objects.get(ref="ORG-CMO")
    record_create(actor=SYSTEM, model=Person, ref="PER-TTL", organisation=cmo, name="钱立新", title="技术转移负责人")
    record_create(actor=SYSTEM, model=Person, ref="PER-TTE", organisation=cmo, name="冯雪", title="工艺工程师")
    contract = contract_services.contract_create(
        actor=SYSTEM,
        ref="CON-2",
        number="WT-2026-002",
        mah=Organisation.objects.get(ref="ORG-MAH2"),
        cmo=cmo,
        products=[Product.objects.get(ref="P-2")],
        signed_on=dt.date(2026, 1, 5),
        effective_from=dt.date(2026, 1, 10),
    )
    contract_services.contract_change_status(actor=SYSTEM, contract=contract, to="in_force")
    return world


def con2() -> CommissionContract:
    return CommissionContract.objects.get(ref="CON-2")


def start(world: World, ref: str = "TT-1") -> TechTransfer:
    return tt.tech_transfer_start(
        actor=world.mah_qa, contract=world.contract, product=Product.objects.get(ref="P-1"), started_on=START, ref=ref
    )


def appoint(world: World, transfer: TechTransfer) -> TechTransfer:
    return tt.tech_transfer_set_team(
        actor=world.cmo_qa,
        transfer=transfer,
        lead=Person.objects.get(ref="PER-TTL"),
        working_group=[Person.objects.get(ref="PER-TTE"), Person.objects.get(ref="PER-MQA")],
    )


def record(world: World, transfer: TechTransfer, step: str, **kw):
    actor = world.mah_qa if step == TransferStep.MASTER_DOCUMENTS_APPROVED else world.cmo_qa
    values = {"done_on": STEP_DATES[step], "note": f"{step} done, conclusion acceptable", "evidence": f"DOC-{step}"}
    values.update(kw)
    return tt.tech_transfer_record_step(actor=actor, transfer=transfer, step=step, **values)


def run_all_steps(world: World, transfer: TechTransfer) -> TechTransfer:
    appoint(world, transfer)
    for step in TransferStep.values:
        record(world, transfer, step)
    return TechTransfer.objects.get(pk=transfer.pk)


def completed(world: World, ref: str = "TT-1") -> TechTransfer:
    transfer = run_all_steps(world, start(world, ref))
    return tt.tech_transfer_complete(actor=world.mah_qa, transfer=transfer, completed_on=COMPLETED_ON)
