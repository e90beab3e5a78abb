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
from docxtpl import DocxTemplate

from weituo.registry.provinces import CHINESE as PROVINCE_NAMES
from weituo.rules import Finding as RuleFinding
from weituo.rules import get_rule
from weituo.rules.periods import add_years

from .docx_template import template_bytes
from .models import Outcome

ART25_RULE = "134-25.rectification"
TO_BE_ASSIGNED_ZH, TO_BE_ASSIGNED_EN = "待指定", "to be assigned"
OUTCOME_LABELS = {
    "met": ("符合", "met"),
    "not_met": ("不符合", "not met"),
    "needs_information": ("需补充信息", "needs information"),
    "not_applicable": ("不适用", "not applicable"),
}
SUBJECT_LABELS = {
    "contract": ("委托生产协议", "contract"),
    "agreement": ("质量协议", "quality agreement"),
    "product": ("产品", "product"),
    "enterprise": ("企业", "enterprise"),
    "line": ("生产线", "line"),
    "person": ("人员", "person"),
}
ROLE_LABELS = {
    "mah": ("持有人", "MAH"),
    "cmo": ("受托生产企业", "CMO"),
    "registrant": ("医疗器械注册人", "device registrant"),
    "device_cmo": ("医疗器械受托生产企业", "device CMO"),
    "testing_lab": ("检验机构", "testing lab"),
}
ORDER = {"not_met": 0, "needs_information": 1, "met": 2, "not_applicable": 3}
WITHHELD = "（不向委托方显示 withheld from the commissioning party）"


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
        return {"title_zh": rule_id, "title_en": rule_id, "label": rule_id, "quote": "", "article": ""}
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
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class ReportItem:
    """One obligation of one subject, as the report shows it."""

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
    def citation(self) -> str:
        return self.meta["label"]

    @property
    def quote(self) -> str:
        return self.meta["quote"]

    @property
    def outcome_zh(self) -> str:
        return OUTCOME_LABELS[self.outcome][0]

    @property
    def outcome_en(self) -> str:
        return OUTCOME_LABELS[self.outcome][1]

    @property
    def subject_label(self) -> str:
        zh, en = SUBJECT_LABELS.get(self.subject_kind, (self.subject_kind, self.subject_kind))
        return f"{zh} {en} {self.subject_ref or '—'}"

    @property
    def is_open(self) -> bool:
        return self.outcome in ("not_met", "needs_information")

    @property
    def evidence(self) -> list[tuple[str, str]]:
        return [(name, fact_text(value)) for name, value in self.facts.items()]

    @property
    def evidence_text(self) -> str:
        return "；".join(f"{name} = {text}" for name, text in self.evidence) or "—"

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
        """A copy with the facts named (and, if ``reason``, the reason texts) withheld."""
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
    title_zh: str
    title_en: str
    items: list[ReportItem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {o: sum(1 for i in self.items if i.outcome == o) for o in ("met", "not_met", "needs_information")}


@dataclass(frozen=True)
class PlanItem:
    number: int
    item: ReportItem
    section: str
    owner_zh: str
    owner_en: str
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
        return PROVINCE_NAMES.get(self.province, self.province)

    @property
    def roles_text(self) -> str:
        return (
            "、".join(ROLE_LABELS[r][0] for r in self.roles if r in ROLE_LABELS)
            + " / "
            + ", ".join(ROLE_LABELS[r][1] for r in self.roles if r in ROLE_LABELS)
        )

    @property
    def owner_zh(self) -> str:
        return self.head_of_quality[0] + "（质量负责人）" if self.head_of_quality else TO_BE_ASSIGNED_ZH

    @property
    def owner_en(self) -> str:
        return f"{self.head_of_quality[0]} (head of quality)" if self.head_of_quality else TO_BE_ASSIGNED_EN


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
    own = Section("enterprise", enterprise["ref"], "本企业（生产线、关键人员）", "the enterprise (lines, key persons)")
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
                        "enterprise", item.scope_ref, f"企业 {name}（生产线、关键人员）", f"{name} (lines, key persons)"
                    ),
                ).items.append(item)
            continue
        section = by_contract.get(item.scope_ref)
        if section is None:
            c = contracts.get(item.scope_ref, {})
            role = c.get("role", "")
            zh_role = "委托" if role == "mah" else "受托" if role == "cmo" else ""
            en_role = "commissioned to" if role == "mah" else "commissioned by" if role == "cmo" else "with"
            section = by_contract[item.scope_ref] = Section(
                "contract",
                item.scope_ref,
                f"委托生产协议 {c.get('number', item.scope_ref)}（{zh_role} {c.get('counterparty', '')}）",
                f"contract {c.get('number', item.scope_ref)} ({en_role} {c.get('counterparty', '')})",
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
                section=s.title_zh,
                owner_zh=report.owner_zh,
                owner_en=report.owner_en,
                deadline=item.deadline or default_deadline,
                deadline_source="finding" if item.deadline else "art. 25",
                provisional=item.provisional if item.deadline else False,
            )
        )
    return report


# --------------------------------------------------------------------------------------------------
# rendering


def render_html(report: SelfInspectionReport) -> str:
    """The printable HTML report (A4 landscape, print CSS, no external resource)."""
    return render_to_string("compliance/self_inspection.html", {"report": report})


def _docx_context(report: SelfInspectionReport) -> dict[str, Any]:
    counts = report.counts()

    def row(i: ReportItem) -> dict[str, Any]:
        return {
            "rule": i.rule_id,
            "title": f"{i.title_zh}\n{i.title_en}",
            "citation": i.citation,
            "subject": i.subject_label,
            "outcome": f"{i.outcome_zh} {i.outcome_en}",
            "deadline": (i.deadline.isoformat() + ("（暂定 provisional）" if i.provisional else ""))
            if i.deadline
            else "—",
            "reason": f"{i.reason_zh}\n{i.reason_en}",
            "evidence": i.evidence_text,
        }

    return {
        "r": {
            "name": report.enterprise_name,
            "ref": report.enterprise_ref,
            "uscc": report.uscc,
            "province": report.province_name,
            "roles": report.roles_text,
            "as_of": report.as_of.isoformat() if report.as_of else "尚未检查 not checked yet",
            "generated": report.generated_at.strftime("%Y-%m-%d %H:%M"),
            "met": counts["met"],
            "not_met": counts["not_met"],
            "needs": counts["needs_information"],
            "total": report.total,
            "owner": f"{report.owner_zh} / {report.owner_en}",
            "deadline": report.rectification_deadline.isoformat(),
        },
        "sections": [
            {"title": f"{s.title_zh} / {s.title_en}", "rows": [row(i) for i in s.items]}
            for s in report.sections
            if s.items
        ],
        "plan": [
            {
                "n": p.number,
                "item": f"{p.item.title_zh}（{p.item.subject_label}）",
                "action": f"{p.item.action_zh}\n{p.item.action_en}".strip(),
                "owner": f"{p.owner_zh} / {p.owner_en}",
                "deadline": p.deadline.isoformat()
                + ("（暂定 provisional）" if p.provisional else "")
                + ("（第二十五条 art. 25）" if p.deadline_source == "art. 25" else ""),
                "outcome": f"{p.item.outcome_zh} {p.item.outcome_en}",
            }
            for p in report.plan
        ],
    }


def render_docx(report: SelfInspectionReport) -> bytes:
    """The report as a Word document (docxtpl over the template of :mod:`.docx_template`)."""
    document = DocxTemplate(io.BytesIO(template_bytes()))
    document.render(_docx_context(report), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
