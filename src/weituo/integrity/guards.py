"""Guards in the database itself, on SQLite and PostgreSQL.

- The ledger and its evidence tables refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so no
  code path — the ORM, the admin, raw SQL — can rewrite history short of dropping the guard.
- Every audited table has a row trigger that copies each change into ``integrity_shadowchange``,
  so an edit made outside the services still leaves evidence, with the database's own clock.

The guards are (re)installed after every ``migrate`` (SQLite rebuilds a table to alter it, which
drops its triggers), and the app refuses to serve while one is missing: the trail cannot be off.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from .audited import audited_tables

APPEND_ONLY = (
    "integrity_ledgerentry",
    "integrity_shadowchange",
    "integrity_checkpoint",
    "integrity_signature",
)
SHADOW_TABLE = "integrity_shadowchange"


def _name(kind: str, table: str) -> str:
    """A trigger name within PostgreSQL's 63-character limit, stable for a table."""
    name = f"weituo_{kind}_{table}"
    if len(name) > 63:
        name = f"weituo_{kind}_{table[:40]}_{hashlib.sha1(table.encode()).hexdigest()[:8]}"
    return name


def expected_triggers(vendor: str) -> set[str]:
    names = set()
    for table in APPEND_ONLY:
        names |= {_name("noupd", table), _name("nodel", table)}
        if vendor == "postgresql":
            names.add(_name("notrunc", table))
    for table in audited_tables():
        if vendor == "postgresql":
            names.add(_name("shadow", table))
        else:
            names |= {_name("shadowi", table), _name("shadowu", table), _name("shadowd", table)}
    return names


def installed_triggers(using: str = "default") -> set[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def missing_guards(using: str = "default") -> list[str]:
    connection = connections[using]
    return sorted(expected_triggers(connection.vendor) - installed_triggers(using))


def require_guards(using: str = "default") -> None:
    """Raise ImproperlyConfigured unless every guard is in place (called before serving)."""
    missing = missing_guards(using)
    if missing:
        shown = ", ".join(missing[:5]) + (f" … ({len(missing)} in all)" if len(missing) > 5 else "")
        raise ImproperlyConfigured(
            "审计追踪的数据库保护缺失，拒绝启动；请运行 weituo migrate 重新安装。"
            f" / Audit-trail guards are missing, refusing to start; run `weituo migrate` to reinstall: {shown}"
        )


def install_guards(using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        for statement in _statements(connection):
            cursor.execute(statement)


def _statements(connection) -> list[str]:
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        return _postgresql(connection, qn)
    if connection.vendor == "sqlite":
        return _sqlite(connection, qn)
    raise ImproperlyConfigured(f"weituo's audit guards support SQLite and PostgreSQL, not {connection.vendor}")


def _sqlite(connection, qn) -> list[str]:
    out = []
    for table in APPEND_ONLY:
        for kind, op in (("noupd", "UPDATE"), ("nodel", "DELETE")):
            name = _name(kind, table)
            out.append(f"DROP TRIGGER IF EXISTS {qn(name)}")
            out.append(
                f"CREATE TRIGGER {qn(name)} BEFORE {op} ON {qn(table)} "
                f"BEGIN SELECT RAISE(ABORT, 'weituo: {table} is append-only ({op} refused)'); END"
            )
    now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for table in audited_tables():
            if table not in existing:
                continue  # not migrated yet: require_guards() reports it missing until it is
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]

            def row(alias: str, cols: list[str] = columns) -> str:
                return "json_object(" + ", ".join(f"'{c}', {alias}.{qn(c)}" for c in cols) + ")"

            for kind, op, pk, old, new in (
                ("shadowi", "INSERT", "NEW.id", "NULL", row("NEW")),
                ("shadowu", "UPDATE", "NEW.id", row("OLD"), row("NEW")),
                ("shadowd", "DELETE", "OLD.id", row("OLD"), "NULL"),
            ):
                name = _name(kind, table)
                out.append(f"DROP TRIGGER IF EXISTS {qn(name)}")
                out.append(
                    f"CREATE TRIGGER {qn(name)} AFTER {op} ON {qn(table)} BEGIN "
                    f"INSERT INTO {SHADOW_TABLE} (table_name, row_pk, op, at, old_row, new_row) "
                    f"VALUES ('{table}', {pk}, '{op}', {now}, {old}, {new}); END"
                )
    return out


def _postgresql(connection, qn) -> list[str]:
    out = [
        """CREATE OR REPLACE FUNCTION weituo_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'weituo: % is append-only (% refused)', TG_TABLE_NAME, TG_OP;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION weituo_shadow() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE o jsonb; n jsonb;
        BEGIN
            IF TG_OP <> 'INSERT' THEN o := to_jsonb(OLD); END IF;
            IF TG_OP <> 'DELETE' THEN n := to_jsonb(NEW); END IF;
            INSERT INTO {SHADOW_TABLE} (table_name, row_pk, op, at, old_row, new_row)
            VALUES (TG_TABLE_NAME, COALESCE(n ->> 'id', o ->> 'id'), TG_OP,
                    to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                    o::text, n::text);
            RETURN NULL;
        END $$""",
    ]
    for table in APPEND_ONLY:
        for kind, when in (("noupd", "BEFORE UPDATE"), ("nodel", "BEFORE DELETE")):
            name = _name(kind, table)
            out.append(f"DROP TRIGGER IF EXISTS {qn(name)} ON {qn(table)}")
            out.append(f"CREATE TRIGGER {qn(name)} {when} ON {qn(table)} FOR EACH ROW EXECUTE FUNCTION weituo_refuse()")
        name = _name("notrunc", table)
        out.append(f"DROP TRIGGER IF EXISTS {qn(name)} ON {qn(table)}")
        out.append(
            f"CREATE TRIGGER {qn(name)} BEFORE TRUNCATE ON {qn(table)} FOR EACH STATEMENT EXECUTE FUNCTION weituo_refuse()"
        )
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
    for table in audited_tables():
        if table not in existing:
            continue
        name = _name("shadow", table)
        out.append(f"DROP TRIGGER IF EXISTS {qn(name)} ON {qn(table)}")
        out.append(
            f"CREATE TRIGGER {qn(name)} AFTER INSERT OR UPDATE OR DELETE ON {qn(table)} "
            "FOR EACH ROW EXECUTE FUNCTION weituo_shadow()"
        )
    return out
