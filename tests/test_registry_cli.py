"""``spbe registry`` commands: exit codes and what the user reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from spbe_crawler.cli import app

SAMPLES = Path(__file__).parent / "sample_data" / "registry"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SPBE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    return CliRunner()


def test_load_show_import(runner: CliRunner) -> None:
    loaded = runner.invoke(app, ["registry", "load", "--pemda", "18.71"])
    assert loaded.exit_code == 0, loaded.output
    assert "187 unit ditambahkan" in loaded.output and "28 situs ditambahkan" in loaded.output  # 27 OPD sites + the pemda portal
    again = runner.invoke(app, ["registry", "load", "--pemda", "18.71"])
    assert "0 unit ditambahkan" in again.output and "187 tidak berubah" in again.output
    shown = runner.invoke(app, ["registry", "show", "--pemda", "18.71", "--limit", "3"])
    assert shown.exit_code == 0
    assert "Kota Bandar Lampung" in shown.output and "126" in shown.output and "Unit tanpa situs: 158" in shown.output
    imported = runner.invoke(app, ["registry", "import", str(SAMPLES / "bad_rows.csv")])
    assert imported.exit_code == 1
    assert "baris 5, kolom kind" in imported.output
    conflict = runner.invoke(app, ["registry", "import", str(SAMPLES / "good.csv")])
    assert conflict.exit_code == 1 and "sudah tersimpan sebagai 'Dinas Komunikasi dan Informatika'" in conflict.output
    same = runner.invoke(app, ["registry", "import", str(SAMPLES / "bom.csv")])
    assert same.exit_code == 0 and "2 unit sudah tersimpan" in same.output, same.output


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["registry", "load", "--pemda", "99.99"], 2, "Kode pemda 99.99 tidak ada di data wilayah"),
        (["registry", "load"], 2, "Pilih salah satu"),
        (["registry", "load", "--pemda", "18.71", "--all"], 2, "Pilih salah satu"),
        (["registry", "load", "--all", "--file", "/tidak/ada.csv"], 2, "tidak dapat dibaca"),
        (["registry", "show", "--pemda", "18.71"], 1, "Belum ada unit untuk pemda 18.71"),
        (["registry", "import", "/tidak/ada.csv"], 2, "tidak dapat dibaca"),
    ],
)
def test_user_errors(runner: CliRunner, args: list[str], code: int, fragment: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code
    assert fragment in result.output + result.stderr


def test_load_all_with_newer_file(runner: CliRunner) -> None:
    result = runner.invoke(app, ["registry", "load", "--all", "--file", str(SAMPLES / "wilayah_newer.csv")])
    assert result.exit_code == 0 and "11 unit ditambahkan" in result.output
