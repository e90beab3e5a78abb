"""Every write of the shared-line risk assessment and its notices to the MAHs (Notice 2025-134 art. 8).

"在共线生产条件发生变化时……受托生产企业应当形成清晰明确的共线生产风险评估结论，根据评估结论采取有效的
风险控制措施，并及时将共线生产风险评估结论和采取的风险控制措施通报所有共线生产品种的持有人……对持有人
反馈的意见，受托生产企业应当认真研判，采取相应措施，并与持有人达成一致。对存在风险隐患的，受托生产企业
应当采取经持有人审核过的纠正预防措施。"

The line's CMO is the organisation that owns the line; "every MAH with a product on the line" is every
distinct ``holder`` of the line's ``registry.LineProduct`` rows (a holder need not have a contract with
the CMO: art. 8 says all holders of the products made on the line). Who may do what:

=================================  ===============================================================
action                             who
=================================  ===============================================================
start an assessment                a writer of the line's CMO; or (when a change names the line,
                                   see change control) a writer of an MAH that is party to a
                                   commission contract with the line's CMO
set one product's findings         a writer of the line's CMO
notify (conclusion + controls)     a writer of the line's CMO: one notice per MAH on the line
give feedback on a notice          a writer of that notice's MAH (any number of times)
respond to the feedback            a writer of the line's CMO
confirm agreement reached          QA or head of quality of that notice's MAH
add a CAPA                         a writer of the line's CMO (the CMO owns it)
approve / reject a CAPA            QA or head of quality of each notified MAH, once each
implement a CAPA                   a writer of the line's CMO, only once every notified MAH approved
check a CAPA's effectiveness       QA or head of quality of the line's CMO
close the assessment               a writer of the line's CMO: every notice agreed, every CAPA done
=================================  ===============================================================

System jobs and platform admins may act for the CMO (as in every quality service), never for an
MAH: feedback, agreement and approvals are an MAH's own word and need a named user of that MAH.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import is_qa_in, refuse, require_user, require_writer, user_id
from weituo.contracts.choices import ContractStatus
from weituo.contracts.models import CommissionContract
from weituo.core.actors import Actor
from weituo.core.errors import InvalidTransition
from weituo.core.i18n import bounded, detail, messages, validation_failed
from weituo.core.ids import new_ref
from weituo.core.roles import Party, Side
from weituo.core.validation import required_text
from weituo.integrity import writes
from weituo.integrity.mail import notify_ledgered, render_mail
from weituo.registry.models import Line, LineProduct, Organisation, Product

from .. import capa as capa_steps
from ..choices import (
    ASSESSMENT_TRANSITIONS,
    NOTICE_TRANSITIONS,
    ApprovalDecision,
    AssessmentStatus,
    CapaStatus,
    NoticeStatus,
    SharedLineTrigger,
)
from ..models import Capa, CapaApproval, Change, SharedLineAssessment, SharedLineNotice, SharedLineProductRisk
from ..selectors.shared_line import assessment_close_problems, capa_pending_mahs
from .events import _qa_emails

logger = logging.getLogger("weituo.quality")

ART8 = "国家药监局公告2025年第134号 第（八）条 / NMPA Notice 2025-134 art. 8"


# --- who acts for whom -----------------------------------------------------------------------------


def line_cmo_id(line: Line) -> int:
    """The CMO of a line: the organisation owning the site of its workshop."""
    return Line.objects.filter(pk=line.pk).values_list("workshop__site__organisation_id", flat=True).get()


def _writes_for_cmo(actor: Actor, cmo_id: int) -> bool:
    return actor.writes_in(cmo_id, Side.CMO)


def _require_cmo(actor: Actor, assessment_or_line: SharedLineAssessment | Line, what: Any) -> int:
    """A writer of the line's CMO (system jobs and platform admins act for it too); the CMO's id.
    ``what`` is the act (a lazy phrase such as "notify the assessment")."""
    require_writer(actor)
    line = assessment_or_line.line if isinstance(assessment_or_line, SharedLineAssessment) else assessment_or_line
    cmo_id = line_cmo_id(line)
    if actor.system or actor.is_platform_admin or _writes_for_cmo(actor, cmo_id):
        return cmo_id
    raise refuse("not_line_cmo", gettext_lazy("only the line's CMO may %(what)s"), what=what)


def _require_mah_writer(actor: Actor, notice: SharedLineNotice, what: Any) -> None:
    """A named user writing for the notified MAH; ``what`` is the act (a lazy phrase)."""
    require_writer(actor)
    require_user(actor, what)
    if not actor.writes_in(notice.mah_id, Side.MAH):
        raise refuse("not_notified_mah", gettext_lazy("only the notified MAH may %(what)s"), what=what)


def _require_status(assessment: SharedLineAssessment, *allowed: str) -> None:
    if assessment.status not in allowed:
        raise InvalidTransition(
            code="assessment_status",
            **messages(
                gettext_lazy("shared-line assessment %(ref)s is %(status)s: this cannot be done now"),
                ref=assessment.ref,
                status=assessment.get_status_display,
            ),
            details=[detail(gettext_lazy("not allowed in this status"), field="status")],
        )


def _lock_assessment_of(actor: Actor, assessment_id: int) -> SharedLineAssessment:
    # The parent of a notice or a CAPA, locked so that concurrent writes on its children serialise
    # with notify/close (the caller already proved the actor sees the child, hence the parent).
    return SharedLineAssessment.objects.select_for_update().select_related("line").get(pk=assessment_id)


# --- starting and concluding an assessment ----------------------------------------------------------


@transaction.atomic
def assessment_start(
    *, actor: Actor, line: Line, trigger: str, description: str, change: Change | None = None
) -> SharedLineAssessment:
    """Open a risk assessment of a shared line after its conditions changed (art. 8's list of triggers).

    Started by a writer of the line's CMO, or — when change control starts it because a change
    names the line — by a writer of an MAH party to a commission contract with the line's CMO.
    ``description`` is shown to every MAH notified later: write it for all of them. The change's
    own title and ref are shown only to the parties of the change's contract.
    """
    require_writer(actor)
    if not policy.visible(actor, Line).filter(pk=line.pk).exists():
        raise writes.not_found(Line, line.ref)
    cmo_id = line_cmo_id(line)
    if not (actor.system or actor.is_platform_admin or _writes_for_cmo(actor, cmo_id)):
        mah_ids = actor.writer_organisations(Side.MAH)
        party = (
            CommissionContract.objects.filter(mah_id__in=mah_ids, cmo_id=cmo_id)
            .exclude(status=ContractStatus.TERMINATED)
            .exists()
        )
        if not party:
            raise refuse(
                "not_line_party",
                gettext_lazy(
                    "only the line's CMO, or an MAH with a commission contract with that CMO, may start a shared-line assessment"
                ),
            )
    if trigger not in SharedLineTrigger.values:
        raise validation_failed(
            [detail(gettext_lazy("unknown trigger '%(trigger)s'"), trigger=bounded(trigger), field="trigger")]
        )
    description = required_text(
        description, "description", gettext_lazy("describe how the shared-line conditions changed")
    )
    if change is not None:
        if not policy.visible(actor, Change).filter(pk=change.pk).exists():
            raise writes.not_found(Change, change.ref)
        if change.contract.cmo_id != cmo_id:
            raise validation_failed(
                [
                    detail(
                        gettext_lazy("the change is not with the CMO of this line"),
                        field="change",
                    )
                ]
            )
    assessment = SharedLineAssessment(
        ref=new_ref("SLA"),
        line=line,
        change=change,
        trigger=trigger,
        trigger_description=description,
        started_by_id=user_id(actor),
        started_at=timezone.now(),
    )
    return writes.create(actor, assessment, reason=ART8)


@transaction.atomic
def assessment_product_risk_set(
    *, actor: Actor, assessment: SharedLineAssessment, product: Product, findings: str
) -> SharedLineProductRisk:
    """The CMO's findings for one product of the line (residue limits, cleaning results…), shown only
    to that product's holder; set again to revise them (each version in the trail)."""
    assessment = writes.lock(actor, assessment)
    cmo_id = _require_cmo(actor, assessment, gettext_lazy("record a product's findings"))
    _require_status(assessment, AssessmentStatus.OPEN, AssessmentStatus.NOTIFIED)
    findings = required_text(findings, "findings", gettext_lazy("the product's findings are required"))
    if not LineProduct.objects.filter(line_id=assessment.line_id, product_id=product.pk).exists():
        raise validation_failed([detail(gettext_lazy("the product is not made on this line"), field="product")])
    row = SharedLineProductRisk.objects.select_for_update().filter(assessment=assessment, product=product).first()
    if row is None:
        return writes.create(
            actor, SharedLineProductRisk(assessment=assessment, product=product, findings=findings), acting_for=cmo_id
        )
    return writes.change(actor, row, findings=findings, acting_for=cmo_id)


def _holders(line_id: int) -> dict[int, list[int]]:
    """The MAHs with a product on the line, each with its products' ids."""
    holders: dict[int, list[int]] = {}
    rows = LineProduct.objects.filter(line_id=line_id).values_list("product__holder_id", "product_id")
    for holder_id, product_id in rows.order_by("product__holder_id", "product_id"):
        if holder_id is not None:
            holders.setdefault(holder_id, []).append(product_id)
    return holders


@transaction.atomic
def assessment_notify(
    *,
    actor: Actor,
    assessment: SharedLineAssessment,
    conclusion: str,
    controls: str,
    expected_version: int | None = None,
) -> SharedLineAssessment:
    """The CMO's conclusion and controls, notified to every MAH with a product on the line: one notice
    each, with that MAH's own products and only the number of the others' ("通报信息中如涉及依法应当
    予以保护的商业信息可不显示"). Each MAH's QA is emailed once the transaction commits."""
    assessment = writes.lock(actor, assessment, expected_version=expected_version)
    line_cmo = _require_cmo(actor, assessment, gettext_lazy("notify the assessment"))
    problems = []
    if not (conclusion or "").strip():
        problems.append(detail(gettext_lazy("the conclusion is required"), field="conclusion"))
    if not (controls or "").strip():
        problems.append(detail(gettext_lazy("the risk controls are required"), field="controls"))
    if problems:
        raise validation_failed(problems)
    holders = _holders(assessment.line_id)
    if not holders:
        raise validation_failed([detail(gettext_lazy("no MAH has a product on this line"), field="line")])
    now = timezone.now()
    writes.transition(
        actor,
        assessment,
        ASSESSMENT_TRANSITIONS,
        AssessmentStatus.NOTIFIED,
        reason=ART8,
        conclusion=conclusion.strip(),
        controls=controls.strip(),
        concluded_by_id=user_id(actor),
        concluded_at=now,
        acting_for=line_cmo,
    )
    total = sum(len(p) for p in holders.values())
    for mah_id, product_ids in holders.items():
        emails = _qa_emails(mah_id, Party.MAH)
        notice = SharedLineNotice(
            assessment=assessment,
            mah_id=mah_id,
            other_products_count=total - len(product_ids),
            sent_at=now,
            notified_to=",".join(emails)[:500],
        )
        writes.create(actor, notice, reason=ART8, acting_for=line_cmo, many={"products": product_ids})
        transaction.on_commit(partial(_notify, actor, notice.pk))
    return assessment


def _notify(actor: Actor, notice_pk: int) -> None:
    """Email one MAH's QA its notice (after commit): what every MAH may read, and its own products."""
    notice = SharedLineNotice.objects.select_related("assessment__line").get(pk=notice_pk)
    to = [a for a in notice.notified_to.split(",") if a]
    if not to:
        return
    products = [p.name for p in notice.products.all()]
    subject, body = render_mail(
        "shared_line_notice", {"assessment": notice.assessment, "notice": notice, "products": products}
    )
    notify_ledgered(
        actor, notice, to=to, subject=subject, body=body, logger=logger, what=f"shared-line notice {notice.pk}"
    )


# --- each MAH's feedback, the CMO's response, the agreement ------------------------------------------


def _require_notice_open(notice: SharedLineNotice, assessment: SharedLineAssessment) -> None:
    _require_status(assessment, AssessmentStatus.NOTIFIED)
    if notice.status == NoticeStatus.AGREED:
        raise InvalidTransition(
            code="notice_agreed",
            **messages(gettext_lazy("agreement was reached on this notice: it cannot be changed")),
            details=[detail(gettext_lazy("already agreed"), field="status")],
        )


@transaction.atomic
def notice_feedback(
    *, actor: Actor, notice: SharedLineNotice, feedback: str, expected_version: int | None = None
) -> SharedLineNotice:
    """The notified MAH's opinion. It may be given again (a reply to the CMO's response): the latest
    is on the notice, every one in the trail."""
    notice = writes.lock(actor, notice, expected_version=expected_version)
    _require_mah_writer(actor, notice, gettext_lazy("give feedback on this notice"))
    assessment = _lock_assessment_of(actor, notice.assessment_id)
    _require_notice_open(notice, assessment)
    feedback = required_text(feedback, "feedback", gettext_lazy("the feedback is required"))
    fields = {"feedback": feedback, "feedback_by_id": actor.user_id, "feedback_at": timezone.now()}
    if notice.status == NoticeStatus.FEEDBACK:
        # feedback → feedback is allowed by the table; writes.transition refuses staying put.
        return writes.change(actor, notice, **fields, acting_for=notice.mah_id)
    return writes.transition(
        actor, notice, NOTICE_TRANSITIONS, NoticeStatus.FEEDBACK, **fields, acting_for=notice.mah_id
    )


@transaction.atomic
def notice_respond(
    *, actor: Actor, notice: SharedLineNotice, response: str, expected_version: int | None = None
) -> SharedLineNotice:
    """The CMO's evaluation of an MAH's feedback and the measures it takes ("认真研判，采取相应措施")."""
    notice = writes.lock(actor, notice, expected_version=expected_version)
    assessment = _lock_assessment_of(actor, notice.assessment_id)
    cmo_id = _require_cmo(actor, assessment, gettext_lazy("respond to the MAH's feedback"))
    _require_notice_open(notice, assessment)
    if notice.status != NoticeStatus.FEEDBACK:
        raise InvalidTransition(
            code="no_feedback",
            **messages(gettext_lazy("this MAH has given no feedback to respond to")),
            details=[detail(gettext_lazy("no feedback yet"), field="response")],
        )
    response = required_text(response, "response", gettext_lazy("the evaluation and measures are required"))
    return writes.change(actor, notice, response=response, acting_for=cmo_id)


@transaction.atomic
def notice_agree(
    *, actor: Actor, notice: SharedLineNotice, note: str = "", expected_version: int | None = None
) -> SharedLineNotice:
    """The notified MAH's QA or head of quality confirms agreement was reached ("与持有人达成一致").
    Where the MAH gave feedback, the CMO must have responded to it first."""
    notice = writes.lock(actor, notice, expected_version=expected_version)
    require_user(actor, gettext_lazy("confirming agreement"))
    if not is_qa_in(actor, notice.mah_id, Party.MAH):
        raise refuse(
            "mah_qa_required",
            gettext_lazy("agreement is confirmed by QA or the head of quality of the notified MAH"),
        )
    assessment = _lock_assessment_of(actor, notice.assessment_id)
    _require_status(assessment, AssessmentStatus.NOTIFIED)
    if notice.feedback.strip() and not notice.response.strip():
        raise InvalidTransition(
            code="response_missing",
            **messages(gettext_lazy("the CMO has not yet responded to your feedback")),
            details=[detail(gettext_lazy("no response yet"), field="response")],
        )
    return writes.transition(
        actor,
        notice,
        NOTICE_TRANSITIONS,
        NoticeStatus.AGREED,
        reason=note.strip(),
        agreed_at=timezone.now(),
        agreed_by_id=actor.user_id,
    )


# --- CAPA approved by every notified MAH ------------------------------------------------------------


def _lock_assessment_capa(actor: Actor, capa: Capa, expected_version: int | None) -> tuple[Capa, SharedLineAssessment]:
    capa = writes.lock(actor, capa, expected_version=expected_version)
    if capa.assessment_id is None:
        raise ValueError("this CAPA answers an event or an audit finding: use that workflow's service")
    return capa, _lock_assessment_of(actor, capa.assessment_id)


@transaction.atomic
def assessment_capa_add(*, actor: Actor, assessment: SharedLineAssessment, description: str, due_on: dt.date) -> Capa:
    """A corrective or preventive action of the CMO for a risk the assessment found; applied only once
    every notified MAH approved it."""
    assessment = writes.lock(actor, assessment)
    cmo_id = _require_cmo(actor, assessment, gettext_lazy("add a CAPA"))
    _require_status(assessment, AssessmentStatus.NOTIFIED)
    description = required_text(description, "description", gettext_lazy("the action is required"))
    if not isinstance(due_on, dt.date):
        raise validation_failed([detail(gettext_lazy("the due date is required"), field="due_on")])
    return writes.create(
        actor,
        Capa(
            assessment=assessment,
            description=description,
            owner_party=Party.CMO,
            due_on=due_on,
            created_by_id=user_id(actor),
        ),
        reason=ART8,
        acting_for=cmo_id,
    )


@transaction.atomic
def assessment_capa_decide(
    *, actor: Actor, capa: Capa, approve: bool, note: str = "", mah: Organisation | None = None
) -> CapaApproval:
    """One notified MAH's review of a CAPA ("经持有人审核过的纠正预防措施"): by its QA or head of
    quality, once; a rejection needs its reason. ``mah`` is needed only by a user who is QA of
    several notified MAHs."""
    capa, assessment = _lock_assessment_capa(actor, capa, None)
    require_writer(actor)
    require_user(actor, gettext_lazy("reviewing a CAPA"))
    _require_status(assessment, AssessmentStatus.NOTIFIED)
    notified = set(assessment.notices.values_list("mah_id", flat=True))
    mine = sorted(m for m in notified if is_qa_in(actor, m, Party.MAH))
    if mah is not None:
        mine = [m for m in mine if m == mah.pk]
    if not mine:
        raise refuse(
            "mah_qa_required",
            gettext_lazy("a CAPA is reviewed by QA or the head of quality of a notified MAH"),
        )
    if len(mine) > 1:
        raise validation_failed([detail(gettext_lazy("name the MAH you act for"), field="mah")])
    mah_id = mine[0]
    if capa.status != CapaStatus.PLANNED:
        raise InvalidTransition(
            code="capa_not_planned",
            **messages(gettext_lazy("the CAPA is already implemented: it can no longer be reviewed")),
            details=[detail(gettext_lazy("already implemented"), field="status")],
        )
    if CapaApproval.objects.filter(capa=capa, mah_id=mah_id).exists():
        raise InvalidTransition(
            code="already_decided",
            **messages(gettext_lazy("your organisation has already reviewed this CAPA")),
            details=[detail(gettext_lazy("already reviewed"), field="decision")],
        )
    note = (note or "").strip()
    if not approve and not note:
        raise validation_failed([detail(gettext_lazy("a rejection needs its reason"), field="note")])
    return writes.create(
        actor,
        CapaApproval(
            capa=capa,
            mah_id=mah_id,
            decision=ApprovalDecision.APPROVED if approve else ApprovalDecision.REJECTED,
            note=note,
            decided_by_id=actor.user_id,
            decided_at=timezone.now(),
        ),
        reason=note,
    )


@transaction.atomic
def assessment_capa_implement(*, actor: Actor, capa: Capa, note: str, expected_version: int | None = None) -> Capa:
    """The CMO reports the action done — refused until every notified MAH approved it (art. 8:
    "应当采取经持有人审核过的纠正预防措施"); a rejection blocks it for good (add a revised CAPA)."""
    capa, assessment = _lock_assessment_capa(actor, capa, expected_version)
    cmo_id = _require_cmo(actor, assessment, gettext_lazy("report this CAPA implemented"))
    _require_status(assessment, AssessmentStatus.NOTIFIED)
    undecided, rejected = capa_pending_mahs(capa)
    if undecided or rejected:
        # Only the CMO (or the platform) gets here, and the CMO knows every MAH on its line.
        details = [
            detail(gettext_lazy("%(name)s has not reviewed it"), name=o.name, field="approvals") for o in undecided
        ] + [detail(gettext_lazy("%(name)s rejected it"), name=o.name, field="approvals") for o in rejected]
        raise InvalidTransition(
            code="capa_not_approved",
            **messages(
                gettext_lazy(
                    "the CAPA may be implemented only once every notified MAH approved it (%(undecided)s not reviewed, %(rejected)s rejected)"
                ),
                undecided=len(undecided),
                rejected=len(rejected),
            ),
            details=details,
        )
    return capa_steps.mark_implemented(actor, capa, note, acting_for=cmo_id, reason=ART8)


@transaction.atomic
def assessment_capa_check(
    *, actor: Actor, capa: Capa, effective: bool, note: str, expected_version: int | None = None
) -> Capa:
    """The CMO's QA (or head of quality) records whether the implemented action worked."""
    capa, assessment = _lock_assessment_capa(actor, capa, expected_version)
    cmo_id = _require_cmo(actor, assessment, gettext_lazy("check this CAPA's effectiveness"))
    if not (actor.system or actor.is_platform_admin) and not is_qa_in(actor, cmo_id, Party.CMO):
        raise refuse(
            "qa_required",
            gettext_lazy("the effectiveness check is for QA or the head of quality of the CMO"),
        )
    require_user(actor, gettext_lazy("the effectiveness check"))
    return capa_steps.mark_checked(actor, capa, effective, note, acting_for=cmo_id)


@transaction.atomic
def assessment_close(
    *, actor: Actor, assessment: SharedLineAssessment, expected_version: int | None = None
) -> SharedLineAssessment:
    """The CMO closes the assessment once every notice is agreed and every CAPA implemented."""
    assessment = writes.lock(actor, assessment, expected_version=expected_version)
    cmo_id = _require_cmo(actor, assessment, gettext_lazy("close the assessment"))
    _require_status(assessment, AssessmentStatus.NOTIFIED)
    problems = assessment_close_problems(assessment)
    if problems:
        raise validation_failed(problems, what=gettext_lazy("closing the assessment"))
    return writes.transition(
        actor,
        assessment,
        ASSESSMENT_TRANSITIONS,
        AssessmentStatus.CLOSED,
        closed_at=timezone.now(),
        closed_by_id=user_id(actor),
        acting_for=cmo_id,
    )
