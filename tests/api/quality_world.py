"""What the quality and batch API tests add to the API world (``world.py``): the QPs who release,
a CMO head of quality who approves downgrades, each with a token; and helpers to make a batch and
its release package, and to call the API as a user.

    ORG-MAH ──CON-1/QA-1──▶ ORG-CMO, P-1 on LINE-1 (shared with ORG-MAH2's P-2).
    QA-1's communication list: deviation → 1 working day.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.exchange.dataset import SYSTEM
from weituo.accounts.selectors import actor_for_user
from weituo.accounts.services import user_create
from weituo.api.services import api_token_create
from weituo.batches import services as batch_services
from weituo.batches.models import Batch
from weituo.contracts.models import CommissionContract
from weituo.core.roles import Role
from weituo.integrity.models import LedgerEntry
from weituo.registry.models import Line, Organisation, Product

from .world import PASSWORD, World

# username: (role, organisation ref, full name) — added to the API world's users
EXTRA_USERS: dict[str, tuple[str, str, str]] = {
    "qin.cmoqp": (Role.CMO_QP, "ORG-CMO", "秦峰"),
    "lu.mahqp": (Role.MAH_QP, "ORG-MAH", "陆敏"),
    "he.mah2qp": (Role.MAH_QP, "ORG-MAH2", "何静"),
    "ding.cmohoq": (Role.CMO_HEAD_OF_QUALITY, "ORG-CMO", "丁宁"),
    "ma.cmoprod": (Role.CMO_PRODUCTION, "ORG-CMO", "马超"),
}


def add_quality_users(world: World) -> World:
    """The API world with the extra users and their tokens (call inside the module's transaction)."""
    for n, (username, (role, org, full_name)) in enumerate(EXTRA_USERS.items()):
        user = user_create(
            actor=SYSTEM,
            username=username,
            full_name=full_name,
            email=f"extra{n}@example.org",
            password=PASSWORD,
            role=role,
            organisation=Organisation.objects.get(ref=org),
            since=dt.date(2024, 1, 1),
        )
        world.users[username] = user
        world.tokens[username] = api_token_create(actor=SYSTEM, user=user, name="tests", days=30).secret
    return world


def actor(world: World, username: str):
    return actor_for_user(world.users[username])


def make_batch(world: World, number: str = "240101", ref: str | None = None) -> Batch:
    """A batch of P-1 on LINE-1 under CON-1, recorded by the CMO's production."""
    return batch_services.batch_create(
        actor=actor(world, "ma.cmoprod"),
        contract=CommissionContract.objects.get(ref="CON-1"),
        product=Product.objects.get(ref="P-1"),
        line=Line.objects.get(ref="LINE-1"),
        number=number,
        ref=ref,
        manufactured_on=dt.date(2026, 11, 2),
        expiry_on=dt.date(2028, 10, 31),
        quantity=Decimal("98000"),
        quantity_unit="支",
    )


def pdf(name: str, content: bytes = b"%PDF-1.7 weituo api test record") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def fill_package(world: World, batch: Batch, deviations=()) -> None:
    """A complete release package: batch and test records, a passing result, a record per deviation."""
    qa = actor(world, "wang.cmo")
    for kind, title in (("batch_record", "批生产记录"), ("test_record", "批检验记录")):
        batch_services.release_document_add(actor=qa, batch=batch, kind=kind, title=title, file=pdf(f"{kind}.pdf"))
    batch_services.batch_result_add(
        actor=qa, batch=batch, test_name="含量", specification="95.0%–105.0%", result="99.2%", passed=True
    )
    for event in deviations:
        batch_services.release_document_add(
            actor=qa,
            batch=batch,
            kind="deviation_record",
            title=f"偏差调查记录 {event.ref}",
            file=pdf(f"dev-{event.pk}.pdf"),
            event=event,
        )


# --- calling the API ---------------------------------------------------------------------------------


def call(client, world: World, user: str, method: str, path: str, data: dict[str, Any] | None = None):
    """A JSON request to /api/v1 with the user's token."""
    headers = world.auth(user)
    if method == "GET":
        return client.get(f"/api/v1{path}", data or {}, **headers)
    return getattr(client, method.lower())(
        f"/api/v1{path}", json.dumps(data or {}), content_type="application/json", **headers
    )


def seq() -> int:
    entry = LedgerEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def entries_since(before: int, **filters: Any) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(seq__gt=before, **filters).order_by("seq"))


def add_fuzz_records(world: World) -> World:
    """For the schema fuzzer: the extra users, a batch ``B-FUZZ`` and a major deviation ``QE-FUZZ``
    on it (with its art. 11 obligations), so that generated requests reach the services."""
    from weituo.quality import services as quality_services

    add_quality_users(world)
    batch = make_batch(world, "FUZZ-1", ref="B-FUZZ")
    quality_services.deviation_raise(
        actor=actor(world, "wang.cmo"),
        contract=batch.contract,
        classification="major",
        title="模糊测试偏差",
        batch=batch,
        ref="QE-FUZZ",
    )
    return world
