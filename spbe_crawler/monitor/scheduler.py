"""``spbe monitor run``: sweep each class of targets at its own interval, until stopped.

Classes: ``portal`` (service portals, every 5 minutes), ``unit`` (unit sites, hourly) and,
when the caller passes a ``survey_hook``, ``survey`` (weekly). When each class is next due is kept
in ``MonitorSchedule``, so a restart continues the rhythm instead of sweeping everything at once.
Between sweeps, the confirmation round (``konfirmasi``) probes again the sites whose failure waits
for its confirmation, as soon as each attempt is due (``SPBE_MONITOR_CONFIRM_DELAY`` after the
previous one); its due time is the earliest of the ``PendingCheck`` table.
Every sweep runs under the database lease and re-reads its due time once it holds it, so two
processes never sweep together nor twice in a row. SIGTERM/SIGINT abort the sweep in flight
(what finished is kept, the run is marked ``interrupted``), release the lease and return.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from spbe_crawler.monitor.lease import LEASE_NAME, LeaseBusy, holding, new_holder
from spbe_crawler.monitor.settings import MonitorSettings
from spbe_crawler.monitor.sweep import run_sweep
from spbe_crawler.net.policy import NetworkPolicy
from spbe_crawler.store import schedule_queries
from spbe_crawler.store.models import utcnow
from spbe_crawler.store.monitor_queries import next_pending_due
from spbe_crawler.vocab import WebsiteRole

log = logging.getLogger(__name__)

SurveyHook = Callable[[str], Awaitable[Any] | Any]
BUSY_RETRY = 30.0  # seconds before asking again for a lease another process holds
SURVEY_LEASE = "monitor-survey"
CONFIRM = "konfirmasi"  # the confirmation round: not a class of targets, due when a confirmation is


def next_due(engine: Engine, scope: str, target_class: str) -> datetime:
    return schedule_queries.next_due(engine, scope, target_class)


def _mark(engine: Engine, scope: str, target_class: str, **values: Any) -> None:
    schedule_queries.mark(engine, scope, target_class, **values)


class Scheduler:
    """Runs the classes of one scope at their intervals; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        scope: str = "all",
        *,
        settings: MonitorSettings | None = None,
        policy: NetworkPolicy | None = None,
        survey_hook: SurveyHook | None = None,
        holder: str | None = None,
    ):
        self.engine, self.scope = engine, scope
        self.settings = settings or MonitorSettings.from_env()
        self.policy = policy
        self.survey_hook = survey_hook
        self.holder = holder or new_holder()
        self.intervals = {WebsiteRole.PORTAL.value: self.settings.portal_interval, WebsiteRole.UNIT.value: self.settings.unit_interval}
        if survey_hook is not None:
            self.intervals["survey"] = self.settings.survey_interval
        self._busy_until: dict[str, float] = {}
        self._survey: asyncio.Task[None] | None = None

    @staticmethod
    def lease_name(target_class: str) -> str:
        """Probe sweeps share one lease; the (long) survey has its own so sweeps go on meanwhile."""
        return SURVEY_LEASE if target_class == "survey" else LEASE_NAME

    async def run_confirmations(self) -> bool:
        """Probe the sites whose confirmation attempt is due, under the sweep lease; True when it ran."""
        async with holding(self.engine, self.holder, self.scope, self.settings.lease_ttl, name=LEASE_NAME):
            due = await asyncio.to_thread(next_pending_due, self.engine, self.scope)
            if due is None or due > utcnow():
                return False
            try:
                await run_sweep(self.engine, self.scope, settings=self.settings, policy=self.policy, only_pending=True)
            except Exception:  # like a failed sweep, a failed round must not stop the schedule
                log.exception("monitor %s gagal", CONFIRM)
            return True

    async def _execute(self, target_class: str) -> tuple[int | None, str]:
        if target_class == "survey":
            hook = self.survey_hook
            assert hook is not None
            result = await hook(self.scope) if inspect.iscoroutinefunction(hook) else await asyncio.to_thread(hook, self.scope)
            return None, f"survei selesai: {result}"[:200]
        summary = await run_sweep(self.engine, self.scope, target_class, settings=self.settings, policy=self.policy)
        return summary.run_id, f"{summary.targets} target, {summary.up} berfungsi, {summary.down} gagal"

    async def run_class(self, target_class: str) -> bool:
        """Run one class if it is still due once its lease is held; True when it ran."""
        lease = self.lease_name(target_class)
        async with holding(self.engine, self.holder, self.scope, self.settings.lease_ttl, name=lease):
            started = utcnow()
            if await asyncio.to_thread(next_due, self.engine, self.scope, target_class) > started:
                return False
            await asyncio.to_thread(_mark, self.engine, self.scope, target_class, last_started=started)
            try:
                run_id, result = await self._execute(target_class)
            except Exception as exc:  # a failed sweep or survey must not stop the schedule
                log.exception("monitor %s gagal", target_class)
                run_id, result = None, f"gagal: {exc}"[:200]
            due = max(started + timedelta(seconds=self.intervals[target_class]), utcnow())
            await asyncio.to_thread(
                _mark,
                self.engine,
                self.scope,
                target_class,
                next_due=due,
                last_finished=utcnow(),
                last_run_id=run_id,
                last_result=result,
            )
            return True

    async def _attempt(self, target_class: str) -> None:
        try:
            await (self.run_confirmations() if target_class == CONFIRM else self.run_class(target_class))
        except LeaseBusy as busy:
            log.info("%s", busy)
            self._busy_until[self.lease_name(target_class)] = time.monotonic() + BUSY_RETRY

    def _survey_running(self) -> bool:
        return self._survey is not None and not self._survey.done()

    async def _due_in(self, target_class: str) -> float | None:
        """Seconds until the class may start (None: it is running here now, or nothing to confirm)."""
        if target_class == "survey" and self._survey_running():
            return None
        if target_class == CONFIRM:
            pending = await asyncio.to_thread(next_pending_due, self.engine, self.scope)
            if pending is None:
                return None
            due = pending
        else:
            due = await asyncio.to_thread(next_due, self.engine, self.scope, target_class)
        busy = self._busy_until.get(self.lease_name(target_class), 0.0) - time.monotonic()
        return max((due - utcnow()).total_seconds(), busy)

    @property
    def jobs(self) -> list[str]:
        return [*self.intervals, CONFIRM]

    async def _run_due(self, stop: asyncio.Event) -> None:
        for target_class in self.jobs:
            if stop.is_set():
                return
            wait = await self._due_in(target_class)
            if wait is None or wait > 0:
                continue
            if target_class == "survey":
                self._survey = asyncio.create_task(self._attempt(target_class))
            else:
                await self._attempt(target_class)

    async def run(self, duration: float | None = None, stop: asyncio.Event | None = None) -> None:
        """Loop until ``stop`` is set or ``duration`` seconds have passed (a running survey is cancelled)."""
        stop = stop or asyncio.Event()
        deadline = time.monotonic() + duration if duration is not None else None
        try:
            while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
                await self._run_due(stop)
                waits = [w for w in [await self._due_in(c) for c in self.jobs] if w is not None]
                wait = min(waits, default=BUSY_RETRY)
                if deadline is not None:
                    wait = min(wait, deadline - time.monotonic())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.05))
        finally:
            if self._survey_running():
                self._survey.cancel()  # type: ignore[union-attr]
                await asyncio.gather(self._survey, return_exceptions=True)  # type: ignore[arg-type]


async def serve(scheduler: Scheduler, duration: float | None = None) -> bool:
    """Run ``scheduler`` until done or SIGTERM/SIGINT; True when stopped by a signal."""
    loop = asyncio.get_running_loop()
    main = asyncio.create_task(scheduler.run(duration))
    stopped = asyncio.Event()

    def on_signal() -> None:
        stopped.set()
        main.cancel("signal")

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal)
    try:
        await main
    except asyncio.CancelledError:
        if not stopped.is_set():
            raise
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    return stopped.is_set()
