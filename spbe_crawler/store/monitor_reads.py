"""The monitor's read-only SQL: sites of a scope, probe and rollup counts, latencies, the latest
probes, incidents, maintenance windows. Plain DB-API through :class:`Reader` (no SQLAlchemy import,
so ``spbe monitor status`` starts fast); rows come back as tuples with aware UTC times.

``source`` everywhere: a :class:`Reader`, or a SQLAlchemy ``Session``/``Connection``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from spbe_crawler.health.status import Status, works
from spbe_crawler.store.monitor_reader import ALL, Reader, reader_for
from spbe_crawler.vocab import WebsiteState

WORKING = [s.value for s in Status if works(s)]
_WORKING_SQL = ", ".join(f"'{status}'" for status in WORKING)
REJECTED = WebsiteState.REJECTED.value  # a constant of ours, never user input, in the SQL text

SiteRow = tuple[int, str, str, str, str, str, str]  # website id, url, host, role, unit code, unit name, unit kind
IncidentRow = tuple[int, int, str, str, str, str, datetime, datetime | None]  # id, website, url, unit name, status, detail, start, end
WindowRow = tuple[int, str, int | None, datetime, datetime, str]  # id, scope, website id, starts, ends, note


def _scope_sql(scope: str) -> str:
    """Joins and filter of a query on ``x.website_id``: non-rejected websites of the scope."""
    where = "" if scope == ALL else " AND (u.code = :scope OR u.pemda_code = :scope)"
    return f"JOIN website w ON w.id = x.website_id JOIN unit u ON u.code = w.unit_code WHERE w.state != '{REJECTED}'{where}"


def _time(db: Reader, value: Any) -> datetime:
    moment = db.time(value)
    assert moment is not None
    return moment


def site_rows(source: Any, scope: str) -> list[SiteRow]:
    """The non-rejected websites of ``scope`` with their unit, by website id."""
    db = reader_for(source)
    where = "" if scope == ALL else " AND (u.code = :scope OR u.pemda_code = :scope)"
    rows = db.rows(
        "SELECT w.id, w.url, w.host, w.role, w.unit_code, u.name, u.kind FROM website w "
        f"JOIN unit u ON u.code = w.unit_code WHERE w.state != '{REJECTED}'{where} ORDER BY w.id",
        scope=scope,
    )
    return [(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]


def uptime_rows(source: Any, scope: str, since: datetime) -> list[tuple[int, int, int]]:
    """(website id, working, total) since ``since``: one row per website from raw probes, one from rollups."""
    db = reader_for(source)
    raw = (
        f"SELECT x.website_id, SUM(CASE WHEN x.status IN ({_WORKING_SQL}) THEN 1 ELSE 0 END), COUNT(*) "
        f"FROM probe x {_scope_sql(scope)} AND x.started_at >= :since GROUP BY x.website_id"
    )
    rolled = (
        f"SELECT x.website_id, SUM(x.up), SUM(x.total) FROM proberollup x {_scope_sql(scope)} AND x.hour >= :since GROUP BY x.website_id"
    )
    return [
        (int(site), int(up or 0), int(total or 0)) for sql in (raw, rolled) for site, up, total in db.rows(sql, scope=scope, since=since)
    ]


def working_latencies(source: Any, scope: str, since: datetime) -> list[tuple[int, datetime, float]]:
    """(website id, started at, total ms) of every working probe with a time since ``since``."""
    db = reader_for(source)
    sql = (
        f"SELECT x.website_id, x.started_at, x.total_ms FROM probe x {_scope_sql(scope)} AND x.started_at >= :first "
        f"AND x.status IN ({_WORKING_SQL}) AND x.total_ms IS NOT NULL"
    )
    return [(int(site), _time(db, started), total) for site, started, total in db.rows(sql, scope=scope, first=since)]


def rollup_sketches(source: Any, scope: str, since: datetime) -> list[tuple[int, datetime, dict[str, int]]]:
    """(website id, hour, latency sketch) of the hourly rollups since ``since``."""
    db = reader_for(source)
    sql = f"SELECT x.website_id, x.hour, x.sketch FROM proberollup x {_scope_sql(scope)} AND x.hour >= :first"
    return [(int(site), _time(db, hour), db.json(sketch)) for site, hour, sketch in db.rows(sql, scope=scope, first=since)]


def _latest(db: Reader, scope: str, columns: str, with_cert: bool) -> list[Any]:
    """``website_id`` then ``columns`` of the newest probe (with a certificate) of each website."""
    cert = " WHERE tls_expires_at IS NOT NULL" if with_cert else ""
    return db.rows(
        f"SELECT x.website_id, {columns} FROM probe x "
        f"JOIN (SELECT website_id, MAX(id) AS probe_id FROM probe{cert} GROUP BY website_id) latest ON latest.probe_id = x.id "
        f"{_scope_sql(scope)}",
        scope=scope,
    )


def latest_probes(source: Any, scope: str) -> list[tuple[int, str, str, datetime]]:
    """(website id, status, detail, started at) of the newest probe of each website of ``scope``."""
    db = reader_for(source)
    rows = _latest(db, scope, "x.status, x.detail, x.started_at", with_cert=False)
    return [(int(site), status, detail or "", _time(db, started)) for site, status, detail, started in rows]


def latest_certificates(source: Any, scope: str) -> list[tuple[int, datetime, str | None]]:
    """(website id, expires at, issuer) of the newest probe with a certificate of each website."""
    db = reader_for(source)
    rows = _latest(db, scope, "x.tls_expires_at, x.tls_issuer", with_cert=True)
    return [(int(site), _time(db, expires), issuer) for site, expires, issuer in rows if expires is not None]


def pending_rows(source: Any, scope: str) -> list[tuple[int, datetime, int, int, str, str]]:
    """(website id, first failure, attempts, failures, status, detail) of each failure of ``scope``
    still waiting for its confirmation."""
    db = reader_for(source)
    sql = f"SELECT x.website_id, x.started_at, x.attempts, x.failures, x.status, x.detail FROM pendingcheck x {_scope_sql(scope)}"
    return [(int(r[0]), _time(db, r[1]), int(r[2]), int(r[3]), r[4], r[5] or "") for r in db.rows(sql, scope=scope)]


def incident_rows(source: Any, scope: str, since: datetime) -> list[IncidentRow]:
    """Incidents of ``scope`` still open or started since ``since``."""
    db = reader_for(source)
    sql = (
        "SELECT x.id, x.website_id, w.url, u.name, x.status, x.detail, x.started_at, x.ended_at "
        f"FROM incident x {_scope_sql(scope)} AND (x.ended_at IS NULL OR x.started_at >= :since)"
    )
    return [
        (int(r[0]), int(r[1]), r[2], r[3], r[4], r[5] or "", _time(db, r[6]), db.time(r[7])) for r in db.rows(sql, scope=scope, since=since)
    ]


def unit_name(source: Any, code: str) -> str | None:
    rows = reader_for(source).rows("SELECT name FROM unit WHERE code = :scope", scope=code)
    return rows[0][0] if rows else None


def site_probes(source: Any, website_id: int, since: datetime) -> list[tuple[datetime, str]]:
    """(started at, status) of one website's raw probes since ``since``."""
    db = reader_for(source)
    sql = "SELECT started_at, status FROM probe WHERE website_id = :site AND started_at >= :start"
    return [(_time(db, started), status) for started, status in db.rows(sql, site=website_id, start=since)]


def site_rollups(source: Any, website_id: int, since: datetime) -> list[tuple[datetime, int, int]]:
    """(hour, working, total) of one website's rollups since ``since``."""
    db = reader_for(source)
    sql = "SELECT hour, up, total FROM proberollup WHERE website_id = :site AND hour >= :start"
    return [(_time(db, hour), int(up), int(total)) for hour, up, total in db.rows(sql, site=website_id, start=since)]


def site_latencies(source: Any, website_id: int, since: datetime) -> list[tuple[datetime, float]]:
    """(started at, total ms) of one website's working probes with a time since ``since``."""
    db = reader_for(source)
    sql = (
        "SELECT started_at, total_ms FROM probe WHERE website_id = :site AND started_at >= :start "
        f"AND status IN ({_WORKING_SQL}) AND total_ms IS NOT NULL"
    )
    return [(_time(db, started), total) for started, total in db.rows(sql, site=website_id, start=since)]


_WINDOW_COLUMNS = "SELECT id, scope, website_id, starts_at, ends_at, note FROM maintenancewindow"


def _windows(db: Reader, sql: str, **params: Any) -> list[WindowRow]:
    return [(int(r[0]), r[1], r[2], _time(db, r[3]), _time(db, r[4]), r[5] or "") for r in db.rows(sql, **params)]


def windows_open_at(source: Any, now: datetime) -> list[WindowRow]:
    """Maintenance windows open at ``now``."""
    return _windows(reader_for(source), f"{_WINDOW_COLUMNS} WHERE starts_at <= :now AND ends_at > :now", now=now)


def windows_ending_after(source: Any, since: datetime) -> list[WindowRow]:
    """Maintenance windows that end after ``since``, soonest first."""
    return _windows(reader_for(source), f"{_WINDOW_COLUMNS} WHERE ends_at > :since ORDER BY starts_at", since=since)
