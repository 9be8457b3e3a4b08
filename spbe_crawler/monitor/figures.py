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

from spbe_crawler.health.status import info, works
from spbe_crawler.monitor import sketch
from spbe_crawler.monitor.maintenance import active_windows, window_for
from spbe_crawler.store import monitor_reads
from spbe_crawler.store.monitor_reader import ALL, floor_hour, reader_for, utcnow

WINDOWS: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
WINDOW_LABELS = {"24h": "24 jam", "7d": "7 hari", "30d": "30 hari"}
CERT_DAYS = (30, 14, 7)
CERT_HORIZON = CERT_DAYS[0]  # days ahead in which an expiring certificate is listed


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
    maintenance_until: datetime | None = None  # set while a maintenance window covers the site
    maintenance_note: str = ""
    pending_since: datetime | None = None  # a failure waits for its confirmation since then
    pending_status: str = ""

    @property
    def state(self) -> str:
        """``maintenance``, ``pending``, ``up``, ``down`` or ``unknown`` (never probed): what banners,
        badges and metrics show. Down means the last confirmed verdict failed; pending, that a new
        failure waits for its confirmation (N of M attempts)."""
        if self.maintenance_until is not None:
            return "maintenance"
        if self.pending_since is not None:
            return "pending"
        if self.last_status is None:
            return "unknown"
        return "up" if works(self.last_status) else "down"


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


def window_start(now: datetime, window: str) -> datetime:
    return floor_hour(now - WINDOWS[window])


def _sites(source: Any, scope: str) -> dict[int, SiteFigures]:
    return {row[0]: SiteFigures(*row) for row in monitor_reads.site_rows(source, scope)}


def uptime_counts(source: Any, scope: str, since: datetime) -> dict[int, Uptime]:
    """Up/total probes per website since ``since`` (hour-aligned), raw probes plus rollups."""
    counts: dict[int, Uptime] = defaultdict(Uptime)
    for website_id, up, total in monitor_reads.uptime_rows(source, scope, since):
        counts[website_id].up += up
        counts[website_id].total += total
    return counts


def latency_sketches(source: Any, scope: str, now: datetime) -> dict[str, dict[int, dict[str, int]]]:
    """Per window, per website: a sketch of the total time of working probes."""
    starts = {w: window_start(now, w) for w in WINDOWS}
    first = min(starts.values())
    result: dict[str, dict[int, dict[str, int]]] = {w: defaultdict(dict) for w in WINDOWS}
    for website_id, started_at, total_ms in monitor_reads.working_latencies(source, scope, first):
        key = sketch.bucket(total_ms)
        for window, start in starts.items():
            if started_at >= start:
                target = result[window][website_id]
                target[key] = target.get(key, 0) + 1
    for website_id, hour, hour_sketch in monitor_reads.rollup_sketches(source, scope, first):
        for window, start in starts.items():
            if hour >= start:
                sketch.merge(result[window][website_id], hour_sketch)
    return result


def _incidents(source: Any, scope: str, since: datetime, now: datetime) -> list[IncidentFigures]:
    rows = [
        IncidentFigures(
            incident_id,
            website_id,
            url,
            unit_name,
            status,
            info(status).label,
            detail,
            started,
            ended,
            int(((ended or now) - started).total_seconds()),
        )
        for incident_id, website_id, url, unit_name, status, detail, started, ended in monitor_reads.incident_rows(source, scope, since)
    ]
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


def scope_name(source: Any, scope: str) -> str:
    if scope == ALL:
        return "Semua pemerintah daerah"
    return monitor_reads.unit_name(source, scope) or scope


def monitor_figures(source: Any, scope: str = ALL, now: datetime | None = None) -> MonitorFigures:
    """Every availability figure of ``scope`` at ``now`` (default: the current time).

    ``source``: a SQLAlchemy ``Session`` or a :class:`~spbe_crawler.store.monitor_reader.Reader`."""
    db = reader_for(source)  # one connection for every read
    now = now or utcnow()
    sites = _sites(db, scope)
    for window in WINDOWS:
        for website_id, uptime in uptime_counts(db, scope, window_start(now, window)).items():
            if website_id in sites:
                sites[website_id].uptime[window] = uptime
    for window, per_site in latency_sketches(db, scope, now).items():
        for website_id, site_sketch in per_site.items():
            if website_id in sites:
                sites[website_id].p50_ms[window] = sketch.sketch_quantile(site_sketch, 0.50)
                sites[website_id].p95_ms[window] = sketch.sketch_quantile(site_sketch, 0.95)
    _attach_latest(db, scope, sites, now)
    incidents = _incidents(db, scope, window_start(now, "30d"), now)
    for incident in incidents:
        if incident.ended_at is None and incident.website_id in sites:
            sites[incident.website_id].open_incident = True
    windows = active_windows(db, now)
    for site in sites.values():
        maintenance = window_for(windows, site.website_id, site.unit_code)
        if maintenance is not None:
            site.maintenance_until, site.maintenance_note = maintenance.ends_at, maintenance.note
    ordered = list(sites.values())
    certs = {
        days: sorted((s for s in ordered if s.cert_days_left is not None and s.cert_days_left <= days), key=lambda s: s.cert_days_left or 0)
        for days in CERT_DAYS
    }
    return MonitorFigures(scope, scope_name(db, scope), now, ordered, _kinds(ordered), incidents, certs)


def _attach_latest(db: Any, scope: str, sites: dict[int, SiteFigures], now: datetime) -> None:
    for website_id, status, detail, started_at in monitor_reads.latest_probes(db, scope):
        if website_id in sites:
            site = sites[website_id]
            site.last_status, site.last_detail, site.last_checked = status, detail, started_at
    for website_id, since, _attempts, _failures, status, _detail in monitor_reads.pending_rows(db, scope):
        if website_id in sites:
            sites[website_id].pending_since, sites[website_id].pending_status = since, status
    for website_id, expires, issuer in monitor_reads.latest_certificates(db, scope):
        if website_id in sites:
            site = sites[website_id]
            site.cert_expires_at, site.cert_issuer = expires, issuer
            site.cert_days_left = int((expires - now).total_seconds() // 86400)


def daily_uptime(source: Any, website_id: int, now: datetime, days: int = 30) -> list[tuple[date, float | None]]:
    """Uptime % of one website per UTC day, oldest first (None: no probe that day)."""
    db = reader_for(source)
    start = datetime.combine((now - timedelta(days=days - 1)).date(), datetime.min.time(), tzinfo=UTC)
    per_day: dict[date, Uptime] = defaultdict(Uptime)
    for started_at, status in monitor_reads.site_probes(db, website_id, start):
        per_day[started_at.date()].total += 1
        per_day[started_at.date()].up += int(works(status))
    for hour, up, total in monitor_reads.site_rollups(db, website_id, start):
        per_day[hour.date()].up += up
        per_day[hour.date()].total += total
    return [(day, per_day[day].percent if day in per_day else None) for day in (start.date() + timedelta(days=i) for i in range(days))]


def hourly_latency(source: Any, website_id: int, now: datetime, hours: int = 24) -> list[tuple[datetime, float | None]]:
    """Median total time (ms) of working probes of one website per hour, oldest first."""
    start = floor_hour(now) - timedelta(hours=hours - 1)
    per_hour: dict[datetime, list[float]] = defaultdict(list)
    for started_at, total_ms in monitor_reads.site_latencies(source, website_id, start):
        per_hour[floor_hour(started_at)].append(total_ms)
    slots = [start + timedelta(hours=i) for i in range(hours)]
    return [(slot, sketch.exact_quantile(per_hour.get(slot, []), 0.5)) for slot in slots]


def expiring_certs(figures: MonitorFigures, horizon: int = CERT_HORIZON) -> list[SiteFigures]:
    """Certificates expiring within ``horizon`` days, each host once, soonest first."""
    seen: dict[str, SiteFigures] = {}
    for site in figures.sites:
        if site.cert_days_left is not None and site.cert_days_left <= horizon and site.host not in seen:
            seen[site.host] = site
    return sorted(seen.values(), key=lambda s: (s.cert_days_left or 0, s.host))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def monitor_export(session: Any, scope: str = ALL, now: datetime | None = None) -> dict[str, Any]:
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
