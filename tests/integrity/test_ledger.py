"""The audit ledger: every service write is chained; tampering of any kind is found and named."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tests.exchange.dataset import load_mini
from tests.integrity.tamper import drop_ledger_guards, sql
from weituo.contracts.models import CommissionContract
from weituo.contracts.services import contract_change_status
from weituo.core.actors import system_actor
from weituo.core.commands import LANGUAGE_VARIABLES
from weituo.integrity.canonical import GENESIS, canonical_bytes, entry_hash, stored_entry_bytes
from weituo.integrity.models import LedgerEntry, ShadowChange
from weituo.integrity.services import ledger_checkpoint
from weituo.integrity.verify import verify_all
from weituo.registry.models import Organisation, Product
from weituo.registry.services import product_update

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("tests")


def kinds(report) -> set[str]:
    return {p.kind for p in report.problems}


def test_every_service_write_is_ledgered_with_actor_old_and_new():
    load_mini()
    product = Product.objects.get(ref="P-1")
    product_update(actor=SYSTEM, product=product, strength="10ml:0.2g", reason="规格更正")
    entry = LedgerEntry.objects.filter(object_type="registry.product", object_id=str(product.pk)).last()
    assert (entry.action, entry.reason) == ("update", "规格更正")
    assert json.loads(entry.old) == {"strength": "5ml:0.1g"} and json.loads(entry.new) == {"strength": "10ml:0.2g"}
    assert entry.actor.startswith("system:tests")
    assert verify_all().ok


def test_import_ledgers_each_record_and_a_summary():
    load_mini()
    created = LedgerEntry.objects.filter(action="create")
    assert created.filter(object_type="registry.organisation").count() == 3
    contract = created.get(object_type="contracts.commissioncontract")
    assert json.loads(contract.new)["products"] == [Product.objects.get(ref="P-1").pk]
    assert LedgerEntry.objects.filter(action="import").count() == 1
    assert verify_all().ok


def test_status_transition_is_ledgered():
    load_mini()
    contract = CommissionContract.objects.get(ref="CON-1")
    contract_change_status(actor=SYSTEM, contract=contract, to="terminated", on=dt.date(2026, 6, 30), reason="到期")
    entries = LedgerEntry.objects.filter(action="transition")
    assert entries.count() == 2  # the contract and its quality agreement
    assert json.loads(entries.first().new) == {"status": "terminated", "terminated_on": "2026-06-30"}


def test_chain_links_every_entry_to_the_previous_and_hashes_canonical_bytes():
    load_mini()
    entries = list(LedgerEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
    e = entries[3]
    parsed = {
        f: getattr(e, f)
        for f in (
            "seq",
            "at",
            "actor",
            "organisation",
            "action",
            "object_type",
            "object_id",
            "reason",
            "meaning",
            "prev_hash",
        )
    }
    parsed |= {"old": json.loads(e.old), "new": json.loads(e.new)}
    assert entry_hash(parsed) == e.entry_hash
    fast = stored_entry_bytes(
        seq=e.seq,
        at=canonical_bytes(e.at).decode().strip('"'),
        actor=e.actor,
        organisation=e.organisation,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        old_text=e.old,
        new_text=e.new,
        reason=e.reason,
        meaning=e.meaning,
        prev_hash=e.prev_hash,
    )
    assert fast == canonical_bytes({k: parsed[k] for k in parsed})


def test_ledger_refuses_update_and_delete_even_by_raw_sql():
    load_mini()
    for statement in ("UPDATE integrity_ledgerentry SET actor = 'someone else'", "DELETE FROM integrity_ledgerentry"):
        with pytest.raises(DatabaseError) as excinfo, transaction.atomic():
            sql(statement)
        assert "append-only" in str(excinfo.value)
    assert LedgerEntry.objects.filter(actor="someone else").count() == 0


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_ledger_refuses_truncate_on_postgresql():
    load_mini()
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic():
        sql("TRUNCATE integrity_ledgerentry")
    assert "append-only" in str(excinfo.value)


def test_raw_sql_edit_of_a_business_row_is_named_by_table_id_and_field():
    load_mini()
    product = Product.objects.get(ref="P-1")
    sql("UPDATE registry_product SET strength = %s WHERE id = %s", ["50ml:1g", product.pk])
    report = verify_all()
    [problem] = report.problems
    assert (problem.kind, problem.table, problem.row, problem.field) == (
        "record_altered",
        "registry_product",
        str(product.pk),
        "strength",
    )
    assert "5ml:0.1g" in problem.message_en and "50ml:1g" in problem.message_en
    assert "UPDATE" in problem.message_en  # the trigger's evidence is quoted
    assert ShadowChange.objects.filter(table_name="registry_product", row_pk=str(product.pk), op="UPDATE").exists()


def test_raw_sql_insert_and_delete_are_found():
    load_mini()
    org = Organisation.objects.get(ref="ORG-MAH2")
    sql("DELETE FROM registry_lineproduct WHERE product_id IN (SELECT id FROM registry_product WHERE ref = 'P-2')")
    sql(
        "INSERT INTO registry_enterprisegroup (ref, name, unified_qms, created_at, updated_at) "
        "VALUES ('G-X', '影子集团', %s, %s, %s)",
        [False, "2026-01-01 00:00:00", "2026-01-01 00:00:00"],
    )
    report = verify_all()
    assert {p.kind for p in report.problems} == {"record_deleted", "record_inserted"}
    assert org.pk  # the organisation itself is untouched


def test_orm_update_that_skips_the_services_is_found():
    """QuerySet.update() and bulk writes bypass save() and signals: the replay still catches them."""
    load_mini()
    Product.objects.filter(ref="P-2").update(high_risk=True)
    [problem] = verify_all().problems
    assert problem.field == "high_risk"


@pytest.fixture
def tampered_ledger():
    load_mini()
    drop_ledger_guards()


def test_flipped_byte_in_an_entry_is_found_at_its_seq(tampered_ledger):
    sql("UPDATE integrity_ledgerentry SET reason = 'tests!' WHERE seq = 5")
    report = verify_all(records=False)
    assert [(p.kind, p.seq) for p in report.problems] == [("hash_mismatch", 5)]


def test_deleted_entry_is_found(tampered_ledger):
    sql("DELETE FROM integrity_ledgerentry WHERE seq = 4")
    assert {("seq_gap", 5), ("chain_broken", 5)} <= {(p.kind, p.seq) for p in verify_all(records=False).problems}


def test_reordered_entries_are_found(tampered_ledger):
    # swap the content of entries 3 and 4 (keeping seq): the chain no longer links
    sql("UPDATE integrity_ledgerentry SET seq = -3 WHERE seq = 3")
    sql("UPDATE integrity_ledgerentry SET seq = 3 WHERE seq = 4")
    sql("UPDATE integrity_ledgerentry SET seq = 4 WHERE seq = -3")
    found = {(p.kind, p.seq) for p in verify_all(records=False).problems}
    assert ("chain_broken", 3) in found and ("hash_mismatch", 3) in found


def test_inserted_entry_is_found(tampered_ledger):
    last = LedgerEntry.objects.order_by("-seq").first()
    forged = dict(
        seq=last.seq + 1,
        at=last.at,
        actor="mallory",
        organisation="",
        action="update",
        object_type="registry.product",
        object_id="1",
        old={},
        new={"strength": "x"},
        reason="",
        meaning="",
        prev_hash="f" * 64,
    )
    LedgerEntry.objects.create(**{**forged, "old": "{}", "new": '{"strength":"x"}'}, entry_hash=entry_hash(forged))
    assert ("chain_broken", last.seq + 1) in {(p.kind, p.seq) for p in verify_all(records=False).problems}


def test_truncated_tail_is_found_through_a_held_checkpoint(tampered_ledger):
    checkpoint = ledger_checkpoint()
    assert verify_all(records=False).ok
    sql("DELETE FROM integrity_ledgerentry WHERE seq > %s", [checkpoint.tree_size - 3])
    report = verify_all(records=False)
    assert kinds(report) == {"truncated"}  # the remaining chain is internally consistent: only the checkpoint shows it


def test_rewritten_history_with_a_recomputed_chain_is_found_by_the_checkpoint_root(tampered_ledger):
    """An attacker who recomputes every hash after an edit still cannot match the signed root."""
    ledger_checkpoint()
    entries = list(LedgerEntry.objects.order_by("seq").values())
    sql("DELETE FROM integrity_ledgerentry")
    prev = GENESIS
    for e in entries:
        e["reason"] = "rewritten" if e["seq"] == 2 else e["reason"]
        parsed = {**e, "old": json.loads(e["old"]), "new": json.loads(e["new"]), "prev_hash": prev}
        e["prev_hash"], e["entry_hash"] = prev, entry_hash(parsed)
        prev = e["entry_hash"]
        LedgerEntry.objects.create(**e)
    assert kinds(verify_all(records=False)) == {"checkpoint_root"}


def test_tampered_checkpoint_is_found(tampered_ledger):
    checkpoint = ledger_checkpoint()
    sql("UPDATE integrity_checkpoint SET tree_size = tree_size - 1 WHERE id = %s", [checkpoint.pk])
    assert "checkpoint_signature" in kinds(verify_all(records=False))


@pytest.fixture
def chinese_command_line(monkeypatch):
    """The command speaks Chinese, the site's language, whatever the shell running the tests asks for."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_verify_command_exits_non_zero_and_names_the_problem(chinese_command_line):
    load_mini()
    out = io.StringIO()
    call_command("ledger", "verify", stdout=out)
    assert "审计追踪完整：已校验" in out.getvalue()
    sql("UPDATE registry_organisation SET name = 'X' WHERE ref = 'ORG-CMO'")
    out = io.StringIO()
    with pytest.raises(CommandError, match="发现 1 处问题"):
        call_command("ledger", "verify", stdout=out)
    assert "registry_organisation" in out.getvalue() and "字段 name 在系统之外被修改" in out.getvalue()
    assert "field name" not in out.getvalue()  # one language, not both


def test_verify_command_speaks_english_when_the_environment_asks(chinese_command_line):
    chinese_command_line.setenv("LANG", "en_US.UTF-8")
    load_mini()
    out = io.StringIO()
    call_command("ledger", "verify", stdout=out)
    assert "ledger intact: " in out.getvalue() and " entries, " in out.getvalue()
    sql("UPDATE registry_organisation SET name = 'X' WHERE ref = 'ORG-CMO'")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 problem\\(s\\) found"):
        call_command("ledger", "verify", stdout=out)
    assert "field name was changed outside the services" in out.getvalue() and "字段" not in out.getvalue()


def test_checkpoint_and_export_bundle_verify_offline(tmp_path):
    from weituo.integrity.offline import main as offline_main

    load_mini()
    call_command("ledger", "checkpoint", stdout=io.StringIO())
    bundle = tmp_path / "bundle.zip"
    call_command("ledger", "export", str(bundle), stdout=io.StringIO())
    assert offline_main([str(bundle)]) == 0
    assert connection.vendor in ("sqlite", "postgresql")


def test_accounts_are_ledgered_without_password_hashes():
    from weituo.accounts.models import Membership
    from weituo.accounts.services import membership_end, user_create

    load_mini()
    user = user_create(actor=SYSTEM, username="zhao.min", full_name="赵敏", email="zhao@example.cn",
                       password="long enough pw 42", role="mah_qa", organisation=Organisation.objects.get(ref="ORG-MAH"),
                       since=dt.date(2024, 1, 1))  # fmt: skip
    membership_end(actor=SYSTEM, membership=Membership.objects.get(user=user))
    account = LedgerEntry.objects.get(object_type="auth.user", object_id=str(user.pk))
    assert json.loads(account.new) == {"username": "zhao.min", "full_name": "赵敏", "email": "zhao@example.cn"}
    assert "argon2" not in account.new and "pbkdf2" not in account.new and "md5" not in account.new
    assert LedgerEntry.objects.filter(object_type="accounts.membership").count() == 2
    assert verify_all().ok


def test_ledger_append_outside_a_transaction_is_refused():
    """An entry must commit with the change it records, so an append outside any transaction is a bug."""
    from weituo.integrity.ledger import Change, ledger_append

    with pytest.raises(RuntimeError, match="inside the transaction"):
        # pytest-django wraps the test in a transaction; leave it to see what a bare caller gets
        connection.in_atomic_block, saved = False, connection.in_atomic_block
        try:
            ledger_append(actor=SYSTEM, change=Change("test", "x", "1"))
        finally:
            connection.in_atomic_block = saved


def test_a_broken_key_directory_is_named_in_the_commands_language(chinese_command_line, settings, tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "current").write_text("0123456789abcdef\n")  # names a key whose files are gone
    settings.WEITUO_KEY_DIR = keys
    with pytest.raises(CommandError, match="私钥 0123456789abcdef 缺失"):
        call_command("ledger", "checkpoint", stdout=io.StringIO())
    chinese_command_line.setenv("LANG", "en_US.UTF-8")
    with pytest.raises(CommandError, match="private key 0123456789abcdef missing"):
        call_command("ledger", "checkpoint", stdout=io.StringIO())
