"""The demo data goes into the database through the registry import, validated row by row, idempotently;
``weituo demo`` migrates, loads, creates the admin login and serves."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from weituo.accounts.selectors import actor_for_user
from weituo.compliance.models import Scan
from weituo.contracts.models import TechTransfer
from weituo.core.commands import LANGUAGE_VARIABLES
from weituo.demo.generator import build_dataset
from weituo.demo.management.commands import demo as demo_command
from weituo.demo.users import DEMO_PASSWORD, PEOPLE
from weituo.exchange.sheets import SHEETS
from weituo.integrity.verify import verify_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese_command_line(monkeypatch):
    """The command speaks Chinese, the site's language, whatever the shell running the tests asks for."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def actor():
    try:
        from weituo.core.actors import system_actor
    except ImportError:  # before accounts existed the import took actor=None
        return None
    return system_actor("demo tests")


def load(dataset):
    from weituo.exchange.services import registry_import

    return registry_import(actor=actor(), dataset=dataset, source="demo tests")


def stored_counts() -> dict[str, int]:
    return {sheet.name: sheet.model.objects.count() for sheet in SHEETS}


def test_every_row_of_the_small_demo_is_created_and_passes_full_clean():
    dataset = build_dataset(size="small")
    report = load(dataset)
    for sheet in SHEETS:
        assert report.counts[sheet.name].created == len(dataset[sheet.name]), sheet.name
    assert stored_counts() == {name: len(rows) for name, rows in dataset.items()}
    for sheet in SHEETS:  # as stored and read back, each record is valid on its own
        for obj in sheet.model.objects.all():
            obj.full_clean()


def test_loading_the_same_demo_twice_changes_nothing():
    dataset = build_dataset(size="small", seed=4)
    load(dataset)
    before = stored_counts()
    second = load(build_dataset(size="small", seed=4))
    assert second.changed == 0
    assert stored_counts() == before


@pytest.mark.slow
def test_the_province_loads():
    dataset = build_dataset(size="province")
    report = load(dataset)
    assert report.changed == sum(len(rows) for rows in dataset.values())


def test_the_command_loads_creates_one_login_per_role_and_serves(monkeypatch):
    served = []
    real_call_command = demo_command.call_command

    def fake_call_command(name, *args, **kwargs):
        if name == "runserver":
            served.append((args, kwargs))
            return None
        return real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(demo_command, "call_command", fake_call_command)
    out = io.StringIO()
    call_command("demo", "--size", "small", "--seed", "2", "--port", "8123", stdout=out)

    text = out.getvalue()
    assert served == [(("127.0.0.1:8123",), {"use_reloader": False})]
    assert "http://127.0.0.1:8123/" in text and DEMO_PASSWORD in text
    assert "organisations" in text and "copied_template" in text
    assert f"演示账号（密码均为 {DEMO_PASSWORD}）" in text and "访问 http://127.0.0.1:8123/" in text
    assert "demo logins" not in text  # one language, not both
    # the build ends with a full scan: the pages open on findings, never on "not checked"
    [scan] = Scan.objects.filter(kind=Scan.Kind.FULL)
    assert scan.findings > 0 and f"合规检查（截至 {scan.as_of.isoformat()}）：符合 {scan.counts['met']} 项" in text
    assert not Scan.objects.filter(kind=Scan.Kind.RECHECK).exists()  # paused while it built
    for username, _name, role, _place in PEOPLE:
        assert username in text
        actor = actor_for_user(get_user_model().objects.get(username=username))
        assert [m.role for m in actor.memberships] == [role]
    user = get_user_model().objects.get(username="chen.jing")
    assert user.is_superuser and user.is_staff and user.check_password(DEMO_PASSWORD)
    assert not get_user_model().objects.get(username="li.na").is_staff  # the admin site ignores tenancy
    assert verify_all().ok
    dataset = build_dataset(size="small", seed=2)
    # The collaboration seed (weituo.demo.collaboration) adds its own technology transfer ("DEMO-…").
    seeded = {"tech_transfers": TechTransfer.objects.filter(ref__startswith="DEMO-").count()}
    expected = {name: len(rows) + seeded.get(name, 0) for name, rows in dataset.items()}
    assert stored_counts() == expected

    # a second run on the same database: nothing fails, nothing is duplicated, the login still works
    user.set_password("changed-by-someone")
    user.save()
    call_command("demo", "--size", "small", "--seed", "2", "--no-serve", stdout=io.StringIO())
    assert len(served) == 1
    assert stored_counts() == expected
    assert get_user_model().objects.filter(username="chen.jing").count() == 1
    assert get_user_model().objects.get(username="chen.jing").check_password(DEMO_PASSWORD)


def test_a_malformed_as_of_date_is_refused():
    with pytest.raises(CommandError, match="日期应为 YYYY-MM-DD：2026-13-01"):
        call_command("demo", "--as-of", "2026-13-01", "--no-serve", stdout=io.StringIO())


def test_a_malformed_date_is_refused_in_english_when_the_environment_asks(monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    with pytest.raises(CommandError, match="the date must be YYYY-MM-DD: 2026-13-01"):
        call_command("demo", "--as-of", "2026-13-01", "--no-serve", stdout=io.StringIO())


def test_another_seed_over_an_existing_demo_is_refused_with_a_hint_and_writes_nothing():
    call_command("demo", "--size", "small", "--seed", "1", "--no-serve", stdout=io.StringIO())
    before = stored_counts()
    with pytest.raises(CommandError, match="未写入任何数据。请换一个数据目录"):
        call_command("demo", "--size", "small", "--seed", "2", "--no-serve", stdout=io.StringIO())
    assert stored_counts() == before
