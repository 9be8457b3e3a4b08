"""The store pipeline of a worker's unit crawl: the survey's pipeline, one set of keys per run.

A unit crawl writes into the runs of several pemda (the units of whichever runs the worker took), so
the run of an item is the run of its website's unit job (:class:`~spbe_crawler.cluster.crawl.UnitFeed`),
and the keys the survey pipeline keeps to upsert without a query are kept per run. The first time a
website is met, what the run already holds of it is loaded: a worker that died in the middle of the
site wrote some of its pages. After a site's check is committed the feed is told, which acknowledges
the unit job once all its websites are stored. Outcomes and the end of a run are the finish step's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from spbe_crawler.items import FindingItem, PageItem, SiteCheckItem
from spbe_crawler.pipelines import StorePipeline
from spbe_crawler.store import cluster_queries
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import Finding, Page
from spbe_crawler.store.queries import FindingKey


@dataclass
class RunKeys:
    page_urls: set[str] = field(default_factory=set)
    finding_keys: set[FindingKey] = field(default_factory=set)
    checked: set[int] = field(default_factory=set)
    portals: set[int] = field(default_factory=set)
    seen: set[int] = field(default_factory=set)  # websites whose stored rows were loaded


class ClusterStorePipeline(StorePipeline):
    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self.keys: dict[int, RunKeys] = {}

    def open_spider(self) -> None:
        self.session = Session(get_engine(), expire_on_commit=False)

    def process_item(self, item: Any) -> Any:
        feed = self.crawler.spider.feed
        website_id = getattr(item, "website_id", None)
        run_id = feed.run_of(website_id) if isinstance(item, (PageItem, FindingItem, SiteCheckItem)) else None
        if run_id is None:  # a unit crawl yields only these, for sites of held units
            return item
        self._use(run_id, website_id)
        return super().process_item(item)

    def _store_waiting_check(self, item: SiteCheckItem) -> None:
        run_id = self.crawler.spider.feed.run_of(item.website_id)
        if run_id is not None:
            self._use(run_id, item.website_id)
            super()._store_waiting_check(item)

    def site_stored(self, item: SiteCheckItem) -> None:
        """The site's check is committed (with all its items): the feed acknowledges its unit job.
        Sites of several runs may share a commit: the keys of the site's own run are dropped once no
        site of that run is open."""
        feed = self.crawler.spider.feed
        run_id = feed.run_of(item.website_id)
        feed.site_stored(item.website_id)
        if run_id is not None and run_id not in feed.site_run.values():
            self.keys.pop(run_id, None)

    def _write_new_rows(self) -> None:
        assert self.session is not None
        pages, findings = self.new_rows[Page], self.new_rows[Finding]
        cluster_queries.upsert_pages(self.session, pages)
        cluster_queries.insert_findings(self.session, findings)  # a worker that took the unit over may race
        pages.clear()
        findings.clear()
        super()._write_new_rows()

    def _use(self, run_id: int, website_id: int) -> None:
        """Point the survey pipeline's keys at this run's, loading the site's stored rows once."""
        assert self.session is not None
        keys = self.keys.setdefault(run_id, RunKeys())
        self.run_id = run_id
        self.page_urls, self.finding_keys = keys.page_urls, keys.finding_keys
        self.checked, self.portals = keys.checked, keys.portals
        if website_id not in keys.seen:
            keys.seen.add(website_id)
            urls, findings, checked = cluster_queries.site_rows(self.session, run_id, website_id)
            keys.page_urls |= urls
            keys.finding_keys |= findings
            if checked:
                keys.checked.add(website_id)

    def _spider_closed(self, spider: Any, reason: str) -> None:
        self.stop_timer()
        if self.session is not None:
            self.store_waiting(reason)
            self.commit()
            self.session.close()
