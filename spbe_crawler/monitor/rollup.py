"""Retention: raw probes older than ``SPBE_MONITOR_RETENTION_DAYS`` become hourly ``ProbeRollup`` rows.

Only whole hours are rolled up (the cut-off is aligned to the hour) and uptime windows start on
the hour too, so uptime computed from rollups + raw probes is exactly what raw probes gave.
Each chunk adds its counts to the rollups and deletes its probes in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from spbe_crawler.health.status import works
from spbe_crawler.monitor import sketch
from spbe_crawler.store.models import utcnow
from spbe_crawler.store.models_monitor import ProbeRollup
from spbe_crawler.store.monitor_queries import ProbeRow, delete_probes, probes_before, rollups_between
from spbe_crawler.store.monitor_reader import floor_hour

CHUNK = 20_000


@dataclass
class RollupResult:
    probes: int = 0
    rollups: int = 0
    cutoff: datetime | None = None


@dataclass
class _Hour:
    total: int = 0
    up: int = 0
    latencies: list[float] = field(default_factory=list)


def _aggregate(rows: list[ProbeRow]) -> dict[tuple[int, datetime], _Hour]:
    hours: dict[tuple[int, datetime], _Hour] = defaultdict(_Hour)
    for _id, website_id, started_at, status, total_ms in rows:
        entry = hours[(website_id, floor_hour(started_at))]
        entry.total += 1
        if works(status):
            entry.up += 1
            if total_ms is not None:
                entry.latencies.append(total_ms)
    return hours


def _add(row: ProbeRollup, hour: _Hour) -> None:
    row.total += hour.total
    row.up += hour.up
    row.down = row.total - row.up
    values = hour.latencies
    if values:
        row.latency_count += len(values)
        row.latency_sum += sum(values)
        row.latency_min = min(values) if row.latency_min is None else min(row.latency_min, *values)
        row.latency_max = max(values) if row.latency_max is None else max(row.latency_max, *values)
        row.sketch = sketch.add(dict(row.sketch or {}), values)


def _existing(session: Session, hours: dict[tuple[int, datetime], _Hour]) -> dict[tuple[int, datetime], ProbeRollup]:
    """Rollup rows already present for the chunk's (website, hour) keys."""
    first, last = min(key[1] for key in hours), max(key[1] for key in hours)
    return rollups_between(session, {key[0] for key in hours}, first, last)


def _roll_chunk(session: Session, cutoff: datetime) -> tuple[int, int]:
    rows = probes_before(session, cutoff, CHUNK)
    if not rows:
        return 0, 0
    hours = _aggregate(rows)
    existing = _existing(session, hours)
    for key, hour in hours.items():
        row = existing.get(key) or ProbeRollup(website_id=key[0], hour=key[1])
        _add(row, hour)
        session.add(row)
    delete_probes(session, [r[0] for r in rows])
    session.commit()
    return len(rows), len(hours)


def rollup_probes(engine: Engine, retention_days: float = 7, now: datetime | None = None) -> RollupResult:
    """Roll up every whole hour older than ``retention_days``; returns the counts moved."""
    cutoff = floor_hour((now or utcnow()) - timedelta(days=retention_days))
    result = RollupResult(cutoff=cutoff)
    while True:
        with Session(engine) as session:
            probes, rollups = _roll_chunk(session, cutoff)
        if probes == 0:
            return result
        result.probes += probes
        result.rollups += rollups
