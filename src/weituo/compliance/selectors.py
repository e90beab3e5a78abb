"""Every read of the compliance app, each taking the ``actor`` and applying the visibility policy.

* The findings about a contract (its agreement, its products) are visible to whoever may see the
  contract (``policy.visible(actor, CommissionContract)``): its two parties, the regulators of their
  provinces, the platform.
* The findings about an enterprise of its own (its lines, its key persons) are visible to whoever
  sees all of that enterprise (``policy.sees_all_of``): the enterprise itself, its province's
  regulator, the platform — not a counterparty, which sees another enterprise at name and licence
  level only.
* 我的待办 lists the findings not met that the actor's organisations must act on (``bearer``): a
  party's writers see their side's and both parties', never the other side's alone.
* A self-inspection report is the enterprise's own document: it exists for the enterprise, its
  regulator and the platform; for anyone else it is ``NotFound``, as if it did not exist.
* In a report read by a commissioning party that does not see all of its CMO, the facts the policy
  keeps from it are withheld: the CMO's key persons' years (from their CVs) and the other holders'
  products of the same generic name at the CMO.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import writer_orgs
from weituo.contracts.models import CommissionContract
from weituo.core.actors import Actor
from weituo.core.deadlines import Deadline
from weituo.core.errors import NotFound
from weituo.core.i18n import not_found, pick
from weituo.core.roles import Party
from weituo.quality.deadlines import end_of_day
from weituo.registry.choices import KeyRole
from weituo.registry.models import Appointment, Organisation
from weituo.rules import get_rule

from .models import APPLICABLE_OUTCOMES, Bearer, Finding, Outcome, Scan, ScopeKind, SubjectKind
from .report import ReportItem, SelfInspectionReport, build_report

# Rules whose facts (and reasons) carry what the policy keeps from the commissioning party.
CV_YEARS_RULES = frozenset({"134-17.key-persons", "134-17.key-persons-same-type"})
OTHER_HOLDERS_FACTS = frozenset({"same_name_products"})
FINDING_KIND = "finding"  # in 我的待办: a compliance finding not met, to rectify
MAX_OWED = 500  # a national regulator's list is a page of the worst, not every finding of the nation


def _not_found(ref: str) -> NotFound:
    return not_found(gettext_lazy("self-inspection report of"), ref)


def finding_list(
    *, actor: Actor, organisation: Organisation | None = None, outcomes: tuple[str, ...] = APPLICABLE_OUTCOMES
) -> QuerySet[Finding]:
    """The stored findings the actor may see (of one enterprise: its own and its contracts')."""
    qs = Finding.objects.filter(outcome__in=outcomes)
    if not policy.sees_everything(actor):
        scope = policy.Scope.of(actor)
        contracts = policy.visible(actor, CommissionContract).values("pk")
        qs = qs.filter(
            Q(scope_kind=ScopeKind.CONTRACT, contract__in=contracts)
            | Q(scope_kind=ScopeKind.ENTERPRISE, enterprise__in=Organisation.objects.filter(scope.home()).values("pk"))
        )
    if organisation is not None:
        qs = qs.filter(Q(enterprise=organisation) | Q(mah=organisation) | Q(cmo=organisation))
    return qs.order_by("scope_kind", "scope_ref", "rule_id", "subject_ref")


def report_organisation(*, actor: Actor, ref: str) -> Organisation:
    """The enterprise whose self-inspection report the actor may read, or ``NotFound``."""
    org = policy.visible(actor, Organisation).filter(ref=ref).first()
    if org is None or not policy.sees_all_of(actor, org):
        raise _not_found(ref)
    return org


def _last_scan(org: Organisation) -> Scan | None:
    return (
        Scan.objects.filter(Q(kind=Scan.Kind.FULL) | Q(kind=Scan.Kind.ORGANISATION, scope_ref=org.ref))
        .order_by("-started_at", "-id")
        .first()
    )


def head_of_quality(*, organisation: Organisation, as_of: dt.date) -> tuple[str, str] | None:
    """(name, ref) of the person in post as head of quality on ``as_of``, if any."""
    appointment = (
        Appointment.objects.filter(person__organisation=organisation, role=KeyRole.HEAD_OF_QUALITY, since__lte=as_of)
        .filter(Q(until__isnull=True) | Q(until__gte=as_of))
        .select_related("person")
        .order_by("-since")
        .first()
    )
    return (appointment.person.name, appointment.person.ref) if appointment else None


def self_inspection_report(*, actor: Actor, ref: str) -> SelfInspectionReport:
    """The self-inspection report (art. 25) of the enterprise ``ref`` from its stored findings."""
    org = report_organisation(actor=actor, ref=ref)
    rows = list(
        Finding.objects.filter(Q(enterprise=org) | Q(mah=org) | Q(cmo=org), outcome__in=APPLICABLE_OUTCOMES).order_by(
            "scope_ref", "rule_id", "subject_ref"
        )
    )
    contract_ids = {f.contract_id for f in rows if f.contract_id}
    contracts = {c.ref: c for c in CommissionContract.objects.filter(pk__in=contract_ids).select_related("mah", "cmo")}
    items = []
    for f in rows:
        item = ReportItem.from_stored(f)
        contract = contracts.get(f.scope_ref) if f.scope_kind == ScopeKind.CONTRACT else None
        if contract is not None and not policy.sees_all_of(actor, contract.cmo):
            if f.rule_id in CV_YEARS_RULES:
                item = item.withheld([k for k in item.facts if k.endswith("_years")], reason=True)
            elif OTHER_HOLDERS_FACTS & set(item.facts):
                item = item.withheld(OTHER_HOLDERS_FACTS)
        items.append(item)
    scan = _last_scan(org)
    now = timezone.now()
    today = timezone.localdate()
    return build_report(
        enterprise={
            "ref": org.ref,
            "name": org.name,
            "uscc": org.uscc,
            "province": org.province,
            "roles": [
                r
                for r, on in (
                    ("mah", org.is_mah),
                    ("cmo", org.is_cmo),
                    ("registrant", org.is_registrant),
                    ("device_cmo", org.is_device_cmo),
                    ("testing_lab", org.is_testing_lab),
                )
                if on
            ],
        },
        items=items,
        contracts={
            ref: {
                "number": c.number,
                "role": "mah" if c.mah_id == org.pk else "cmo",
                "counterparty": c.cmo.name if c.mah_id == org.pk else c.mah.name,
            }
            for ref, c in contracts.items()
        },
        as_of=scan.as_of if scan else None,
        head_of_quality=head_of_quality(organisation=org, as_of=scan.as_of if scan else today),
        generated_at=now,
    )


def _count(field: str, outcomes: tuple[str, ...]) -> Coalesce:
    rows = (
        Finding.objects.filter(**{field: OuterRef("pk")}, outcome__in=outcomes)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def enterprise_overview(*, actor: Actor, province: str = "", search: str = "") -> QuerySet[Organisation]:
    """The enterprises whose reports the actor may read — its own; for a regulator, its province's —
    each with ``open_findings`` (not met + needs information), ``not_met`` and ``needs_information``
    over its own findings and its contracts', and ``checked_on`` (the date of its latest evaluation;
    None: never checked — shown apart from a clean result, never as 0/0/0), in one query. Enterprises
    with open findings come first, then those never checked, then the clean ones."""
    qs = Organisation.objects.all()
    if not policy.sees_everything(actor):
        qs = qs.filter(policy.Scope.of(actor).home())
    if province:
        qs = qs.filter(province=province)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(ref__iexact=search) | Q(uscc__iexact=search))
    annotations = {}
    for name, outcomes in (("not_met", (Outcome.NOT_MET,)), ("needs_information", (Outcome.NEEDS_INFORMATION,))):
        annotations[name] = _count("enterprise", outcomes) + _count("mah", outcomes) + _count("cmo", outcomes)
    never = Value(NEVER, output_field=DateField())
    latest = Greatest(*(Coalesce(_latest(field), never) for field in ("enterprise", "mah", "cmo")))
    return (
        qs.annotate(**annotations)
        .annotate(open_findings=F("not_met") + F("needs_information"), checked_on=NullIf(latest, never))
        .annotate(unchecked=Case(When(checked_on__isnull=True, then=Value(1)), default=Value(0)))
        .order_by("-open_findings", "-unchecked", "name")
    )


# A date before any evaluation: SQLite's MAX(a, b) is NULL when any argument is, so each side is
# coalesced to it before taking the latest, and it is turned back into NULL after.
NEVER = dt.date(1900, 1, 1)


def _latest(field: str) -> Subquery:
    rows = Finding.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(d=Max("as_of"))
    return Subquery(rows.values("d"), output_field=DateField())


def _owed_by(actor: Actor) -> Q | None:
    """The findings not met that the actor's organisations must act on: their side of a contract's
    (the MAH's, the CMO's, both parties'), their enterprise's own, and — for a regulator — the
    province's time limits for the CMOs of its province. None: the actor owes nothing (a viewer)."""
    parties = writer_orgs(actor)
    owed = []
    if parties[Party.MAH]:
        owed.append(Q(bearer__in=(Bearer.MAH, Bearer.PARTIES), mah__in=parties[Party.MAH]))
    if parties[Party.CMO]:
        owed.append(Q(bearer__in=(Bearer.CMO, Bearer.PARTIES), cmo__in=parties[Party.CMO]))
    if own := actor.writer_organisations():
        owed.append(Q(bearer=Bearer.ENTERPRISE, enterprise__in=own))
    if provinces := actor.provinces:
        owed.append(Q(bearer=Bearer.REGULATOR, cmo__province__in=provinces))
    return reduce(operator.or_, owed) if owed else None


def finding_title(finding: Finding) -> str:
    """The rule's title in the reader's language, and what it is about (the contract by the number
    the parties use, a product, a line…)."""
    try:
        rule = get_rule(finding.rule_id)
    except LookupError:  # a rule retired since the finding was recorded: its id still names it
        title = finding.rule_id
    else:
        title = pick(rule.title_zh, rule.title_en)
    if finding.subject_kind in (SubjectKind.CONTRACT, SubjectKind.AGREEMENT) or not finding.subject_ref:
        return title
    return f"{title} · {finding.get_subject_kind_display()} {finding.subject_ref}"


def finding_deadlines(*, actor: Actor, at: dt.datetime) -> list[Deadline]:
    """The findings not met that the actor's organisations must act on, for 我的待办 (kind
    ``finding``): due by the rule's deadline, or by art. 25's for a commission being rectified."""
    owed = _owed_by(actor)
    if owed is None:
        return []
    items = []
    rows = Finding.objects.filter(owed, outcome=Outcome.NOT_MET).select_related("contract")
    for finding in rows.order_by("deadline", "scope_ref", "rule_id")[:MAX_OWED]:
        due = end_of_day(finding.deadline) if finding.deadline else None
        items.append(
            Deadline(
                kind=FINDING_KIND,
                ref=finding.contract.number if finding.contract else finding.scope_ref,
                title=finding_title(finding)[:120],
                record=finding,
                due_at=due,
                provisional=finding.provisional,
                overdue=bool(due and due < at),
            )
        )
    return items


@dataclass(frozen=True)
class FindingRow:
    """One finding as a page shows it: the rule's title, reason and action in the reader's language."""

    finding: Finding
    title: str
    reason: str
    action: str


@dataclass(frozen=True)
class ContractFindings:
    """What the last scan or re-check said about a contract: the findings open first, and when."""

    rows: list[FindingRow]
    counts: dict[str, int]
    checked: bool  # False: never checked (not the same as nothing found)


def contract_findings(*, actor: Actor, contract: CommissionContract) -> ContractFindings:
    """The findings about a contract, its agreement and its products, for whoever sees the contract:
    not met first, then needing information, then met; each soonest due first."""
    visible = policy.visible(actor, CommissionContract).filter(pk=contract.pk).values("pk")
    findings = list(  # one query: a contract the actor may not see has no findings for it
        Finding.objects.filter(scope_kind=ScopeKind.CONTRACT, contract__in=visible, outcome__in=APPLICABLE_OUTCOMES)
    )
    order = {Outcome.NOT_MET: 0, Outcome.NEEDS_INFORMATION: 1, Outcome.MET: 2}
    far = dt.date.max
    findings.sort(key=lambda f: (order[f.outcome], f.deadline or far, f.rule_id, f.subject_ref))
    counts = {o: sum(1 for f in findings if f.outcome == o) for o in order}
    rows = [
        FindingRow(f, finding_title(f), pick(f.reason_zh, f.reason_en), pick(f.action_zh, f.action_en))
        for f in findings
    ]
    return ContractFindings(rows, counts, checked=bool(findings))
