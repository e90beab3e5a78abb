"""Settings: database selection from the environment, language and time, and the ``weituo`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from config.settings import base
from weituo.core.models import CalendarYear

# --- database_from_env -------------------------------------------------------------------------


def test_database_defaults_to_sqlite_in_the_data_dir(monkeypatch, tmp_path):
    data_dir = tmp_path / "data"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(base, "DATA_DIR", data_dir)

    config = base.database_from_env()

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(config["NAME"]) == data_dir / "weituo.sqlite3"
    assert data_dir.is_dir()  # created so that a first run needs no set-up
    assert config["OPTIONS"]["timeout"] == 20 and config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_empty_database_url_means_the_sqlite_default(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setattr(base, "DATA_DIR", tmp_path)

    assert base.database_from_env()["NAME"] == str(tmp_path / "weituo.sqlite3")


def test_data_dir_comes_from_weituo_data_dir(tmp_path):
    # DATA_DIR is computed when base.py is imported: check it in a fresh interpreter.
    env = {**os.environ, "WEITUO_DATA_DIR": str(tmp_path / "elsewhere")}
    env.pop("DATABASE_URL", None)
    code = "from config.settings import base; print(base.DATA_DIR); print(base.database_from_env()['NAME'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    data_dir, name = result.stdout.splitlines()
    assert Path(data_dir) == (tmp_path / "elsewhere").resolve()
    assert Path(name) == (tmp_path / "elsewhere" / "weituo.sqlite3").resolve()


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_database_url_selects_postgresql(monkeypatch, tmp_path, scheme):
    monkeypatch.setenv("DATABASE_URL", f"{scheme}://weituo:secret@db.example.org:5433/weituo_prod")
    monkeypatch.setattr(base, "DATA_DIR", tmp_path / "unused")

    config = base.database_from_env()

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("weituo_prod", "weituo", "secret")
    assert (config["HOST"], config["PORT"]) == ("db.example.org", 5433)
    assert "transaction_mode" not in config.get("OPTIONS", {})  # the SQLite options are SQLite's only
    assert not (tmp_path / "unused").exists()


def test_database_url_may_name_a_sqlite_file(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite3'}")

    config = base.database_from_env()

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "other.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# --- language and time -------------------------------------------------------------------------


def test_chinese_first_english_available():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.USE_I18N is True


def test_times_stored_in_utc_shown_in_china_standard_time():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


# --- the configured database (SQLite, or PostgreSQL when CI sets DATABASE_URL) -------------------


@pytest.mark.django_db
def test_suite_runs_on_the_database_named_by_database_url():
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    print(f"database vendor: {connection.vendor}")

    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_datetimes_round_trip_as_utc():
    year = CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕1号")
    assert year.created_at.tzinfo is not None
    assert abs(year.created_at - datetime.now(UTC)) < timedelta(minutes=5)

    # 08:00 in Beijing is midnight UTC; it must come back as that instant, in UTC.
    beijing_morning = datetime(2027, 1, 4, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    CalendarYear.objects.filter(pk=year.pk).update(created_at=beijing_morning)
    stored = CalendarYear.objects.get(pk=year.pk).created_at

    assert stored == beijing_morning
    assert stored.utcoffset() == timedelta(0)
    assert (stored.year, stored.month, stored.day, stored.hour) == (2027, 1, 4, 0)

    # What the database itself holds is the UTC time, not the local one.
    table = connection.ops.quote_name(CalendarYear._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT created_at FROM {table} WHERE id = %s", [year.pk])
        (raw,) = cursor.fetchone()
    if isinstance(raw, str):
        raw = datetime.fromisoformat(raw)
    if raw.tzinfo is None:  # SQLite: naive, and UTC by Django's convention
        assert raw == datetime(2027, 1, 4, 0, 0)
    else:  # PostgreSQL: timestamptz, read in the connection's time zone (UTC)
        assert raw == datetime(2027, 1, 4, 0, 0, tzinfo=UTC)
        assert raw.utcoffset() == timedelta(0)


# --- the weituo command --------------------------------------------------------------------------


def test_weituo_console_script_lists_django_commands(tmp_path):
    weituo = Path(sys.executable).parent / "weituo"
    assert weituo.exists(), f"the weituo console script is not installed next to {sys.executable}"
    env = {**os.environ, "WEITUO_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the command's own default settings

    result = subprocess.run([str(weituo), "--help"], env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert "weituo help <subcommand>" in result.stdout
    assert "[django]" in result.stdout
    for command in ("migrate", "createsuperuser", "shell"):
        assert command in result.stdout.split()
