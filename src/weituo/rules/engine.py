"""The rule engine: notices, rules with their citations, parameters by date, evaluation into findings.

A rule is a Python function placed right under the article it implements (Catala's layout), declared
with the metadata a finding carries (OPA's decision with the rule's metadata): id, version, titles,
citation (notice, article, clause and the quoted Chinese sentence, checked against the notice's
stored text when the rule is loaded), status, effective period, the kind of subject it applies to,
severity, and the rule it is an exception to. Its time limits and thresholds come from the notice's
``parameters.yaml``, keyed by the date from which each value applies (OpenFisca's parameters).

Outcomes, on the date of evaluation (``as_of``):

* ``met`` — the requirement holds. For a periodic duty: it is up to date, and ``deadline`` is when the
  next one is due.
* ``not_met`` — it does not hold. When the text gives a time limit that has not run out yet,
  ``deadline`` is in the future and ``overdue`` is false: it is still to do, in time. Otherwise
  ``overdue`` is true, or there is no deadline (the text gives none).
* ``not_applicable`` — the rule does not apply to this subject (with the reason: outside the rule's
  effective period, a condition that does not hold, or an exception that applies).
* ``needs_information`` — the facts do not allow an answer; ``missing`` names what is missing.

Wrong or missing data never crashes an evaluation and never passes silently: a rule asks for what it
needs (:meth:`Ctx.need`), and if a rule nevertheless raises, the finding is ``needs_information`` with
the error recorded in ``error`` (the case tests fail on any such error, so a bug cannot hide there).

Exceptions are declared, not implied: a rule declared ``exception_to=<id>`` has a ``condition``; when
the condition holds for a subject, the other rule's finding for that subject is ``not_applicable``
and names the exception in ``excepted_by``; when the condition cannot be decided and the other rule
is not met, its finding becomes ``needs_information`` asking for what would decide the exception.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import pkgutil
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from weituo.core.calendar import WorkingCalendar
from weituo.core.errors import ApplicationError, ErrorDetail

from .facts import (
    AgreementFacts,
    ContractFacts,
    KeyPersonFacts,
    LineFacts,
    OrganisationFacts,
    ProductFacts,
)
from .periods import add_months, add_years

__all__ = [
    "SUBJECT_KINDS",
    "Citation",
    "Ctx",
    "Deadline",
    "Finding",
    "Missing",
    "MissingFact",
    "Notice",
    "Outcome",
    "ParameterValue",
    "Parameters",
    "Result",
    "Rule",
    "RuleDeclarationError",
    "RuleRegistry",
    "Severity",
    "Status",
    "all_notices",
    "all_rules",
    "evaluate",
    "get_rule",
    "load_notice",
    "parameter",
    "parse_parameters",
]

T = TypeVar("T")


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    NEEDS_INFORMATION = "needs_information"


class Status(StrEnum):
    IN_FORCE = "in_force"
    PILOT = "pilot"
    DRAFT = "draft"


class Severity(StrEnum):
    """As inspection defects are graded (严重 / 主要 / 一般)."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


# What a rule can be about, and which fact graph provides it.
CONTRACT_SUBJECTS = ("contract", "agreement", "product")
ENTERPRISE_SUBJECTS = ("enterprise", "line", "person")
SUBJECT_KINDS = CONTRACT_SUBJECTS + ENTERPRISE_SUBJECTS

_NOTICE_PERIOD: Any = object()  # a rule's effective end when not declared: its notice's
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9.\-]*[a-z0-9]")
_WHITESPACE = re.compile(r"\s+")


class RuleDeclarationError(ApplicationError):
    """A notice, a rule or a parameter file that cannot be loaded: the engine refuses to start with it."""


def _declaration_error(message_zh: str, message_en: str) -> RuleDeclarationError:
    return RuleDeclarationError(
        code="rule_declaration",
        message_zh=f"规则声明错误：{message_zh}",
        message_en=f"rule declaration error: {message_en}",
        details=[ErrorDetail(message_zh=message_zh, message_en=message_en)],
    )


def _normalise_text(text: str) -> str:
    """Whitespace removed: the stored notices break lines inside sentences and space out 'GMP'."""
    return _WHITESPACE.sub("", text)


def _date(value: Any, what: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _declaration_error(f"{what} 不是日期：{value!r}", f"{what} is not a date: {value!r}")


# --------------------------------------------------------------------------------------------------
# citations and parameters


@dataclass(frozen=True)
class Citation:
    """Where an obligation is written: the notice, the article (and clause), and the sentence quoted."""

    notice_id: str
    notice_title_zh: str
    article: str
    quote: str
    clause: str | None = None

    @property
    def label_en(self) -> str:
        clause = f", {self.clause}" if self.clause else ""
        return f"Notice {self.notice_id} art. {self.article}{clause}"

    @property
    def label_zh(self) -> str:
        return f"{self.notice_title_zh}第{self.article}条" + (f"（{self.clause}）" if self.clause else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "notice": self.notice_id,
            "notice_title_zh": self.notice_title_zh,
            "article": self.article,
            "clause": self.clause,
            "quote": self.quote,
            "label": self.label_en,
        }


@dataclass(frozen=True)
class ParameterValue:
    """The value of a parameter on a date, with the date it applies from and its citation."""

    name: str
    value: Any
    since: dt.date
    unit: str
    citation: Citation
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": _plain(self.value),
            "unit": self.unit,
            "since": self.since.isoformat(),
            "citation": self.citation.label_en,
        }


@dataclass(frozen=True)
class _ParameterDefinition:
    name: str
    description_zh: str
    description_en: str
    unit: str
    citation: Citation
    values: tuple[tuple[dt.date, Any], ...]  # sorted by date
    note: str = ""


class Parameters:
    """A notice's parameters: thresholds and time limits, each valued from a date and cited."""

    def __init__(self, notice_id: str, definitions: Mapping[str, _ParameterDefinition]) -> None:
        self.notice_id = notice_id
        self._definitions = dict(definitions)

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._definitions))

    def definition(self, name: str) -> _ParameterDefinition:
        try:
            return self._definitions[name]
        except KeyError:
            raise KeyError(f"notice {self.notice_id} has no parameter {name!r}") from None

    def at(self, name: str, as_of: dt.date) -> ParameterValue:
        """The value in force on ``as_of`` (the latest value dated on or before it)."""
        definition = self.definition(name)
        current = None
        for since, value in definition.values:
            if since <= as_of:
                current = (since, value)
        if current is None:
            first = definition.values[0][0]
            raise LookupError(f"parameter {name!r} of notice {self.notice_id} has no value before {first}")
        return ParameterValue(name, current[1], current[0], definition.unit, definition.citation, definition.note)


_PARAMETER_FIELDS = frozenset({"description", "unit", "citation", "values", "note"})
_PARAMETER_UNITS = frozenset({"years", "months", "working_days", "days", "count", "date", "categories"})


def parse_parameters(data: Any, *, notice_id: str, notice_title_zh: str, text: str) -> Parameters:
    """Check and build a notice's parameters from the parsed ``parameters.yaml``.

    Every parameter needs a description in both languages, a unit, a citation whose quote is in the
    notice, and at least one value keyed by the date it applies from. Every problem is reported.
    """
    problems: list[str] = []
    definitions: dict[str, _ParameterDefinition] = {}
    if not isinstance(data, Mapping) or not isinstance(data.get("parameters"), Mapping):
        raise _declaration_error(
            f"{notice_id} 的 parameters.yaml 应有 parameters 映射",
            f"parameters.yaml of {notice_id} must hold a 'parameters' mapping",
        )
    if data.get("notice") != notice_id:
        problems.append(f"notice: expected {notice_id!r}, got {data.get('notice')!r}")
    normalised = _normalise_text(text)
    for name, spec in data["parameters"].items():
        where = f"{notice_id} parameter {name!r}"
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: expected a mapping")
            continue
        unknown = sorted(set(map(str, spec)) - _PARAMETER_FIELDS)
        if unknown:
            problems.append(f"{where}: unknown field(s) {unknown}")
        description = spec.get("description") or {}
        if not (isinstance(description, Mapping) and description.get("zh") and description.get("en")):
            problems.append(f"{where}: description needs zh and en")
            description = {}
        unit = spec.get("unit")
        if unit not in _PARAMETER_UNITS:
            problems.append(f"{where}: unit must be one of {sorted(_PARAMETER_UNITS)}, got {unit!r}")
        citation = spec.get("citation")
        cite: Citation | None = None
        if not isinstance(citation, Mapping) or not citation.get("article") or not citation.get("quote"):
            problems.append(f"{where}: citation with article and quote is required")
        elif _normalise_text(str(citation["quote"])) not in normalised:
            problems.append(f"{where}: the quote is not in the notice text: {citation['quote']!r}")
        else:
            clause = citation.get("clause")
            cite = Citation(
                notice_id, notice_title_zh, str(citation["article"]), str(citation["quote"]), clause and str(clause)
            )
        values = spec.get("values")
        parsed: list[tuple[dt.date, Any]] = []
        if not isinstance(values, Mapping) or not values:
            problems.append(f"{where}: values must map dates to values")
        else:
            for key, value in values.items():
                try:
                    since = _date(key if not isinstance(key, str) else key.strip(), f"{where} date")
                except RuleDeclarationError:
                    since = None
                if since is None:
                    problems.append(f"{where}: {key!r} is not a date")
                    continue
                if unit in {"years", "months", "working_days", "days", "count"} and not (
                    isinstance(value, int) and not isinstance(value, bool) and value >= 0
                ):
                    problems.append(f"{where}: value on {since} must be a whole number >= 0, got {value!r}")
                if unit == "categories":
                    if not (isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)):
                        problems.append(f"{where}: value on {since} must be a list of category codes, got {value!r}")
                    else:
                        value = tuple(value)
                if unit == "date":
                    try:
                        value = _date(value, f"{where} value")
                    except RuleDeclarationError:
                        problems.append(f"{where}: value on {since} must be a date, got {value!r}")
                parsed.append((since, value))
        if cite is not None and parsed and description and unit in _PARAMETER_UNITS:
            definitions[str(name)] = _ParameterDefinition(
                str(name),
                str(description["zh"]),
                str(description["en"]),
                str(unit),
                cite,
                tuple(sorted(parsed, key=lambda p: p[0])),
                str(spec.get("note") or ""),
            )
    if problems:
        raise RuleDeclarationError(
            code="rule_declaration",
            message_zh=f"{notice_id} 的参数文件有{len(problems)}处错误",
            message_en=f"parameters of {notice_id} have {len(problems)} error(s)",
            details=[ErrorDetail(message_zh=p, message_en=p) for p in problems],
        )
    return Parameters(notice_id, definitions)


# --------------------------------------------------------------------------------------------------
# notices and rules


class RuleRegistry:
    """The rules known to the engine. The default one, :data:`REGISTRY`, holds the notices' rules."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, rule: Rule) -> None:
        if rule.id in self._rules:
            raise _declaration_error(f"规则编号重复：{rule.id}", f"duplicate rule id: {rule.id}")
        self._rules[rule.id] = rule

    def rules(self) -> tuple[Rule, ...]:
        return tuple(sorted(self._rules.values(), key=lambda r: r.sort_key))

    def get(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def check(self) -> None:
        """Cross-rule checks: an exception names an existing rule of the same notice and subject kind."""
        for rule in self._rules.values():
            if rule.exception_to is None:
                continue
            base = self._rules.get(rule.exception_to)
            if base is None:
                raise _declaration_error(
                    f"{rule.id} 声明为 {rule.exception_to} 的例外，但后者不存在",
                    f"{rule.id} is declared an exception to {rule.exception_to}, which does not exist",
                )
            if base.applies_to != rule.applies_to:
                raise _declaration_error(
                    f"{rule.id} 与其所例外的 {base.id} 适用对象不同",
                    f"{rule.id} applies to {rule.applies_to} but its base {base.id} to {base.applies_to}",
                )
            if base.exception_to is not None:
                raise _declaration_error(
                    f"{rule.id} 不能是例外的例外（{base.id}）",
                    f"{rule.id} cannot be an exception to an exception ({base.id})",
                )


REGISTRY = RuleRegistry()


# Whose duty a rule checks, and so who must act on a finding not met: on a contract, its product
# or its agreement, the MAH, the CMO or both parties; on an enterprise, its line or its key person,
# the enterprise itself; or the regulator (a province's own time limit, which the parties cannot
# rectify).
CONTRACT_BEARERS = frozenset({"parties", "mah", "cmo"})
BEARERS = CONTRACT_BEARERS | {"enterprise", "regulator"}


@dataclass(frozen=True, eq=False)
class Notice:
    """A regulatory document: its metadata, its text (to check quotes against) and its parameters."""

    id: str
    short: str
    title_zh: str
    title_en: str
    domain: str  # "drug" or "device"
    status: Status
    published_on: dt.date | None
    effective_from: dt.date | None
    effective_until: dt.date | None
    text: str
    parameters: Parameters
    registry: RuleRegistry = field(default=REGISTRY, repr=False)

    def __post_init__(self) -> None:
        if self.domain not in {"drug", "device"}:
            raise _declaration_error(f"{self.id} 的领域无效：{self.domain}", f"{self.id}: unknown domain {self.domain}")
        if self.status != Status.DRAFT and self.effective_from is None:
            raise _declaration_error(
                f"{self.id} 不是草案，应有生效日期", f"{self.id} is not a draft and needs an effective date"
            )

    def cite(self, article: str | None, quote: str | None, clause: str | None = None) -> Citation:
        """A citation of this notice; refused when the article or the quote is missing or the quote is not in it."""
        if not article or not str(article).strip():
            raise _declaration_error(f"{self.id}：引用缺少条款号", f"{self.id}: citation without an article")
        if not quote or not str(quote).strip():
            raise _declaration_error(
                f"{self.id} 第{article}条：引用缺少原文语句", f"{self.id} art. {article}: citation without a quote"
            )
        if _normalise_text(quote) not in _normalise_text(self.text):
            raise _declaration_error(
                f"{self.id} 第{article}条：引文不在公告原文中：{quote}",
                f"{self.id} art. {article}: the quote is not in the notice text: {quote}",
            )
        return Citation(self.id, self.title_zh, str(article), quote.strip(), clause and str(clause))

    def rule(
        self,
        *,
        id: str,
        title_zh: str,
        title_en: str,
        article: str | None = None,
        quote: str | None = None,
        clause: str | None = None,
        applies_to: str,
        severity: str,
        version: int = 1,
        status: Status | None = None,
        effective_from: dt.date | None = None,
        effective_until: dt.date | object | None = _NOTICE_PERIOD,
        exception_to: str | None = None,
        condition: Callable[[Ctx], bool] | None = None,
        condition_zh: str = "",
        condition_en: str = "",
        after_termination: bool = False,
        reads_findings: bool = False,
        bearer: str | None = None,
    ) -> Callable[[Callable[[Ctx], Result]], Rule]:
        """Declare the function below as a rule of this notice (see :class:`Rule`)."""

        def declare(check: Callable[[Ctx], Result]) -> Rule:
            if not id or not _RULE_ID.fullmatch(id):
                raise _declaration_error(f"规则编号无效：{id!r}", f"invalid rule id: {id!r}")
            where = f"{id}: "
            if not title_zh or not title_en:
                raise _declaration_error(where + "缺少中英文标题", where + "titles in Chinese and English are required")
            citation = self.cite(article, quote, clause)
            if applies_to not in SUBJECT_KINDS:
                raise _declaration_error(
                    where + f"适用对象无效 {applies_to}", where + f"unknown subject kind {applies_to}"
                )
            try:
                severity_ = Severity(severity)
            except ValueError:
                raise _declaration_error(
                    where + f"严重程度无效 {severity}", where + f"unknown severity {severity}"
                ) from None
            status_ = Status(status) if status is not None else self.status
            start = effective_from if effective_from is not None else self.effective_from
            # Omitted: the notice's end. None: no end, for a rule about what follows it (the pilot's window).
            end = self.effective_until if effective_until is _NOTICE_PERIOD else effective_until
            if status_ != Status.DRAFT and start is None:
                raise _declaration_error(where + "缺少生效日期", where + "an effective date is required")
            if start and end and end < start:
                raise _declaration_error(
                    where + "失效日期早于生效日期", where + "effective period ends before it starts"
                )
            if exception_to is not None and condition is None:
                raise _declaration_error(
                    where + "例外规则应声明适用条件", where + "an exception must declare its condition"
                )
            if condition is not None and not (condition_zh and condition_en):
                raise _declaration_error(
                    where + "条件应有中英文说明", where + "a condition needs its description in zh and en"
                )
            bearer_ = bearer or ("parties" if applies_to in CONTRACT_SUBJECTS else "enterprise")
            allowed = CONTRACT_BEARERS if applies_to in CONTRACT_SUBJECTS else frozenset({"enterprise"})
            if bearer_ not in allowed | {"regulator"}:
                raise _declaration_error(
                    where + f"义务主体无效 {bearer_}（适用对象 {applies_to}）",
                    where + f"duty bearer {bearer_} does not fit subject kind {applies_to}",
                )
            if reads_findings and applies_to != "contract":
                raise _declaration_error(
                    where + "读取其他结论的规则只能适用于协议",
                    where + "a rule reading findings must apply to contracts",
                )
            rule = Rule(
                id=id,
                version=int(version),
                notice=self,
                title_zh=title_zh,
                title_en=title_en,
                citation=citation,
                status=status_,
                effective_from=start,
                effective_until=end,
                applies_to=applies_to,
                severity=severity_,
                exception_to=exception_to,
                condition=condition,
                condition_zh=condition_zh,
                condition_en=condition_en,
                check=check,
                after_termination=after_termination,
                reads_findings=reads_findings,
                bearer=bearer_,
                doc=(check.__doc__ or "").strip(),
            )
            self.registry.add(rule)
            return rule

        return declare


@dataclass(frozen=True, eq=False)
class Rule:
    """One machine-checkable obligation. ``check`` receives a :class:`Ctx` and returns a :class:`Result`.

    ``condition`` (with its description) says when the rule applies; it is required for an exception,
    whose condition is what makes the other rule not applicable. ``after_termination``: the rule still
    applies to a contract after it ended (art. 20). ``reads_findings``: evaluated after the others on
    the same contract graph, seeing their findings (art. 25). ``bearer``: whose duty it is, so who
    must act on a finding not met (``BEARERS``): on a contract's subjects the MAH, the CMO or both
    parties (the default); on an enterprise's, the enterprise; or the regulator (a province's time
    limit, which the parties cannot rectify). ``doc`` (the function's docstring) is where the reading of an
    ambiguous text is written down.
    """

    id: str
    version: int
    notice: Notice
    title_zh: str
    title_en: str
    citation: Citation
    status: Status
    effective_from: dt.date | None
    effective_until: dt.date | None
    applies_to: str
    severity: Severity
    exception_to: str | None
    condition: Callable[[Ctx], bool] | None
    condition_zh: str
    condition_en: str
    check: Callable[[Ctx], Result]
    after_termination: bool
    reads_findings: bool
    bearer: str
    doc: str

    @property
    def sort_key(self) -> tuple:
        digits = re.findall(r"\d+", self.citation.article)
        return (self.notice.id, int(digits[0]) if digits else 0, self.citation.article, self.id)

    def in_force_on(self, as_of: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= as_of) and (
            self.effective_until is None or as_of <= self.effective_until
        )

    def describe(self) -> dict[str, Any]:
        """The rule's metadata, JSON-ready (for the compliance app and the API)."""
        return {
            "rule_id": self.id,
            "version": self.version,
            "notice": self.notice.id,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "citation": self.citation.to_dict(),
            "status": str(self.status),
            "effective_from": self.effective_from and self.effective_from.isoformat(),
            "effective_until": self.effective_until and self.effective_until.isoformat(),
            "applies_to": self.applies_to,
            "severity": str(self.severity),
            "exception_to": self.exception_to,
            "condition_zh": self.condition_zh,
            "condition_en": self.condition_en,
            "bearer": self.bearer,
            "reading": self.doc,
        }


def load_notice(
    directory: Path,
    *,
    id: str,
    short: str,
    title_zh: str,
    title_en: str,
    domain: str,
    status: Status | str,
    published_on: dt.date | None,
    effective_from: dt.date | None,
    effective_until: dt.date | None = None,
    registry: RuleRegistry = REGISTRY,
) -> Notice:
    """A notice from its package directory: ``notice.txt`` (the text) and ``parameters.yaml``."""
    text = (directory / "notice.txt").read_text(encoding="utf-8")
    parameters_file = directory / "parameters.yaml"
    if parameters_file.exists():
        data = yaml.safe_load(parameters_file.read_text(encoding="utf-8"))
        parameters = parse_parameters(data, notice_id=id, notice_title_zh=title_zh, text=text)
    else:
        parameters = Parameters(id, {})
    return Notice(
        id=id,
        short=short,
        title_zh=title_zh,
        title_en=title_en,
        domain=domain,
        status=Status(status),
        published_on=published_on,
        effective_from=effective_from,
        effective_until=effective_until,
        text=text,
        parameters=parameters,
        registry=registry,
    )


_LOADED = False
_NOTICES: dict[str, Notice] = {}
NOTICES_PACKAGE = f"{__package__}.notices"
NOTICES_DIR = Path(__file__).with_name("notices")


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    # Discovered by name, as Django discovers ``admin`` modules: each notice package is a plug-in that
    # imports this engine to declare its rules, so the engine never imports the notices.
    for module in pkgutil.iter_modules([str(NOTICES_DIR)]):
        if module.ispkg:
            package = importlib.import_module(f"{NOTICES_PACKAGE}.{module.name}")
            notice = getattr(package, "NOTICE", None)
            if not isinstance(notice, Notice):
                raise _declaration_error(
                    f"{package.__name__} 没有 NOTICE", f"{package.__name__} does not define NOTICE"
                )
            _NOTICES[notice.id] = notice
    REGISTRY.check()
    _LOADED = True


def all_rules() -> tuple[Rule, ...]:
    """Every rule of every notice, loaded (and checked) on first use; sorted by notice and article."""
    _load_all()
    return REGISTRY.rules()


def all_notices() -> tuple[Notice, ...]:
    _load_all()
    return tuple(sorted(_NOTICES.values(), key=lambda n: n.id))


def get_rule(rule_id: str) -> Rule:
    _load_all()
    return REGISTRY.get(rule_id)


def parameter(notice_id: str, name: str, as_of: dt.date) -> ParameterValue:
    """A notice's parameter in force on ``as_of``, with its citation: the one source of a regulatory
    number for the rules and for the services that enforce the same article."""
    _load_all()
    try:
        notice = _NOTICES[notice_id]
    except KeyError:
        raise KeyError(f"no notice {notice_id!r}") from None
    return notice.parameters.at(name, as_of)


# --------------------------------------------------------------------------------------------------
# evaluation


@dataclass(frozen=True)
class MissingFact:
    """A fact a rule needed and did not get: its path in the graph and what it is, in both languages."""

    name: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "zh": self.zh, "en": self.en}


class Missing(Exception):
    """Raised inside a rule to answer ``needs_information``."""

    def __init__(self, *items: MissingFact) -> None:
        super().__init__(", ".join(i.name for i in items))
        self.items = items


_NO_AGREEMENT = MissingFact("contract.agreements", "质量协议", "the quality agreement")


@dataclass(frozen=True)
class Deadline:
    """A date by which something must be done, how it was computed, and whether it rests on an unknown year."""

    date: dt.date
    provisional: bool = False
    basis: str = ""


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    reason_zh: str
    reason_en: str
    action_zh: str = ""
    action_en: str = ""
    deadline: Deadline | None = None
    missing: tuple[MissingFact, ...] = ()
    # rules whose findings not met on the same contract, with no deadline of their own, are due by
    # this result's deadline (art. 25: whatever is not in line is rectified within the year)
    governs: tuple[str, ...] = ()


class Ctx:
    """What a rule sees: the fact graph, the subject in focus, the date, the calendar, its parameters.

    Everything a rule reads through :meth:`read`, :meth:`need` and :meth:`param` is recorded and goes
    into the finding, so a finding always shows the facts and parameters it rests on.
    """

    def __init__(
        self,
        *,
        rule: Rule,
        graph: ContractFacts | OrganisationFacts,
        focus: Any,
        as_of: dt.date,
        calendar: WorkingCalendar,
        findings: tuple[Finding, ...] = (),
    ) -> None:
        self.rule = rule
        self.graph = graph
        self.focus = focus
        self.as_of = as_of
        self.calendar = calendar
        self.findings = findings
        self.facts: dict[str, Any] = {}
        self.parameters: dict[str, ParameterValue] = {}

    # the graph and the subject -------------------------------------------------------------------

    @property
    def contract(self) -> ContractFacts:
        if not isinstance(self.graph, ContractFacts):
            raise TypeError(f"rule {self.rule.id} reads a contract from a {type(self.graph).__name__}")
        return self.graph

    @property
    def organisation(self) -> OrganisationFacts:
        if not isinstance(self.graph, OrganisationFacts):
            raise TypeError(f"rule {self.rule.id} reads an enterprise from a {type(self.graph).__name__}")
        return self.graph

    @property
    def product(self) -> ProductFacts:
        if not isinstance(self.focus, ProductFacts):
            raise TypeError(f"rule {self.rule.id} is not about a product")
        return self.focus

    @property
    def agreement(self) -> AgreementFacts:
        if self.focus is None and self.rule.applies_to == "agreement":
            raise Missing(_NO_AGREEMENT)
        if not isinstance(self.focus, AgreementFacts):
            raise TypeError(f"rule {self.rule.id} is not about an agreement")
        return self.focus

    @property
    def line(self) -> LineFacts:
        if not isinstance(self.focus, LineFacts):
            raise TypeError(f"rule {self.rule.id} is not about a line")
        return self.focus

    @property
    def person(self) -> KeyPersonFacts:
        if not isinstance(self.focus, KeyPersonFacts):
            raise TypeError(f"rule {self.rule.id} is not about a person")
        return self.focus

    # reading ---------------------------------------------------------------------------------------

    def read(self, name: str, value: T) -> T:
        """Record a fact the rule uses and return it."""
        self.facts[name] = _plain(value)
        return value

    def need(self, name: str, value: T | None, zh: str, en: str) -> T:
        """Record a fact the rule cannot do without; if it is None, answer ``needs_information`` naming it."""
        self.facts[name] = _plain(value)
        if value is None:
            raise Missing(MissingFact(name, zh, en))
        return value

    def param(self, name: str) -> Any:
        """The notice's parameter in force on the date of evaluation (recorded with its citation)."""
        value = self.rule.notice.parameters.at(name, self.as_of)
        self.parameters[name] = value
        return value.value

    # deadlines -------------------------------------------------------------------------------------

    def working_days_after(self, start: dt.date, n: int, what: str = "") -> Deadline:
        answer = self.calendar.add_working_days(start, n)
        basis = f"{n} working days after {start.isoformat()}" + (f" ({what})" if what else "")
        if answer.provisional:
            years = ", ".join(map(str, answer.provisional_years))
            basis += f"; provisional: no official holiday schedule for {years}"
        return Deadline(answer.value, answer.provisional, basis)

    def months_after(self, start: dt.date, n: int, what: str = "") -> Deadline:
        return Deadline(
            add_months(start, n), False, f"{n} months after {start.isoformat()}" + (f" ({what})" if what else "")
        )

    def years_after(self, start: dt.date, n: int, what: str = "") -> Deadline:
        return Deadline(
            add_years(start, n), False, f"{n} years after {start.isoformat()}" + (f" ({what})" if what else "")
        )

    # results ---------------------------------------------------------------------------------------

    def met(
        self,
        reason_zh: str,
        reason_en: str,
        *,
        deadline: Deadline | None = None,
        action_zh: str = "",
        action_en: str = "",
    ) -> Result:
        return Result(Outcome.MET, reason_zh, reason_en, action_zh, action_en, deadline)

    def not_met(
        self,
        reason_zh: str,
        reason_en: str,
        *,
        action_zh: str,
        action_en: str,
        deadline: Deadline | None = None,
        governs: Iterable[str] = (),
    ) -> Result:
        return Result(Outcome.NOT_MET, reason_zh, reason_en, action_zh, action_en, deadline, governs=tuple(governs))

    def not_applicable(self, reason_zh: str, reason_en: str) -> Result:
        return Result(Outcome.NOT_APPLICABLE, reason_zh, reason_en)

    def needs(self, *items: MissingFact, reason_zh: str = "", reason_en: str = "") -> Result:
        return _needs_result(items, reason_zh, reason_en)


def _needs_result(items: Iterable[MissingFact], reason_zh: str = "", reason_en: str = "") -> Result:
    items = tuple(items)
    return Result(
        Outcome.NEEDS_INFORMATION,
        reason_zh or "缺少判断所需的信息",
        reason_en or "the facts needed to decide are missing",
        "请补充：" + "；".join(i.zh for i in items),
        "Provide: " + "; ".join(i.en for i in items),
        None,
        items,
    )


@dataclass(frozen=True)
class Finding:
    """The answer of one rule about one subject on one date, with everything needed to explain it."""

    rule_id: str
    version: int
    notice: str
    title_zh: str
    title_en: str
    status: Status
    severity: Severity
    citation: Citation
    outcome: Outcome
    subject: Mapping[str, Any]
    as_of: dt.date
    facts: Mapping[str, Any]
    parameters: Mapping[str, Any]
    deadline: dt.date | None
    provisional: bool
    overdue: bool
    deadline_basis: str
    reason_zh: str
    reason_en: str
    action_zh: str
    action_en: str
    missing: tuple[MissingFact, ...] = ()
    excepted_by: tuple[str, ...] = ()
    error: str | None = None
    bearer: str = "parties"  # who must act on it (``BEARERS``)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, the citation as a mapping, parameters with their citations."""
        return {
            "rule_id": self.rule_id,
            "version": self.version,
            "notice": self.notice,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "status": str(self.status),
            "severity": str(self.severity),
            "citation": self.citation.to_dict(),
            "outcome": str(self.outcome),
            "subject": dict(self.subject),
            "as_of": self.as_of.isoformat(),
            "facts": dict(self.facts),
            "parameters": dict(self.parameters),
            "deadline": self.deadline and self.deadline.isoformat(),
            "provisional": self.provisional,
            "overdue": self.overdue,
            "deadline_basis": self.deadline_basis,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "action_zh": self.action_zh,
            "action_en": self.action_en,
            "missing": [m.to_dict() for m in self.missing],
            "excepted_by": list(self.excepted_by),
            "error": self.error,
            "bearer": self.bearer,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a fact: dates as ISO strings, decimals as strings, sets sorted."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return str(value)


def _subjects(graph: ContractFacts | OrganisationFacts, kind: str, as_of: dt.date) -> Iterable[tuple[Any, dict]]:
    if isinstance(graph, ContractFacts):
        if kind == "contract":
            yield graph, {"kind": "contract", "ref": graph.ref, "contract": graph.ref, "number": graph.number}
        elif kind == "agreement":
            agreement = graph.current_agreement(as_of)
            yield (
                agreement,
                {
                    "kind": "agreement",
                    "ref": agreement and agreement.ref,
                    "contract": graph.ref,
                    "number": graph.number,
                },
            )
        elif kind == "product":
            for product in graph.products:
                yield product, {"kind": "product", "ref": product.ref, "contract": graph.ref, "number": graph.number}
    elif isinstance(graph, OrganisationFacts):
        if kind == "enterprise":
            yield graph, {"kind": "enterprise", "ref": graph.ref, "enterprise": graph.ref}
        elif kind == "line":
            for line in graph.lines:
                yield line, {"kind": "line", "ref": line.ref, "enterprise": graph.ref}
        elif kind == "person":
            for person in graph.key_persons:
                yield person, {"kind": "person", "ref": person.ref, "enterprise": graph.ref}


def _graph_kinds(graph: Any) -> tuple[str, ...]:
    if isinstance(graph, ContractFacts):
        return CONTRACT_SUBJECTS
    if isinstance(graph, OrganisationFacts):
        return ENTERPRISE_SUBJECTS
    raise TypeError(f"a subject must be ContractFacts or OrganisationFacts, not {type(graph).__name__}")


@dataclass
class _Exceptions:
    applies: list[tuple[Rule, Ctx]] = field(default_factory=list)
    unknown: list[tuple[Rule, Missing]] = field(default_factory=list)


class _Evaluator:
    def __init__(self, rules: Iterable[Rule], as_of: dt.date, calendar: WorkingCalendar) -> None:
        self.rules = tuple(rules)
        self.as_of = as_of
        self.calendar = calendar
        self.exceptions: dict[str, list[Rule]] = {}
        for rule in self.rules:
            if rule.exception_to is not None:
                self.exceptions.setdefault(rule.exception_to, []).append(rule)

    def graph(self, graph: ContractFacts | OrganisationFacts) -> list[Finding]:
        kinds = _graph_kinds(graph)
        domains = graph.domains()
        findings: list[Finding] = []
        later: list[Rule] = []
        for rule in self.rules:
            if rule.applies_to not in kinds or rule.notice.domain not in domains:
                continue
            if rule.reads_findings:
                later.append(rule)
                continue
            for focus, subject in _subjects(graph, rule.applies_to, self.as_of):
                findings.append(self.decided(rule, graph, focus, subject, ())[0])
        governed: dict[str, Finding] = {}
        for rule in later:
            for focus, subject in _subjects(graph, rule.applies_to, self.as_of):
                finding, governs = self.decided(rule, graph, focus, subject, tuple(findings))
                findings.append(finding)
                governed.update(dict.fromkeys(governs, finding))
        if governed:
            findings = [self._due_by(f, governed.get(f.rule_id)) for f in findings]
        return findings

    def _due_by(self, finding: Finding, governing: Finding | None) -> Finding:
        """A finding not met with no deadline of its own takes the deadline of the rule governing it."""
        if governing is None or finding.outcome != Outcome.NOT_MET or finding.deadline is not None:
            return finding
        return replace(
            finding,
            deadline=governing.deadline,
            provisional=governing.provisional,
            overdue=bool(governing.deadline and governing.deadline < self.as_of),
            deadline_basis=f"{governing.rule_id}: {governing.deadline_basis}"[:300],
        )

    def decided(
        self, rule: Rule, graph: Any, focus: Any, subject: dict, seen: tuple[Finding, ...]
    ) -> tuple[Finding, tuple[str, ...]]:
        """The rule's finding about the subject, and the rules whose findings its deadline governs."""
        ctx = Ctx(rule=rule, graph=graph, focus=focus, as_of=self.as_of, calendar=self.calendar, findings=seen)
        excepted: tuple[str, ...] = ()
        error: str | None = None
        try:
            result, excepted = self._decide(rule, ctx, graph, focus)
        except Missing as missing:
            result = _needs_result(missing.items)
        except Exception as exc:  # a bug or malformed facts: answer, never crash, and say so
            error = f"{type(exc).__name__}: {exc}"
            result = _needs_result(
                [MissingFact("facts", "可用于判断的完整、正确的数据", "complete and well-formed facts")],
                f"规则无法在现有数据上求值（{error}）",
                f"the rule could not be evaluated on these facts ({error})",
            )
        deadline = result.deadline
        finding = Finding(
            rule_id=rule.id,
            version=rule.version,
            notice=rule.notice.id,
            title_zh=rule.title_zh,
            title_en=rule.title_en,
            status=rule.status,
            severity=rule.severity,
            citation=rule.citation,
            outcome=result.outcome,
            subject=subject,
            as_of=self.as_of,
            facts=dict(ctx.facts),
            parameters={name: value.to_dict() for name, value in ctx.parameters.items()},
            deadline=deadline.date if deadline else None,
            provisional=bool(deadline and deadline.provisional),
            overdue=bool(result.outcome == Outcome.NOT_MET and deadline and deadline.date < self.as_of),
            deadline_basis=deadline.basis if deadline else "",
            reason_zh=result.reason_zh,
            reason_en=result.reason_en,
            action_zh=result.action_zh,
            action_en=result.action_en,
            missing=result.missing,
            excepted_by=excepted,
            error=error,
            bearer=rule.bearer,
        )
        return finding, result.governs

    def _decide(self, rule: Rule, ctx: Ctx, graph: Any, focus: Any) -> tuple[Result, tuple[str, ...]]:
        as_of = self.as_of
        if not rule.in_force_on(as_of):
            if rule.effective_from and as_of < rule.effective_from:
                return ctx.not_applicable(
                    f"规则自 {rule.effective_from} 起施行", f"the rule applies from {rule.effective_from}"
                ), ()
            return ctx.not_applicable(
                f"规则施行至 {rule.effective_until} 止", f"the rule applied until {rule.effective_until}"
            ), ()
        if (
            isinstance(graph, ContractFacts)
            and not rule.after_termination
            and graph.terminated_on is not None
            and graph.terminated_on <= as_of
        ):
            ctx.read("contract.terminated_on", graph.terminated_on)
            return ctx.not_applicable(
                f"委托已于 {graph.terminated_on} 终止", f"the commission ended on {graph.terminated_on}"
            ), ()
        if rule.condition is not None and not rule.condition(ctx):
            return ctx.not_applicable(
                f"不满足适用条件：{rule.condition_zh}", f"condition not met: {rule.condition_en}"
            ), ()
        if rule.applies_to == "agreement" and focus is None:
            raise Missing(_NO_AGREEMENT)
        exceptions = self._exceptions(rule, graph, focus)
        if exceptions.applies:
            for _, exception_ctx in exceptions.applies:
                for name, value in exception_ctx.facts.items():
                    ctx.facts.setdefault(name, value)
            ids = tuple(e.id for e, _ in exceptions.applies)
            return ctx.not_applicable(
                "适用例外：" + "；".join(f"{e.id}（{e.condition_zh}）" for e, _ in exceptions.applies),
                "an exception applies: " + "; ".join(f"{e.id} ({e.condition_en})" for e, _ in exceptions.applies),
            ), ids
        result = rule.check(ctx)
        if result.outcome == Outcome.NOT_MET and exceptions.unknown:
            items = tuple(item for _, missing in exceptions.unknown for item in missing.items)
            names = "、".join(e.id for e, _ in exceptions.unknown)
            return ctx.needs(
                *items,
                reason_zh=f"{result.reason_zh}；除非适用例外 {names}，而判断所需信息缺失",
                reason_en=f"{result.reason_en}; unless exception {names} applies, which cannot be decided",
            ), ()
        return result, ()

    def _exceptions(self, rule: Rule, graph: Any, focus: Any) -> _Exceptions:
        out = _Exceptions()
        for exception in self.exceptions.get(rule.id, ()):
            if not exception.in_force_on(self.as_of):
                continue
            ctx = Ctx(rule=exception, graph=graph, focus=focus, as_of=self.as_of, calendar=self.calendar)
            assert exception.condition is not None  # enforced when declared
            try:
                if exception.condition(ctx):
                    out.applies.append((exception, ctx))
            except Missing as missing:
                out.unknown.append((exception, missing))
        return out


def evaluate(
    subjects: Iterable[ContractFacts | OrganisationFacts],
    *,
    as_of: dt.date,
    calendar: WorkingCalendar,
    include_draft: bool = False,
    rules: Iterable[Rule] | None = None,
) -> list[Finding]:
    """Evaluate the rules on each fact graph as of a date, one finding per rule and subject.

    ``subjects``: :class:`ContractFacts` (rules about contracts, their agreements and products) and
    :class:`OrganisationFacts` (rules about enterprises, their lines and key persons). Rules of a
    notice for drugs are evaluated on drug contracts and drug enterprises only, device rules on device
    ones. Draft rules are left out unless ``include_draft``. ``rules`` defaults to :func:`all_rules`.
    """
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise TypeError("as_of must be a date")
    chosen = tuple(all_rules() if rules is None else rules)
    if not include_draft:
        chosen = tuple(r for r in chosen if r.status != Status.DRAFT)
    evaluator = _Evaluator(chosen, as_of, calendar)
    findings: list[Finding] = []
    for graph in subjects:
        findings.extend(evaluator.graph(graph))
    return findings
