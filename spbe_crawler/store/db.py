"""Engine and session for the one store (SQLite by default, any SQLAlchemy URL by ``SPBE_DATABASE_URL``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, create_engine

from spbe_crawler import config
from spbe_crawler.store import schema
from spbe_crawler.store.integrity import BrokenDatabase, check_engine_url, corruption_reason, is_corruption, sqlite_path


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: :func:`config.database_url`, read now), its schema ready.

    An empty database gets the whole schema; one made by an older version raises
    :class:`spbe_crawler.store.schema.SchemaError` (``spbe db upgrade`` first).
    """
    return _engine(url or config.database_url())


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    check_engine_url(url)  # a damaged SQLite file is refused before anything touches it
    engine = create_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        schema.prepare(engine)
    except DatabaseError as exc:
        path = sqlite_path(url)
        if path is not None and is_corruption(exc):
            engine.dispose()
            raise BrokenDatabase(path, corruption_reason(exc)) from None
        raise
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
