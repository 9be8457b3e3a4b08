"""A sweep: probe every target of a scope once, with bounded concurrency, and record the outcome.

Targets stream from the database in pages; each is a task whose one attempt takes one of
``concurrency`` slots (and at most ``per_host`` at once per host name), so a sweep takes as long as
probing each site once. A failure of a site with no open incident is not a verdict yet: it opens an
N-of-M confirmation (:mod:`confirmation`), kept in the ``PendingCheck`` table, and the site is
"menunggu konfirmasi" until a later attempt settles it. Those attempts come from the next sweep,
from the scheduler's confirmation round as soon as they are due (``spbe monitor run``), or from
this sweep itself after its pass when ``until_confirmed`` is set (``spbe monitor sweep
--tunggu-konfirmasi``), like Uptime Kuma's "pending" state with its retry interval.
Results are written in batches, with their incidents, by one database thread so the event loop
never blocks on SQL. A cancelled sweep (SIGTERM) keeps what it finished and is recorded as
``interrupted``.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from spbe_crawler.health.status import works
from spbe_crawler.monitor.alerts import Notifier, dispatch_alerts, notifiers_from_settings
from spbe_crawler.monitor.confirmation import Rule, Window, step
from spbe_crawler.monitor.incidents import apply_probes
from spbe_crawler.monitor.probe import Prober, Target
from spbe_crawler.monitor.probe_result import ProbeResult
from spbe_crawler.monitor.settings import MonitorSettings
from spbe_crawler.monitor.targets import Shard, iter_target_pages
from spbe_crawler.net.policy import NetworkPolicy
from spbe_crawler.store.models import utcnow
from spbe_crawler.store.monitor_queries import count_pending, insert_probes, next_pending_due, save_pending, start_run, update_run
from spbe_crawler.vocab import RunKind, RunState

T = TypeVar("T")


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
    pending: int = 0  # sites whose failure still waits for its confirmation when the sweep ends
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


def _start_run(engine: Engine, scope: str, target_class: str | None, only_pending: bool) -> int:
    options = {"class": target_class or "all"} | ({"konfirmasi": True} if only_pending else {})
    return start_run(engine, RunKind.MONITOR.value, scope, options)


def _finish_run(engine: Engine, summary: SweepSummary) -> None:
    extra = {k: v for k, v in asdict(summary).items() if k not in ("run_id", "scope")}
    update_run(engine, summary.run_id, extra, state=summary.state, finished_at=utcnow())


def _note_alerts(engine: Engine, run_id: int, sent: int) -> None:
    update_run(engine, run_id, {"alerts_sent": sent})


@dataclass
class _Batch:
    """Verdicts to write, confirmations still open (by website id), confirmations that ended."""

    verdicts: list[ProbeResult] = field(default_factory=list)
    windows: dict[int, Window] = field(default_factory=dict)
    ended: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.verdicts) + len(self.windows) + len(self.ended)


def _write_batch(engine: Engine, batch: _Batch, close_after: int) -> tuple[int, int]:
    """Insert the verdicts (one multi-row INSERT, no unit of work), update incidents and the pending
    confirmations, in one transaction."""
    pending = [{"website_id": website_id, **asdict(window)} for website_id, window in batch.windows.items()]
    with Session(engine, expire_on_commit=False) as session:
        insert_probes(session, [probe.values() for probe in batch.verdicts])
        changes = apply_probes(session, batch.verdicts, close_after)
        save_pending(session, pending, batch.ended)
        session.commit()
    return len(changes.opened), len(changes.closed)


class _Sweep:
    """One sweep's moving parts; see :func:`run_sweep`.

    Each target is a task with one attempt, holding a per-host permit and one of ``concurrency``
    slots while it probes; at most twice ``concurrency`` tasks exist at once (bounded memory at
    100,000 targets).
    """

    def __init__(self, engine: Engine, prober: Prober, settings: MonitorSettings, summary: SweepSummary):
        self.engine, self.prober, self.settings, self.summary = engine, prober, settings, summary
        self.rule = Rule.of(settings.confirm_failures, settings.confirm_attempts, settings.confirm_delay)
        self.slots = asyncio.Semaphore(max(1, settings.concurrency))
        self.starting = asyncio.Semaphore(2 * max(1, settings.concurrency))  # tasks in flight
        self.limiter = HostLimiter(settings.per_host)
        self.tasks: set[asyncio.Task[None]] = set()
        self.failure: BaseException | None = None
        self.batch = _Batch()
        self.shard: Shard | None = None
        self.first_pass = True
        self.db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-db")

    async def in_db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)

    async def run(self, target_class: str | None, shard: Shard | None, only_pending: bool, until_confirmed: bool) -> None:
        """One pass over the targets (or over the due confirmations); then, with
        ``until_confirmed``, passes over the confirmations as they fall due until none is open."""
        await self.one_pass(target_class, shard, utcnow() if only_pending else None)
        while until_confirmed:
            await self.flush()
            due = await self.in_db(next_pending_due, self.engine, self.summary.scope, target_class, shard)
            if due is None:
                return
            self.first_pass = False
            await asyncio.sleep(max(0.0, (due - utcnow()).total_seconds()))
            await self.one_pass(target_class, shard, utcnow())

    async def one_pass(self, target_class: str | None, shard: Shard | None, pending_due: datetime | None) -> None:
        """Start a task per target as slots allow; return when every one is done."""
        pages = iter_target_pages(self.engine, self.summary.scope, target_class, shard=shard, pending_due=pending_due)
        while (page := await self.in_db(next, pages, None)) is not None:
            now = utcnow()
            for target in page:
                if target.window is not None and target.window.due_at > now:
                    continue  # its next attempt is not due yet: attempts stay the delay apart
                await self.starting.acquire()
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
        self.starting.release()
        if not task.cancelled() and task.exception() is not None and self.failure is None:
            self.failure = task.exception()

    async def one(self, target: Target) -> None:
        """One attempt; a verdict when the confirmation ends, else the open confirmation."""
        async with self.limiter.hold(target.host), self.slots:
            attempt = await self.prober.check(target.url, target.website_id)
        verdict, window = step(self.rule, target.window, attempt, target.known_down)
        if self.first_pass:
            self.summary.targets += 1
        if window is not None:
            self.batch.windows[target.website_id] = window
        else:
            assert verdict is not None
            self.batch.verdicts.append(verdict)
            if target.window is not None:
                self.batch.ended.append(target.website_id)
            if works(verdict.status):
                self.summary.up += 1
            else:
                self.summary.down += 1
        if len(self.batch) >= self.settings.write_batch:
            await self.flush()

    async def cancel(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def flush(self) -> None:
        batch, self.batch = self.batch, _Batch()
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
    only_pending: bool = False,
    until_confirmed: bool = False,
) -> SweepSummary:
    """Probe every non-rejected website of ``scope`` (``portal``/``unit`` class or all) once.

    A new failure opens a confirmation that a later attempt settles (see the module docstring):
    ``only_pending`` probes only the sites whose confirmation attempt is due (the scheduler's
    confirmation round); ``until_confirmed`` goes on after the pass until no confirmation of the
    scope is open, attempts ``SPBE_MONITOR_CONFIRM_DELAY`` apart.

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
    sweep.summary.run_id = await sweep.in_db(_start_run, engine, scope, target_class, only_pending)
    # Results live until their batch is written, so they reach the oldest GC generation and trigger
    # full collections that rescan every object of the imported libraries; freezing that heap for
    # the sweep saves ~10 % CPU per probe (bench/bench_monitor.py). unfreeze() hands it back.
    gc.freeze()
    try:
        sweep.shard = shard
        sweep.summary.shard = f"{shard[0] + 1}/{shard[1]}" if shard else ""
        await sweep.run(target_class, shard, only_pending, until_confirmed)
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
        summary.pending = await sweep.in_db(count_pending, sweep.engine, summary.scope, summary.target_class, sweep.shard)
        summary.seconds = round(time.perf_counter() - started, 3)
        await sweep.in_db(_finish_run, sweep.engine, summary)
        if summary.state == RunState.FINISHED:
            chosen = notifiers if notifiers is not None else notifiers_from_settings(sweep.settings)
            summary.alerts_sent = await dispatch_alerts(sweep.engine, chosen, summary.scope, sweep.settings, shard=sweep.shard)
            if summary.alerts_sent:
                await sweep.in_db(_note_alerts, sweep.engine, summary.run_id, summary.alerts_sent)
    finally:
        sweep.db.shutdown(wait=False)
