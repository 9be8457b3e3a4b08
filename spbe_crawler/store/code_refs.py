"""Unit codes wherever the store keeps them: rewrite them when a unit gets a new code, and find the
units something still points to.

Columns are found by name over every table of the metadata, so a table added later is covered when it
follows the convention: ``unit_code``, ``pemda_code``, ``parent_code`` and ``scope`` hold one code,
``unit_codes`` and ``pemda_codes`` (JSON) a list of codes; ``monitorschedule.key`` is ``<scope>:<class>``. The unit's own
primary key is not rewritten here (the caller inserts the unit under its new code first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, Table, bindparam, select, update
from sqlmodel import Session, SQLModel

from spbe_crawler.store.unit_rows import QUERY_CHUNK, WRITE_CHUNK, chunks

CODE_COLUMNS = ("unit_code", "pemda_code", "parent_code", "scope")
CODE_LIST_COLUMNS = ("unit_codes", "pemda_codes")
SCOPED_KEYS = (("monitorschedule", "key", "scope"),)  # (table, key column, scope column): key = "<scope>:..."


def code_columns() -> list[Column[Any]]:
    """Every column of the store that holds one unit code."""
    return [column for table in _tables() for column in table.columns if column.name in CODE_COLUMNS]


def code_list_columns() -> list[Column[Any]]:
    return [column for table in _tables() for column in table.columns if column.name in CODE_LIST_COLUMNS]


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def rewrite_codes(session: Session, moves: Mapping[str, str]) -> None:
    """Replace each old code of ``moves`` by its new code in every column that holds unit codes."""
    if not moves:
        return
    connection = session.connection()
    for table_name, key_name, scope_name in SCOPED_KEYS:
        table = SQLModel.metadata.tables.get(table_name)
        if table is not None:
            _rewrite_scoped_keys(connection, table.c[key_name], table.c[scope_name], moves)
    for column in code_columns():
        _rewrite_column(connection, column, moves)
    for column in code_list_columns():
        _rewrite_lists(connection, column, moves)
    session.expire_all()


def _present(connection: Any, column: Column[Any], codes: Iterable[str]) -> set[str]:
    """The codes among ``codes`` that occur in ``column`` (an indexed lookup per chunk)."""
    found: set[str] = set()
    for batch in chunks(set(codes), QUERY_CHUNK):
        found.update(value for (value,) in connection.execute(select(column).where(column.in_(batch)).distinct()))
    return found


def _rewrite_column(connection: Any, column: Column[Any], moves: Mapping[str, str]) -> None:
    present = _present(connection, column, moves)
    if not present:
        return
    statement = update(column.table).where(column == bindparam("b_old")).values({column.name: bindparam("b_new")})
    for batch in chunks(({"b_old": old, "b_new": moves[old]} for old in sorted(present)), WRITE_CHUNK):
        connection.execute(statement, batch)


def _rewrite_lists(connection: Any, column: Column[Any], moves: Mapping[str, str]) -> None:
    """JSON lists of codes cannot be searched portably: read them all (the tables are small)."""
    key = next(iter(column.table.primary_key.columns))
    changed = []
    for row_id, values in connection.execute(select(key, column)):
        if values and any(value in moves for value in values):
            changed.append({"b_id": row_id, "b_values": [moves.get(value, value) for value in values]})
    if changed:
        statement = update(column.table).where(key == bindparam("b_id")).values({column.name: bindparam("b_values")})
        connection.execute(statement, changed)


def _rewrite_scoped_keys(connection: Any, key: Column[Any], scope: Column[Any], moves: Mapping[str, str]) -> None:
    changed = []
    for batch in chunks(set(moves), QUERY_CHUNK):
        for old_key, old_scope in connection.execute(select(key, scope).where(scope.in_(batch))):
            if old_key.startswith(old_scope + ":"):
                changed.append({"b_old": old_key, "b_new": moves[old_scope] + old_key[len(old_scope) :]})
    if changed:
        connection.execute(update(key.table).where(key == bindparam("b_old")).values({key.name: bindparam("b_new")}), changed)


def referenced_units(session: Session, unit_codes: Iterable[str]) -> set[str]:
    """The units among ``unit_codes`` that a row of another table points to by a foreign key."""
    wanted = set(unit_codes)
    referenced: set[str] = set()
    connection = session.connection()
    for table in _tables():
        for foreign_key in table.foreign_keys:
            target = foreign_key.column
            if target.table.name == "unit" and target.name == "code":
                referenced |= _present(connection, foreign_key.parent, wanted)
    return referenced
