"""Every write of the batches app: batches, their release package, and the two-step release.

Release (Notice 2025-134 art. 12; device notice 2024-38 art. 8)
----------------------------------------------------------------
1. **Factory release** (出厂放行; for a device: production release, 生产放行) by a QP of the
   contract's CMO (role ``cmo_qp`` in that organisation), once the release package is complete
   (a batch production record, a batch test record, structured results all passing, a deviation
   record for each deviation of the batch) and no deviation or OOS/OOT event of the batch is open.
   The package is then frozen: its digest is in the signed decision, so the MAH reviews exactly
   what the CMO released ("一并提交持有人").
2. **Market release** (上市放行) by a QP of the holder of the product (role ``mah_qp`` in the MAH or
   device registrant that holds it), after the factory release, refused likewise while a deviation
   or OOS/OOT event of the batch is open.

Devices: the device notice art. 8 has the registrant review "受托生产企业生产放行文件", the CMO's
production-release documents, so the CMO's step is required for devices too; and "产品上市放行应当
由注册人自行完成，不得委托其他企业" — the market release is only ever the registrant's own QP's,
whatever an agreement says.

Only a QP releases, and only as themself: there is no parameter to bypass a check or to release for
someone else; a platform admin or a system job cannot release. Each release is an electronic
signature (meaning "released", password re-entered) on an immutable ``ReleaseDecision``.

Every attempt is in the ledger. A successful one: the decision's ``create``, the ``sign`` entry,
the batch's ``transition``. A refused one (not a QP, a blocker, a wrong password, a stale copy,
already released, a signing session older than ``WEITUO_SIGNING_WINDOW_SECONDS``): one
``release_refused`` entry on the batch, written in its own transaction after the refused one rolled
back, so the record of the refusal survives the refusal. For that, call the release services outside
any transaction of your own (as the web and the API do).
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import writes_for
from weituo.contracts.models import CommissionContract
from weituo.core.actors import Actor
from weituo.core.errors import ApplicationError, InvalidTransition, PermissionDenied
from weituo.core.i18n import detail, messages, validation_failed
from weituo.core.roles import Side
from weituo.core.validation import validate
from weituo.integrity import writes
from weituo.integrity.actions import LedgerAction
from weituo.integrity.models import Signature
from weituo.integrity.passwords import PasswordCheck, stored_password
from weituo.integrity.services import SignatureRefused, ledger_checkpoint_after, signature_apply
from weituo.integrity.stored_files import sha256_of, upload_problems
from weituo.registry.models import Line, Product

from .checks import package_digest, release_problems
from .choices import BATCH_TRANSITIONS, STATUS_AFTER, BatchStatus, ReleaseStep
from .hooks import batch_created
from .models import Batch, ReleaseDecision, ReleaseDocument, TestResult
from .permissions import is_release_qp, next_release_step, releaser, step_name
from .signing import signing_window, started_at

DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
DOCUMENT_TYPES = frozenset({".pdf", ".ofd", ".docx", ".doc", ".xlsx", ".xls", ".csv", ".xml", ".jpg", ".jpeg", ".png"})


class ReleaseBlocked(InvalidTransition):
    """A release refused because of what is still open or missing (every reason is in ``details``)."""


# --- batches and their package -------------------------------------------------------------------


def _require_cmo_writer(actor: Actor, contract: CommissionContract) -> None:
    if not writes_for(actor, contract.cmo_id, Side.CMO):
        raise PermissionDenied(
            code="not_the_cmo",
            **messages(gettext_lazy("only the CMO of the contract records its batches and their release package")),
        )


def _new_ref() -> str:
    return f"B-{timezone.now():%Y%m%d}-{secrets.token_hex(4).upper()}"


@transaction.atomic
def batch_create(
    *,
    actor: Actor,
    contract: CommissionContract,
    product: Product,
    line: Line,
    number: str,
    ref: str | None = None,
    **fields: Any,
) -> Batch:
    """A batch made by the contract's CMO (``manufactured_on``, ``expiry_on``, ``quantity``,
    ``quantity_unit``, optionally ``theoretical_quantity``); the batch number is unique per product."""
    if not policy.visible(actor, CommissionContract).filter(pk=contract.pk).exists():
        raise writes.not_found(CommissionContract, contract.ref)
    _require_cmo_writer(actor, contract)
    if fields.get("status", BatchStatus.IN_PRODUCTION) != BatchStatus.IN_PRODUCTION:
        raise ValueError("a batch is created awaiting release; it changes status only by release")
    batch = Batch(ref=ref or _new_ref(), contract=contract, product=product, line=line, number=number, **fields)
    writes.create(actor, batch)
    batch_created(actor=actor, batch=batch)  # art. 11: quality's duties for the batches after a major change
    return batch


def _lock_open_package(actor: Actor, batch: Batch) -> Batch:
    batch = writes.lock(actor, batch)
    _require_cmo_writer(actor, batch.contract)
    if batch.status != BatchStatus.IN_PRODUCTION:
        raise InvalidTransition(
            code="package_frozen",
            **messages(
                gettext_lazy("batch %(number)s is %(status)s: its release package can no longer change"),
                number=batch.number,
                status=batch.get_status_display,
            ),
            details=[detail(gettext_lazy("the release package is frozen"), field="status")],
        )
    return batch


@transaction.atomic
def release_document_add(
    *, actor: Actor, batch: Batch, kind: str, title: str, file: UploadedFile, event=None
) -> ReleaseDocument:
    """Add a file to the release package, with its SHA-256. Every problem (type, size, kind, the
    deviation it records) is reported at once and nothing is written — no row, no file."""
    batch = _lock_open_package(actor, batch)
    problems = upload_problems(file, types=DOCUMENT_TYPES, max_bytes=DOCUMENT_MAX_BYTES)
    if problems:
        raise validation_failed(problems, what=gettext_lazy("release document"))
    document = ReleaseDocument(
        batch=batch,
        kind=kind,
        title=title,
        file=file,
        sha256=sha256_of(file),
        size=file.size,
        event=event,
        added_by_id=None if actor.system else actor.user_id,
    )
    validate(document)  # before save: the file is written to storage only by save()
    writes.create(actor, document)
    writes.change(actor, batch, reason=f"release document {kind}: {title}")  # the package changed: new version
    return document


@transaction.atomic
def batch_result_add(
    *, actor: Actor, batch: Batch, test_name: str, specification: str, result: str, passed: bool
) -> TestResult:
    """Add one structured result of the batch test record."""
    batch = _lock_open_package(actor, batch)
    row = TestResult(
        batch=batch,
        test_name=test_name,
        specification=specification,
        result=result,
        passed=passed,
        entered_by_id=None if actor.system else actor.user_id,
    )
    writes.create(actor, row)
    writes.change(actor, batch, reason=f"test result {test_name}")
    return row


# --- the release ---------------------------------------------------------------------------------


def _require_qp(actor: Actor, batch: Batch, step: str) -> None:
    """Only a QP of the right organisation: the CMO's for the factory step, the product holder's
    (MAH or device registrant) for the market step. No admin or system exception."""
    who = releaser(batch, step)
    if not is_release_qp(actor, batch, step):
        raise PermissionDenied(
            code="not_qp",
            **messages(
                gettext_lazy("the %(step)s may only be signed by %(who)s"), step=step_name(batch, step), who=who
            ),
            details=[detail(gettext_lazy("must be %(who)s"), who=who, field="actor")],
        )


def _require_not_released(batch: Batch, step: str) -> None:
    decision = batch.decisions.filter(step=step).first()
    if decision is not None:
        user = get_user_model().objects.get(pk=decision.decided_by_id)
        name = user.get_full_name() or user.get_username()
        when = timezone.localtime(decision.decided_at).strftime("%Y-%m-%d %H:%M")
        raise InvalidTransition(
            code="already_released",
            **messages(
                gettext_lazy(
                    "batch %(number)s was already given its %(step)s by %(name)s at %(when)s; it cannot be signed again"
                ),
                number=batch.number,
                step=step_name(batch, step),
                name=name,
                when=when,
            ),
            details=[detail(gettext_lazy("already released"), field="status")],
        )
    if batch.status == BatchStatus.REJECTED:
        raise InvalidTransition(
            code="batch_rejected",
            **messages(gettext_lazy("batch %(number)s was rejected"), number=batch.number),
            details=[detail(gettext_lazy("rejected"), field="status")],
        )


def _check_release(actor: Actor, batch: Batch, step: str) -> None:
    _require_qp(actor, batch, step)
    _require_not_released(batch, step)
    problems = release_problems(batch, step)
    if problems:
        raise ReleaseBlocked(
            code="release_blocked",
            **messages(
                gettext_lazy("batch %(number)s cannot be given its %(step)s: %(count)d problem(s)"),
                number=batch.number,
                step=step_name(batch, step),
                count=len(problems),
            ),
            details=problems,
        )


def _reauthenticate(actor: Actor, password: str, check_password: PasswordCheck) -> None:
    """Check the signer's password before the release transaction, so that a failure counts toward
    the login lockout (django-axes records it in the database: inside the release transaction, which
    rolls back on refusal, the record of the failure would be lost). Same checks as
    ``integrity.services.signature_apply``, which checks again when it signs."""
    if actor.system or actor.user_id is None:
        why = gettext_lazy("a system job cannot sign")
    else:
        user = get_user_model().objects.filter(pk=actor.user_id, is_active=True).first()
        if user is None:
            why = gettext_lazy("account inactive: signature refused")
        else:
            if check_password(user, password):
                return
            why = gettext_lazy("wrong password: signature refused")
    raise SignatureRefused(code="signature_refused", **messages(why), details=[detail(why, field="password")])


def _require_fresh_session(actor: Actor, batch: Batch, step: str, signing_token: str) -> None:
    """The signer reviewed the package in the session of ``signing_token`` (``batches.signing``); past
    the signing window that review is stale (the package or its blockers may have changed since), so
    the signer must look again before signing. Enforced here for every face."""
    window = signing_window()
    if timezone.now() - started_at(signing_token, actor, batch, step) <= window:
        return
    minutes = f"{window.total_seconds() / 60:g}"
    why = gettext_lazy(
        "the signing page expired after %(minutes)s minutes: review the package again and re-enter your password"
    )
    raise SignatureRefused(
        code="signing_expired",
        **messages(why, minutes=minutes),
        details=[detail(why, minutes=minutes, field="signing_token")],
    )


def _release(
    actor: Actor,
    batch: Batch,
    step: str,
    password: str,
    reason: str,
    signing_token: str,
    check_password: PasswordCheck,
    expected_version: int | None,
) -> ReleaseDecision:
    try:
        # 1. refuse early, without asking for the password: not a QP, released already, blockers
        with transaction.atomic():
            _check_release(actor, writes.lock(actor, batch, expected_version=expected_version), step)
        # 1b. an expired signing session, before the password is checked (so it does not count toward the lockout)
        _require_fresh_session(actor, batch, step, signing_token)
        # 2. the password, outside any transaction (see _reauthenticate)
        _reauthenticate(actor, password, check_password)
        # 3. again under the lock (someone may have raised a deviation meanwhile), then sign and release
        with transaction.atomic():
            locked = writes.lock(actor, batch, expected_version=expected_version)
            _check_release(actor, locked, step)
            now = timezone.now()
            decision = writes.create(
                actor,
                ReleaseDecision(
                    batch=locked,
                    step=step,
                    decided_by_id=actor.user_id,
                    decided_at=now,
                    package_digest=package_digest(locked),
                ),
                reason=reason,
            )
            signature_apply(
                actor=actor, record=decision, meaning=Signature.Meaning.RELEASED, password=password, reason=reason
            )
            prefix = "factory" if step == ReleaseStep.FACTORY else "market"
            writes.transition(
                actor,
                locked,
                BATCH_TRANSITIONS,
                STATUS_AFTER[step],
                reason=reason,
                **{f"{prefix}_released_at": now, f"{prefix}_released_by_id": actor.user_id},
            )
            # A signed checkpoint at each release (DESIGN.md), once it has committed; it never raises.
            transaction.on_commit(partial(ledger_checkpoint_after, record=decision))
            return decision
    except ApplicationError as refused:
        writes.note(
            actor,
            batch,
            LedgerAction.RELEASE_REFUSED,
            {
                "step": step,
                "code": refused.code,
                "why": refused.message_en,
                "details": [d.message_en for d in refused.details],
            },
            reason=reason,
        )
        raise


def batch_factory_release(
    *,
    actor: Actor,
    batch: Batch,
    password: str,
    signing_token: str,
    reason: str = "",
    check_password: PasswordCheck = stored_password,
    expected_version: int | None = None,
) -> ReleaseDecision:
    """The CMO's QP signs the factory (device: production) release; see the module docstring.
    ``signing_token``: the session in which the QP was shown the package (``batch_signing_open``),
    refused once older than the signing window; ``check_password``: how the face confirms the signer."""
    return _release(
        actor, batch, ReleaseStep.FACTORY, password, reason, signing_token, check_password, expected_version
    )


def batch_market_release(
    *,
    actor: Actor,
    batch: Batch,
    password: str,
    signing_token: str,
    reason: str = "",
    check_password: PasswordCheck = stored_password,
    expected_version: int | None = None,
) -> ReleaseDecision:
    """The MAH's (device: the registrant's) QP signs the market release; see the module docstring."""
    return _release(actor, batch, ReleaseStep.MARKET, password, reason, signing_token, check_password, expected_version)


@transaction.atomic
def batch_reject(*, actor: Actor, batch: Batch, reason: str, expected_version: int | None = None) -> Batch:
    """The QP whose step is next decides not to release the batch (the CMO's before factory release,
    the holder's after it), with the reason."""
    batch = writes.lock(actor, batch, expected_version=expected_version)
    step = next_release_step(batch) or ReleaseStep.MARKET  # a released or rejected batch: the transition refuses
    _require_qp(actor, batch, step)
    if not (reason or "").strip():
        raise validation_failed([detail(gettext_lazy("a batch not released needs the reason why"), field="reason")])
    return writes.transition(
        actor,
        batch,
        BATCH_TRANSITIONS,
        BatchStatus.REJECTED,
        reason=reason,
        rejected_at=timezone.now(),
        rejected_by_id=actor.user_id,
        rejection_reason=reason.strip(),
    )
