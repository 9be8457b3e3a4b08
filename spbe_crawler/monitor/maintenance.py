"""Maintenance windows: planned work on a site (or on every site of a unit or pemda).

During a window the sweep still probes and records, but no outage alert is sent for the site, the
status page, badges and metrics show it as under maintenance, and the overall banner does not
count it as a disruption. An outage still open when the window ends is alerted then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spbe_crawler.store import monitor_reads
from spbe_crawler.store.monitor_reader import ALL, utcnow


@dataclass(frozen=True)
class Window:
    id: int
    scope: str
    website_id: int | None
    starts_at: datetime
    ends_at: datetime
    note: str

    def covers(self, website_id: int, unit_code: str) -> bool:
        """True when this window applies to the website ``website_id`` of unit ``unit_code``."""
        if self.website_id is not None:
            return self.website_id == website_id
        return self.scope == ALL or unit_code == self.scope or unit_code.startswith((f"{self.scope}.", f"{self.scope}/"))


def active_windows(source: Any, now: datetime | None = None) -> list[Window]:
    """Windows open at ``now`` (``source``: a Session or a Reader)."""
    return [Window(*row) for row in monitor_reads.windows_open_at(source, now or utcnow())]


def window_for(windows: list[Window], website_id: int, unit_code: str) -> Window | None:
    return next((w for w in windows if w.covers(website_id, unit_code)), None)


def add_window(
    session: Any, starts_at: datetime, ends_at: datetime, *, scope: str = ALL, website_id: int | None = None, note: str = ""
) -> int:
    """Record a window; returns its id. ``ends_at`` must come after ``starts_at``."""
    if ends_at <= starts_at:
        raise ValueError("waktu selesai pemeliharaan harus setelah waktu mulai")
    from spbe_crawler.store import monitor_queries  # SQLAlchemy: only where a window is written

    return monitor_queries.add_maintenance_window(session, scope, website_id, starts_at, ends_at, note)


def list_windows(session: Any, since: datetime | None = None) -> list[Window]:
    """Windows that end after ``since`` (default: now), soonest first."""
    return [Window(*row) for row in monitor_reads.windows_ending_after(session, since or utcnow())]


def remove_window(session: Any, window_id: int) -> bool:
    """Remove window ``window_id``; False when there is none."""
    from spbe_crawler.store import monitor_queries

    return monitor_queries.remove_maintenance_window(session, window_id)
