"""The self-inspection report (art. 25): every applicable obligation with its outcome and evidence, and
a rectification plan with owners and deadlines; as a Word document that opens again (and converts to
PDF when LibreOffice is installed) and as printable HTML — each a document in one language, the
active one: Chinese by default, English under English."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
import subprocess

import pytest
from django.utils import translation
from docx import Document

from tests.compliance.conftest import MINI_AS_OF, SYSTEM
from weituo.compliance.docx_template import build_template
from weituo.compliance.models import APPLICABLE_OUTCOMES, Finding
from weituo.compliance.report import rectification_deadline, render_docx, render_html
from weituo.compliance.selectors import self_inspection_report
from weituo.compliance.services import compliance_scan
from weituo.registry.models import Appointment, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(mini):
    compliance_scan(actor=SYSTEM, as_of=MINI_AS_OF)
    return self_inspection_report(actor=SYSTEM, ref="ORG-CMO")


def stored(ref: str) -> list[Finding]:
    from django.db.models import Q

    return list(
        Finding.objects.filter(
            Q(enterprise__ref=ref) | Q(mah__ref=ref) | Q(cmo__ref=ref), outcome__in=APPLICABLE_OUTCOMES
        )
    )


def test_the_art_25_deadline_is_one_year_after_publication():
    assert rectification_deadline(MINI_AS_OF) == dt.date(2027, 1, 6)


def test_every_applicable_obligation_with_its_outcome_and_evidence(report):
    findings = stored("ORG-CMO")
    assert report.total == len(findings) > 10
    assert report.as_of == MINI_AS_OF
    counts = report.counts()
    assert sum(counts.values()) == report.total and counts["not_met"] >= 1 and counts["needs_information"] >= 1
    assert [s.ref for s in report.sections] == ["ORG-CMO", "CON-1"]
    assert {i.subject_ref for i in report.sections[0].items} >= {"LINE-1"}
    assert all(i.outcome in APPLICABLE_OUTCOMES for i in report.items)
    capacity = next(i for i in report.items if i.rule_id == "134-8.line-capacity")
    assert dict(capacity.evidence)["planned_total"] == "2000.00"


def test_the_plan_has_owners_and_deadlines(report, mini):
    open_ = [i for i in report.items if i.is_open]
    assert len(report.plan) == len(open_) and [p.number for p in report.plan] == list(range(1, len(open_) + 1))
    assert all(p.owner.zh == "待指定" and p.owner.en == "to be assigned" for p in report.plan)  # no head of quality
    for p in report.plan:
        assert p.deadline == (p.item.deadline or dt.date(2027, 1, 6))
        assert p.deadline_source == ("finding" if p.item.deadline else "art. 25")
    assert [p.deadline for p in report.plan] == sorted(p.deadline for p in report.plan)
    # with a head of quality in post, they own the plan
    person = Person.objects.create(
        organisation=Person.objects.get(ref="PER-QP").organisation, ref="PER-HQ", name="周敏"
    )
    Appointment.objects.create(person=person, role="head_of_quality", since=dt.date(2021, 1, 1))
    again = self_inspection_report(actor=SYSTEM, ref="ORG-CMO")
    assert again.head_of_quality == ("周敏", "PER-HQ")
    assert {p.owner.zh for p in again.plan} == {"周敏（质量负责人）"}
    assert {str(p.owner) for p in again.plan} == {"周敏（质量负责人）"}  # in the active language: Chinese
    with translation.override("en"):
        assert {str(p.owner) for p in again.plan} == {"周敏 (head of quality)"}
    assert 'data-testid="report-owner">周敏（质量负责人）<' in render_html(again)


def test_the_word_document_opens_and_holds_the_findings(report):
    content = render_docx(report)
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "委托生产自查报告" in text and "整改方案" in text
    assert "{{" not in text and "{%" not in text
    cells = ["\n".join(c.text for c in row.cells) for t in document.tables for row in t.rows]
    everything = "\n".join(cells)
    assert "苏州华瑞制药有限公司（ORG-CMO）" in everything and "91320500MA1W0002X7" in everything
    assert "{{" not in everything and "{%" not in everything
    for item in report.items:
        assert item.rule_id in everything
    plan = document.tables[-1]
    assert len(plan.rows) == len(report.plan) + 1 and plan.rows[0].cells[0].text.startswith("序号")
    assert plan.rows[1].cells[4].text == "待指定"
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape


@pytest.mark.skipif(not (shutil.which("libreoffice") or shutil.which("soffice")), reason="LibreOffice is not installed")
def test_the_word_document_converts_to_pdf(report, tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(render_docx(report))
    office = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_the_template_is_built_with_its_tags_in_whole_runs():
    document = Document(io.BytesIO(build_template()))
    runs = [r.text for p in document.paragraphs for r in p.runs]
    runs += [r.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    tags = [t for t in runs if "{%" in t or "{{" in t]
    assert "{%p for s in sections %}" in tags and "{%tr for p in plan %}" in tags
    assert all(t.count("{%") == t.count("%}") and t.count("{{") == t.count("}}") for t in tags)


def test_the_printable_html(report):
    page = render_html(report)
    assert page.startswith("<!doctype html>") and "@page { size: A4 landscape" in page and "@media print" in page
    assert len(re.findall(r'data-testid="report-finding"', page)) == report.total
    assert len(re.findall(r'data-testid="plan-item"', page)) == len(report.plan)
    assert 'data-testid="count-not_met">{}<'.format(report.counts()["not_met"]) in page
    assert not re.search(r'(src|href)="https?://', page)  # nothing fetched from outside (intranets)
    assert 'data-testid="report-owner">待指定<' in page and '<html lang="zh-hans">' in page


def test_a_report_before_any_scan_says_so(mini):
    report = self_inspection_report(actor=SYSTEM, ref="ORG-MAH")
    assert report.as_of is None and report.total == 0 and report.plan == []
    assert "尚未检查" in render_html(report)
    Document(io.BytesIO(render_docx(report)))  # still a document


# --- one language ---------------------------------------------------------------------------------

FIXED_ZH = (
    "委托生产自查报告",
    "结论汇总",
    "逐项自查结果",
    "整改方案",
    "整改责任人",
    "统一社会信用代码",
    "质量负责人（签字）",
)
FIXED_EN = ("Self-inspection report", "Summary", "Obligations and the evidence used", "Rectification plan")
HAN = re.compile(r"[\u3400-\u9fff\uff08\uff09\uff1a\uff1b\u3001\u3002]")  # Chinese, and its punctuation


def docx_text(content: bytes) -> tuple[str, list[list[list[str]]], str]:
    """The paragraphs' text; the tables, each a list of rows of the text of their cells; all the text."""
    document = Document(io.BytesIO(content))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    everything = "\n".join([paragraphs, *("\n".join(row) for t in tables for row in t)])
    return paragraphs, tables, everything


def without_data(text: str, report) -> str:
    """``text`` without what comes from the data, which stays as entered (names of enterprises, lines,
    products, persons; the facts) or in the notice's words (the quoted regulation text)."""
    from weituo.registry.models import Line, Organisation, Product

    text = re.sub(r"<style>.*?</style>|「.*?」", "", text, flags=re.S)
    data = [report.enterprise_name]
    for model in (Organisation, Line, Product, Person):
        data += model.objects.values_list("name", flat=True)
    for item in report.items:
        data += [item.quote, *(t for _, t in item.evidence)]  # the separators must be the reader's
    for value in sorted(set(filter(None, data)), key=len, reverse=True):
        text = text.replace(value, "")
    return text


def test_the_chinese_report_has_no_english_fixed_text(report):
    page = render_html(report)
    assert '<html lang="zh-hans">' in page
    assert all(t in page for t in FIXED_ZH) and not any(t in page for t in FIXED_EN)
    assert "符合" in page and "生产线" in page  # outcome and subject labels
    _, tables, everything = docx_text(render_docx(report))
    assert all(t in everything for t in FIXED_ZH) and not any(t in everything for t in FIXED_EN)
    assert tables[0][0] == ["企业", "苏州华瑞制药有限公司（ORG-CMO）"]
    assert tables[-1][0][0] == "序号" and tables[-1][1][4] == "待指定"
    item = report.items[0]
    assert item.title_zh in page and item.title_en not in page


def test_under_english_the_report_is_english(report):
    with translation.override("en"):
        page = render_html(report)
        content = render_docx(report)
    assert '<html lang="en">' in page
    assert all(t in page for t in FIXED_EN) and not any(t in without_data(page, report) for t in FIXED_ZH)
    assert 'data-testid="report-owner">to be assigned<' in page
    assert not HAN.search(without_data(page, report)), HAN.findall(without_data(page, report))[:20]
    for item in report.items:
        assert item.title_en in html.unescape(page) and item.reason_en[:30] in html.unescape(page)
    assert len(re.findall(r'data-testid="report-finding"', page)) == report.total  # the same structure

    paragraphs, tables, everything = docx_text(content)
    assert "Self-inspection report" in paragraphs and "Rectification plan" in paragraphs
    assert tables[0][0] == ["Enterprise", "苏州华瑞制药有限公司 (ORG-CMO)"]
    assert tables[-1][0][0] == "No." and tables[-1][1][4] == "to be assigned"
    assert "{{" not in everything and "{%" not in everything
    assert not HAN.search(without_data(everything, report)), HAN.findall(without_data(everything, report))[:20]
    # the Chinese template is still the Chinese one: each language has its own
    assert "委托生产自查报告" in docx_text(render_docx(report))[0]
