"""A screenshot of each workspace, kept as a test artefact in ``artifacts/screenshots/``, and a check that
Chinese is drawn with a CJK font (not empty boxes): the platform fonts Chromium used for the title."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import SCREENSHOTS, expect

# Fonts with CJK glyphs that a Linux machine may have (Debian: fonts-wqy-microhei, fonts-noto-cjk …).
CJK_FONT = re.compile(r"WenQuanYi|Noto (Sans|Serif) CJK|Source Han|Droid Sans Fallback|AR PL|Zen Hei", re.I)


def _fonts_used(page, selector: str) -> list[dict]:
    """The platform fonts Chromium drew the element's text with (DevTools ``CSS.getPlatformFontsForNode``)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


@pytest.mark.parametrize(
    ("name", "username", "desk"),
    [
        ("workspace-mah", "li.na", "workspace-mah"),
        ("workspace-cmo", "sun.li", "workspace-cmo"),
        ("workspace-regulator", "xu.hua", "workspace-regulator"),
        ("workspace-platform", "chen.jing", "workspace-platform"),
    ],
)
def test_screenshot_of_each_workspace(open_page, name, username, desk):
    page = open_page(username)
    expect(page.get_by_test_id(desk)).to_be_visible()
    expect(page.get_by_test_id("page-title")).to_have_text("工作台")
    page.evaluate("document.fonts.ready")

    fonts = _fonts_used(page, '[data-testid="page-title"]')
    assert any(CJK_FONT.search(f["familyName"]) and f["glyphCount"] > 0 for f in fonts), (
        f"the Chinese title was not drawn with a CJK font (install fonts-wqy-microhei): {fonts}"
    )

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 10_000
