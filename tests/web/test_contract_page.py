"""The contract page: the quality agreement's tables, edited in place through the contracts services,
every change ledgered and shown in the trail panel; refused to anyone but a writer of a party."""

from __future__ import annotations

import pytest

from tests.web.helpers import block, html, ids_of, refs
from weituo.contracts.models import CommunicationItem, ResponsibilityItem
from weituo.integrity.models import LedgerEntry
from weituo.registry.models import Person

pytestmark = pytest.mark.django_db

EDIT = "/agreements/QA-1/communications/deviation/edit/"


def _form(**overrides) -> dict:
    person = {p.ref: p.pk for p in Person.objects.filter(ref__in=["PER-MQA", "PER-QP"])}
    data = {
        "mah_contact": person["PER-MQA"],
        "cmo_contact": person["PER-QP"],
        "channel": "email",
        "time_limit": "3",
        "time_unit": "working_days",
        "reason": "年度审核后更新时限",
    }
    data.update(overrides)
    return data


def test_the_contract_page_shows_matrix_list_and_trail(login):
    response = login("mah.qa").get("/contracts/CON-1/")
    assert refs(response, "agreement") == {"QA-1"}
    page = html(response)
    assert page.count('data-testid="responsibility-row"') == 2
    assert 'data-testid="communication-row" data-category="deviation"' in page
    assert "missing-categories" in ids_of(response)  # only deviation is on the list: art. 7 wants eight
    assert {"trail-panel", "signature-panel", "edit-communication-deviation"} <= ids_of(response)


def test_editing_a_communication_row_writes_the_ledger_and_the_trail_shows_it(login):
    client = login("cmo.qa")
    before = LedgerEntry.objects.count()
    response = client.post(EDIT, _form())
    assert response.status_code == 302
    assert response["Location"] == "/contracts/CON-1/#agreement-QA-1"
    item = CommunicationItem.objects.get(agreement__ref="QA-1", category="deviation")
    assert (item.channel, item.time_limit) == ("email", 3)
    [entry] = LedgerEntry.objects.filter(seq__gt=before)
    assert entry.action == "update" and entry.object_type == "contracts.communicationitem"
    assert entry.object_id == str(item.pk)
    assert entry.reason == "年度审核后更新时限"
    assert entry.actor.startswith("cmo.qa")

    trail = block(client.get("/contracts/CON-1/"), "trail-panel")
    row = trail[trail.find(f'data-seq="{entry.seq}"') :]
    assert "年度审核后更新时限" in row[:3000]
    assert "cmo.qa（孙丽）" in row[:3000]
    assert "<del>1</del> → <ins>3</ins>" in row[:3000]  # time limit, old → new


def test_an_htmx_edit_returns_the_row_and_the_refreshed_trail(login):
    client = login("mah.qa")
    form = client.get(EDIT, HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    assert 'data-testid="communication-form"' in html(form) and "<html" not in html(form)
    response = client.post(EDIT, _form(channel="phone", reason="改为电话通知"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = html(response)
    assert 'data-testid="communication-row" data-category="deviation"' in page
    assert 'id="trail-panel" data-testid="trail-panel" hx-swap-oob="true"' in page
    assert "改为电话通知" in page


def test_a_new_category_can_be_added_to_the_list(login):
    client = login("cmo.qa")
    response = client.post("/agreements/QA-1/communications/change/edit/", _form(reason="补充变更沟通"))
    assert response.status_code == 302
    assert CommunicationItem.objects.filter(agreement__ref="QA-1", category="change").exists()
    assert LedgerEntry.objects.filter(object_type="contracts.communicationitem", action="create").exists()


def test_the_responsibility_matrix_is_edited_the_same_way(login):
    client = login("mah.qa")
    response = client.post(
        "/agreements/QA-1/responsibilities/release_testing/edit/",
        {"party": "both", "period_months": "", "detail": "双方各自检验", "reason": "协商调整"},
    )
    assert response.status_code == 302
    assert ResponsibilityItem.objects.get(agreement__ref="QA-1", activity="release_testing").party == "both"
    assert "协商调整" in block(client.get("/contracts/CON-1/"), "trail-panel")


def test_an_invalid_row_shows_the_errors_and_writes_nothing(login):
    client = login("cmo.qa")
    before = LedgerEntry.objects.count()
    response = client.post(EDIT, _form(time_unit=""))  # a time limit without its unit
    assert response.status_code == 422
    assert "form-errors" in ids_of(response)
    assert "时限与单位应同时填写" in html(response)
    assert LedgerEntry.objects.count() == before
    # a missing reason is refused by the form
    response = client.post(EDIT, _form(reason=""))
    assert response.status_code == 422 and LedgerEntry.objects.count() == before


@pytest.mark.parametrize(
    ("username", "status", "code"),
    [
        ("mah.viewer", 403, "permission_denied"),  # a party, but a role that only reads
        ("inspector.js", 403, "not_a_party"),  # may see the contract, is no party to it
        ("platform.admin", 403, "not_a_party"),
        ("mah2.qa", 404, None),  # may not even see it
        ("cmo2.qa", 404, None),
    ],
)
def test_others_are_refused_with_a_bilingual_message(login, username, status, code):
    client = login(username)
    before = LedgerEntry.objects.count()
    for response in (client.get(EDIT), client.post(EDIT, _form())):
        assert response.status_code == status
        if code:
            assert f'data-code="{code}"' in html(response)
            assert 'data-testid="refusal"' in html(response)
    assert LedgerEntry.objects.count() == before
    assert CommunicationItem.objects.get(agreement__ref="QA-1", category="deviation").time_limit == 1


def test_the_refusal_message_is_in_the_readers_language(login):
    client = login("inspector.js")
    page = html(client.get(EDIT))
    assert "只有该委托生产协议的持有人和受托方可以修改其质量协议" in page and "only the MAH" not in page
    english = html(client.get(EDIT, HTTP_ACCEPT_LANGUAGE="en"))
    assert "only the MAH and the CMO of this commission contract may change its quality agreement" in english


def test_who_may_not_edit_sees_no_edit_buttons(login):
    for username in ("mah.viewer", "inspector.js", "platform.admin"):
        response = login(username).get("/contracts/CON-1/")
        assert "edit-communication-deviation" not in ids_of(response)
        assert "read-only-note" in ids_of(response)


def test_an_unknown_category_is_not_found(login):
    assert login("cmo.qa").get("/agreements/QA-1/communications/gossip/edit/").status_code == 404


def test_the_trail_is_shown_in_china_standard_time(login):
    from django.utils import timezone

    client = login("cmo.qa")
    client.post(EDIT, _form())
    entry = LedgerEntry.objects.order_by("-seq").first()
    shanghai = timezone.localtime(entry.at, timezone=__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert shanghai.strftime("%Y-%m-%d %H:%M:%S") in block(client.get("/contracts/CON-1/"), "trail-panel")


def test_signatures_are_shown_with_name_time_meaning_and_validity(login, world):
    from tests.web.world import PASSWORD
    from weituo.accounts.selectors import actor_for_user
    from weituo.contracts.models import QualityAgreement
    from weituo.contracts.services import quality_agreement_update
    from weituo.integrity.services import signature_apply

    agreement = QualityAgreement.objects.get(ref="QA-1")
    actor = actor_for_user(world["mah.qa"])
    signature_apply(actor=actor, record=agreement, meaning="approved", password=PASSWORD)
    client = login("mah.qa")
    panel = block(client.get("/contracts/CON-1/"), "signature-panel")
    assert 'data-testid="signature-row" data-valid="true"' in panel
    assert "李晓梅" in panel and "批准" in panel
    # a later change breaks it, and the page says so
    quality_agreement_update(actor=actor, agreement=agreement, notes="改动", reason="test")
    panel = block(client.get("/contracts/CON-1/"), "signature-panel")
    assert 'data-valid="false"' in panel


def test_trail_panel_shows_the_latest_entries_and_the_rest_on_request(login):
    """The page's cost does not grow with a record's history: the newest entries, then a link to all."""
    from weituo.contracts.models import QualityAgreement
    from weituo.contracts.services import communication_item_set
    from weituo.core.actors import system_actor
    from weituo.web.trail import TRAIL_LIMIT

    agreement = QualityAgreement.objects.first()
    for i in range(TRAIL_LIMIT + 5):
        communication_item_set(actor=system_actor("tests"), agreement=agreement, category="recall",
                               channel="email", time_limit=i + 1, time_unit="hours")  # fmt: skip
    client = login("platform.admin")
    url = f"/contracts/{agreement.contract.ref}/"
    page = client.get(url).content.decode()
    assert page.count('data-testid="trail-row"') == TRAIL_LIMIT and 'data-testid="trail-all"' in page
    full = client.get(url + "?trail=all").content.decode()
    assert full.count('data-testid="trail-row"') > TRAIL_LIMIT and 'data-testid="trail-all"' not in full
