"""The visibility policy: which records an actor may see. The one place that decides it.

The rules themselves are written beside their models (``registry/visibility.py``,
``contracts/visibility.py``, ``batches/visibility.py``, ``quality/visibility.py``) and registered here
when Django starts: a model's own app ``register``s its rule, and an app higher up may ``extend`` the
rule of a model below it with what its own records add (a line named in a contract is visible to the
contract's parties). This module imports no domain model, so the policy sits below every app it serves.

Every selector narrows its querysets with :func:`visible` (or the per-record helpers below), so a
rule written here holds in the web pages, the API, the exports and the reports alike. A record an
actor may not see does not exist for them: selectors raise ``NotFound``, never a "forbidden" that
would confirm it exists.

Who sees what (a user with several memberships sees the union):

=================  =========================================================================
actor              sees
=================  =========================================================================
MAH side           its own organisation and everything under it (sites, lines, people and
(QA, QP, head of   their CVs, licences, inspections); its own products; its contracts and
quality, viewer)   their agreements; the lines named in its contracts and the lines its
                   products are made on — but on those lines only its OWN products: another
                   holder's LineProduct, and so its annual volume, is invisible; its
                   counterparties (the CMOs of its contracts, the owners of the lines it
                   uses) at name and licence level: the organisation, its licences (only the
                   licence entries that name nothing it may not see), its people who hold a
                   key appointment (the persons a licence names), never their CVs; the
                   inspections of the lines it sees. Not the CMO's evaluation of it (the
                   CMO's own record).
CMO side           its own organisation and everything under it: sites, workshops, lines and
(QA, QP,           every product on its lines with its volume; its contracts and agreements;
production, head   its own evaluations of MAHs; of each MAH only what concerns the CMO: the
of quality,        products in their contracts with it or on its lines or in its evaluations,
viewer)            and the MAH at name and licence level. Never another CMO's lines,
                   contracts or products.
regulator          the enterprises of its province and everything under them, and the sites
(inspector, head   in its province (and their lines and products); every contract where its
of division)       province is the MAH's or the CMO's, with that contract's products and
                   lines, and the other party at name and licence level (a cross-province
                   contract). Nothing of a province that concerns it through none of these.
every actor        whoever its visible agreements and transfers name, and that person's
                   employer at name and licence level (an agreement copied from a template
                   names another company's staff: the rules must be able to show it).
platform admin,    everything.
system actor
no membership      nothing.
=================  =========================================================================

Quality events (and their deviations, CAPA, obligations) and batches (and their release packages)
follow their contract: its MAH, its CMO and their regulators see them; the CMO and its regulator also
see every batch made on the CMO's lines. Another MAH on a shared line sees none of them.

``None`` is not an actor: :func:`require_actor` raises ``TypeError``, so a forgotten actor fails
loudly instead of silently seeing everything.

The filters are ``Q`` objects built from subqueries: a filtered list is still one SQL query, and
nothing is read from the database to decide what an actor may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from weituo.core.actors import Actor
from weituo.core.roles import Side

M = TypeVar("M", bound=models.Model)

NOTHING = Q(pk__in=[])  # matches no row (Django drops it from an OR, and empties an AND)


def require_actor(actor: object) -> Actor:
    """The actor, or ``TypeError``: no selector runs without knowing who asks."""
    if not isinstance(actor, Actor):
        raise TypeError(f"a selector needs an Actor (weituo.core.actors), not {actor!r}")
    return actor


@dataclass(frozen=True)
class Scope:
    """What an actor's memberships give access to, in plain ids and codes (no query)."""

    everything: bool
    mah: frozenset[int]  # organisations where the actor holds an MAH-side role
    cmo: frozenset[int]  # organisations where the actor holds a CMO-side role
    provinces: frozenset[str]  # provinces where the actor holds a regulator role

    @classmethod
    def of(cls, actor: object) -> Scope:
        actor = require_actor(actor)
        return cls(
            everything=actor.system or actor.is_platform_admin,
            mah=frozenset(actor.organisation_ids(Side.MAH)),
            cmo=frozenset(actor.organisation_ids(Side.CMO)),
            provinces=frozenset(actor.provinces),
        )

    @property
    def own(self) -> frozenset[int]:
        return self.mah | self.cmo

    def home(self, prefix: str = "") -> Q:
        """Organisations whose every record the actor sees: its own, and for a regulator its province's."""
        q = Q(**{f"{prefix}id__in": self.own}) if self.own else NOTHING
        if self.provinces:
            q |= Q(**{f"{prefix}province__in": self.provinces})
        return q


# --- the registry of rules -----------------------------------------------------------------------
# A rule returns the Q that selects what the scope may see (never called when it sees everything).
# Rules of dependent records reuse the rules of what they hang from, as subqueries (``ids``).

Rule = Callable[[Scope], Q]

_RULES: dict[type[models.Model], Rule] = {}
_EXTENSIONS: dict[type[models.Model], list[Rule]] = {}


def register(model: type[models.Model], rule: Rule) -> None:
    """The rule of ``model``, registered once by the app that defines the model."""
    if model in _RULES and _RULES[model] is not rule:
        raise ValueError(f"the visibility policy already has a rule for {model._meta.label}")
    _RULES[model] = rule


def extend(model: type[models.Model], rule: Rule) -> None:
    """More rows of ``model`` that an app above it makes visible (OR-ed with the model's own rule)."""
    rules = _EXTENSIONS.setdefault(model, [])
    if rule not in rules:
        rules.append(rule)


def rule_of(model: type[models.Model]) -> Rule:
    try:
        own = _RULES[model]
    except KeyError:
        raise LookupError(f"the visibility policy has no rule for {model._meta.label}") from None
    extra = _EXTENSIONS.get(model, ())
    if not extra:
        return own

    def combined(s: Scope) -> Q:
        q = own(s)
        for rule in extra:
            q |= rule(s)
        return q

    return combined


def ids(model: type[models.Model], s: Scope, field: str = "pk") -> QuerySet[Any]:
    """The ``field`` of every row of ``model`` the scope sees, as a subquery."""
    return model._default_manager.filter(rule_of(model)(s)).values(field)


# --- the interface the selectors use -----------------------------------------------------------


def visible(actor: Actor, queryset: QuerySet[M] | type[M]) -> QuerySet[M]:
    """``queryset`` (or every row of a model) narrowed to what ``actor`` may see.

    A model the policy does not know raises ``LookupError``: a new model is invisible to selectors
    until its rule is registered, never visible by default.
    """
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    scope = Scope.of(actor)
    rule = rule_of(qs.model)
    if scope.everything:
        return qs
    return qs.filter(rule(scope))


def sees_everything(actor: Actor) -> bool:
    """The platform admin and the system actor: no filter at all."""
    return Scope.of(actor).everything


def sees_all_of(actor: Actor, organisation: Any) -> bool:
    """Whether the actor sees every record of ``organisation`` (its own, or its province's), CVs included."""
    s = Scope.of(actor)
    return s.everything or organisation.pk in s.own or organisation.province in s.provinces


def known_models() -> tuple[type[models.Model], ...]:
    """Every model the policy has a rule for (the tests check that each exported sheet has one)."""
    return tuple(_RULES)
