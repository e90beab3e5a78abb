"""The self-inspection report (art. 25): every applicable obligation with its outcome and evidence, and
a rectification plan with owners and deadlines; as a Word document that opens again (and converts to
PDF when LibreOffice is installed) and as printable HTML."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from docx import Document

from tests.compliance.conftest import MINI_AS_OF, SYSTEM
from weituo.compliance.docx_template import build_template
from weituo.compliance.models import APPLICABLE_OUTCOMES, Finding
from weituo.compliance.report import TO_BE_ASSIGNED_ZH, rectification_deadline, render_docx, render_html
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
    assert all(p.owner_zh == TO_BE_ASSIGNED_ZH for p in report.plan)  # no head of quality on record
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
    assert {p.owner_zh for p in again.plan} == {"周敏（质量负责人）"}


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
    assert plan.rows[1].cells[4].text == "待指定 / to be assigned"
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
    assert "待指定 / to be assigned" in page


def test_a_report_before_any_scan_says_so(mini):
    report = self_inspection_report(actor=SYSTEM, ref="ORG-MAH")
    assert report.as_of is None and report.total == 0 and report.plan == []
    assert "尚未检查 not checked yet" in render_html(report)
    Document(io.BytesIO(render_docx(report)))  # still a document
