"""What the browser tests share: logging in through the form, reading refs and statuses off a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

try:
    from playwright.sync_api import expect
except ImportError:  # the tests are then skipped (or fail under WEITUO_REQUIRE_BROWSER): see conftest
    expect = None  # type: ignore[assignment]

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"  # kept as test artefacts (artifacts/ is gitignored)
DEMO_PASSWORD = "weituo-demo-2026"  # weituo.demo.users.DEMO_PASSWORD, printed by `weituo demo`


def log_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form; lands on the workspace."""
    page.goto("/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")
    expect(page.get_by_test_id("logout-button")).to_be_visible()


def refs_of(page: Any, testid: str) -> list[str]:
    """The ``data-ref`` of every element with that ``data-testid`` on the page."""
    return page.locator(f'[data-testid="{testid}"]').evaluate_all("els => els.map(e => e.dataset.ref)")


def visit(page: Any, path: str) -> int:
    """Open a path; the HTTP status of the page."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    return response.status
