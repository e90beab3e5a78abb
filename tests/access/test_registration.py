"""The policy sits below the apps it serves: each app registers its models' rules (and extends the
rules of the apps below it) when Django starts. Every model of the domain apps has a rule, and a
model without one is invisible, never visible by default."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from weituo.access import policy
from weituo.core.actors import system_actor

DOMAIN_APPS = ("registry", "contracts", "quality", "batches")


def test_every_model_of_the_domain_apps_has_a_rule():
    missing = [
        m._meta.label
        for label in DOMAIN_APPS
        for m in apps.get_app_config(label).get_models()
        if not m._meta.abstract and m not in policy.known_models()
    ]
    assert missing == []


def test_a_model_without_a_rule_is_refused_not_shown():
    from weituo.integrity.models import LedgerEntry

    with pytest.raises(LookupError, match="no rule"):
        policy.visible(system_actor("tests"), LedgerEntry)


def test_a_rule_is_registered_once():
    from weituo.registry.models import Line

    with pytest.raises(ValueError, match="already has a rule"):
        policy.register(Line, lambda s: models.Q())


@pytest.mark.django_db
def test_the_rules_of_lower_apps_are_extended_by_the_apps_above(settings, tmp_path):
    """registry's own rule shows a person to their organisation; contracts extends it with the people
    a quality agreement names, to the other party of that agreement only."""
    from tests.quality.world import build_world
    from weituo.registry.models import Person

    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    mah_contact = "PER-MQA"  # the MAH's contact in QA-1's communication list, no key appointment
    assert Person.objects.get(ref=mah_contact).organisation.ref == "ORG-MAH"

    def sees(actor) -> bool:
        return policy.visible(actor, Person).filter(ref=mah_contact).exists()

    assert sees(world.mah_qa)  # the person's own organisation, through registry's rule
    assert sees(world.cmo_qa)  # ORG-CMO: the other party to QA-1, through contracts' extension
    assert not sees(world.mah2_qa)  # ORG-MAH2 shares the CMO's line but no agreement names them to it
    # the other models contracts extends (lines and products a contract names, its parties) keep
    # their extension registered
    from weituo.registry.models import Line, Organisation, Product

    for model in (Line, Product, Organisation):
        assert policy._EXTENSIONS.get(model), model._meta.label
