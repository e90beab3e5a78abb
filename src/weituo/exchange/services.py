"""The registry import: every row validated, then all written in one transaction, or nothing at all.

Rows are matched to stored records by their natural key (``ref``, or a unique constraint's fields),
so importing the same data twice changes nothing the second time. Each sheet's rows are validated
against the model (``full_clean``), against uniqueness (within the file and against the database)
and against the references they make; parent sheets are written before their children are
validated, inside a transaction that is rolled back if any row of any sheet is bad, so the error
report covers every sheet and the database is left as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy

from weituo.core.actors import Actor
from weituo.core.errors import ApplicationError, ErrorDetail, InvalidTransition, PermissionDenied
from weituo.core.i18n import bounded, detail, messages, validation_failed
from weituo.core.transitions import check_transition
from weituo.core.validation import error_details
from weituo.integrity.audited import diff, snapshot
from weituo.integrity.ledger import Change, ledger_append, ledger_append_many
from weituo.integrity.writes import record_organisation

from .cells import CellError, parse
from .sheets import SHEET_BY_MODEL, SHEETS, Column, Sheet

Row = tuple[int, Mapping[str, Any]]  # (row number as the user sees it, values keyed by field name)
Progress = Callable[[str, int], None]  # (sheet name, rows done) for a progress bar


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    source: str
    counts: dict[str, SheetCounts] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "sheets": {name: c.__dict__ for name, c in self.counts.items()},
        }


class _Abort(Exception):
    """Raised inside the transaction to roll everything back once all errors are known."""


def registry_import(
    *,
    actor: Actor,
    dataset: Mapping[str, Iterable[Mapping[str, Any] | Row]],
    source: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a dataset (sheet name → rows keyed by field name); raise ValidationFailed naming every bad cell.

    Loading the registry in bulk is an administrator's job: the system (command line, demo) or a
    platform admin. Every created or changed record gets its ledger entry in the same transaction.
    """
    if not isinstance(actor, Actor) or not (actor.system or actor.is_platform_admin):
        raise PermissionDenied(
            code="permission_denied",
            **messages(gettext_lazy("only a platform administrator may import the registry in bulk")),
        )
    errors: list[ErrorDetail] = []
    unknown = [name for name in dataset if name not in {s.name for s in SHEETS}]
    for name in unknown:
        errors.append(detail(gettext_lazy("unknown sheet '%(name)s'"), name=bounded(name), sheet=bounded(name)))
    report = ImportReport(source=source, dry_run=dry_run)
    if errors:
        raise validation_failed(errors, what=gettext_lazy("import file"))
    try:
        with transaction.atomic():
            loader = _Loader(actor, source, errors, progress)
            for sheet in SHEETS:
                rows = dataset.get(sheet.name)
                if rows is None:
                    continue
                numbered = [row if isinstance(row, tuple) else (i, row) for i, row in enumerate(rows, start=1)]
                report.counts[sheet.name] = loader.load_sheet(sheet, numbered)
            if errors or dry_run:
                raise _Abort
            ledger_append(
                actor=actor,
                change=Change("import", "exchange.import", source[:64], new=report.as_dict(), reason=source),
            )
    except _Abort:
        if errors:
            raise validation_failed(errors, what=gettext_lazy("import file")) from None
    return report


class _Loader:
    def __init__(self, actor: Actor, source: str, errors: list[ErrorDetail], progress: Progress | None) -> None:
        self.actor, self.source = actor, source
        self.errors = errors
        self.progress = progress
        self._refs: dict[type[models.Model], dict[str, models.Model]] = {}
        self._failed: dict[type[models.Model], set[str]] = defaultdict(set)

    # -- references ---------------------------------------------------------------------------

    def refs(self, model: type[models.Model]) -> dict[str, models.Model]:
        """Every stored record of a referenced model by ref, loaded once (one query per model)."""
        if model not in self._refs:
            self._refs[model] = {obj.ref: obj for obj in model.objects.all()}
        return self._refs[model]

    # -- one sheet ----------------------------------------------------------------------------

    def load_sheet(self, sheet: Sheet, rows: list[Row]) -> SheetCounts:
        counts = SheetCounts()
        model = sheet.model
        existing = self._existing_by_key(sheet)
        uniques = _UniqueIndex(sheet)
        seen: dict[tuple, int] = {}
        to_create: list[models.Model] = []
        to_update: list[tuple[models.Model, set[str], dict[str, Any]]] = []
        m2m_wanted: list[tuple[models.Model, dict[str, list[models.Model]]]] = []
        nullable = {f.name: f.null for f in model._meta.concrete_fields}
        fk_columns = [c for c in sheet.columns if c.kind == "fk"]
        fk_names = [c.field for c in fk_columns]

        for done, (number, values) in enumerate(rows, start=1):
            if self.progress and done % 1000 == 0:
                self.progress(sheet.name, 1000)
            row_errors = _RowErrors(sheet, number)
            err = row_errors.add

            for name in values:
                if name not in sheet.column_by_field:
                    err(None, gettext_lazy("unknown column '%(name)s'"), name=bounded(name))

            parsed: dict[str, Any] = {}
            for col in sheet.columns:
                if col.field not in values:
                    continue
                try:
                    value = parse(col, values[col.field], nullable=nullable.get(col.field, False))
                except CellError as e:
                    err(col, e.message, **e.params)
                    continue
                if col.kind == "fk" and value is not None:
                    target = self.refs(col.target).get(value)
                    if target is None:
                        self._missing_ref(row_errors, col, value)
                        continue
                    value = target
                elif col.kind == "m2m":
                    targets = []
                    for ref in value:
                        target = self.refs(col.target).get(ref)
                        if target is None:
                            self._missing_ref(row_errors, col, ref)
                        else:
                            targets.append(target)
                    value = targets
                parsed[col.field] = value

            missing_key = [f for f in sheet.key if f not in values]
            if missing_key:
                err(None, gettext_lazy("missing key column(s) %(missing)s"), missing=", ".join(missing_key))
            if row_errors:
                self._fail(sheet, values, row_errors.items)
                continue

            key = tuple(_key_part(parsed.get(f)) for f in sheet.key)
            if key in seen:
                err(None, gettext_lazy("duplicates row %(other_row)s (%(key)s)"), other_row=seen[key], key=bounded(key))
                self._fail(sheet, values, row_errors.items)
                continue
            seen[key] = number

            instance = existing.get(key)
            is_new = instance is None
            before = None if is_new else snapshot(instance, with_m2m=False)
            if is_new:
                instance = model()
            changed: set[str] = set()
            m2m_values: dict[str, list[models.Model]] = {}
            for name, value in parsed.items():
                col = sheet.column_by_field[name]
                if col.kind == "m2m":
                    m2m_values[name] = value
                    continue
                f = model._meta.get_field(name)
                old = getattr(instance, f.attname)
                new = value.pk if col.kind == "fk" and value is not None else value
                if is_new or old != new:
                    if not is_new and sheet.transitions and name == sheet.transitions[0]:
                        try:
                            check_transition(sheet.transitions[1], old, new, field=name)
                        except InvalidTransition as e:
                            row_errors.relay(col, e)
                    setattr(instance, name, value)
                    changed.add(f.attname)

            for col in fk_columns:
                if (
                    col.required
                    and getattr(instance, model._meta.get_field(col.field).attname) is None
                    and (is_new or col.field in parsed)
                ):
                    err(col, gettext_lazy("required: the ref of the record it refers to"))
            try:
                # References were resolved above from the in-memory ref maps; Django's own FK check
                # would cost one query per reference per row (minutes at national size).
                instance.full_clean(exclude=fk_names, validate_unique=False, validate_constraints=False)
            except ValidationError as e:
                for problem in error_details(e):
                    row_errors.relay(sheet.column_by_field.get(problem.field or ""), problem)
            for col_fields, other_row in uniques.conflicts(instance, number):
                cols = "、".join(sheet.column_by_field[f].header for f in col_fields if f in sheet.column_by_field)
                col = sheet.column_by_field.get(col_fields[0])
                if isinstance(other_row, int):
                    err(
                        col, gettext_lazy("%(columns)s duplicates row %(other_row)s"), columns=cols, other_row=other_row
                    )
                else:
                    err(col, gettext_lazy("%(columns)s duplicates an existing record"), columns=cols)
            if row_errors:
                self._fail(sheet, values, row_errors.items)
                continue

            if is_new:
                to_create.append(instance)
                counts.created += 1
            elif changed:
                to_update.append((instance, changed, before))
                counts.updated += 1
            if m2m_values:
                m2m_wanted.append((instance, m2m_values))
            if not is_new and not changed:
                counts.unchanged += 1  # may still be corrected below if only its m2m links changed

        if self.progress:
            self.progress(sheet.name, len(rows) % 1000)
        # Valid rows are written even when other rows failed: the whole transaction is rolled back at
        # the end, and meanwhile children are checked against real parents, so only truly broken
        # references are reported.
        self._write(sheet, to_create, to_update)
        m2m_changes = self._write_m2m(sheet, m2m_wanted)
        self._record(sheet, to_create, to_update, m2m_wanted, m2m_changes)
        counted = {id(obj) for obj, _, _ in to_update} | {id(obj) for obj in to_create}
        for key in {id(obj) for obj, _, _, _ in m2m_changes}:
            if key not in counted:
                counts.unchanged -= 1
                counts.updated += 1
        return counts

    def _record(self, sheet, to_create, to_update, m2m_wanted, m2m_changes) -> None:
        """Ledger every created and changed record of the sheet (values as stored, m2m as id lists)."""
        m2m_names = [c.field for c in sheet.columns if c.kind == "m2m"]
        wanted = {id(obj): values for obj, values in m2m_wanted}
        changes = []
        for obj in to_create:
            values = snapshot(obj, with_m2m=False)
            for name in m2m_names:
                values[name] = sorted(t.pk for t in wanted.get(id(obj), {}).get(name, []))
            changes.append(
                Change.of("create", obj, new=values, reason=self.source, organisation=record_organisation(obj))
            )
        for obj, _fields, before in to_update:
            old, new = diff(before, snapshot(obj, with_m2m=False))
            changes.append(
                Change.of("update", obj, old=old, new=new, reason=self.source, organisation=record_organisation(obj))
            )
        created = {id(obj) for obj in to_create}
        for obj, name, have, want in m2m_changes:
            if id(obj) not in created:
                changes.append(
                    Change.of(
                        "update",
                        obj,
                        old={name: sorted(have)},
                        new={name: sorted(want)},
                        reason=self.source,
                        organisation=record_organisation(obj),
                    )
                )
        if changes:
            ledger_append_many(actor=self.actor, changes=changes)

    def _existing_by_key(self, sheet: Sheet) -> dict[tuple, models.Model]:
        if sheet.referenced:
            return {(ref,): obj for ref, obj in self.refs(sheet.model).items()}
        attnames = [sheet.model._meta.get_field(f).attname for f in sheet.key]
        return {tuple(getattr(obj, a) for a in attnames): obj for obj in sheet.model.objects.all()}

    def _missing_ref(self, row_errors: _RowErrors, col: Column, ref: str) -> None:
        """The cell of ``col`` refers to ``ref``, which is not there: a row of the file that failed, or none."""
        title = SHEET_BY_MODEL[col.target].title
        if ref in self._failed[col.target]:
            why = gettext_lazy("references %(title)s '%(ref)s', which has errors itself")
        else:
            why = gettext_lazy("references %(title)s '%(ref)s', which does not exist")
        row_errors.add(col, why, title=title, ref=bounded(ref))

    def _fail(self, sheet: Sheet, values: Mapping[str, Any], row_errors: list[ErrorDetail]) -> None:
        self.errors.extend(row_errors)
        if sheet.referenced and values.get("ref"):
            self._failed[sheet.model].add(str(values["ref"]).strip())

    def _write(
        self, sheet: Sheet, to_create: list[models.Model], to_update: list[tuple[models.Model, set[str], Any]]
    ) -> None:
        model = sheet.model
        if to_create:
            model.objects.bulk_create(to_create, batch_size=500)
            if sheet.referenced:
                self.refs(model).update({obj.ref: obj for obj in to_create})
        by_fields: dict[frozenset[str], list[models.Model]] = defaultdict(list)
        for obj, fields, _before in to_update:
            by_fields[frozenset(fields)].append(obj)
        for fields, objs in by_fields.items():
            names = [model._meta.get_field(a[:-3] if a.endswith("_id") else a).name for a in fields]
            model.objects.bulk_update(objs, [*names, "updated_at"], batch_size=500)
        if self.progress and (to_create or to_update):
            self.progress(sheet.name, 0)

    def _write_m2m(
        self, sheet: Sheet, wanted: list[tuple[models.Model, dict[str, list[models.Model]]]]
    ) -> list[tuple[models.Model, str, set[int], set[int]]]:
        """Set many-to-many links with one read and bulk writes per field; return (record, field, had, wants)."""
        changed: list[tuple[models.Model, str, set[int], set[int]]] = []
        for name in {n for _, values in wanted for n in values}:
            m2m = sheet.model._meta.get_field(name)
            through = m2m.remote_field.through
            src = m2m.m2m_field_name()
            dst = m2m.m2m_reverse_field_name()
            owners = [obj for obj, values in wanted if name in values]
            current: dict[int, set[int]] = defaultdict(set)
            for s, d in through.objects.filter(**{f"{src}__in": [o.pk for o in owners]}).values_list(
                f"{src}_id", f"{dst}_id"
            ):
                current[s].add(d)
            add, remove = [], []
            for obj, values in wanted:
                if name not in values:
                    continue
                want = {t.pk for t in values[name]}
                have = current.get(obj.pk, set())
                if want != have:
                    changed.append((obj, name, have, want))
                    add += [through(**{f"{src}_id": obj.pk, f"{dst}_id": d}) for d in want - have]
                    remove += [(obj.pk, d) for d in have - want]
            if add:
                through.objects.bulk_create(add, batch_size=500)
            for s, d in remove:
                through.objects.filter(**{f"{src}_id": s, f"{dst}_id": d}).delete()
        return changed


class _RowErrors:
    """The problems of one row, each naming sheet, row and column."""

    def __init__(self, sheet: Sheet, number: int) -> None:
        self.sheet, self.number = sheet, number
        self.items: list[ErrorDetail] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, col: Column | None, message: Any, **params: Any) -> None:
        """A problem at ``col`` (none: the whole row), as one gettext message and its parameters."""
        self.items.append(detail(message, **params, **self._where(col)))

    def relay(self, col: Column | None, error: ErrorDetail | ApplicationError) -> None:
        """A problem already written in both languages (a model's validation, a refused transition),
        placed at ``col`` of this row."""
        self.items.append(ErrorDetail(error.message_zh, error.message_en, **self._where(col)))

    def _where(self, col: Column | None) -> dict[str, Any]:
        return {
            "sheet": self.sheet.title,
            "row": self.number,
            "column": col.header if col else None,
            "field": col.field if col else None,
        }


def _key_part(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


class _UniqueIndex:
    """Unique fields and constraints of a model, checked in memory against the file and the database.

    Checking here, not by letting the database raise, lets every duplicate be reported with its row,
    and costs one query per unique set instead of one per row.
    """

    def __init__(self, sheet: Sheet) -> None:
        model = sheet.model
        sets: list[tuple[str, ...]] = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
        sets += [tuple(c.fields) for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
        self.sets = [s for s in sets if s != sheet.key]
        self.attnames = {s: [model._meta.get_field(f).attname for f in s] for s in self.sets}
        self.stored: dict[tuple[str, ...], dict[tuple, int]] = {}
        self.in_file: dict[tuple[str, ...], dict[tuple, int]] = {s: {} for s in self.sets}
        for s in self.sets:
            rows = model.objects.values_list(*self.attnames[s], "pk")
            self.stored[s] = {tuple(r[:-1]): r[-1] for r in rows}

    def conflicts(self, instance: models.Model, row: int) -> list[tuple[tuple[str, ...], int | str]]:
        found = []
        for s in self.sets:
            value = tuple(getattr(instance, a) for a in self.attnames[s])
            if any(v is None for v in value):
                continue  # NULLs never collide in a unique index
            other = self.in_file[s].get(value)
            if other is not None:
                found.append((s, other))
                continue
            self.in_file[s][value] = row
            pk = self.stored[s].get(value)
            if pk is not None and pk != instance.pk:
                found.append((s, "stored"))
        return found
