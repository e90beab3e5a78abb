"""Where in weituo each fact a rule reads is recorded: the page, the workflow or the import sheet.

A rule reads facts by name (``contract.audits``, ``agreement.electronic_data_exchange``,
``K-QP.sterile_years`` for a key person's CV…; the names come from the rules' code, collected by
:func:`weituo.rules.cases.facts_read`). The rules page and ``weituo rules list`` show, beside each
name, where a person records it — so a finding that needs information says where to supply it.
Names are matched after dropping the record refs in brackets; the first pattern that matches wins.
A fact with no home yet says which issue brings it (the Licensing, Supervision or Reviews issue).
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AGREEMENT = _("quality agreement (contract page; import sheet agreements)")
AGREEMENT_ROWS = _("quality agreement: communication list and responsibility matrix (contract page)")
AUDITS = _("audits (Audits; the MAH plans, conducts and reports)")
BATCHES = _("batches and their release (Batches)")
CHANGES = _("changes (Changes; classification, MAH decision, filing, implementation)")
CONTRACT = _("commission contract (import sheet contracts)")
EVENTS = _("quality events, deviations and CAPA (Quality events)")
EXPERIENCE = _("key persons' CVs (import sheets people, appointments, experience)")
LICENCES = _("licences and their scopes (import sheets licences, licence_scopes)")
LINES = _("lines and the products made on them (import sheets lines, line_products)")
ORGANISATION = _("organisation records (import sheet organisations)")
PRODUCTS = _("products and registration certificates (import sheets products, certificates)")
SHARED_LINE = _("shared-line assessments and their notices (Shared lines)")
TRANSFER = _("technology transfer (contract page › technology transfers)")
EVALUATIONS = _("the CMO's evaluations of the MAH (import sheet evaluations)")
ENTERPRISE_EXPERIENCE = _("the enterprise's R&D and non-commercial production (import sheet enterprise_experience)")
INSPECTIONS = _("inspection records (import sheet inspections)")
RESIDENT = _("resident staff per product (quality agreement; import sheet resident_staff)")
FINDINGS = _("the other rules' findings on the same contract (computed)")
NOTICE = _("the notice itself (computed)")
NOT_YET = {
    "licensing": _("not recorded in weituo yet: comes with the Licensing issue (opinion letters, licence clocks)"),
    "reviews": _("not recorded in weituo yet: comes with the Periodic reviews issue"),
    "supervision": _("not recorded in weituo yet: comes with the Supervision issue"),
    "compliance": _("not recorded in weituo yet: no page or import column holds it"),
}

# (pattern on the name without bracketed refs, home); the first match wins
HOMES: tuple[tuple[str, Promise], ...] = (
    (r"^findings$|^rules_(not_met|needing_information)$", FINDINGS),
    (r"^notice\.", NOTICE),
    (r"^agreement\.(communications|responsibilities|market_release)", AGREEMENT_ROWS),
    (r"^agreement\.resident_staff", RESIDENT),
    (r"^agreement\.", AGREEMENT),
    (r"^contract\.audits$|^on_site_audits$|^audits\.", AUDITS),
    (r"^contract\.batches$|^batches\.|^batch\.|^first_batches$", BATCHES),
    (r"^contract\.changes$|^changes(\.|$)|^major_changes$", CHANGES),
    (r"^contract\.(quality_events|deviations)$|^deviations\.", EVENTS),
    (r"^contract\.capa_triggers$|^open_triggers$", NOT_YET["compliance"]),
    (r"^contract\.(tech_transfers|transfer)|^transfer\.|^tech_transfers$", TRANSFER),
    (r"^contract\.opinion_letters$|^opinion_letters\.|^agreeing_letters$", NOT_YET["licensing"]),
    (r"^contract\.(reviews|supervision_visits)$", NOT_YET["reviews"]),
    (
        r"^contract\.(comparison_studies|separation_evidence|credit_statements|rectification_plan)$",
        NOT_YET["compliance"],
    ),
    (r"^contract\.(cmo_rnd_participation|unified_qms_confirmed)$", CONTRACT),
    (r"^contract\.agreements$", AGREEMENT),
    (r"^contract\.lines$|^contract\.line_refs$", CONTRACT),
    (r"^contract\.", CONTRACT),
    (r"^(mah|cmo)\.licence_scopes\.removal_applied_on$", NOT_YET["licensing"]),
    (r"^(mah|cmo)\.licence_scopes$|^licence_scopes\.|^(mah|cmo)\.stages$", LICENCES),
    (r"^(mah|cmo)\.rnd_experience$", ENTERPRISE_EXPERIENCE),
    (r"^(mah|cmo)\.(experience|sterile_years_same_dosage_form|biologics_years)$", LINES),
    (r"^(mah|cmo)\.(key_persons|qp|head_of_quality|head_of_production)", EXPERIENCE),
    (r"^(mah|cmo)\.", ORGANISATION),
    (r"^enterprise\.audit_trail_enabled$", NOT_YET["supervision"]),
    (r"^enterprise\.", ORGANISATION),
    (r"^line\.shared_line_changes$|^shared_line_changes\.", SHARED_LINE),
    (r"\.(qualification_dates|inspections_after_idle)$", NOT_YET["compliance"]),
    (r"^line\.|\.(last_commercial_production|products)$", LINES),
    (r"\.(practice_years|sterile_years|tcm_injection_years|multicomponent_biochemical_years)$", EXPERIENCE),
    (r"^certificate\.|^products\.(certificate|segmented_pilot)$|^product\.", PRODUCTS),
    (r"^evaluations?\b|^evaluation_due_by$", EVALUATIONS),
    (r"^inspections?\b", INSPECTIONS),
)


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], Promise], ...]:
    return tuple((re.compile(p), home) for p, home in HOMES)


def home_of(fact: str) -> Promise | None:
    """Where the fact named ``fact`` is recorded, or None for a value a rule works out on the way
    (a date it computed, a list it filtered), which no one records."""
    name = re.sub(r"\[[^\]]*\]", "", fact)
    for pattern, home in _compiled():
        if pattern.search(name):
            return home
    return None
