"""The two crawls of a worker, both the survey spider with small additions.

- :class:`UnitSpider`, one long-lived crawl per worker: it takes ``unit`` jobs from the shared lane
  (:class:`UnitFeed`) while it has room (``SPBE_CLUSTER_OPEN_SITES`` sites open), crawls each unit's
  websites as the survey spider does, and acknowledges a unit once the check of each of its websites
  is committed (:class:`~spbe_crawler.cluster.pipeline.ClusterStorePipeline` tells the feed). Links to
  unlisted unit sites found on the way are recorded as leads of the run, not followed here.
- :class:`FinishSpider`, the per-pemda step after the last unit: the survey spider resuming the run
  (websites not yet checked, e.g. sites discovered by a worker that died), discovery from the leads and
  the host-name guesses, then one outcome per unit (the normal pipeline, at its close).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

import scrapy
from sqlmodel import Session

from spbe_crawler.cluster.queue import UNITS, Job, JobQueue
from spbe_crawler.spiders.survey import SurveySpider
from spbe_crawler.store import cluster_queries
from spbe_crawler.store.db import get_engine
from spbe_crawler.survey.discover import Attempt, Discoverer, DnsCache
from spbe_crawler.survey.links import site_key
from spbe_crawler.survey.site import Fetch, SiteState
from spbe_crawler.survey.targets import Target, Targets, load_targets

logger = logging.getLogger(__name__)


class UnitFeed:
    """The unit jobs one worker holds, and which of their websites are still open.

    Shared by the unit spider (takes jobs, opens sites) and the cluster pipeline (a site's check is
    committed: :meth:`site_stored`); the last site of a unit acknowledges its job.
    """

    def __init__(self, queue: JobQueue, worker: str):
        self.queue = queue
        self.worker = worker
        self.stopping = False
        self.open_units: dict[str, tuple[Job, set[int]]] = {}  # raw job -> (job, websites still open)
        self.site_job: dict[int, str] = {}  # website id -> raw job of its unit
        self.site_run: dict[int, int] = {}  # website id -> run id
        self.units_done = 0
        self.last_units = 0  # units whose acknowledgement queued their run's finish job

    def lease(self) -> Job | None:
        return None if self.stopping else self.queue.lease(self.worker, UNITS)

    def hold(self, job: Job, website_ids: list[int]) -> None:
        if not website_ids:
            self._done(job)
            return
        self.open_units[job.raw] = (job, set(website_ids))
        for website_id in website_ids:
            self.site_job[website_id] = job.raw
            self.site_run[website_id] = job.run

    def run_of(self, website_id: int) -> int | None:
        return self.site_run.get(website_id)

    def site_stored(self, website_id: int) -> None:
        raw = self.site_job.pop(website_id, None)
        self.site_run.pop(website_id, None)
        if raw is None or raw not in self.open_units:
            return
        job, left = self.open_units[raw]
        left.discard(website_id)
        if not left:
            del self.open_units[raw]
            self._done(job)

    def _done(self, job: Job) -> None:
        self.units_done += 1
        if self.queue.unit_done(self.worker, job):
            self.last_units += 1

    def held(self) -> list[Job]:
        return [job for job, _ in self.open_units.values()]


class UnitSpider(SurveySpider):
    """The survey spider fed by unit jobs of any pemda (see the module docstring)."""

    name = "survey-units"
    custom_settings = {"ITEM_PIPELINES": {"spbe_crawler.cluster.pipeline.ClusterStorePipeline": 300}}

    def __init__(self, feed: UnitFeed, **kwargs: Any):
        super().__init__(pemda="*", resume="1", **kwargs)
        self.feed = feed
        self.frontier_name = JobQueue.unit_frontier(feed.worker)
        self.targets: OrderedDict[int, tuple[Targets, dict[str, list[Target]], Discoverer]] = OrderedDict()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        room = self.settings.getint("SPBE_CLUSTER_OPEN_SITES") or 2 * self.settings.getint("CONCURRENT_REQUESTS")
        while not self.feed.stopping:
            if len(self.sites) >= room:
                await asyncio.sleep(0.1)
                continue
            job = self.feed.lease()
            if job is None:
                await asyncio.sleep(0.5)
                continue
            for request in self.unit_requests(job):
                yield request

    def _run_targets(self, job: Job) -> tuple[Targets, dict[str, list[Target]], Discoverer]:
        """The pemda's targets (loaded once per run in this worker, a few runs kept)."""
        if job.run not in self.targets:
            with Session(get_engine(), expire_on_commit=False) as session:
                targets = load_targets(session, job.pemda)
            by_unit: dict[str, list[Target]] = {}
            for target in targets.websites:
                by_unit.setdefault(target.unit_code, []).append(target)
            # Matches links to units without a website; the finish step follows them (no guesses here).
            discoverer = Discoverer(targets.units, targets.hosts_by_unit, job.pemda, max_lookups=0, cache=DnsCache(None, 0))
            self.targets[job.run] = (targets, by_unit, discoverer)
            while len(self.targets) > 4:
                self.targets.popitem(last=False)
        return self.targets[job.run]

    def unit_requests(self, job: Job) -> list[scrapy.Request]:
        """The homepage requests of the unit's websites not yet checked in the run."""
        _, by_unit, _ = self._run_targets(job)
        websites = by_unit.get(job.unit, [])
        with Session(get_engine()) as session:
            done = cluster_queries.checked_among(session, job.run, [t.website_id for t in websites])
        todo = [t for t in websites if t.website_id not in done and t.website_id not in self.sites]
        self.feed.hold(job, [t.website_id for t in todo])
        self.total_sites += len(todo)
        requests = []
        for target in todo:
            site = SiteState(
                website_id=target.website_id,
                unit_code=target.unit_code,
                pemda_code=job.pemda,
                url=target.url,
                parent_hosts=target.parent_hosts,
                frontier=self._frontier(target.url),
            )
            site.frontier.mark_seen(target.url)
            self.sites[site.website_id] = site
            requests += site.send([self._request(site, target.url, Fetch.HOME)], self.site_concurrency)
        return requests

    def _handle_page(self, site: SiteState, response: Any, depth: int, facts: Any = None) -> list[Any]:
        run = self.feed.run_of(site.website_id)
        entry = self.targets.get(run) if run is not None else None
        self.discoverer = entry[2] if entry is not None else None
        self._lead_run = run
        return super()._handle_page(site, response, depth, facts)

    def _attempt_requests(self, attempts: list[Attempt]) -> list[scrapy.Request]:
        """A link to an unlisted unit site: a lead for the run's finish step (one worker follows it)."""
        run = getattr(self, "_lead_run", None)
        for attempt in attempts:
            if run is not None:
                self.feed.queue.add_lead(run, json.dumps(asdict(attempt), sort_keys=True))
        return []


class FinishSpider(SurveySpider):
    """The survey spider resuming a pemda's run after its units, with the run's leads followed first."""

    name = "survey-finish"

    def __init__(self, pemda: str, leads: list[str] | None = None, **kwargs: Any):
        super().__init__(pemda=pemda, resume="1", **kwargs)
        self.leads = leads or []

    def discovery_guesses(self) -> list[Attempt]:
        return self.lead_attempts() + super().discovery_guesses()

    def lead_attempts(self) -> list[Attempt]:
        """The leads still worth a request: their host not tried and their units still without a site."""
        if self.discoverer is None:
            return []
        attempts = []
        for raw in self.leads:
            try:
                data = json.loads(raw)
                attempt = Attempt(**{**data, "unit_codes": tuple(data["unit_codes"])})
            except (ValueError, TypeError, KeyError):
                logger.warning("Petunjuk penemuan rusak diabaikan: %r", raw[:200])
                continue
            host = site_key(urlsplit(attempt.url).hostname or "")
            if not host or host in self.discoverer.tried_hosts:
                continue
            if not attempt.portal and not any(code in self.discoverer.missing for code in attempt.unit_codes):
                continue
            self.discoverer.tried_hosts.add(host)
            attempts.append(attempt)
        return attempts
