"""Web-app benchmark: latency of the heavy pages under concurrent load, against a trivial view of the same run.

Run from the project root::

    .venv/bin/python benchmarks/web.py                       # build the province demo in a temp dir, measure
    .venv/bin/python benchmarks/web.py --data-dir /tmp/wd    # reuse (or build once into) that data dir
    .venv/bin/python benchmarks/web.py --requests 100        # a quick run

What it does:

1. Builds the demo (``weituo demo --size province --no-serve``) in a temporary data directory, or reuses
   the one ``--data-dir`` names (building it there first if it holds no database). ``DATABASE_URL`` is
   removed from the children's environment: nothing touches your own database.
2. Finds the pages to measure and counts the SQL queries each one issues: a Django-configured child
   (``--probe``, internal) fetches each page once with the test client inside ``CaptureQueriesContext``
   (after a first, warming request), as ``tests/web/test_queries.py`` does.
3. Starts the real server on a free loopback port: ``weituo runserver --noreload`` (threaded: one thread
   per connection) with ``DJANGO_SETTINGS_MODULE=benchmarks.settings`` (``DEBUG = False``, plus the
   trivial view of ``benchmarks/trivial_urls.py``).
4. Logs in as chen.jing (platform admin: sees everything) and li.na (MAH QA) through a real POST to
   ``/login/`` with the CSRF token.
5. From a second process (``multiprocessing``), ``--concurrency`` threads, each with its own keep-alive
   ``http.client`` connection, request every page — and the trivial view, the baseline — in
   ``--rounds`` interleaved rounds (so drift falls on all of them alike), at most ``--requests`` requests
   and ``--seconds`` seconds per page.
6. Prints p50, p95, requests/s, non-200 responses and SQL queries per page, p95 ÷ the trivial view's p95
   (target ≤ 3×, and no non-200) and a PASS/MISS table (exit status 1 on a MISS). The trivial view is also
   measured without a session cookie, for information: a logged-in request saves its session (a SQLite
   write) on every request, and that write is most of the baseline.
7. For each page, where one request's time goes (test client, one thread: session, its COMMIT, the view's
   SQL, the template's SQL, rendering, view code). For a page that misses (every page with ``--profile``):
   a cProfile of it with each template's own rendering time, and ``py-spy`` sampling the real server while
   that page alone is under the same load (``--no-py-spy`` to skip).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PASSWORD = "weituo-demo-2026"  # weituo.demo.users.DEMO_PASSWORD; not imported: the parent stays Django-free
RATIO_TARGET = 3.0
TRIVIAL = "trivial"
TRIVIAL_URL = "/__bench/trivial/"
ANONYMOUS = "trivial-anonymous"  # the trivial view without a session cookie: informative, not judged


@dataclass
class Target:
    """One page to measure, as one user."""

    key: str
    label: str
    user: str
    url: str
    queries: int | None = None
    size: int | None = None  # bytes of the body
    latencies: list[float] = field(default_factory=list)  # seconds, measured requests only
    statuses: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0  # seconds spent in its load phases (all threads together)


# --------------------------------------------------------------------------------------------------
# Environment of the children: the repository on the path, the benchmark's data dir, never your database.
# --------------------------------------------------------------------------------------------------


def child_env(data_dir: Path, settings: str = "benchmarks.settings") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "WEITUO_KEY_DIR")}
    paths = [str(ROOT), str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    env.update(
        PYTHONPATH=os.pathsep.join(paths),
        DJANGO_SETTINGS_MODULE=settings,
        WEITUO_DATA_DIR=str(data_dir),
        PYTHONUNBUFFERED="1",
    )
    return env


def log(message: str) -> None:
    print(f"[web {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ensure_demo(data_dir: Path) -> None:
    if (data_dir / "weituo.sqlite3").exists():
        log(f"reusing the demo in {data_dir} (migrating it first: the server refuses a database without its guards)")
        subprocess.run(
            [sys.executable, "-m", "weituo.cli", "migrate", "--no-input", "--verbosity", "0"],
            env=child_env(data_dir, "config.settings.local"),
            cwd=ROOT,
            check=True,
        )
        return
    log(f"building the province demo in {data_dir} (weituo demo --size province --no-serve) …")
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "weituo.cli", "demo", "--size", "province", "--no-serve"],
        env=child_env(data_dir, "config.settings.local"),
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log(f"demo built in {time.monotonic() - started:.1f} s")


def run_internal(data_dir: Path, *args: str) -> str:
    """This script in a Django-configured child (``--probe`` or ``--profile-page``); its stdout."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--data-dir", str(data_dir), *args],
        env=child_env(data_dir),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


# --------------------------------------------------------------------------------------------------
# Django-configured children: the probe (refs, query counts) and the per-request profile.
# --------------------------------------------------------------------------------------------------


def setup_django() -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host


def probe() -> int:
    """Print (JSON) the pages to measure and the SQL queries each issues, counted with the test client."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from weituo.accounts.selectors import actor_for_user
    from weituo.contracts.models import CommissionContract
    from weituo.registry.models import Organisation

    users = get_user_model().objects
    # The CMO of the demo's shared line (sun.li's), and the contract with the most agreement rows.
    cmo = Organisation.objects.get(pk=actor_for_user(users.get(username="sun.li")).primary_organisation_id)
    contract = (
        CommissionContract.objects.annotate(
            rows=Count("quality_agreements__responsibilities", distinct=True)
            + Count("quality_agreements__communications", distinct=True)
        )
        .order_by("-rows", "ref")
        .first()
    )
    pages = [
        (TRIVIAL, "trivial view (baseline)", "chen.jing", TRIVIAL_URL),
        (ANONYMOUS, "trivial view, no session", "", TRIVIAL_URL),
        ("organisation", f"CMO file /organisations/{cmo.ref}/", "chen.jing", f"/organisations/{cmo.ref}/"),
        ("products-admin", "product list /products/", "chen.jing", "/products/"),
        ("products-mah", "product list /products/", "li.na", "/products/"),
        ("contract", f"contract /contracts/{contract.ref}/", "chen.jing", f"/contracts/{contract.ref}/"),
    ]
    out = []
    for key, label, username, url in pages:
        client = Client()
        if username:
            client.force_login(users.get(username=username))
        client.get(url)  # warm: the session's first save, caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} as {username}: HTTP {response.status_code}")
        out.append(
            {
                "key": key,
                "label": label,
                "user": username,
                "url": url,
                "queries": len(ctx.captured_queries),
                "size": len(response.content),
            }
        )
    print(json.dumps(out))
    return 0


def profile_page(user: str, url: str, n: int, with_cprofile: bool) -> int:
    """Where one request's time goes (test client, one thread): mean milliseconds per request of

    - ``session``: the SQL outside the view (the session loaded and saved: every request saves it,
      ``SESSION_SAVE_EVERY_REQUEST``), ``commit``: the COMMIT of that save (SQLite syncs the file to disk);
    - ``view SQL``: the queries the view runs, ``tmpl SQL``: those lazy querysets run while the template
      renders, ``render``: rendering without its SQL, ``view code``: the rest of the view (``_get_response``:
      URL resolving, the view's Python); ``other``: middleware and the test client.

    SQL is timed by an execute wrapper, commits around the backend's ``_commit``, rendering around the
    Django backend's ``Template.render``. With ``with_cprofile``, also the functions that take the time.
    """
    setup_django()
    import cProfile
    import pstats

    from django.contrib.auth import get_user_model
    from django.core.handlers import base as handlers
    from django.db import connection
    from django.db.backends.base import base as db_base
    from django.template.backends import django as backend
    from django.test import Client

    spent = dict.fromkeys(("session", "commit", "view_sql", "tmpl_sql", "render", "view"), 0.0)
    state = {"where": "session", "queries": 0}

    def timed(key: str | None, fn: Any, where: str | None = None) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            before = state["where"]
            if where:
                state["where"] = where
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[key or before] += time.perf_counter() - t0
                state["where"] = before

        return wrapper

    def timed_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        state["queries"] += 1
        sql_key = {"session": "session", "view": "view_sql", "render": "tmpl_sql"}[state["where"]]
        return timed(sql_key, execute)(sql, params, many, context)

    patches = [
        (db_base.BaseDatabaseWrapper, "_commit", "commit", None),
        (handlers.BaseHandler, "_get_response", "view", "view"),
        (backend.Template, "render", "render", "render"),
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _key, _where in patches]
    for owner, name, key, where in patches:
        setattr(owner, name, timed(key, getattr(owner, name), where))
    client = Client()  # after the patches: the handler binds _get_response into its chain on the first request
    if user:
        client.force_login(get_user_model().objects.get(username=user))
    total = 0.0
    try:
        with connection.execute_wrapper(timed_sql):
            for _ in range(3):  # warm, untimed
                client.get(url)
            spent.update(dict.fromkeys(spent, 0.0))
            state["queries"] = 0
            for _ in range(n):
                t0 = time.perf_counter()
                response = client.get(url)
                total += time.perf_counter() - t0
                assert response.status_code == 200, (url, response.status_code)
    finally:
        for owner, name, fn in originals:
            setattr(owner, name, fn)
    # Nested timers: the view's time holds its SQL and the render; the render holds the template's SQL.
    ms = {k: v / n * 1000 for k, v in spent.items()}
    result: dict[str, Any] = {
        "total_ms": total / n * 1000,
        "session_ms": ms["session"],
        "commit_ms": ms["commit"],
        "view_sql_ms": ms["view_sql"],
        "tmpl_sql_ms": ms["tmpl_sql"],
        "render_ms": ms["render"] - ms["tmpl_sql"],
        "view_ms": ms["view"] - ms["view_sql"] - ms["render"],
        "queries": state["queries"] / n,
    }
    result["other_ms"] = result["total_ms"] - ms["session"] - ms["commit"] - ms["view"]

    if with_cprofile:
        result["templates"] = template_times(client, url, n)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            client.get(url)
        profiler.disable()
        stats = pstats.Stats(profiler).stats  # (file, line, func) -> (cc, nc, tt, ct, callers)

        def where(k: tuple[str, int, str]) -> str:
            path, line, func = k
            for marker in ("/site-packages/", "/src/", "/lib/python3"):
                if marker in path:
                    path = path.split(marker, 1)[1]
                    break
            return f"{path}:{line} {func}" if line else func

        rows = [(k, v[1] / n, v[2] / n * 1000, v[3] / n * 1000) for k, v in stats.items()]
        ours = [r for r in rows if "/weituo/" in r[0][0] and "/migrations/" not in r[0][0]]
        result["cum_weituo"] = [(where(k), c, tt, ct) for k, c, tt, ct in sorted(ours, key=lambda r: -r[3])[:18]]
        result["self_all"] = [(where(k), c, tt, ct) for k, c, tt, ct in sorted(rows, key=lambda r: -r[2])[:18]]
    print(json.dumps(result))
    return 0


def template_times(client: Any, url: str, n: int) -> list[tuple[str, float, int]]:
    """Each template's own rendering time per request (its includes' time subtracted), ms, and renders."""
    from django.template import base as template_base

    own: dict[str, float] = {}
    renders: dict[str, int] = {}
    stack: list[float] = []
    original = template_base.Template._render

    def _render(self: Any, context: Any) -> Any:
        stack.append(0.0)
        t0 = time.perf_counter()
        try:
            return original(self, context)
        finally:
            dt = time.perf_counter() - t0
            inner = stack.pop()
            own[self.name] = own.get(self.name, 0.0) + dt - inner
            renders[self.name] = renders.get(self.name, 0) + 1
            if stack:
                stack[-1] += dt

    template_base.Template._render = _render
    try:
        for _ in range(n):
            client.get(url)
    finally:
        template_base.Template._render = original
    return sorted(((name, t / n * 1000, renders[name] // n) for name, t in own.items()), key=lambda r: -r[1])


# --------------------------------------------------------------------------------------------------
# The server and the logins.
# --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, log_path: Path) -> subprocess.Popen:
    """``weituo runserver --noreload``: Django's threaded WSGI server, one thread per connection, in one
    process (DEBUG off, so its static-file handler is off too; the benchmark requests no static file)."""
    log(f"starting weituo runserver {HOST}:{port} --noreload (threaded, DEBUG=False)")
    server = subprocess.Popen(
        [sys.executable, "-m", "weituo.cli", "runserver", f"{HOST}:{port}", "--noreload"],
        env=child_env(data_dir),
        cwd=ROOT,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}); see {log_path}:\n{log_path.read_text()}")
        try:
            conn = HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", TRIVIAL_URL)
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not answer within 60 s; see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def login(base: str, username: str) -> str:
    """A real login: GET the form for its CSRF cookie, POST the credentials with the token; the session cookie."""
    try:
        import requests
    except ImportError:  # the standard library does the same with a cookie jar
        return login_urllib(base, username)
    session = requests.Session()
    session.get(f"{base}/login/", timeout=30).raise_for_status()
    token = session.cookies["csrftoken"]
    response = session.post(
        f"{base}/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"login as {username} failed: HTTP {response.status_code}")
    return f"sessionid={session.cookies['sessionid']}; csrftoken={token}"


def login_urllib(base: str, username: str) -> str:
    import http.cookiejar
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    opener.open(f"{base}/login/", timeout=30).read()
    cookies = {c.name: c.value for c in jar}
    data = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": cookies["csrftoken"]}
    ).encode()
    request = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as e:  # the 302 the NoRedirect handler leaves unfollowed
        if e.code != 302:
            raise SystemExit(f"login as {username} failed: HTTP {e.code}") from None
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"login as {username} failed: no session cookie")
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"


# --------------------------------------------------------------------------------------------------
# The load: a second process, N threads, each on its own keep-alive connection.
# --------------------------------------------------------------------------------------------------


def load_phase(port: int, url: str, cookie: str, count: int, seconds: float, concurrency: int) -> dict[str, Any]:
    """``count`` GETs of ``url`` (at most ``seconds``) from ``concurrency`` threads; latencies and statuses."""
    lock = threading.Lock()
    remaining = [count]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    barrier = threading.Barrier(concurrency + 1)
    headers = {"Cookie": cookie} if cookie else {}

    def worker() -> None:
        conn = HTTPConnection(HOST, port, timeout=60)
        conn.connect()
        barrier.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", url, headers=headers)
                response = conn.getresponse()
                response.read()
                status = str(response.status)
            except (OSError, ValueError, ConnectionError) as e:  # counted, never fatal: it is a non-200
                status = type(e).__name__
                conn.close()
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return {"latencies": latencies, "statuses": statuses, "wall": time.perf_counter() - t0}


def load_process(conn: Any, port: int, plan: list[dict[str, Any]], concurrency: int, warmup: int) -> None:
    """The load generator (child process): runs the plan's phases in order, sends the results back."""
    results = []
    warmed: set[str] = set()
    for phase in plan:
        if phase["key"] not in warmed:  # unmeasured: connections, the server's first render of the page
            load_phase(port, phase["url"], phase["cookie"], warmup, 30, concurrency)
            warmed.add(phase["key"])
        results.append(
            {
                "key": phase["key"],
                **load_phase(port, phase["url"], phase["cookie"], phase["count"], phase["seconds"], concurrency),
            }
        )
    conn.send(results)
    conn.close()


def run_plan(port: int, plan: list[dict[str, Any]], concurrency: int) -> list[dict[str, Any]]:
    """The plan's phases, run by a second process (``multiprocessing``, spawned): its results."""
    context = multiprocessing.get_context("spawn")
    parent_end, child_end = context.Pipe(duplex=False)
    process = context.Process(target=load_process, args=(child_end, port, plan, concurrency, 2 * concurrency))
    process.start()
    child_end.close()
    results = parent_end.recv()
    process.join()
    return results


def run_load(port: int, targets: list[Target], cookies: dict[str, str], args: argparse.Namespace) -> None:
    per_round = max(1, args.requests // args.rounds)
    plan = []
    for r in range(args.rounds):
        order = targets if r % 2 == 0 else list(reversed(targets))  # ABC… then …CBA: drift falls on all alike
        plan += [
            {
                "key": t.key,
                "url": t.url,
                "cookie": cookies[t.user],
                "count": per_round,
                "seconds": args.seconds / args.rounds,
            }
            for t in order
        ]
    log(
        f"load: {len(targets)} pages × {args.rounds} rounds × ≤{per_round} requests (≤{args.seconds:.0f} s a page), "
        f"{args.concurrency} threads on keep-alive connections, from a second process"
    )
    results = run_plan(port, plan, args.concurrency)
    by_key = {t.key: t for t in targets}
    for result in results:
        t = by_key[result["key"]]
        t.latencies += result["latencies"]
        t.wall += result["wall"]
        for status, n in result["statuses"].items():
            t.statuses[status] = t.statuses.get(status, 0) + n


# --------------------------------------------------------------------------------------------------
# py-spy: the real server under the same load, sampled, one page at a time (after the measured load).
# --------------------------------------------------------------------------------------------------

SPY_CATEGORIES = ("commit", "session", "sql", "orm", "render", "weituo", "other")
SPY_LABELS = {
    "commit": "the COMMIT of the session save",
    "session": "the session's load and save but its COMMIT (SQL included: the UPDATE waits for SQLite's write lock)",
    "sql": "the page's SQL (execute, fetch; waiting for a lock, or for the GIL when SQLite returns)",
    "orm": "the ORM in Python (queries built, rows to models)",
    "render": "template rendering",
    "weituo": "weituo's own code (view, selectors, trail)",
    "other": "the rest (WSGI, middleware, URL resolving, auth)",
}
SPY_OPTIONS = {"wall": ("--idle",), "gil": ("--gil",)}


def py_spy_binary() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def spy_classify(frames: list[str]) -> str:
    """What a request's thread is doing in one sample: the COMMIT, the session, else its innermost
    recognisable frame."""
    if any(f.endswith("(django/db/backends/base/base.py)") and "._commit " in f for f in frames):
        return "commit"
    if any("(django/contrib/sessions/" in f for f in frames):
        return "session"
    for frame in reversed(frames):
        where = frame.rpartition(" (")[2]
        if where.startswith("django/db/backends/"):
            return "sql"
        if where.startswith("django/db/models/"):
            return "orm"
        if where.startswith("django/template/") or "/templatetags/" in where:
            return "render"
        if where.startswith("weituo/"):
            return "weituo"
    return "other"


def spy_summary(raw: Path) -> dict[str, Any]:
    """Samples of threads serving a request (inside ``WSGIHandler.__call__``; threads waiting on a
    keep-alive connection for the next request, and the accepting thread, are left out), by category
    and by weituo function (inclusive)."""
    categories = dict.fromkeys(SPY_CATEGORIES, 0)
    functions: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines() if raw.exists() else []:
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not count.isdigit() or not any(f.startswith("WSGIHandler.__call__ ") for f in frames):
            continue
        n = int(count)
        total += n
        categories[spy_classify(frames)] += n
        for frame in set(frames):
            if " (weituo/" in frame and "(weituo/web/shell.py)" not in frame:
                functions[frame] = functions.get(frame, 0) + n
    top = sorted(functions.items(), key=lambda kv: -kv[1])[:10]
    return {"samples": total, "categories": categories, "functions": top}


def py_spy_pass(
    server: subprocess.Popen,
    port: int,
    targets: list[Target],
    cookies: dict[str, str],
    args: argparse.Namespace,
    out_dir: Path,
) -> dict[str, Any]:
    """Each page alone under the same load for ``--spy-seconds``, the server sampled at 100 Hz by two
    ``py-spy record`` at once, both non-blocking (the server is never paused):

    - ``wall`` (``--idle``): every thread serving a request, running or not — a thread waiting for the
      GIL or for SQLite counts where it stands: where the requests' latency goes;
    - ``gil`` (``--gil``): only the thread holding the GIL — what the one Python process spends its CPU
      on; samples ÷ (100 × seconds) is how busy the GIL was.

    Not measured: it only shows where the time goes."""
    spy = py_spy_binary()
    if spy is None:
        print("\npy-spy is not installed: no sampling of the server.")
        return {}
    summaries: dict[str, Any] = {}
    for t in targets:
        recorders = {}
        for mode, options in SPY_OPTIONS.items():
            raw = out_dir / f"py-spy-{t.key}-{mode}.txt"
            command = [spy, "record", "-p", str(server.pid), "-f", "raw", "-o", str(raw), "-r", "100"]
            recorders[mode] = (
                raw,
                subprocess.Popen(
                    [*command, "--nolineno", "--nonblocking", *options],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                ),
            )
        time.sleep(1.0)  # py-spy attaches
        failed = [r for _raw, r in recorders.values() if r.poll() is not None]
        if failed:
            print(f"\npy-spy could not sample the server: {failed[0].stderr.read().decode().strip()[:300]}")
            for _raw, r in recorders.values():
                r.kill()
                r.wait()
            return summaries
        log(f"py-spy: sampling the server while {t.label} as {t.user or 'anonymous'} is under load")
        phase = {"key": t.key, "url": t.url, "cookie": cookies[t.user], "count": 10**6, "seconds": args.spy_seconds}
        started = time.perf_counter()
        run_plan(port, [phase], args.concurrency)
        seconds = time.perf_counter() - started
        for _raw, r in recorders.values():
            r.send_signal(signal.SIGINT)
        for _raw, r in recorders.values():
            try:
                r.wait(timeout=30)
            except subprocess.TimeoutExpired:
                r.kill()
                r.wait()
        wall, gil = (spy_summary(recorders[mode][0]) for mode in ("wall", "gil"))
        summaries[t.key] = {
            "wall": wall,
            "gil": gil,
            "gil_busy": gil["samples"] / (100 * seconds),
            "files": [str(raw) for raw, _r in recorders.values()],
        }
    return summaries


def print_spy(targets: list[Target], spy: dict[str, Any], concurrency: int, kept: bool) -> None:
    if not spy:
        return
    print()
    print(f"py-spy on the server, each page alone under the same load ({concurrency} threads), % of samples:")
    print(f"{'page':<34}{'user':<11}{'samples':<8}{'GIL busy':>9}" + "".join(f"{k:>9}" for k in SPY_CATEGORIES))
    for t in targets:
        if t.key not in spy:
            continue
        for mode in ("wall", "gil"):
            s = spy[t.key][mode]
            shares = "".join(f"{100 * s['categories'][k] / max(1, s['samples']):>8.0f}%" for k in SPY_CATEGORIES)
            label, user = (t.label, t.user or "—") if mode == "wall" else ("", "")
            busy = f"{100 * spy[t.key]['gil_busy']:>8.0f}%" if mode == "gil" else ""
            print(f"{label:<34}{user:<11}{mode + ' ' + str(s['samples']):<8}{busy:>9}{shares}")
    print("  wall: threads serving a request, running or waiting (where latency goes); gil: the thread holding")
    print("  the GIL (where the CPU goes); GIL busy: share of the time some thread held it.")
    for key, text in SPY_LABELS.items():
        print(f"  {key}: {text}")
    for t in targets:
        if t.key not in spy or not spy[t.key]["wall"]["functions"]:
            continue
        wall, gil = spy[t.key]["wall"], spy[t.key]["gil"]
        shares = {
            mode: {frame: 100 * n / max(1, part["samples"]) for frame, n in part["functions"]}
            for mode, part in (("wall", wall), ("gil", gil))
        }
        frames = sorted(set(shares["wall"]) | set(shares["gil"]), key=lambda f: -shares["gil"].get(f, 0.0))
        print(f"  {t.label} as {t.user}: weituo functions on the stack (inclusive %)     wall      gil")
        for frame in frames[:10]:
            print(f"    {frame[:70]:<70}{shares['wall'].get(frame, 0.0):>7.1f}%{shares['gil'].get(frame, 0.0):>8.1f}%")
    if kept:
        files = sorted(f for v in spy.values() for f in v["files"])
        print(f"  raw stacks (input of flamegraph.pl or speedscope): {Path(files[0]).parent}/py-spy-*.txt")


# --------------------------------------------------------------------------------------------------
# The report.
# --------------------------------------------------------------------------------------------------


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def report(targets: list[Target], args: argparse.Namespace, loads: tuple[float, float]) -> list[dict[str, Any]]:
    base = next(t for t in targets if t.key == TRIVIAL)
    base_p95 = percentile(base.latencies, 95)
    rows = []
    for t in targets:
        p50, p95 = percentile(t.latencies, 50), percentile(t.latencies, 95)
        non_200 = sum(n for s, n in t.statuses.items() if s != "200")
        ratio = p95 / base_p95
        ok = non_200 == 0 and (t.key in (TRIVIAL, ANONYMOUS) or ratio <= args.target)
        rows.append(
            {
                "key": t.key,
                "page": t.label,
                "user": t.user,
                "url": t.url,
                "queries": t.queries,
                "kb": (t.size or 0) / 1024,
                "requests": len(t.latencies),
                "p50_ms": p50 * 1000,
                "p95_ms": p95 * 1000,
                "ratio": ratio,
                "rps": len(t.latencies) / t.wall if t.wall else 0.0,
                "non_200": non_200,
                "statuses": t.statuses,
                "ok": ok,
            }
        )
    cpus = os.cpu_count() or 1
    print()
    print(
        f"Web pages under load — {args.concurrency} concurrent keep-alive clients, weituo runserver (threaded, "
        f"DEBUG=False), SQLite, province demo"
    )
    print(f"  Python {sys.version.split()[0]}, {cpus} CPUs; 1-minute load average {loads[0]:.2f} → {loads[1]:.2f}")
    if max(loads) > cpus - 0.5:
        print("  warning: other processes competed for the machine; ratios stay comparable, absolute figures less so")
    print()
    header = (
        f"{'page':<34}{'user':<11}{'SQL':>5}{'KiB':>6}{'reqs':>6}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p95/base':>10}{'req/s':>8}{'non-200':>9}  result"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        verdict = {TRIVIAL: "baseline", ANONYMOUS: "info"}.get(r["key"], "PASS") if r["ok"] else "MISS"
        ratio = "1.00×" if r["key"] == TRIVIAL else f"{r['ratio']:.2f}×"
        print(
            f"{r['page']:<34}{r['user']:<11}{r['queries']:>5}{r['kb']:>6.0f}{r['requests']:>6}{r['p50_ms']:>9.1f}"
            f"{r['p95_ms']:>9.1f}{ratio:>10}{r['rps']:>8.1f}{r['non_200']:>9}  {verdict}"
        )
    print()
    print(f"Target: p95 ≤ {args.target:g}× the trivial view's p95 (same run, same server, same session), 0 non-200.")
    print("SQL: queries of one request, session and user included (test client, CaptureQueriesContext).")
    for r in rows:
        if r["non_200"]:
            print(f"  {r['page']} as {r['user']}: statuses {r['statuses']}")
    return rows


def breakdown(data_dir: Path, targets: list[Target], rows: list[dict[str, Any]], args: argparse.Namespace) -> dict:
    """One request of each page, single-threaded: where its time goes; a cProfile of the pages that miss."""
    missed = {r["key"] for r in rows if not r["ok"]}
    print()
    print(f"Where one request's time goes (test client, one thread, mean of {args.profile_requests} requests, ms):")
    columns = ("total", "session", "commit", "view SQL", "tmpl SQL", "render", "view code", "other")
    print(f"{'page':<34}{'user':<11}" + "".join(f"{c:>10}" for c in columns))
    profiles = {}
    for t in targets:
        with_cprofile = args.profile or t.key in missed
        out = run_internal(
            data_dir,
            "--profile-page",
            t.user,
            t.url,
            "--profile-requests",
            str(args.profile_requests),
            *(["--cprofile"] if with_cprofile else []),
        )
        p = json.loads(out)
        profiles[t.key] = p
        keys = ("total", "session", "commit", "view_sql", "tmpl_sql", "render", "view", "other")
        print(f"{t.label:<34}{t.user or '—':<11}" + "".join(f"{p[k + '_ms']:>10.1f}" for k in keys))
    print("  session: SQL outside the view: the session loaded and saved (every request saves it); the user is")
    print("  loaded lazily inside the view, in view SQL;")
    print("  commit: the COMMIT of that save (SQLite syncs to disk); view SQL / tmpl SQL: queries of the view,")
    print("  and of lazy querysets while the template renders; render: rendering without SQL; view code: the")
    print("  view's own Python and URL resolving; other: middleware and the test client.")
    base = profiles[TRIVIAL]
    print(
        f"  The baseline's own time is {100 * base['commit_ms'] / base['total_ms']:.0f}% the COMMIT of the session save: "
        "every logged-in request writes to SQLite, and under load those writes queue for its one write lock."
    )
    for t in targets:
        p = profiles[t.key]
        if "cum_weituo" not in p:
            continue
        print()
        print(
            f"cProfile of {t.label} as {t.user or 'anonymous'} (per request; cProfile slows calls, compare within it):"
        )
        if p["cum_weituo"]:
            print(f"  {'weituo functions by cumulative time':<78}{'calls':>7}{'self ms':>9}{'cum ms':>9}")
        for name, calls, tt, ct in p["cum_weituo"]:
            print(f"  {name[:78]:<78}{calls:>7.0f}{tt:>9.2f}{ct:>9.2f}")
        print(f"  {'all functions by self time':<78}{'calls':>7}{'self ms':>9}{'cum ms':>9}")
        for name, calls, tt, ct in p["self_all"]:
            print(f"  {name[:78]:<78}{calls:>7.0f}{tt:>9.2f}{ct:>9.2f}")
        if p["templates"]:
            print(
                f"  {'templates by own rendering time (timed, without cProfile; a base holds its blocks)':<85}", end=""
            )
            print(f"{'renders':>9}{'ms':>9}")
        for name, ms, renders in p["templates"]:
            print(f"  {name[:85]:<85}{renders:>9}{ms:>9.2f}")
    return profiles


def parent(args: argparse.Namespace) -> int:
    started = time.monotonic()
    temp = None
    if args.data_dir:
        data_dir = Path(args.data_dir).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
    else:
        temp = tempfile.mkdtemp(prefix="weituo-web-bench-")
        data_dir = Path(temp)
    server = None
    try:
        ensure_demo(data_dir)
        log("probing the pages and counting their SQL queries (test client, CaptureQueriesContext)")
        targets = [Target(**p) for p in json.loads(run_internal(data_dir, "--probe"))]
        port = free_port()
        server = start_server(data_dir, port, data_dir / "bench-server.log")
        base = f"http://{HOST}:{port}"
        cookies = {user: login(base, user) for user in sorted({t.user for t in targets} - {""})}
        log(f"logged in as {', '.join(cookies)} (POST /login/ with the CSRF token)")
        cookies[""] = ""  # the anonymous trivial view: no session cookie
        load_before = os.getloadavg()[0]
        run_load(port, targets, cookies, args)
        load_after = os.getloadavg()[0]
        rows = report(targets, args, (load_before, load_after))
        missed = {r["key"] for r in rows if not r["ok"]}
        sampled = [t for t in targets if args.profile or t.key in missed]
        spy = py_spy_pass(server, port, sampled, cookies, args, data_dir) if sampled and not args.no_py_spy else {}
        stop_server(server)
        server = None
        profiles = breakdown(data_dir, targets, rows, args)
        print_spy(targets, spy, args.concurrency, kept=temp is None)
        if args.json:
            Path(args.json).write_text(
                json.dumps({"rows": rows, "profiles": profiles, "py_spy": spy}, ensure_ascii=False, indent=2)
            )
        print(f"\n(benchmark took {time.monotonic() - started:.0f} s)")
        return 0 if all(r["ok"] for r in rows) else 1
    finally:
        if server is not None:
            stop_server(server)
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="reuse this data dir (build the demo there if it has no database)")
    parser.add_argument("--requests", type=int, default=400, help="measured requests per page (default 400)")
    parser.add_argument("--seconds", type=float, default=30.0, help="at most this long per page (default 30)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds (default 4)")
    parser.add_argument("--target", type=float, default=RATIO_TARGET, help="p95 ratio target (default 3)")
    parser.add_argument("--profile", action="store_true", help="cProfile every page, not only those that miss")
    parser.add_argument("--profile-requests", type=int, default=20, help="requests per page profiled (default 20)")
    parser.add_argument("--spy-seconds", type=float, default=8.0, help="py-spy sampling per page (default 8)")
    parser.add_argument("--no-py-spy", action="store_true", help="do not sample the server with py-spy")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    # internal: the Django-configured children
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-page", nargs=2, metavar=("USER", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--cprofile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        return probe()
    if args.profile_page:
        return profile_page(*args.profile_page, args.profile_requests, args.cprofile)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
