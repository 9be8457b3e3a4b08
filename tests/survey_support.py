"""Helpers for end-to-end tests that run the real CLI in a subprocess against the demo web."""

from __future__ import annotations

import subprocess
import sys
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
