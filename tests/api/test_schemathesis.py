"""Fuzzing the REST API from its own OpenAPI schema (schemathesis), in-process through Django's WSGI
handler, with the tokens of a platform admin and of a CMO's QA (so that writes get past the
permission checks into the services).

Each operation gets valid and invalid requests (schemathesis' positive and negative modes, its
examples and fuzzing phases); every response must be a documented status, with a documented
content type and a body that conforms to the operation's response schema, and never a 500.

Bounded for the normal suite: ``MAX_EXAMPLES`` per operation and phase, a per-example deadline,
derandomized (the same cases on every run: no flaky CI). Search harder locally with more examples
and new cases each run: ``WEITUO_FUZZ_EXAMPLES=200 WEITUO_FUZZ_RANDOM=1 pytest -s tests/api/test_schemathesis.py``.

The database: the test runs inside pytest-django's transaction (``transaction=False``: the ledger
refuses the DELETE/TRUNCATE a transactional test would flush with), on the module's world. The
requests run in this thread on this connection, so Django's closing of connections at the end
of each request is switched off for the test, as Django's own test client does.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks

MAX_EXAMPLES = int(os.environ.get("WEITUO_FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("WEITUO_FUZZ_RANDOM") == "1"  # new cases on every run, for a local search
# The platform admin sees everything and may change the registry; the CMO's QA is a party to its
# agreements (the admin is not, so the matrix and the list refuse it) and plans its line.
FUZZERS = ("zheng.admin", "wang.cmo")

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
        # The coverage phase enumerates every boundary of every parameter (hundreds of cases per
        # operation): too slow for the normal suite. The stateful phase needs links we do not declare.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
STATUSES: Counter = Counter()


# Loaded when the module is collected: serving the schema reads no database. (Not through
# ``schemathesis.pytest.from_fixture``: its lazy loader uses a pytest internal that pytest 9.2 renamed.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=CONFIG)


# Random refs almost never name a record, so every request would stop at a 404. Half the time, a ref
# (in the path, a filter or the body) is swapped for one of the world's, so that requests get past
# the lookups into the selectors and the services.
KNOWN = {
    "organisations": ["ORG-MAH", "ORG-CMO", "ORG-MAH2", "ORG-CMO2"],
    "sites": ["SITE-1", "SITE-2"],
    "workshops": ["WS-1", "WS-2"],
    "lines": ["LINE-1", "LINE-2"],
    "products": ["P-1", "P-2", "P-3"],
    "licences": ["LIC-MAH", "LIC-CMO"],
    "people": ["PER-QP", "PER-MQA", "PER-QP2"],
    "inspections": ["INSP-1"],
    "contracts": ["CON-1", "CON-2"],
    "quality-agreements": ["QA-1", "QA-2"],
    "tech-transfers": ["TT-1"],
    "evaluations": ["EVAL-1"],
    "changes": ["CHG-1"],  # none in the world: a change path stops at 404 (its writes are tested by refs)
    "audits": ["AUD-1"],  # planned by the fixture ``an_audit`` below
    # the fixture ``a_shared_line_assessment`` below adds its (generated) ref to both
    "assessments": ["SLA-NONE"],
    "notices": ["SLA-NONE"],
    "events": ["QE-FUZZ"],  # raised by the fixture ``a_batch_and_a_deviation`` below
    "batches": ["B-FUZZ"],
}
COLLECTION_OF_FIELD = {
    "organisation": "organisations",
    "holder": "organisations",
    "mah": "organisations",
    "cmo": "organisations",
    "site": "sites",
    "line": "lines",
    "lines": "lines",
    "product": "products",
    "products": "products",
    "contract": "contracts",
    "mah_contact": "people",
    "cmo_contact": "people",
}


def with_known_refs(values, collection_of) -> st.SearchStrategy:
    if not isinstance(values, dict):
        return st.just(values)
    parts = {}
    for name, value in values.items():
        collection = collection_of(name)
        if collection is None:
            parts[name] = st.just(value)
        elif isinstance(value, list):
            known = st.lists(st.sampled_from(KNOWN[collection]), min_size=1, max_size=3, unique=True)
            parts[name] = st.one_of(st.just(value), known)
        else:
            parts[name] = st.one_of(st.just(value), st.sampled_from(KNOWN[collection]))
    return st.fixed_dictionaries(parts)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    # /api/v1/<collection>/{ref}[/…/{product}]
    collection = context.operation.path.split("{ref}")[0].rstrip("/").rsplit("/", 1)[-1]
    return with_known_refs(path_parameters, lambda name: collection if name == "ref" else COLLECTION_OF_FIELD.get(name))


@schema.hook
def flatmap_query(context, query):
    return with_known_refs(query, COLLECTION_OF_FIELD.get)


@schema.hook
def flatmap_body(context, body):
    return with_known_refs(body, COLLECTION_OF_FIELD.get)


@pytest.fixture
def connection_kept_open():
    """Requests run on the test's own connection, inside its transaction: keep Django from closing
    it at the end of each request (as ``django.test.Client`` does)."""
    started = signals.request_started.disconnect(close_old_connections)
    finished = signals.request_finished.disconnect(close_old_connections)
    yield
    if started:
        signals.request_started.connect(close_old_connections)
    if finished:
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def an_audit(world, django_db_blocker):
    """An audit of CON-1 (AUD-1), so that the audit operations get past the lookup into the services
    (rolled back with the module's world)."""
    import datetime

    from tests.exchange.dataset import SYSTEM
    from weituo.contracts.models import CommissionContract
    from weituo.quality import services as quality_services

    with django_db_blocker.unblock():
        quality_services.audit_plan(
            actor=SYSTEM,
            contract=CommissionContract.objects.get(ref="CON-1"),
            mode="on_site",
            scope="schemathesis",
            auditors="fuzz",
            planned_on=datetime.date(2026, 9, 1),
            ref="AUD-1",
        )


@pytest.fixture(scope="module", autouse=True)
def a_batch_and_a_deviation(world, django_db_blocker):
    """A batch of CON-1 (B-FUZZ) with a major deviation on it (QE-FUZZ) and the QPs, so that the
    quality-event and batch operations get past their lookups (rolled back with the module's world)."""
    from .quality_world import add_fuzz_records

    with django_db_blocker.unblock():
        add_fuzz_records(world)


@pytest.fixture(scope="module", autouse=True)
def a_shared_line_assessment(world, django_db_blocker):
    """An assessment of LINE-1 notified to its MAHs, with a CAPA, so that the shared-line operations
    get past their lookups (its ref is generated: added to KNOWN; rolled back with the world)."""
    import datetime

    from tests.exchange.dataset import SYSTEM
    from weituo.quality import services as quality_services
    from weituo.registry.models import Line

    with django_db_blocker.unblock():
        a = quality_services.assessment_start(
            actor=SYSTEM, line=Line.objects.get(ref="LINE-1"), trigger="equipment_change", description="fuzz"
        )
        quality_services.assessment_notify(actor=SYSTEM, assessment=a, conclusion="fuzz", controls="fuzz")
        quality_services.assessment_capa_add(
            actor=SYSTEM, assessment=a, description="fuzz", due_on=datetime.date(2027, 1, 1)
        )
    KNOWN["assessments"].append(a.ref)
    KNOWN["notices"].append(a.ref)


@pytest.fixture(scope="module", autouse=True)
def summary():
    """After the module: how many requests, by method and status (shown with ``pytest -s``)."""
    started = time.perf_counter()
    yield
    total = sum(STATUSES.values())
    print(f"\nschemathesis: {total} requests in {time.perf_counter() - started:.1f} s")
    for (method, status), n in sorted(STATUSES.items()):
        print(f"  {method:<6} {status}: {n}")


@pytest.mark.django_db(transaction=False)
@pytest.mark.usefixtures("connection_kept_open")
@pytest.mark.parametrize("fuzzer", FUZZERS)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=timedelta(seconds=2),
    derandomize=not RANDOM,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_api_conforms_to_its_schema(case, world, fuzzer):
    response = case.call_and_validate(headers={"Authorization": f"Bearer {world.tokens[fuzzer]}"}, checks=CHECKS)
    STATUSES[(case.method, response.status_code)] += 1
