"""The rules page (#12 deliver 7): every rule with its article, quoted sentence, period, status,
who must act, and the facts it reads with where in weituo each one is recorded."""

from __future__ import annotations

import pytest

from tests.web.helpers import html
from weituo.rules import all_rules, get_rule

pytestmark = pytest.mark.django_db


def test_every_rule_is_listed_with_its_text_and_where_its_facts_are_recorded(login):
    response = login("mah.viewer").get("/compliance/rules/")  # a viewer reads what is checked too
    page = html(response)
    assert response.status_code == 200
    for rule in all_rules():
        assert f'data-rule="{rule.id}"' in page
    audit = get_rule("134-13.audit-report")
    assert audit.citation.quote in page and audit.citation.label_zh in page
    # whose duty, in Chinese, and where the audits it reads are recorded
    block = page[page.index('data-rule="134-13.audit-report"') :]
    block = block[: block.index("</details>")]
    assert 'data-bearer="mah"' in block and "持有人" in block
    assert 'data-fact="contract.audits"' in block and "审计（审计页面" in block
    # a fact without a home says so, instead of pretending it is recorded
    assert "weituo 尚未记录" in page


def test_a_draft_is_marked_as_a_draft_and_the_page_needs_a_login(client, login):
    assert client.get("/compliance/rules/").status_code == 302  # to the login page
    page = html(login("cmo.qa").get("/compliance/rules/"))
    assert 'data-rule="draft-pc-13.on-site-audit" data-status="draft"' in page
    assert "征求意见稿" in page


def test_the_page_speaks_english_when_asked(login):
    client = login("inspector.js")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(client.get("/compliance/rules/"))
    assert "The rules checked" in page and "audits (Audits; the MAH plans, conducts and reports)" in page
