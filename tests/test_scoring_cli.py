"""The assessment commands end to end on a temporary SQLite store (typer's CliRunner)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_scoring_seed import PEMDA, Seeded, seeded  # noqa: F401  (fixture)
from typer.testing import CliRunner

from spbe_crawler.cli import app

runner = CliRunner()


@pytest.fixture
def env(seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SPBE_DATABASE_URL", seeded.url)
    monkeypatch.setenv("SPBE_HOME", str(tmp_path / "home"))
    return tmp_path


def spbe(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_score_prints_the_table_and_a_labelled_partial_index(env: Path) -> None:
    code, out = spbe("score", "--pemda", PEMDA)
    assert code == 0, out
    assert "Indeks SPBE" in out and "Pengadaan" in out and "Layanan SPBE" in out
    assert "5 dari 47 indikator mendapat perkiraan dari survei" in out
    assert "BELUM LENGKAP" in out and "rentang" in out
    assert "(perkiraan)" in out
    assert "Arsitektur" not in out  # document-only indicators (1-31) hidden by default
    code, out = spbe("score", "--pemda", PEMDA, "--semua")
    assert "Arsitektur" in out


def test_unknown_framework_and_missing_survey_fail_cleanly(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = spbe("score", "--pemda", PEMDA, "--framework", "spbe-1999")
    assert code == 1 and "kerangka 'spbe-1999' tidak dikenal" in out
    monkeypatch.setenv("SPBE_DATABASE_URL", f"sqlite:///{env / 'kosong.sqlite3'}")
    code, out = spbe("score", "--pemda", PEMDA)
    assert code == 1 and "Belum ada survei yang selesai" in out


def test_review_domain_set_and_second_reviewer(env: Path) -> None:
    assert spbe("score", "--pemda", PEMDA)[0] == 0
    code, out = spbe("review", "--pemda", PEMDA, "--indicator", "35", "--level", "2", "--note", "tanpa e-kontrak", "--reviewer", "Ani")
    assert code == 0 and "Indikator 35: tingkat 3 -> 2 oleh Ani" in out
    code, out = spbe("review", "--pemda", PEMDA, "--indicator", "35", "--level", "3", "--reviewer", "Citra", "--second")
    assert code == 0 and "Perbedaan: Ani memberi 2, Citra memberi 3" in out
    code, out = spbe("domain-set", "--pemda", PEMDA, "--indicator", "5", "--level", "2", "--reviewer", "Ani")
    assert code == 0 and "Indikator 5: tingkat 2 dicatat oleh Ani" in out
    code, out = spbe("domain-set", "--pemda", PEMDA, "--indicator", "35", "--level", "2", "--reviewer", "Ani")
    assert code == 1 and "gunakan 'spbe review'" in out
    code, out = spbe("review", "--pemda", PEMDA, "--indicator", "35", "--level", "9", "--reviewer", "Ani")
    assert code == 1 and "Penilaian ditolak" in out


def test_worksheet_export_import_cycle(env: Path) -> None:
    assert spbe("score", "--pemda", PEMDA)[0] == 0
    target = env / "lk.xlsx"
    code, out = spbe("worksheet", "export", "--pemda", PEMDA, "--out", str(target))
    assert code == 0 and target.exists()
    for fmt in ("csv", "json"):
        code, out = spbe("worksheet", "export", "--pemda", PEMDA, "--format", fmt)
        assert code == 0 and (env / "home" / "reports" / f"lembar-kerja-{PEMDA}-spbe-2020.{fmt}").exists()
    assert spbe("worksheet", "export", "--pemda", PEMDA, "--format", "pdf")[0] == 1

    wb = load_workbook(target)
    ws = wb["Penilaian"]
    ws["K39"], ws["M39"] = 2, "Ani"  # indicator 35
    ws["K40"], ws["M40"] = "dua", "Ani"  # indicator 36: bad
    wb.save(target)
    code, out = spbe("worksheet", "import", str(target))
    assert code == 1 and "tidak ada yang diterapkan" in out and "Penilaian!K40" in out

    wb = load_workbook(target)
    wb["Penilaian"]["K40"] = 2
    wb.save(target)
    code, out = spbe("worksheet", "import", str(target), "--pemda", PEMDA)
    assert code == 0 and "2 penilaian diterapkan, 0 tidak berubah" in out
    code, out = spbe("worksheet", "import", str(target), "--pemda", "35.07")
    assert code == 1 and "bukan 35.07" in out


def test_report_command_writes_the_file(env: Path) -> None:
    assert spbe("score", "--pemda", PEMDA)[0] == 0
    code, out = spbe("report", "--pemda", PEMDA, "--out", str(env / "laporan"))
    assert code == 0
    path = env / "laporan" / f"laporan-{PEMDA}-spbe-2020.html"
    assert path.exists() and "Indeks SPBE" in path.read_text(encoding="utf-8")
