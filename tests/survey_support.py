"""Helpers for end-to-end tests that run the real CLI in a subprocess against the demo web."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

from sqlmodel import Session

from spbe_crawler.demo.profile import CRAWL_ENV
from spbe_crawler.store.db import get_engine


def cli_env(demo_env: dict[str, str], home: Path) -> dict[str, str]:
    env = {**demo_env, **CRAWL_ENV, "SPBE_HOME": str(home)}
    env.pop("SPBE_DATABASE_URL", None)
    return env


def spbe(args: list[str], env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run ``python -m spbe_crawler ARGS``; fail the test with its output if it fails."""
    result = subprocess.run([sys.executable, "-m", "spbe_crawler", *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"spbe {' '.join(args)} gagal:\n{result.stdout}\n{result.stderr[-4000:]}"
    return result


def prepare_registry(env: dict[str, str], registry_csv: Path) -> None:
    """The demo pemda's regions and the demo registry, loaded through the CLI (``spbe registry load``,
    ``spbe registry import``). Into the SQLite store of ``SPBE_HOME`` the CLI loads them once per test
    process; later calls get a copy of that store (the same rows, without two CLI runs per crawl test)."""
    if env.get("SPBE_DATABASE_URL"):
        _load_registry(env, registry_csv)
        return
    key = (str(registry_csv), env.get("SPBE_DATA_DIR", ""))
    if key not in _registry_stores:
        home = Path(tempfile.mkdtemp(prefix="spbe-test-registry-"))
        atexit.register(shutil.rmtree, home, ignore_errors=True)
        _load_registry({**env, "SPBE_HOME": str(home)}, registry_csv)
        _registry_stores[key] = home / "spbe.sqlite3"
    target = Path(env["SPBE_HOME"]) / "spbe.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    assert not target.exists(), f"{target} sudah ada"
    # SQLite's backup API: a consistent copy that includes what is still in the write-ahead log
    with closing(sqlite3.connect(_registry_stores[key])) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)


_registry_stores: dict[tuple[str, str], Path] = {}


def _load_registry(env: dict[str, str], registry_csv: Path) -> None:
    spbe(["registry", "load", "--pemda", "18.71"], env)
    spbe(["registry", "import", str(registry_csv)], env)


def session_for(home: Path) -> Session:
    return Session(get_engine(f"sqlite:///{home / 'spbe.sqlite3'}"))


def spbe_popen(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "spbe_crawler", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


__all__ = ["cli_env", "prepare_registry", "session_for", "spbe", "spbe_popen"]
