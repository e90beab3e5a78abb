"""Findings owned and due (#12 deliver 5): a finding not met names who must act, carries art. 25's
deadline where the commission is being rectified, is in that party's 我的待办 (never in the other
side's, never in another MAH's) and links to the contract page, which shows it beside the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.quality.test_audits import conducted
from tests.quality.world import World, build_world
from weituo.compliance.models import Finding
from weituo.compliance.services import compliance_scan
from weituo.core.actors import system_actor
from weituo.core.deadlines import my_deadlines
from weituo.integrity import committed
from weituo.rules import get_rule

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 12, 7)


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    with committed.paused():
        world = build_world()
        conducted(world)  # an on-site audit without its report: the MAH's to act on (art. 13)
    compliance_scan(actor=system_actor("tests: owed"), as_of=AS_OF)
    return world


def owed(actor) -> dict[str, object]:
    return {d.record.rule_id: d for d in my_deadlines(actor=actor) if d.kind == "finding"}


def test_the_mah_owes_its_audit_report_and_the_cmo_does_not(world):
    finding = Finding.objects.get(rule_id="134-13.audit-report", scope_ref="CON-1")
    assert (finding.outcome, finding.bearer) == ("not_met", "mah")
    mine = owed(world.mah_qa)["134-13.audit-report"]
    assert mine.ref == world.contract.number  # the number the parties use, not the internal ref
    assert mine.title == get_rule("134-13.audit-report").title_zh  # the reader's language (Chinese)
    assert "134-13.audit-report" not in owed(world.cmo_qa)  # the MAH's duty alone
    assert owed(world.mah2_qa) == {}  # another MAH of the same CMO sees nothing of it
    assert owed(world.inspector_js).keys() <= {"134-19.letter-time-limit"}  # a province owes its own only


def test_a_finding_of_a_commission_being_rectified_is_due_by_art_25(world):
    # CON-1 took effect on 2024-01-15: it existed when the notice was published (2026-01-06)
    finding = Finding.objects.get(rule_id="134-13.audit-report", scope_ref="CON-1")
    assert finding.deadline == dt.date(2027, 1, 6) and finding.deadline_basis.startswith("134-25.rectification")
    due = owed(world.mah_qa)["134-13.audit-report"]
    assert due.due_at.date() == dt.date(2027, 1, 6) and not due.overdue


def test_both_parties_owe_what_is_theirs_together(world):
    both = Finding.objects.filter(scope_ref="CON-1", outcome="not_met", bearer="parties").values_list(
        "rule_id", flat=True
    )
    assert both  # the mini world leaves some of the parties' joint duties open
    for rule_id in both:
        assert rule_id in owed(world.mah_qa) and rule_id in owed(world.cmo_qa)


def test_the_deadline_list_links_to_the_contract_page_that_shows_the_finding(world):
    client = Client()
    client.force_login(get_user_model().objects.get(username=world.mah_qa.username))
    page = client.get("/deadlines/").content.decode()
    link = f"/contracts/{world.contract.ref}/#findings"
    assert link in page and "整改合规检查发现的问题" in page
    contract = client.get(f"/contracts/{world.contract.ref}/").content.decode()
    assert 'data-rule="134-13.audit-report" data-outcome="not_met" data-bearer="mah"' in contract
    assert "公告要求符合情况" in contract and "持有人" in contract
