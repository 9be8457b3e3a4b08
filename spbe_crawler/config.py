"""The one settings object: every ``SPBE_*`` knob of the tool, declared once with its default.

:func:`load_settings` reads the environment once into a frozen :class:`Settings`; callers pass it
down (the survey turns it into Scrapy settings in :func:`scrapy_settings`, so ``scrapy crawl -s
NAME=VALUE`` still overrides one knob). Every boolean knob follows one rule (:func:`parse_bool`):
``1/true/yes/on/ya`` is on, ``0/false/no/off/tidak`` is off, anything else is an error naming the variable.
The monitor's knobs live in ``spbe_crawler/monitor/settings.py`` and use the same boolean rule.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Self

import platformdirs

from spbe_crawler import __version__

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data"
TRUE_WORDS = frozenset({"1", "true", "yes", "on", "ya"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "tidak"})


class SettingsError(ValueError):
    """A ``SPBE_*`` variable whose value cannot be used; the message names the variable."""


def parse_bool(raw: str | bool, name: str = "nilai") -> bool:
    """``1/true/yes/on/ya`` -> True, ``0/false/no/off/tidak`` -> False (any case); anything else is an error."""
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{name}={raw!r} tidak sah: pakai 1/true/yes/on/ya atau 0/false/no/off/tidak")


def knob(env: str, default: Any, doc: str, secret: bool = False) -> Any:
    """A settings field read from the environment variable ``env``; ``doc`` says what it does (Bahasa
    Indonesia). A ``secret`` (a password, a key) is left out of the settings' repr."""
    return field(default=default, repr=not secret, metadata={"env": env, "doc": doc})


class EnvSettings:
    """Base of every settings dataclass (survey and store here, the monitor, the web workspace): each
    field is a :func:`knob`, read once from the environment by :meth:`from_env` with one rule. An
    empty value means the default; a boolean follows :func:`parse_bool`; a tuple is a comma list; a bad
    value raises :class:`SettingsError` naming the variable."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Settings from the environment (``os.environ`` by default), then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):  # type: ignore[arg-type]
            name = item.metadata["env"]
            raw = env.get(name)
            if raw is not None and raw.strip() != "":
                values[item.name] = _convert(name, item.default, raw.strip())
        return replace(cls(**values), **overrides)  # type: ignore[type-var]

    @classmethod
    def table(cls) -> list[tuple[str, str, str]]:
        """``(variable, default, meaning)`` of every knob, for documentation."""
        return [(f.metadata["env"], str(f.default), f.metadata["doc"]) for f in fields(cls)]  # type: ignore[arg-type]


def _split(raw: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in raw.split(",") if x.strip())


BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@dataclass(frozen=True)
class Settings(EnvSettings):
    """Every knob of the survey and the store (the monitor and the web workspace have their own
    :class:`EnvSettings`, read by the same rule)."""

    home: str = knob("SPBE_HOME", "", "basis data SQLite, laporan, log, demo; kosong: folder data pengguna (platformdirs)")
    database_url: str = knob("SPBE_DATABASE_URL", "", "URL SQLAlchemy; kosong: SQLite di $SPBE_HOME/spbe.sqlite3")
    data_dir: str = knob("SPBE_DATA_DIR", "", "data kerangka, aturan dan wilayah; kosong: data bawaan paket")
    contact_url: str = knob("SPBE_CONTACT_URL", "https://github.com/spbe-crawler/spbe-crawler", "dicantumkan di User-Agent")
    browser_user_agent: str = knob("SPBE_BROWSER_USER_AGENT", BROWSER_UA, "User-Agent peramban (403 untuk perayap?)")
    search_bot_user_agent: str = knob("SPBE_SEARCH_BOT_USER_AGENT", BOT_UA, "User-Agent mesin pencari (cloaking)")
    cloak_check: bool = knob("SPBE_CLOAK_CHECK", True, "pemeriksaan cloaking")
    discovery: bool = knob("SPBE_DISCOVERY", True, "penemuan situs unit yang belum terdaftar")
    discovery_lookups: str = knob(
        "SPBE_DISCOVERY_LOOKUPS", "", "anggaran pencarian DNS tebakan per survei; kosong: max_lookups_per_run di data/discovery"
    )
    concurrent_requests: int = knob("SPBE_CONCURRENT_REQUESTS", 32, "permintaan serentak maksimum")
    concurrent_requests_per_ip: int = knob("SPBE_CONCURRENT_REQUESTS_PER_IP", 4, "permintaan serentak per alamat IP")
    site_concurrency: int = knob("SPBE_SITE_CONCURRENCY", 2, "permintaan serentak per situs (koneksi yang dipakai ulang)")
    autothrottle: bool = knob("SPBE_AUTOTHROTTLE", True, "AutoThrottle Scrapy")
    autothrottle_target_concurrency: float = knob("SPBE_AUTOTHROTTLE_TARGET_CONCURRENCY", 2.0, "target AutoThrottle")
    download_delay: float = knob("SPBE_DOWNLOAD_DELAY", 0.0, "jeda antarpermintaan ke satu slot (detik)")
    download_timeout: float = knob("SPBE_DOWNLOAD_TIMEOUT", 20.0, "batas waktu seluruh permintaan (detik)")
    download_maxsize: int = knob("SPBE_DOWNLOAD_MAXSIZE", 5 * 1024 * 1024, "ukuran maksimum setelah dekompresi (byte)")
    retry_times: int = knob("SPBE_RETRY_TIMES", 1, "ulangan untuk galat jaringan")
    max_redirects: int = knob("SPBE_MAX_REDIRECTS", 8, "pengalihan maksimum yang diikuti")
    http_retry_times: int = knob("SPBE_HTTP_RETRY_TIMES", 2, "ulangan untuk 429/5xx")
    retry_after_max: float = knob("SPBE_RETRY_AFTER_MAX", 30.0, "Retry-After terpanjang yang dipatuhi (detik)")
    retry_backoff: float = knob("SPBE_RETRY_BACKOFF", 1.0, "jeda dasar ulangan (detik, berlipat dua)")
    site_max_pages: int = knob("SPBE_SITE_MAX_PAGES", 15, "halaman maksimum per situs")
    site_max_depth: int = knob("SPBE_SITE_MAX_DEPTH", 2, "kedalaman tautan maksimum per situs")
    max_url_length: int = knob("SPBE_MAX_URL_LENGTH", 400, "panjang URL maksimum (perangkap)")
    same_path_max: int = knob("SPBE_SAME_PATH_MAX", 3, "halaman per jalur yang hanya berbeda query")
    stale_days: int = knob("SPBE_STALE_DAYS", 365, "umur konten terbaru sebelum situs dianggap basi (hari)")
    store_bodies: bool = knob("SPBE_STORE_BODIES", True, "simpan isi halaman (terkompresi)")
    body_store_max: int = knob("SPBE_BODY_STORE_MAX", 1024 * 1024, "byte isi halaman maksimum yang disimpan")
    connect_to: tuple[str, ...] = knob("SPBE_CONNECT_TO", (), "aturan HOST:PORT:TUJUAN:PORT, dipisah koma")
    connect_to_file: str = knob("SPBE_CONNECT_TO_FILE", "", "berkas aturan connect-to")
    allowed_networks: tuple[str, ...] = knob("SPBE_ALLOWED_NETWORKS", (), "jaringan privat yang boleh dihubungi")
    log_level: str = knob("SPBE_LOG_LEVEL", "INFO", "tingkat log Scrapy")
    progress: str = knob("SPBE_PROGRESS", "", "kemajuan: 1 bilah, baris = baris biasa, 0 tidak; kosong: bilah di terminal, else baris")
    progress_interval: float = knob("SPBE_PROGRESS_INTERVAL", 30.0, "selang baris kemajuan bila bukan terminal (detik)")

    @property
    def home_path(self) -> Path:
        """``$SPBE_HOME``, default the per-user data folder (``~/.local/share/spbe-crawler`` on Linux),
        never the current folder."""
        if self.home:
            return Path(self.home).expanduser().resolve()
        return Path(platformdirs.user_data_dir("spbe-crawler", appauthor=False))

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir else PACKAGE_DATA_DIR

    @property
    def user_agent(self) -> str:
        return f"SPBE-Crawler/{__version__} (+{self.contact_url}; survei situs pemerintah daerah)"


def _convert(name: str, default: Any, raw: str) -> Any:
    if isinstance(default, bool):
        return parse_bool(raw, name)
    if isinstance(default, tuple):
        return _split(raw)
    try:
        return type(default)(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} tidak sah ({type(default).__name__})") from None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the environment (``os.environ`` by default) into one :class:`Settings`."""
    return Settings.from_env(environ)


def settings_table() -> list[tuple[str, str, str]]:
    """``(variable, default, meaning)`` of every knob, for documentation."""
    return Settings.table()


def scrapy_settings(s: Settings) -> dict[str, Any]:
    """The Scrapy settings that come from :class:`Settings` (the rest are constants in ``settings.py``)."""
    return {
        "SPBE_CONTACT_URL": s.contact_url,
        "USER_AGENT": s.user_agent,
        "SPBE_BROWSER_USER_AGENT": s.browser_user_agent,
        "SPBE_SEARCH_BOT_USER_AGENT": s.search_bot_user_agent,
        "SPBE_CLOAK_CHECK": s.cloak_check,
        "CONCURRENT_REQUESTS": s.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_IP": s.concurrent_requests_per_ip,
        "SPBE_SITE_CONCURRENCY": max(1, s.site_concurrency),
        # With per-IP slots this only sizes the idle keep-alive connections each host keeps: as many
        # as a site has requests in flight, at least two (the next request of a site can go out
        # before the connection of the last one is back in the pool).
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(2, s.site_concurrency),
        "AUTOTHROTTLE_ENABLED": s.autothrottle,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": s.autothrottle_target_concurrency,
        "DOWNLOAD_DELAY": s.download_delay,
        "DOWNLOAD_TIMEOUT": s.download_timeout,
        "DOWNLOAD_MAXSIZE": s.download_maxsize,
        "RETRY_TIMES": s.retry_times,
        "SPBE_MAX_REDIRECTS": s.max_redirects,
        "SPBE_HTTP_RETRY_TIMES": s.http_retry_times,
        "SPBE_RETRY_AFTER_MAX": s.retry_after_max,
        "SPBE_RETRY_BACKOFF": s.retry_backoff,
        "SPBE_SITE_MAX_PAGES": s.site_max_pages,
        "SPBE_SITE_MAX_DEPTH": s.site_max_depth,
        "SPBE_MAX_URL_LENGTH": s.max_url_length,
        "SPBE_SAME_PATH_MAX": s.same_path_max,
        "SPBE_STALE_DAYS": s.stale_days,
        "SPBE_DISCOVERY": s.discovery,
        "SPBE_DISCOVERY_LOOKUPS": s.discovery_lookups,
        "SPBE_STORE_BODIES": s.store_bodies,
        "SPBE_BODY_STORE_MAX": s.body_store_max,
        "SPBE_CONNECT_TO": list(s.connect_to),
        "SPBE_CONNECT_TO_FILE": s.connect_to_file or None,
        "SPBE_ALLOWED_NETWORKS": list(s.allowed_networks),
        "LOG_LEVEL": s.log_level,
        "SPBE_PROGRESS": s.progress,
        "SPBE_PROGRESS_INTERVAL": s.progress_interval,
    }


# Rules, frameworks and region codes ship inside the package (they install with it).
DATA_DIR = load_settings({"SPBE_DATA_DIR": os.environ.get("SPBE_DATA_DIR", "")}).data_path


def home_dir(settings: Settings | None = None) -> Path:
    """Where the database, reports, logs and demo state live (:attr:`Settings.home_path`)."""
    path = (settings or load_settings()).home_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(settings: Settings | None = None) -> str:
    """Any SQLAlchemy URL from ``SPBE_DATABASE_URL``; default SQLite file ``$SPBE_HOME/spbe.sqlite3``."""
    s = settings or load_settings()
    return s.database_url or f"sqlite:///{home_dir(s) / 'spbe.sqlite3'}"


def reports_dir(settings: Settings | None = None) -> Path:
    path = home_dir(settings) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path
