"""Alembic migrations of the store: models and revisions agree, fresh and old databases end current.

On SQLite always; on PostgreSQL too when ``SPBE_TEST_POSTGRES_URL`` is set (``.ci/run`` starts one).
The "previous release" database is made by that release's own table definitions
(tests/sample_data/release_ef49ee3).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from pg_support import fresh_database
from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session, select

from spbe_crawler.store import schema
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import Page, Review, Website
from spbe_crawler.store.models_monitor import ProbeRollup

RELEASE = Path(__file__).parent / "sample_data" / "release_ef49ee3"
ADMIN_URL = os.environ.get("SPBE_TEST_POSTGRES_URL")
DIALECTS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not ADMIN_URL, reason="SPBE_TEST_POSTGRES_URL tidak diatur")),
]


@pytest.fixture(params=DIALECTS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'spbe.sqlite3'}"
        return
    with fresh_database("spbe_mig") as url:
        yield url


def _spbe(args: list[str], url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPBE_DATABASE_URL": url, "SPBE_HOME": str(tmp_path / "home"), "COLUMNS": "250"}
    return subprocess.run([sys.executable, "-m", "spbe_crawler", *args], env=env, capture_output=True, text=True, timeout=120)


def _make_previous_release_db(url: str, *args: str) -> dict[str, int]:
    made = subprocess.run([sys.executable, str(RELEASE / "make_db.py"), url, *args], capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout)


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names()) & set(schema.metadata().tables)
        counts = {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in names}
    engine.dispose()
    return counts


def test_single_head_and_plain_revisions() -> None:
    script = ScriptDirectory.from_config(schema.alembic_config())
    assert len(script.get_heads()) == 1
    assert schema.head() == script.get_current_head()
    # revisions are plain SQLAlchemy: they must not break when SQLModel's types move
    for revision in script.walk_revisions():
        assert "sqlmodel" not in Path(revision.path).read_text(encoding="utf-8")


def test_revisions_replayed_from_nothing_equal_the_models(db_url) -> None:
    result = schema.upgrade(db_url)
    assert result.before.state is schema.SchemaState.EMPTY
    assert result.after == schema.head()
    assert result.differences == []


def test_fresh_database_gets_models_schema_stamped_at_head(db_url) -> None:
    engine = get_engine(db_url)
    with engine.connect() as connection:
        found = schema.status(connection)
        assert found.state is schema.SchemaState.CURRENT
        assert found.revision == schema.head()
        assert schema.differences_from_models(connection) == []
    engine.dispose()


def test_previous_release_database_is_refused_then_upgraded_with_its_rows(db_url, tmp_path) -> None:
    before = _make_previous_release_db(db_url)
    assert set(before) <= set(schema.metadata().tables)  # that release had (some of) today's tables
    refused = _spbe(["registry", "show", "--pemda", "18.71"], db_url, tmp_path)
    assert refused.returncode == 2
    assert "spbe db upgrade" in refused.stderr
    assert "Traceback" not in refused.stderr
    # the web workspace refuses to start, with the same message, instead of a server error per page
    web = _spbe(["serve", "--port", "0"], db_url, tmp_path)
    assert web.returncode == 2 and "spbe db upgrade" in web.stderr and "Ruang kerja web" not in web.stdout

    upgraded = _spbe(["db", "upgrade"], db_url, tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert schema.head() in upgraded.stdout
    after = _counts(db_url)
    assert {name: after[name] for name in before} == before  # nothing lost
    assert set(after) == set(schema.metadata().tables) and not any(after[name] for name in set(after) - set(before))
    engine = create_engine(db_url)
    with engine.connect() as connection:
        assert schema.status(connection).state is schema.SchemaState.CURRENT
        assert schema.differences_from_models(connection) == []
    with Session(engine) as session:  # old rows read through today's models
        page = session.exec(select(Page)).one()
        assert page.links == [["https://ppid.bandarlampungkota.go.id/", "PPID"]]
        assert page.fetched_at.tzinfo is not None
        assert session.exec(select(Website)).one().host == "diskominfo.bandarlampungkota.go.id"
        assert session.exec(select(Review)).one().level == 4
        assert session.exec(select(ProbeRollup)).one().sketch == {"7": 11}
    engine.dispose()
    again = _spbe(["db", "upgrade"], db_url, tmp_path)
    assert again.returncode == 0 and "sudah terbaru" in again.stdout


def test_database_older_than_the_monitor_tables_gets_them(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    before = _make_previous_release_db(url, "--without-monitor")
    assert "monitorschedule" not in before
    result = schema.upgrade(url)
    assert result.before.state is schema.SchemaState.UNVERSIONED
    assert result.differences == []
    after = _counts(url)
    assert {k: after[k] for k in before} == before
    assert after["monitorschedule"] == 0


def test_database_from_a_newer_release_is_refused(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.sqlite3'}"
    schema.upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    engine.dispose()
    with pytest.raises(schema.SchemaError, match="tidak dikenal"):
        get_engine(url)
    with pytest.raises(schema.SchemaError, match="tidak dikenal"):
        schema.upgrade(url)
    version = _spbe(["db", "version"], url, tmp_path)
    assert "ffffffffffff" in version.stdout and "tidak dikenal" in version.stdout


def test_monitor_status_on_a_database_one_revision_behind_asks_for_the_upgrade(tmp_path) -> None:
    """``spbe monitor status`` reads SQLite without SQLAlchemy for a fast start; a database made before
    the pending-confirmation table must still get the upgrade message, not a missing-table error."""
    url = f"sqlite:///{tmp_path / 'spbe.sqlite3'}"
    get_engine(url).dispose()  # current schema
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE pendingcheck"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0003_web_accounts'"))
    engine.dispose()
    status = _spbe(["monitor", "status"], url, tmp_path)
    assert status.returncode == 2 and "spbe db upgrade" in status.stderr and "Traceback" not in status.stderr
    assert _spbe(["db", "upgrade"], url, tmp_path).returncode == 0
    assert _spbe(["monitor", "status"], url, tmp_path).returncode == 0


def test_the_fast_status_reader_knows_the_newest_revision() -> None:
    from spbe_crawler.store.monitor_reader import newest_revision

    assert newest_revision() == schema.head(), "name the newest revision file NNNN_<slug>.py with that id (spbe db revision does)"
