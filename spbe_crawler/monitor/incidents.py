"""Incidents from confirmed probes, with hysteresis.

A confirmed failure opens an incident for a website that has none open; an open incident closes
only after K consecutive working probes (``close_after``), at the time of the first of them. A
site that flaps (down, up once, down) therefore stays in one incident instead of many.
All state is in the ``Probe`` and ``Incident`` tables, so it survives restarts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from spbe_crawler.health.status import works
from spbe_crawler.store.models import Incident
from spbe_crawler.store.monitor_queries import open_incidents, recent_probes


class ProbeLike(Protocol):
    """A ``Probe`` row or a :class:`~spbe_crawler.monitor.probe.ProbeResult`."""

    website_id: int
    status: str
    detail: str
    started_at: datetime


@dataclass
class IncidentChanges:
    opened: list[Incident] = field(default_factory=list)
    closed: list[Incident] = field(default_factory=list)


def apply_probes(session: Session, probes: Iterable[ProbeLike], close_after: int = 2) -> IncidentChanges:
    """Open/close incidents for probes already written in ``session``; returns what changed."""
    ordered = sorted(probes, key=lambda p: p.started_at)
    changes = IncidentChanges()
    if not ordered:
        return changes
    open_rows = open_incidents(session, {p.website_id for p in ordered})
    for probe in ordered:
        current = open_rows.get(probe.website_id)
        if not works(probe.status):
            if current is None:
                current = Incident(website_id=probe.website_id, status=probe.status, detail=probe.detail, started_at=probe.started_at)
                session.add(current)
                open_rows[probe.website_id] = current
                changes.opened.append(current)
            continue
        if current is None:
            continue
        recent = recent_probes(session, probe.website_id, max(1, close_after))
        if len(recent) >= max(1, close_after) and all(works(p.status) for p in recent):
            current.ended_at = min(p.started_at for p in recent)
            session.add(current)
            del open_rows[probe.website_id]
            changes.closed.append(current)
    session.flush()
    return changes
