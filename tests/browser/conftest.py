"""Browser tests: Chromium, driven by Playwright, against a real weituo server on a throwaway demo.

The audit ledger's database guards refuse DELETE and TRUNCATE, so pytest-django's ``live_server``
(which flushes the database after each test) cannot be used. Instead, once for the package:

1. a demo database is built in a subprocess (``weituo demo --size small --no-serve``): SQLite in a
   temporary data directory, or — when the suite runs with ``DATABASE_URL=postgres://…`` — a fresh
   PostgreSQL database ``weituo_browser_<random>`` on the same server, dropped at the end;
2. the facts the tests check the pages against are read from it (``tests.browser.demo_facts``);
3. ``weituo runserver`` serves it on a free port (DEBUG off, so that a 404 is weituo's own page);
4. Chromium opens one fresh context per test; the tests see the database only through the pages
   (and ``weituo ledger verify`` in a subprocess).

Where Chromium (``/usr/bin/chromium``, Debian's package, or ``WEITUO_CHROMIUM``) or Playwright is missing, the tests are
skipped with the reason, repeated at the end of the run; with ``WEITUO_REQUIRE_BROWSER=1`` (CI) they
fail instead.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.helpers import REPO, log_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_SETTINGS = "tests.browser.server_settings"
WEITUO = [sys.executable, "-m", "weituo.cli"]  # the `weituo` command of this interpreter
ACTION_TIMEOUT_MS = 10_000
INSTALL_HINT = "Debian: apt-get install chromium fonts-wqy-microhei"


def chromium_path() -> str | None:
    """Debian's Chromium, or the one ``WEITUO_CHROMIUM`` names (Playwright's own download is not used)."""
    wanted = os.environ.get("WEITUO_CHROMIUM")
    if wanted:
        return wanted if os.access(wanted, os.X_OK) else None
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[dev]')"
    if chromium_path() is None:
        return f"no Chromium at {os.environ.get('WEITUO_CHROMIUM') or CHROMIUM} ({INSTALL_HINT})"
    return None


def browser_required() -> bool:
    return os.environ.get("WEITUO_REQUIRE_BROWSER", "") not in ("", "0")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say loudly that the browser tests did not run (a skip is easy to miss among dots)."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "tests/browser/" in r.nodeid]
    if not skipped:
        return
    longrepr = skipped[0].longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    reason = reason.removeprefix("Skipped: ")
    terminalreporter.write_sep("!", "browser tests skipped", yellow=True)
    terminalreporter.write_line(f"{len(skipped)} browser test(s) SKIPPED: {reason}", yellow=True, bold=True)
    terminalreporter.write_line("Set WEITUO_REQUIRE_BROWSER=1 to make a missing browser fail the run (CI does).")


@pytest.fixture(scope="package", autouse=True)
def _browser_available() -> None:
    reason = browser_missing()
    if reason is None:
        return
    if browser_required():
        pytest.fail(f"WEITUO_REQUIRE_BROWSER is set but {reason}", pytrace=False)
    pytest.skip(f"browser tests need Chromium and Playwright: {reason}")


# --- the demo database and its server --------------------------------------------------------------


@dataclass
class DemoServer:
    url: str
    env: dict[str, str]  # the server's environment: run `weituo` commands on the same database with it
    facts: dict[str, Any]  # tests.browser.demo_facts
    sessions: dict[str, Any] = field(default_factory=dict)  # username → Playwright storage state

    def weituo(self, *args: str, timeout: float = 120, language: str = "") -> subprocess.CompletedProcess:
        """Run ``weituo`` on the server's database; ``language`` ("en", "zh_CN"…) sets the command's
        language whatever the shell running the tests speaks."""
        env = self.env
        if language:
            env = {k: v for k, v in env.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
            env["LANGUAGE"] = language
        return _weituo(env, *args, timeout=timeout)


def _weituo(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*WEITUO, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _require_ok(result: subprocess.CompletedProcess, what: str) -> str:
    if result.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class _PostgresDatabase:
    """A fresh database on the server of the suite's ``DATABASE_URL``, dropped by :meth:`drop`."""

    suite_url: str
    name: str = field(default_factory=lambda: f"weituo_browser_{secrets.token_hex(6)}")

    def _url(self, database: str) -> str:
        return urlsplit(self.suite_url)._replace(path=f"/{database}").geturl()

    @property
    def url(self) -> str:
        return self._url(self.name)

    def _admin(self, statement: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self._url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(self.name)))

    def create(self) -> None:
        self._admin("CREATE DATABASE {}")

    def drop(self) -> None:
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer at {url} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="package")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    data_dir = tmp_path_factory.mktemp("browser-demo")
    env = dict(os.environ)
    env.update(
        WEITUO_DATA_DIR=str(data_dir),
        WEITUO_KEY_DIR=str(data_dir / "keys"),
        DJANGO_SETTINGS_MODULE=SERVER_SETTINGS,
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
        PYTHONUNBUFFERED="1",
    )
    suite_url = env.pop("DATABASE_URL", "")
    database = _PostgresDatabase(suite_url) if suite_url.startswith(("postgres://", "postgresql://")) else None
    server = None
    try:
        if database is not None:
            database.create()
            env["DATABASE_URL"] = database.url
        _require_ok(_weituo(env, "demo", "--size", "small", "--no-serve"), "weituo demo --size small --no-serve")
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = data_dir / "server.log"
        with log.open("w") as out:
            # --insecure: static files with DEBUG off; --skip-checks: the suite runs the checks itself.
            server = subprocess.Popen(
                [*WEITUO, "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure", "--skip-checks"],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        facts = json.loads(  # read while the server starts
            _require_ok(
                subprocess.run(
                    [sys.executable, "-m", "tests.browser.demo_facts"],
                    cwd=REPO,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                ),
                "tests.browser.demo_facts",
            )
        )
        _wait_until_serving(url, server, log)
        yield DemoServer(url=url, env=env, facts=facts)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if database is not None:
            database.drop()


# --- the browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    # Package scope: Playwright (and its event loop) is gone before the rest of the suite runs.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Any, demo_server: DemoServer) -> Iterator[Callable[..., Any]]:
    """``open_page("li.na")``: a page in a fresh browser context, logged in as that demo user (through
    the login form the first time, later with the session it got), on the workspace; ``open_page()``:
    logged out, on the login page."""
    contexts = []

    def _open(username: str | None = None) -> Any:
        context = browser.new_context(
            base_url=demo_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 1366, "height": 900},
            storage_state=demo_server.sessions.get(username) if username else None,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        if username and username not in demo_server.sessions:
            log_in(page, username)
            demo_server.sessions[username] = context.storage_state()
        else:
            page.goto("/")
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def facts(demo_server: DemoServer) -> dict[str, Any]:
    return demo_server.facts
