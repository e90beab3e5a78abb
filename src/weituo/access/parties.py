"""The write predicates: who acts for which party of a commission contract, decided once.

Every record between an MAH and a CMO (quality events, changes, audits, transfers, batches) belongs
to one contract; each service asks here whether the actor writes for the party the action belongs
to, and the pages and the API ask the same predicates what to offer. System jobs and platform admins
act for either party, naming it; a user holding writer roles on both sides must name the side they
act for. Built on ``Actor.writes_in``; the contract is anything with ``mah_id`` and ``cmo_id``, so
this module imports no domain model.
"""

from __future__ import annotations

from typing import Protocol

from django.utils.translation import gettext_lazy

from weituo.core.actors import Actor
from weituo.core.errors import ErrorDetail, PermissionDenied, validation_failed
from weituo.core.i18n import both, detail, messages, zh
from weituo.core.roles import QA_ROLES, SIDE_OF_PARTY, Party


class CommissionContract(Protocol):
    """What the predicates read of a contract (``contracts.models.CommissionContract``)."""

    mah_id: int
    cmo_id: int


def require_writer(actor: Actor) -> None:
    """Refuse a write by an actor whose roles only read (viewers); every write service calls it first."""
    if not isinstance(actor, Actor):
        raise TypeError(f"a service needs an Actor (weituo.core.actors), not {actor!r}")
    if not actor.can_write:
        raise PermissionDenied(
            code="permission_denied",
            **messages(gettext_lazy("your role may read but not change records")),
        )


def writes_for(actor: Actor, organisation_id: int | None, side: str | None = None) -> bool:
    """Whether the actor holds a writer role in the organisation (on that side), or may write anywhere."""
    require_writer(actor)
    return actor.writes_anywhere or actor.writes_in(organisation_id, side)


def organisation_of(contract: CommissionContract, party: str) -> int:
    return contract.mah_id if party == Party.MAH else contract.cmo_id


def writes_for_party(actor: Actor, contract: CommissionContract, party: str) -> bool:
    """A writer role in the contract's organisation of that party, on that side."""
    return actor.writes_in(organisation_of(contract, party), SIDE_OF_PARTY[party])


def refuse(code: str, zh: str, en: str, field: str | None = None) -> PermissionDenied:
    return PermissionDenied(code=code, message_zh=zh, message_en=en, details=[ErrorDetail(zh, en, field=field)])


def party_of(actor: Actor, contract: CommissionContract, party: str | None) -> str:
    """The party the actor acts for on ``contract``: the one they write for, or the one they name."""
    require_writer(actor)
    anywhere = actor.writes_anywhere
    parties = [p for p in Party.values if anywhere or writes_for_party(actor, contract, p)]
    if party:
        if party not in parties:
            raise refuse(
                "not_a_party",
                f"您不能代表该协议的{zh(Party(party).label)}办理",
                f"you do not act for the {party} of this contract",
                "party",
            )
        return party
    if not parties:
        raise refuse(
            "not_a_party",
            *both(gettext_lazy("only the MAH and the CMO of the commission contract may do this")),
        )
    if len(parties) > 1:
        raise validation_failed([detail(gettext_lazy("name the party you act for (mah or cmo)"), field="party")])
    return parties[0]


def writes_for_contract(actor: Actor, contract: CommissionContract) -> bool:
    """A writer of either party of the contract (the quality agreement is both parties' document), or
    a system job."""
    return actor.system or actor.writes_in(contract.mah_id) or actor.writes_in(contract.cmo_id)


def require_party(actor: Actor, contract: CommissionContract, party: str, what_zh: str, what_en: str) -> None:
    require_writer(actor)
    if actor.writes_anywhere or writes_for_party(actor, contract, party):
        return
    raise refuse("not_a_party", f"只有{zh(Party(party).label)}可以{what_zh}", f"only the {party} may {what_en}")


def require_user(actor: Actor, what_zh: str, what_en: str) -> None:
    if actor.system or actor.user_id is None:
        raise refuse(
            "user_required",
            f"{what_zh}须由具名用户办理，系统任务不能办理",
            f"{what_en} needs a named user, not a system job",
        )


def user_id(actor: Actor) -> int | None:
    return None if actor.system else actor.user_id


def is_qa_of(actor: Actor, contract: CommissionContract, party: str) -> bool:
    """QA or head of quality of that party's organisation."""
    org = organisation_of(contract, party)
    return any(m.organisation_id == org and m.role in QA_ROLES[party] for m in actor.memberships)


def writer_orgs(actor: Actor) -> dict[str, set[int]]:
    """The organisations where the actor holds a writer role, by party (viewers owe nothing)."""
    return {party: actor.writer_organisations(side) for party, side in SIDE_OF_PARTY.items()}
