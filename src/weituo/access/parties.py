"""The write predicates: who acts for which party of a commission contract, decided once.

Every record between an MAH and a CMO (quality events, changes, audits, transfers, batches) belongs
to one contract; each service asks here whether the actor writes for the party the action belongs
to, and the pages and the API ask the same predicates what to offer. System jobs and platform admins
act for either party, naming it; a user holding writer roles on both sides must name the side they
act for. Built on ``Actor.writes_in``; the contract is anything with ``mah_id`` and ``cmo_id``, so
this module imports no domain model.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.utils.translation import gettext_lazy

from weituo.core.actors import Actor
from weituo.core.errors import PermissionDenied
from weituo.core.i18n import detail, messages, validation_failed
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


def refuse(code: str, message: Any, field: str | None = None, **params: Any) -> PermissionDenied:
    """The refusal ``code``, saying why in one gettext message (``params`` interpolated per language)."""
    return PermissionDenied(code=code, **messages(message, **params), details=[detail(message, field=field, **params)])


def party_of(actor: Actor, contract: CommissionContract, party: str | None) -> str:
    """The party the actor acts for on ``contract``: the one they write for, or the one they name."""
    require_writer(actor)
    anywhere = actor.writes_anywhere
    parties = [p for p in Party.values if anywhere or writes_for_party(actor, contract, p)]
    if party:
        if party not in parties:
            raise refuse(
                "not_a_party",
                gettext_lazy("you do not act for the %(party)s of this contract"),
                "party",
                party=Party(party).label,
            )
        return party
    if not parties:
        raise refuse(
            "not_a_party",
            gettext_lazy("only the MAH and the CMO of the commission contract may do this"),
        )
    if len(parties) > 1:
        raise validation_failed([detail(gettext_lazy("name the party you act for (mah or cmo)"), field="party")])
    return parties[0]


def writes_for_contract(actor: Actor, contract: CommissionContract) -> bool:
    """A writer of either party of the contract, or a system job. The quality agreement is the two
    parties' own document: unlike the other predicates, the platform admin does not write it."""
    return actor.system or actor.writes_in(contract.mah_id) or actor.writes_in(contract.cmo_id)


def require_party(actor: Actor, contract: CommissionContract, party: str, what: Any) -> None:
    """Refuse unless the actor writes for ``party`` of the contract; ``what`` is the act (a lazy
    phrase such as "approve the change")."""
    require_writer(actor)
    if actor.writes_anywhere or writes_for_party(actor, contract, party):
        return
    raise refuse("not_a_party", gettext_lazy("only the %(party)s may %(what)s"), party=Party(party).label, what=what)


def require_user(actor: Actor, what: Any) -> None:
    """Refuse a system job: ``what`` (a lazy phrase: "signing the release") needs a named user."""
    if actor.system or actor.user_id is None:
        raise refuse("user_required", gettext_lazy("%(what)s needs a named user, not a system job"), what=what)


def user_id(actor: Actor) -> int | None:
    return None if actor.system else actor.user_id


def is_qa_in(actor: Actor, organisation_id: int | None, party: str) -> bool:
    """QA or head of quality of the organisation, on the side of ``party`` (the one who decides
    downgrades, agreement, effectiveness)."""
    return any(m.organisation_id == organisation_id and m.role in QA_ROLES[party] for m in actor.memberships)


def is_qa_of(actor: Actor, contract: CommissionContract, party: str) -> bool:
    """QA or head of quality of that party's organisation of the contract."""
    return is_qa_in(actor, organisation_of(contract, party), party)


def writer_orgs(actor: Actor) -> dict[str, set[int]]:
    """The organisations where the actor holds a writer role, by party (viewers owe nothing)."""
    return {party: actor.writer_organisations(side) for party, side in SIDE_OF_PARTY.items()}
