"""Every page, as each demo role, in Chinese: no raw enum value or column name, no ledger action
without its label, no timestamp in UTC, no label left in English.

The walk starts at the home page and follows the links each person is shown (one page per kind of
page and per role: a list, a detail, a form), over the demo province with its collaboration records.
What the people read is the visible text of the page: tags, attributes, scripts and the values the
user typed (references, names, numbers) aside, it must be Chinese.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, resolve

from weituo.core.actors import system_actor
from weituo.demo.collaboration import seed_collaboration
from weituo.demo.generator import generate
from weituo.demo.users import PEOPLE, ensure_demo_users
from weituo.exchange.services import registry_import
from weituo.integrity.actions import LedgerAction

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Pages that are not pages: downloads, exports, logout, the API, htmx fragments reached by links.
SKIP = re.compile(
    r"^/(static|media|api|admin|logout)\b|/(file|download|export|report|print)(/|\.|$)|\.(docx|xlsx|json|zip)$"
)
# What may stay Latin in the Chinese UI: acronyms of the glossary, units and formats.
LATIN_OK = {
    "QA", "QP", "MAH", "CMO", "CDMO", "CAPA", "OOS", "OOT", "GMP", "API", "SHA", "USCC", "PDF", "OFD",
    "HTML", "JSON", "Excel", "Word", "CSV", "XML", "JPEG", "PNG", "ID", "MES", "LIMS", "SCADA", "EMS",
    "ml", "mg", "kg", "g", "L", "mL", "min", "h", "B", "A", "C", "D", "weituo", "htmx", "RFC", "Ed25519",
    "NMPA", "IVD", "English", "TCM", "EU", "US", "WHO", "PIC", "S", "No", "v", "Merkle", "UTF", "XLSX", "DOCX",
}  # fmt: skip
CJK = re.compile(r"[\u3400-\u9fff]")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # an enum code or a column name: in_production, working_days
UTC_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\+00:00|\bUTC\b")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")
# Latin text a person typed or a code that is data, not a label: references, usernames, e-mails.
DATA = re.compile(
    r"\S+@\S+|\S+\.(?:pdf|docx?|xlsx?|ofd|csv|xml|jpe?g|png|zip)\b|\b[0-9a-fA-F]{16,}\b"
    r"|[A-Z0-9]+(?:-[A-Za-z0-9]+)+|[a-z]+\.[a-z]+\b|\b\d+[A-Za-z]*\b|[A-Z]{2,}\d+"
    r"|\b[A-D]{1,4}[hzsdyqtx]{1,8}\b"  # a licence's class codes (分类码: Bhz)
)
ACTIONS = {a.value for a in LedgerAction}
MAX_PAGES_PER_ROLE = 45


class _Text(HTMLParser):
    """The visible text of a page, node by node (no script, style, or attribute)."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "pre", "textarea", "option"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/"):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre", "textarea", "option") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if text and not self._hidden:
            self.nodes.append(text)


def problems_of(html: str) -> tuple[list[str], list[str]]:
    parser = _Text()
    parser.feed(html)
    found = []
    for node in parser.nodes:
        if SNAKE.search(node):
            found.append(f"raw code {SNAKE.search(node).group(0)!r} in {node[:80]!r}")
        if node in ACTIONS:
            found.append(f"unlabelled ledger action {node!r}")
        if UTC_MOMENT.search(node):
            found.append(f"UTC timestamp in {node[:80]!r}")
        if not CJK.search(node):
            words = [w for w in WORD.findall(DATA.sub(" ", node)) if w not in LATIN_OK]
            if words:
                found.append(f"English-only text {node[:80]!r}")
    return found, parser.links


def _kind(path: str) -> str:
    """One page per route and per shape of its arguments (one batch page stands for all batches)."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return ""
    return f"{match.view_name}:{'&'.join(sorted(match.kwargs))}:{urlsplit(path).query.split('=')[0]}"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        # As the demo does: the purpose and the source are what people read in the trail.
        system = system_actor("页面巡检 page walk")
        registry_import(actor=system, dataset=generate(size="small", seed=1).dataset, source="页面巡检 page walk")
        ensure_demo_users(actor=system)
        seed_collaboration(seed=1)
        yield
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def walk(client: Client) -> dict[str, list[str]]:
    seen_kinds: set[str] = set()
    queue, visited, report = deque(["/"]), set(), {}
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        path = urldefrag(queue.popleft())[0]
        kind = _kind(path)
        if path in visited or SKIP.search(path) or not kind or kind in seen_kinds:
            continue
        visited.add(path)
        seen_kinds.add(kind)
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        found, links = problems_of(response.content.decode())
        if found:
            report[path] = sorted(set(found))
        queue.extend(links)
    return report


@pytest.mark.parametrize("username", [p[0] for p in PEOPLE])
def test_every_page_speaks_chinese(demo, username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    report = walk(client)
    assert report == {}, "\n".join(f"{path}: {p}" for path, found in report.items() for p in found)
