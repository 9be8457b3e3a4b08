"""The one Jinja environment of every HTML the tool writes (coverage report, assessment report, the
monitor's status page; the web workspace has its own, for its page layout and request context).

Autoescaping is always on: crawled text (snippets, titles, URLs) is untrusted. Only http(s) URLs may
become links (``safe_url``). Numbers, dates and times go through :mod:`spbe_crawler.reports.formatting`
so every page writes them the Indonesian way, times in the pemda's zone.

Pages get their stylesheet inline (a report is one file that works offline and prints on A4) and their
script as a file next to them (``laporan.js``, see :func:`write_page`): no inline script, so the web
workspace can serve them under a Content-Security-Policy without ``unsafe-inline`` scripts.
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader

from spbe_crawler.health.status import Status, info
from spbe_crawler.reports.formatting import angka, bagian, cert_label, format_duration, ms, persen, tanggal, waktu, zone_name

STATIC = Path(__file__).parent / "static"
SCRIPT = "laporan.js"


def safe_url(url: object) -> str | None:
    """The URL if it may be a link (http/https), else None: crawled hrefs can be ``javascript:``."""
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def status_label(status: str | None) -> str:
    """The Indonesian label of a site status; ``Belum diperiksa`` when there is none."""
    if not status or status not in Status._value2member_map_:
        return NOT_CHECKED
    return info(status).label


def status_tone(status: str | None) -> str:
    """A CSS tone for a status: ok, soft (works with a caveat), bad, none (no site / not checked)."""
    if not status or status not in Status._value2member_map_ or status == Status.NO_WEBSITE.value:
        return "none"
    if status == Status.OK.value:
        return "ok"
    return "soft" if info(status).works else "bad"


NOT_CHECKED = "Belum diperiksa"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared environment (templates of ``spbe_crawler/reports/templates``)."""
    env = Environment(
        loader=PackageLoader("spbe_crawler.reports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        safe_url=safe_url,
        angka=angka,
        persen=persen,
        tanggal=tanggal,
        waktu=waktu,
        status_label=status_label,
        status_tone=status_tone,
        ms=ms,
        durasi=format_duration,
        sertifikat=cert_label,
    )
    env.globals.update(bagian=bagian, zone_name=zone_name)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def write_page(path: Path, template: str, **context: Any) -> Path:
    """Render ``template`` to ``path`` and put the pages' script beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(template, **context), encoding="utf-8")
    shutil.copyfile(STATIC / SCRIPT, path.parent / SCRIPT)
    return path
