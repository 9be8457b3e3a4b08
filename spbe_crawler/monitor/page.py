"""The static status page a pemda can publish: one offline HTML file in Bahasa Indonesia (times in
the pemda's zone), an overall banner, auto-refresh, inline SVG uptime bars and latency sparklines,
an incident timeline, maintenance windows, expiring certificates (each host once) and an SVG
badge per site. Readable at 390 px and printable on A4. Every text from the database or a crawled
site goes through Jinja2 autoescaping; links are emitted only for http(s) URLs; probe details
(addresses, network-policy words) never reach the page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from spbe_crawler.monitor.badges import STATE_TEXT, badge_files
from spbe_crawler.monitor.figures import (
    CERT_HORIZON,
    WINDOW_LABELS,
    MonitorFigures,
    SiteFigures,
    daily_uptime,
    expiring_certs,
    hourly_latency,
    monitor_figures,
)
from spbe_crawler.monitor.maintenance import Window, list_windows
from spbe_crawler.reports.formatting import persen
from spbe_crawler.reports.templating import environment
from spbe_crawler.store.monitor_reader import ALL
from spbe_crawler.vocab import WebsiteRole

BAR_W, BAR_GAP, CHART_H, LINE_H = 8, 2, 40, 40
SPARK_W, SPARK_H = 96, 18
SPARKLINE_LIMIT = 500  # unit sites with a latency sparkline (one small query each)
DEFAULT_REFRESH = 300  # seconds, the portal sweep interval
STATUS_TEMPLATE = "status.html.j2"  # in spbe_crawler/reports/templates, rendered by the one environment


@dataclass
class Bar:
    x: int
    y: float
    height: float
    color: str
    title: str


@dataclass
class PortalChart:
    site: SiteFigures
    bars: list[Bar]
    points: str  # SVG polyline points of the hourly latency
    max_ms: float
    width: int


def _color(percent: float | None) -> str:
    if percent is None:
        return "#c8c8c8"
    if percent >= 99:
        return "#2e7d32"
    if percent >= 95:
        return "#f9a825"
    return "#c62828"


def _bars(days: list[tuple[date, float | None]]) -> list[Bar]:
    bars = []
    for i, (day, percent) in enumerate(days):
        height = CHART_H * (percent if percent is not None else 100) / 100
        label = f"{day:%d-%m-%Y}: " + (persen(percent, 2) if percent is not None else "tidak ada data")
        bars.append(Bar(i * (BAR_W + BAR_GAP), CHART_H - height, max(height, 1.0), _color(percent), label))
    return bars


def _points(hours: list[tuple[datetime, float | None]], width: int, height: int) -> tuple[str, float]:
    """SVG polyline points of hourly values (empty when fewer than two hours have a value)."""
    values = [v for _, v in hours if v is not None]
    if len(values) < 2:
        return "", max(values, default=0.0)
    top = max(values) if values else 1.0
    step = width / max(len(hours) - 1, 1)
    coords = [f"{i * step:.1f},{height - 1 - (v / top) * (height - 2):.1f}" for i, (_, v) in enumerate(hours) if v is not None]
    return " ".join(coords), top


def portal_charts(source: Any, figures: MonitorFigures) -> list[PortalChart]:
    charts = []
    for site in (s for s in figures.sites if s.role == WebsiteRole.PORTAL):
        days = daily_uptime(source, site.website_id, figures.generated_at)
        width = len(days) * (BAR_W + BAR_GAP)
        points, top = _points(hourly_latency(source, site.website_id, figures.generated_at), width, LINE_H)
        charts.append(PortalChart(site, _bars(days), points, top, width))
    return charts


@dataclass
class UnitRow:
    site: SiteFigures
    points: str  # latency sparkline (empty: no data or beyond SPARKLINE_LIMIT sites)
    max_ms: float


def unit_rows(source: Any, figures: MonitorFigures) -> list[UnitRow]:
    rows = []
    order = {"down": 0, "pending": 1, "maintenance": 2, "unknown": 3, "up": 4}  # disruptions first
    units = sorted((s for s in figures.sites if s.role != WebsiteRole.PORTAL), key=lambda s: order[s.state])
    for n, site in enumerate(units):
        points, top = "", 0.0
        if n < SPARKLINE_LIMIT:
            points, top = _points(hourly_latency(source, site.website_id, figures.generated_at), SPARK_W, SPARK_H)
        rows.append(UnitRow(site, points, top))
    return rows


@dataclass
class Banner:
    state: str  # up | down | pending | maintenance | unknown
    title: str
    detail: str


def banner(figures: MonitorFigures) -> Banner:
    """The overall banner: all working, some disrupted, a disruption being confirmed, some under
    maintenance, or no data yet."""
    states = Counter(site.state for site in figures.sites)
    total = len(figures.sites)
    checking = f"{states['pending']} situs gagal diakses dan sedang diperiksa ulang." if states["pending"] else ""
    maintenance = f"{states['maintenance']} situs dalam pemeliharaan." if states["maintenance"] else ""
    if total == 0 or states["unknown"] == total:
        return Banner("unknown", "Belum ada data pemantauan", "Situs belum pernah diperiksa.")
    if states["down"]:
        detail = " ".join(filter(None, [f"{states['down']} dari {total} situs tidak dapat diakses.", checking, maintenance]))
        return Banner("down", "Sebagian layanan terganggu", detail)
    if states["pending"]:
        return Banner("pending", "Gangguan sedang dikonfirmasi", " ".join(filter(None, [checking, maintenance, "Situs lain berfungsi."])))
    if states["maintenance"]:
        return Banner("maintenance", "Sebagian layanan dalam pemeliharaan", f"{maintenance} Situs lain berfungsi.")
    return Banner("up", "Semua layanan berfungsi", f"{states['up']} dari {total} situs berfungsi pada pemeriksaan terakhir.")


@dataclass
class MaintenanceRow:
    window: Window
    target: str


def maintenance_rows(source: Any, figures: MonitorFigures) -> list[MaintenanceRow]:
    """Current and upcoming windows that touch a site of the scope."""
    rows = []
    for window in list_windows(source, figures.generated_at):
        sites = [s for s in figures.sites if window.covers(s.website_id, s.unit_code)]
        if sites:
            target = sites[0].url if window.website_id is not None else f"{len(sites)} situs ({window.scope})"
            rows.append(MaintenanceRow(window, target))
    return rows


def render_status_page(source: Any, scope: str, now: datetime | None = None, refresh: int = DEFAULT_REFRESH) -> str:
    """The page's HTML. Only status labels reach it, never a probe's technical detail (addresses,
    network-policy words): the page is public. ``refresh``: seconds between automatic reloads (0: none)."""
    figures = monitor_figures(source, scope, now)
    template = environment().get_template(STATUS_TEMPLATE)
    return template.render(
        zone=None if scope == ALL else scope,
        f=figures,
        banner=banner(figures),
        charts=portal_charts(source, figures),
        units=unit_rows(source, figures),
        maintenance=maintenance_rows(source, figures),
        certs=expiring_certs(figures),
        cert_horizon=CERT_HORIZON,
        windows=WINDOW_LABELS,
        state_text=STATE_TEXT,
        refresh=refresh,
        bar_h=CHART_H,
        line_h=LINE_H,
        spark_w=SPARK_W,
        spark_h=SPARK_H,
    )


def write_status_page(source: Any, scope: str, out_dir: Path, now: datetime | None = None, refresh: int = DEFAULT_REFRESH) -> Path:
    """Write ``index.html`` and the badges (``badge/<situs>.svg``) into ``out_dir``; returns the page's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    path.write_text(render_status_page(source, scope, now, refresh), encoding="utf-8")
    for name, svg in badge_files(monitor_figures(source, scope, now)).items():
        (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_text(svg, encoding="utf-8")
    return path
