"""Device art. 14 through the stack: a device commission terminated through the contract service
leaves the certificate showing the CMO's production address (not met); the address removed through
the registry's audited write path turns it met."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.compliance.conftest import DEMO_AS_OF, SYSTEM
from weituo.compliance.services import compliance_scan
from weituo.contracts.models import CommissionContract
from weituo.contracts.services import contract_change_status
from weituo.integrity.writes import record_update
from weituo.registry.models import RegistrationCertificate

pytestmark = pytest.mark.django_db
AFTER = DEMO_AS_OF + dt.timedelta(days=30)


def outcome(product_ref: str, contract_ref: str) -> str:
    found = compliance_scan(actor=SYSTEM, as_of=AFTER, store=False).findings
    return next(
        str(f.outcome)
        for f in found
        if f.rule_id == "38-14.address-removed"
        and f.subject.get("ref") == product_ref
        and f.subject.get("contract") == contract_ref
    )


def test_a_device_commission_ended_needs_its_address_removed(demo):
    contract = next(
        c
        for c in CommissionContract.objects.filter(status="in_force", products__kind="device").distinct()
        if all(p.kind == "device" and hasattr(p, "certificate") for p in c.products.all())
    )
    product = contract.products.first()
    assert outcome(product.ref, contract.ref) == "not_applicable"  # still commissioned
    contract_change_status(actor=SYSTEM, contract=contract, to="terminated", on=DEMO_AS_OF)
    assert outcome(product.ref, contract.ref) == "not_met"  # the certificate still shows the CMO
    certificate = RegistrationCertificate.objects.get(product=product)
    record_update(actor=SYSTEM, instance=certificate, production_address="江苏省南京市江宁区天元路1号", annotation="")
    assert outcome(product.ref, contract.ref) == "met"
