"""Who may do what to a batch, decided once: the release service enforces these predicates and the
batch page and the API ask the same ones what to offer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy, pgettext_lazy

from weituo.core.actors import Actor
from weituo.core.roles import Role, Side

from .choices import BatchStatus, ReleaseStep
from .models import Batch

QP_OF_STEP = {ReleaseStep.FACTORY: Role.CMO_QP, ReleaseStep.MARKET: Role.MAH_QP}


STEP_NAMES = {
    "factory": pgettext_lazy("release step", "factory release"),
    "production": pgettext_lazy("release step", "production release"),
    "market": pgettext_lazy("release step", "market release"),
}


def step_name(batch: Batch, step: str) -> Any:
    """The release step in the product's own words (translated when shown): a drug's first step is
    出厂放行 (factory release), a device's 生产放行 (production release)."""
    if step == ReleaseStep.FACTORY and batch.product.kind == "device":
        return STEP_NAMES["production"]
    return STEP_NAMES[step]


# Who may sign a step, as the notices name them: a drug's QP (质量受权人, Notice 2025-134 art. 12);
# for a device, "经授权的放行人员" (device notice art. 8) — a device maker has no QP.
RELEASERS = {
    ("drug", ReleaseStep.FACTORY): gettext_lazy("a QP of the contract's CMO"),
    ("drug", ReleaseStep.MARKET): gettext_lazy("a QP of the product's MAH"),
    ("device", ReleaseStep.FACTORY): gettext_lazy("an authorised release person of the contract's CMO"),
    ("device", ReleaseStep.MARKET): gettext_lazy("an authorised release person of the product's registrant"),
}


def releaser(batch: Batch, step: str) -> Any:
    """Who signs ``step`` of this batch, in the product's own words (translated when shown)."""
    return RELEASERS["device" if batch.product.kind == "device" else "drug", step]


def next_release_step(batch: Batch) -> str | None:
    """The release step the batch awaits: factory while in production, market once factory released."""
    if batch.status == BatchStatus.IN_PRODUCTION:
        return ReleaseStep.FACTORY
    if batch.status == BatchStatus.FACTORY_RELEASED:
        return ReleaseStep.MARKET
    return None


def releasing_organisation(batch: Batch, step: str) -> int:
    """The CMO of the contract signs the factory step; the product's holder (MAH or device
    registrant) the market step, whatever an agreement says (device notice art. 8)."""
    return batch.contract.cmo_id if step == ReleaseStep.FACTORY else batch.product.holder_id


def is_release_qp(actor: Actor, batch: Batch, step: str) -> bool:
    """A named person holding the step's QP role in the releasing organisation; no admin or system
    exception: only a QP releases, and only as themself."""
    if actor.system or actor.user_id is None:
        return False
    org = releasing_organisation(batch, step)
    return any(m.role == QP_OF_STEP[step] and m.organisation_id == org for m in actor.memberships)


def may_release(actor: Actor, batch: Batch, step: str) -> bool:
    """The step is the one the batch awaits, and the actor is its QP (blockers aside: the service
    lists them, and the page shows them)."""
    return next_release_step(batch) == step and is_release_qp(actor, batch, step)


def may_reject(actor: Actor, batch: Batch) -> bool:
    step = next_release_step(batch)
    return step is not None and is_release_qp(actor, batch, step)


def may_edit_package(actor: Actor, batch: Batch) -> bool:
    """A writer of the contract's CMO, while the package is open (before factory release)."""
    return batch.status == BatchStatus.IN_PRODUCTION and actor.writes_in(batch.contract.cmo_id, Side.CMO)
