"""The self-inspection report of art. 25 of Notice 2025-134, and its DOCX and printable HTML forms.

（二十五）……督促持有人和受托生产企业对照本公告要求开展全面自查。委托生产情况与本公告要求不一致的，委托双方应当沟通
协商，制定整改方案，原则上应当在本公告发布后一年内完成整改，个别项目整改时间确需超过一年的，应当明确理由和完成时限。

For one enterprise: every applicable obligation — of the enterprise itself (its lines, its key
persons) and of each contract it is a party to — with its outcome (met, not met, needs information),
the facts it was decided on, and a rectification plan: each obligation not met or lacking
information, its owner (the enterprise's head of quality in post, else "to be assigned"), and its
deadline (the finding's own, else the art. 25 date: one year after publication, 2027-01-06).

The report is assembled from :class:`ReportItem` rows, which come either from the stored findings
(the web pages, through ``selectors.py``) or straight from a scan (``weituo check --format html``).
Rendering is pure: :func:`render_html` (a Django template with print CSS) and :func:`render_docx`
(docxtpl over a template built in code with python-docx, :mod:`weituo.compliance.docx_template`).

The report is a document in one language, the active one (:func:`weituo.core.i18n.reader_language`: English when the
active language is English, else Chinese). Its fixed texts, labels, section titles and owner go
through gettext; the rules' texts (titles, reasons, actions, missing facts, citation labels) are the
rules package's bilingual data, of which the report shows the half of its language
(:func:`weituo.core.i18n.pick`). The quoted regulation text stays Chinese: it is the notice's own words.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy
from docxtpl import DocxTemplate

from weituo.core.i18n import both, en, pick, reader_language, zh
from weituo.registry.choices import OrganisationRole
from weituo.registry.provinces import Province
from weituo.rules import Finding as RuleFinding
from weituo.rules import get_rule
from weituo.rules.periods import add_years

from .docx_template import template_bytes
from .models import Outcome, SubjectKind

ART25_RULE = "134-25.rectification"
TO_BE_ASSIGNED = pgettext_lazy("compliance", "to be assigned")
ORDER = {"not_met": 0, "needs_information": 1, "met": 2, "not_applicable": 3}
WITHHELD = gettext_lazy("withheld from the commissioning party")


@dataclass(frozen=True)
class Text:
    """One gettext message with its parameters (``%(name)s``), shown in the active language; a
    parameter that is a lazy label is rendered there too. ``zh`` and ``en``: its two halves."""

    message: Any
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        text = str(self.message)
        if not self.params:
            return text
        return text % {k: str(v) if isinstance(v, Promise) else v for k, v in self.params.items()}

    @property
    def zh(self) -> str:
        return both(self.message, **self.params)[0]

    @property
    def en(self) -> str:
        return both(self.message, **self.params)[1]


def noted(text: Any, note: Any) -> str:
    """``text (note)``, with the parentheses of the active language."""
    return gettext("%(text)s (%(note)s)") % {"text": text, "note": note}


def rectification_deadline(as_of: dt.date) -> dt.date:
    """Art. 25: one year after the notice's publication (parameter ``rectification_years``)."""
    rule = get_rule(ART25_RULE)
    years = rule.notice.parameters.at("rectification_years", as_of).value
    return add_years(rule.notice.published_on, years)


@cache
def _rule_meta(rule_id: str) -> dict[str, str]:
    try:
        rule = get_rule(rule_id)
    except KeyError:  # a rule withdrawn since the finding was recorded
        return {
            "title_zh": rule_id,
            "title_en": rule_id,
            "label": rule_id,
            "label_zh": rule_id,
            "quote": "",
            "article": "",
        }
    c = rule.citation
    return {
        "title_zh": rule.title_zh,
        "title_en": rule.title_en,
        "label": c.label_en,
        "label_zh": c.label_zh,
        "quote": c.quote,
        "article": c.article,
    }


def fact_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Promise):  # the withheld marker, in the active language
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _label(choices: Any, value: str) -> Any:
    """The gettext label of ``value`` among ``choices`` (a TextChoices), else the value itself."""
    return choices(value).label if value in choices.values else value


@dataclass(frozen=True)
class ReportItem:
    """One obligation of one subject, as the report shows it: the rules' texts in both languages, and
    (``title``, ``reason``, ``action``, ``citation``, ``outcome_label``…) in the report's language."""

    rule_id: str
    severity: str
    outcome: str
    subject_kind: str
    subject_ref: str
    scope_kind: str  # contract | enterprise
    scope_ref: str
    deadline: dt.date | None
    provisional: bool
    overdue: bool
    deadline_basis: str
    facts: Mapping[str, Any]
    reason_zh: str
    reason_en: str
    action_zh: str
    action_en: str
    missing: tuple[Mapping[str, str], ...] = ()

    @property
    def meta(self) -> dict[str, str]:
        return _rule_meta(self.rule_id)

    @property
    def title_zh(self) -> str:
        return self.meta["title_zh"]

    @property
    def title_en(self) -> str:
        return self.meta["title_en"]

    @property
    def title(self) -> str:
        return pick(self.title_zh, self.title_en)

    @property
    def reason(self) -> str:
        return pick(self.reason_zh, self.reason_en)

    @property
    def action(self) -> str:
        return pick(self.action_zh, self.action_en)

    @property
    def citation(self) -> str:
        return pick(self.meta["label_zh"], self.meta["label"])

    @property
    def quote(self) -> str:
        return self.meta["quote"]  # the notice's own words: Chinese

    @property
    def outcome_label(self) -> str:
        return str(_label(Outcome, self.outcome))

    @property
    def outcome_zh(self) -> str:
        return zh(_label(Outcome, self.outcome))

    @property
    def outcome_en(self) -> str:
        return en(_label(Outcome, self.outcome))

    @property
    def subject_label(self) -> str:
        return f"{_label(SubjectKind, self.subject_kind)} {self.subject_ref or '—'}"

    @property
    def missing_text(self) -> str:
        """The facts the rule lacked, in the report's language."""
        separator = pick("；", "; ")
        return separator.join(pick(m.get("zh", ""), m.get("en", "")) for m in self.missing)

    @property
    def is_open(self) -> bool:
        return self.outcome in ("not_met", "needs_information")

    @property
    def evidence(self) -> list[tuple[str, str]]:
        return [(name, fact_text(value)) for name, value in self.facts.items()]

    @property
    def evidence_text(self) -> str:
        return pick("；", "; ").join(f"{name} = {text}" for name, text in self.evidence) or "—"

    @classmethod
    def from_rule_finding(cls, f: RuleFinding) -> ReportItem:
        data = f.to_dict()
        subject = f.subject
        scope_kind = "contract" if "contract" in subject else "enterprise"
        return cls(
            rule_id=f.rule_id,
            severity=str(f.severity),
            outcome=str(f.outcome),
            subject_kind=subject["kind"],
            subject_ref=subject.get("ref") or "",
            scope_kind=scope_kind,
            scope_ref=subject.get(scope_kind) or "",
            deadline=f.deadline,
            provisional=f.provisional,
            overdue=f.overdue,
            deadline_basis=f.deadline_basis,
            facts=data["facts"],
            reason_zh=f.reason_zh,
            reason_en=f.reason_en,
            action_zh=f.action_zh,
            action_en=f.action_en,
            missing=tuple(data["missing"]),
        )

    @classmethod
    def from_stored(cls, f: Any) -> ReportItem:  # a compliance.models.Finding
        return cls(
            rule_id=f.rule_id,
            severity=f.severity,
            outcome=f.outcome,
            subject_kind=f.subject_kind,
            subject_ref=f.subject_ref,
            scope_kind=f.scope_kind,
            scope_ref=f.scope_ref,
            deadline=f.deadline,
            provisional=f.provisional,
            overdue=f.overdue,
            deadline_basis=f.deadline_basis,
            facts=f.facts,
            reason_zh=f.reason_zh,
            reason_en=f.reason_en,
            action_zh=f.action_zh,
            action_en=f.action_en,
            missing=tuple(f.missing or ()),
        )

    def withheld(self, keys: Iterable[str], reason: bool = False) -> ReportItem:
        """A copy with the facts named (and, if ``reason``, the reason texts) withheld: each such fact
        reads "withheld from the commissioning party" in the language the report is shown in."""
        keys = set(keys)
        facts = {k: (WITHHELD if k in keys else v) for k, v in self.facts.items()}
        values = {**self.__dict__, "facts": facts}
        if reason:
            values["reason_zh"] = f"{self.title_zh}：{self.outcome_zh}"
            values["reason_en"] = f"{self.title_en}: {self.outcome_en}"
        return ReportItem(**values)


@dataclass
class Section:
    """The obligations of the enterprise itself, or of one of its contracts."""

    kind: str  # enterprise | contract
    ref: str
    title: Text
    items: list[ReportItem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {o: sum(1 for i in self.items if i.outcome == o) for o in ("met", "not_met", "needs_information")}


@dataclass(frozen=True)
class PlanItem:
    number: int
    item: ReportItem
    section: Text
    owner: Text
    deadline: dt.date
    deadline_source: str  # "finding" | "art. 25"
    provisional: bool


@dataclass
class SelfInspectionReport:
    enterprise_ref: str
    enterprise_name: str
    uscc: str
    province: str
    roles: list[str]
    as_of: dt.date | None
    generated_at: dt.datetime
    sections: list[Section]
    head_of_quality: tuple[str, str] | None  # (name, ref)
    rectification_deadline: dt.date
    plan: list[PlanItem] = field(default_factory=list)

    @property
    def items(self) -> list[ReportItem]:
        return [i for s in self.sections for i in s.items]

    def counts(self) -> dict[str, int]:
        items = self.items
        return {o: sum(1 for i in items if i.outcome == o) for o in ("met", "not_met", "needs_information")}

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def province_name(self) -> str:
        return str(_label(Province, self.province))

    @property
    def roles_text(self) -> str:
        labels = [str(OrganisationRole(r).label) for r in self.roles if r in OrganisationRole.values]
        return pick("、", ", ").join(labels)

    @property
    def as_of_text(self) -> str:
        return self.as_of.isoformat() if self.as_of else pgettext("compliance", "Not checked yet")

    @property
    def owner(self) -> Text:
        if self.head_of_quality:
            return Text(gettext_lazy("%(name)s (head of quality)"), {"name": self.head_of_quality[0]})
        return Text(TO_BE_ASSIGNED)


def _contract_title(number: str, role: str, counterparty: str) -> Text:
    params = {"number": number, "counterparty": counterparty}
    if role == "mah":
        return Text(gettext_lazy("Contract %(number)s (commissioned to %(counterparty)s)"), params)
    if role == "cmo":
        return Text(gettext_lazy("Contract %(number)s (commissioned by %(counterparty)s)"), params)
    return Text(gettext_lazy("Contract %(number)s (%(counterparty)s)"), params)


def build_report(
    *,
    enterprise: Mapping[str, Any],
    items: Iterable[ReportItem],
    contracts: Mapping[str, Mapping[str, Any]],
    as_of: dt.date | None,
    head_of_quality: tuple[str, str] | None,
    generated_at: dt.datetime,
    enterprises: Mapping[str, str] | None = None,
) -> SelfInspectionReport:
    """Group the applicable obligations into sections and draw the rectification plan.

    ``enterprise``: ref, name, uscc, province, roles. ``contracts``: contract ref → number, role of the
    enterprise in it (mah/cmo) and the counterparty's name, for the section titles. ``enterprises``:
    ref → name of other enterprises whose own obligations are included (a report of a whole scan).
    """
    applicable = [i for i in items if i.outcome != Outcome.NOT_APPLICABLE]
    own = Section("enterprise", enterprise["ref"], Text(gettext_lazy("This enterprise (lines, key persons)")))
    by_contract: dict[str, Section] = {}
    others: dict[str, Section] = {}  # a report of a whole scan: every enterprise's own obligations
    for item in applicable:
        if item.scope_kind == "enterprise":
            if item.scope_ref == enterprise["ref"]:
                own.items.append(item)
            else:
                name = (enterprises or {}).get(item.scope_ref, item.scope_ref)
                others.setdefault(
                    item.scope_ref,
                    Section(
                        "enterprise",
                        item.scope_ref,
                        Text(gettext_lazy("Enterprise %(name)s (lines, key persons)"), {"name": name}),
                    ),
                ).items.append(item)
            continue
        section = by_contract.get(item.scope_ref)
        if section is None:
            c = contracts.get(item.scope_ref, {})
            section = by_contract[item.scope_ref] = Section(
                "contract",
                item.scope_ref,
                _contract_title(c.get("number", item.scope_ref), c.get("role", ""), c.get("counterparty", "")),
            )
        section.items.append(item)
    sections = [own, *(others[k] for k in sorted(others)), *(by_contract[k] for k in sorted(by_contract))]
    for s in sections:
        s.items.sort(key=lambda i: (ORDER[i.outcome], i.rule_id, i.subject_ref))
    default_deadline = rectification_deadline(as_of or generated_at.date())
    report = SelfInspectionReport(
        enterprise_ref=enterprise["ref"],
        enterprise_name=enterprise["name"],
        uscc=enterprise["uscc"],
        province=enterprise["province"],
        roles=list(enterprise["roles"]),
        as_of=as_of,
        generated_at=generated_at,
        sections=sections,
        head_of_quality=head_of_quality,
        rectification_deadline=default_deadline,
    )
    open_items = sorted(
        ((s, item) for s in sections for item in s.items if item.is_open),
        key=lambda p: (p[1].deadline or default_deadline, ORDER[p[1].outcome], p[1].rule_id, p[1].subject_ref),
    )
    for number, (s, item) in enumerate(open_items, start=1):
        report.plan.append(
            PlanItem(
                number=number,
                item=item,
                section=s.title,
                owner=report.owner,
                deadline=item.deadline or default_deadline,
                deadline_source="finding" if item.deadline else "art. 25",
                provisional=item.provisional if item.deadline else False,
            )
        )
    return report


# --------------------------------------------------------------------------------------------------
# rendering


def render_html(report: SelfInspectionReport) -> str:
    """The printable HTML report (A4 landscape, print CSS, no external resource), in the report's language."""
    with translation.override(reader_language()):
        return render_to_string("compliance/self_inspection.html", {"report": report})


def _docx_context(report: SelfInspectionReport) -> dict[str, Any]:
    counts = report.counts()
    provisional = pgettext("compliance", "provisional")
    art25 = pgettext("compliance", "art. 25")

    def row(i: ReportItem) -> dict[str, Any]:
        reason = i.reason
        if i.missing:
            reason += "\n" + gettext("missing: %(items)s") % {"items": i.missing_text}
        deadline = "—"
        if i.deadline:
            deadline = noted(i.deadline.isoformat(), provisional) if i.provisional else i.deadline.isoformat()
        return {
            "rule": i.rule_id,
            "title": i.title,
            "citation": i.citation,
            "subject": i.subject_label,
            "outcome": i.outcome_label,
            "deadline": deadline,
            "reason": reason,
            "evidence": i.evidence_text,
        }

    def plan_deadline(p: PlanItem) -> str:
        text = p.deadline.isoformat()
        if p.provisional:
            text = noted(text, provisional)
        if p.deadline_source == "art. 25":
            text = noted(text, art25)
        return text

    return {
        "r": {
            "name": report.enterprise_name,
            "ref": report.enterprise_ref,
            "uscc": report.uscc,
            "province": report.province_name,
            "roles": report.roles_text,
            "as_of": report.as_of_text,
            "generated": report.generated_at.strftime("%Y-%m-%d %H:%M"),
            "met": counts["met"],
            "not_met": counts["not_met"],
            "needs": counts["needs_information"],
            "total": report.total,
            "owner": str(report.owner),
            "deadline": report.rectification_deadline.isoformat(),
        },
        "sections": [{"title": str(s.title), "rows": [row(i) for i in s.items]} for s in report.sections if s.items],
        "plan": [
            {
                "n": p.number,
                "item": noted(p.item.title, p.item.subject_label),
                "action": p.item.action or "—",
                "owner": str(p.owner),
                "deadline": plan_deadline(p),
                "outcome": p.item.outcome_label,
            }
            for p in report.plan
        ],
    }


def render_docx(report: SelfInspectionReport) -> bytes:
    """The report as a Word document (docxtpl over the template of :mod:`.docx_template`), in the
    report's language."""
    language = reader_language()
    with translation.override(language):
        document = DocxTemplate(io.BytesIO(template_bytes(language)))
        document.render(_docx_context(report), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
