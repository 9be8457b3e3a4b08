"""Accounts (``spbe user``), roles, the settings of ``spbe serve``, and the number/time formats."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from spbe_crawler.cli import app
from spbe_crawler.store.db import session_scope
from spbe_crawler.store.models_web import WebRole, WebUser
from spbe_crawler.web import fmt
from spbe_crawler.web.accounts import AccountError, add_user, can_review, has_role, update_user
from spbe_crawler.web.settings import WebSettings

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    monkeypatch.delenv("SPBE_DATABASE_URL", raising=False)
    return f"sqlite:///{tmp_path / 'spbe.sqlite3'}"


def test_user_add_list_set_from_the_command_line(home: str) -> None:
    added = runner.invoke(
        app, ["user", "add", "ani", "--role", "assessor", "--pemda", "18.71", "--nama", "Ani", "--password", "sandi-ani-12345"]
    )
    assert added.exit_code == 0, added.output
    assert "Akun ani dibuat: assessor, pemda 18.71" in added.output
    listed = runner.invoke(app, ["user", "list"])
    assert "ani" in listed.output and "18.71" in listed.output
    changed = runner.invoke(app, ["user", "set", "ani", "--role", "viewer", "--nonaktif"])
    assert changed.exit_code == 0 and "viewer" in changed.output and "nonaktif" in changed.output
    with session_scope(home) as session:
        ani = session.exec(select(WebUser)).one()
    assert ani.password_hash.startswith("$argon2id$") and "sandi-ani-12345" not in ani.password_hash
    assert (ani.role, ani.active) == ("viewer", False)


def test_password_from_the_environment(home: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPBE_WEB_PASSWORD", "sandi-dari-env-123")
    assert runner.invoke(app, ["user", "add", "budi"]).exit_code == 0
    with session_scope(home) as session:
        assert session.exec(select(WebUser)).one().role == "viewer"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "ani", "--role", "raja", "--password", "sandi-ani-12345"], "Peran harus salah satu dari"),
        (["user", "add", "ani", "--role", "assessor", "--password", "sandi-ani-12345"], "Penilai harus ditugaskan"),
        (["user", "add", "ani", "--password", "pendek"], "Kata sandi minimal 10 karakter"),
        (["user", "add", "A N I", "--password", "sandi-ani-12345"], "Nama pengguna 2–64 karakter"),
        (
            ["user", "add", "ani", "--role", "assessor", "--pemda", "bandar", "--password", "sandi-ani-12345"],
            "Kode pemda tidak sah: bandar",
        ),
        (["user", "set", "siapa", "--role", "viewer"], "Pengguna siapa tidak ada"),
    ],
)
def test_bad_account_input_is_a_clear_error(home: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.output


def test_roles_include_the_lower_ones_and_assessors_review_only_their_pemda(home: str) -> None:
    with session_scope(home) as session:
        viewer = add_user(session, "baca", "sandi-baca-12345", WebRole.VIEWER)
        assessor = add_user(session, "nilai", "sandi-nilai-12345", WebRole.ASSESSOR, pemda_codes=["18.71"])
        admin = add_user(session, "atur", "sandi-atur-12345", WebRole.ADMIN)
        assert has_role(admin, WebRole.ASSESSOR) and has_role(assessor, WebRole.VIEWER) and not has_role(viewer, WebRole.ASSESSOR)
        assert can_review(assessor, "18.71") and not can_review(assessor, "18.72")
        assert can_review(admin, "18.72") and not can_review(viewer, "18.71")
        update_user(session, "nilai", active=False)
        assert not can_review(assessor, "18.71") and not has_role(assessor, WebRole.VIEWER)
        with pytest.raises(AccountError, match="sudah dipakai"):
            add_user(session, "BACA", "sandi-baca-12345", WebRole.VIEWER)


def test_settings_from_environment_and_bad_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = WebSettings.from_env({"SPBE_WEB_PORT": "9000", "SPBE_WEB_SECURE_COOKIES": "ya"})
    assert settings.port == 9000 and settings.secure_cookies is True
    with pytest.raises(ValueError, match="SPBE_WEB_PORT"):
        WebSettings.from_env({"SPBE_WEB_PORT": "delapan"})
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    key = WebSettings().signing_key()
    assert len(key) > 40 and WebSettings().signing_key() == key  # kept across restarts
    assert oct(os.stat(tmp_path / "web-secret").st_mode & 0o777) == "0o600"
    assert WebSettings(secret="dari-env").signing_key() == "dari-env"


def test_web_filters_over_the_shared_formatting() -> None:
    assert fmt.angka(1234567) == "1.234.567" and fmt.persen(Decimal("99.5"), 1) == "99,5%"
    assert fmt.ms(1234.4) == "1.234 md" and fmt.ms(None) == "–"
    assert fmt.day("2026-11-18") == "18 November 2026" and fmt.day("bukan tanggal") == "bukan tanggal" and fmt.day(None) == "–"
    assert fmt.site_state("discovered") == "temuan" and fmt.site_state("lain") == "lain"


def test_readme_documents_every_web_setting() -> None:
    from spbe_crawler import config
    from spbe_crawler.web.settings import settings_table

    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for env, _, doc in settings_table():
        assert f"| `{env}` |" in readme and doc in readme, env
