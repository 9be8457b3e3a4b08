"""Every knob of ``spbe serve``: one ``SPBE_WEB_*`` environment variable each, with its default and
meaning (the README's workspace section lists the same table, from :func:`settings_table`)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from spbe_crawler import config


def _knob(env: str, default: Any, doc: str) -> Any:
    return field(default=default, metadata={"env": env, "doc": doc})


@dataclass(frozen=True)
class WebSettings:
    host: str = _knob("SPBE_WEB_HOST", "127.0.0.1", "alamat yang didengarkan server")
    port: int = _knob("SPBE_WEB_PORT", 8000, "port server")
    secret: str = _knob("SPBE_WEB_SECRET", "", "kunci penanda tangan cookie sesi (kosong: dibuat sekali di $SPBE_HOME/web-secret)")
    secure_cookies: bool = _knob("SPBE_WEB_SECURE_COOKIES", False, "cookie hanya lewat HTTPS (nyalakan di belakang proksi TLS)")
    session_hours: int = _knob("SPBE_WEB_SESSION_HOURS", 8, "lama sesi masuk (jam)")
    login_limit: int = _knob("SPBE_WEB_LOGIN_LIMIT", 5, "gagal masuk berturut-turut sebelum akun/alamat dikunci")
    login_window_minutes: int = _knob("SPBE_WEB_LOGIN_WINDOW", 15, "jendela penghitungan gagal masuk (menit)")
    lockout_minutes: int = _knob("SPBE_WEB_LOCKOUT", 15, "lama kunci setelah batas gagal masuk tercapai (menit)")
    refresh_seconds: int = _knob("SPBE_WEB_REFRESH", 60, "selang muat ulang otomatis halaman pemantauan (detik)")
    metrics_token: str = _knob("SPBE_WEB_METRICS_TOKEN", "", "token Bearer yang diminta /metrics (kosong: terbuka seperti halaman status)")
    framework: str = _knob("SPBE_WEB_FRAMEWORK", "spbe-2020", "kerangka penilaian yang ditampilkan")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> WebSettings:
        """Settings from ``SPBE_WEB_*`` variables; a bad value fails with the variable's name."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = env.get(item.metadata["env"])
            if raw is not None and raw.strip() != "":
                values[item.name] = _convert(item.metadata["env"], type(item.default), raw.strip())
        return replace(cls(**values), **overrides)

    def signing_key(self) -> str:
        """The configured secret, else one kept in ``$SPBE_HOME/web-secret`` (owner-only)."""
        if self.secret:
            return self.secret
        path: Path = config.home_dir() / "web-secret"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


def _convert(env: str, kind: type, raw: str) -> Any:
    try:
        if kind is bool:
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "ya", "tidak"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes", "ya")
        return kind(raw)
    except ValueError as exc:
        raise ValueError(f"nilai {env}={raw!r} tidak sah ({kind.__name__})") from exc


def settings_table() -> list[tuple[str, str, str]]:
    """``(variable, default, meaning)`` for every knob, for documentation."""
    return [(f.metadata["env"], str(f.default), f.metadata["doc"]) for f in fields(WebSettings)]
