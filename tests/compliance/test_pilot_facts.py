"""The biologics pilot reads what the registry records of a product (its pilot status and kind) and
what the contract records of one quality system: entered through the audited write path, the
findings follow."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.quality.world import SYSTEM, World, build_world
from weituo.compliance.services import compliance_scan
from weituo.contracts.models import CommissionContract
from weituo.integrity import committed
from weituo.integrity.writes import record_update
from weituo.registry.models import Product

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 1)


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    with committed.paused():
        return build_world()


def outcome(rule: str, subject: str) -> str:
    found = compliance_scan(actor=SYSTEM, as_of=AS_OF, store=False).findings
    return next(str(f.outcome) for f in found if f.rule_id == rule and f.subject.get("ref") == subject)


def test_a_pilot_product_is_judged_on_the_kind_of_biologic_recorded(world):
    product = Product.objects.get(ref="P-1")
    assert outcome("bio-2.3.eligible-product", "P-1") == "not_applicable"  # not a biologic in the pilot
    record_update(actor=SYSTEM, instance=product, biologic=True, segmented_pilot=True)
    assert outcome("bio-2.3.eligible-product", "P-1") == "needs_information"  # the kind is not stated
    record_update(actor=SYSTEM, instance=Product.objects.get(pk=product.pk), pilot_category="other")
    assert outcome("bio-2.3.eligible-product", "P-1") == "not_met"
    record_update(actor=SYSTEM, instance=Product.objects.get(pk=product.pk), pilot_category="antibody")
    assert outcome("bio-2.3.eligible-product", "P-1") == "met"


def test_one_quality_system_outside_a_group_is_what_the_contract_records(world):
    record_update(actor=SYSTEM, instance=Product.objects.get(ref="P-1"), biologic=True, segmented_pilot=True)
    assert outcome("bio-2.2.unified-qms", "CON-1") == "needs_information"
    record_update(actor=SYSTEM, instance=CommissionContract.objects.get(ref="CON-1"), unified_qms_confirmed=True)
    assert outcome("bio-2.2.unified-qms", "CON-1") == "met"
