"""``spbe worker``: take jobs from the shared Redis queue (:mod:`spbe_crawler.cluster.queue`).

One process, one Twisted reactor (Scrapy's ``CrawlerProcess`` with ``stop_after_crawl=False``) and two
kinds of crawls in it: the long-lived unit crawl (:class:`~spbe_crawler.cluster.crawl.UnitSpider`),
which takes the sites of any pemda from the shared unit lane as long as it has room, and, one at a
time, the control jobs: ``pemda`` (open the run, queue its units), ``finish`` (the
:class:`~spbe_crawler.cluster.crawl.FinishSpider` crawl: leftovers, discovery, one outcome per unit)
and ``monitor`` (one shard of a monitor sweep). Every crawl is the survey spider with three settings
changed: the scrapy-redis scheduler keeps the crawl's request frontier in Redis, the
:class:`~spbe_crawler.cluster.politeness.SharedIpSlots` middleware keeps the per-IP limit across
workers, and the store is the shared database (PostgreSQL; SQLite works for workers on one machine).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from sqlmodel import Session

from spbe_crawler import config
from spbe_crawler.cluster.crawl import FinishSpider, UnitFeed, UnitSpider
from spbe_crawler.cluster.queue import DEFAULT_PREFIX, FAIL_LIMIT, FINISH, MONITOR, PEMDA, Job, JobQueue, connect, new_worker_id
from spbe_crawler.cluster.settings import ClusterSettings
from spbe_crawler.store import cluster_queries, queries
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import CrawlRun
from spbe_crawler.survey.job import survey_settings
from spbe_crawler.survey.runs import RunBusy, pid_alive
from spbe_crawler.survey.targets import load_targets
from spbe_crawler.vocab import RunKind, RunState

logger = logging.getLogger(__name__)

SURVEY = RunKind.SURVEY.value
CRAWL_FINISHED = "finished"  # Scrapy's close reason of a crawl that ran to its end


def cluster_settings(redis_url: str, prefix: str) -> dict[str, Any]:
    """The settings a worker's crawls add to the project's (``spbe_crawler/settings.py``)."""
    knobs = ClusterSettings.from_env()
    return {
        "SPBE_REDIS_URL": redis_url,
        "SPBE_REDIS_PREFIX": prefix,
        "SPBE_CLUSTER_PER_IP": knobs.per_ip,
        "SPBE_CLUSTER_OPEN_SITES": knobs.open_sites,
        # scrapy-redis: the frontier of the crawl in Redis, flushed when a crawl (re)starts because the
        # per-site state of a dead worker's requests died with it (its units are crawled again).
        "SCHEDULER": "spbe_crawler.cluster.scheduler.FrontierScheduler",
        "SCHEDULER_QUEUE_CLASS": "spbe_crawler.cluster.scheduler.LifoPriorityQueue",
        "SCHEDULER_FLUSH_ON_START": True,
        "SCHEDULER_PERSIST": False,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "REDIS_URL": redis_url,
        "DOWNLOADER_MIDDLEWARES": {
            "spbe_crawler.middlewares.BackoffRetryMiddleware": 540,
            "spbe_crawler.middlewares.AddressPolicyMiddleware": 50,
            # last before the download: robots.txt refusals and other drops never take a slot
            "spbe_crawler.cluster.politeness.SharedIpSlots": 950,
        },
    }


def owner_alive(options: dict[str, Any], worker_alive: Callable[[str], bool]) -> bool:
    """Is the process that owns an unfinished run still at work? A worker's run: its lease in Redis.
    A local run (``spbe run`` without Redis): its process on this machine (a local run on another
    machine sharing the database cannot be seen and counts as gone)."""
    if options.get("worker"):
        return worker_alive(str(options["worker"]))
    if options.get("host") not in (None, socket.gethostname()):
        return False
    return pid_alive(options.get("pid"))


def claim_run(session: Session, job: Job, worker: str, worker_alive: Callable[[str], bool] = lambda _: False) -> CrawlRun | None:
    """The run this job continues (same batch, unfinished) or a new one.

    None when the batch's run of this pemda is already finished (a worker died after finishing it
    but before acknowledging the job): it is never run twice. Another unfinished run of the pemda (an
    older batch's, a local one) is marked interrupted only when its owner is gone
    (:func:`owner_alive`); while it lives this raises :class:`RunBusy`.
    """
    latest = queries.latest_run(session, job.pemda, SURVEY)
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "worker": worker}
    if latest is not None and job.batch and latest.options.get("batch") == job.batch:
        if latest.state == RunState.FINISHED:
            return None
        latest.options = {**latest.options, **owner}
        latest.state = RunState.RUNNING.value
        session.add(latest)
        session.commit()
        return latest
    if latest is not None and latest.state != RunState.FINISHED:
        if owner_alive(latest.options, worker_alive):
            raise RunBusy(
                f"Survei pemda {job.pemda} masih berjalan (run #{latest.id}, "
                f"{latest.options.get('worker') or 'pid ' + str(latest.options.get('pid'))}); antrean menunggu."
            )
        latest.state = RunState.INTERRUPTED.value  # an older batch's or a local run's leftover: this batch starts afresh
        session.add(latest)
    run = CrawlRun(kind=SURVEY, scope=job.pemda, options={"pemda": job.pemda, "batch": job.batch, **owner})
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def units_to_check(session: Session, pemda: str, run_id: int) -> list[str]:
    """The units of the pemda with a website not yet checked in the run, kecamatan before kelurahan."""
    checked = queries.checked_website_ids(session, run_id)
    return list(dict.fromkeys(t.unit_code for t in load_targets(session, pemda).websites if t.website_id not in checked))


@dataclass
class WorkerReport:
    worker: str
    finished: list[str] = field(default_factory=list)  # pemda whose run this worker finished
    planned: list[str] = field(default_factory=list)  # pemda whose units this worker queued
    units: int = 0  # units (their websites) this worker checked
    skipped: list[str] = field(default_factory=list)  # already finished by another worker
    shards: list[str] = field(default_factory=list)  # monitor shards swept
    given_back: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # control jobs set aside after repeated failures
    error: str = ""


class Worker:
    def __init__(
        self,
        redis_url: str,
        prefix: str = DEFAULT_PREFIX,
        lease_seconds: float = 60.0,
        idle_exit: float | None = None,
        overrides: dict[str, Any] | None = None,
    ):
        self.redis_url = redis_url
        self.queue = JobQueue(connect(redis_url), prefix, lease_seconds)
        self.worker = new_worker_id()
        self.idle_exit = idle_exit
        self.report = WorkerReport(self.worker)
        settings = survey_settings({**cluster_settings(redis_url, prefix), **(overrides or {})})
        if not settings.get("LOG_FILE"):
            logs = config.home_dir() / "logs"
            logs.mkdir(exist_ok=True)
            name = f"pekerja-{socket.gethostname()}-{os.getpid()}-{datetime.now():%Y%m%d-%H%M%S}.log"
            settings.set("LOG_FILE", str(logs / name), priority="cmdline")
        # The reactor the crawls need (asyncio), installed before anything imports the default one.
        if not is_reactor_installed():
            install_reactor(settings["TWISTED_REACTOR"])
        self.process = CrawlerProcess(settings)
        self.feed = UnitFeed(self.queue, self.worker)
        self.stopping = False
        self.current: Job | None = None  # the control job being worked on
        self.crawlers: list[Any] = []

    def run(self) -> WorkerReport:
        from twisted.internet import reactor
        from twisted.internet.defer import Deferred
        from twisted.python.failure import Failure

        self.queue.heartbeat(self.worker)
        stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(stop, reactor), name="spbe-heartbeat", daemon=True)
        beat.start()

        def done(result: Any) -> None:
            if isinstance(result, Failure):
                logger.error("Pekerja berhenti karena galat: %s", result.getTraceback())
                self.report.error = result.getErrorMessage()
            if reactor.running:  # type: ignore[attr-defined]
                reactor.stop()  # type: ignore[attr-defined]

        reactor.callWhenRunning(lambda: Deferred.fromFuture(asyncio.ensure_future(self._main())).addBoth(done))  # type: ignore[attr-defined]
        self.process.start(stop_after_crawl=False)  # returns when the reactor stops (idle, SIGTERM, Ctrl-C)
        stop.set()
        beat.join(timeout=5)
        if self.current is not None:
            self.report.given_back.append(self.current.pemda)
        self.report.given_back += [f"{job.pemda}/{job.unit}" for job in self.feed.held()]
        self.report.units = self.feed.units_done
        self.queue.leave(self.worker)  # whatever is still in flight returns to the queue, first in line
        return self.report

    def _beat(self, stop: threading.Event, reactor: Any) -> None:
        """In its own thread (a busy reactor must not look dead): renew the lease and return dead
        workers' jobs. A lease found expired (a pause longer than the lease: the jobs may be someone
        else's now) stops this worker."""
        queue = JobQueue(connect(self.redis_url), self.queue.prefix, self.queue.lease_seconds)
        interval = max(0.5, self.queue.lease_seconds / 4)
        while not stop.wait(interval):
            try:
                if not queue.heartbeat(self.worker) and not self.stopping:
                    logger.error("Lease pekerja %s kedaluwarsa (dianggap mati): perayapan dihentikan", self.worker)
                    reactor.callFromThread(self._stop, "lease_lost")
                queue.reap()
            except Exception:  # Redis away for a moment: try again at the next beat
                logger.exception("Detak pekerja gagal")
        queue.client.close()

    def _stop(self, reason: str) -> None:
        self.stopping = True
        self.feed.stopping = True
        for crawler in list(self.crawlers):
            if crawler.engine is not None:
                asyncio.ensure_future(crawler.engine.close_spider_async(reason=reason))

    async def _crawl(self, spider: type, **kwargs: Any) -> str | None:
        """Run one crawl in this process; its finish reason."""
        crawler = self.process.create_crawler(spider)
        self.crawlers.append(crawler)
        try:
            await self.process.crawl(crawler, **kwargs).asFuture(asyncio.get_running_loop())
        finally:
            self.crawlers.remove(crawler)
        return crawler.stats.get_value("finish_reason") if crawler.stats else None

    async def _main(self) -> None:
        units = asyncio.ensure_future(self._crawl(UnitSpider, feed=self.feed))
        try:
            await self._loop(units)
        finally:
            self.feed.stopping = True
            await units

    async def _loop(self, units: asyncio.Future[str | None]) -> None:
        idle_since: float | None = None
        loop = asyncio.get_running_loop()
        while not self.stopping:
            if units.done():  # Ctrl-C / SIGTERM stopped the unit crawl: the worker stops
                return
            job = self.queue.lease(self.worker)
            if job is None:  # (dead workers' jobs are returned by the heartbeat thread)
                now = loop.time()
                if self.idle_exit is not None and self.queue.is_idle():
                    idle_since = idle_since if idle_since is not None else now
                    if now - idle_since >= self.idle_exit:
                        return
                else:
                    idle_since = None
                await asyncio.sleep(0.5)
                continue
            idle_since = None
            self.current = job
            try:
                if job.kind == PEMDA:
                    self._plan(job)
                elif job.kind == FINISH:
                    await self._finish(job)
                elif job.kind == MONITOR:
                    await self._monitor(job)
                else:
                    logger.error("Pekerjaan tak dikenal dibuang: %s", job.raw)
                    self.queue.ack(self.worker, job)
            except RunBusy as busy:
                logger.warning("%s", busy)
                self.queue.give_back(self.worker, job, last=True)
                await asyncio.sleep(2)
            except Exception as problem:  # one bad job must not stop this worker (nor the next that takes it)
                self.failed(job, problem)
                await asyncio.sleep(2)
            self.current = None

    def failed(self, job: Job, problem: Exception) -> None:
        """A control job raised: it goes back to the end of the queue; after ``FAIL_LIMIT`` failures
        it is set aside (``spbe antrean status`` lists it) and its run is recorded as interrupted
        with the error, so ``spbe run --tunggu`` and the next batch are not held up by it."""
        from spbe_crawler.cluster.monitor_jobs import active_key

        error = f"{type(problem).__name__}: {problem}"
        logger.error("Pekerjaan %s gagal: %s", job.raw, error, exc_info=problem)
        if not self.queue.fail(self.worker, job, error, active_key(job) if job.kind == MONITOR else None):
            return
        self.report.failed.append(job.pemda if job.kind != MONITOR else f"{job.pemda} {job.shard}")
        logger.error("Pekerjaan %s disisihkan setelah %d kali gagal", job.raw, FAIL_LIMIT)
        if job.kind != MONITOR:
            with Session(get_engine()) as session:
                cluster_queries.fail_batch_run(session, job.pemda, job.batch, error)

    def _claim(self, job: Job) -> CrawlRun | None:
        with Session(get_engine(), expire_on_commit=False) as session:
            return claim_run(session, job, self.worker, self.queue.is_alive)

    def _plan(self, job: Job) -> None:
        run = self._claim(job)
        if run is None or run.id is None:
            self.queue.run_done(self.worker, job)
            self.report.skipped.append(job.pemda)
            return
        with Session(get_engine()) as session:
            units = units_to_check(session, job.pemda, run.id)
        if self.queue.plan(self.worker, job, run.id, units):
            self.report.planned.append(job.pemda)
            logger.info("Pemda %s (run #%d): %d unit dimasukkan ke antrean", job.pemda, run.id, len(units))

    async def _finish(self, job: Job) -> None:
        run = self._claim(job)
        if run is None:  # finished by a worker that died before acknowledging
            self.queue.run_done(self.worker, job)
            self.report.skipped.append(job.pemda)
            return
        reason = await self._crawl(FinishSpider, pemda=job.pemda, leads=self.queue.leads(job.run))
        if reason == CRAWL_FINISHED:
            self.queue.run_done(self.worker, job)
            self.report.finished.append(job.pemda)
        elif not self.stopping:
            self.queue.give_back(self.worker, job)
            self.report.given_back.append(job.pemda)
            self.stopping = True  # Ctrl-C / SIGTERM: the crawl stopped; so does the worker

    async def _monitor(self, job: Job) -> None:
        from spbe_crawler.cluster.monitor_jobs import active_key, sweep_shard
        from spbe_crawler.monitor.lease import LeaseBusy

        try:
            summary = await sweep_shard(job)
        except LeaseBusy as busy:  # the shard is swept elsewhere (a dead worker's lease not yet expired)
            logger.warning("Bagian %s pemantauan %s: %s", job.shard, job.pemda, busy)
            self.queue.give_back(self.worker, job, last=True)
            await asyncio.sleep(2)
            return
        except Exception as problem:
            self.failed(job, problem)
            await asyncio.sleep(2)
            return
        self.queue.done_keyed(self.worker, job, active_key(job))
        self.report.shards.append(f"{job.pemda} {job.shard}: {summary}")
        logger.info("Bagian %s pemantauan %s selesai: %s", job.shard, job.pemda, summary)
