"""The Django admin of the contracts app: status is read-only, attachments get their digest, pages stay cheap."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum.cn.uscc import calc_check_digit

from weituo.contracts.choices import ContractStatus
from weituo.contracts.models import AgreementAttachment, CommissionContract, QualityAgreement
from weituo.registry.models import Organisation, Person, Product

pytestmark = pytest.mark.django_db


def uscc(n: int) -> str:
    first17 = f"91320100MA1M{n:05d}"
    return first17 + calc_check_digit(first17)


def organisation(n: int, **roles) -> Organisation:
    org = Organisation(ref=f"org-{n}", name=f"企业{n}有限公司", uscc=uscc(n), province="32", **roles)
    org.full_clean()
    org.save()
    return org


def contract(n: int = 1, mah: Organisation | None = None, cmo: Organisation | None = None) -> CommissionContract:
    mah = mah or organisation(100 + n, is_mah=True)
    cmo = cmo or organisation(200 + n, is_cmo=True)
    drug = Product.objects.create(
        ref=f"drug-{n}",
        kind="drug",
        holder=mah,
        name=f"注射用头孢曲松钠{n}",
        status="marketed",
        approval_number=f"国药准字H{n:08d}",
        dosage_form="注射剂",
        sterile=True,
    )
    obj = CommissionContract.objects.create(ref=f"ct-{n}", number=f"WT-{n:04d}", mah=mah, cmo=cmo)
    obj.products.add(drug)
    return obj


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _post_value(field, value):
    value = field.prepare_value(value)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _form_data(form, data: dict) -> None:
    for name, field in form.fields.items():
        value = form[name].value()
        if hasattr(value, "url") or (value is False and field.widget.input_type == "checkbox"):
            continue  # an unchanged file is not re-posted; an unticked box is absent
        if value is True:
            data[form.add_prefix(name)] = "on"
            continue
        data[form.add_prefix(name)] = _post_value(field, value)


def change_form_data(response) -> dict:
    """What a browser would post back from an admin change page, unchanged (main form and inlines)."""
    data: dict = {"_save": "1"}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    return data


def test_contract_status_is_not_an_input_and_explains_why(admin_client):
    obj = contract()
    page = admin_client.get(url(CommissionContract, "change", obj.pk)).content.decode()
    assert 'name="status"' not in page
    assert "草稿" in page
    assert "状态只读" in page


def test_posting_a_contract_status_does_not_change_it(admin_client):
    obj = contract()
    QualityAgreement.objects.create(ref="qa-1", contract=obj)
    page = admin_client.get(url(CommissionContract, "change", obj.pk))
    assert "quality_agreements-0-status" not in page.content.decode()  # read-only in the inline too
    data = change_form_data(page)
    data["number"] = "WT-0001-修订"
    data["status"] = ContractStatus.IN_FORCE
    data["quality_agreements-0-status"] = ContractStatus.TERMINATED

    response = admin_client.post(url(CommissionContract, "change", obj.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
    assert obj.number == "WT-0001-修订"  # the post was accepted…
    assert obj.status == ContractStatus.DRAFT  # …and the status ignored
    assert QualityAgreement.objects.get(ref="qa-1").status == ContractStatus.DRAFT


def test_posting_a_quality_agreement_status_does_not_change_it(admin_client):
    agreement = QualityAgreement.objects.create(ref="qa-1", contract=contract())
    page = admin_client.get(url(QualityAgreement, "change", agreement.pk))
    content = page.content.decode()
    assert 'name="status"' not in content
    assert "状态只读" in content
    data = change_form_data(page)
    data["document_version"] = "2.0"
    data["status"] = ContractStatus.IN_FORCE

    response = admin_client.post(url(QualityAgreement, "change", agreement.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement.refresh_from_db()
    assert agreement.document_version == "2.0"
    assert agreement.status == ContractStatus.DRAFT


def test_a_contract_added_in_the_admin_starts_as_a_draft(admin_client):
    mah = organisation(1, is_mah=True)
    cmo = organisation(2, is_cmo=True)
    drug = Product.objects.create(
        ref="d-1", kind="drug", holder=mah, name="片剂", status="marketed", dosage_form="片剂"
    )
    data = {
        "ref": "ct-new",
        "number": "WT-NEW",
        "mah": mah.pk,
        "cmo": cmo.pk,
        "products": [drug.pk],
        "status": ContractStatus.IN_FORCE,
        "quality_agreements-TOTAL_FORMS": "0",
        "quality_agreements-INITIAL_FORMS": "0",
        "tech_transfers-TOTAL_FORMS": "0",
        "tech_transfers-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url(CommissionContract, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert CommissionContract.objects.get(ref="ct-new").status == ContractStatus.DRAFT


def test_contract_page_links_agreements_and_shows_tech_transfers(admin_client):
    obj = contract()
    agreement = QualityAgreement.objects.create(ref="qa-1", contract=obj)
    page = admin_client.get(url(CommissionContract, "change", obj.pk)).content.decode()
    assert url(QualityAgreement, "change", agreement.pk) in page
    assert 'id="tech_transfers-group"' in page


def test_quality_agreement_page_has_its_four_inlines(admin_client):
    agreement = QualityAgreement.objects.create(ref="qa-1", contract=contract())
    page = admin_client.get(url(QualityAgreement, "change", agreement.pk)).content.decode()
    for prefix in ("responsibilities", "communications", "resident_staff", "attachments"):
        assert f'id="{prefix}-group"' in page, prefix


def test_uploaded_attachment_gets_its_sha256_which_cannot_be_typed(admin_client):
    agreement = QualityAgreement.objects.create(ref="qa-1", contract=contract())
    content = b"%PDF-1.4 signed quality agreement"
    add_page = admin_client.get(url(AgreementAttachment, "add")).content.decode()
    assert 'name="sha256"' not in add_page

    response = admin_client.post(
        url(AgreementAttachment, "add"),
        {
            "agreement": agreement.pk,
            "title": "签字版",
            "file": SimpleUploadedFile("qa.pdf", content),
            "sha256": "f" * 64,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert AgreementAttachment.objects.get().sha256 == hashlib.sha256(content).hexdigest()


def test_attachment_uploaded_in_the_agreement_inline_gets_its_sha256(admin_client):
    agreement = QualityAgreement.objects.create(ref="qa-1", contract=contract())
    data = change_form_data(admin_client.get(url(QualityAgreement, "change", agreement.pk)))
    content = b"scan of page 1"
    data.update(
        {
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "扫描件",
            "attachments-0-file": SimpleUploadedFile("scan.pdf", content),
            "attachments-0-agreement": agreement.pk,
        }
    )

    response = admin_client.post(url(QualityAgreement, "change", agreement.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert agreement.attachments.get().sha256 == hashlib.sha256(content).hexdigest()


def test_contract_changelist_queries_do_not_grow_with_rows(admin_client):
    changelist = url(CommissionContract, "changelist")
    for n in range(1, 3):
        contract(n)
    admin_client.get(changelist)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(changelist).status_code == 200
    for n in range(3, 20):
        contract(n)
    with CaptureQueriesContext(connection) as many:
        page = admin_client.get(changelist)
    assert page.status_code == 200
    assert "WT-0019" in page.content.decode()
    assert len(many) == len(few)


def test_contract_changelist_is_labelled_in_chinese(admin_client):
    contract()
    content = admin_client.get(url(CommissionContract, "changelist")).content.decode()
    for label in ("委托生产协议", "合同编号", "委托方（持有人/注册人）", "受托方", "状态", "草稿"):
        assert label in content, label


def test_person_autocomplete_serves_the_link_person_field(admin_client):
    cmo = organisation(2, is_cmo=True)
    Person.objects.create(ref="p-1", organisation=cmo, name="王五")
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "王", "app_label": "contracts", "model_name": "qualityagreement", "field_name": "cmo_link_person"},
    )
    assert found.status_code == 200
    assert [r["text"] for r in found.json()["results"]] == ["王五（企业2有限公司）"]
