"""Issue #15: a damaged database file ends every command with one clear message; ``spbe db check`` and
``spbe db backup`` (SQLite online backup API)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spbe_crawler.cli import app
from spbe_crawler.registry.pemda_sites import load_bundled
from spbe_crawler.store.db import get_engine, session_scope

runner = CliRunner()
PEMDA = "18.71"


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2 + 77]


def _garbage_header(data: bytes) -> bytes:
    return b"\x00\xffBUKAN BASIS DATA\x00" * 5 + data[100:]


def _overwritten(data: bytes) -> bytes:
    """Every page but the first and the last overwritten, as by a disk or a copy gone wrong."""
    middle = bytes((i * 7919) % 251 for i in range(len(data) - 8192))
    return data[:4096] + middle + data[-4096:]


DAMAGE: dict[str, Callable[[bytes], bytes]] = {"terpotong": _truncated, "kepala": _garbage_header, "tertimpa": _overwritten}
COMMANDS = {
    "run": ["run", "--pemda", PEMDA],
    "report": ["report", "--pemda", PEMDA],
    "export": ["export", "--pemda", PEMDA],
    "monitor status": ["monitor", "status", "--pemda", PEMDA],
}
REASONS = {"terpotong": "berkas terpotong", "kepala": "berkas bukan basis data SQLite", "tertimpa": "isi berkas rusak (SQLite: "}


@pytest.fixture(scope="module")
def good_file(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A real store (the bundled registry of 18.71), checkpointed into one file."""
    path = tmp_path_factory.mktemp("db") / "baik.sqlite3"
    url = f"sqlite:///{path}"
    with session_scope(url) as session:
        load_bundled(session, PEMDA)
    get_engine(url).dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert path.stat().st_size > 100_000
    return path


def damaged_home(good: Path, home: Path, damage: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    target = home / "spbe.sqlite3"
    target.write_bytes(DAMAGE[damage](good.read_bytes()))
    return target


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_damaged_database_ends_the_command_with_one_message(good_file: Path, tmp_path: Path, monkeypatch, damage, command) -> None:  # type: ignore[no-untyped-def]
    path = damaged_home(good_file, tmp_path, damage)
    before = path.read_bytes()
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    monkeypatch.delenv("SPBE_DATABASE_URL", raising=False)
    result = runner.invoke(app, COMMANDS[command])
    assert result.exit_code == 3, (result.output, result.exception)
    text = " ".join(result.output.split())
    assert f"Basis data {path} rusak: {REASONS[damage]}" in text
    assert "pulihkan berkas dari cadangan" in text and "spbe db check" in text
    assert "Traceback" not in result.output
    assert path.read_bytes() == before  # nothing written into the damaged file
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_the_real_cli_prints_no_traceback(good_file: Path, tmp_path: Path) -> None:
    path = damaged_home(good_file, tmp_path, "kepala")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPBE_")} | {"SPBE_HOME": str(tmp_path), "COLUMNS": "300"}
    result = subprocess.run([sys.executable, "-m", "spbe_crawler", "export", "--pemda", PEMDA], env=env, capture_output=True, text=True)
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr.strip().startswith(f"Basis data {path} rusak: berkas bukan basis data SQLite") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_db_check_tells_a_sound_file_from_a_damaged_one(good_file: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    monkeypatch.delenv("SPBE_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 1 and "belum ada" in result.output
    shutil.copy(good_file, tmp_path / "spbe.sqlite3")
    result = runner.invoke(app, ["db", "check"])
    with sqlite3.connect(good_file) as connection:
        tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    assert result.exit_code == 0 and f"Basis data {tmp_path / 'spbe.sqlite3'} utuh: {tables} tabel" in " ".join(result.output.split())
    for damage, reason in REASONS.items():
        damaged_home(good_file, tmp_path, damage)
        result = runner.invoke(app, ["db", "check"])
        text = " ".join(result.output.split())
        assert result.exit_code == 1 and reason.split(" (")[0] in text and "Pulihkan dari cadangan" in text, (damage, text)


def test_db_backup_copies_a_live_database_and_the_copy_restores(good_file: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    monkeypatch.delenv("SPBE_DATABASE_URL", raising=False)
    live = tmp_path / "spbe.sqlite3"
    shutil.copy(good_file, live)
    writer = sqlite3.connect(live)  # another process keeps writing: WAL mode, an open transaction
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("UPDATE unit SET note = 'sebelum cadangan' WHERE code = ?", (PEMDA,))
    writer.commit()
    writer.execute("BEGIN")
    writer.execute("UPDATE unit SET note = 'belum di-commit' WHERE code = ?", (PEMDA,))
    target = tmp_path / "cadangan" / "salinan.sqlite3"
    result = runner.invoke(app, ["db", "backup", "--keluaran", str(target)])
    writer.rollback()
    writer.close()
    assert result.exit_code == 0, result.output
    assert f"Cadangan {target} ditulis dan utuh" in " ".join(result.output.split())
    with sqlite3.connect(target) as copy:
        units = copy.execute("SELECT count(*) FROM unit").fetchone()[0]
        note = copy.execute("SELECT note FROM unit WHERE code = ?", (PEMDA,)).fetchone()[0]
    with sqlite3.connect(good_file) as original:
        assert units == original.execute("SELECT count(*) FROM unit").fetchone()[0]
    assert note == "sebelum cadangan"  # committed data only
    # restore as the README says: replace the damaged file with the copy, then check
    live.write_bytes(_garbage_header(live.read_bytes()))
    for extra in ("-wal", "-shm"):
        Path(f"{live}{extra}").unlink(missing_ok=True)
    shutil.copy(target, live)
    assert runner.invoke(app, ["db", "check"]).exit_code == 0
    assert runner.invoke(app, ["export", "--pemda", PEMDA]).exit_code == 0


def test_db_backup_of_a_damaged_file_refuses(good_file: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    monkeypatch.delenv("SPBE_DATABASE_URL", raising=False)
    damaged_home(good_file, tmp_path, "terpotong")
    result = runner.invoke(app, ["db", "backup"])
    assert result.exit_code == 3 and "berkas terpotong" in result.output
    assert not (tmp_path / "cadangan").exists() or not any((tmp_path / "cadangan").iterdir())


def test_db_backup_on_postgresql_prints_the_pg_dump_way(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    monkeypatch.setenv("SPBE_DATABASE_URL", "postgresql+psycopg://spbe:rahasia@db.internal:5432/spbe")
    result = runner.invoke(app, ["db", "backup"])
    assert result.exit_code == 2
    assert "pg_dump --format=custom" in result.output and "pg_restore" in result.output
    assert "postgresql://spbe:***@db.internal:5432/spbe" in result.output and "rahasia" not in result.output
