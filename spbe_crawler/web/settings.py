"""Every knob of ``spbe serve``: one ``SPBE_WEB_*`` environment variable each, with its default and
meaning (the README's workspace section lists the same table, from :func:`settings_table`)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from spbe_crawler import config
from spbe_crawler.config import EnvSettings, knob


@dataclass(frozen=True)
class WebSettings(EnvSettings):
    host: str = knob("SPBE_WEB_HOST", "127.0.0.1", "alamat yang didengarkan server")
    port: int = knob("SPBE_WEB_PORT", 8000, "port server")
    secret: str = knob(
        "SPBE_WEB_SECRET", "", "kunci penanda tangan cookie sesi (kosong: dibuat sekali di $SPBE_HOME/web-secret)", secret=True
    )
    secure_cookies: bool = knob("SPBE_WEB_SECURE_COOKIES", False, "cookie hanya lewat HTTPS (nyalakan di belakang proksi TLS)")
    session_hours: int = knob("SPBE_WEB_SESSION_HOURS", 8, "lama sesi masuk (jam)")
    login_limit: int = knob("SPBE_WEB_LOGIN_LIMIT", 5, "gagal masuk berturut-turut sebelum akun/alamat dikunci")
    login_window_minutes: int = knob("SPBE_WEB_LOGIN_WINDOW", 15, "jendela penghitungan gagal masuk (menit)")
    lockout_minutes: int = knob("SPBE_WEB_LOCKOUT", 15, "lama kunci setelah batas gagal masuk tercapai (menit)")
    refresh_seconds: int = knob("SPBE_WEB_REFRESH", 60, "selang muat ulang otomatis halaman pemantauan (detik)")
    public_cache: int = knob(
        "SPBE_WEB_PUBLIC_CACHE", 60, "umur simpanan angka pemantauan untuk lencana dan /metrics (detik; 0: selalu dihitung ulang)"
    )
    metrics_token: str = knob(
        "SPBE_WEB_METRICS_TOKEN", "", "token Bearer yang diminta /metrics (kosong: terbuka seperti halaman status)", secret=True
    )
    framework: str = knob("SPBE_WEB_FRAMEWORK", "spbe-2020", "kerangka penilaian yang ditampilkan")
    password: str = knob(
        "SPBE_WEB_PASSWORD", "", "kata sandi untuk `spbe user add` dan `spbe user set --password` tanpa ditanyakan", secret=True
    )

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


def settings_table() -> list[tuple[str, str, str]]:
    """``(variable, default, meaning)`` for every knob, for documentation."""
    return WebSettings.table()
