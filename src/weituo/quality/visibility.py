"""Who sees which quality record: events, deviations, CAPA, changes, shared-line assessments and
their notices, audits, registered with ``access.policy`` when the app starts.

A quality record is between the two parties of one contract: they and their regulators see it.
Of a shared-line assessment an MAH sees only what was notified to it, and of that only its own rows.
"""

from __future__ import annotations

from django.db.models import Q

from weituo.access import policy
from weituo.access.policy import Scope, ids
from weituo.batches.models import Batch
from weituo.contracts.models import CommissionContract
from weituo.registry.models import Product
from weituo.registry.visibility import whole_lines

from .models import (
    Audit,
    AuditFinding,
    Capa,
    CapaApproval,
    Change,
    Deviation,
    QualityEvent,
    Reclassification,
    RetentionObligation,
    SharedLineAssessment,
    SharedLineNotice,
    SharedLineProductRisk,
)


def _quality_events(s: Scope) -> Q:
    # An event is between the two parties of one contract: they and their regulators see it (and the
    # batch it names, if any, must be visible too).
    return Q(contract__in=ids(CommissionContract, s)) & (Q(batch__isnull=True) | Q(batch__in=ids(Batch, s)))


def _event_rows(s: Scope) -> Q:
    return Q(event__in=ids(QualityEvent, s))


def _reclassifications(s: Scope) -> Q:
    return Q(deviation__in=ids(Deviation, s))


def _retention_obligations(s: Scope) -> Q:
    cause = Q(event__in=ids(QualityEvent, s)) | Q(change__in=ids(Change, s))
    return cause & Q(batch__in=ids(Batch, s))


def _by_contract(s: Scope) -> Q:
    # A change or an audit is between the two parties of one contract, like an event.
    return Q(contract__in=ids(CommissionContract, s))


def _assessments(s: Scope) -> Q:
    # The CMO (and its regulator) sees its line's assessments whole; an MAH only those notified to it
    # (art. 8), and of those only what is written for every MAH — the notice, the conclusion, the
    # controls and its own products' rows, never another holder's.
    q = Q(line__in=whole_lines(s))
    if s.mah:
        # A subquery, not a join through ``notices``: a join would repeat an assessment once per notice.
        q |= Q(pk__in=SharedLineNotice.objects.filter(mah_id__in=s.mah).values("assessment_id"))
    return q


def _notices(s: Scope) -> Q:
    q = Q(assessment__line__in=whole_lines(s))
    if s.mah:
        q |= Q(mah_id__in=s.mah)
    return q


def _product_risks(s: Scope) -> Q:
    return Q(assessment__in=ids(SharedLineAssessment, s)) & Q(product__in=ids(Product, s))


def _capas(s: Scope) -> Q:
    return (
        Q(event__in=ids(QualityEvent, s))
        | Q(assessment__in=ids(SharedLineAssessment, s))
        | Q(finding__in=ids(AuditFinding, s))
    )


def _capa_approvals(s: Scope) -> Q:
    # One MAH's approval is its own business: the CMO sees them all, each MAH only its own.
    q = Q(capa__assessment__line__in=whole_lines(s))
    if s.mah:
        q |= Q(mah_id__in=s.mah)
    return q


def _audit_rows(s: Scope) -> Q:
    return Q(audit__in=ids(Audit, s))


def register() -> None:
    for model, rule in (
        (QualityEvent, _quality_events),
        (Deviation, _event_rows),
        (Capa, _capas),
        (Reclassification, _reclassifications),
        (RetentionObligation, _retention_obligations),
        (Change, _by_contract),
        (SharedLineAssessment, _assessments),
        (SharedLineNotice, _notices),
        (SharedLineProductRisk, _product_risks),
        (CapaApproval, _capa_approvals),
        (Audit, _by_contract),
        (AuditFinding, _audit_rows),
    ):
        policy.register(model, rule)
