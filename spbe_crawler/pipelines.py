"""The one storage pipeline: every write of the survey goes through here.

It opens (or resumes) the crawl run when the spider opens, upserts pages, findings and site checks
keyed so that re-running or resuming a job never duplicates a row, and at the end records one
outcome per unit in scope.

Commits happen when a site is finished (its :class:`SiteCheckItem`), when a discovered website is
stored, and every ``COMMIT_EVERY`` items: a crawl killed in between loses only pages of sites that
had no outcome yet, and those sites are crawled again when the run resumes.
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

COMMIT_EVERY = 200
FindingKey = tuple[str, str, str]  # rule_id, url, unit_code


class StorePipeline:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.store_bodies = crawler.settings.getbool("SPBE_STORE_BODIES")
        self.body_max = crawler.settings.getint("SPBE_BODY_STORE_MAX")
        self.session: Session | None = None
        self.run: Any = None
        self.pending = 0
        # What this run already stored (loaded once when a run is resumed), to upsert without a query.
        self.page_urls: set[str] = set()  # keys only: page bodies must not stay in memory
        self.findings: dict[FindingKey, Finding] = {}
        self.checks: dict[int, SiteCheck] = {}
        self.candidates: set[str] = set()
        self.portals: set[int] = set()  # websites already checked for the portal role

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline._spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.session = Session(get_engine(), expire_on_commit=False)
        self.run = runs.open_run(self.session, spider.pemda, resume=spider.resume, options={"pemda": spider.pemda})
        spider.run_id = self.run.id
        run_id = self.run.id
        self.page_urls = set(self.session.exec(select(Page.url).where(Page.run_id == run_id)).all())
        self.findings = {
            (f.rule_id, f.url, f.unit_code): f for f in self.session.exec(select(Finding).where(Finding.run_id == run_id)).all()
        }
        self.checks = {c.website_id: c for c in self.session.exec(select(SiteCheck).where(SiteCheck.run_id == run_id)).all()}
        self.candidates = set(self.session.exec(select(DiscoveryCandidate.host).where(DiscoveryCandidate.run_id == run_id)).all())
        spider.done_website_ids = set(self.checks)

    def process_item(self, item: Any) -> Any:
        assert self.session is not None
        self.pending += 1
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
        if isinstance(item, (SiteCheckItem, WebsiteItem)) or self.pending >= COMMIT_EVERY:
            self.session.commit()
            self.pending = 0
        return item

    def _website_id(self, unit_code: str | None, url: str | None) -> int | None:
        """The id of a website discovered during this crawl (the spider does not know it)."""
        assert self.session is not None
        website = self.session.exec(select(Website).where(Website.unit_code == unit_code, Website.url == url)).first()
        return website.id if website else None

    def _store_website(self, item: WebsiteItem) -> None:
        """Store a discovered website; a declared or already known one is never overwritten."""
        assert self.session is not None
        if self._website_id(item.unit_code, item.url) is not None:
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
        if item.host not in self.candidates:
            self.candidates.add(item.host)
            self.session.add(DiscoveryCandidate(**asdict(item)))

    def _store_page(self, item: PageItem) -> None:
        assert self.session is not None
        if item.website_id is None:
            item.website_id = self._website_id(item.unit_code, item.site_url)
            if item.website_id is None:
                return
        fields = asdict(item)
        body = fields.pop("body")
        fields.pop("unit_code")
        fields.pop("site_url")
        page = None
        if item.url in self.page_urls:
            page = self.session.exec(select(Page).where(Page.run_id == item.run_id, Page.url == item.url)).first()
        if page is None:
            self.page_urls.add(item.url)
            page = Page(**fields)
        else:
            for key, value in fields.items():
                setattr(page, key, value)
            page.fetched_at = utcnow()
        if self.store_bodies and body:
            page.body_z = zlib.compress(body[: self.body_max], 6)
        self.session.add(page)

    def _store_finding(self, item: FindingItem) -> None:
        assert self.session is not None
        if item.website_id is None:
            item.website_id = self._website_id(item.unit_code, item.site_url)
        if item.kind == "host" and item.website_id is not None:
            self._mark_portal(item.website_id, item.url)
        key = (item.rule_id, item.url, item.unit_code)
        existing = self.findings.get(key)
        if existing is None:
            fields = asdict(item)
            fields.pop("site_url")
            self.findings[key] = Finding(**fields)
            self.session.add(self.findings[key])
            return
        existing.signals = sorted(set(existing.signals) | set(item.signals))
        existing.confidence = max(existing.confidence, item.confidence)
        if existing.kind == "menu" and item.kind != "menu":  # the page itself, not a menu naming it
            existing.kind = item.kind
        if len(item.snippet) > len(existing.snippet):
            existing.snippet = item.snippet
        existing.seen_at = utcnow()
        self.session.add(existing)

    def _mark_portal(self, website_id: int, url: str) -> None:
        """A website whose own host a service signature recognises (jdih., lpse. ...) is a service
        portal: the monitor checks portals more often than unit sites."""
        assert self.session is not None
        if website_id in self.portals:
            return
        self.portals.add(website_id)
        website = self.session.get(Website, website_id)
        if website is not None and website.role != "portal" and website.host == host_of(url):
            website.role = "portal"
            self.session.add(website)

    def _store_site_check(self, item: SiteCheckItem) -> None:
        assert self.session is not None
        if item.website_id is None:
            item.website_id = self._website_id(item.unit_code, item.url)
            if item.website_id is None:
                return
        fields = asdict(item)
        check = self.checks.get(item.website_id)
        if check is None:
            check = self.checks[item.website_id] = SiteCheck(**fields)
        else:
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
        self.session.commit()
        finished = reason == "finished"
        if finished:
            discoverer = getattr(spider, "discoverer", None)
            tried = discoverer.tried_sentences() if discoverer is not None else None
            runs.record_unit_outcomes(self.session, self.run, spider.scope_units, tried=tried)
        runs.finish_run(self.session, self.run, finished)
        self.session.close()
