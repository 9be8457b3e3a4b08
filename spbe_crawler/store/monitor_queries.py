"""Queries of the monitor (SQLAlchemy): the websites a sweep probes, probes and incidents, hourly
rollups, the alert outbox. The read-only figures are in :mod:`spbe_crawler.store.monitor_reads`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert
from sqlalchemy import select as core_select  # typed for more than four columns
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from spbe_crawler.store.models import CrawlRun, Incident, Probe, Unit, Website
from spbe_crawler.store.models_monitor import AlertLog, MaintenanceWindow, PendingCheck, ProbeRollup
from spbe_crawler.store.monitor_reader import ALL
from spbe_crawler.vocab import WebsiteRole, WebsiteState

TARGET_CLASSES = (WebsiteRole.PORTAL.value, WebsiteRole.UNIT.value)
IN_CHUNK = 500  # ids per IN (...) list
FOREVER = datetime(9999, 1, 1, tzinfo=UTC)  # a due time every pending confirmation is before

Shard = tuple[int, int]  # (index, count): the websites whose id modulo count is index
# website id, url, host, role, unit code, open incident, pending check (None: no confirmation open)
TargetRow = tuple[int, str, str, str, str, bool, PendingCheck | None]


def in_scope(query: Any, scope: str) -> Any:
    """Restrict a query that joins ``Unit`` to a pemda (the pemda unit itself and every unit under it)."""
    if scope == ALL:
        return query
    return query.where(or_(Unit.code == scope, Unit.pemda_code == scope))


def of_class(query: Any, target_class: str | None) -> Any:
    if target_class is None:
        return query
    if target_class not in TARGET_CLASSES:
        raise ValueError(f"kelas target tidak dikenal: {target_class!r} (pilihan: {', '.join(TARGET_CLASSES)})")
    if target_class == WebsiteRole.PORTAL:
        return query.where(Website.role == WebsiteRole.PORTAL.value)
    return query.where(Website.role != WebsiteRole.PORTAL.value)


def of_shard(query: Any, shard: Shard | None) -> Any:
    if shard is None or shard[1] <= 1:
        return query
    return query.where(col(Website.id) % shard[1] == shard[0])


def target_query(scope: str, target_class: str | None = None, shard: Shard | None = None, pending_due: datetime | None = None) -> Any:
    """The non-rejected websites of ``scope`` (of one class, one shard) with whether an incident is
    open and their pending confirmation; ``pending_due``: only those whose confirmation is due by then."""
    open_incident = exists().where(col(Incident.website_id) == col(Website.id), col(Incident.ended_at).is_(None))
    columns = (col(Website.id), col(Website.url), col(Website.host), col(Website.role), col(Website.unit_code), open_incident)
    query = core_select(*columns, PendingCheck)  # type: ignore[call-overload]
    on_pending = col(PendingCheck.website_id) == col(Website.id)
    if pending_due is None:
        query = query.outerjoin(PendingCheck, on_pending)
    else:
        query = query.join(PendingCheck, on_pending).where(col(PendingCheck.due_at) <= pending_due)
    query = query.join(Unit, col(Unit.code) == col(Website.unit_code)).where(col(Website.state) != WebsiteState.REJECTED.value)
    return of_shard(of_class(in_scope(query, scope), target_class), shard)


def target_rows_after(
    engine: Engine,
    scope: str,
    target_class: str | None,
    shard: Shard | None,
    last_id: int,
    page: int,
    pending_due: datetime | None = None,
) -> list[TargetRow]:
    """The next ``page`` targets after website id ``last_id``, by id (keyset pagination)."""
    with Session(engine, expire_on_commit=False) as session:
        query = target_query(scope, target_class, shard, pending_due).where(col(Website.id) > last_id).order_by(col(Website.id)).limit(page)
        return [(int(r[0]), r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in session.execute(query).all()]


def next_pending_due(engine: Engine, scope: str, target_class: str | None = None, shard: Shard | None = None) -> datetime | None:
    """When the earliest pending confirmation of ``scope`` (class, shard) is due; None when there is none."""
    query = target_query(scope, target_class, shard, pending_due=FOREVER).order_by(col(PendingCheck.due_at)).limit(1)
    with Session(engine, expire_on_commit=False) as session:
        row = session.execute(query).first()
    return row[6].due_at if row is not None else None


def count_pending(engine: Engine, scope: str, target_class: str | None = None, shard: Shard | None = None) -> int:
    query = target_query(scope, target_class, shard, pending_due=FOREVER).subquery()
    with Session(engine) as session:
        return int(session.execute(core_select(func.count()).select_from(query)).scalar() or 0)


def save_pending(session: Session, rows: Sequence[dict[str, Any]], ended: Iterable[int]) -> None:
    """Replace the pending confirmations of these websites by ``rows``; drop those of ``ended``."""
    gone = sorted({int(row["website_id"]) for row in rows} | set(ended))
    for start in range(0, len(gone), IN_CHUNK):
        session.execute(delete(PendingCheck).where(col(PendingCheck.website_id).in_(gone[start : start + IN_CHUNK])))
    if rows:
        session.execute(insert(PendingCheck.__table__), list(rows))  # type: ignore[attr-defined]


def count_targets(engine: Engine, scope: str, target_class: str | None = None) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(target_query(scope, target_class).subquery())).one())


# -- probes and incidents -------------------------------------------------------------------------


def insert_probes(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """One multi-row INSERT of probe rows (no unit of work)."""
    if rows:
        session.execute(insert(Probe.__table__), list(rows))  # type: ignore[attr-defined]


def open_incidents(session: Session, website_ids: Iterable[int]) -> dict[int, Incident]:
    """The open incident of each of these websites that has one."""
    found: dict[int, Incident] = {}
    ids = sorted(set(website_ids))
    for start in range(0, len(ids), IN_CHUNK):
        statement = select(Incident).where(col(Incident.website_id).in_(ids[start : start + IN_CHUNK]), col(Incident.ended_at).is_(None))
        found.update({row.website_id: row for row in session.exec(statement)})
    return found


def recent_probes(session: Session, website_id: int, count: int) -> list[Probe]:
    """The ``count`` newest probes of one website, newest first."""
    query = select(Probe).where(Probe.website_id == website_id).order_by(col(Probe.started_at).desc(), col(Probe.id).desc())
    return list(session.exec(query.limit(count)))


# -- rollups --------------------------------------------------------------------------------------

ProbeRow = tuple[int, int, datetime, str, float | None]  # id, website id, started at, status, total ms


def probes_before(session: Session, cutoff: datetime, limit: int) -> list[ProbeRow]:
    """The oldest ``limit`` raw probes started before ``cutoff``, by id."""
    query = core_select(col(Probe.id), col(Probe.website_id), col(Probe.started_at), col(Probe.status), col(Probe.total_ms))
    rows = session.execute(query.where(col(Probe.started_at) < cutoff).order_by(col(Probe.id)).limit(limit))
    return [(int(r[0] or 0), r[1], r[2], r[3], r[4]) for r in rows]


def delete_probes(session: Session, probe_ids: Sequence[int]) -> None:
    for start in range(0, len(probe_ids), 1000):
        session.execute(delete(Probe).where(col(Probe.id).in_(probe_ids[start : start + 1000])))


def rollups_between(
    session: Session, website_ids: Iterable[int], first: datetime, last: datetime
) -> dict[tuple[int, datetime], ProbeRollup]:
    """Rollup rows of these websites for the hours ``first``..``last``, by (website id, hour)."""
    ids = sorted(set(website_ids))
    found: dict[tuple[int, datetime], ProbeRollup] = {}
    for start in range(0, len(ids), IN_CHUNK):
        query = select(ProbeRollup).where(
            col(ProbeRollup.website_id).in_(ids[start : start + IN_CHUNK]), ProbeRollup.hour >= first, ProbeRollup.hour <= last
        )
        found.update({(row.website_id, row.hour): row for row in session.exec(query)})
    return found


# -- alerts ---------------------------------------------------------------------------------------


def incidents_to_alert(session: Session, scope: str, ended_since: datetime) -> list[tuple[Incident, str, str, str]]:
    """(incident, url, unit name, unit code) of the open incidents of ``scope`` and those ended since ``ended_since``."""
    query = select(Incident, Website.url, Unit.name, Website.unit_code).join(Website, col(Website.id) == col(Incident.website_id))
    query = in_scope(query.join(Unit, col(Unit.code) == col(Website.unit_code)), scope)
    query = query.where(col(Incident.ended_at).is_(None) | (col(Incident.ended_at) >= ended_since))
    return [(incident, url, unit_name, unit_code) for incident, url, unit_name, unit_code in session.exec(query)]


def certificates_expiring(session: Session, scope: str, probed_since: datetime, expiring_by: datetime) -> list[tuple[Probe, str, str]]:
    """(probe, url, unit name): the newest probe with a certificate since ``probed_since`` of each
    website of ``scope``, when that certificate expires by ``expiring_by``."""
    latest = (
        select(Probe.website_id, func.max(Probe.id).label("probe_id"))
        .where(col(Probe.tls_expires_at).is_not(None), Probe.started_at >= probed_since)
        .group_by(col(Probe.website_id))
        .subquery()
    )
    query = select(Probe, Website.url, Unit.name).join(latest, col(Probe.id) == latest.c.probe_id)
    query = query.join(Website, col(Website.id) == col(Probe.website_id)).join(Unit, col(Unit.code) == col(Website.unit_code))
    query = in_scope(query, scope).where(col(Probe.tls_expires_at) <= expiring_by)
    return [(probe, url, unit_name) for probe, url, unit_name in session.exec(query)]


def alert_logs(session: Session, event_keys: Iterable[str]) -> dict[tuple[str, str], AlertLog]:
    """The outbox rows of these events, by (event key, channel)."""
    keys = list(dict.fromkeys(event_keys))
    found: dict[tuple[str, str], AlertLog] = {}
    for start in range(0, len(keys), IN_CHUNK):
        for row in session.exec(select(AlertLog).where(col(AlertLog.event_key).in_(keys[start : start + IN_CHUNK]))):
            found[(row.event_key, row.channel)] = row
    return found


# -- runs -----------------------------------------------------------------------------------------


def start_run(engine: Engine, kind: str, scope: str, options: dict[str, Any]) -> int:
    """Open a run (state ``running``); returns its id."""
    with Session(engine) as session:
        run = CrawlRun(kind=kind, scope=scope, options=options)
        session.add(run)
        session.commit()
        assert run.id is not None
        return run.id


def update_run(engine: Engine, run_id: int, options: dict[str, Any], **fields: Any) -> None:
    """Merge ``options`` into a run's options and set ``fields`` (``state``, ``finished_at`` ...)."""
    with Session(engine) as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            return
        for name, value in fields.items():
            setattr(run, name, value)
        run.options = {**run.options, **options}
        session.add(run)
        session.commit()


def add_maintenance_window(session: Session, scope: str, website_id: int | None, starts_at: datetime, ends_at: datetime, note: str) -> int:
    row = MaintenanceWindow(scope=scope, website_id=website_id, starts_at=starts_at, ends_at=ends_at, note=note)
    session.add(row)
    session.commit()
    return int(row.id)  # type: ignore[arg-type]


def remove_maintenance_window(session: Session, window_id: int) -> bool:
    row = session.get(MaintenanceWindow, window_id)
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True
