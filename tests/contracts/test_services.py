"""Contract services: status only along the transition table, attachments checked."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.exchange.dataset import load_mini
from weituo.contracts import services
from weituo.contracts.models import CommissionContract, QualityAgreement
from weituo.contracts.selectors import contract_get, missing_communication_categories
from weituo.core.actors import system_actor
from weituo.core.errors import InvalidTransition, ValidationFailed
from weituo.registry.models import Organisation, Product

SYSTEM = system_actor("tests")

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_mini()


def test_contract_lifecycle_draft_in_force_terminated(mini):
    contract = services.contract_create(
        actor=SYSTEM,
        ref="CON-2",
        number="WT-2026-9",
        mah=Organisation.objects.get(ref="ORG-MAH2"),
        cmo=Organisation.objects.get(ref="ORG-CMO"),
        products=[Product.objects.get(ref="P-2")],
        signed_on=dt.date(2026, 3, 1),
    )
    assert contract.status == "draft"
    services.contract_change_status(actor=SYSTEM, contract=contract, to="in_force", on=dt.date(2026, 3, 2))
    contract.refresh_from_db()
    assert (contract.status, contract.effective_from) == ("in_force", dt.date(2026, 3, 2))
    with pytest.raises(InvalidTransition):
        services.contract_change_status(actor=SYSTEM, contract=contract, to="draft")


def test_terminating_a_contract_terminates_its_agreements_and_needs_a_date(mini):
    contract = CommissionContract.objects.get(ref="CON-1")
    with pytest.raises(ValidationFailed) as excinfo:
        services.contract_change_status(actor=SYSTEM, contract=contract, to="terminated", on=None)
    assert excinfo.value.details[0].field == "terminated_on"
    assert CommissionContract.objects.get(ref="CON-1").status == "in_force"
    services.contract_change_status(actor=SYSTEM, contract=contract, to="terminated", on=dt.date(2026, 6, 30))
    assert QualityAgreement.objects.get(ref="QA-1").status == "terminated"
    with pytest.raises(InvalidTransition):
        services.contract_change_status(actor=SYSTEM, contract=contract, to="in_force")


def test_agreement_cannot_enter_force_before_its_contract(mini):
    contract = services.contract_create(
        actor=SYSTEM,
        ref="CON-3",
        number="WT-2026-10",
        mah=Organisation.objects.get(ref="ORG-MAH2"),
        cmo=Organisation.objects.get(ref="ORG-CMO"),
        products=[Product.objects.get(ref="P-2")],
    )
    agreement = services.quality_agreement_create(actor=SYSTEM, ref="QA-3", contract=contract)
    with pytest.raises(ValidationFailed):
        services.quality_agreement_change_status(
            actor=SYSTEM, agreement=agreement, to="in_force", on=dt.date(2026, 3, 1)
        )


def test_communication_list_rows_and_missing_art7_categories(mini):
    agreement = QualityAgreement.objects.get(ref="QA-1")
    assert len(missing_communication_categories(actor=SYSTEM, agreement=agreement)) == 7
    services.communication_item_set(
        actor=SYSTEM, agreement=agreement, category="change", channel="email", time_limit=24, time_unit="hours"
    )
    with pytest.raises(ValidationFailed) as excinfo:
        services.communication_item_set(actor=SYSTEM, agreement=agreement, category="oos_oot", time_limit=2)
    assert excinfo.value.details[0].field == "time_unit"
    assert len(missing_communication_categories(actor=SYSTEM, agreement=agreement)) == 6


def test_responsibility_matrix_revalidation_needs_a_period(mini):
    agreement = QualityAgreement.objects.get(ref="QA-1")
    with pytest.raises(ValidationFailed):
        services.responsibility_set(
            actor=SYSTEM, agreement=agreement, activity="revalidation", party="cmo", period_months=None
        )
    item = services.responsibility_set(actor=SYSTEM, agreement=agreement, activity="complaints", party="mah")
    assert item.get_party_display().startswith("持有人")


def test_attachment_type_size_and_digest(mini):
    agreement = QualityAgreement.objects.get(ref="QA-1")
    content = b"%PDF-1.7 signed agreement"
    attachment = services.agreement_attachment_add(
        actor=SYSTEM, agreement=agreement, title="签字版", file=SimpleUploadedFile("qa.pdf", content)
    )
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_attachment_add(
            actor=SYSTEM, agreement=agreement, title="x", file=SimpleUploadedFile("a.exe", b"MZ")
        )
    assert ".exe" in excinfo.value.details[0].message_en
    assert agreement.attachments.count() == 1
    with pytest.raises(ValidationFailed):  # an empty file is refused too
        services.agreement_attachment_add(
            actor=SYSTEM, agreement=agreement, title="x", file=SimpleUploadedFile("b.pdf", b"")
        )
    assert agreement.attachments.count() == 1


def test_only_the_parties_attach_a_file_to_their_agreement(mini):
    """A QA of another MAH (ORG-MAH2 shares the CMO's line, not this contract) may not attach a file."""
    from weituo.accounts.selectors import actor_for_user
    from weituo.accounts.services import user_create
    from weituo.core.errors import PermissionDenied

    user = user_create(actor=SYSTEM, username="he.ping", full_name="何平", email="he@example.cn",
                       password="long enough pw 42", role="mah_qa", organisation=Organisation.objects.get(ref="ORG-MAH2"),
                       since=dt.date(2024, 1, 1))  # fmt: skip
    agreement = QualityAgreement.objects.get(ref="QA-1")
    with pytest.raises(PermissionDenied):
        services.agreement_attachment_add(
            actor=actor_for_user(user), agreement=agreement, title="x", file=SimpleUploadedFile("qa.pdf", b"%PDF-1.7 x")
        )
    assert agreement.attachments.count() == 0


def test_contract_get_reads_in_a_fixed_number_of_queries(mini, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        contract = contract_get(actor=SYSTEM, ref="CON-1")
        agreement = contract.quality_agreements.all()[0]
        rows = [(c.mah_contact, c.cmo_contact) for c in agreement.communications.all()]
        assert rows and list(agreement.responsibilities.all())


def test_a_writer_role_elsewhere_does_not_make_a_viewer_an_editor(mini):
    """A viewer at the contract's MAH who is QA at another MAH may not edit this contract's agreement."""
    from weituo.accounts.selectors import actor_for_user
    from weituo.accounts.services import membership_add, user_create
    from weituo.contracts.selectors import contract_may_edit
    from weituo.core.errors import PermissionDenied

    user = user_create(actor=SYSTEM, username="qian.yu", full_name="钱宇", email="qian@example.cn",
                       password="long enough pw 42", role="mah_viewer", organisation=Organisation.objects.get(ref="ORG-MAH"),
                       since=dt.date(2024, 1, 1))  # fmt: skip
    membership_add(actor=SYSTEM, user=user, role="mah_qa", organisation=Organisation.objects.get(ref="ORG-MAH2"),
                   since=dt.date(2024, 1, 1))  # fmt: skip
    actor = actor_for_user(user)
    agreement = QualityAgreement.objects.get(ref="QA-1")  # between ORG-MAH and ORG-CMO
    assert not contract_may_edit(actor=actor, contract=agreement.contract)
    with pytest.raises(PermissionDenied):
        services.communication_item_edit(actor=actor, agreement=agreement, category="change", channel="email",
                                         time_limit=1, time_unit="working_days", reason="x")  # fmt: skip
