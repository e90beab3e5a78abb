"""The Chinese catalogue of the compliance pages: complete, compiled, and what the Chinese UI shows."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.utils import translation

import weituo.compliance
import weituo.web
from tests.web.test_catalogue import read_po

LOCALE = Path(weituo.compliance.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
TEMPLATES = Path(weituo.web.__file__).parent / "templates" / "web" / "compliance"


def test_every_string_is_translated_and_compiled():
    entries = read_po(LOCALE / "django.po")
    assert entries and not [k for k, v in entries.items() if not v]
    with (LOCALE / "django.mo").open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    for (context, msgid), msgstr in entries.items():
        assert context == "compliance", msgid
        assert catalogue.pgettext(context, msgid) == msgstr


def test_every_string_of_the_pages_is_in_the_catalogue():
    entries = read_po(LOCALE / "django.po")
    web = read_po(Path(weituo.web.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    for template in TEMPLATES.glob("*.html"):
        for msgid, context in re.findall(r'{% translate "([^"]+)"(?: context "([^"]+)")? %}', template.read_text()):
            assert (context, msgid) in entries or (context, msgid) in web, (template.name, msgid)


def test_the_chinese_ui_shows_this_catalogue():
    with translation.override("zh-hans"):
        for (context, msgid), msgstr in read_po(LOCALE / "django.po").items():
            assert translation.pgettext(context, msgid) == msgstr, msgid
