"""The Word template of the self-inspection report, built in code with python-docx at first use.

Building it here, rather than committing a binary file, keeps the layout reviewable in a diff. The
template holds docxtpl (Jinja) tags, each in a run of its own so that Word never splits one:
``{%p for … %}`` paragraphs repeat the contract sections (their tables included), ``{%tr for … %}``
rows repeat the rows of a table. Text is set in SimSun for Chinese and Times New Roman for Latin,
on A4 landscape.
"""

from __future__ import annotations

import io
from functools import cache

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

EAST_ASIAN_FONT = "SimSun"
LATIN_FONT = "Times New Roman"

FINDING_COLUMNS = (
    ("规则 Rule", "{{ row.rule }}", 2.6),
    ("要求 Obligation", "{{ row.title }}", 4.6),
    ("依据 Citation", "{{ row.citation }}", 2.6),
    ("对象 Subject", "{{ row.subject }}", 3.0),
    ("结论 Outcome", "{{ row.outcome }}", 2.0),
    ("期限 Deadline", "{{ row.deadline }}", 2.2),
    ("理由 Reason", "{{ row.reason }}", 4.6),
    ("所用事实 Evidence (facts)", "{{ row.evidence }}", 5.0),
)
PLAN_COLUMNS = (
    ("序号 No.", "{{ p.n }}", 1.2),
    ("整改事项 Item", "{{ p.item }}", 6.0),
    ("现状 Status", "{{ p.outcome }}", 2.4),
    ("整改措施 Action", "{{ p.action }}", 7.6),
    ("责任人 Owner", "{{ p.owner }}", 3.4),
    ("完成时限 Deadline", "{{ p.deadline }}", 3.0),
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
        _cell(table.rows[0].cells[i], head, bold=True)
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
    title.add_run("委托生产自查报告 Self-inspection report")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note = _paragraph(
        document,
        "依据《国家药监局关于加强药品受托生产监督管理工作的公告》（2025年第134号）第二十五条 — "
        "under art. 25 of NMPA Notice 2025 No. 134",
        size=9,
    )
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER

    facts = document.add_table(rows=6, cols=2)
    facts.style = "Table Grid"
    for i, (label, value) in enumerate(
        (
            ("企业 Enterprise", "{{ r.name }}（{{ r.ref }}）"),
            ("统一社会信用代码 USCC", "{{ r.uscc }}"),
            ("省份 Province · 类型 Roles", "{{ r.province }} · {{ r.roles }}"),
            ("评估日期 Evaluated as of", "{{ r.as_of }}（生成 generated {{ r.generated }}）"),
            ("整改责任人 Rectification owner", "{{ r.owner }}"),
            ("整改期限 Rectification deadline (art. 25)", "{{ r.deadline }}"),
        )
    ):
        _cell(facts.rows[i].cells[0], label, bold=True, size=9)
        _cell(facts.rows[i].cells[1], value, size=9)
        facts.rows[i].cells[0].width, facts.rows[i].cells[1].width = Cm(7), Cm(19)

    document.add_heading("一、结论汇总 Summary", level=1)
    summary = document.add_table(rows=2, cols=4)
    summary.style = "Table Grid"
    for i, (head, value) in enumerate(
        (
            ("适用要求 Applicable obligations", "{{ r.total }}"),
            ("符合 Met", "{{ r.met }}"),
            ("不符合 Not met", "{{ r.not_met }}"),
            ("需补充信息 Needs information", "{{ r.needs }}"),
        )
    ):
        _cell(summary.rows[0].cells[i], head, bold=True, size=9)
        _cell(summary.rows[1].cells[i], value, size=9)

    document.add_heading("二、逐项自查结果 Obligations and the evidence used", level=1)
    _paragraph(document, "{%p for s in sections %}")
    _paragraph(document, "{{ s.title }}", bold=True, style="Heading 2")
    _table(document, FINDING_COLUMNS, "{%tr for row in s.rows %}", "{%tr endfor %}")
    _paragraph(document, "{%p endfor %}")

    document.add_heading("三、整改方案 Rectification plan", level=1)
    _paragraph(
        document,
        "对不符合或需补充信息的事项，委托双方沟通协商后整改；原则上于本公告发布后一年内完成，个别项目确需超过一年的，"
        "应当明确理由和完成时限。Items not met or lacking information are rectified by agreement of the two "
        "parties, in principle within one year of the notice's publication; an item needing longer states its "
        "reason and date.",
        size=9,
    )
    _paragraph(document, "{%p if plan %}")
    _table(document, PLAN_COLUMNS, "{%tr for p in plan %}", "{%tr endfor %}")
    _paragraph(document, "{%p else %}")
    _paragraph(document, "无需整改的事项。Nothing to rectify.")
    _paragraph(document, "{%p endif %}")

    _paragraph(document, "")
    _paragraph(document, "企业质量负责人（签字）Head of quality (signature): ______________    日期 Date: __________")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@cache
def template_bytes() -> bytes:
    """The template, built once per process."""
    return build_template()
