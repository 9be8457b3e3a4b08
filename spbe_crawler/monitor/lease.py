"""The sweep lease: one row in the database that at most one process holds at a time.

Acquiring is one conditional ``UPDATE`` (free, expired, or already ours), atomic on SQLite and
PostgreSQL alike. The holder renews it every third of its TTL while it sweeps; a process that dies
loses it when it expires. Probe sweeps share one lease per database (``monitor-sweep``), so sweeps
of overlapping scopes never run together; other jobs (the weekly survey) use their own name.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.engine import Engine

from spbe_crawler.store import lease_queries
from spbe_crawler.store.models import utcnow
from spbe_crawler.store.models_monitor import MonitorLease

LEASE_NAME = "monitor-sweep"


class LeaseBusy(RuntimeError):
    """Another process holds the sweep lease."""


class LeaseLost(RuntimeError):
    """The lease expired while we held it (the process stalled); the sweep was stopped."""


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def try_acquire(engine: Engine, holder: str, scope: str, ttl: float, now: datetime | None = None, name: str = LEASE_NAME) -> bool:
    """Take the lease if it is free, expired or ours; True when we hold it afterwards."""
    return lease_queries.acquire(engine, name, holder, scope, ttl, now or utcnow())


def renew(engine: Engine, holder: str, ttl: float, name: str = LEASE_NAME) -> bool:
    return lease_queries.renew(engine, name, holder, ttl)


def release(engine: Engine, holder: str, name: str = LEASE_NAME) -> None:
    lease_queries.release(engine, name, holder)


def current_lease(engine: Engine, name: str = LEASE_NAME) -> MonitorLease | None:
    """The lease row when someone holds it now, else None."""
    row = lease_queries.lease_row(engine, name)
    return row if row is not None and row.holder and row.expires_at >= utcnow() else None


@asynccontextmanager
async def holding(engine: Engine, holder: str, scope: str, ttl: float, name: str = LEASE_NAME) -> AsyncIterator[None]:
    """Hold the lease for the body; raises :class:`LeaseBusy`, or :class:`LeaseLost` if renewal fails."""
    if not await asyncio.to_thread(try_acquire, engine, holder, scope, ttl, None, name):
        lease = await asyncio.to_thread(current_lease, engine, name)
        who = f"{lease.holder} (lingkup {lease.scope}) hingga {lease.expires_at:%Y-%m-%d %H:%M:%S} UTC" if lease else "proses lain"
        raise LeaseBusy(f"sapuan lain sedang berjalan: {who}")
    owner = asyncio.current_task()
    lost = asyncio.Event()

    async def keep_alive() -> None:
        while True:
            await asyncio.sleep(ttl / 3)
            if not await asyncio.to_thread(renew, engine, holder, ttl, name):
                lost.set()
                if owner is not None:
                    owner.cancel("lease lost")
                return

    renewer = asyncio.create_task(keep_alive())
    try:
        yield
    except asyncio.CancelledError:
        if lost.is_set() and owner is not None and owner.uncancel() == 0:
            raise LeaseLost("lease sapuan kedaluwarsa saat sapuan berjalan; sapuan dihentikan") from None
        raise
    finally:
        renewer.cancel()
        await asyncio.to_thread(release, engine, holder, name)
