"""The one storage pipeline: every write of the survey goes through here.

It opens (or resumes) the crawl run when the spider opens, upserts pages, findings and site checks
keyed so that re-running or resuming a job never duplicates a row, and at the end records one
outcome per unit in scope.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict
from typing import Any

from scrapy import signals
from sqlmodel import Session, select

from spbe_crawler.items import CandidateItem, FindingItem, PageItem, SiteCheckItem, WebsiteItem
from spbe_crawler.registry.urls import host_of
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import DiscoveryCandidate, Finding, Page, SiteCheck, Website, utcnow
from spbe_crawler.survey import runs


class StorePipeline:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.store_bodies = crawler.settings.getbool("SPBE_STORE_BODIES")
        self.body_max = crawler.settings.getint("SPBE_BODY_STORE_MAX")
        self.session: Session | None = None
        self.run = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline._spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.session = Session(get_engine(), expire_on_commit=False)
        self.run = runs.open_run(self.session, spider.pemda, resume=spider.resume, options={"pemda": spider.pemda})
        spider.run_id = self.run.id
        spider.done_website_ids = runs.checked_website_ids(self.session, self.run.id)

    def process_item(self, item: Any) -> Any:
        assert self.session is not None
        if isinstance(item, PageItem):
            self._store_page(item)
        elif isinstance(item, FindingItem):
            self._store_finding(item)
        elif isinstance(item, SiteCheckItem):
            self._store_site_check(item)
        elif isinstance(item, WebsiteItem):
            self._store_website(item)
        elif isinstance(item, CandidateItem):
            self._store_candidate(item)
        self.session.commit()
        return item

    def _website_id(self, unit_code: str | None, url: str | None) -> int | None:
        """The id of a website discovered during this crawl (the spider does not know it)."""
        assert self.session is not None
        website = self.session.exec(select(Website).where(Website.unit_code == unit_code, Website.url == url)).first()
        return website.id if website else None

    def _store_website(self, item: WebsiteItem) -> None:
        """Store a discovered website; a declared or already known one is never overwritten."""
        assert self.session is not None
        if self.session.exec(select(Website).where(Website.unit_code == item.unit_code, Website.url == item.url)).first():
            return
        self.session.add(
            Website(
                unit_code=item.unit_code,
                url=item.url,
                host=host_of(item.url),
                state="discovered",
                role=item.role,
                source=item.source,
                confidence=item.confidence,
                evidence=item.evidence,
            )
        )

    def _store_candidate(self, item: CandidateItem) -> None:
        assert self.session is not None
        existing = self.session.exec(
            select(DiscoveryCandidate).where(DiscoveryCandidate.run_id == item.run_id, DiscoveryCandidate.host == item.host)
        ).first()
        if existing is None:
            self.session.add(DiscoveryCandidate(**asdict(item)))

    def _store_page(self, item: PageItem) -> None:
        assert self.session is not None
        if item.website_id is None:
            item.website_id = self._website_id(item.unit_code, item.site_url)
            if item.website_id is None:
                return
        existing = self.session.exec(select(Page).where(Page.run_id == item.run_id, Page.url == item.url)).first()
        fields = asdict(item)
        body = fields.pop("body")
        fields.pop("unit_code")
        fields.pop("site_url")
        page = existing or Page(**fields)
        if existing:
            for key, value in fields.items():
                setattr(page, key, value)
            page.fetched_at = utcnow()
        if self.store_bodies and body:
            page.body_z = zlib.compress(body[: self.body_max], 6)
        self.session.add(page)

    def _store_finding(self, item: FindingItem) -> None:
        assert self.session is not None
        existing = self.session.exec(
            select(Finding).where(
                Finding.run_id == item.run_id,
                Finding.rule_id == item.rule_id,
                Finding.url == item.url,
                Finding.unit_code == item.unit_code,
            )
        ).first()
        if existing is None:
            self.session.add(Finding(**asdict(item)))
            return
        existing.signals = sorted(set(existing.signals) | set(item.signals))
        existing.confidence = max(existing.confidence, item.confidence)
        if len(item.snippet) > len(existing.snippet):
            existing.snippet = item.snippet
        existing.seen_at = utcnow()
        self.session.add(existing)

    def _store_site_check(self, item: SiteCheckItem) -> None:
        assert self.session is not None
        if item.website_id is None:
            item.website_id = self._website_id(item.unit_code, item.url)
            if item.website_id is None:
                return
        existing = self.session.exec(
            select(SiteCheck).where(SiteCheck.run_id == item.run_id, SiteCheck.website_id == item.website_id)
        ).first()
        fields = asdict(item)
        check = existing or SiteCheck(**fields)
        if existing:
            for key, value in fields.items():
                setattr(check, key, value)
            check.checked_at = utcnow()
        self.session.add(check)

    def _spider_closed(self, spider: Any, reason: str) -> None:
        """Runs after the scraper closed (Scrapy sends spider_closed last), with the close reason.

        Only a crawl that finished gets its unit outcomes and is marked finished; an interrupted one
        (Ctrl-C, SIGTERM) stays resumable.
        """
        if self.session is None or self.run is None:
            return
        finished = reason == "finished"
        if finished:
            runs.record_unit_outcomes(self.session, self.run, spider.scope_units)
        runs.finish_run(self.session, self.run, finished)
        self.session.close()
