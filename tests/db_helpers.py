"""Helpers for tests that need a database of their own (migrations, backups): a
scratch database, a row in every table, and what a schema and its rows look like.

The suite's shared database (``tests/conftest.py``) is built with ``create_all`` and
emptied after each test; these tests build theirs with migrations, fill it, drop
tables, restore it, so they never touch the shared one.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import Connection, MetaData, Table, create_engine, func, inspect, select, text
from sqlalchemy.types import TypeDecorator


@contextlib.contextmanager
def scratch_database(tmp_path, label: str) -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards.

    SQLite: a file under ``tmp_path``. PostgreSQL (``TEST_DATABASE_URL`` set): a new
    database named after the one ``TEST_DATABASE_URL`` names plus ``label`` and a
    random suffix, so parallel workers (pytest-xdist) and other suites never meet.
    """
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / f'{label}.sqlite3'}"
        return
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    server, _, base_name = base.rpartition("/")
    name = f"{base_name[:40]}_{label[:10]}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _sample(table: Table, column) -> object:
    type_ = column.type
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    try:
        kind = type_.python_type
    except NotImplementedError:  # SQLAlchemy's answer for types with no Python equivalent
        kind = str
    if kind is bool:
        return False
    if kind is int:
        return 1
    if kind is float:
        return 1.0
    if kind is Decimal:
        return Decimal(1)
    if kind is datetime:
        return datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    if kind is date:
        return date(2026, 1, 2)
    if kind is time:
        return time(9, 30)
    if kind is bytes:
        return b"x"
    if kind in (dict, list):
        return kind()
    value = f"{table.name}-{column.name}"
    length = getattr(column.type, "length", None)
    return value[:length] if length else value


def fill_empty_tables(connection: Connection, metadata: MetaData) -> list[str]:
    """Insert one row into every table of ``metadata`` that has none, parents first;
    each foreign key points at an existing row. Returns the tables filled."""
    filled = []
    for table in metadata.sorted_tables:
        if connection.scalar(select(func.count()).select_from(table)):
            continue
        row: dict[str, object] = {}
        for column in table.columns:
            foreign = next(iter(column.foreign_keys), None)
            if foreign is not None:
                value = connection.scalar(select(func.min(foreign.column)))
                if value is not None or not column.nullable:
                    row[column.name] = value
            elif column.primary_key and column.autoincrement in (True, "auto"):
                continue
            elif column.nullable or column.server_default is not None or column.default is not None:
                continue
            else:
                row[column.name] = _sample(table, column)
        connection.execute(table.insert().values(row))
        filled.append(table.name)
    return filled


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows in every table the database has now."""
    return {
        name: connection.scalar(text(f'SELECT count(*) FROM "{name}"'))
        for name in inspect(connection).get_table_names()
    }


def schema_and_rows(connection: Connection) -> dict[str, dict]:
    """Every table's columns, keys, indexes and rows (in key order), to compare a
    database before and after."""
    inspector = inspect(connection)
    snapshot = {}
    for name in sorted(inspector.get_table_names()):
        pk = inspector.get_pk_constraint(name)["constrained_columns"]
        order = ", ".join(f'"{c}"' for c in pk) or "1"
        snapshot[name] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
            "pk": pk,
            "foreign_keys": sorted(
                (fk["name"] or "", tuple(fk["constrained_columns"]), fk["referred_table"],
                 tuple(fk["referred_columns"]), str(sorted(fk.get("options", {}).items())))
                for fk in inspector.get_foreign_keys(name)
            ),
            "unique": sorted((u["name"] or "", tuple(u["column_names"])) for u in inspector.get_unique_constraints(name)),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(name)),
            "rows": [tuple(r) for r in connection.execute(text(f'SELECT * FROM "{name}" ORDER BY {order}'))],
        }
    return snapshot
