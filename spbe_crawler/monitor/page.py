"""The static status page a pemda can publish: one offline HTML file, Bahasa Indonesia, with an
inline SVG uptime/latency chart per service portal. Every text from the database or a crawled
site goes through Jinja2 autoescaping; links are emitted only for http(s) URLs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment
from sqlmodel import Session

from spbe_crawler.health.status import info, works
from spbe_crawler.monitor.figures import (
    CERT_DAYS,
    WINDOW_LABELS,
    MonitorFigures,
    SiteFigures,
    cert_label,
    daily_uptime,
    format_duration,
    hourly_latency,
    monitor_figures,
)
from spbe_crawler.monitor.page_template import TEMPLATE

BAR_W, BAR_GAP, CHART_H, LINE_H = 8, 2, 40, 40


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
        label = f"{day:%d-%m-%Y}: " + (_fmt_pct(percent) if percent is not None else "tidak ada data")
        bars.append(Bar(i * (BAR_W + BAR_GAP), CHART_H - height, max(height, 1.0), _color(percent), label))
    return bars


def _points(hours: list[tuple[datetime, float | None]], width: int) -> tuple[str, float]:
    values = [v for _, v in hours if v is not None]
    top = max(values) if values else 1.0
    step = width / max(len(hours) - 1, 1)
    coords = [f"{i * step:.1f},{LINE_H - (v / top) * (LINE_H - 2):.1f}" for i, (_, v) in enumerate(hours) if v is not None]
    return " ".join(coords), top


def portal_charts(session: Session, figures: MonitorFigures) -> list[PortalChart]:
    charts = []
    for site in (s for s in figures.sites if s.role == "portal"):
        days = daily_uptime(session, site.website_id, figures.generated_at)
        width = len(days) * (BAR_W + BAR_GAP)
        points, top = _points(hourly_latency(session, site.website_id, figures.generated_at), width)
        charts.append(PortalChart(site, _bars(days), points, top, width))
    return charts


def _fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}%".replace(".", ",")


def _fmt_ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} md"


def _safe_href(url: str) -> str | None:
    return url if url.lower().startswith(("http://", "https://")) else None


def _environment() -> Environment:
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=_fmt_pct, ms=_fmt_ms, href=_safe_href, duration=format_duration, cert=cert_label)
    env.globals.update(label=lambda s: info(s).label if s else "Belum diperiksa", up=lambda s: bool(s) and works(s))
    return env


def render_status_page(session: Session, scope: str, now: datetime | None = None) -> str:
    figures = monitor_figures(session, scope, now)
    template = _environment().from_string(TEMPLATE)
    return template.render(
        f=figures,
        charts=portal_charts(session, figures),
        windows=WINDOW_LABELS,
        cert_days=CERT_DAYS,
        units=[s for s in figures.sites if s.role != "portal"],
        bar_h=CHART_H,
        line_h=LINE_H,
    )


def write_status_page(session: Session, scope: str, out_dir: Path, now: datetime | None = None) -> Path:
    """Write ``index.html`` into ``out_dir`` (created) and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    path.write_text(render_status_page(session, scope, now), encoding="utf-8")
    return path
