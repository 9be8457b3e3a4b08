"""Read-only SQL of the monitor's figures over a plain DB-API connection.

The figures (``spbe monitor status``, the status page, badges, metrics) only read; doing it with
the DB-API directly keeps ``spbe monitor status`` from importing SQLAlchemy (≈ as long as
``scrapy version`` to import). Queries are written once with ``:name`` parameters and run on
SQLite (stdlib ``sqlite3``) or PostgreSQL (psycopg, ``%(name)s``). A caller holding a SQLAlchemy
``Session`` gets a reader over the session's own connection (:func:`reader_for`).

Times: SQLModel stores aware UTC datetimes; SQLite keeps them as ``YYYY-MM-DD HH:MM:SS.ffffff``
text (compared as text), PostgreSQL as ``timestamptz``. Values leave this module as aware UTC.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ALL = "all"  # the scope of every pemda
_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Reader:
    """Runs read-only queries on a DB-API connection of SQLite or PostgreSQL."""

    def __init__(self, connection: Any, dialect: str, *, owned: bool = False):
        self.connection, self.dialect, self.owned = connection, dialect, owned

    def rows(self, sql: str, **params: Any) -> list[Sequence[Any]]:
        if self.dialect != "sqlite":
            sql = _NAMED.sub(r"%(\1)s", sql)
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, {k: self._param(v) for k, v in params.items()})
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _param(self, value: Any) -> Any:
        if isinstance(value, datetime) and self.dialect == "sqlite":
            return f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"
        return value

    @staticmethod
    def time(value: Any) -> datetime | None:
        """A stored time as an aware UTC datetime."""
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @staticmethod
    def json(value: Any) -> Any:
        if value is None or value == "":
            return {}
        return json.loads(value) if isinstance(value, (str, bytes)) else value

    def close(self) -> None:
        if self.owned:
            self.connection.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def reader_for(source: Any) -> Reader:
    """A reader over ``source``: a :class:`Reader`, or a SQLAlchemy ``Session``/``Connection`` (its connection)."""
    if isinstance(source, Reader):
        return source
    connection = source.connection() if callable(getattr(source, "connection", None)) else source
    return Reader(connection.connection.dbapi_connection, connection.dialect.name)


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for memory databases and other engines)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///") :].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


REVISION_LINE = re.compile(r"^revision = ['\"]([^'\"]+)['\"]", re.M)


def newest_revision() -> str:
    """The id of the newest schema revision, read from its file (``NNNN_*.py`` in the migrations
    folder) without importing Alembic; tests/test_migrations.py checks it is Alembic's head."""
    newest = max((Path(__file__).parent / "migrations" / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    found = REVISION_LINE.search(newest.read_text(encoding="utf-8"))
    return found.group(1) if found else ""


def open_sqlite(url: str) -> Reader | None:
    """A reader straight on the SQLite file of ``url`` without SQLAlchemy, or None when the URL is
    not a SQLite file or its schema is not the current one (then the engine opens it and says what
    to run)."""
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return None
    connection = sqlite3.connect(path, timeout=10)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None or row[0] != newest_revision():
        connection.close()
        return None
    return Reader(connection, "sqlite", owned=True)
