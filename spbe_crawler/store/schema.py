"""The store's schema version: Alembic migrations under ``store/migrations`` (they ship with the package).

A database is in one of five states (:class:`SchemaState`). :func:`prepare` (called by
:func:`spbe_crawler.store.db.get_engine`) gives an *empty* database the whole schema at once
(``create_all`` of the models, then the version stamped as head) and accepts a *current* one; any
other state stops with a clear message, because changing a shared database is an explicit step:
``spbe db upgrade`` (:func:`upgrade`). Why ``create_all`` + stamp rather than replaying every revision
on a fresh database: it is one fast step whatever the length of the history (the test suite creates
hundreds of databases), and ``tests/test_migrations.py`` proves that the revisions replayed from
nothing give exactly the models' schema, so both roads end at the same tables.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from spbe_crawler.store.errors import SchemaError

__all__ = ["SchemaError", "SchemaState", "SchemaStatus", "UpgradeResult", "head", "prepare", "status", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# pg_advisory_xact_lock key: one process at a time creates or upgrades a shared PostgreSQL schema.
_PG_LOCK_KEY = 0x5BBE_0001


class SchemaState(enum.StrEnum):
    EMPTY = "empty"  # none of the store's tables: created now
    CURRENT = "current"  # stamped with the newest revision
    BEHIND = "behind"  # stamped with an older revision: ``spbe db upgrade``
    UNVERSIONED = "unversioned"  # tables without a stamp: made by a release before migrations
    UNKNOWN = "unknown"  # stamped with a revision this version does not know: a newer release made it


@dataclass(frozen=True)
class SchemaStatus:
    state: SchemaState
    revision: str | None
    head: str


def metadata() -> MetaData:
    """Every table of the store: all ``spbe_crawler.store.models*`` modules are imported."""
    package = importlib.import_module("spbe_crawler.store")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("models"):
            importlib.import_module(f"spbe_crawler.store.{module.name}")
    return SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write SQLModel's column types as plain SQLAlchemy types in revisions (no sqlmodel import there)."""
    if type_ != "type":
        return False
    if isinstance(obj, AutoString):
        length = getattr(obj.impl, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision; there must be exactly one (a second head means an unmerged branch)."""
    heads = _script().get_heads()
    if len(heads) != 1:
        raise SchemaError(f"Migrasi skema bercabang ({', '.join(sorted(heads))}): satukan dulu dengan satu revisi.")
    return heads[0]


def status(connection: Connection) -> SchemaStatus:
    revision = MigrationContext.configure(connection).get_current_revision()
    newest = head()
    if revision is None:
        ours = set(metadata().tables)
        present = ours & set(inspect(connection).get_table_names())
        return SchemaStatus(SchemaState.UNVERSIONED if present else SchemaState.EMPTY, None, newest)
    if revision == newest:
        return SchemaStatus(SchemaState.CURRENT, revision, newest)
    try:
        known = _script().get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for an id it cannot resolve
        known = False
    return SchemaStatus(SchemaState.BEHIND if known else SchemaState.UNKNOWN, revision, newest)


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def prepare(engine: Engine) -> None:
    """Create the schema of an empty database; accept a current one; otherwise raise :class:`SchemaError`."""
    with engine.begin() as connection:
        _lock(connection)
        found = status(connection)
        if found.state is SchemaState.EMPTY:
            metadata().create_all(connection)
            MigrationContext.configure(connection).stamp(_script(), found.head)
            return
    if found.state is SchemaState.CURRENT:
        return
    where = engine.url.render_as_string(hide_password=True)
    if found.state is SchemaState.UNKNOWN:
        raise SchemaError(
            f"Basis data {where} memakai revisi skema {found.revision} yang tidak dikenal versi spbe ini "
            "(dibuat versi yang lebih baru?): pasang versi spbe terbaru."
        )
    made_by = "rilis sebelum migrasi" if found.state is SchemaState.UNVERSIONED else f"revisi {found.revision}"
    raise SchemaError(f"Skema basis data {where} sudah lama ({made_by}); jalankan dulu: spbe db upgrade")


@dataclass(frozen=True)
class UpgradeResult:
    before: SchemaStatus
    after: str
    differences: list[str]  # what still differs from the models after the upgrade (should be nothing)


def upgrade(url: str) -> UpgradeResult:
    """Bring the database at ``url`` to the newest revision (any state but UNKNOWN)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            _lock(connection)
            before = status(connection)
            if before.state is SchemaState.UNKNOWN:
                raise SchemaError(
                    f"Revisi skema {before.revision} tidak dikenal versi spbe ini (dibuat versi yang lebih baru?): "
                    "pasang versi spbe terbaru."
                )
            command.upgrade(alembic_config(connection), "head")
            after = MigrationContext.configure(connection).get_current_revision() or ""
            differences = differences_from_models(connection)
    finally:
        engine.dispose()
    return UpgradeResult(before, after, differences)


def differences_from_models(connection: Connection) -> list[str]:
    """What autogenerate would change to make the database match the models (empty: they agree)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [repr(diff) for diff in compare_metadata(context, metadata())]


def new_revision(message: str) -> Path:
    """Autogenerate a revision for the model changes not yet in a migration (for developers); its id
    and file name are ``NNNN_<message>`` so the newest sorts last (:func:`newest_revision_file`).

    The comparison runs against a scratch SQLite database upgraded to head, so no server is needed.
    """
    number = len(list(_script().walk_revisions())) + 1
    slug = "_".join(re.findall(r"[a-z0-9]+", message.lower()))[:40].rstrip("_") or "revision"
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'head.sqlite3'}"
        upgrade(url)
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                config = alembic_config(connection)
                config.set_main_option("file_template", "%%(rev)s")  # NNNN_slug.py, the id sorts by age
                rev_id = f"{number:04d}_{slug}"
                script = command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()
    _script.cache_clear()
    scripts = script if isinstance(script, list) else [script]
    assert scripts[0] is not None, "alembic wrote no revision"
    return Path(scripts[0].path)


def status_of(url: str) -> SchemaStatus:
    """The schema status of the database at ``url``, read without preparing it (``spbe db version``)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return status(connection)
    finally:
        engine.dispose()
