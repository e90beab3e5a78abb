"""What a committed transaction changed, told once to the observers (``integrity.committed``): one
call per commit with every change, nothing for a write rolled back or made while paused, and a
failing observer never undoes the record."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from weituo.core.actors import system_actor
from weituo.integrity import committed
from weituo.integrity.writes import record_create, record_update
from weituo.registry.models import EnterpriseGroup

pytestmark = pytest.mark.django_db
ACTOR = system_actor("tests: committed")


@pytest.fixture
def told(monkeypatch) -> list[tuple[committed.Committed, ...]]:
    calls: list[tuple[committed.Committed, ...]] = []
    # only this test's observer: compliance's own would re-check the enterprise groups too
    monkeypatch.setattr(committed, "_observers", {"test": calls.append})
    return calls


def create_group(ref: str) -> EnterpriseGroup:
    return record_create(actor=ACTOR, model=EnterpriseGroup, ref=ref, name=f"集团 {ref}")


def test_one_call_per_commit_with_every_change(told, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first, second = create_group("G-1"), create_group("G-2")
    assert len(told) == 1
    assert [(c.action, c.object_type, c.object_id) for c in told[0]] == [
        ("create", "registry.enterprisegroup", str(first.pk)),
        ("create", "registry.enterprisegroup", str(second.pk)),
    ]
    assert told[0][0].actor == ACTOR.label


def test_the_values_before_a_change_are_told(told, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        group = create_group("G-1")
    with django_capture_on_commit_callbacks(execute=True):
        record_update(actor=ACTOR, instance=group, name="改名集团")
    [change] = told[1]
    assert change.old == {"name": "集团 G-1"}


def test_a_rolled_back_write_tells_nothing(told, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        create_group("G-1")
        raise RuntimeError("the caller gave up")
    assert callbacks == [] and told == []
    assert not EnterpriseGroup.objects.filter(ref="G-1").exists()


def test_nothing_is_told_while_paused(told, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), committed.paused():
        create_group("G-1")
    assert told == []
    with django_capture_on_commit_callbacks(execute=True):
        create_group("G-2")
    assert [c.object_id for c in told[0]] == [str(EnterpriseGroup.objects.get(ref="G-2").pk)]


def test_a_failing_observer_is_logged_and_the_record_stands(monkeypatch, django_capture_on_commit_callbacks, caplog):
    def broken(changes):
        raise ValueError("observer bug")

    monkeypatch.setattr(committed, "_observers", {"broken": broken})
    with (
        caplog.at_level(logging.ERROR, logger="weituo.integrity.committed"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        create_group("G-1")
    assert EnterpriseGroup.objects.filter(ref="G-1").exists()
    assert "observer broken failed after a commit of 1 change(s)" in caplog.text
