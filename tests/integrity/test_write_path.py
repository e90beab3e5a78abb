"""The one audited write path (``integrity.writes``): versions, the organisation each entry is for,
plain edits that change nothing, acts that change nothing, and the ledger's list of actions."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from tests.quality.world import SYSTEM, World, _user, build_world, make_batch
from weituo.accounts.selectors import actor_for_user
from weituo.accounts.services import membership_add
from weituo.contracts.models import CommissionContract
from weituo.integrity import writes
from weituo.integrity.actions import LedgerAction, action_label
from weituo.integrity.ledger import Change, ledger_append
from weituo.integrity.models import LedgerEntry
from weituo.quality.services import event_raise
from weituo.registry.models import Organisation, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def last_entry(instance) -> LedgerEntry:
    return LedgerEntry.objects.filter(object_id=str(instance.pk)).order_by("-seq").first()


def two_organisation_user(world):
    """A QA of the CMO who is also QA of the second MAH (lower id than the CMO? either way): the
    ledger must name the organisation each action is for, not the user's first membership."""
    actor = _user("dual.qa", "林双", "cmo_qa", "ORG-CMO")
    user = get_user_model().objects.get(pk=actor.user_id)
    membership_add(actor=SYSTEM, user=user, role="mah_qa", organisation=Organisation.objects.get(ref="ORG-MAH2"))
    return actor_for_user(user)


def test_the_entry_names_the_party_the_two_organisation_user_acted_for(world):
    dual = two_organisation_user(world)
    cmo, mah2 = Organisation.objects.get(ref="ORG-CMO"), Organisation.objects.get(ref="ORG-MAH2")
    assert len(dual.organisation_ids()) == 2
    event = event_raise(actor=dual, contract=world.contract, category="oos_oot", title="含量 OOS")
    # CON-1 is between ORG-MAH and ORG-CMO: the dual user writes there for the CMO only
    assert cmo.pk != mah2.pk and last_entry(event).organisation == str(cmo.pk)


def test_a_record_of_one_organisation_is_entered_for_it_even_by_a_system_job(world):
    site = Site.objects.filter(organisation__ref="ORG-CMO").first()
    writes.record_update(actor=SYSTEM, instance=site, address="苏州工业园区星湖街 1 号")
    assert last_entry(site).organisation == str(site.organisation_id)


def test_a_single_organisation_user_acts_for_that_organisation(world):
    event = event_raise(actor=world.mah_qa, contract=world.contract, category="oos_oot", title="含量 OOS")
    assert last_entry(event).organisation == str(world.contract.mah_id)


def test_the_service_may_name_the_organisation(world):
    contract = CommissionContract.objects.get(ref="CON-1")
    batch = make_batch(world)
    writes.note(world.cmo_qa, batch, LedgerAction.NOTIFY, {"to": ["x@example.cn"]}, acting_for=contract.cmo_id)
    assert last_entry(batch).organisation == str(contract.cmo_id)


def test_a_change_counts_a_new_version_and_an_unchanged_edit_writes_nothing(world):
    batch = make_batch(world)
    before, entries = batch.version, LedgerEntry.objects.count()
    writes.record_update(actor=world.cmo_qa, instance=batch, quantity=batch.quantity)
    assert (batch.version, LedgerEntry.objects.count()) == (before, entries)
    writes.change(world.cmo_qa, batch, reason="quantity corrected", quantity=batch.quantity + 1)
    assert batch.version == before + 1
    entry = last_entry(batch)
    assert (entry.action, entry.reason) == ("update", "quantity corrected")
    assert set(json.loads(entry.new)) == {"quantity", "version"}


def test_a_refused_act_leaves_only_its_note(world):
    """The refused change rolls back with its entry; the note written after it stays, and changes nothing."""
    batch = make_batch(world)
    quantity, before = batch.quantity, LedgerEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        writes.change(world.cmo_qa, batch, quantity=batch.quantity + 5)
        raise RuntimeError("refused")
    assert LedgerEntry.objects.count() == before
    writes.note(world.cmo_qa, batch, LedgerAction.RELEASE_REFUSED, {"code": "release_blocked"})
    batch.refresh_from_db()
    assert batch.quantity == quantity and LedgerEntry.objects.count() == before + 1
    assert (last_entry(batch).action, json.loads(last_entry(batch).new)) == (
        "release_refused",
        {"code": "release_blocked"},
    )


def test_a_note_cannot_disguise_a_change():
    with pytest.raises(ValueError):
        writes.note(SYSTEM, Organisation(pk=1), LedgerAction.UPDATE, {"name": "x"})


def test_the_ledger_refuses_an_action_it_does_not_list(world):
    site = Site.objects.first()
    with pytest.raises(ValueError, match="unknown ledger action"), transaction.atomic():
        ledger_append(actor=SYSTEM, change=Change.of("tweak", site, new={"x": 1}))


def test_every_action_has_a_label_in_both_languages():
    from django.utils import translation

    for action in LedgerAction:
        with translation.override("zh-hans"):
            zh = action_label(action.value)
        with translation.override("en"):
            en = action_label(action.value)
        assert re.search("[\u4e00-\u9fff]", zh) and en.isascii() and en != action.value, action


def test_a_user_on_both_sides_of_a_contract_is_entered_for_the_party_named(world):
    """The quality services name the party the act is for (the raising party, the recipient)."""
    actor = _user("both.qa", "柏双", "cmo_qa", "ORG-CMO")
    user = get_user_model().objects.get(pk=actor.user_id)
    membership_add(actor=SYSTEM, user=user, role="mah_qa", organisation=Organisation.objects.get(ref="ORG-MAH"))
    both = actor_for_user(user)
    event = event_raise(actor=both, contract=world.contract, category="oos_oot", title="含量 OOS", party="cmo")
    assert last_entry(event).organisation == str(world.contract.cmo_id)


def test_a_change_is_entered_for_the_party_that_proposed_or_classified_it(world):
    from weituo.quality.services import change_classify, change_propose
    from weituo.registry.models import Product

    actor = _user("both.cc", "柏变", "cmo_qa", "ORG-CMO")
    user = get_user_model().objects.get(pk=actor.user_id)
    membership_add(actor=SYSTEM, user=user, role="mah_qa", organisation=Organisation.objects.get(ref="ORG-MAH"))
    both = actor_for_user(user)
    change = change_propose(
        actor=both,
        contract=world.contract,
        products=[Product.objects.get(ref="P-1")],
        title="灌装机更换",
        description="灌装机由 A 型更换为 B 型",
        party="cmo",
    )
    assert last_entry(change).organisation == str(world.contract.cmo_id)
    change = change_classify(
        actor=both, change=change, change_class="major", regulatory_path="approval", rationale="评估", party="mah"
    )
    assert last_entry(change).organisation == str(world.contract.mah_id)
