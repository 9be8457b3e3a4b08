"""What the survey learns about one website while its requests are in flight, and its final status.

A :class:`SiteState` counts the site's requests in flight (:meth:`SiteState.opened` /
:meth:`SiteState.closed`); when the last one is answered the site is finished and gets exactly one
verdict (:meth:`SiteState.final`). The fallbacks for messy registries (:mod:`spbe_crawler.survey.fallback`)
are recorded here too, so that the site check says what was tried.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from scrapy import Request
from scrapy.http.cookies import CookieJar

from spbe_crawler.health.page import PageFacts
from spbe_crawler.health.status import Status, info
from spbe_crawler.health.usage import UsageTally
from spbe_crawler.items import FindingItem, merge_finding
from spbe_crawler.survey.links import LinkFrontier


class Fetch(str, Enum):
    """Why a request was made: the spider routes each response by this, never by a URL or a string."""

    HOME = "home"  # the site's homepage (the registered URL, or a fallback of it)
    BROWSER = "browser"  # the homepage again with a browser User-Agent, after 401/403
    BOT = "bot"  # the homepage again with a search-engine User-Agent (cloaking check)
    PAGE = "page"  # a page of the bounded crawl
    PROBE = "probe"  # an active check of a signature rule (CKAN API, JDIH search)
    DISCOVER = "discover"  # a guessed or linked host of a unit without a website


@dataclass
class Verdict:
    status: Status
    detail: str
    rule: str | None = None
    snippet: str | None = None


@dataclass(frozen=True)
class Attempt:
    """One homepage URL tried for a site and what it answered (a failed registered URL, a fallback)."""

    url: str
    status: Status
    detail: str
    http_status: int | None = None


@dataclass
class SiteState:
    website_id: int  # negative: a site discovered in this crawl (the pipeline knows its stored id)
    unit_code: str
    pemda_code: str
    url: str
    parent_hosts: frozenset[str]
    frontier: LinkFrontier
    started: float = field(default_factory=time.monotonic)
    pending: int = 0  # requests made and not yet answered (those waiting in ``queued`` included)
    in_flight: int = 0  # requests handed to Scrapy and not yet answered
    queued: deque[Any] = field(default_factory=deque)  # requests made, waiting for one in flight to end
    finished: bool = False
    items: int = 0  # page items yielded (the site check carries the count, findings included)
    failure: Verdict | None = None  # the homepage could not be fetched or used
    verdicts: list[Verdict] = field(default_factory=list)
    http_status: int | None = None
    final_url: str | None = None
    ip_address: str | None = None
    tls_expires_at: Any = None
    tls_issuer: str | None = None
    home_facts: PageFacts | None = None
    bot_facts: PageFacts | None = None
    browser_retry: bool = False
    usage: UsageTally = field(default_factory=UsageTally)  # what the pages showed; the pages are not kept
    usage_failed: bool = False
    signals: dict[str, Any] = field(default_factory=dict)
    probes_requested: set[str] = field(default_factory=set)
    home_url: str = ""  # the homepage URL being tried now (the registered one, or a fallback)
    attempts: list[Attempt] = field(default_factory=list)  # homepage URLs that failed, in order
    # Evidence found so far, one item per key: a menu link on every page is one finding, yielded
    # merged with the site check (bounded by the site's page cap times the rules).
    findings: dict[tuple[str, str, str], FindingItem] = field(default_factory=dict)
    # The cookies the site set, sent back on its later requests as a browser does (a visitor check
    # that redirects to the same address with a cookie is no redirect loop); made at the first
    # Set-Cookie, dropped with the site.
    cookies: CookieJar | None = None

    def __post_init__(self) -> None:
        self.home_url = self.home_url or self.url

    def opened(self) -> None:
        """A request of this site was scheduled."""
        self.pending += 1

    def send(self, requests: list[Any], limit: int) -> list[Any]:
        """Queue ``requests`` behind the site's earlier ones; return those that may go now, so that at
        most ``limit`` are in flight."""
        self.queued.extend(requests)
        sent = []
        while self.queued and self.in_flight < limit:
            sent.append(self.queued.popleft())
            self.in_flight += 1
        return sent

    def closed(self) -> bool:
        """A request of this site was answered; True once, when it was the last one."""
        self.pending -= 1
        if self.pending > 0 or self.finished:
            return False
        self.finished = True
        return True

    def keep_cookies(self, response: Any) -> None:
        """Remember the cookies a response of the site set (by the rules of a browser's cookie jar)."""
        if response.request is None or b"Set-Cookie" not in response.headers:
            return
        if self.cookies is None:
            self.cookies = CookieJar()
        self.cookies.extract_cookies(response, response.request)

    def send_cookies(self, request: Any) -> None:
        """Add the site's cookies that belong to ``request`` (host, path, scheme) as its Cookie header."""
        if self.cookies is not None:
            self.cookies.add_cookie_header(request)

    def cookie_header(self, url: str) -> bytes | None:
        """The Cookie header a request of the site for ``url`` would carry now."""
        if self.cookies is None:
            return None
        request = Request(url)
        self.cookies.add_cookie_header(request)
        return request.headers.get("Cookie")

    def found(self, finding: FindingItem) -> None:
        """Keep a finding of one page, merged into the same evidence from earlier pages."""
        known = self.findings.get(finding.key)
        if known is None:
            self.findings[finding.key] = finding
        else:
            merge_finding(known, finding)

    def final(self) -> Verdict:
        """The network failure if the homepage failed; else the most severe verdict; else ok."""
        if self.failure is not None:
            return self.failure
        if not self.verdicts:
            return Verdict(Status.OK, "situs berfungsi")
        return max(self.verdicts, key=lambda v: info(v.status).severity)

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)
