"""SVG status badges per site (shields.io style): pure functions, no I/O.

``badge_svg(label, message, color)`` draws one badge; :func:`site_badge` draws a site's badge
from its figures (status or uptime); :func:`badge_files` gives every badge file of a status page
(``badge/<key>.svg``), and :func:`site_by_key` finds the site of a ``/badge/<key>.svg`` request.
Texts are XML-escaped; widths come from a per-character estimate, so no font is needed.
"""

from __future__ import annotations

import re
from html import escape

from spbe_crawler.monitor.figures import MonitorFigures, SiteFigures

STATE_TEXT = {
    "up": "berfungsi",
    "down": "terganggu",
    "pending": "menunggu konfirmasi",
    "maintenance": "pemeliharaan",
    "unknown": "belum diperiksa",
}
STATE_COLOR = {"up": "#2e7d32", "down": "#c62828", "pending": "#b45309", "maintenance": "#1565c0", "unknown": "#757575"}
LABEL_COLOR = "#555"
_NARROW = set("fijlrt.,:;!|' ()-1")
_WIDE = set("mwMW%@")


def _text_width(text: str) -> int:
    """Approximate width in pixels of ``text`` in 11 px Verdana/DejaVu Sans."""
    return int(sum(4 if c in _NARROW else 10 if c in _WIDE else 7 for c in text)) + 10


def badge_svg(label: str, message: str, color: str) -> str:
    """A two-part badge: grey ``label`` on the left, ``message`` on ``color`` on the right."""
    if not re.fullmatch(r"#[0-9a-fA-F]{3,8}", color):
        raise ValueError(f"warna lencana tidak sah: {color!r}")
    left, right = _text_width(label), _text_width(message)
    total = left + right
    title = escape(f"{label}: {message}")
    label, message = escape(label), escape(message)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{LABEL_COLOR}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{color}"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="14">{label}</text>'
        f'<text x="{left + right / 2:.1f}" y="14">{message}</text></g></svg>'
    )


def site_badge(site: SiteFigures, kind: str = "status", window: str = "24h") -> str:
    """``kind="status"``: berfungsi / terganggu / menunggu konfirmasi / pemeliharaan / belum diperiksa.
    ``kind="uptime"``: the uptime percentage of ``window`` (24h, 7d, 30d), colored by its level."""
    if kind == "uptime":
        percent = site.uptime[window].percent
        if percent is None:
            return badge_svg(f"uptime {_WINDOW_SHORT[window]}", "belum ada data", STATE_COLOR["unknown"])
        color = "#2e7d32" if percent >= 99 else "#f9a825" if percent >= 95 else "#c62828"
        return badge_svg(f"uptime {_WINDOW_SHORT[window]}", f"{percent:.2f}%".replace(".", ","), color)
    if kind != "status":
        raise ValueError(f"jenis lencana tidak dikenal: {kind!r} (status atau uptime)")
    return badge_svg("status", STATE_TEXT[site.state], STATE_COLOR[site.state])


_WINDOW_SHORT = {"24h": "24 jam", "7d": "7 hari", "30d": "30 hari"}


def badge_keys(figures: MonitorFigures) -> dict[str, SiteFigures]:
    """``key -> site`` for the badges of a scope: the host name, then ``host-<id>`` for a second
    website on the same host (keys use only ``[a-z0-9.-]``)."""
    keys: dict[str, SiteFigures] = {}
    for site in figures.sites:
        base = re.sub(r"[^a-z0-9.-]", "-", site.host.lower()).strip(".-") or "situs"
        keys[base if base not in keys else f"{base}-{site.website_id}"] = site
    return keys


def site_by_key(figures: MonitorFigures, key: str) -> SiteFigures | None:
    """The site of a ``/badge/<key>.svg`` request (None: unknown key)."""
    return badge_keys(figures).get(key.removesuffix(".svg"))


def badge_files(figures: MonitorFigures) -> dict[str, str]:
    """``relative path -> SVG`` of every badge of the scope: status and 30-day uptime per site."""
    files = {}
    for key, site in badge_keys(figures).items():
        files[f"badge/{key}.svg"] = site_badge(site)
        files[f"badge/{key}-uptime.svg"] = site_badge(site, "uptime", "30d")
    return files
