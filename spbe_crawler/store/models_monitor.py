"""Monitoring tables beside :mod:`spbe_crawler.store.models`: schedule state, the sweep lease,
the alert log (de-duplication) and hourly probe rollups (retention). Times are timezone-aware UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from spbe_crawler.store.models import utcnow


class MonitorSchedule(SQLModel, table=True):
    """When a class of targets of a scope is next due; survives restarts of ``spbe monitor run``."""

    key: str = Field(primary_key=True, max_length=128)  # "<scope>:<class>"
    scope: str = Field(index=True)
    target_class: str  # portal | unit | survey
    next_due: datetime
    last_started: datetime | None = None
    last_finished: datetime | None = None
    last_run_id: int | None = None
    last_result: str = ""


class MonitorLease(SQLModel, table=True):
    """A lease taken by the one process allowed to sweep; it expires unless renewed."""

    name: str = Field(primary_key=True, max_length=64)
    holder: str = ""
    scope: str = ""
    acquired_at: datetime | None = None
    expires_at: datetime = Field(default_factory=utcnow)


class AlertLog(SQLModel, table=True):
    """One alert event per channel; a successful row means the event is never sent again."""

    __table_args__ = (UniqueConstraint("event_key", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    event_key: str = Field(index=True, max_length=200)  # down:<incident> | recovered:<incident> | cert:<site>:<date>:<days>
    channel: str = Field(max_length=32)
    kind: str
    website_id: int | None = Field(default=None, index=True)
    incident_id: int | None = None
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str = ""
    updated_at: datetime = Field(default_factory=utcnow)


class ProbeRollup(SQLModel, table=True):
    """Probes of one website in one hour, after the raw rows were removed by retention."""

    __table_args__ = (UniqueConstraint("website_id", "hour"),)

    id: int | None = Field(default=None, primary_key=True)
    website_id: int = Field(index=True, foreign_key="website.id")
    hour: datetime = Field(index=True)  # start of the hour, UTC
    total: int = 0
    up: int = 0
    down: int = 0
    latency_count: int = 0
    latency_sum: float = 0.0
    latency_min: float | None = None
    latency_max: float | None = None
    sketch: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))  # log-bucket -> count


class MaintenanceWindow(SQLModel, table=True):
    """Planned maintenance: probes go on, but no outage alert is sent and the status page shows
    the site as under maintenance. ``website_id`` empty: every site of ``scope`` (a unit code or ``all``)."""

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(default="all", index=True, max_length=64)
    website_id: int | None = Field(default=None, index=True, foreign_key="website.id")
    starts_at: datetime = Field(index=True)
    ends_at: datetime = Field(index=True)
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class PendingCheck(SQLModel, table=True):
    """A failure not yet confirmed (N of M attempts): the site is "menunggu konfirmasi" until a
    later attempt, at ``due_at`` or after, settles it. At most one per website; it is removed when
    the confirmation ends (a probe row is then written with the verdict)."""

    website_id: int = Field(primary_key=True, foreign_key="website.id")
    started_at: datetime  # start of the first failed attempt (the incident starts here if confirmed)
    attempts: int = 1
    failures: int = 1
    status: str = ""  # the last failed attempt's status and detail, for the status page
    detail: str = ""
    due_at: datetime = Field(index=True)  # the next attempt starts at or after this
