"""Every write of the compliance app: scans, re-checks after a change, and the findings they record.

A scan loads the facts in bulk (:func:`weituo.compliance.facts.load_facts`), evaluates the rules
(:func:`weituo.rules.evaluate`, pure) and records the findings (:func:`findings_record`): in one
transaction, new findings are created, changed ones updated, those no longer produced for a subject
the scan covered are closed, each change of outcome becomes a ``FindingEvent`` and an entry of the
audit ledger, and the scan itself is ledgered with its counts. A finding never applicable is not
stored (it is no obligation of that subject); one that was and stops applying is closed, not deleted.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weituo.access import policy
from weituo.access.parties import require_writer
from weituo.contracts.models import CommissionContract
from weituo.core.actors import Actor, system_actor
from weituo.core.errors import PermissionDenied
from weituo.core.i18n import messages
from weituo.core.selectors import working_calendar
from weituo.integrity.audited import object_type
from weituo.integrity.committed import Committed
from weituo.integrity.ledger import Change, ledger_append_many
from weituo.registry.models import Organisation
from weituo.rules import Finding as RuleFinding
from weituo.rules import Rule, Status, all_rules, evaluate

from .dependencies import Affected, affected_by, affected_by_changes, feeds_facts
from .facts import FactGraphs, load_facts
from .models import EventKind, Finding, FindingEvent, Outcome, Scan, ScopeKind

BATCH = 500
RECORDING_LOCK_KEY = 0x77746368656B  # "wtchek": serialises the recording of findings on PostgreSQL
CHUNK = 5000  # rows written at a time: bounds the memory of a national first scan
CONTENT_FIELDS = (
    "rule_version",
    "notice",
    "severity",
    "outcome",
    "bearer",
    "deadline",
    "provisional",
    "overdue",
    "deadline_basis",
    "facts",
    "parameters",
    "missing",
    "excepted_by",
    "reason_zh",
    "reason_en",
    "action_zh",
    "action_en",
    "error",
    "as_of",
    "digest",
    "scan",
    "contract",
    "enterprise",
    "mah",
    "cmo",
)
CLOSED_REASON_ZH = "不再评估：对象已不存在或不再属于检查范围"
CLOSED_REASON_EN = "no longer evaluated: the subject is gone or no longer in scope"


@dataclass
class ScanResult:
    """What a scan or a re-check did: the engine's findings, what it recorded, how long each step took."""

    as_of: dt.date
    findings: list[RuleFinding]
    graphs: FactGraphs
    scan: Scan | None = None  # None: not recorded (a dry run)
    changes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # load, evaluate, store, total

    def counts(self) -> dict[str, int]:
        counts = Counter(str(f.outcome) for f in self.findings)
        return {o.value: counts.get(o.value, 0) for o in Outcome}


def chosen_rules(include_draft: bool) -> tuple[Rule, ...]:
    return tuple(r for r in all_rules() if include_draft or r.status != Status.DRAFT)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a scan builds and evaluates its graphs.

    A national scan holds a million fact objects and creates as many findings; each full collection
    walks them all, for nothing — they form no cycles worth collecting until the scan is over (a
    third of the load time and a quarter of the evaluation). Reference counting still frees memory;
    the collector resumes after the scan."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _counting(graphs: Iterable[Any], progress: Callable[[int], None] | None) -> Iterator[Any]:
    for graph in graphs:
        yield graph
        if progress is not None:
            progress(1)


def _run(
    *,
    actor: Actor,
    graphs: FactGraphs,
    as_of: dt.date,
    include_draft: bool,
    store: bool,
    kind: str,
    scope_ref: str,
    everything: bool,
    started: float,
    load_seconds: float,
    progress: Callable[[int], None] | None,
) -> ScanResult:
    rules = chosen_rules(include_draft)
    t0 = time.perf_counter()
    findings = evaluate(
        _counting(graphs.subjects(), progress),
        as_of=as_of,
        calendar=working_calendar(),
        include_draft=include_draft,
        rules=rules,
    )
    t1 = time.perf_counter()
    result = ScanResult(as_of=as_of, findings=findings, graphs=graphs)
    if store:
        result.scan, result.changes = findings_record(
            actor=actor,
            graphs=graphs,
            findings=findings,
            rule_ids=[r.id for r in rules],
            as_of=as_of,
            kind=kind,
            scope_ref=scope_ref,
            include_draft=include_draft,
            everything=everything,
            started_at=timezone.now() - dt.timedelta(seconds=time.perf_counter() - started),
        )
    t2 = time.perf_counter()
    result.seconds = {"load": load_seconds, "evaluate": t1 - t0, "store": t2 - t1, "total": t2 - started}
    return result


def compliance_scan(
    *,
    actor: Actor,
    as_of: dt.date | None = None,
    organisation: Organisation | None = None,
    include_draft: bool = False,
    store: bool = True,
    progress: Callable[[int], None] | None = None,
    on_loaded: Callable[[int], None] | None = None,
) -> ScanResult:
    """Evaluate every rule on every contract and enterprise — or, given ``organisation``, on that
    enterprise and every contract it is a party to — as of a date (default: today, China time), and
    record the findings unless ``store`` is false. ``on_loaded(n)`` is told how many fact graphs
    there are before evaluation starts; ``progress(1)`` after each."""
    if not isinstance(actor, Actor):
        raise TypeError(f"a service needs an Actor (weituo.core.actors), not {actor!r}")
    as_of = as_of or timezone.localdate()
    with gc_paused():
        return _scan(
            actor=actor,
            as_of=as_of,
            organisation=organisation,
            include_draft=include_draft,
            store=store,
            progress=progress,
            on_loaded=on_loaded,
        )


def _scan(
    *,
    actor: Actor,
    as_of: dt.date,
    organisation: Organisation | None,
    include_draft: bool,
    store: bool,
    progress: Callable[[int], None] | None,
    on_loaded: Callable[[int], None] | None,
) -> ScanResult:
    started = time.perf_counter()
    if organisation is None:
        graphs = load_facts(as_of=as_of, everything=True)
        kind, scope_ref = Scan.Kind.FULL, ""
    else:
        contracts = CommissionContract.objects.filter(
            models.Q(mah_id=organisation.pk) | models.Q(cmo_id=organisation.pk)
        ).values_list("pk", flat=True)
        graphs = load_facts(as_of=as_of, contract_ids=list(contracts), enterprise_ids=[organisation.pk])
        kind, scope_ref = Scan.Kind.ORGANISATION, organisation.ref
    load_seconds = time.perf_counter() - started
    if on_loaded is not None:
        on_loaded(len(graphs))
    return _run(
        actor=actor,
        graphs=graphs,
        as_of=as_of,
        include_draft=include_draft,
        store=store,
        kind=kind,
        scope_ref=scope_ref,
        everything=organisation is None,
        started=started,
        load_seconds=load_seconds,
        progress=progress,
    )


def compliance_check_enterprise(*, actor: Actor, organisation: Organisation) -> ScanResult:
    """A person's "check now" for one enterprise (the web page): its writers, its province's
    regulators and the platform may run it, as of today; recorded under their name."""
    require_writer(actor)
    if not policy.sees_all_of(actor, organisation):
        raise PermissionDenied(
            code="permission_denied",
            **messages(
                gettext_lazy("only the enterprise itself, its provincial regulator and the platform may check it")
            ),
        )
    return compliance_scan(actor=actor, organisation=organisation)


def compliance_recheck(
    *, actor: Actor, changed: models.Model, as_of: dt.date | None = None, include_draft: bool = False
) -> ScanResult:
    """Re-evaluate only what depends on ``changed`` (a record just written): the contracts and the
    enterprises whose facts it feeds (:func:`weituo.compliance.dependencies.affected_by`), and record
    the findings. A change to the working-day calendar re-checks everything."""
    return compliance_recheck_affected(
        actor=actor,
        affected=affected_by(changed),
        scope_ref=f"{object_type(type(changed))}:{changed.pk}",
        as_of=as_of,
        include_draft=include_draft,
    )


def compliance_recheck_affected(
    *, actor: Actor, affected: Affected, scope_ref: str, as_of: dt.date | None = None, include_draft: bool = False
) -> ScanResult:
    """Re-evaluate the contracts and enterprises ``affected`` names and record the findings."""
    if not isinstance(actor, Actor):
        raise TypeError(f"a service needs an Actor (weituo.core.actors), not {actor!r}")
    as_of = as_of or timezone.localdate()
    started = time.perf_counter()
    if affected.everything:
        return compliance_scan(actor=actor, as_of=as_of, include_draft=include_draft)
    graphs = load_facts(as_of=as_of, contract_ids=affected.contract_ids, enterprise_ids=affected.enterprise_ids)
    return _run(
        actor=actor,
        graphs=graphs,
        as_of=as_of,
        include_draft=include_draft,
        store=True,
        kind=Scan.Kind.RECHECK,
        scope_ref=scope_ref[:200],
        everything=False,
        started=started,
        load_seconds=time.perf_counter() - started,
        progress=None,
    )


def compliance_recheck_committed(changes: Sequence[Committed]) -> ScanResult | None:
    """After a transaction commits: re-check what its changes feed (``integrity.committed`` observer).

    The findings are recorded by the system on behalf of the change's author, in a transaction of
    their own; a transaction that changed no fact (a login, a finding) re-checks nothing. Runs in
    the request that wrote (a ≤ 100 ms re-check, ``benchmarks/rules.py``)."""
    feeding = [c for c in changes if feeds_facts(c.object_type)]
    affected = affected_by_changes([(c.object_type, c.object_id, c.old) for c in feeding])
    if not (affected.everything or affected.contract_ids or affected.enterprise_ids):
        return None
    authors = sorted({c.actor for c in feeding})
    first = feeding[0]
    actor = system_actor(f"re-check after a change by {', '.join(authors)[:80]}")
    with transaction.atomic():
        return compliance_recheck_affected(
            actor=actor,
            affected=affected,
            scope_ref=f"{first.object_type}:{first.object_id}" + (f" +{len(feeding) - 1}" if len(feeding) > 1 else ""),
        )


# --------------------------------------------------------------------------------------------------
# recording


def _key_of(finding: RuleFinding) -> tuple[str, str, str, str]:
    subject = finding.subject
    scope = subject.get("contract") or subject.get("enterprise") or ""
    return (finding.rule_id, subject["kind"], subject.get("ref") or "", scope)


def _content(finding: RuleFinding) -> dict[str, Any]:
    """What a finding row holds, JSON-ready (the engine keeps facts and parameters plain already)."""
    return {
        "rule_version": finding.version,
        "notice": finding.notice,
        "severity": str(finding.severity),
        "outcome": str(finding.outcome),
        "bearer": finding.bearer,
        "deadline": finding.deadline,
        "provisional": finding.provisional,
        "overdue": finding.overdue,
        "deadline_basis": finding.deadline_basis[:300],
        "facts": dict(finding.facts),
        "parameters": dict(finding.parameters),
        "missing": [m.to_dict() for m in finding.missing],
        "excepted_by": list(finding.excepted_by),
        "reason_zh": finding.reason_zh,
        "reason_en": finding.reason_en,
        "action_zh": finding.action_zh,
        "action_en": finding.action_en,
        "error": finding.error or "",
        "as_of": finding.as_of,
    }


def _digest(content: dict[str, Any]) -> str:
    """Of what the rule said, not of when: the date of evaluation is left out, so an unchanged answer
    on a later day is not rewritten."""
    body = {k: v for k, v in content.items() if k != "as_of"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _event_kind(old: str | None, new: str) -> str:
    if new == Outcome.NOT_APPLICABLE:
        return EventKind.CLOSED
    if new == Outcome.MET:
        return EventKind.MET
    if old is None:
        return EventKind.OPENED
    if old in (Outcome.MET, Outcome.NOT_APPLICABLE):
        return EventKind.REOPENED
    return EventKind.CHANGED


@dataclass
class _Pending:
    finding: Finding
    kind: str
    old: str | None


@dataclass
class _Writer:
    """Writes a scan's rows chunk by chunk, so that a national first scan holds one chunk of model
    instances at a time; the scan row is saved before the first write (a re-check that writes
    nothing saves nothing)."""

    actor: Actor
    scan: Scan
    now: dt.datetime
    changes: int = 0

    def write(self, to_create: list[Finding], to_update: list[Finding], pending: list[_Pending]) -> None:
        if not (to_create or to_update):
            return
        if self.scan.pk is None:
            self.scan.save()
        for row in (*to_create, *to_update):
            row.scan = self.scan
        Finding.objects.bulk_create(to_create, batch_size=BATCH)
        for row in to_update:
            row.updated_at = self.now  # bulk_update does not run auto_now
        Finding.objects.bulk_update(to_update, [*CONTENT_FIELDS, "updated_at"], batch_size=BATCH)
        if not pending:
            return
        as_of = self.scan.as_of
        entries = ledger_append_many(
            actor=self.actor,
            changes=[
                Change(
                    action=f"finding_{p.kind}",
                    object_type=object_type(Finding),
                    object_id=str(p.finding.pk),
                    old={"outcome": p.old} if p.old else {},
                    new={
                        "outcome": p.finding.outcome,
                        "rule_id": p.finding.rule_id,
                        "subject": f"{p.finding.subject_kind}:{p.finding.subject_ref}",
                        "scope": f"{p.finding.scope_kind}:{p.finding.scope_ref}",
                        "deadline": p.finding.deadline,
                        "as_of": as_of,
                    },
                    reason=p.finding.reason_en[:500],
                )
                for p in pending
            ],
        )
        FindingEvent.objects.bulk_create(
            [
                FindingEvent(
                    finding=p.finding,
                    kind=p.kind,
                    outcome_from=p.old or "",
                    outcome_to=p.finding.outcome,
                    deadline=p.finding.deadline,
                    as_of=as_of,
                    at=self.now,
                    actor=self.actor.label,
                    scan=self.scan,
                    ledger_seq=entry.seq,
                    reason_en=p.finding.reason_en,
                )
                for p, entry in zip(pending, entries, strict=True)
            ],
            batch_size=BATCH,
        )
        self.changes += len(pending)


@transaction.atomic
def findings_record(
    *,
    actor: Actor,
    graphs: FactGraphs,
    findings: list[RuleFinding],
    rule_ids: list[str],
    as_of: dt.date,
    kind: str,
    scope_ref: str = "",
    include_draft: bool = False,
    everything: bool = False,
    started_at: dt.datetime | None = None,
) -> tuple[Scan | None, int]:
    """Record the findings of a scan over ``graphs`` (all of them when ``everything``); returns the
    scan and the number of changes of outcome, each ledgered in this transaction.

    A scan someone ran is recorded even when it changes nothing (who checked what, when); an
    automatic re-check after a change is recorded only if it changes a finding (``None`` otherwise)."""
    now = timezone.now()
    counts = Counter(str(f.outcome) for f in findings)
    scan = Scan(
        kind=kind,
        scope_ref=scope_ref,
        as_of=as_of,
        include_draft=include_draft,
        actor=actor.label,
        started_at=started_at or now,
        subjects=len(graphs),
        findings=len(findings),
        counts={o.value: counts.get(o.value, 0) for o in Outcome},
    )
    writer = _Writer(actor, scan, now)
    if connection.vendor == "postgresql":  # one recording at a time (SQLite: BEGIN IMMEDIATE already)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECORDING_LOCK_KEY])
    # The findings the scan answers for: of its rules (a draft rule left out keeps its findings), and of
    # rules the engine no longer has (withdrawn: closed like any finding no longer produced).
    left_out = {r.id for r in all_rules()} - set(rule_ids)
    existing_qs = Finding.objects.exclude(rule_id__in=left_out)
    if not everything:
        existing_qs = existing_qs.filter(
            models.Q(scope_kind=ScopeKind.CONTRACT, scope_ref__in=[c.ref for c in graphs.contracts])
            | models.Q(scope_kind=ScopeKind.ENTERPRISE, scope_ref__in=[e.ref for e in graphs.enterprises])
        )
    existing = {
        (r[1], r[2], r[3], r[4]): (r[0], r[5], r[6])
        for r in existing_qs.values_list(
            "id", "rule_id", "subject_kind", "subject_ref", "scope_ref", "outcome", "digest"
        )
    }
    org_ids = graphs.organisation_ids
    to_create: list[Finding] = []
    to_update: list[Finding] = []
    pending: list[_Pending] = []
    seen: set[tuple[str, str, str, str]] = set()
    for finding in findings:
        key = _key_of(finding)
        seen.add(key)
        outcome = str(finding.outcome)
        before = existing.get(key)
        if before is None and outcome == Outcome.NOT_APPLICABLE:
            continue
        content = _content(finding)
        digest = _digest(content)
        if before is not None and before[2] == digest:
            continue
        rule_id, subject_kind, subject_ref, scope = key
        if subject_kind in ("contract", "agreement", "product"):
            contract_id, mah_id, cmo_id = graphs.contract_ids.get(scope, (None, None, None))
            links = {"scope_kind": ScopeKind.CONTRACT, "contract_id": contract_id, "mah_id": mah_id, "cmo_id": cmo_id}
        else:
            links = {"scope_kind": ScopeKind.ENTERPRISE, "enterprise_id": org_ids.get(scope)}
        row = Finding(
            rule_id=rule_id,
            subject_kind=subject_kind,
            subject_ref=subject_ref,
            scope_ref=scope,
            digest=digest,
            **links,
            **content,
        )
        if before is None:
            to_create.append(row)
            pending.append(_Pending(row, _event_kind(None, outcome), None))
        else:
            row.pk = before[0]
            to_update.append(row)
            if before[1] != outcome:
                pending.append(_Pending(row, _event_kind(before[1], outcome), before[1]))
        if len(to_create) + len(to_update) >= CHUNK:
            writer.write(to_create, to_update, pending)
            to_create, to_update, pending = [], [], []
    writer.write(to_create, to_update, pending)
    # Findings the scan covered and did not produce: their subject is gone (a product taken off the
    # contract, a line removed, an agreement replaced by a new version) — closed, with the date.
    stale = [pk for key, (pk, outcome, _) in existing.items() if key not in seen and outcome != Outcome.NOT_APPLICABLE]
    for start in range(0, len(stale), CHUNK):
        closed = list(Finding.objects.filter(pk__in=stale[start : start + CHUNK]))
        pending = []
        for row in closed:
            pending.append(_Pending(row, EventKind.CLOSED, row.outcome))
            row.outcome = Outcome.NOT_APPLICABLE
            row.reason_zh, row.reason_en = CLOSED_REASON_ZH, CLOSED_REASON_EN
            row.action_zh = row.action_en = ""
            row.deadline, row.provisional, row.overdue, row.deadline_basis = None, False, False, ""
            row.as_of = as_of
            row.digest = _digest({"closed": True})
        writer.write([], closed, pending)

    if scan.pk is None:
        if kind == Scan.Kind.RECHECK:
            return None, 0  # an automatic re-check that changed nothing leaves no trace
        scan.save()
    scan.changes = writer.changes
    scan.finished_at = timezone.now()
    scan.save(update_fields=["changes", "finished_at", "updated_at"])
    ledger_append_many(
        actor=actor,
        changes=[
            Change(
                action="compliance_scan",
                object_type=object_type(Scan),
                object_id=str(scan.pk),
                new={
                    "kind": kind,
                    "scope": scope_ref,
                    "as_of": as_of,
                    "include_draft": include_draft,
                    "subjects": scan.subjects,
                    "findings": scan.findings,
                    "changes": scan.changes,
                    "counts": scan.counts,
                },
            )
        ],
    )
    return scan, writer.changes
