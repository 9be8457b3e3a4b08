"""Which websites a sweep probes: every non-rejected website of a scope (a pemda code, or ``all``),
optionally one class (``portal``: service portals, ``unit``: unit sites), read in pages by id so a
sweep of 100,000 sites never holds them all in memory."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.engine import Engine

from spbe_crawler.monitor.probe import Target
from spbe_crawler.store.monitor_queries import TARGET_CLASSES, Shard, count_targets, target_rows_after

__all__ = ["TARGET_CLASSES", "Shard", "count_targets", "iter_target_pages"]


def iter_target_pages(
    engine: Engine, scope: str, target_class: str | None = None, page: int = 1000, shard: Shard | None = None
) -> Iterator[list[Target]]:
    """Targets in pages of ``page``, ordered by website id (keyset pagination)."""
    last_id = 0
    while True:
        rows = target_rows_after(engine, scope, target_class, shard, last_id, page)
        if not rows:
            return
        yield [Target(website_id=r[0], url=r[1], host=r[2], role=r[3], unit_code=r[4], known_down=r[5]) for r in rows]
        last_id = rows[-1][0]
