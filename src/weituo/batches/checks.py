"""What a release needs, read from the database without an actor: the services check it before a
release, and the selectors show it to those who may see the batch.

Deliberately not narrowed by the visibility policy: a release check must see every blocker, whoever
asks.
"""

from __future__ import annotations

import hashlib

from weituo.core.errors import ErrorDetail
from weituo.integrity.canonical import canonical_bytes
from weituo.quality.choices import EventCategory, EventStatus
from weituo.quality.selectors import blocking_events

from .choices import DocumentKind, ReleaseStep
from .models import Batch


def package_problems(batch: Batch) -> list[ErrorDetail]:
    """What is missing from the release package (empty: complete)."""
    problems = []
    kinds = set(batch.documents.values_list("kind", flat=True))
    for kind, zh, en in (
        (DocumentKind.BATCH_RECORD, "缺少批生产记录", "the batch production record is missing"),
        (DocumentKind.TEST_RECORD, "缺少批检验记录", "the batch test record is missing"),
    ):
        if kind not in kinds:
            problems.append(ErrorDetail(zh, en, field="documents"))
    results = list(batch.test_results.all())
    if not results:
        problems.append(ErrorDetail("缺少结构化检验结果", "no structured test result", field="test_results"))
    for r in results:
        if not r.passed:
            problems.append(
                ErrorDetail(
                    f"检验项目「{r.test_name}」不符合规定（{r.result}；标准：{r.specification}）",
                    f"test {r.test_name!r} failed ({r.result}; specification: {r.specification})",
                    field="test_results",
                )
            )
    recorded = set(batch.documents.filter(kind=DocumentKind.DEVIATION_RECORD).values_list("event_id", flat=True))
    deviations = batch.quality_events.filter(category=EventCategory.DEVIATION).exclude(status=EventStatus.WITHDRAWN)
    for event in deviations.order_by("raised_at", "ref"):
        if event.pk not in recorded:
            problems.append(
                ErrorDetail(
                    f"缺少偏差 {event.ref} 的偏差调查记录",
                    f"the deviation record of {event.ref} is missing",
                    field="documents",
                )
            )
    return problems


def release_problems(batch: Batch, step: str) -> list[ErrorDetail]:
    """Every reason the batch cannot be released at ``step`` now (empty: it can)."""
    problems = [
        ErrorDetail(
            f"{event.get_category_display()} {event.ref}「{event.title}」尚未关闭",
            f"{event.category} {event.ref} ({event.title}) is still open",
            field="quality_events",
        )
        for event in blocking_events(batch=batch)
    ]
    problems += package_problems(batch)
    if step == ReleaseStep.MARKET and not batch.decisions.filter(step=ReleaseStep.FACTORY).exists():
        problems.append(ErrorDetail("尚未出厂放行", "the batch has not been factory released", field="status"))
    return problems


def package_digest(batch: Batch) -> str:
    """SHA-256 of the release package's content: each file's hash and each structured result."""
    content = {
        "documents": sorted([d.kind, d.title, d.sha256, d.event_id or 0] for d in batch.documents.all()),
        "results": [[r.test_name, r.specification, r.result, r.passed] for r in batch.test_results.order_by("pk")],
    }
    return hashlib.sha256(canonical_bytes(content)).hexdigest()
