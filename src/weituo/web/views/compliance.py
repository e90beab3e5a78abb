"""Compliance pages: the enterprises whose self-inspection reports the person may read, and a report
(art. 25 of Notice 2025-134) with its downloads — Word, and printable HTML.

An MAH or a CMO sees its own enterprise's report (a person of one enterprise goes straight to it); a
regulator sees the enterprises of its province with their open findings and each one's report; the
platform sees all. Another enterprise's report is a 404, as if it did not exist.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from weituo.compliance.models import Finding, SubjectKind
from weituo.compliance.report import render_docx, render_html
from weituo.compliance.rule_catalogue import rule_catalogue
from weituo.compliance.selectors import enterprise_overview, report_organisation, self_inspection_report
from weituo.compliance.services import compliance_check_enterprise
from weituo.core.actors import Actor
from weituo.core.roles import Side
from weituo.registry.provinces import Province

from ..shell import page, paginate, query_without_page

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def finding_url(finding: Finding) -> str:
    """The page beside which a finding is read: its contract's (the findings panel), its line's, or
    its enterprise's self-inspection report."""
    if finding.contract_id is not None:
        return reverse("web:contract_detail", args=[finding.contract.ref]) + "#findings"
    if finding.subject_kind == SubjectKind.LINE and finding.subject_ref:
        return reverse("web:line_detail", args=[finding.subject_ref])
    if finding.enterprise_id is not None:
        return reverse("web:compliance_report", args=[finding.enterprise.ref])
    return ""


def _filename(ref: str, suffix: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in ref)
    return f"self-inspection-{safe}-{timezone.localdate().isoformat()}.{suffix}"


@page
def rules_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The rules weituo checks: anyone signed in may read what is checked and on what facts."""
    context = {"active_nav": "compliance", "notices": rule_catalogue(timezone.localdate())}
    return render(request, "web/compliance/rules.html", context)


@page
def compliance_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    sides = {m.side for m in actor.memberships}
    q = request.GET.get("q", "").strip()
    province = request.GET.get("province", "")
    if province not in Province.values:
        province = ""
    enterprises = enterprise_overview(actor=actor, province=province, search=q)
    own = actor.organisation_ids()
    if not sides & {Side.REGULATOR, Side.PLATFORM} and len(own) == 1 and not q:
        only = enterprises.filter(pk__in=own).first()
        if only is not None:
            return redirect("web:compliance_report", ref=only.ref)
    context = {
        "active_nav": "compliance",
        "page_obj": paginate(request, enterprises),
        "query": query_without_page(request),
        "q": q,
        "province": province,
        "provinces": [(code, Province(code).label) for code in sorted(actor.provinces) if code in Province.values]
        if Side.PLATFORM not in sides
        else list(Province.choices),
    }
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "web/compliance/_overview_table.html", context)
    return render(request, "web/compliance/index.html", context)


@page
def compliance_report(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    report = self_inspection_report(actor=actor, ref=ref)
    return render(
        request,
        "web/compliance/report.html",
        {"active_nav": "compliance", "report": report, "may_check": actor.can_write},
    )


@page
def compliance_report_docx(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    report = self_inspection_report(actor=actor, ref=ref)
    response = HttpResponse(render_docx(report), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report.enterprise_ref, "docx")}"'
    return response


@page
def compliance_report_print(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    report = self_inspection_report(actor=actor, ref=ref)
    response = HttpResponse(render_html(report), content_type="text/html; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{_filename(report.enterprise_ref, "html")}"'
    return response


@require_POST
@page
def compliance_check(request: HttpRequest, actor: Actor, ref: str) -> HttpResponse:
    organisation = report_organisation(actor=actor, ref=ref)
    compliance_check_enterprise(actor=actor, organisation=organisation)
    return redirect("web:compliance_report", ref=organisation.ref)
