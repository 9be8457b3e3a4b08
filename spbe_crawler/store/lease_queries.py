"""The lease rows (``MonitorLease``): one conditional ``UPDATE`` takes, renews or gives back a lease,
atomic on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from spbe_crawler.store.models import utcnow
from spbe_crawler.store.models_monitor import MonitorLease


def _ensure_row(session: Session, name: str) -> None:
    if session.get(MonitorLease, name) is None:
        try:
            session.add(MonitorLease(name=name, expires_at=datetime(1970, 1, 1, tzinfo=UTC)))
            session.commit()
        except IntegrityError:
            session.rollback()


def acquire(engine: Engine, name: str, holder: str, scope: str, ttl: float, now: datetime) -> bool:
    """Take lease ``name`` if it is free, expired or ``holder``'s; True when ``holder`` holds it afterwards."""
    with Session(engine) as session:
        _ensure_row(session, name)
        result = session.execute(
            update(MonitorLease)
            .where(col(MonitorLease.name) == name, or_(col(MonitorLease.expires_at) < now, col(MonitorLease.holder) == holder))
            .values(holder=holder, scope=scope, acquired_at=now, expires_at=now + timedelta(seconds=ttl))
        )
        session.commit()
        return result.rowcount == 1  # type: ignore[attr-defined]


def renew(engine: Engine, name: str, holder: str, ttl: float) -> bool:
    """Extend ``holder``'s unexpired lease by ``ttl`` seconds from now; False when it is no longer theirs."""
    now = utcnow()
    with Session(engine) as session:
        result = session.execute(
            update(MonitorLease)
            .where(col(MonitorLease.name) == name, col(MonitorLease.holder) == holder, col(MonitorLease.expires_at) >= now)
            .values(expires_at=now + timedelta(seconds=ttl))
        )
        session.commit()
        return result.rowcount == 1  # type: ignore[attr-defined]


def release(engine: Engine, name: str, holder: str) -> None:
    with Session(engine) as session:
        session.execute(
            update(MonitorLease)
            .where(col(MonitorLease.name) == name, col(MonitorLease.holder) == holder)
            .values(holder="", expires_at=utcnow())
        )
        session.commit()


def lease_row(engine: Engine, name: str) -> MonitorLease | None:
    with Session(engine) as session:
        return session.get(MonitorLease, name)
