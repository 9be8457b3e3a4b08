"""A sweep: probe every target of a scope once, with bounded concurrency, and record the outcome.

Targets stream from the database in pages; each is a task whose attempts take one of ``concurrency``
slots (and at most ``per_host`` at once per host name); N-of-M re-probes wait for their delay
without a slot, so failures never stall the sweep. Results are written in
batches, with their incidents, by one database thread so the event loop never blocks on SQL.
A cancelled sweep (SIGTERM) keeps what it finished and is recorded as ``interrupted``.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from spbe_crawler.health.status import works
from spbe_crawler.monitor.alerts import Notifier, dispatch_alerts, notifiers_from_settings
from spbe_crawler.monitor.incidents import apply_probes
from spbe_crawler.monitor.probe import Prober, ProbeResult, Target
from spbe_crawler.monitor.settings import MonitorSettings
from spbe_crawler.monitor.targets import Shard, iter_target_pages
from spbe_crawler.net.policy import NetworkPolicy
from spbe_crawler.store.models import utcnow
from spbe_crawler.store.monitor_queries import insert_probes, start_run, update_run
from spbe_crawler.vocab import RunState

T = TypeVar("T")
MAX_WAITING = 20_000  # targets waiting for a re-probe at once (each a sleeping task, a few KB)


@dataclass
class SweepSummary:
    run_id: int
    scope: str
    target_class: str | None
    targets: int = 0
    up: int = 0
    down: int = 0
    incidents_opened: int = 0
    incidents_closed: int = 0
    alerts_sent: int = 0
    state: str = RunState.RUNNING.value
    seconds: float = 0.0
    shard: str = ""  # "K/N" when the sweep covered one shard


class HostLimiter:
    """At most ``limit`` concurrent holders per host; entries vanish when unused (bounded memory)."""

    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self._slots: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        semaphore, users = self._slots.setdefault(host, (asyncio.Semaphore(self.limit), [0]))
        users[0] += 1
        try:
            async with semaphore:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._slots[host]

    def __len__(self) -> int:
        return len(self._slots)


def _start_run(engine: Engine, scope: str, target_class: str | None) -> int:
    return start_run(engine, "monitor", scope, {"class": target_class or "all"})


def _finish_run(engine: Engine, summary: SweepSummary) -> None:
    extra = {k: v for k, v in asdict(summary).items() if k not in ("run_id", "scope")}
    update_run(engine, summary.run_id, extra, state=summary.state, finished_at=utcnow())


def _note_alerts(engine: Engine, run_id: int, sent: int) -> None:
    update_run(engine, run_id, {"alerts_sent": sent})


def _write_batch(engine: Engine, probes: list[ProbeResult], close_after: int) -> tuple[int, int]:
    """Insert a batch of probes (one multi-row INSERT, no unit of work) and update incidents."""
    rows = [probe.values() for probe in probes]
    with Session(engine, expire_on_commit=False) as session:
        insert_probes(session, rows)
        changes = apply_probes(session, probes, close_after)
        session.commit()
    return len(changes.opened), len(changes.closed)


class _Sweep:
    """One sweep's moving parts; see :func:`run_sweep`.

    Each target is a task: its attempts take a per-host permit and one of ``concurrency`` slots;
    the confirmation delay between attempts holds neither, so failing sites never stall the
    sweep. At most twice ``concurrency`` targets are on their first probe at once, and at most
    ``MAX_WAITING`` wait for a re-probe (bounded memory at 100,000 targets).
    """

    def __init__(self, engine: Engine, prober: Prober, settings: MonitorSettings, summary: SweepSummary):
        self.engine, self.prober, self.settings, self.summary = engine, prober, settings, summary
        self.slots = asyncio.Semaphore(max(1, settings.concurrency))
        self.starting = asyncio.Semaphore(2 * max(1, settings.concurrency))  # targets on their first probe
        self.waiting = 0  # targets waiting for a re-probe (bounded by MAX_WAITING)
        self.limiter = HostLimiter(settings.per_host)
        self.tasks: set[asyncio.Task[None]] = set()
        self.failure: BaseException | None = None
        self.pending: list[ProbeResult] = []
        self.shard: Shard | None = None
        self.db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-db")

    async def in_db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)

    @asynccontextmanager
    async def gate(self, host: str) -> AsyncIterator[None]:
        async with self.limiter.hold(host), self.slots:
            yield

    async def run(self, target_class: str | None, shard: Shard | None = None) -> None:
        """Start a task per target as slots allow; return when every target is done."""
        pages = iter_target_pages(self.engine, self.summary.scope, target_class, shard=shard)
        while (page := await self.in_db(next, pages, None)) is not None:
            for target in page:
                await self.starting.acquire()
                while self.waiting >= MAX_WAITING and self.failure is None:
                    await asyncio.wait(set(self.tasks), return_when=asyncio.FIRST_COMPLETED)
                if self.failure is not None:
                    raise self.failure
                task = asyncio.create_task(self.one(target))
                self.tasks.add(task)
                task.add_done_callback(self._done)
        while self.tasks:
            await asyncio.wait(set(self.tasks))
        if self.failure is not None:
            raise self.failure

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None and self.failure is None:
            self.failure = task.exception()

    async def one(self, target: Target) -> None:
        """Probe and confirm one target. Its ``starting`` permit is handed back when its first probe
        failed and it waits for the re-probe (or when it is done), so new targets keep starting."""
        started = [True]

        def waiting() -> None:
            started[0] = False
            self.starting.release()
            self.waiting += 1

        try:
            probe = await self.prober.confirm(target, lambda: self.gate(target.host), waiting)
        finally:
            if started[0]:
                self.starting.release()
            else:
                self.waiting -= 1
        self.summary.targets += 1
        if works(probe.status):
            self.summary.up += 1
        else:
            self.summary.down += 1
        self.pending.append(probe)
        if len(self.pending) >= self.settings.write_batch:
            await self.flush()

    async def cancel(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def flush(self) -> None:
        batch, self.pending = self.pending, []
        if batch:
            opened, closed = await self.in_db(_write_batch, self.engine, batch, self.settings.close_after)
            self.summary.incidents_opened += opened
            self.summary.incidents_closed += closed


async def run_sweep(
    engine: Engine,
    scope: str = "all",
    target_class: str | None = None,
    *,
    settings: MonitorSettings | None = None,
    policy: NetworkPolicy | None = None,
    prober: Prober | None = None,
    notifiers: list[Notifier] | None = None,
    shard: Shard | None = None,
) -> SweepSummary:
    """Probe every non-rejected website of ``scope`` (``portal``/``unit`` class or all) once.

    ``shard=(k, n)``: only the websites whose id modulo ``n`` is ``k`` (and only their alerts), so
    ``n`` processes, each with its own lease, sweep a large scope side by side.

    Alerts go to ``notifiers`` (default: the channels configured by ``SPBE_ALERT_*``). Callers
    that may run concurrently with other sweeps hold the lease (:mod:`lease`) first.
    """
    settings = settings or (prober.settings if prober else MonitorSettings.from_env())
    own_prober = prober is None
    prober = prober or Prober(settings, policy)
    started = time.perf_counter()
    sweep = _Sweep(engine, prober, settings, SweepSummary(run_id=0, scope=scope, target_class=target_class))
    sweep.summary.run_id = await sweep.in_db(_start_run, engine, scope, target_class)
    # Results live until their batch is written, so they reach the oldest GC generation and trigger
    # full collections that rescan every object of the imported libraries; freezing that heap for
    # the sweep saves ~10 % CPU per probe (bench/bench_monitor.py). unfreeze() hands it back.
    gc.freeze()
    try:
        sweep.shard = shard
        sweep.summary.shard = f"{shard[0] + 1}/{shard[1]}" if shard else ""
        await sweep.run(target_class, shard)
        sweep.summary.state = RunState.FINISHED.value
    finally:
        await sweep.cancel()
        gc.unfreeze()
        await _conclude(sweep, notifiers, started)
        if own_prober:
            await prober.aclose()
    return sweep.summary


async def _conclude(sweep: _Sweep, notifiers: list[Notifier] | None, started: float) -> None:
    """Write what is pending and record the run's outcome, then alert (after a complete sweep only).

    The run is recorded before any alert is sent, so its duration and state never depend on alert
    delivery; the alert count is added to the run's record afterwards."""
    summary = sweep.summary
    if summary.state != RunState.FINISHED:
        summary.state = RunState.INTERRUPTED.value
    try:
        await sweep.flush()
        summary.seconds = round(time.perf_counter() - started, 3)
        await sweep.in_db(_finish_run, sweep.engine, summary)
        if summary.state == RunState.FINISHED:
            chosen = notifiers if notifiers is not None else notifiers_from_settings(sweep.settings)
            summary.alerts_sent = await dispatch_alerts(sweep.engine, chosen, summary.scope, sweep.settings, shard=sweep.shard)
            if summary.alerts_sent:
                await sweep.in_db(_note_alerts, sweep.engine, summary.run_id, summary.alerts_sent)
    finally:
        sweep.db.shutdown(wait=False)
