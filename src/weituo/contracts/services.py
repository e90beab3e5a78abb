"""Every write of the contracts app: contracts and agreements, their status transitions, the
structured agreement's rows, and files kept beside it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy

from weituo.access.parties import require_writer, writes_for, writes_for_contract
from weituo.core.actors import Actor
from weituo.core.errors import PermissionDenied
from weituo.core.i18n import detail, messages, validation_failed
from weituo.core.roles import Side
from weituo.integrity import writes
from weituo.integrity.stored_files import sha256_of, upload_problems
from weituo.integrity.writes import record_create, record_update
from weituo.registry.models import Organisation

from .choices import CONTRACT_TRANSITIONS, ContractStatus
from .models import AgreementAttachment, CommissionContract, CommunicationItem, QualityAgreement, ResponsibilityItem

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = {".pdf", ".docx", ".doc", ".xlsx", ".jpg", ".jpeg", ".png", ".ofd"}


@transaction.atomic
def contract_create(
    *, actor: Actor, mah: Organisation, cmo: Organisation, products: list, lines: list | None = None, **fields: Any
) -> CommissionContract:
    """A party drafts a contract; it enters into force through ``contract_change_status``. The products
    must be the MAH's and the lines the CMO's, since the policy would hide any other from the parties."""
    if fields.get("status", ContractStatus.DRAFT) != ContractStatus.DRAFT:
        raise ValueError("a contract is created as a draft")
    _require_party(actor, mah, cmo)
    lines = lines or []
    problems = [
        detail(
            gettext_lazy("product %(ref)s is not held by the MAH %(ref2)s"),
            ref=p.ref,
            ref2=mah.ref,
            field="products",
        )
        for p in products
        if p.holder_id != mah.pk
    ] + [
        detail(gettext_lazy("line %(ref)s is not the CMO %(ref2)s's"), ref=line.ref, ref2=cmo.ref, field="lines")
        for line in lines
        if line.workshop.site.organisation_id != cmo.pk
    ]
    if not products:
        problems.append(detail(gettext_lazy("a contract commissions at least one product"), field="products"))
    if problems:
        raise validation_failed(problems, what=gettext_lazy("contract"))
    return record_create(
        actor=actor, model=CommissionContract, mah=mah, cmo=cmo, products=products, lines=lines, **fields
    )


def _change_status(
    actor: Actor, instance: CommissionContract | QualityAgreement, to: str, on: dt.date | None, reason: str
) -> None:
    fields: dict[str, Any] = {}
    if to == ContractStatus.IN_FORCE and on and not instance.effective_from:
        fields["effective_from"] = on
    if to == ContractStatus.TERMINATED:
        fields["terminated_on"] = on
    writes.transition(actor, instance, CONTRACT_TRANSITIONS, to, reason=reason, **fields)


@transaction.atomic
def contract_change_status(
    *, actor: Actor, contract: CommissionContract, to: str, on: dt.date | None = None, reason: str = ""
) -> CommissionContract:
    """Bring a contract into force or terminate it (art. 20: cancellation is due within 6 months of the date)."""
    _require_party(actor, contract.mah, contract.cmo)
    contract = CommissionContract.objects.select_for_update().get(pk=contract.pk)
    _change_status(actor, contract, to, on, reason)
    if to == ContractStatus.TERMINATED:
        for agreement in contract.quality_agreements.exclude(status=ContractStatus.TERMINATED):
            _change_status(actor, agreement, ContractStatus.TERMINATED, on, reason or "contract terminated")
    return contract


@transaction.atomic
def quality_agreement_change_status(
    *, actor: Actor, agreement: QualityAgreement, to: str, on: dt.date | None = None, reason: str = ""
) -> QualityAgreement:
    agreement = QualityAgreement.objects.select_for_update().get(pk=agreement.pk)
    if to == ContractStatus.IN_FORCE and agreement.contract.status != ContractStatus.IN_FORCE:
        raise validation_failed(
            [detail(gettext_lazy("the commission contract is not in force"), field="status")],
            what=gettext_lazy("quality agreement"),
        )
    _change_status(actor, agreement, to, on, reason)
    return agreement


def quality_agreement_create(*, actor: Actor, **fields: Any) -> QualityAgreement:
    if fields.get("status", ContractStatus.DRAFT) != ContractStatus.DRAFT:
        raise ValueError("an agreement is created as a draft")
    return record_create(actor=actor, model=QualityAgreement, **fields)


def quality_agreement_update(*, actor: Actor, agreement: QualityAgreement, **fields: Any) -> QualityAgreement:
    return record_update(actor=actor, instance=agreement, **fields)


@transaction.atomic
def responsibility_set(
    *, actor: Actor, agreement: QualityAgreement, activity: str, **fields: Any
) -> ResponsibilityItem:
    """Assign an activity of the responsibility matrix (one row per activity)."""
    item = ResponsibilityItem.objects.filter(agreement=agreement, activity=activity).first()
    if item is None:
        return record_create(actor=actor, model=ResponsibilityItem, agreement=agreement, activity=activity, **fields)
    return record_update(actor=actor, instance=item, **fields)


@transaction.atomic
def communication_item_set(
    *, actor: Actor, agreement: QualityAgreement, category: str, **fields: Any
) -> CommunicationItem:
    """Set one category of the communication list: contacts, channel, time limit."""
    item = CommunicationItem.objects.filter(agreement=agreement, category=category).first()
    if item is None:
        return record_create(actor=actor, model=CommunicationItem, agreement=agreement, category=category, **fields)
    return record_update(actor=actor, instance=item, **fields)


@transaction.atomic
def agreement_attachment_add(
    *, actor: Actor, agreement: QualityAgreement, title: str, file: UploadedFile
) -> AgreementAttachment:
    """Keep a file beside the structured agreement, refusing types and sizes a reviewer could not use;
    only the two parties may, as for every edit of the agreement."""
    agreement_require_editor(actor=actor, agreement=agreement)
    problems = upload_problems(file, types=ATTACHMENT_TYPES, max_bytes=ATTACHMENT_MAX_BYTES)
    if problems:
        raise validation_failed(problems, what=gettext_lazy("attachment"))
    attachment = AgreementAttachment(agreement=agreement, title=title, file=file, sha256=sha256_of(file))
    return writes.create(actor, attachment)


def agreement_require_editor(*, actor: Actor, agreement: QualityAgreement) -> None:
    """Refuse (``PermissionDenied``) anyone but a writer of the MAH or of the CMO of the contract, and
    everyone once the agreement is terminated. The edit services call it; a page may call it first to
    refuse an edit form."""
    require_writer(actor)
    if not writes_for_contract(actor, agreement.contract):
        raise PermissionDenied(
            code="not_a_party",
            **messages(
                gettext_lazy("only the MAH and the CMO of this commission contract may change its quality agreement")
            ),
        )
    if agreement.status == ContractStatus.TERMINATED:
        raise PermissionDenied(
            code="agreement_terminated",
            **messages(gettext_lazy("the quality agreement is terminated and cannot be changed")),
        )


@transaction.atomic
def communication_item_edit(
    *, actor: Actor, agreement: QualityAgreement, category: str, reason: str = "", **fields: Any
) -> CommunicationItem:
    """A party's change to one row of the communication list (``communication_item_set``, ledgered
    with the reason given), refused to anyone who is not a writer of the MAH or the CMO."""
    agreement_require_editor(actor=actor, agreement=agreement)
    return communication_item_set(actor=actor, agreement=agreement, category=category, reason=reason, **fields)


@transaction.atomic
def responsibility_edit(
    *, actor: Actor, agreement: QualityAgreement, activity: str, reason: str = "", **fields: Any
) -> ResponsibilityItem:
    """A party's change to one row of the responsibility matrix (``responsibility_set``), as above."""
    agreement_require_editor(actor=actor, agreement=agreement)
    return responsibility_set(actor=actor, agreement=agreement, activity=activity, reason=reason, **fields)


# --- checked entry points for users (the web and the API) -------------------------------------------


def _require_party(actor: Actor, mah: Organisation, cmo: Organisation) -> None:
    """A writer of the MAH (on the MAH side) or of the CMO (on the CMO side), or the platform."""
    if not (writes_for(actor, mah.pk, Side.MAH) or writes_for(actor, cmo.pk, Side.CMO)):
        raise PermissionDenied(
            code="not_a_party",
            **messages(gettext_lazy("only the MAH and the CMO of the commission contract may do this")),
        )
