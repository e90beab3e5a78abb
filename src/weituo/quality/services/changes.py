"""Every write of change control between the MAH and the CMO (Notice 2025-134 art. 9, with art. 11
and the link to art. 8).

The life of a change
--------------------
``proposed`` → (both parties classified) ``classified`` → (the MAH's QA decides) ``approved`` or
``rejected`` → (the CMO implements) ``implemented`` → (the MAH closes) ``closed``; ``withdrawn`` by the
proposing party at any time before implementation. Status changes only through
``CHANGE_TRANSITIONS`` and ``writes.transition``; every write is ledgered in its transaction.

===========================  ===============================================================
action                       who
===========================  ===============================================================
propose                      a writer of either party of the contract
classify                     a writer of each party, for its own party: class, regulatory path
                             and rationale; revisable until the MAH decides
decide (approve / reject)    the MAH's QA or head of quality (a named user), from classified
record the filing            a writer of the MAH (the applicant before the regulator)
implement                    a writer of the CMO
close                        a writer of the MAH, after implementation
withdraw                     a writer of the proposing party, before implementation
===========================  ===============================================================

Classification (art. 9: "委托双方关于变更类别未达成一致的，应当按照较高级别进行变更管理"): each
party records its own class (major/moderate/minor) and regulatory path (approval/filing/report);
once both have, the governing class is the higher of the two classes and the governing path the
higher of the two paths, each taken separately (a party may rank the class higher and the other the
path). A revision before the decision recomputes them; the ledger keeps every classification.

When may the CMO implement? Our reading of art. 9 and of the rules on post-approval changes
(《药品上市后变更管理办法（试行）》, the "变更管理 rules"):

* never before the MAH approved it (art. 9: "涉及受托生产产品的相关变更，未经持有人批准，不得擅自实施");
* on the **approval** path (重大变更, 审批类): only after the regulator's approval is recorded
  (filing status ``accepted``) — a prior-approval supplement is implemented once approved; a
  refused application is never implemented;
* on the **filing** path (中等变更, 备案类): only once it was filed with the regulator (filing status
  ``submitted`` or ``accepted``) — a filing change is filed before it is implemented, it does not
  wait for a decision;
* on the **report** path (微小变更, 报告类): at once after the MAH's approval; it goes into the annual
  report afterwards.

The implementation date cannot be in the future, nor before the MAH's approval or before the
regulatory step it waited for (a date earlier than those would record an implementation the text
forbids).

Art. 11 ("重大变更获批实施后生产的最初三批次产品，委托双方均应当对相关制剂产品开展留样及持续稳定性考察"):
a change whose governing class is major obliges, once implemented, both parties (or the one the
agreement names under the same-group or electronic-data-exchange exception, see
``events.art11_obligations``) to retained samples and ongoing stability of the first three batches
(``regulation.batches_after_major_change``) of each product of the change made under the change's contract on or
after the implementation date (by manufacturing date, then by registration). Batches that exist at
implementation get their duties then; later ones when they are registered
(``obligations_for_new_batch``, called by ``batches.services.batch_create``). A duty is never
withdrawn: a batch registered late with an earlier manufacturing date may push a batch out of the
first three, which keeps its duty (more samples, never fewer).

Art. 8 link: a change naming a line on which more than one product is made (``LineProduct``) starts
a shared-line assessment of that line (``shared_line.assessment_start``), with trigger
``formula_or_process_change`` unless the proposer names another of art. 8's change triggers. The
actor is the proposer: they act for a party of a contract with the line's CMO, and the ledger then
says who set the assessment off. The assessment is the CMO's to conduct.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import is_qa_of, organisation_of, party_of, refuse, require_party, require_user, user_id
from weituo.batches.models import Batch
from weituo.contracts.models import CommissionContract
from weituo.core.actors import Actor
from weituo.core.errors import ErrorDetail, InvalidTransition
from weituo.core.i18n import bounded, detail, in_language, messages, pick, stored_text, validation_failed
from weituo.core.ids import new_ref
from weituo.core.roles import Party
from weituo.core.transitions import check_transition
from weituo.core.validation import required_text
from weituo.integrity import writes
from weituo.integrity.writes import record_create
from weituo.registry.models import Line, LineProduct, Product

from ..choices import (
    CHANGE_CLASS_RANK,
    CHANGE_TRANSITIONS,
    FILING_TRANSITIONS,
    REGULATORY_PATH_RANK,
    ChangeClass,
    ChangeStatus,
    FilingStatus,
    RegulatoryPath,
    SharedLineTrigger,
)
from ..models import Change, RetentionObligation
from ..regulation import art11_citation, batches_after_major_change
from .events import agreement_in_force, art11_obligations
from .shared_line import assessment_start

# The triggers of art. 8 a change can be ("处方及生产工艺变更、设备设施变更或者发生其他重大变更").
CHANGE_TRIGGERS: frozenset[str] = frozenset(
    {
        SharedLineTrigger.FORMULA_OR_PROCESS_CHANGE,
        SharedLineTrigger.EQUIPMENT_CHANGE,
        SharedLineTrigger.OTHER_MAJOR_CHANGE,
    }
)

# The filing steps each regulatory path goes through (FILING_TRANSITIONS orders them).
FILING_STEPS: dict[str, frozenset[str]] = {
    RegulatoryPath.APPROVAL: frozenset({FilingStatus.SUBMITTED, FilingStatus.ACCEPTED, FilingStatus.REFUSED}),
    RegulatoryPath.FILING: frozenset({FilingStatus.SUBMITTED, FilingStatus.ACCEPTED}),
    RegulatoryPath.REPORT: frozenset({FilingStatus.IN_ANNUAL_REPORT}),
}

# The change has been decided by the MAH and not abandoned: the filing may be recorded.
FILING_RECORDABLE: frozenset[str] = frozenset({ChangeStatus.APPROVED, ChangeStatus.IMPLEMENTED, ChangeStatus.CLOSED})

# Implemented (and possibly closed since): the state in which a major change obliges new batches.
IMPLEMENTED_STATUSES: frozenset[str] = frozenset({ChangeStatus.IMPLEMENTED, ChangeStatus.CLOSED})


def _not_in_status(change: Change, code: str, message: Any, **params: Any) -> InvalidTransition:
    """The change's status does not allow this: ``message`` (a lazy gettext message, ``params``
    interpolated in each language) says why."""
    return InvalidTransition(
        code=code,
        **messages(
            gettext_lazy("change %(ref)s is %(status)s: %(reason)s"),
            ref=change.ref,
            status=change.get_status_display,
            reason=lambda: in_language(translation.get_language(), message, params),
        ),
        details=[detail(message, field="status", **params)],
    )


def _joined(problems: list[ErrorDetail]) -> str:
    """The problems' messages one after another, in the active language."""
    return pick("；".join(p.message_zh for p in problems), "; ".join(p.message_en for p in problems))


# --- proposing ----------------------------------------------------------------------------------------


def _visible_contract(actor: Actor, contract: CommissionContract) -> CommissionContract:
    if not policy.visible(actor, CommissionContract).filter(pk=contract.pk).exists():
        raise writes.not_found(CommissionContract, contract.ref)
    return contract


def _scope_problems(contract: CommissionContract, products: list[Product], lines: list[Line]) -> list[ErrorDetail]:
    commissioned = set(contract.products.values_list("pk", flat=True))
    problems = [
        detail(
            gettext_lazy("product %(ref)s is not commissioned by contract %(number)s"),
            ref=p.ref,
            number=contract.number,
            field="products",
        )
        for p in products
        if p.pk not in commissioned
    ]
    if not products:
        problems.append(detail(gettext_lazy("a change concerns at least one product"), field="products"))
    problems += [
        detail(
            gettext_lazy("line %(ref)s is not a line of the contract's CMO"),
            ref=line.ref,
            field="lines",
        )
        for line in lines
        if line.workshop.site.organisation_id != contract.cmo_id
    ]
    return problems


def shared_lines(lines: Iterable[Line]) -> list[Line]:
    """The lines on which more than one product is made (art. 8: shared-line production)."""
    ids = [line.pk for line in lines]
    counts: dict[int, set[int]] = {}
    for line_id, product_id in LineProduct.objects.filter(line_id__in=ids).values_list("line_id", "product_id"):
        counts.setdefault(line_id, set()).add(product_id)
    return [line for line in lines if len(counts.get(line.pk, ())) > 1]


def _start_assessments(actor: Actor, change: Change, lines: list[Line], trigger: str) -> list:
    """Art. 8: a shared-line assessment per shared line the change names, set off by the proposer.
    Its description, which every MAH on the line will read, names the trigger only."""
    targets = shared_lines(lines)
    if not targets:
        return []
    return [
        assessment_start(
            actor=actor,
            line=line,
            trigger=trigger,
            # Shown to every MAH with a product on the line: nothing of the change itself (its
            # title and text may be one holder's confidential information, art. 8 "可不显示").
            description=stored_text(
                gettext_lazy(
                    "%(trigger)s: a change of a commissioned product made on line %(line)s, started by change control"
                ),
                trigger=SharedLineTrigger(trigger).label,
                line=line.name,
            ),
            change=change,
        )
        for line in targets
    ]


@transaction.atomic
def change_propose(
    *,
    actor: Actor,
    contract: CommissionContract,
    products: list[Product],
    title: str,
    description: str,
    lines: list[Line] | None = None,
    trigger: str = SharedLineTrigger.FORMULA_OR_PROCESS_CHANGE,
    party: str | None = None,
    ref: str | None = None,
) -> Change:
    """Either party proposes a change of products of the contract (and, possibly, lines of its CMO).

    Naming a line on which more than one product is made starts a shared-line assessment of it
    (art. 8), with ``trigger`` one of art. 8's change triggers (``CHANGE_TRIGGERS``)."""
    _visible_contract(actor, contract)
    proposing = party_of(actor, contract, party)
    lines = list(dict.fromkeys(lines or []))
    products = list(dict.fromkeys(products))
    problems = []
    if not (title or "").strip():
        problems.append(detail(gettext_lazy("the change needs a title"), field="title"))
    if not (description or "").strip():
        problems.append(detail(gettext_lazy("describe the change and why it is made"), field="description"))
    if trigger not in CHANGE_TRIGGERS:
        problems.append(
            detail(
                gettext_lazy(
                    "trigger '%(trigger)s' is not one of art. 8's change triggers "
                    "(equipment_change, formula_or_process_change, other_major_change)"
                ),
                trigger=bounded(trigger),
                field="trigger",
            )
        )
    problems += _scope_problems(contract, products, lines)
    if problems:
        raise validation_failed(problems, what=gettext_lazy("change"))
    change = record_create(
        actor=actor,
        model=Change,
        ref=ref or new_ref("CHG"),
        contract=contract,
        products=products,
        lines=lines,
        title=title.strip(),
        description=description.strip(),
        proposed_by_party=proposing,
        proposed_by_id=user_id(actor),
        proposed_at=timezone.now(),
        acting_for=organisation_of(contract, proposing),
    )
    _start_assessments(actor, change, lines, trigger)
    return change


# --- classifying -----------------------------------------------------------------------------------


def governing(mah: str, cmo: str, rank: dict[str, int]) -> str:
    """Art. 9: the higher of the two parties' values ("按照较高级别")."""
    return max((mah, cmo), key=lambda v: rank[v])


@transaction.atomic
def change_classify(
    *,
    actor: Actor,
    change: Change,
    change_class: str,
    regulatory_path: str,
    rationale: str,
    party: str | None = None,
    expected_version: int | None = None,
) -> Change:
    """A party records its own class and regulatory path, with its rationale. Once both have, the
    higher of each governs and the change is ``classified`` (filing ``pending``); either may revise
    its own until the MAH decides. Every classification stays in the ledger."""
    change = writes.lock(actor, change, expected_version=expected_version)
    acting = party_of(actor, change.contract, party)
    if change.status not in (ChangeStatus.PROPOSED, ChangeStatus.CLASSIFIED):
        raise _not_in_status(
            change,
            "classification_closed",
            gettext_lazy("the MAH has decided (or the change was withdrawn): the classification can no longer change"),
        )
    problems = []
    if change_class not in ChangeClass.values:
        problems.append(
            detail(
                gettext_lazy("unknown change class '%(change_class)s' (major, moderate, minor)"),
                change_class=bounded(change_class),
                field="change_class",
            )
        )
    if regulatory_path not in RegulatoryPath.values:
        problems.append(
            detail(
                gettext_lazy("unknown regulatory path '%(path)s' (approval, filing, report)"),
                path=bounded(regulatory_path),
                field="regulatory_path",
            )
        )
    if not (rationale or "").strip():
        problems.append(detail(gettext_lazy("the classification needs its rationale"), field="rationale"))
    if problems:
        raise validation_failed(problems, what=gettext_lazy("the change classification"))
    fields = {
        f"{acting}_class": change_class,
        f"{acting}_path": regulatory_path,
        f"{acting}_rationale": rationale.strip(),
        f"{acting}_classified_by_id": user_id(actor),
        f"{acting}_classified_at": timezone.now(),
    }
    other = Party.CMO if acting == Party.MAH else Party.MAH
    other_class, other_path = getattr(change, f"{other}_class"), getattr(change, f"{other}_path")
    reason = stored_text(
        gettext_lazy("classified by the %(party)s: %(change_class)s/%(path)s"),
        party=Party(acting).label,
        change_class=change_class,
        path=regulatory_path,
    )
    if not other_class:
        return writes.change(
            actor, change, reason=reason, **fields, acting_for=organisation_of(change.contract, acting)
        )
    classes = {acting: change_class, other: other_class}
    paths = {acting: regulatory_path, other: other_path}
    fields["change_class"] = governing(classes[Party.MAH], classes[Party.CMO], CHANGE_CLASS_RANK)
    fields["regulatory_path"] = governing(paths[Party.MAH], paths[Party.CMO], REGULATORY_PATH_RANK)
    fields["filing_status"] = FilingStatus.PENDING
    if change.status == ChangeStatus.PROPOSED:
        return writes.transition(
            actor,
            change,
            CHANGE_TRANSITIONS,
            ChangeStatus.CLASSIFIED,
            reason=reason,
            **fields,
            acting_for=organisation_of(change.contract, acting),
        )
    return writes.change(actor, change, reason=reason, **fields, acting_for=organisation_of(change.contract, acting))


# --- the MAH's decision ----------------------------------------------------------------------------


@transaction.atomic
def change_decide(
    *, actor: Actor, change: Change, approve: bool, note: str, expected_version: int | None = None
) -> Change:
    """The MAH's QA or head of quality approves or rejects the classified change, with a note."""
    change = writes.lock(actor, change, expected_version=expected_version)
    require_user(actor, gettext_lazy("deciding on a change"))
    require_party(actor, change.contract, Party.MAH, gettext_lazy("approve or reject a change"))
    if not is_qa_of(actor, change.contract, Party.MAH):
        raise refuse(
            "mah_qa_required",
            gettext_lazy("a change is approved or rejected by the MAH's QA or head of quality"),
        )
    if change.status != ChangeStatus.CLASSIFIED:
        raise _not_in_status(
            change,
            "not_classified",
            gettext_lazy("only a change both parties have classified can be approved or rejected"),
        )
    note = required_text(note, "note", gettext_lazy("the decision needs a note"))
    return writes.transition(
        actor,
        change,
        CHANGE_TRANSITIONS,
        ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED,
        reason=note,
        decided_by_id=actor.user_id,
        decided_at=timezone.now(),
        decision_note=note,
        acting_for=organisation_of(change.contract, Party.MAH),
    )


# --- the regulatory step ---------------------------------------------------------------------------


@transaction.atomic
def change_filing_record(
    *,
    actor: Actor,
    change: Change,
    to: str,
    on: dt.date | None = None,
    reference: str = "",
    expected_version: int | None = None,
) -> Change:
    """The MAH records the regulatory step of an approved change: submitted to the regulator (``on``
    the submission date, ``reference`` its number), then accepted or refused by it (``on`` the date
    of the conclusion); a change on the report path goes into the annual report."""
    change = writes.lock(actor, change, expected_version=expected_version)
    require_party(actor, change.contract, Party.MAH, gettext_lazy("record the regulatory filing"))
    if change.status not in FILING_RECORDABLE:
        raise _not_in_status(
            change,
            "not_approved",
            gettext_lazy("the filing is recorded once the MAH approved the change"),
        )
    path = change.regulatory_path
    if to not in FILING_STEPS[path]:
        allowed = ", ".join(sorted(FILING_STEPS[path]))
        raise validation_failed(
            [
                detail(
                    gettext_lazy(
                        "a change on the %(path)s path cannot have filing status '%(to)s' (allowed: %(allowed)s)"
                    ),
                    path=change.get_regulatory_path_display,
                    to=bounded(to),
                    allowed=allowed,
                    field="to",
                )
            ],
            what=gettext_lazy("the filing record"),
        )
    check_transition(FILING_TRANSITIONS, change.filing_status, to, field="filing_status")
    if change.filing_status == to:
        raise InvalidTransition(
            code="already_in_status",
            **messages(
                gettext_lazy("the filing of change %(ref)s is already %(status)s; nothing was changed"),
                ref=change.ref,
                status=change.get_filing_status_display,
            ),
            details=[detail(gettext_lazy("already %(to)s"), to=to, field="filing_status")],
        )
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise validation_failed(
            [detail(gettext_lazy("the date cannot be in the future"), field="on")],
            what=gettext_lazy("the filing record"),
        )
    fields: dict = {"filing_status": to}
    if reference.strip():
        fields["filing_reference"] = reference.strip()
    if to == FilingStatus.SUBMITTED:
        fields["filing_submitted_on"] = on
    else:
        fields["filing_concluded_on"] = on
    return writes.change(
        actor, change, reason=f"filing {to}", **fields, acting_for=organisation_of(change.contract, Party.MAH)
    )


# --- implementation --------------------------------------------------------------------------------


def implementation_problems(change: Change, on: dt.date | None = None) -> list[ErrorDetail]:
    """Why the CMO may not (yet) implement the change on ``on``: empty when it may (see the module's
    docstring for the reading of art. 9 and the change rules)."""
    if change.status != ChangeStatus.APPROVED:
        if change.status in (ChangeStatus.PROPOSED, ChangeStatus.CLASSIFIED):
            return [
                detail(
                    gettext_lazy("not approved by the MAH: it may not be implemented (art. 9)"),
                    field="status",
                )
            ]
        return [
            detail(
                gettext_lazy("the change is %(status)s: it cannot be implemented"),
                status=change.get_status_display,
                field="status",
            )
        ]
    problems = []
    path, filing = change.regulatory_path, change.filing_status
    if path == RegulatoryPath.APPROVAL and filing != FilingStatus.ACCEPTED:
        problems.append(
            detail(
                gettext_lazy(
                    "a change on the approval path is implemented once the regulator approved it; no approval is "
                    "recorded (the application was refused)"
                )
                if filing == FilingStatus.REFUSED
                else gettext_lazy(
                    "a change on the approval path is implemented once the regulator approved it; no approval is recorded"
                ),
                field="filing_status",
            )
        )
    if path == RegulatoryPath.FILING and filing not in (FilingStatus.SUBMITTED, FilingStatus.ACCEPTED):
        problems.append(
            detail(
                gettext_lazy(
                    "a change on the filing path is implemented once filed with the regulator; no filing is recorded"
                ),
                field="filing_status",
            )
        )
    if on is not None:
        if on > timezone.localdate():
            problems.append(detail(gettext_lazy("the implementation date cannot be in the future"), field="on"))
        not_before = [
            (timezone.localdate(change.decided_at), gettext_lazy("the MAH's approval")) if change.decided_at else None,
            (change.filing_concluded_on, gettext_lazy("the regulator's approval"))
            if path == RegulatoryPath.APPROVAL and change.filing_concluded_on
            else None,
            (change.filing_submitted_on, gettext_lazy("the filing with the regulator"))
            if path == RegulatoryPath.FILING and change.filing_submitted_on
            else None,
        ]
        for item in not_before:
            if item and on < item[0]:
                problems.append(
                    detail(
                        gettext_lazy("the implementation date %(on)s is before %(step)s (%(step_on)s)"),
                        on=on,
                        step=item[1],
                        step_on=item[0],
                        field="on",
                    )
                )
    return problems


@transaction.atomic
def change_implement(
    *,
    actor: Actor,
    change: Change,
    on: dt.date,
    note: str,
    expected_version: int | None = None,
) -> Change:
    """The CMO records the change implemented on ``on``. Refused before the MAH approved it and,
    on the approval path, before the regulator's approval, on the filing path before the filing.
    A major change then obliges the first three batches of each product made since (art. 11)."""
    change = writes.lock(actor, change, expected_version=expected_version)
    require_party(actor, change.contract, Party.CMO, gettext_lazy("record a change implemented"))
    problems = implementation_problems(change, on)
    if problems:
        if change.status != ChangeStatus.APPROVED or any(p.field == "filing_status" for p in problems):
            raise InvalidTransition(
                code="not_implementable",
                **messages(
                    gettext_lazy("change %(ref)s cannot be implemented: %(problems)s"),
                    ref=change.ref,
                    problems=partial(_joined, problems),
                ),
                details=problems,
            )
        raise validation_failed(problems, what=gettext_lazy("implementation"))
    note = required_text(note, "note", gettext_lazy("describe the implementation"))
    change = writes.transition(
        actor,
        change,
        CHANGE_TRANSITIONS,
        ChangeStatus.IMPLEMENTED,
        reason=note,
        implemented_on=on,
        implemented_by_id=user_id(actor),
        implementation_note=note,
        acting_for=organisation_of(change.contract, Party.CMO),
    )
    if change.change_class == ChangeClass.MAJOR:
        for product in change.products.all():
            for batch in first_batches(change, product):
                _oblige(actor, change, batch)
    return change


def first_batches(change: Change, product: Product) -> list[Batch]:
    """Art. 11: the first batches (``regulation.batches_after_major_change``, three) of ``product``
    made under the change's contract on or after its implementation date, in the order they were made
    (a day's batches by number, as ``134-11.major-change-batches`` orders them)."""
    return list(
        Batch.objects.filter(
            contract_id=change.contract_id, product=product, manufactured_on__gte=change.implemented_on
        ).order_by("manufactured_on", "number", "pk")[: batches_after_major_change(change.implemented_on)]
    )


def _oblige(actor: Actor, change: Change, batch: Batch) -> list[RetentionObligation]:
    n = [b.pk for b in first_batches(change, batch.product)].index(batch.pk) + 1
    return art11_obligations(
        actor,
        batch_id=batch.pk,
        contract=change.contract,
        agreement=agreement_in_force(change.contract, change.implemented_on),
        basis=f"重大变更 {change.ref} 实施后第 {n} 批；{art11_citation()}",
        change=change,
    )


def obligations_for_new_batch(*, actor: Actor, batch: Batch) -> list[RetentionObligation]:
    """Called when a batch is registered (``batches.services.batch_create``, in its transaction):
    the art. 11 duties of every implemented major change whose first three batches it is among."""
    changes = Change.objects.filter(
        contract_id=batch.contract_id,
        products=batch.product_id,
        change_class=ChangeClass.MAJOR,
        status__in=IMPLEMENTED_STATUSES,
        implemented_on__lte=batch.manufactured_on,
    ).order_by("implemented_on", "pk")
    created = []
    for change in changes:
        if batch.pk in {b.pk for b in first_batches(change, batch.product)}:
            created += _oblige(actor, change, batch)
    return created


# --- closing and withdrawing -----------------------------------------------------------------------


@transaction.atomic
def change_close(*, actor: Actor, change: Change, conclusion: str, expected_version: int | None = None) -> Change:
    """The MAH closes an implemented change with its conclusion (the effect of the change reviewed)."""
    change = writes.lock(actor, change, expected_version=expected_version)
    require_party(actor, change.contract, Party.MAH, gettext_lazy("close a change"))
    if change.status != ChangeStatus.IMPLEMENTED:
        raise _not_in_status(change, "not_implemented", gettext_lazy("only an implemented change can be closed"))
    conclusion = required_text(conclusion, "conclusion", gettext_lazy("closing needs a conclusion"))
    return writes.transition(
        actor,
        change,
        CHANGE_TRANSITIONS,
        ChangeStatus.CLOSED,
        reason=conclusion,
        closed_at=timezone.now(),
        closed_by_id=user_id(actor),
        conclusion=conclusion,
        acting_for=organisation_of(change.contract, Party.MAH),
    )


@transaction.atomic
def change_withdraw(*, actor: Actor, change: Change, reason: str, expected_version: int | None = None) -> Change:
    """The proposing party withdraws the change before it is implemented; it stays on record."""
    change = writes.lock(actor, change, expected_version=expected_version)
    require_party(actor, change.contract, change.proposed_by_party, gettext_lazy("withdraw this change"))
    if ChangeStatus.WITHDRAWN not in CHANGE_TRANSITIONS.get(change.status, set()):
        raise _not_in_status(
            change,
            "not_withdrawable",
            gettext_lazy("an implemented, closed, rejected or withdrawn change cannot be withdrawn"),
        )
    reason = required_text(reason, "reason", gettext_lazy("a withdrawal needs its reason"))
    return writes.transition(
        actor,
        change,
        CHANGE_TRANSITIONS,
        ChangeStatus.WITHDRAWN,
        reason=reason,
        closed_at=timezone.now(),
        closed_by_id=user_id(actor),
        conclusion=reason,
        acting_for=organisation_of(change.contract, change.proposed_by_party),
    )
