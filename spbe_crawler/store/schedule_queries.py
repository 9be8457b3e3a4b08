"""When each monitor class of a scope is next due (``MonitorSchedule``, one row per ``<scope>:<class>``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from spbe_crawler.store.models import utcnow
from spbe_crawler.store.models_monitor import MonitorSchedule


def _schedule_row(session: Session, scope: str, target_class: str) -> MonitorSchedule:
    """The schedule row of ``scope`` and ``target_class``, created (due now) when missing."""
    key = f"{scope}:{target_class}"
    row = session.get(MonitorSchedule, key)
    if row is None:
        try:
            session.add(MonitorSchedule(key=key, scope=scope, target_class=target_class, next_due=utcnow()))
            session.commit()
        except IntegrityError:  # another process created it first
            session.rollback()
        row = session.get(MonitorSchedule, key)
    assert row is not None
    return row


def next_due(engine: Engine, scope: str, target_class: str) -> datetime:
    with Session(engine) as session:
        return _schedule_row(session, scope, target_class).next_due


def mark(engine: Engine, scope: str, target_class: str, **values: Any) -> None:
    """Set fields of the schedule row (``next_due``, ``last_result`` ...)."""
    with Session(engine) as session:
        row = _schedule_row(session, scope, target_class)
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()
