"""A party edits a row of the quality agreement's communication list in place (htmx) and sees the new
entry of the audit trail; the counterparty sees it too, and the ledger still verifies."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.browser.helpers import expect, visit


def _trail_entry(page: Any, reason: str) -> Any:
    return page.get_by_test_id("trail-panel").get_by_test_id("trail-row").filter(has_text=reason)


def _seqs(page: Any) -> list[int]:
    """The ledger sequence numbers of the entries the trail panel shows."""
    rows = page.get_by_test_id("trail-panel").get_by_test_id("trail-row")
    return [int(seq) for seq in rows.evaluate_all("els => els.map(e => e.dataset.seq)")]


def _edit_time_limit(page: Any, row: dict[str, Any]) -> tuple[str, int]:
    """On the contract page, edit the row's time limit in place (one more than it was): the reason given
    and the newest ledger sequence number the trail panel showed before."""
    category = row["category"]
    reason = f"浏览器测试 browser test {secrets.token_hex(4)}"
    assert visit(page, f"/contracts/{row['contract']}/") == 200
    agreement = page.locator(f'[data-testid="agreement"][data-ref="{row["agreement"]}"]')
    expect(_trail_entry(page, reason)).to_have_count(0)
    newest_before = max(_seqs(page), default=0)

    agreement.get_by_test_id(f"edit-communication-{category}").click()
    form = agreement.locator(f'[data-testid="communication-form"][data-category="{category}"]')
    expect(form).to_be_visible()
    limit = form.get_by_test_id("field-time_limit")
    new_limit = str(int(limit.input_value()) + 1)
    limit.fill(new_limit)
    form.get_by_test_id("field-reason").fill(reason)
    form.get_by_test_id("save-communication").click()

    edited = agreement.locator(f'[data-testid="communication-row"][data-category="{category}"]')
    expect(edited.get_by_test_id("communication-time-limit")).to_contain_text(new_limit)
    return reason, newest_before


@pytest.fixture
def editable(facts: dict[str, Any]) -> dict[str, Any]:
    row = facts["editable_communication"]
    assert row, "the demo has no communication row with a time limit between li.na's MAH and sun.li's CMO"
    return row


def test_an_edited_communication_row_is_in_the_trail_of_both_parties_and_the_ledger_verifies(
    open_page, editable, demo_server
):
    page = open_page("li.na")
    reason, _ = _edit_time_limit(page, editable)

    page.reload()
    entry = _trail_entry(page, reason)
    expect(entry).to_have_count(1)
    expect(entry.get_by_test_id("trail-actor")).to_contain_text("李娜")

    cmo_page = open_page("sun.li")  # the counterparty, the CMO's QA
    assert visit(cmo_page, f"/contracts/{editable['contract']}/") == 200
    expect(_trail_entry(cmo_page, reason)).to_have_count(1)

    verified = demo_server.weituo("ledger", "verify", language="zh_CN")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "审计追踪完整" in verified.stdout and "ledger intact" not in verified.stdout  # one language: Chinese


def test_the_trail_panel_shows_the_new_entry_in_place_without_a_reload(open_page, editable):
    page = open_page("li.na")
    reason, newest_before = _edit_time_limit(page, editable)
    # htmx swaps the out-of-band panel before the row: once the row reads the new limit, the panel is in.
    entry = _trail_entry(page, reason)
    assert entry.count() == 1
    expect(entry.get_by_test_id("trail-actor")).to_contain_text("李娜")
    assert int(entry.get_attribute("data-seq")) > newest_before
    assert len([seq for seq in _seqs(page) if seq > newest_before]) == 1
