"""The UI is Chinese first; the switch goes to English and back, and the choice holds across pages."""

from __future__ import annotations

from tests.browser.helpers import expect


def test_language_switch_to_english_and_back(open_page):
    page = open_page("li.na")
    html, title = page.locator("html"), page.get_by_test_id("page-title")
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(title).to_have_text("工作台")

    page.get_by_test_id("lang-en").click()
    expect(html).to_have_attribute("lang", "en")
    expect(title).to_have_text("Workspace")
    expect(page.get_by_test_id("nav-home")).to_have_text("Workspace")
    page.get_by_test_id("nav-products").click()  # the choice holds on the next page
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("nav-products")).to_have_text("My products")

    page.get_by_test_id("lang-zh-hans").click()
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_test_id("nav-products")).to_have_text("我的品种")
    page.get_by_test_id("nav-home").click()
    expect(title).to_have_text("工作台")
