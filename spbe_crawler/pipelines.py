"""The one storage pipeline: every write of the survey goes through here.

When the spider opens it seeds an empty registry with the bundled data and opens (or resumes) the
crawl run; the spider finds both through :mod:`spbe_crawler.store.queries` and is never written
to. Pages, findings and site checks are upserted, keyed so that re-running or resuming a job never
duplicates a row; at the end every unit in scope gets one outcome.

Commits happen when a discovered website is stored, every ``COMMIT_EVERY`` items, and for finished
sites (their :class:`SiteCheckItem`) at most once every ``COMMIT_SECONDS``: the sites finished
meanwhile share one commit, and a timer commits the last ones when no item comes. (A commit per
site cost about 4 % of the crawl's CPU on the fast local web of ``bench/bench_survey.py``, and it
is a disk flush on a PostgreSQL server.) A crawl stopped by Ctrl-C or SIGTERM commits everything;
one killed outright loses the pages of sites without a committed check, and those sites are crawled
again when the run resumes. Scrapy does not keep the order of items yielded by different responses,
so a site check can arrive before the last pages of its site: it carries how many page and finding
items its site yielded, and waits here until they are all stored. New rows are kept as
plain column values until then and written with one multi-row insert per table (building an ORM
object per page cost more than a millisecond). The spider merges the same evidence seen on several
pages of a site into one finding before it yields it; a finding already stored (before a resume, or
by another website of the same unit) is loaded and merged the same way.

Memory stays bounded by the sites in flight: of what was stored only keys are kept (page URLs,
finding keys, checked website ids), and the session forgets every row once it is committed.
"""

from __future__ import annotations

import logging
import time
import zlib
from copy import deepcopy
from dataclasses import fields
from functools import cache, partial
from typing import Any

from scrapy import signals
from scrapy.utils.asyncio import create_looping_call
from sqlmodel import Session, SQLModel

from spbe_crawler.items import CandidateItem, FindingItem, PageItem, SiteCheckItem, WebsiteItem, merge_finding
from spbe_crawler.registry.pemda_sites import load_bundled
from spbe_crawler.registry.scope import units_in_scope
from spbe_crawler.registry.urls import host_of
from spbe_crawler.store import queries
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import CrawlRun, DiscoveryCandidate, Finding, Page, SiteCheck, Website, utcnow
from spbe_crawler.store.queries import FindingKey
from spbe_crawler.survey import runs
from spbe_crawler.vocab import WebsiteRole, WebsiteState

COMMIT_EVERY = 200
COMMIT_SECONDS = 1.0  # finished sites are committed together, at most this often
# zlib level of stored page bodies. On the real pemda pages of ../shared/pages (90 KB on average)
# level 6 took 1.2 ms per page, a fifth of the page's analysis; level 1 takes 0.47 ms and stores
# 16 % of the markup instead of 13.5 %.
BODY_COMPRESSION = 1
logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.store_bodies = crawler.settings.getbool("SPBE_STORE_BODIES")
        self.body_max = crawler.settings.getint("SPBE_BODY_STORE_MAX")
        self._session: Session | None = None
        self.run: CrawlRun | None = None
        self.run_id = 0
        self.pemda = ""
        self.pending = 0
        # What this run already stored (loaded once when a run is resumed), to upsert without a query.
        self.page_urls: set[str] = set()  # keys only: page bodies must not stay in memory
        self.finding_keys: set[FindingKey] = set()
        self.checked: set[int] = set()
        self.candidates: set[str] = set()
        self.portals: set[int] = set()  # websites already checked for the portal role
        self.discovered: dict[int, int] = {}  # the spider's negative key of a discovered site -> stored id
        self.new_rows: dict[type[SQLModel], list[dict[str, Any]]] = {Page: [], SiteCheck: [], Finding: []}  # column values, until commit
        self.site_items: dict[int, int] = {}  # the spider's site key -> page and finding items received, until its check
        self.waiting: dict[int, SiteCheckItem] = {}  # checks that arrived before some items of their site
        self.uncommitted: list[SiteCheckItem] = []  # checks stored since the last commit
        self.committed_at = time.monotonic()
        self.timer: Any = None  # commits the last finished sites when no item comes (see start_timer)

    @property
    def session(self) -> Session | None:
        return self._session

    @session.setter
    def session(self, session: Session | None) -> None:
        """Whoever commits the session (this pipeline, a subclass, the close), the new rows go first."""
        self._session = session
        if session is not None:
            queries.before_commit(session, self._write_new_rows)

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline._spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.start_timer, signal=signals.spider_opened)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider  # read only: the pipeline never sets anything on the spider
        self.open(spider.pemda, spider.resume)

    def start_timer(self) -> None:
        """When the spider opens: commit finished sites that wait also while no item arrives (the
        crawl's last sites, a worker waiting for jobs)."""
        self.timer = create_looping_call(self.commit_due)
        self.timer.start(COMMIT_SECONDS, now=False)

    def stop_timer(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.timer = None

    def open(self, pemda: str, resume: bool) -> None:
        """Seed an empty registry, open (or resume) the run and load the keys it already stored."""
        self.pemda = pemda
        self.session = session = Session(get_engine(), expire_on_commit=False)
        if not queries.has_units(session, pemda):  # `scrapy crawl survey -a pemda=..` on an empty registry
            load_bundled(session, pemda)
            session.commit()
        self.run = runs.open_run(session, pemda, resume=resume, options={"pemda": pemda})
        assert self.run.id is not None
        self.run_id = run_id = self.run.id
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("spbe/run_id", run_id)
        self.page_urls = queries.page_urls(session, run_id)
        self.finding_keys = queries.finding_keys(session, run_id)
        self.checked = queries.checked_website_ids(session, run_id)
        self.candidates = queries.candidate_hosts(session, run_id)

    def process_item(self, item: Any) -> Any:
        assert self.session is not None
        self.pending += 1
        finished: SiteCheckItem | None = None
        if isinstance(item, (PageItem, FindingItem)):
            if isinstance(item, PageItem):
                self._store_page(item)
            else:
                self._store_finding(item)
            finished = self._counted(item.website_id)
        elif isinstance(item, SiteCheckItem):
            if self.site_items.get(item.website_id, 0) < item.items:
                self.waiting[item.website_id] = item
            else:
                finished = item
        elif isinstance(item, WebsiteItem):
            self._store_website(item)
        elif isinstance(item, CandidateItem):
            self._store_candidate(item)
        if finished is not None:
            self.site_items.pop(finished.website_id, None)
            self._store_site_check(finished)
            self.uncommitted.append(finished)
        if isinstance(item, WebsiteItem) or self.pending >= COMMIT_EVERY:
            self.commit()
        else:
            self.commit_due()
        return item

    def commit_due(self) -> None:
        """Commit the finished sites if the last commit is ``COMMIT_SECONDS`` old."""
        if self.uncommitted and time.monotonic() - self.committed_at >= COMMIT_SECONDS:
            self.commit()

    def commit(self) -> None:
        """Commit the new rows and the finished sites' checks, then tell :meth:`site_stored`."""
        assert self.session is not None
        self.session.commit()  # writes the new rows first (see the session setter)
        self.session.expunge_all()  # committed rows are not needed again: memory stays flat
        self.pending = 0
        self.committed_at = time.monotonic()
        committed, self.uncommitted = self.uncommitted, []
        for item in committed:
            self.site_stored(item)

    def _counted(self, key: int) -> SiteCheckItem | None:
        """Count one page or finding item of a site; its waiting check once it was the last one."""
        received = self.site_items[key] = self.site_items.get(key, 0) + 1
        waiting = self.waiting.get(key)
        if waiting is None or received < waiting.items:
            return None
        return self.waiting.pop(key)

    def site_stored(self, item: SiteCheckItem) -> None:
        """Called once a site's check is committed, with every item of the site."""

    def store_waiting(self, reason: str) -> None:
        """When the crawl closes: checks still waiting for items are stored if the crawl finished
        (nothing more will come); an interrupted crawl leaves them out, so a resume crawls the site again."""
        waiting, self.waiting = list(self.waiting.values()), {}
        if reason != "finished":
            return
        for item in waiting:
            self._store_waiting_check(item)

    def _store_waiting_check(self, item: SiteCheckItem) -> None:
        missing = item.items - self.site_items.pop(item.website_id, 0)
        logger.warning("Situs %s: %d butir halaman/temuan tidak sampai ke penyimpanan", item.url, missing)
        self._store_site_check(item)
        self.uncommitted.append(item)

    def _write_new_rows(self) -> None:
        """Insert the rows collected since the last commit, one statement per table."""
        assert self.session is not None
        for model, rows in self.new_rows.items():
            queries.insert_rows(self.session, model, rows)
            rows.clear()

    def _stored(self, query: Any, *args: Any) -> Any:
        """A row stored earlier (``query(session, run_id, *args)``), after writing the new ones."""
        assert self.session is not None
        self._write_new_rows()
        return query(self.session, self.run_id, *args)

    def _stored_id(self, website_id: int) -> int | None:
        """The stored id of a site: its own, or the one its discovery key was stored under."""
        return website_id if website_id > 0 else self.discovered.get(website_id)

    def _store_website(self, item: WebsiteItem) -> None:
        """Store a discovered website; a declared or already known one is never overwritten."""
        assert self.session is not None
        known = queries.website_id(self.session, item.unit_code, item.url)
        if known is not None:
            self.discovered[item.key] = known
            return
        website = Website(
            unit_code=item.unit_code,
            url=item.url,
            host=host_of(item.url),
            state=WebsiteState.DISCOVERED.value,
            role=item.role,
            source=item.source,
            confidence=item.confidence,
            evidence=item.evidence,
        )
        self.session.add(website)
        self.session.flush()
        assert website.id is not None
        self.discovered[item.key] = website.id

    def _store_candidate(self, item: CandidateItem) -> None:
        assert self.session is not None
        if item.host not in self.candidates:
            self.candidates.add(item.host)
            self.session.add(DiscoveryCandidate(run_id=self.run_id, **_values(item)))

    def _store_page(self, item: PageItem) -> None:
        assert self.session is not None
        website_id = self._stored_id(item.website_id)
        if website_id is None:
            return
        values = _values(item)
        body = values.pop("body")
        values["website_id"] = website_id
        if self.store_bodies and body:
            values["body_z"] = zlib.compress(body[: self.body_max], BODY_COMPRESSION)
        page = self._stored(queries.page, item.url) if item.url in self.page_urls else None
        if page is None:
            self.page_urls.add(item.url)
            self.new_rows[Page].append(_row(Page, run_id=self.run_id, **values))
            return
        for key, value in values.items():
            setattr(page, key, value)
        page.fetched_at = utcnow()
        self.session.add(page)

    def _store_finding(self, item: FindingItem) -> None:
        assert self.session is not None
        website_id = self._stored_id(item.website_id)
        if item.kind == "host" and website_id is not None:
            self._mark_portal(website_id, item.url)
        key = item.key
        existing = self._stored(queries.finding, key) if key in self.finding_keys else None
        if existing is None:  # the spider merged the site's pages: one item per key and site
            self.finding_keys.add(key)
            self.new_rows[Finding].append(_row(Finding, run_id=self.run_id, **{**_values(item), "website_id": website_id}))
            return
        merge_finding(existing, item)  # stored before a resume, or by another website of the unit
        existing.seen_at = utcnow()
        self.session.add(existing)

    def _mark_portal(self, website_id: int, url: str) -> None:
        """A website whose own host a service signature recognises (jdih., lpse. ...) is a service
        portal: the monitor checks portals more often than unit sites."""
        assert self.session is not None
        if website_id in self.portals:
            return
        self.portals.add(website_id)
        website = queries.website(self.session, website_id)
        if website is not None and website.role != WebsiteRole.PORTAL and website.host == host_of(url):
            website.role = WebsiteRole.PORTAL.value
            self.session.add(website)

    def _store_site_check(self, item: SiteCheckItem) -> None:
        assert self.session is not None
        website_id = self._stored_id(item.website_id)
        if item.website_id < 0:
            self.discovered.pop(item.website_id, None)  # the site is finished: its key is not used again
        if website_id is None:
            return
        values = {**_values(item), "website_id": website_id}
        del values["items"]
        check = self._stored(queries.site_check, website_id) if website_id in self.checked else None
        if check is None:
            self.checked.add(website_id)
            self.new_rows[SiteCheck].append(_row(SiteCheck, run_id=self.run_id, **values))
            return
        for key, value in values.items():
            setattr(check, key, value)
        check.checked_at = utcnow()
        self.session.add(check)

    def _spider_closed(self, spider: Any, reason: str) -> None:
        # What discovery tried for units it found nothing for (read from the spider, never written).
        discoverer = getattr(spider, "discoverer", None)
        self.close(reason, discoverer.tried_sentences() if discoverer is not None else None)

    def close(self, reason: str, tried: dict[str, str] | None = None) -> None:
        """Runs after the scraper closed (Scrapy sends spider_closed last), with the close reason.

        Only a crawl that finished gets its unit outcomes and is marked finished; an interrupted one
        (Ctrl-C, SIGTERM) stays resumable.
        """
        self.stop_timer()
        if self.session is None or self.run is None:
            return
        self.store_waiting(reason)
        self.commit()
        finished = reason == "finished"
        if finished:
            runs.record_unit_outcomes(self.session, self.run, units_in_scope(self.session, self.pemda), tried=tried)
        runs.finish_run(self.session, self.run, finished)
        self.session.close()


def _values(item: Any) -> dict[str, Any]:
    """An item's fields (a shallow copy: the spider never touches an item again)."""
    return {field.name: getattr(item, field.name) for field in fields(item)}


def _row(model: type[SQLModel], **values: Any) -> dict[str, Any]:
    """Column values of a new ``model`` row: ``values`` plus the model's defaults (``utcnow()``...)."""
    for name, default in _defaults(model):
        if name not in values:
            values[name] = default()
    return values


@cache
def _defaults(model: type[SQLModel]) -> tuple[tuple[str, Any], ...]:
    """Each column's default maker (its factory, or a copy of its value), looked up once per model."""
    return tuple(
        (name, info.default_factory or partial(deepcopy, info.default)) for name, info in model.model_fields.items() if name != "id"
    )
