"""The one Chinese catalogue (``src/weituo/locale``): complete, compiled, what the Chinese UI shows,
and covering every msgid the code and the templates use — an English string added without its
Chinese translation fails here, not on a page."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation.template import templatize

import weituo

ROOT = Path(weituo.__file__).parent
LOCALE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy", "npgettext"}


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


def _python_msgids(path: Path) -> set[tuple[str, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT):
            continue
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if node.func.id.startswith(("pgettext", "npgettext")):
            if len(args) >= 2 and args[0] is not None and args[1] is not None:
                found.add((args[0], args[1]))
        elif args and args[0] is not None:
            found.add(("", args[0]))
    return found


_STRING = r"""u(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext)\(((?:{_STRING}(?:,\s*)?)+)")


def _template_msgids(path: Path) -> set[tuple[str, str]]:
    found = set()
    for name, args in _TEMPLATE_CALL.findall(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
        strings = [ast.literal_eval(s) for s in re.findall(_STRING, args)]
        found.add((strings[0], strings[1]) if name.startswith(("pgettext", "npgettext")) else ("", strings[0]))
    return found


def used_msgids() -> dict[tuple[str, str], str]:
    """Every msgid the code and the templates translate, with where (first) it is used."""
    used: dict[tuple[str, str], str] = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" not in path.parts:
            for key in _python_msgids(path):
                used.setdefault(key, str(path.relative_to(ROOT)))
    for path in sorted([*ROOT.rglob("templates/**/*.html"), *ROOT.rglob("templates/**/*.txt")]):
        for key in _template_msgids(path):
            used.setdefault(key, str(path.relative_to(ROOT)))
    return used


@pytest.fixture(scope="module")
def catalogue() -> dict[tuple[str, str], str]:
    return read_po(LOCALE / "django.po")


def test_there_is_one_catalogue():
    others = [p for p in ROOT.rglob("*.po") if p.parent != LOCALE]
    assert others == []


def test_every_entry_is_translated(catalogue):
    assert len(catalogue) > 1000
    assert [k for k, v in catalogue.items() if not v] == []


def test_every_msgid_the_code_uses_is_translated(catalogue):
    missing = {k: where for k, where in used_msgids().items() if not catalogue.get(k)}
    assert missing == {}


def test_the_committed_mo_is_the_compiled_po(catalogue):
    with (LOCALE / "django.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for (context, msgid), msgstr in catalogue.items():
        if context:
            assert compiled.pgettext(context, msgid) == msgstr, (context, msgid)
        else:
            assert msgstr in (compiled.gettext(msgid), compiled.ngettext(msgid, msgid, 1)), msgid


def test_the_catalogue_is_what_the_chinese_ui_shows(catalogue):
    # A msgid that Django's own catalogues (the admin's "Action" = 动作) also translate, differently,
    # would lose to them: such strings take a context. This catches one.
    with translation.override("zh-hans"):
        for (context, msgid), msgstr in catalogue.items():
            if "%(" in msgid:
                continue
            shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            assert shown == msgstr, (context, msgid, shown)


def test_the_login_page_shows_no_untranslated_english(client, db):
    page = client.get("/login/").content.decode()
    for english in ("Log in", "Username", "Password", "Skip to content"):
        assert english not in page
