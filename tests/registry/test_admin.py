"""The Django admin of core, registry and contracts: every page opens, labels are Chinese, and the
product changelist costs a fixed number of queries however many products there are."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum.cn.uscc import calc_check_digit

from weituo.contracts.models import (
    AgreementAttachment,
    CommissionContract,
    CommunicationItem,
    MahEvaluation,
    QualityAgreement,
    ResidentStaff,
    ResponsibilityItem,
    TechTransfer,
    TechTransferRisk,
    TechTransferStep,
)
from weituo.core.models import CalendarYear
from weituo.registry.models import (
    Appointment,
    EnterpriseExperience,
    EnterpriseGroup,
    ExperienceRecord,
    InspectionRecord,
    Licence,
    LicenceScope,
    Line,
    LineProduct,
    Organisation,
    Person,
    Product,
    RegistrationCertificate,
    Site,
    Workshop,
)

APP_LABELS = ("core", "registry", "contracts")
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APP_LABELS),
    key=lambda model: model._meta.label,
)


def uscc(n: int, region: str = "320100") -> str:
    first17 = f"91{region}MA1M{n:05d}"
    return first17 + calc_check_digit(first17)


def valid(obj):
    """Save a record after the same validation the admin runs, so the fixture data is realistic."""
    obj.full_clean()
    obj.save()
    return obj


def make_mah(n: int = 1, **extra) -> Organisation:
    fields = {"name": f"持有人{n}有限公司", "uscc": uscc(n), "province": "32", "is_mah": True, "ref": f"mah-{n}"}
    fields.update(extra)
    return valid(Organisation(**fields))


def make_drug(holder: Organisation, n: int, **extra) -> Product:
    fields = {
        "ref": f"drug-{n}",
        "kind": "drug",
        "holder": holder,
        "name": f"阿莫西林胶囊{n}",
        "status": "marketed",
        "approval_number": f"国药准字H{n:08d}",
        "dosage_form": "胶囊剂",
        "category": "h",
    }
    fields.update(extra)
    return Product.objects.create(**fields)


@pytest.fixture
def dataset(admin_user):
    """One record of every model the admin shows, linked as in real life."""
    group = valid(EnterpriseGroup(ref="grp-1", name="某医药集团", unified_qms=True))
    mah = make_mah(1, group=group, is_registrant=True)
    cmo = valid(
        Organisation(
            ref="cmo-1",
            name="受托制药有限公司",
            uscc=uscc(2, "310000"),
            province="31",
            is_cmo=True,
            is_device_cmo=True,
            group=group,
        )
    )
    site = valid(Site(ref="site-1", organisation=cmo, name="一厂", address="上海市浦东新区某路1号", province="31"))
    workshop = valid(Workshop(ref="ws-1", site=site, name="固体制剂车间"))
    line = valid(
        Line(
            ref="line-1",
            workshop=workshop,
            name="胶囊线",
            dosage_forms="胶囊剂、片剂",
            sterile=False,
            design_capacity=Decimal("5000"),
            capacity_unit="万粒/年",
        )
    )
    drug = valid(
        Product(
            ref="drug-1",
            kind="drug",
            holder=mah,
            name="阿莫西林胶囊",
            status="marketed",
            approval_number="国药准字H20000001",
            dosage_form="胶囊剂",
            category="h",
            consistency_evaluated=True,
        )
    )
    device = valid(
        Product(ref="dev-1", kind="device", holder=mah, name="骨科植入物", status="marketed", device_class="III")
    )
    valid(
        RegistrationCertificate(
            ref="cert-1",
            product=device,
            number="国械注准20203130001",
            issued_on=dt.date(2020, 1, 1),
            valid_until=dt.date(2030, 1, 1),
        )
    )
    valid(LineProduct(line=line, product=drug, annual_volume=Decimal("1000")))
    licence = valid(
        Licence(
            ref="lic-1",
            organisation=cmo,
            kind="drug",
            number="沪20160001",
            class_codes="C",
            category_letters="h",
            issued_on=dt.date(2021, 1, 1),
            valid_until=dt.date(2026, 1, 1),
        )
    )
    valid(LicenceScope(licence=licence, site=site, class_code="C", scope="胶囊剂", product=drug, counterparty=mah))
    qp = valid(Person(ref="p-1", organisation=cmo, name="张三", title="质量受权人"))
    mah_qa = valid(Person(ref="p-2", organisation=mah, name="李四", title="质量负责人"))
    valid(Appointment(person=qp, role="qp", since=dt.date(2020, 1, 1)))
    valid(ExperienceRecord(person=qp, employer="某药厂", activity="quality", started_on=dt.date(2010, 1, 1)))
    valid(
        EnterpriseExperience(
            organisation=cmo, activity="rnd", dosage_form="注射剂", sterile=True, started_on=dt.date(2015, 1, 1)
        )
    )
    valid(
        InspectionRecord(
            ref="insp-1",
            organisation=cmo,
            line=line,
            inspected_on=dt.date(2024, 5, 1),
            kind="gmp_compliance",
            conclusion="compliant",
        )
    )
    contract = valid(CommissionContract(ref="ct-1", number="WT-2024-001", mah=mah, cmo=cmo))
    contract.products.add(drug)
    contract.lines.add(line)
    agreement = valid(QualityAgreement(ref="qa-1", contract=contract, cmo_link_person=qp))
    valid(ResponsibilityItem(agreement=agreement, activity="factory_release", party="cmo"))
    valid(
        CommunicationItem(
            agreement=agreement,
            category="deviation",
            mah_contact=mah_qa,
            cmo_contact=qp,
            channel="email",
            time_limit=1,
            time_unit="working_days",
        )
    )
    valid(ResidentStaff(agreement=agreement, person=mah_qa, duties="监督生产"))
    attachment = AgreementAttachment(agreement=agreement, title="质量协议扫描件", sha256="0" * 64)
    attachment.file.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
    transfer = valid(TechTransfer(ref="tt-1", contract=contract, product=drug, lead=qp))
    transfer.working_group.add(qp)
    valid(
        TechTransferStep(transfer=transfer, step="plan_reviewed", party="cmo", done_on=dt.date(2024, 1, 5), note="可行")
    )
    valid(
        TechTransferRisk(
            ref="ttr-1", transfer=transfer, raised_by_party="cmo", raised_on=dt.date(2024, 1, 6), description="r"
        )
    )
    evaluation = valid(
        MahEvaluation(ref="ev-1", cmo=cmo, mah=mah, evaluated_on=dt.date(2023, 12, 1), conclusion="acceptable")
    )
    evaluation.products.add(drug)
    CalendarYear.objects.create(
        year=2027, holidays=["2027-01-01"], workdays=[], source="国务院办公厅通知", loaded_by=admin_user
    )


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_the_three_apps_is_registered():
    from django.apps import apps

    models = {model for label in APP_LABELS for model in apps.get_app_config(label).get_models()}
    assert models == set(REGISTERED)


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_add_and_change_pages_open(admin_client, admin_user, dataset, model):
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "1"}).status_code == 200

    request = RequestFactory().get("/")
    request.user = admin_user
    may_add = admin.site._registry[model].has_add_permission(request)
    assert admin_client.get(admin_url(model, "add")).status_code == (200 if may_add else 403)

    obj = model._default_manager.first()
    assert obj is not None, "the dataset fixture should hold one of each model"
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.django_db
def test_calendar_year_is_read_only(admin_client, dataset):
    year = CalendarYear.objects.get()
    page = admin_client.get(admin_url(CalendarYear, "change", year.pk))
    assert page.status_code == 200
    assert 'name="source"' not in page.content.decode()
    assert admin_client.get(admin_url(CalendarYear, "delete", year.pk)).status_code == 403


@pytest.mark.django_db
def test_product_changelist_queries_do_not_grow_with_rows(admin_client):
    url = admin_url(Product, "changelist")
    holder = make_mah(1)
    for n in range(3):
        make_drug(holder, n, sterile=n % 2 == 0)
    admin_client.get(url)  # warm up: session, content types, caches
    with CaptureQueriesContext(connection) as few:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("阿莫西林胶囊") >= 3

    other = make_mah(2, province="31")
    for n in range(3, 30):
        make_drug(holder if n % 2 else other, n, high_risk=True)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("阿莫西林胶囊") >= 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.django_db
def test_product_changelist_query_budget(admin_client, django_assert_max_num_queries):
    holder = make_mah(1)
    for n in range(40):
        make_drug(holder, n)
    # session read and save (idle timeout), user, the user's memberships (the read-only admins ask for the
    # role once per request), count, rows (+ slack); never a query per row
    with django_assert_max_num_queries(8):
        assert admin_client.get(admin_url(Product, "changelist")).status_code == 200


@pytest.mark.django_db
def test_organisation_changelist_is_labelled_in_chinese(admin_client):
    make_mah(1, is_cmo=True)
    content = admin_client.get(admin_url(Organisation, "changelist")).content.decode()
    for label in ("统一社会信用代码", "企业名称", "省份", "角色", "持有人、受托生产", "江苏省"):
        assert label in content, label


@pytest.mark.django_db
def test_product_form_groups_fields_and_shows_certificate_only_for_devices(admin_client):
    holder = make_mah(1, is_registrant=True)
    drug = make_drug(holder, 1)
    device = Product.objects.create(
        ref="dev-1", kind="device", holder=holder, name="心脏支架", status="marketed", device_class="III"
    )
    add_page = admin_client.get(admin_url(Product, "add")).content.decode()
    for title in ("基本信息", "药品", "医疗器械", "风险标识", "无菌药品", "高风险产品"):
        assert title in add_page, title
    drug_page = admin_client.get(admin_url(Product, "change", drug.pk)).content.decode()
    device_page = admin_client.get(admin_url(Product, "change", device.pk)).content.decode()
    assert 'id="certificate-group"' not in drug_page
    assert 'id="certificate-group"' in device_page
    assert 'id="lineproduct_set-group"' in drug_page


@pytest.mark.django_db
def test_foreign_keys_use_autocomplete_not_a_full_select(admin_client):
    holder = make_mah(1)
    for n in range(5):
        make_drug(holder, n)
    page = admin_client.get(admin_url(Product, "add")).content.decode()
    assert 'class="admin-autocomplete' in page
    # an autocomplete <select> carries only the chosen value, never every organisation
    assert holder.name not in page

    found = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "国药准字H0000000", "app_label": "registry", "model_name": "lineproduct", "field_name": "product"},
    )
    assert found.status_code == 200
    assert len(found.json()["results"]) == 5


@pytest.mark.django_db
def test_organisation_page_has_site_licence_and_person_inlines(admin_client, dataset):
    cmo = Organisation.objects.get(ref="cmo-1")
    page = admin_client.get(admin_url(Organisation, "change", cmo.pk)).content.decode()
    for prefix in ("sites", "licences", "people"):
        assert f'id="{prefix}-group"' in page, prefix
    assert "沪20160001" in page
