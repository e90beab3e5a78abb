"""Registry write services: validation with bilingual field errors, capacity of a line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.exchange.dataset import load_mini
from weituo.core.actors import system_actor
from weituo.core.errors import ValidationFailed
from weituo.registry.models import Line, LineProduct, Organisation, Product
from weituo.registry.services import line_product_set, organisation_create, product_create, product_update

SYSTEM = system_actor("tests")

pytestmark = pytest.mark.django_db


def test_organisation_create_refuses_a_bad_uscc_and_stores_nothing():
    with pytest.raises(ValidationFailed) as excinfo:
        organisation_create(
            actor=SYSTEM, ref="ORG-X", name="某药业有限公司", uscc="91320100MA1W0001XY", province="32", is_mah=True
        )
    assert [d.field for d in excinfo.value.details] == ["uscc"]
    assert "check character" in excinfo.value.details[0].message_en
    assert not Organisation.objects.filter(ref="ORG-X").exists()


def test_organisation_needs_a_role():
    with pytest.raises(ValidationFailed) as excinfo:
        organisation_create(actor=SYSTEM, ref="ORG-X", name="某公司", uscc="91110000600037341L", province="11")
    assert excinfo.value.details[0].field == "is_mah"


def test_product_rules_marketed_drug_needs_approval_number_and_device_fields_do_not_apply():
    load_mini()
    mah = Organisation.objects.get(ref="ORG-MAH")
    with pytest.raises(ValidationFailed) as excinfo:
        product_create(
            actor=SYSTEM,
            ref="P-9",
            kind="drug",
            holder=mah,
            name="某片",
            status="marketed",
            dosage_form="片剂",
            device_class="II",
        )
    assert {d.field for d in excinfo.value.details} == {"approval_number", "device_class"}
    dev = product_create(
        actor=SYSTEM, ref="P-10", kind="drug", holder=mah, name="某在研片", status="in_development", dosage_form="片剂"
    )
    assert dev.approval_number is None


def test_product_update_refuses_status_by_hand_and_validates():
    load_mini()
    product = Product.objects.get(ref="P-1")
    with pytest.raises(ValidationFailed):
        product_update(actor=SYSTEM, product=product, approval_number="国药准字Q1")
    product.refresh_from_db()
    assert product.approval_number == "国药准字H32020001"
    with pytest.raises(ValueError):
        product_update(actor=SYSTEM, product=product, status="in_development")


def test_line_capacity_cannot_be_planned_beyond_design_unless_recorded_deliberately():
    load_mini()
    line = Line.objects.get(ref="LINE-1")  # 5000, with 1200 + 800 planned
    product = Product.objects.get(ref="P-2")
    with pytest.raises(ValidationFailed) as excinfo:
        line_product_set(actor=SYSTEM, line=line, product=product, annual_volume=Decimal("3900"))
    assert "5000" in excinfo.value.details[0].message_en
    assert LineProduct.objects.get(line=line, product=product).annual_volume == 800
    line_product_set(actor=SYSTEM, line=line, product=product, annual_volume=Decimal("3800"))
    assert LineProduct.objects.get(line=line, product=product).annual_volume == 3800
    line_product_set(actor=SYSTEM, line=line, product=product, annual_volume=Decimal("4000"), allow_over_capacity=True)
    assert LineProduct.objects.get(line=line, product=product).annual_volume == 4000


def test_the_services_themselves_refuse_writes_to_another_organisations_records():
    """The ownership check lives in the one write service, so no caller (web, API, admin, script) can skip it."""
    import datetime as dt

    from weituo.accounts.selectors import actor_for_user
    from weituo.accounts.services import user_create
    from weituo.contracts.models import CommissionContract
    from weituo.contracts.services import contract_change_status
    from weituo.core.errors import PermissionDenied

    load_mini()
    cmo_qa = actor_for_user(
        user_create(actor=SYSTEM, username="sun.li", full_name="孙丽", email="s@example.cn", password="long enough pw 42",
                    role="cmo_qa", organisation=Organisation.objects.get(ref="ORG-CMO"), since=dt.date(2024, 1, 1))
    )  # fmt: skip
    other_mah = actor_for_user(
        user_create(actor=SYSTEM, username="zhao.lei", full_name="赵磊", email="z@example.cn", password="long enough pw 42",
                    role="mah_qa", organisation=Organisation.objects.get(ref="ORG-MAH2"), since=dt.date(2024, 1, 1))
    )  # fmt: skip
    product = Product.objects.get(ref="P-1")  # held by ORG-MAH, made by ORG-CMO
    with pytest.raises(PermissionDenied):
        product_update(actor=cmo_qa, product=product, strength="1ml")
    with pytest.raises(PermissionDenied):
        organisation_create(
            actor=cmo_qa, ref="ORG-Y", name="某公司", uscc="91110000600037341L", province="11", is_mah=True
        )
    with pytest.raises(PermissionDenied):
        contract_change_status(actor=other_mah, contract=CommissionContract.objects.get(ref="CON-1"), to="terminated",
                               on=dt.date(2026, 6, 30))  # fmt: skip
    with pytest.raises(PermissionDenied):
        line_product_set(actor=other_mah, line=Line.objects.get(ref="LINE-1"), product=Product.objects.get(ref="P-2"),
                         annual_volume=Decimal("1"))  # fmt: skip
    assert Product.objects.get(ref="P-1").strength == "5ml:0.1g"
    assert CommissionContract.objects.get(ref="CON-1").status == "in_force"
