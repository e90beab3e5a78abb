"""Who sees which batch and its release records, registered with ``access.policy`` when the app starts."""

from __future__ import annotations

from django.db.models import Q

from weituo.access import policy
from weituo.access.policy import Scope, ids
from weituo.contracts.models import CommissionContract
from weituo.registry.models import Product
from weituo.registry.visibility import whole_lines

from .models import Batch, ReleaseDecision, ReleaseDocument, TestResult


def _batches(s: Scope) -> Q:
    # The batches of its visible contracts, of a product it sees (an MAH: its own), and every batch
    # made on a line whose every product it sees (the CMO's own lines, its province's for a regulator).
    # On a shared line another MAH sees none of them.
    q = Q(contract__in=ids(CommissionContract, s)) & Q(product__in=ids(Product, s))
    return q | Q(line__in=whole_lines(s))


def _batch_rows(s: Scope) -> Q:
    return Q(batch__in=ids(Batch, s))


def register() -> None:
    policy.register(Batch, _batches)
    for model in (ReleaseDocument, TestResult, ReleaseDecision):
        policy.register(model, _batch_rows)
