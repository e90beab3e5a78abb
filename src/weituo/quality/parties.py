"""Who acts for which party of a commission contract, and the refusals every quality service shares.

A quality record is between the MAH and the CMO of one contract; each service asks here whether the
actor writes for the party the action belongs to. System jobs and platform admins act for either
party, naming it; a user holding writer roles on both sides must name the side they act for.
"""

from __future__ import annotations

import secrets

from django.utils import timezone

from weituo.accounts.actors import Actor
from weituo.accounts.roles import WRITER_ROLES
from weituo.contracts.models import CommissionContract
from weituo.core.errors import ErrorDetail, PermissionDenied, validation_failed
from weituo.integrity.writes import require_writer

from .choices import QA_ROLES, SIDE_OF_PARTY, EventParty


def organisation_of(contract: CommissionContract, party: str) -> int:
    return contract.mah_id if party == EventParty.MAH else contract.cmo_id


def writes_for_party(actor: Actor, contract: CommissionContract, party: str) -> bool:
    """A writer role in the contract's organisation of that party, on that side."""
    org, side = organisation_of(contract, party), SIDE_OF_PARTY[party]
    return any(m.organisation_id == org and m.side == side and m.role in WRITER_ROLES for m in actor.memberships)


def refuse(code: str, zh: str, en: str, field: str | None = None) -> PermissionDenied:
    return PermissionDenied(code=code, message_zh=zh, message_en=en, details=[ErrorDetail(zh, en, field=field)])


def party_of(actor: Actor, contract: CommissionContract, party: str | None) -> str:
    """The party the actor acts for on ``contract``: the one they write for, or the one they name."""
    require_writer(actor)
    anywhere = actor.system or actor.is_platform_admin
    parties = [p for p in EventParty.values if anywhere or writes_for_party(actor, contract, p)]
    if party:
        if party not in parties:
            raise refuse(
                "not_a_party",
                f"您不能代表该协议的{EventParty(party).label}办理",
                f"you do not act for the {party} of this contract",
                "party",
            )
        return party
    if not parties:
        raise refuse(
            "not_a_party",
            "只有委托生产协议的持有人和受托方可以办理此事",
            "only the MAH and the CMO of the commission contract may do this",
        )
    if len(parties) > 1:
        raise validation_failed(
            [ErrorDetail("请指明代表哪一方（mah 或 cmo）", "name the party you act for (mah or cmo)", field="party")]
        )
    return parties[0]


def require_party(actor: Actor, contract: CommissionContract, party: str, what_zh: str, what_en: str) -> None:
    require_writer(actor)
    if actor.system or actor.is_platform_admin or writes_for_party(actor, contract, party):
        return
    raise refuse("not_a_party", f"只有{EventParty(party).label}可以{what_zh}", f"only the {party} may {what_en}")


def require_user(actor: Actor, what_zh: str, what_en: str) -> None:
    if actor.system or actor.user_id is None:
        raise refuse(
            "user_required",
            f"{what_zh}须由具名用户办理，系统任务不能办理",
            f"{what_en} needs a named user, not a system job",
        )


def user_id(actor: Actor) -> int | None:
    return None if actor.system else actor.user_id


def new_ref(prefix: str) -> str:
    return f"{prefix}-{timezone.now():%Y%m%d}-{secrets.token_hex(4).upper()}"


def required_text(value: str, field: str, zh: str, en: str) -> str:
    if not (value or "").strip():
        raise validation_failed([ErrorDetail(zh, en, field=field)])
    return value.strip()


def is_qa_of(actor: Actor, contract: CommissionContract, party: str) -> bool:
    """QA or head of quality of that party's organisation."""
    org = organisation_of(contract, party)
    return any(m.organisation_id == org and m.role in QA_ROLES[party] for m in actor.memberships)
