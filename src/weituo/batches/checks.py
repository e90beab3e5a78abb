"""What a release needs, read from the database without an actor: the services check it before a
release, and the selectors show it to those who may see the batch.

Deliberately not narrowed by the visibility policy: a release check must see every blocker, whoever
asks.

What the workflows above this app add (an open deviation or OOS blocks a release, art. 12; a
deviation needs its record in the package) they register here when Django starts
(``register_release_check``), so batches imports none of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.utils.translation import gettext_lazy

from weituo.core.errors import ErrorDetail
from weituo.core.i18n import detail
from weituo.integrity.canonical import canonical_bytes

from .choices import DocumentKind, ReleaseStep
from .models import Batch

# A check returns what it finds missing or open for a batch; ``blocks`` (open records that stop any
# release) are listed first, ``package`` problems (what the release package lacks) with the package.
Check = Callable[[Batch], list[ErrorDetail]]
_BLOCKING: list[Check] = []
_PACKAGE: list[Check] = []


def register_release_check(*, blocks: Check | None = None, package: Check | None = None) -> None:
    """Add a workflow's release checks (called from its ``AppConfig.ready``, once)."""
    for check, checks in ((blocks, _BLOCKING), (package, _PACKAGE)):
        if check is not None and check not in checks:
            checks.append(check)


def package_problems(batch: Batch) -> list[ErrorDetail]:
    """What is missing from the release package (empty: complete)."""
    problems = []
    kinds = set(batch.documents.values_list("kind", flat=True))
    for kind, missing in (
        (DocumentKind.BATCH_RECORD, gettext_lazy("the batch production record is missing")),
        (DocumentKind.TEST_RECORD, gettext_lazy("the batch test record is missing")),
    ):
        if kind not in kinds:
            problems.append(detail(missing, field="documents"))
    results = list(batch.test_results.all())
    if not results:
        problems.append(detail(gettext_lazy("no structured test result"), field="test_results"))
    for r in results:
        if not r.passed:
            problems.append(
                detail(
                    gettext_lazy("test '%(test)s' failed (%(result)s; specification: %(specification)s)"),
                    test=r.test_name,
                    result=r.result,
                    specification=r.specification,
                    field="test_results",
                )
            )
    for check in _PACKAGE:
        problems += check(batch)
    return problems


def release_problems(batch: Batch, step: str) -> list[ErrorDetail]:
    """Every reason the batch cannot be released at ``step`` now (empty: it can)."""
    problems = [problem for check in _BLOCKING for problem in check(batch)]
    problems += package_problems(batch)
    if step == ReleaseStep.MARKET and not batch.decisions.filter(step=ReleaseStep.FACTORY).exists():
        problems.append(detail(gettext_lazy("the batch has not been factory released"), field="status"))
    return problems


def package_digest(batch: Batch) -> str:
    """SHA-256 of the release package's content: each file's hash and each structured result."""
    content = {
        "documents": sorted([d.kind, d.title, d.sha256, d.event_id or 0] for d in batch.documents.all()),
        "results": [[r.test_name, r.specification, r.result, r.passed] for r in batch.test_results.order_by("pk")],
    }
    return hashlib.sha256(canonical_bytes(content)).hexdigest()
