"""Helpers of the event-page tests: batches on the web world's contracts, a second contract between
the same two companies, events raised through the services, and counts of what is stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.exchange.dataset import SYSTEM
from weituo.accounts.selectors import actor_for_user
from weituo.accounts.services import user_create
from weituo.batches import services as batch_services
from weituo.batches.models import Batch
from weituo.contracts.models import CommissionContract
from weituo.exchange.services import registry_import
from weituo.integrity.models import LedgerEntry
from weituo.quality import services
from weituo.quality.models import Capa, Deviation, QualityEvent, Reclassification, RetentionObligation
from weituo.registry.models import Line, Organisation, Product


def actor(world: dict, username: str):
    return actor_for_user(world[username])


def make_batch(world: dict, number: str = "240101", contract: str = "CON-1") -> Batch:
    return batch_services.batch_create(
        actor=actor(world, "cmo.qa"),
        contract=CommissionContract.objects.get(ref=contract),
        product=Product.objects.get(ref="P-1"),
        line=Line.objects.get(ref="LINE-1"),
        number=number,
        manufactured_on=dt.date(2026, 11, 2),
        expiry_on=dt.date(2028, 10, 31),
        quantity=Decimal("98000"),
        quantity_unit="支",
    )


def second_contract() -> CommissionContract:
    """CON-3: ORG-MAH and ORG-CMO again (P-1 on LINE-1), so a batch of it is visible to both parties
    but is not a batch of CON-1."""
    registry_import(
        actor=SYSTEM,
        dataset={
            "contracts": [
                {
                    "ref": "CON-3",
                    "number": "WT-2025-003",
                    "mah": "ORG-MAH",
                    "cmo": "ORG-CMO",
                    "signed_on": dt.date(2025, 1, 1),
                    "effective_from": dt.date(2025, 1, 10),
                    "status": "in_force",
                    "products": ["P-1"],
                    "lines": ["LINE-1"],
                }
            ]
        },
        source="event page tests",
    )
    return CommissionContract.objects.get(ref="CON-3")


def raise_deviation(
    world: dict, *, batch: Batch | None = None, classification: str = "critical", title: str = "灌装偏差"
):
    return services.deviation_raise(
        actor=actor(world, "cmo.qa"),
        contract=CommissionContract.objects.get(ref="CON-1"),
        classification=classification,
        title=title,
        description="B 级区沉降菌超行动限",
        batch=batch,
    )


def second_cmo_qa(world: dict):
    """Another QA of ORG-CMO (head of quality): the second person a downgrade needs."""
    world["cmo.hoq"] = user_create(
        actor=SYSTEM,
        username="cmo.hoq",
        full_name="钱学敏",
        email="cmo.hoq@example.invalid",
        password="Web-tests-2026!",
        role="cmo_head_of_quality",
        organisation=Organisation.objects.get(ref="ORG-CMO"),
        since=dt.date(2024, 1, 1),
    )
    return world["cmo.hoq"]


def stored() -> dict[str, int]:
    """How many quality rows and ledger entries there are: bad input must change none of them."""
    return {
        "events": QualityEvent.objects.count(),
        "deviations": Deviation.objects.count(),
        "capas": Capa.objects.count(),
        "reclassifications": Reclassification.objects.count(),
        "obligations": RetentionObligation.objects.count(),
        "ledger": LedgerEntry.objects.count(),
    }
