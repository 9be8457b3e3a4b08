"""A fresh PostgreSQL database per test, on the server of ``SPBE_TEST_POSTGRES_URL`` (a role that may
create databases; ``.ci/run`` starts one). Without it, tests that need PostgreSQL are skipped."""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

ADMIN_URL = os.environ.get("SPBE_TEST_POSTGRES_URL")
SKIP_REASON = "SPBE_TEST_POSTGRES_URL tidak diatur: tidak ada server PostgreSQL"


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """Create a database named ``<prefix>_<random>``, yield its URL, drop it afterwards."""
    assert ADMIN_URL, SKIP_REASON
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()
    finally:
        _drop(admin, name)
        admin.dispose()


def _drop(admin: Engine, name: str, attempts: int = 10) -> None:
    """``DROP DATABASE ... WITH (FORCE)``, retried: for a moment after a test, a backend the test role
    may not terminate (a closing connection, an autovacuum worker) can make it fail with
    InsufficientPrivilege. One that still cannot be dropped is left with a warning, never a test error."""
    problem: DBAPIError | None = None
    for _ in range(attempts):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError as exc:
            problem = exc
            time.sleep(0.5)
    warnings.warn(f"basis data uji {name} tertinggal: {problem}", stacklevel=2)
