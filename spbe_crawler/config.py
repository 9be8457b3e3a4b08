"""Paths and environment-level configuration shared by the CLI, the crawler and the monitor.

Every knob that is not a Scrapy setting lives here, read from one ``SPBE_*`` environment variable
with a documented default. Scrapy settings (``SPBE_*`` keys in ``spbe_crawler/settings.py``) are
documented there.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Rules, frameworks and region codes ship inside the package (they install with it).
DATA_DIR = Path(os.environ.get("SPBE_DATA_DIR") or Path(__file__).resolve().parent / "data")


def home_dir() -> Path:
    """Where the database, reports, logs and demo state live: ``$SPBE_HOME``, default the per-user data
    folder (``~/.local/share/spbe-crawler`` on Linux, via platformdirs), never the current folder."""
    configured = os.environ.get("SPBE_HOME")
    path = Path(configured).expanduser().resolve() if configured else Path(platformdirs.user_data_dir("spbe-crawler", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """Any SQLAlchemy URL from ``SPBE_DATABASE_URL``; default SQLite file ``$SPBE_HOME/spbe.sqlite3``."""
    url = os.environ.get("SPBE_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{home_dir() / 'spbe.sqlite3'}"


def reports_dir() -> Path:
    path = home_dir() / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path
