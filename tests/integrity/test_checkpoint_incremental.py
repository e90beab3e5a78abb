"""Incremental checkpoints: the frontier gives exactly the RFC 6962 root a full pass gives, a checkpoint
reads only the entries appended since the last one, a tampered frontier is not built on, and a
release signs a checkpoint after it commits without ever failing because of it."""

from __future__ import annotations

import hashlib
import logging

import pytest

from tests.exchange.dataset import load_mini
from tests.integrity.tamper import drop_ledger_guards, sql
from tests.quality.world import PASSWORD, SYSTEM, fill_package, make_batch
from weituo.batches import services as batch_services
from weituo.batches.choices import BatchStatus
from weituo.batches.models import Batch
from weituo.batches.signing import open_session
from weituo.integrity import committed, merkle
from weituo.integrity import services as integrity_services
from weituo.integrity.ledger import Change, ledger_append_many
from weituo.integrity.models import Checkpoint, LedgerEntry
from weituo.integrity.services import SignatureRefused, ledger_checkpoint
from weituo.integrity.verify import iter_entry_hashes, verify_all

SIZES = sorted({0, 1, 2, 3, 5, 7, 100, *(2**k + d for k in range(1, 11) for d in (-1, 0, 1))})


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(str(i).encode()).digest() for i in range(n)]


@pytest.mark.parametrize("size", SIZES)
def test_the_frontier_root_equals_the_full_root_at_every_size(size):
    data = leaves(size)
    frontier, n = merkle.frontier_extend([], 0, data)
    assert n == size
    assert len(frontier) == bin(size).count("1")
    assert merkle.frontier_root(frontier) == merkle.root(data) == merkle.MerkleTree(data).root()


@pytest.mark.parametrize("old", [0, 1, 3, 4, 5, 63, 64, 65, 127, 128, 129])
@pytest.mark.parametrize("added", [0, 1, 2, 31, 32, 33, 200])
def test_extending_a_stored_frontier_equals_hashing_everything_again(old, added):
    data = leaves(old + added)
    frontier, n = merkle.frontier_extend([], 0, data[:old])
    frontier, n = merkle.frontier_extend(frontier, n, data[old:])
    assert n == old + added
    assert merkle.frontier_root(frontier) == merkle.root(data)


def test_a_frontier_that_does_not_fit_its_size_is_refused():
    frontier, _ = merkle.frontier_extend([], 0, leaves(6))  # 6 = 4 + 2: two subtrees
    with pytest.raises(ValueError):
        merkle.frontier_extend(frontier, 7, [b"x"])  # 7 needs three
    with pytest.raises(ValueError):
        merkle.frontier_extend([b"short"], 1, [b"x"])


def _append(count: int, tag: str) -> None:
    from django.db import transaction

    with transaction.atomic():
        ledger_append_many(
            actor=SYSTEM,
            changes=[Change("notify", "tests.note", f"{tag}-{i}", new={"i": i}) for i in range(count)],
        )


def _full_root() -> str:
    return merkle.root(list(iter_entry_hashes())).hex()


@pytest.mark.django_db
def test_successive_checkpoints_match_a_full_recomputation_and_verify():
    load_mini()
    for step, count in enumerate((0, 1, 1, 2, 13, 64, 1, 127)):
        _append(count, f"s{step}")
        checkpoint = ledger_checkpoint()
        assert checkpoint.tree_size == LedgerEntry.objects.count()
        assert checkpoint.root_hash == _full_root()
        assert ledger_checkpoint(full=True).root_hash == checkpoint.root_hash
    report = verify_all(records=False)
    assert report.ok, report.problems
    assert report.checkpoints == 16


@pytest.mark.django_db
def test_a_checkpoint_reads_only_the_entries_appended_since_the_last(monkeypatch):
    load_mini()
    first = ledger_checkpoint()
    _append(5, "new")
    reads = []
    real = integrity_services.iter_entry_hashes

    def spy(*args, **kwargs):
        for h in real(*args, **kwargs):
            reads.append(h)
            yield h

    monkeypatch.setattr(integrity_services, "iter_entry_hashes", spy)
    second = ledger_checkpoint()
    assert second.tree_size == first.tree_size + 5
    assert len(reads) == 5
    assert second.root_hash == _full_root()


@pytest.mark.django_db
def test_a_tampered_frontier_is_not_built_on(caplog):
    load_mini()
    drop_ledger_guards()
    first = ledger_checkpoint()
    sql("UPDATE integrity_checkpoint SET frontier = %s WHERE id = %s", [" ".join(["ab" * 32] * 3), first.pk])
    _append(3, "after")
    with caplog.at_level(logging.WARNING, logger="weituo.integrity.services"):
        second = ledger_checkpoint()
    assert second.root_hash == _full_root()  # the whole ledger hashed again, not the forged frontier
    assert "not trusted" in caplog.text
    assert verify_all(records=False).ok


# --- at each release -----------------------------------------------------------------------------


@pytest.fixture
def ready(db, settings, tmp_path):
    from tests.quality.world import build_world

    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    batch = make_batch(world)
    fill_package(world, batch)
    return world, Batch.objects.get(pk=batch.pk)


def test_each_release_signs_a_checkpoint_covering_it_once_committed(ready, django_capture_on_commit_callbacks):
    world, batch = ready
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch_services.batch_factory_release(
            actor=world.cmo_qp,
            batch=batch,
            signing_token=open_session(world.cmo_qp, batch, "factory").token,
            password=PASSWORD,
        )
    assert len(committed.other_than_flush(callbacks)) == 1  # the checkpoint's
    checkpoint = Checkpoint.objects.order_by("-tree_size").first()
    release = LedgerEntry.objects.filter(action="transition", object_id=str(batch.pk)).order_by("-seq").first()
    # the release's own entries are inside the signed tree (and the re-check of its contract that
    # ran after the same commit)
    assert checkpoint.tree_size == LedgerEntry.objects.count() and release.seq <= checkpoint.tree_size
    with django_capture_on_commit_callbacks(execute=True):
        batch_services.batch_market_release(
            actor=world.mah_qp,
            batch=Batch.objects.get(pk=batch.pk),
            signing_token=open_session(world.mah_qp, Batch.objects.get(pk=batch.pk), "market").token,
            password=PASSWORD,
        )
    assert Checkpoint.objects.count() == 2
    assert Checkpoint.objects.order_by("-tree_size").first().tree_size == LedgerEntry.objects.count()
    assert verify_all(records=False).ok


def test_a_refused_release_signs_no_checkpoint(ready, django_capture_on_commit_callbacks):
    world, batch = ready
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(SignatureRefused):
        batch_services.batch_factory_release(
            actor=world.cmo_qp,
            batch=batch,
            signing_token=open_session(world.cmo_qp, batch, "factory").token,
            password="wrong",
        )
    assert committed.other_than_flush(callbacks) == []
    assert not Checkpoint.objects.exists()


def test_a_failed_checkpoint_leaves_the_batch_released_and_is_logged_and_ledgered(
    ready, settings, tmp_path, caplog, django_capture_on_commit_callbacks
):
    world, batch = ready
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "current").write_text("0123456789abcdef\n")  # names a key whose files are gone
    settings.WEITUO_KEY_DIR = keys
    with (
        caplog.at_level(logging.ERROR, logger="weituo.integrity.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        decision = batch_services.batch_factory_release(
            actor=world.cmo_qp,
            batch=batch,
            signing_token=open_session(world.cmo_qp, batch, "factory").token,
            password=PASSWORD,
        )
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.FACTORY_RELEASED
    assert not Checkpoint.objects.exists()
    assert "checkpoint after" in caplog.text
    failed = LedgerEntry.objects.get(action="checkpoint_failed")
    assert failed.object_id == str(decision.pk) and "KeyStoreError" in failed.new
    assert failed.actor.startswith("system:ledger checkpoint")  # not the QP: the QP did not do this
