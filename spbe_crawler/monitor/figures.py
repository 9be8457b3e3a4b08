"""Availability figures of a scope: uptime per site and per unit kind over 24 h / 7 d / 30 d,
latency p50/p95, certificates expiring within 30/14/7 days, incidents.

Uptime counts raw probes plus hourly rollups; windows start on the hour so rollups never change
the result. Latency percentiles come from log-bucket sketches (±1 %), streamed, so a month of a
large scope fits in little memory. :func:`monitor_export` is the dict the lead's export embeds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from spbe_crawler.health.status import Status, info, works
from spbe_crawler.monitor import sketch
from spbe_crawler.monitor.rollup import floor_hour
from spbe_crawler.monitor.targets import ALL, in_scope
from spbe_crawler.store.models import Incident, Probe, Unit, Website, utcnow
from spbe_crawler.store.models_monitor import ProbeRollup

WINDOWS: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
WINDOW_LABELS = {"24h": "24 jam", "7d": "7 hari", "30d": "30 hari"}
CERT_DAYS = (30, 14, 7)
WORKING = [s.value for s in Status if works(s)]


@dataclass
class Uptime:
    up: int = 0
    total: int = 0

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.up / self.total, 3) if self.total else None


@dataclass
class SiteFigures:
    website_id: int
    url: str
    host: str
    role: str
    unit_code: str
    unit_name: str
    unit_kind: str
    last_status: str | None = None
    last_detail: str = ""
    last_checked: datetime | None = None
    uptime: dict[str, Uptime] = field(default_factory=lambda: {w: Uptime() for w in WINDOWS})
    p50_ms: dict[str, float | None] = field(default_factory=lambda: {w: None for w in WINDOWS})
    p95_ms: dict[str, float | None] = field(default_factory=lambda: {w: None for w in WINDOWS})
    cert_expires_at: datetime | None = None
    cert_issuer: str | None = None
    cert_days_left: int | None = None
    open_incident: bool = False


@dataclass
class KindFigures:
    kind: str
    sites: int
    uptime: dict[str, Uptime]


@dataclass
class IncidentFigures:
    id: int
    website_id: int
    url: str
    unit_name: str
    status: str
    label: str
    detail: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: int


@dataclass
class MonitorFigures:
    scope: str
    scope_name: str
    generated_at: datetime
    sites: list[SiteFigures]
    kinds: list[KindFigures]
    incidents: list[IncidentFigures]
    certs_expiring: dict[int, list[SiteFigures]]


def format_duration(seconds: int) -> str:
    """``"3 hari 4 jam"``, ``"2 jam 5 menit"``, ``"7 menit"``: the two largest units."""
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    parts = [(days, "hari"), (hours, "jam"), (rest // 60, "menit")]
    shown = [f"{value} {unit}" for value, unit in parts if value][:2]
    return " ".join(shown) or "kurang dari 1 menit"


def cert_label(days_left: int | None) -> str:
    if days_left is None:
        return "–"
    return "sudah kedaluwarsa" if days_left < 0 else f"{days_left} hari lagi"


def window_start(now: datetime, window: str) -> datetime:
    return floor_hour(now - WINDOWS[window])


def _scoped(query: Any, website_column: Any, scope: str) -> Any:
    query = query.join(Website, col(Website.id) == website_column).join(Unit, col(Unit.code) == col(Website.unit_code))
    return in_scope(query.where(Website.state != "rejected"), scope)


def _sites(session: Session, scope: str) -> dict[int, SiteFigures]:
    query = select(Website.id, Website.url, Website.host, Website.role, Website.unit_code, Unit.name, Unit.kind)
    query = in_scope(query.join(Unit, col(Unit.code) == col(Website.unit_code)).where(Website.state != "rejected"), scope)
    return {row[0]: SiteFigures(*row) for row in session.exec(query.order_by(col(Website.id)))}


def uptime_counts(session: Session, scope: str, since: datetime) -> dict[int, Uptime]:
    """Up/total probes per website since ``since`` (hour-aligned), raw probes plus rollups."""
    counts: dict[int, Uptime] = defaultdict(Uptime)
    up_raw = func.sum(case((col(Probe.status).in_(WORKING), 1), else_=0))
    raw = select(Probe.website_id, up_raw, func.count()).where(Probe.started_at >= since).group_by(Probe.website_id)
    rolled = select(ProbeRollup.website_id, func.sum(ProbeRollup.up), func.sum(ProbeRollup.total))
    rolled = rolled.where(ProbeRollup.hour >= since).group_by(ProbeRollup.website_id)
    for query, column in ((raw, Probe.website_id), (rolled, ProbeRollup.website_id)):
        for website_id, up, total in session.exec(_scoped(query, column, scope)):
            counts[website_id].up += int(up or 0)
            counts[website_id].total += int(total or 0)
    return counts


def latency_sketches(session: Session, scope: str, now: datetime) -> dict[str, dict[int, dict[str, int]]]:
    """Per window, per website: a sketch of the total time of working probes."""
    starts = {w: window_start(now, w) for w in WINDOWS}
    first = min(starts.values())
    result: dict[str, dict[int, dict[str, int]]] = {w: defaultdict(dict) for w in WINDOWS}
    raw = select(Probe.website_id, Probe.started_at, Probe.total_ms).where(
        Probe.started_at >= first, col(Probe.status).in_(WORKING), col(Probe.total_ms).is_not(None)
    )
    for website_id, started_at, total_ms in session.exec(_scoped(raw, Probe.website_id, scope)):
        key = sketch.bucket(total_ms)
        for window, start in starts.items():
            if started_at >= start:
                target = result[window][website_id]
                target[key] = target.get(key, 0) + 1
    rolled = select(ProbeRollup.website_id, ProbeRollup.hour, ProbeRollup.sketch).where(ProbeRollup.hour >= first)
    for website_id, hour, hour_sketch in session.exec(_scoped(rolled, ProbeRollup.website_id, scope)):
        for window, start in starts.items():
            if hour >= start:
                sketch.merge(result[window][website_id], hour_sketch or {})
    return result


def _latest(session: Session, scope: str, with_cert: bool) -> list[Probe]:
    inner = select(Probe.website_id, func.max(Probe.id).label("probe_id"))
    if with_cert:
        inner = inner.where(col(Probe.tls_expires_at).is_not(None))
    latest = inner.group_by(Probe.website_id).subquery()
    query = select(Probe).join(latest, col(Probe.id) == latest.c.probe_id)
    return list(session.exec(_scoped(query, Probe.website_id, scope)))


def _incidents(session: Session, scope: str, since: datetime, now: datetime) -> list[IncidentFigures]:
    query = select(Incident, Website.url, Unit.name).where(col(Incident.ended_at).is_(None) | (col(Incident.started_at) >= since))
    rows = []
    for incident, url, unit_name in session.exec(_scoped(query, Incident.website_id, scope)):
        end = incident.ended_at or now
        rows.append(
            IncidentFigures(
                int(incident.id),
                incident.website_id,
                url,
                unit_name,
                incident.status,
                info(incident.status).label,  # type: ignore[arg-type]
                incident.detail,
                incident.started_at,
                incident.ended_at,
                int((end - incident.started_at).total_seconds()),
            )
        )
    return sorted(rows, key=lambda r: (r.ended_at is not None, -r.started_at.timestamp()))


def _kinds(sites: list[SiteFigures]) -> list[KindFigures]:
    kinds: dict[str, KindFigures] = {}
    for site in sites:
        entry = kinds.setdefault(site.unit_kind, KindFigures(site.unit_kind, 0, {w: Uptime() for w in WINDOWS}))
        entry.sites += 1
        for window, uptime in site.uptime.items():
            entry.uptime[window].up += uptime.up
            entry.uptime[window].total += uptime.total
    return sorted(kinds.values(), key=lambda k: k.kind)


def scope_name(session: Session, scope: str) -> str:
    if scope == ALL:
        return "Semua pemerintah daerah"
    unit = session.get(Unit, scope)
    return unit.name if unit else scope


def monitor_figures(session: Session, scope: str = ALL, now: datetime | None = None) -> MonitorFigures:
    """Every availability figure of ``scope`` at ``now`` (default: the current time)."""
    now = now or utcnow()
    sites = _sites(session, scope)
    for window in WINDOWS:
        for website_id, uptime in uptime_counts(session, scope, window_start(now, window)).items():
            if website_id in sites:
                sites[website_id].uptime[window] = uptime
    for window, per_site in latency_sketches(session, scope, now).items():
        for website_id, site_sketch in per_site.items():
            if website_id in sites:
                sites[website_id].p50_ms[window] = sketch.sketch_quantile(site_sketch, 0.50)
                sites[website_id].p95_ms[window] = sketch.sketch_quantile(site_sketch, 0.95)
    _attach_latest(session, scope, sites, now)
    incidents = _incidents(session, scope, window_start(now, "30d"), now)
    for incident in incidents:
        if incident.ended_at is None and incident.website_id in sites:
            sites[incident.website_id].open_incident = True
    ordered = list(sites.values())
    certs = {
        days: sorted((s for s in ordered if s.cert_days_left is not None and s.cert_days_left <= days), key=lambda s: s.cert_days_left or 0)
        for days in CERT_DAYS
    }
    return MonitorFigures(scope, scope_name(session, scope), now, ordered, _kinds(ordered), incidents, certs)


def _attach_latest(session: Session, scope: str, sites: dict[int, SiteFigures], now: datetime) -> None:
    for probe in _latest(session, scope, with_cert=False):
        if probe.website_id in sites:
            site = sites[probe.website_id]
            site.last_status, site.last_detail, site.last_checked = probe.status, probe.detail, probe.started_at
    for probe in _latest(session, scope, with_cert=True):
        if probe.website_id in sites and probe.tls_expires_at is not None:
            site = sites[probe.website_id]
            site.cert_expires_at, site.cert_issuer = probe.tls_expires_at, probe.tls_issuer
            site.cert_days_left = int((probe.tls_expires_at - now).total_seconds() // 86400)


def daily_uptime(session: Session, website_id: int, now: datetime, days: int = 30) -> list[tuple[date, float | None]]:
    """Uptime % of one website per UTC day, oldest first (None: no probe that day)."""
    start = datetime.combine((now - timedelta(days=days - 1)).date(), datetime.min.time(), tzinfo=UTC)
    per_day: dict[date, Uptime] = defaultdict(Uptime)
    raw = select(Probe.started_at, Probe.status).where(Probe.website_id == website_id, Probe.started_at >= start)
    for started_at, status in session.exec(raw):
        per_day[started_at.date()].total += 1
        per_day[started_at.date()].up += int(works(status))
    rolled = select(ProbeRollup.hour, ProbeRollup.up, ProbeRollup.total).where(
        ProbeRollup.website_id == website_id, ProbeRollup.hour >= start
    )
    for hour, up, total in session.exec(rolled):
        per_day[hour.date()].up += up
        per_day[hour.date()].total += total
    return [(day, per_day[day].percent if day in per_day else None) for day in (start.date() + timedelta(days=i) for i in range(days))]


def hourly_latency(session: Session, website_id: int, now: datetime, hours: int = 24) -> list[tuple[datetime, float | None]]:
    """Median total time (ms) of working probes of one website per hour, oldest first."""
    start = floor_hour(now) - timedelta(hours=hours - 1)
    per_hour: dict[datetime, list[float]] = defaultdict(list)
    raw = select(Probe.started_at, Probe.total_ms).where(
        Probe.website_id == website_id,
        Probe.started_at >= start,
        col(Probe.status).in_(WORKING),
        col(Probe.total_ms).is_not(None),
    )
    for started_at, total_ms in session.exec(raw):
        per_hour[floor_hour(started_at)].append(total_ms)
    slots = [start + timedelta(hours=i) for i in range(hours)]
    return [(slot, sketch.exact_quantile(per_hour.get(slot, []), 0.5)) for slot in slots]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def monitor_export(session: Session, scope: str = ALL, now: datetime | None = None) -> dict[str, Any]:
    """The availability section of a pemda's export: plain JSON-able data (times ISO 8601, UTC)."""
    figures = monitor_figures(session, scope, now)
    data = asdict(figures)
    for site, raw in zip(figures.sites, data["sites"], strict=False):
        raw["uptime_percent"] = {w: u.percent for w, u in site.uptime.items()}
        raw["status_label"] = info(site.last_status).label if site.last_status else None
    for kind, raw in zip(figures.kinds, data["kinds"], strict=False):
        raw["uptime_percent"] = {w: u.percent for w, u in kind.uptime.items()}
    data["certs_expiring"] = {str(days): [s.website_id for s in sites] for days, sites in figures.certs_expiring.items()}
    data["windows"] = WINDOW_LABELS
    return _jsonable(data)
