"""Every read of the shared-line risk assessment (Notice 2025-134 art. 8), and its redaction.

Two readers, two views:

* the line's CMO (and the regulator of its province: whoever sees every product on the line) reads
  the whole assessment — ``assessment_view``: every notice with each MAH's feedback, every product's
  findings, every CAPA with each MAH's approval;
* a notified MAH reads only its notice — ``notice_view``: "通报信息中如涉及依法应当予以保护的商业信息
  可不显示". It gets the line, the trigger and its description, the conclusion and the controls (all
  written for every MAH), its OWN products and their findings, the NUMBER of the other products on
  the line, its own feedback, the CMO's response to it, and its own CAPA approvals. Never another
  holder's name, product, feedback or approval; and the change that started the assessment (its
  title and ref) only if the MAH is a party to that change's contract.

``notice_view`` returns plain values (``RedactedNotice``), not the assessment record, so that a page
or an API schema cannot reach the other notices through a relation by mistake.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import writer_orgs
from weituo.contracts.choices import CommunicationCategory, ContractStatus
from weituo.contracts.models import CommissionContract, CommunicationItem, QualityAgreement
from weituo.core.actors import Actor
from weituo.core.deadlines import Deadline
from weituo.core.errors import ErrorDetail
from weituo.core.i18n import detail
from weituo.core.roles import Side
from weituo.core.selectors import working_calendar
from weituo.integrity.audited import object_type
from weituo.integrity.models import LedgerEntry
from weituo.integrity.writes import not_found
from weituo.registry.models import LineProduct, Organisation, Product
from weituo.registry.visibility import lines_with_every_product

from ..choices import ApprovalDecision, AssessmentStatus, CapaStatus, DeadlineKind, NoticeStatus
from ..deadlines import due_at
from ..models import (
    Capa,
    CapaApproval,
    Change,
    SharedLineAssessment,
    SharedLineNotice,
    SharedLineProductRisk,
)

# --- what each reader may open ------------------------------------------------------------------------


def sees_whole(*, actor: Actor, assessment: SharedLineAssessment) -> bool:
    """Whether the actor reads the assessment whole: it sees every product on the line (its CMO,
    the regulator of its province, the platform)."""
    return lines_with_every_product(actor).filter(pk=assessment.line_id).exists()


def assessment_list(*, actor: Actor, status: str = "", search: str = "") -> QuerySet[SharedLineAssessment]:
    """The assessments of the lines the actor sees whole (the CMO's own lines); an MAH reads its
    notices with ``notice_list`` instead."""
    qs = (
        policy.visible(actor, SharedLineAssessment)
        .filter(line__in=lines_with_every_product(actor))
        .select_related("line__workshop__site__organisation")
        .distinct()  # the policy joins the notices: one row per assessment for an MAH that is also a CMO
    )
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(Q(ref__icontains=search) | Q(line__name__icontains=search) | Q(line__ref__icontains=search))
    return qs.order_by("-started_at", "ref")


def assessment_get(*, actor: Actor, ref: str) -> SharedLineAssessment:
    """An assessment the actor may read whole (else ``NotFound``, as if it did not exist)."""
    try:
        assessment = (
            policy.visible(actor, SharedLineAssessment)
            .select_related("line__workshop__site__organisation", "change__contract")
            .distinct()
            .get(ref=ref)
        )
    except SharedLineAssessment.DoesNotExist:
        raise not_found(SharedLineAssessment, ref) from None
    if not sees_whole(actor=actor, assessment=assessment):
        raise not_found(SharedLineAssessment, ref)
    return assessment


def notice_list(*, actor: Actor, status: str = "") -> QuerySet[SharedLineNotice]:
    """The notices sent to the actor's own MAH organisations, newest first."""
    qs = (
        policy.visible(actor, SharedLineNotice)
        .filter(mah_id__in=actor.organisation_ids(Side.MAH))
        .select_related("assessment__line", "mah")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-sent_at", "pk")


def notice_get(*, actor: Actor, ref: str, mah: Organisation | None = None) -> SharedLineNotice:
    """The notice of assessment ``ref`` sent to the actor's MAH (``mah`` for a user of several)."""
    qs = notice_list(actor=actor).filter(assessment__ref=ref)
    if mah is not None:
        qs = qs.filter(mah=mah)
    notice = qs.order_by("mah_id").first()
    if notice is None:
        raise not_found(SharedLineNotice, ref)
    return notice


def assessment_capa_get(*, actor: Actor, ref: str, capa_id: int) -> Capa:
    """A CAPA of assessment ``ref``, for the CMO or a notified MAH."""
    try:
        return policy.visible(actor, Capa).select_related("assessment__line").get(pk=capa_id, assessment__ref=ref)
    except (Capa.DoesNotExist, ValueError):
        raise not_found(Capa, capa_id) from None


def capa_pending_mahs(capa: Capa) -> tuple[list[Organisation], list[Organisation]]:
    """``(not yet decided, rejected)``: the notified MAHs that stand in the way of implementing a CAPA
    of an assessment. Names are for the CMO only: an MAH's view never shows this."""
    notified = Organisation.objects.filter(
        pk__in=SharedLineNotice.objects.filter(assessment_id=capa.assessment_id).values("mah_id")
    ).order_by("name")
    decisions = dict(CapaApproval.objects.filter(capa=capa).values_list("mah_id", "decision"))
    undecided = [o for o in notified if o.pk not in decisions]
    rejected = [o for o in notified if decisions.get(o.pk) == ApprovalDecision.REJECTED]
    return undecided, rejected


def assessment_close_problems(assessment: SharedLineAssessment) -> list[ErrorDetail]:
    """What still prevents closing: a notice without agreement, a CAPA not implemented (one that an
    MAH rejected excepted: it will never be implemented)."""
    problems = []
    open_notices = assessment.notices.exclude(status=NoticeStatus.AGREED).count()
    if open_notices:
        problems.append(
            detail(
                gettext_lazy("%(open_notices)s notice(s) without agreement with the MAH"),
                open_notices=open_notices,
                field="notices",
            )
        )
    # A CAPA an MAH rejected is never applied (art. 8: only reviewed CAPAs are taken); the CMO adds
    # a revised one instead, so the rejected one does not hold the assessment open for ever.
    rejected = CapaApproval.objects.filter(decision=ApprovalDecision.REJECTED).values("capa_id")
    planned = assessment.capas.filter(status=CapaStatus.PLANNED).exclude(pk__in=rejected).count()
    if planned:
        problems.append(detail(gettext_lazy("%(planned)s CAPA(s) not implemented"), planned=planned, field="capas"))
    return problems


def assessment_notice_get(*, actor: Actor, assessment: SharedLineAssessment, notice_id: int) -> SharedLineNotice:
    """One notice of an assessment the actor reads whole (the CMO answering one MAH's feedback)."""
    if not sees_whole(actor=actor, assessment=assessment):
        raise not_found(SharedLineAssessment, assessment.ref)
    try:
        return policy.visible(actor, SharedLineNotice).select_related("mah").get(assessment=assessment, pk=notice_id)
    except (SharedLineNotice.DoesNotExist, ValueError):
        raise not_found(SharedLineNotice, notice_id) from None


# --- the CMO's whole view -----------------------------------------------------------------------------


@dataclass
class ProductRow:
    product: Product
    findings: str  # "" until the CMO recorded them
    risk_id: int | None = None  # the findings' record (its trail), None until recorded


@dataclass
class CapaRow:
    capa: Capa
    approvals: list[CapaApproval]  # the CMO: every MAH's; an MAH: only its own
    own: CapaApproval | None = None  # an MAH's own decision
    undecided: list[Organisation] = field(default_factory=list)  # the CMO only
    rejected: list[Organisation] = field(default_factory=list)  # the CMO only

    @property
    def all_approved(self) -> bool:
        return not self.undecided and not self.rejected


@dataclass
class NoticeRow:
    notice: SharedLineNotice
    products: list[ProductRow]


@dataclass
class AssessmentView:
    assessment: SharedLineAssessment
    cmo: Organisation
    products: list[ProductRow]  # every product on the line
    notices: list[NoticeRow]
    capas: list[CapaRow]
    close_problems: list


def _findings(assessment: SharedLineAssessment, products: list[Product]) -> list[ProductRow]:
    found = {
        product_id: (pk, findings)
        for pk, product_id, findings in SharedLineProductRisk.objects.filter(
            assessment=assessment, product__in=products
        ).values_list("pk", "product_id", "findings")
    }
    return [ProductRow(p, found.get(p.pk, (None, ""))[1], found.get(p.pk, (None, ""))[0]) for p in products]


def assessment_view(*, actor: Actor, assessment: SharedLineAssessment) -> AssessmentView:
    """Everything about an assessment, for whoever reads it whole (``assessment_get`` checked that)."""
    if not sees_whole(actor=actor, assessment=assessment):
        raise not_found(SharedLineAssessment, assessment.ref)
    line_products = list(
        Product.objects.filter(
            pk__in=LineProduct.objects.filter(line_id=assessment.line_id).values("product_id")
        ).select_related("holder")
    )
    by_id = {p.pk: p for p in line_products}
    notices = []
    for n in assessment.notices.select_related("mah", "feedback_by", "agreed_by").order_by("mah__name", "pk"):
        own = [by_id[pk] for pk in n.products.values_list("pk", flat=True) if pk in by_id]
        notices.append(NoticeRow(n, _findings(assessment, own)))
    capas = []
    for c in assessment.capas.order_by("due_on", "pk"):
        undecided, rejected = capa_pending_mahs(c)
        capas.append(CapaRow(c, list(c.approvals.select_related("mah", "decided_by")), None, undecided, rejected))
    return AssessmentView(
        assessment=assessment,
        cmo=assessment.line.workshop.site.organisation,
        products=_findings(assessment, sorted(line_products, key=lambda p: (p.holder.name, p.name))),
        notices=notices,
        capas=capas,
        close_problems=assessment_close_problems(assessment) if assessment.status == AssessmentStatus.NOTIFIED else [],
    )


# --- an MAH's redacted view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RedactedCapa:
    id: int
    description: str
    due_on: dt.date
    status: str
    status_label: str
    implemented_at: dt.datetime | None
    implementation_note: str
    effectiveness_note: str
    version: int
    own_decision: str  # "" until the MAH decided
    own_note: str
    own_decided_at: dt.datetime | None


@dataclass(frozen=True)
class RedactedNotice:
    """What one MAH may read of an assessment: plain values, nothing that leads to another holder."""

    ref: str
    line_ref: str
    line_name: str
    cmo_name: str
    trigger: str
    trigger_label: str
    trigger_description: str
    change_ref: str  # "" unless the MAH is a party to the change's contract
    change_title: str
    assessment_status: str
    assessment_status_label: str
    conclusion: str
    controls: str
    mah_ref: str
    mah_name: str
    own_products: tuple[ProductRow, ...]
    other_products_count: int
    notice_id: int
    notice_status: str
    notice_status_label: str
    notice_version: int
    sent_at: dt.datetime
    feedback: str
    feedback_at: dt.datetime | None
    response: str
    agreed_at: dt.datetime | None
    capas: tuple[RedactedCapa, ...]

    @property
    def may_feedback(self) -> bool:
        return self.assessment_status == AssessmentStatus.NOTIFIED and self.notice_status != NoticeStatus.AGREED

    @property
    def may_agree(self) -> bool:
        return self.may_feedback and not (self.feedback and not self.response)


def notice_view(
    *, actor: Actor, assessment: SharedLineAssessment | str, mah: Organisation | None = None
) -> RedactedNotice:
    """The assessment as notified to the actor's MAH (``NotFound`` if it was not notified to it)."""
    ref = assessment if isinstance(assessment, str) else assessment.ref
    notice = notice_get(actor=actor, ref=ref, mah=mah)
    a = SharedLineAssessment.objects.select_related("line__workshop__site__organisation", "change").get(
        pk=notice.assessment_id
    )
    change = a.change if a.change_id and policy.visible(actor, Change).filter(pk=a.change_id).exists() else None
    own_products = list(notice.products.order_by("name"))
    approvals = {ap.capa_id: ap for ap in CapaApproval.objects.filter(capa__assessment=a, mah_id=notice.mah_id)}
    capas = []
    for c in a.capas.order_by("due_on", "pk"):
        own = approvals.get(c.pk)
        capas.append(
            RedactedCapa(
                id=c.pk,
                description=c.description,
                due_on=c.due_on,
                status=c.status,
                status_label=c.get_status_display(),
                implemented_at=c.implemented_at,
                implementation_note=c.implementation_note,
                effectiveness_note=c.effectiveness_note,
                version=c.version,
                own_decision=own.decision if own else "",
                own_note=own.note if own else "",
                own_decided_at=own.decided_at if own else None,
            )
        )
    return RedactedNotice(
        ref=a.ref,
        line_ref=a.line.ref,
        line_name=a.line.name,
        cmo_name=a.line.workshop.site.organisation.name,
        trigger=a.trigger,
        trigger_label=a.get_trigger_display(),
        trigger_description=a.trigger_description,
        change_ref=change.ref if change else "",
        change_title=change.title if change else "",
        assessment_status=a.status,
        assessment_status_label=a.get_status_display(),
        conclusion=a.conclusion,
        controls=a.controls,
        mah_ref=notice.mah.ref,
        mah_name=notice.mah.name,
        own_products=tuple(_findings(a, own_products)),
        other_products_count=notice.other_products_count,
        notice_id=notice.pk,
        notice_status=notice.status,
        notice_status_label=notice.get_status_display(),
        notice_version=notice.version,
        sent_at=notice.sent_at,
        feedback=notice.feedback,
        feedback_at=notice.feedback_at,
        response=notice.response,
        agreed_at=notice.agreed_at,
        capas=tuple(capas),
    )


# --- the timeline -------------------------------------------------------------------------------------

# Fields of the assessment's own entries an MAH is not shown unless it is party to the change.
_CHANGE_FIELDS = ("change_id", "started_by_id")
ANOTHER_PARTY = "另一方 another party"


def _entries(q: Q) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(q).order_by("seq"))


def _of(model: type, ids) -> Q:
    ids = [str(i) for i in ids]
    return Q(object_type=object_type(model), object_id__in=ids) if ids else Q(pk__in=[])


def assessment_trail(*, actor: Actor, assessment: SharedLineAssessment) -> list[LedgerEntry]:
    """The timeline of an assessment, oldest first. The CMO reads every entry; an MAH reads the
    entries of the shared parts (the assessment, its CAPAs), of its own notice, its own products'
    findings and its own approvals — never an entry about another MAH — and entries made by anyone
    other than its own organisation or the CMO show no name."""
    capas = Capa.objects.filter(assessment=assessment).values_list("pk", flat=True)
    shared = Q(object_type=object_type(SharedLineAssessment), object_id=str(assessment.pk)) | _of(Capa, capas)
    if sees_whole(actor=actor, assessment=assessment):
        q = (
            shared
            | _of(SharedLineNotice, assessment.notices.values_list("pk", flat=True))
            | _of(SharedLineProductRisk, assessment.product_risks.values_list("pk", flat=True))
            | _of(CapaApproval, CapaApproval.objects.filter(capa__assessment=assessment).values_list("pk", flat=True))
        )
        return _entries(q)
    own = actor.organisation_ids(Side.MAH)
    notices = list(policy.visible(actor, SharedLineNotice).filter(assessment=assessment, mah_id__in=own))
    if not notices:
        raise not_found(SharedLineAssessment, assessment.ref)
    products = Product.objects.filter(pk__in=[p for n in notices for p in n.products.values_list("pk", flat=True)])
    q = (
        shared
        | _of(SharedLineNotice, [n.pk for n in notices])
        | _of(SharedLineProductRisk, assessment.product_risks.filter(product__in=products).values_list("pk", flat=True))
        | _of(
            CapaApproval,
            CapaApproval.objects.filter(capa__assessment=assessment, mah_id__in=own).values_list("pk", flat=True),
        )
    )
    change_visible = bool(
        assessment.change_id and policy.visible(actor, Change).filter(pk=assessment.change_id).exists()
    )
    named = {str(i) for i in actor.organisation_ids()} | {str(assessment.line.workshop.site.organisation_id)}
    out = []
    for e in _entries(q):
        if e.organisation not in named:
            e = _copy(e, actor=ANOTHER_PARTY, organisation="")
        if e.object_type == object_type(SharedLineAssessment) and not change_visible:
            e = _copy(e, old=_without(e.old, _CHANGE_FIELDS), new=_without(e.new, _CHANGE_FIELDS))
        out.append(e)
    return out


def _without(text: str, names: tuple[str, ...]) -> str:
    try:
        values = json.loads(text or "{}")
    except json.JSONDecodeError:
        return "{}"
    return json.dumps({k: v for k, v in values.items() if k not in names}, ensure_ascii=False, sort_keys=True)


def _copy(entry: LedgerEntry, **changes) -> LedgerEntry:
    """An unsaved copy of an entry with some values hidden (the ledger itself is never touched)."""
    values = {f.attname: getattr(entry, f.attname) for f in LedgerEntry._meta.concrete_fields}
    values.update(changes)
    return LedgerEntry(**values)


# --- deadlines ----------------------------------------------------------------------------------------


def _change_time_limit(mah_id: int, cmo_id: int, on: dt.date) -> tuple[int | None, str]:
    """The time limit of the communication-list row "change" of the agreement in force between them."""
    contracts = CommissionContract.objects.filter(mah_id=mah_id, cmo_id=cmo_id, status=ContractStatus.IN_FORCE)
    agreement = (
        QualityAgreement.objects.filter(contract__in=contracts, status=ContractStatus.IN_FORCE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=on))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .order_by("-effective_from", "-pk")
        .first()
    )
    if agreement is None:
        return None, ""
    item = CommunicationItem.objects.filter(agreement=agreement, category=CommunicationCategory.CHANGE).first()
    if item is None or not item.time_limit or not item.time_unit:
        return None, ""
    return item.time_limit, item.time_unit


def assessment_deadlines(*, actor: Actor, at: dt.datetime) -> list[Deadline]:
    """What the actor's MAHs owe on shared-line notices: feedback on a notice not yet answered
    (``notice_feedback``: due by the agreement's time limit for changes, if any) and a decision on a
    CAPA of a notified assessment (``capa_approval``: no agreed time limit)."""
    mahs = writer_orgs(actor)["mah"]
    if not mahs:
        return []
    items = []
    notices = (
        policy.visible(actor, SharedLineNotice)
        .filter(mah_id__in=mahs, status=NoticeStatus.SENT, assessment__status=AssessmentStatus.NOTIFIED)
        .select_related("assessment__line__workshop__site")
    )
    calendar = None
    for n in notices:
        a = n.assessment
        limit, unit = _change_time_limit(n.mah_id, a.line.workshop.site.organisation_id, timezone.localdate(n.sent_at))
        due, provisional = None, False
        if limit:
            calendar = calendar or working_calendar()
            due, provisional = due_at(n.sent_at, limit, unit, calendar)
        items.append(
            Deadline(
                kind=DeadlineKind.NOTICE_FEEDBACK,
                ref=a.ref,
                title=f"{a.line.name} · {a.get_trigger_display()}",
                record=n,
                due_at=due,
                provisional=provisional,
                overdue=due is not None and due < at,
                time_limit=limit,
                time_unit=unit,
            )
        )
    notified = SharedLineNotice.objects.filter(
        mah_id__in=mahs, assessment__status=AssessmentStatus.NOTIFIED
    ).values_list("assessment_id", "mah_id")
    pairs: dict[int, set[int]] = {}
    for assessment_id, mah_id in notified:
        pairs.setdefault(assessment_id, set()).add(mah_id)
    if pairs:
        decided = set(
            CapaApproval.objects.filter(capa__assessment_id__in=pairs, mah_id__in=mahs).values_list("capa_id", "mah_id")
        )
        capas = (
            policy.visible(actor, Capa)
            .filter(assessment_id__in=pairs, status=CapaStatus.PLANNED)
            .select_related("assessment__line")
        )
        for c in capas:
            if all((c.pk, m) in decided for m in pairs[c.assessment_id]):
                continue
            items.append(
                Deadline(
                    kind=DeadlineKind.CAPA_APPROVAL,
                    ref=c.assessment.ref,
                    title=c.description[:80],
                    record=c,
                    due_at=None,
                    provisional=False,
                    overdue=False,
                    capa=c,
                )
            )
    return items


def startable_lines(*, actor: Actor) -> QuerySet:
    """The lines on which the actor may start an assessment from the web page: its own CMO's lines
    (an MAH starts one through change control, which names the line)."""
    return (
        lines_with_every_product(actor)
        .filter(workshop__site__organisation_id__in=actor.organisation_ids(Side.CMO))
        .order_by("name", "ref")
    )


def conducts(*, actor: Actor, assessment: SharedLineAssessment) -> bool:
    """Whether the actor writes for the line's CMO (the page offers it the CMO's actions; the
    services check again). A regulator reads the assessment whole but conducts nothing."""
    if actor.system or actor.is_platform_admin:
        return True
    cmo_id = assessment.line.workshop.site.organisation_id
    return actor.writes_in(cmo_id, Side.CMO)
