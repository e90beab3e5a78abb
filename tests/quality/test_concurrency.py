"""Three users of the MAH acknowledge one event at the same moment, each in its own process with its
own connection: exactly one acknowledgement is recorded, the others are refused (no lost update, no
acknowledgement silently replaced), and the ledger still replays to the data.

Runs against a fresh database of the suite's engine (the test database lives inside one transaction),
as ``tests/integrity/test_concurrency.py`` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.integrity.test_concurrency import fresh_database  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]
RACERS = ("li.xiaomei", "chen.hua", "liu.yang")  # the MAH's QA, head of quality and QP


def test_one_acknowledgement_wins_the_others_are_refused(fresh_database, tmp_path):  # noqa: F811
    env = {**os.environ, "DATABASE_URL": fresh_database, "WEITUO_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings.test"}  # fmt: skip
    weituo = [str(Path(sys.executable).with_name("weituo"))]
    migrate = subprocess.run([*weituo, "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    setup = subprocess.run(
        [sys.executable, "-m", "tests.quality.racer", "setup"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    event_pk = setup.stdout.split()[-1]

    start = str(time.time() + 4)  # time for every racer to start Django and read the event
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.quality.racer", "acknowledge", name, event_pk, start],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in RACERS
    ]
    outcomes = {}
    for name, racer in zip(RACERS, racers, strict=True):
        out, err = racer.communicate(timeout=300)
        assert racer.returncode == 0, out + err
        outcomes[name] = out.split()[-1]
    assert sorted(outcomes.values()) == ["already_in_status", "already_in_status", "ok"], outcomes
    [winner] = [name for name, outcome in outcomes.items() if outcome == "ok"]

    check = subprocess.run(
        [sys.executable, "-c", (
            "import django; django.setup();"
            "from weituo.quality.models import QualityEvent as E;"
            "from weituo.integrity.models import LedgerEntry as L;"
            f"e = E.objects.get(pk={event_pk});"
            "print(e.status, e.acknowledged_by.username, e.version, L.objects.filter(action='transition',"
            " object_type='quality.qualityevent').count())"
        )],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert check.stdout.split() == ["acknowledged", winner, "2", "1"]

    verify = subprocess.run([*weituo, "ledger", "verify"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
