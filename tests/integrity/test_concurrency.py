"""Eight writers in eight processes append to the ledger at once: no fork, no gap in seq.

Runs against a fresh database of the same engine as the suite (a SQLite file, or a new PostgreSQL
database on the server in DATABASE_URL), because the test database lives inside one transaction.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITERS, EACH = 8, 25


@pytest.fixture
def fresh_database(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
        return
    import psycopg

    parts = urlparse(url)
    name = f"weituo_conc_{secrets.token_hex(4)}"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def test_eight_concurrent_writers_leave_one_unbroken_chain(fresh_database, tmp_path):
    env = {**os.environ, "DATABASE_URL": fresh_database, "WEITUO_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings.test"}  # fmt: skip
    weituo = [str(Path(sys.executable).with_name("weituo"))]
    migrate = subprocess.run([*weituo, "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr

    writers = [run(["-m", "tests.integrity.writer", str(k), str(EACH)], env) for k in range(WRITERS)]
    for w in writers:
        out, _ = w.communicate(timeout=300)
        assert w.returncode == 0, out.decode()

    check = subprocess.run(
        [sys.executable, "-c", (
            "import django; django.setup();"
            "from weituo.integrity.models import LedgerEntry as L;"
            "print(L.objects.count(), min(L.objects.values_list('seq', flat=True)),"
            " max(L.objects.values_list('seq', flat=True)), L.objects.values('prev_hash').distinct().count())"
        )],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    count, low, high, distinct_prev = map(int, check.stdout.split())
    assert (count, low, high) == (WRITERS * EACH, 1, WRITERS * EACH)  # no gap
    assert distinct_prev == count  # no fork: no two entries share a predecessor

    english = {**env, "LANGUAGE": "en"}  # the command's summary in English, whatever the shell's language
    verify = subprocess.run([*weituo, "ledger", "verify"], cwd=ROOT, env=english, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"{WRITERS * EACH} entries" in verify.stdout
