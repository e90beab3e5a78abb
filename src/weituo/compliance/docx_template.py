"""The Word template of the self-inspection report, built in code with python-docx at first use.

Building it here, rather than committing a binary file, keeps the layout reviewable in a diff. The
template holds docxtpl (Jinja) tags, each in a run of its own so that Word never splits one:
``{%p for … %}`` paragraphs repeat the contract sections (their tables included), ``{%tr for … %}``
rows repeat the rows of a table. Text is set in SimSun for Chinese and Times New Roman for Latin,
on A4 landscape.

Its fixed texts (headings, column headings, the art. 25 paragraph, the signature line) go through
gettext: the template is built in one language, the active one, and cached per language.
"""

from __future__ import annotations

import io
from functools import cache

from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

EAST_ASIAN_FONT = "SimSun"
LATIN_FONT = "Times New Roman"

FINDING_COLUMNS = (
    (pgettext_lazy("compliance", "Rule"), "{{ row.rule }}", 2.6),
    (pgettext_lazy("compliance", "Obligation"), "{{ row.title }}", 4.6),
    (gettext_lazy("Citation"), "{{ row.citation }}", 2.6),
    (pgettext_lazy("compliance", "Subject"), "{{ row.subject }}", 3.0),
    (pgettext_lazy("compliance", "Outcome"), "{{ row.outcome }}", 2.0),
    (pgettext_lazy("compliance", "Deadline"), "{{ row.deadline }}", 2.2),
    (gettext_lazy("Reason"), "{{ row.reason }}", 4.6),
    (pgettext_lazy("compliance", "Evidence (facts)"), "{{ row.evidence }}", 5.0),
)
PLAN_COLUMNS = (
    (gettext_lazy("No."), "{{ p.n }}", 1.2),
    (gettext_lazy("Item to rectify"), "{{ p.item }}", 6.0),
    (gettext_lazy("Status"), "{{ p.outcome }}", 2.4),
    (pgettext_lazy("compliance", "Action"), "{{ p.action }}", 7.6),
    (pgettext_lazy("compliance", "Owner"), "{{ p.owner }}", 3.4),
    (pgettext_lazy("compliance", "Deadline"), "{{ p.deadline }}", 3.0),
)


def _fonts(style, size: float | None = None, bold: bool | None = None) -> None:
    style.font.name = LATIN_FONT
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(fonts)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)


def _cell(cell, text: str, *, bold: bool = False, size: float = 8) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _table(document, columns, loop: str, end: str) -> None:
    """A table: a header row, then the docxtpl loop row, the data row and the end row."""
    table = document.add_table(rows=4, cols=len(columns))
    table.style = "Table Grid"
    for i, (head, value, width) in enumerate(columns):
        for row in table.rows:
            row.cells[i].width = Cm(width)
        _cell(table.rows[0].cells[i], str(head), bold=True)
        _cell(table.rows[2].cells[i], value)
    _cell(table.rows[1].cells[0], loop)
    _cell(table.rows[3].cells[0], end)
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(header.makeelement(qn("w:tblHeader"), {}))  # repeated on each page


def _paragraph(document, text: str, *, bold: bool = False, size: float | None = None, style: str | None = None):
    paragraph = document.add_paragraph(style=style)
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    return paragraph


def build_template() -> bytes:
    """The template, its fixed texts in the active language."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    _fonts(document.styles["Normal"], size=10)
    for name in ("Title", "Heading 1", "Heading 2"):
        _fonts(document.styles[name], bold=True)
        document.styles[name].font.color.rgb = RGBColor(0, 0, 0)

    title = document.add_paragraph(style="Title")
    title.add_run(gettext("Self-inspection report of commissioned manufacturing"))
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    basis = gettext(
        "Under art. 25 of the NMPA's Notice 2025 No. 134 on strengthening the supervision of commissioned drug "
        "manufacturing"
    )
    note = _paragraph(document, basis, size=9)
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def noted(text: str, aside: str) -> str:
        return gettext("%(text)s (%(note)s)") % {"text": text, "note": aside}

    facts = document.add_table(rows=6, cols=2)
    facts.style = "Table Grid"
    for i, (label, value) in enumerate(
        (
            (gettext("Enterprise"), noted("{{ r.name }}", "{{ r.ref }}")),
            (gettext("USCC"), "{{ r.uscc }}"),
            (f"{gettext('Province')} · {gettext('Roles')}", "{{ r.province }} · {{ r.roles }}"),
            (
                pgettext("compliance", "Evaluated as of"),
                gettext("%(date)s (generated %(at)s)") % {"date": "{{ r.as_of }}", "at": "{{ r.generated }}"},
            ),
            (pgettext("compliance", "Rectification owner"), "{{ r.owner }}"),
            (pgettext("compliance", "Rectification deadline (art. 25)"), "{{ r.deadline }}"),
        )
    ):
        _cell(facts.rows[i].cells[0], label, bold=True, size=9)
        _cell(facts.rows[i].cells[1], value, size=9)
        facts.rows[i].cells[0].width, facts.rows[i].cells[1].width = Cm(7), Cm(19)

    document.add_heading(gettext("1. Summary"), level=1)
    summary = document.add_table(rows=2, cols=4)
    summary.style = "Table Grid"
    for i, (head, value) in enumerate(
        (
            (pgettext("compliance", "Applicable obligations"), "{{ r.total }}"),
            (pgettext("compliance", "Met"), "{{ r.met }}"),
            (pgettext("compliance", "Not met"), "{{ r.not_met }}"),
            (pgettext("compliance", "Needs information"), "{{ r.needs }}"),
        )
    ):
        _cell(summary.rows[0].cells[i], head, bold=True, size=9)
        _cell(summary.rows[1].cells[i], value, size=9)

    document.add_heading(gettext("2. Obligations and the evidence used"), level=1)
    _paragraph(document, "{%p for s in sections %}")
    _paragraph(document, "{{ s.title }}", bold=True, style="Heading 2")
    _table(document, FINDING_COLUMNS, "{%tr for row in s.rows %}", "{%tr endfor %}")
    _paragraph(document, "{%p endfor %}")

    document.add_heading(gettext("3. Rectification plan"), level=1)
    art25 = gettext(
        "Items not met or lacking information are rectified by agreement of the two parties, in principle "
        "within one year of the notice's publication (by %(deadline)s); an item that needs longer states its "
        "reason and completion date."
    )
    _paragraph(document, art25 % {"deadline": "{{ r.deadline }}"}, size=9)
    _paragraph(document, "{%p if plan %}")
    _table(document, PLAN_COLUMNS, "{%tr for p in plan %}", "{%tr endfor %}")
    _paragraph(document, "{%p else %}")
    _paragraph(document, pgettext("compliance", "Nothing to rectify."))
    _paragraph(document, "{%p endif %}")

    _paragraph(document, "")
    _paragraph(
        document,
        f"{gettext('Head of quality of the enterprise (signature):')} ______________    {gettext('Date:')} __________",
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@cache
def template_bytes(language: str) -> bytes:
    """The template in ``language`` (``"zh-hans"`` or ``"en"``), built once per language and process."""
    with translation.override(language):
        return build_template()
