"""Which websites a sweep probes: every non-rejected website of a scope (a pemda code, or ``all``),
optionally one class (``portal``: service portals, ``unit``: unit sites), read in pages by id so a
sweep of 100,000 sites never holds them all in memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.engine import Engine

from spbe_crawler.monitor.confirmation import Window
from spbe_crawler.monitor.probe import Target
from spbe_crawler.store.models_monitor import PendingCheck
from spbe_crawler.store.monitor_queries import TARGET_CLASSES, Shard, count_targets, target_rows_after

__all__ = ["TARGET_CLASSES", "Shard", "count_targets", "iter_target_pages"]


def iter_target_pages(
    engine: Engine,
    scope: str,
    target_class: str | None = None,
    page: int = 1000,
    shard: Shard | None = None,
    pending_due: datetime | None = None,
) -> Iterator[list[Target]]:
    """Targets in pages of ``page``, ordered by website id (keyset pagination); ``pending_due``:
    only those whose pending confirmation is due by then."""
    last_id = 0
    while True:
        rows = target_rows_after(engine, scope, target_class, shard, last_id, page, pending_due)
        if not rows:
            return
        yield [Target(r[0], r[1], r[2], r[3], r[4], r[5], _window(r[6])) for r in rows]
        last_id = rows[-1][0]


def _window(row: PendingCheck | None) -> Window | None:
    if row is None:
        return None
    return Window(row.started_at, row.attempts, row.failures, row.status, row.detail, row.due_at)
