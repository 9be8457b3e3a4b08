"""Which websites a sweep probes: every non-rejected website of a scope (a pemda code, or ``all``),
optionally one class (``portal``: service portals, ``unit``: unit sites), read in pages by id so a
sweep of 100,000 sites never holds them all in memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from spbe_crawler.monitor.probe import Target
from spbe_crawler.monitor.reader import ALL
from spbe_crawler.store.models import Incident, Unit, Website

TARGET_CLASSES = ("portal", "unit")


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
    if target_class == "portal":
        return query.where(Website.role == "portal")
    return query.where(Website.role != "portal")


Shard = tuple[int, int]  # (index, count): the websites whose id modulo count is index


def of_shard(query: Any, shard: Shard | None) -> Any:
    if shard is None or shard[1] <= 1:
        return query
    return query.where(col(Website.id) % shard[1] == shard[0])


def target_query(scope: str, target_class: str | None = None, shard: Shard | None = None) -> Any:
    open_incident = exists().where(col(Incident.website_id) == col(Website.id), col(Incident.ended_at).is_(None))
    query = select(Website.id, Website.url, Website.host, Website.role, Website.unit_code, open_incident)
    query = query.join(Unit, col(Unit.code) == col(Website.unit_code)).where(Website.state != "rejected")
    return of_shard(of_class(in_scope(query, scope), target_class), shard)


def iter_target_pages(
    engine: Engine, scope: str, target_class: str | None = None, page: int = 1000, shard: Shard | None = None
) -> Iterator[list[Target]]:
    """Targets in pages of ``page``, ordered by website id (keyset pagination)."""
    last_id = 0
    while True:
        with Session(engine) as session:
            query = target_query(scope, target_class, shard).where(col(Website.id) > last_id).order_by(col(Website.id)).limit(page)
            rows = session.exec(query).all()
        if not rows:
            return
        yield [Target(website_id=r[0], url=r[1], host=r[2], role=r[3], unit_code=r[4], known_down=bool(r[5])) for r in rows]
        last_id = rows[-1][0]


def count_targets(engine: Engine, scope: str, target_class: str | None = None) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(target_query(scope, target_class).subquery())).one())
