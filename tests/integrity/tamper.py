"""What an attacker with database rights does: drop the guards, then edit behind the services' back."""

from __future__ import annotations

from django.db import connection

from weituo.integrity.guards import APPEND_ONLY, _name


def drop_ledger_guards() -> None:
    with connection.cursor() as cursor:
        for table in APPEND_ONLY:
            for kind in ("noupd", "nodel", "notrunc"):
                name = _name(kind, table)
                if connection.vendor == "postgresql":
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
                elif kind != "notrunc":
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
