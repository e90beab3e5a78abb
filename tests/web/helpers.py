"""Reading the pages the way the browser tests will: by their data-testid and data-ref attributes."""

from __future__ import annotations

import re

from django.http import HttpResponse


def html(response: HttpResponse) -> str:
    return response.content.decode()


def refs(response: HttpResponse, testid: str) -> set[str]:
    """The ``data-ref`` of every element with ``data-testid=testid`` (rows of a table, sections)."""
    pattern = re.compile(rf'data-testid="{re.escape(testid)}"[^>]*?data-ref="([^"]*)"')
    return set(pattern.findall(html(response)))


def ids_of(response: HttpResponse) -> set[str]:
    return set(re.findall(r'data-testid="([^"]+)"', html(response)))


def block(response: HttpResponse, testid: str) -> str:
    """The HTML of the first element with ``data-testid=testid``, up to the end of the page (enough
    to check what a panel holds when it comes last, or to search within a section's start)."""
    text = html(response)
    start = text.find(f'data-testid="{testid}"')
    assert start >= 0, f"no element with data-testid={testid}"
    return text[start:]
