"""The store layer owns every query: outside ``spbe_crawler/store/`` no module builds SQL or runs it.

Callers may hold a ``Session`` (and add, get or delete model objects through it, the unit of work),
catch the store's exceptions and name an ``Engine``; selects, inserts, updates, deletes, raw SQL and
``exec``/``execute`` calls live in the store's query modules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("spbe_crawler", "inventory", "scoring")
LIBRARIES = ("sqlalchemy", "sqlmodel")
STORE = Path("spbe_crawler/store")

# Names a module outside the store may import from sqlalchemy/sqlmodel: no query constructs.
ALLOWED_NAMES = {"Session", "SQLModel", "Engine", "IntegrityError", "OperationalError", "SQLAlchemyError", "DatabaseError", "make_url"}
# Calls that run SQL.
RUNNING_CALLS = {"exec", "execute", "executemany", "executescript", "connection"}
# A string that starts like SQL (raw SQL run through a DB-API cursor).
RAW_SQL = re.compile(r"\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|PRAGMA)\s", re.IGNORECASE)

# Modules that may still query, each with its reason. Keep it short.
ALLOWED_MODULES: dict[str, str] = {
    # Redis, not SQL: the work queue runs its commands through Redis pipelines (``pipe.execute()``)
    "spbe_crawler/cluster/queue.py": "Redis pipelines (execute() is not SQL)",
}


def _modules() -> list[Path]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if not relative.is_relative_to(STORE):
                found.append(relative)
    return found


def _violations(source: str) -> list[str]:
    tree = ast.parse(source)
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            problems += [
                f"line {node.lineno}: import {alias.name}" for alias in node.names if alias.name.split(".")[0] in ("sqlalchemy", "sqlmodel")
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("sqlalchemy", "sqlmodel"):
            problems += [
                f"line {node.lineno}: from {node.module} import {alias.name}" for alias in node.names if alias.name not in ALLOWED_NAMES
            ]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNNING_CALLS:
            problems.append(f"line {node.lineno}: .{node.func.attr}(...)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and RAW_SQL.match(node.value):
            problems.append(f"line {node.lineno}: raw SQL {node.value[:40]!r}")
    return problems


def test_the_guard_sees_queries() -> None:
    """The checker itself: a query construct, a raw statement and an exec call are each caught."""
    source = (
        "from sqlmodel import Session, select\n"
        "from sqlalchemy import text\n"
        "def f(session: Session):\n"
        "    session.exec(select(1))\n"
        "    session.connection().execute(text('SELECT 1'))\n"
        "    cursor.fetch(f'SELECT name FROM unit WHERE code = {code}')\n"
    )
    problems = _violations(source)
    assert any("import select" in problem for problem in problems)
    assert any("import text" in problem for problem in problems)
    assert any(".exec(" in problem for problem in problems)
    assert any(".execute(" in problem for problem in problems)
    assert any(".connection(" in problem for problem in problems)
    assert any("raw SQL 'SELECT name FROM unit" in problem for problem in problems)
    assert _violations("from sqlmodel import Session\nfrom sqlalchemy.exc import IntegrityError\n") == []


@pytest.mark.parametrize("module", _modules(), ids=str)
def test_no_queries_outside_the_store(module: Path) -> None:
    if str(module) in ALLOWED_MODULES:
        pytest.skip(ALLOWED_MODULES[str(module)])
    problems = _violations((ROOT / module).read_text(encoding="utf-8"))
    assert not problems, f"{module} queries the database itself; move it to spbe_crawler/store/: {problems}"


def test_allowed_modules_still_exist() -> None:
    """An allow-list entry for a module that is gone (or clean now) is removed, so the list only shrinks."""
    for module in ALLOWED_MODULES:
        path = ROOT / module
        assert path.is_file(), f"{module} is allow-listed but does not exist"
        assert _violations(path.read_text(encoding="utf-8")), f"{module} is clean now: drop it from ALLOWED_MODULES"
