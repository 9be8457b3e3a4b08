"""``spbe worker``: take pemda jobs from the shared Redis queue and survey each with the usual spider.

One process runs one crawl at a time, one after another in the same reactor (Scrapy's
``CrawlerProcess`` with ``stop_after_crawl=False``). Each crawl is the unchanged survey spider with
three settings changed: the scrapy-redis scheduler keeps the crawl's request frontier in Redis, the
:class:`~spbe_crawler.cluster.politeness.SharedIpSlots` middleware keeps the per-IP limit across
workers, and the store is the shared database (PostgreSQL; SQLite works for workers on one machine).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from sqlmodel import Session, col, select

from spbe_crawler import config
from spbe_crawler.cluster.queue import DEFAULT_PREFIX, Job, JobQueue, connect, new_worker_id
from spbe_crawler.cluster.settings import per_ip
from spbe_crawler.spiders.survey import SurveySpider
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import CrawlRun
from spbe_crawler.survey.job import survey_settings

logger = logging.getLogger(__name__)

SURVEY = "survey"
FINISHED = "finished"


def cluster_settings(redis_url: str, prefix: str) -> dict[str, Any]:
    """The settings a worker's crawl adds to the project's (``spbe_crawler/settings.py``)."""
    return {
        "SPBE_REDIS_URL": redis_url,
        "SPBE_REDIS_PREFIX": prefix,
        "SPBE_CLUSTER_PER_IP": per_ip(),
        # scrapy-redis: the frontier of the crawl in Redis, flushed when a crawl (re)starts because the
        # per-site state of a dead worker's requests died with it (the run resumes from the store).
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


def claim_run(session: Session, job: Job, worker: str) -> CrawlRun | None:
    """The run this job continues (same batch, unfinished: a dead worker's) or a new one.

    None when the batch's run of this pemda is already finished (a worker died after finishing it
    but before acknowledging the job): it is never run twice.
    """
    latest = session.exec(
        select(CrawlRun).where(CrawlRun.scope == job.pemda, CrawlRun.kind == SURVEY).order_by(col(CrawlRun.id).desc())
    ).first()
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "worker": worker}
    if latest is not None and job.batch and latest.options.get("batch") == job.batch:
        if latest.state == FINISHED:
            return None
        latest.options = {**latest.options, **owner, "taken_over": latest.options.get("taken_over", 0) + 1}
        session.add(latest)
        session.commit()
        return latest
    if latest is not None and latest.state != FINISHED:
        latest.state = "interrupted"  # an older batch's or a local run's leftover: the new batch starts afresh
        session.add(latest)
    run = CrawlRun(kind=SURVEY, scope=job.pemda, options={"pemda": job.pemda, "batch": job.batch, **owner})
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


@dataclass
class WorkerReport:
    worker: str
    finished: list[str] = field(default_factory=list)  # pemda codes this worker finished
    skipped: list[str] = field(default_factory=list)  # already finished by another worker
    given_back: list[str] = field(default_factory=list)
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
        self.stopping = False
        self.current: Job | None = None
        self.current_crawler: Any = None

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

        reactor.callWhenRunning(lambda: Deferred.fromFuture(asyncio.ensure_future(self._loop())).addBoth(done))  # type: ignore[attr-defined]
        self.process.start(stop_after_crawl=False)  # returns when the reactor stops (idle, SIGTERM, Ctrl-C)
        stop.set()
        beat.join(timeout=5)
        if self.current is not None:  # stopped in the middle of a crawl: the run resumes elsewhere
            self.queue.give_back(self.worker, self.current)
            self.report.given_back.append(self.current.pemda)
        self.queue.leave(self.worker)
        return self.report

    def _beat(self, stop: threading.Event, reactor: Any) -> None:
        """In its own thread (a busy reactor must not look dead): renew the lease, return dead workers'
        jobs, and stop a crawl whose job was taken away after all (a pause longer than the lease)."""
        queue = JobQueue(connect(self.redis_url), self.queue.prefix, self.queue.lease_seconds)
        interval = max(0.5, self.queue.lease_seconds / 4)
        while not stop.wait(interval):
            try:
                queue.heartbeat(self.worker)
                queue.reap()
                job, crawler = self.current, self.current_crawler
                if job is None or crawler is None:
                    continue
                if job.raw not in queue.client.lrange(queue.inflight_key(self.worker), 0, -1):
                    logger.error("Lease pekerjaan %s hilang (pekerja dianggap mati): perayapan dihentikan", job.pemda)
                    self.current = None
                    reactor.callFromThread(lambda c=crawler: asyncio.ensure_future(c.engine.close_spider_async(reason="lease_lost")))
            except Exception:  # Redis away for a moment: try again at the next beat
                logger.exception("Detak pekerja gagal")
        queue.client.close()

    async def _loop(self) -> None:
        idle_since: float | None = None
        loop = asyncio.get_running_loop()
        while not self.stopping:
            job = self.queue.lease(self.worker)
            if job is None:
                self.queue.reap()
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
            await self._run_job(job)

    async def _run_job(self, job: Job) -> None:
        with Session(get_engine(), expire_on_commit=False) as session:
            run = claim_run(session, job, self.worker)
        if run is None:
            self.queue.ack(self.worker, job)
            self.report.skipped.append(job.pemda)
            return
        self.current = job
        crawler = self.process.create_crawler(SurveySpider)
        self.current_crawler = crawler
        try:
            await self.process.crawl(crawler, pemda=job.pemda, resume="1").asFuture(asyncio.get_running_loop())
        finally:
            self.current_crawler = None
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        if self.current is None:  # the lease was lost: another worker has the job now
            return
        self.current = None
        if reason == FINISHED:
            self.queue.ack(self.worker, job)
            self.report.finished.append(job.pemda)
        else:
            self.queue.give_back(self.worker, job)
            self.report.given_back.append(job.pemda)
            self.stopping = True  # Ctrl-C / SIGTERM: the crawl stopped; so does the worker
