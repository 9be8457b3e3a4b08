"""`spbe run` refuses an unknown pemda code with a clear message and no traceback."""

from __future__ import annotations

from typer.testing import CliRunner

from spbe_crawler.cli import app


def test_unknown_pemda_code_is_a_clear_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SPBE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["run", "--pemda", "99.99"])
    assert result.exit_code == 2
    assert "Kode pemda 99.99 tidak ada di data wilayah" in result.output
    assert "Traceback" not in result.output
