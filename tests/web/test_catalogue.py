"""The Chinese catalogue of the web app: complete, and the committed .mo is the compiled .po."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

import weituo.web

WEB = Path(weituo.web.__file__).parent
LOCALE = WEB / "locale" / "zh_Hans" / "LC_MESSAGES"
# The web app's own catalogue, and one per workflow area (see web/catalogues/README.md).
CATALOGUES = [LOCALE, *sorted(p / "zh_Hans" / "LC_MESSAGES" for p in (WEB / "catalogues").iterdir() if p.is_dir())]
every_catalogue = pytest.mark.parametrize("locale", CATALOGUES, ids=lambda p: p.parent.parent.name)


def read_po(path: Path) -> dict[tuple[str, str], str]:
    """(msgctxt, msgid) → msgstr (plural entries: msgstr[0]), enough of the PO format for our catalogue."""
    entries: dict[tuple[str, str], str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        parts: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[0\])?|msgstr\[\d\])\s+(".*")$', line)
            if m:
                key = m.group(1)
                parts[key] = ast.literal_eval(m.group(2))
            elif key and line.startswith('"'):
                parts[key] += ast.literal_eval(line)
        if parts.get("msgid"):
            entries[parts.get("msgctxt", ""), parts["msgid"]] = parts.get("msgstr", parts.get("msgstr[0]", ""))
    return entries


def test_the_web_catalogue_is_not_empty():
    assert len(read_po(LOCALE / "django.po")) > 200


@every_catalogue
def test_every_string_is_translated(locale):
    entries = read_po(locale / "django.po")
    assert entries
    assert not [k for k, v in entries.items() if not v]


@every_catalogue
def test_the_committed_mo_is_the_compiled_po(locale):
    with (locale / "django.mo").open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    for (context, msgid), msgstr in read_po(locale / "django.po").items():
        if context:
            assert catalogue.pgettext(context, msgid) == msgstr, (context, msgid)
        else:
            assert msgstr in (catalogue.gettext(msgid), catalogue.ngettext(msgid, msgid, 1)), msgid


def test_the_templates_use_no_untranslated_visible_english_in_chinese(client, db):
    # the login page, rendered in the default language, shows no English UI string we wrote
    page = client.get("/login/").content.decode()
    for english in ("Log in", "Username", "Password", "Skip to content"):
        assert english not in page


@every_catalogue
def test_the_catalogue_is_what_the_chinese_ui_shows(locale):
    # A msgid that Django's own catalogues (the admin's "Action" = 动作) or another area's catalogue
    # also translate, differently, would lose to them: such strings take a context. This catches one.
    from django.utils import translation

    with translation.override("zh-hans"):
        for (context, msgid), msgstr in read_po(locale / "django.po").items():
            if "%(" in msgid:
                continue
            shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            assert shown == msgstr, (context, msgid, shown)
