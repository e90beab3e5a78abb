"""English UI names of the product flags and of the record types in the audit trail, marked for
translation so that the Chinese UI shows the glossary terms. (Roles, choices and ledger actions carry
their own translated labels: ``core.roles``, the apps' ``choices``, ``integrity.actions``.)"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The product flags of the notices, in the glossary's English (registry.choices.RISK_FLAGS has the citations).
FLAG_LABELS = {
    "sterile": _("sterile drug"),
    "high_risk": _("high-risk product"),
    "tcm_injection": _("TCM injection"),
    "multicomponent_biochemical": _("multi-component biochemical drug"),
    "biologic": _("biologic"),
    "vaccine": _("vaccine"),
    "innovative": _("innovative drug"),
    "improved_new_drug": _("improved new drug"),
    "shortage": _("shortage drug"),
    "clinically_necessary_short": _("clinically necessary drug prone to shortage"),
    "clinically_urgent": _("clinically urgent"),
    "public_health_emergency": _("urgently needed in a public health emergency"),
    "rare_disease": _("rare-disease drug"),
    "foreign_transferred": _("transferred from production abroad"),
    "consistency_evaluated": _("passed the generic consistency evaluation"),
    "procurement_winner": _("centralised procurement winner"),
    "implantable": _("implantable device"),
    "prohibited_catalogue": _("in the catalogue of devices that may not be contract-manufactured"),
}

OBJECT_LABELS = {
    "registry.enterprisegroup": _("Enterprise group"),
    "registry.organisation": _("Organisation"),
    "registry.site": _("Production site"),
    "registry.workshop": _("Workshop"),
    "registry.line": _("Production line"),
    "registry.product": _("Product"),
    "registry.lineproduct": _("Product on a line"),
    "registry.registrationcertificate": _("Device registration certificate"),
    "registry.licence": _("Licence"),
    "registry.licencescope": _("Licence entry"),
    "registry.person": _("Person"),
    "registry.appointment": _("Appointment"),
    "registry.experiencerecord": _("Experience record"),
    "registry.inspectionrecord": _("Inspection"),
    "contracts.commissioncontract": _("Commission contract"),
    "contracts.qualityagreement": _("Quality agreement"),
    "contracts.responsibilityitem": _("Responsibility matrix"),
    "contracts.communicationitem": _("Communication list"),
    "contracts.residentstaff": _("Resident staff"),
    "contracts.agreementattachment": _("Attachment"),
    "contracts.techtransfer": _("Technology transfer"),
    "contracts.techtransferstep": _("Technology transfer step"),
    "contracts.techtransferrisk": _("Technology transfer risk"),
    "contracts.mahevaluation": _("Evaluation of the MAH"),
}
