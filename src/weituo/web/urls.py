"""URLs of the web app. Record pages are addressed by the record's stable ``ref`` (which may hold "/")."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import audits as audit_views
from .views import batches, compliance, contracts, exchange, registry, workspace
from .views import changes as change_views
from .views import events as event_views
from .views import shared_line as shared_line_views
from .views import tech_transfer as tech_transfer_views

app_name = "web"

urlpatterns = [
    path("", workspace.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # registry
    path("organisations/", registry.organisation_index, name="organisation_list"),
    path("organisations/<path:ref>/", registry.organisation_detail, name="organisation_detail"),
    path("products/", registry.product_index, name="product_list"),
    path("products/<path:ref>/", registry.product_detail, name="product_detail"),
    path("lines/", registry.line_index, name="line_list"),
    path("lines/<path:ref>/", registry.line_detail, name="line_detail"),
    # contracts and their quality agreements
    path("contracts/", contracts.contract_index, name="contract_list"),
    path("contracts/<path:ref>/", contracts.contract_detail, name="contract_detail"),
    path(
        "agreements/<path:ref>/communications/<slug:category>/edit/",
        contracts.communication_edit,
        name="communication_edit",
    ),
    path(
        "agreements/<path:ref>/communications/<slug:category>/",
        contracts.communication_row,
        name="communication_row",
    ),
    path(
        "agreements/<path:ref>/responsibilities/<slug:activity>/edit/",
        contracts.responsibility_edit_view,
        name="responsibility_edit",
    ),
    path(
        "agreements/<path:ref>/responsibilities/<slug:activity>/",
        contracts.responsibility_row,
        name="responsibility_row",
    ),
    # technology transfer (Notice 2025-134 art. 4; the specific routes before the detail)
    path("tech-transfers/new/<path:ref>/", tech_transfer_views.tech_transfer_new, name="tech_transfer_new"),
    path("tech-transfers/<path:ref>/team/", tech_transfer_views.tech_transfer_team, name="tech_transfer_team"),
    path(
        "tech-transfers/<path:ref>/steps/<slug:step>/correct/",
        tech_transfer_views.tech_transfer_correct,
        name="tech_transfer_correct",
    ),
    path("tech-transfers/<path:ref>/steps/", tech_transfer_views.tech_transfer_step, name="tech_transfer_step"),
    path(
        "tech-transfers/<path:ref>/complete/", tech_transfer_views.tech_transfer_complete, name="tech_transfer_complete"
    ),
    path("tech-transfers/<path:ref>/risks/", tech_transfer_views.tech_transfer_risk, name="tech_transfer_risk"),
    path(
        "tech-transfers/<path:ref>/risks/<str:risk_ref>/control/",
        tech_transfer_views.tech_transfer_resolve,
        {"outcome": "controlled"},
        name="tech_transfer_control",
    ),
    path(
        "tech-transfers/<path:ref>/risks/<str:risk_ref>/stop/",
        tech_transfer_views.tech_transfer_resolve,
        {"outcome": "stop"},
        name="tech_transfer_stop",
    ),
    path("tech-transfers/<path:ref>/", tech_transfer_views.tech_transfer_detail, name="tech_transfer_detail"),
    # batches, their release package and the two-step release (the specific routes before the detail)
    path("batches/", batches.batch_index, name="batch_list"),
    path("batches/new/", batches.batch_new, name="batch_new"),
    path("batches/<path:ref>/documents/<int:pk>/", batches.batch_document_download, name="batch_document"),
    path("batches/<path:ref>/documents/", batches.batch_document_add, name="batch_document_add"),
    path("batches/<path:ref>/results/", batches.batch_result_add_view, name="batch_result_add"),
    path("batches/<path:ref>/release/<slug:step>/", batches.batch_release, name="batch_release"),
    path("batches/<path:ref>/reject/", batches.batch_reject_view, name="batch_reject"),
    path("batches/<path:ref>/", batches.batch_detail, name="batch_detail"),
    # quality events, deviations, CAPA and "my deadlines"
    path("events/", event_views.event_index, name="event_list"),
    path("events/new/", event_views.event_new, name="event_new"),
    path("events/<path:ref>/do/<slug:action>/", event_views.event_act, name="event_act"),
    path("events/<path:ref>/", event_views.event_detail, name="event_detail"),
    path("deadlines/", event_views.deadline_index, name="deadline_list"),
    path("deadlines/badge/", event_views.deadline_badge, name="deadline_badge"),
    # change control between the MAH and the CMO (Notice 2025-134 art. 9)
    path("changes/", change_views.change_index, name="change_list"),
    path("changes/new/", change_views.change_new, name="change_new"),
    path("changes/<path:ref>/do/<slug:action>/", change_views.change_act, name="change_act"),
    path("changes/<path:ref>/", change_views.change_detail, name="change_detail"),
    # audits of the CMO by the MAH (Notice 2025-134 arts. 13, 14)
    path("audits/", audit_views.audit_index, name="audit_list"),
    path("audits/new/", audit_views.audit_new, name="audit_new"),
    path("audits/<path:ref>/do/<slug:action>/", audit_views.audit_act, name="audit_act"),
    path("audits/<path:ref>/report-file/", audit_views.audit_report_download, name="audit_report_file"),
    path("audits/<path:ref>/", audit_views.audit_detail, name="audit_detail"),
    # shared-line risk assessments and their notices to the MAHs (art. 8); specific routes first
    path("shared-line/", shared_line_views.assessment_index, name="shared_line_list"),
    path("shared-line/new/", shared_line_views.assessment_new, name="shared_line_new"),
    path("shared-line/notices/", shared_line_views.notice_index, name="shared_line_notices"),
    path(
        "shared-line/notices/<path:ref>/do/<slug:action>/",
        shared_line_views.notice_act,
        name="shared_line_notice_act",
    ),
    path("shared-line/notices/<path:ref>/", shared_line_views.notice_detail, name="shared_line_notice"),
    path("shared-line/<path:ref>/do/<slug:action>/", shared_line_views.assessment_act, name="shared_line_act"),
    path("shared-line/<path:ref>/", shared_line_views.assessment_detail, name="shared_line_detail"),
    # registry exchange
    path("registry/export/", exchange.registry_export, name="registry_export"),
    path("registry/import/", exchange.registry_import_view, name="registry_import"),
    # compliance: self-inspection reports (art. 25 of Notice 2025-134)
    path("compliance/", compliance.compliance_index, name="compliance_index"),
    path("compliance/rules/", compliance.rules_index, name="rules_index"),
    path("compliance/<path:ref>/report.docx", compliance.compliance_report_docx, name="compliance_report_docx"),
    path("compliance/<path:ref>/print/", compliance.compliance_report_print, name="compliance_report_print"),
    path("compliance/<path:ref>/check/", compliance.compliance_check, name="compliance_check"),
    path("compliance/<path:ref>/", compliance.compliance_report, name="compliance_report"),
]
