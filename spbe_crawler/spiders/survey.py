"""The survey spider: every website of every unit of a pemda, homepage plus a bounded crawl.

Each website is followed as a small state machine (:class:`SiteState`): its requests are counted and
when the last one is answered the site gets exactly one :class:`SiteCheckItem` with its status and
evidence. Redirects are followed here, not by Scrapy, so chains, loops and "only forwards to the pemda
portal" are visible. A homepage that fails is retried by the registry fallbacks of
:mod:`spbe_crawler.survey.fallback` before the site is called broken. Each response is routed by its
:class:`Fetch` kind. The spider only reads the store (through :mod:`spbe_crawler.store.queries`) and
yields items; :class:`spbe_crawler.pipelines.StorePipeline` writes them all.

    scrapy crawl survey -a pemda=18.71 [-a resume=0]
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.http.cookies import CookieJar
from scrapy.utils.defer import maybe_deferred_to_future
from sqlmodel import Session
from twisted.internet import threads
from twisted.internet.defer import DeferredList

from spbe_crawler import config
from spbe_crawler.config import parse_bool
from spbe_crawler.extensions import discovery_step
from spbe_crawler.health.page import PageFacts
from spbe_crawler.health.status import Status
from spbe_crawler.items import CandidateItem, FindingItem, PageItem, SiteCheckItem, WebsiteItem
from spbe_crawler.logs import quiet_network_noise
from spbe_crawler.net.policy import NameNotFound, NetworkPolicy
from spbe_crawler.net.scrapy_errors import classify_download_error, error_text
from spbe_crawler.net.twisted_resolver import policy_from_settings
from spbe_crawler.store import queries
from spbe_crawler.store.db import get_engine
from spbe_crawler.survey import fallback
from spbe_crawler.survey.analysis import Analyzer
from spbe_crawler.survey.discover import Attempt, Discoverer, DnsCache, discovery_budget
from spbe_crawler.survey.links import LinkFrontier, canonical_url, is_plain_url, ordered_links, site_key
from spbe_crawler.survey.refresh import refresh_target
from spbe_crawler.survey.site import Attempt as HomeAttempt
from spbe_crawler.survey.site import Fetch, SiteState, Verdict
from spbe_crawler.survey.targets import Targets, load_targets

logger = logging.getLogger(__name__)
HOME_KINDS = (Fetch.HOME, Fetch.BROWSER)
# Fetches whose meta refresh is followed like an HTTP redirect (spbe_crawler/survey/refresh.py).
FOLLOWS_REFRESH = (*HOME_KINDS, Fetch.PAGE, Fetch.BOT)
DNS_BATCH = 200  # guessed hosts looked up at once before their requests are queued


class SurveySpider(scrapy.Spider):
    name = "survey"
    # Set from the settings in from_crawler.
    max_pages: int
    max_depth: int
    max_url_length: int
    same_path_max: int
    max_redirects: int
    max_follow_url: int  # the longest redirect target followed (Scrapy's URLLENGTH_LIMIT)
    max_refresh_delay: float  # a meta refresh that waits less is a redirect (Scrapy's METAREFRESH_MAXDELAY)
    browser_ua: str
    bot_ua: str
    cloak_check: bool
    site_concurrency: int  # requests of one site in flight at once
    discovery: bool
    download_timeout_s: float
    policy: NetworkPolicy
    analyzer: Analyzer

    def __init__(self, pemda: str | None = None, resume: str = "1", **kwargs: Any):
        super().__init__(**kwargs)
        if not pemda:
            raise ValueError("Argumen pemda wajib, misalnya: scrapy crawl survey -a pemda=18.71")
        self.pemda = pemda
        self.resume = parse_bool(resume, "resume")
        self.sites: dict[int, SiteState] = {}
        self.total_sites = 0
        self.discoverer: Discoverer | None = None
        self.discovery_total = 0  # discovery attempts started / settled (progress)
        self.discovery_done = 0
        self._discovered_keys = 0  # discovered sites get negative keys; the pipeline maps them to stored ids

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SurveySpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_pages = settings.getint("SPBE_SITE_MAX_PAGES")
        spider.max_depth = settings.getint("SPBE_SITE_MAX_DEPTH")
        spider.max_url_length = settings.getint("SPBE_MAX_URL_LENGTH")
        spider.same_path_max = settings.getint("SPBE_SAME_PATH_MAX")
        spider.max_redirects = settings.getint("SPBE_MAX_REDIRECTS")
        spider.max_follow_url = settings.getint("URLLENGTH_LIMIT")
        spider.max_refresh_delay = settings.getfloat("METAREFRESH_MAXDELAY")
        spider.browser_ua = settings.get("SPBE_BROWSER_USER_AGENT")
        spider.bot_ua = settings.get("SPBE_SEARCH_BOT_USER_AGENT")
        spider.cloak_check = settings.getbool("SPBE_CLOAK_CHECK")
        spider.site_concurrency = max(1, settings.getint("SPBE_SITE_CONCURRENCY"))
        spider.discovery = settings.getbool("SPBE_DISCOVERY")
        spider.download_timeout_s = settings.getfloat("DOWNLOAD_TIMEOUT")
        spider.policy = policy_from_settings(settings)
        spider.analyzer = Analyzer(stale_days=settings.getint("SPBE_STALE_DAYS"))
        quiet_network_noise()  # one line per failed site (below); Scrapy's tracebacks only at DEBUG
        return spider

    # --- start ---------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        """The registry was seeded and the run opened by the pipeline when the spider opened."""
        with Session(get_engine(), expire_on_commit=False) as session:
            targets = load_targets(session, self.pemda)
            run = queries.running_survey(session, self.pemda)
            done = queries.checked_website_ids(session, run.id) if run is not None and run.id is not None else set()
        for request in self.start_requests_for(targets, done):
            yield request
        attempts = self.discovery_guesses()
        # One DNS lookup per guessed host first: most guesses do not exist, and those need no
        # robots.txt request, no download attempt and no error handling.
        for start in range(0, len(attempts), DNS_BATCH):
            for request in await self._resolvable(attempts[start : start + DNS_BATCH]):
                yield request

    def start_requests_for(self, targets: Targets, done: set[int]) -> Iterable[scrapy.Request]:
        """The homepage request of every site not yet checked in this run (and the discoverer set up)."""
        if not targets.units:
            logger.error("Tidak ada unit untuk pemda %s di registri.", self.pemda)
        self.total_sites = sum(1 for t in targets.websites if t.website_id not in done)
        if self.discovery:  # before the first response: portal links are matched as they arrive
            lookups, cache_days = discovery_budget(self.settings.get("SPBE_DISCOVERY_LOOKUPS"))
            cache = DnsCache(config.home_dir() / "cache" / "discovery-dns.json", cache_days)
            self.discoverer = Discoverer(targets.units, targets.hosts_by_unit, self.pemda, max_lookups=lookups, cache=cache)
        for target in targets.websites:
            if target.website_id in done:
                continue
            site = SiteState(
                website_id=target.website_id,
                unit_code=target.unit_code,
                pemda_code=self.pemda,
                url=target.url,
                parent_hosts=target.parent_hosts,
                frontier=self._frontier(target.url),
            )
            site.frontier.mark_seen(target.url)
            self.sites[site.website_id] = site
            yield from site.send([self._request(site, target.url, Fetch.HOME)], self.site_concurrency)

    def discovery_guesses(self) -> list[Attempt]:
        """Host-pattern guesses for the units without a website, within the discovery budget."""
        if self.discoverer is None:
            return []
        attempts = self.discoverer.guesses()
        budget = self.discoverer.budget
        logger.info(
            "Penemuan: %d nama host ditebak (anggaran %d, %d dari cache, %d tidak dicoba)",
            budget.used,
            budget.limit,
            budget.cached,
            budget.skipped,
        )
        return attempts

    def _frontier(self, url: str) -> LinkFrontier:
        return LinkFrontier(urlsplit(url).hostname or "", self.max_pages, self.max_url_length, self.same_path_max)

    def _request(
        self,
        site: SiteState,
        url: str,
        fetch: Fetch,
        depth: int = 0,
        chain: Iterable[str] = (),
        user_agent: str | None = None,
        rule: str | None = None,
        chain_cookies: Iterable[bytes | None] = (),
    ) -> scrapy.Request:
        site.opened()
        headers = {"User-Agent": user_agent} if user_agent else None
        meta = {
            "site": site.website_id,
            "fetch": fetch,
            "depth": depth,
            "chain": list(chain),
            "chain_cookies": list(chain_cookies),
            "handle_httpstatus_all": True,
            "ua": user_agent,
            "rule": rule,
        }
        if is_plain_url(url):
            meta["verbatim_url"] = True  # already what Scrapy's escaping would make of it
        request = scrapy.Request(
            url,
            callback=self._on_response,
            errback=self._on_error,
            dont_filter=True,
            headers=headers,
            # Finish started sites before starting new ones: open sites (and memory) stay bounded.
            priority=0 if fetch == Fetch.HOME and not chain else 10 - depth,
            meta=meta,
        )
        site.send_cookies(request)
        return request

    # --- responses -----------------------------------------------------------------------------
    def _on_response(self, response: Response) -> list[Any]:
        # A plain function returning a list, not an async generator: Scrapy wraps the output in its
        # async chain either way, and a generator of our own added a layer per output (about 5 % of
        # the survey's CPU per page, bench_survey.py).
        site = self.sites.get(response.meta["site"])
        if site is None:
            return []
        return self.handle_response(site, response)

    def handle_response(self, site: SiteState, response: Response, facts: PageFacts | None = None) -> list[Any]:
        """Everything one response of ``site`` yields (requests and items), the site check last
        (``facts``: the response's page, when it was parsed already)."""
        items, pending = site.items, site.pending
        site.in_flight -= 1
        site.keep_cookies(response)
        try:
            outputs = self._handle_response(site, response, facts)
        except Exception as error:  # one broken check never sinks the crawl
            logger.exception("Analisis %s gagal", response.url)
            site.items = items  # the items made before the error are not yielded,
            site.pending = pending  # nor its requests: the site still finishes when its others are answered
            if response.meta["fetch"] == Fetch.HOME:
                site.failure = Verdict(Status.ERROR, f"galat analisis: {error!r}"[:300])
            outputs = []
        return self._paced(site, self._keep_findings(site, outputs)) + self._release(site)

    def _handle_response(self, site: SiteState, response: Response, facts: PageFacts | None = None) -> list[Any]:
        fetch: Fetch = response.meta["fetch"]
        if 300 <= response.status < 400 and b"Location" in response.headers:
            return self._follow_redirect(site, response, (response.headers.get(b"Location") or b"").decode("latin-1"))
        if fetch in FOLLOWS_REFRESH and 200 <= response.status < 300 and isinstance(response, TextResponse):
            # Parsed once, handed on below (the search-engine copy reuses the homepage's facts when its markup is the same).
            facts = facts or self.analyzer.facts(response, site.home_facts if fetch == Fetch.BOT else None)
            target = refresh_target(facts.refresh, response.url, self.max_refresh_delay, facts.base_url)
            if target is not None:  # a redirect in markup, followed like one in HTTP
                return self._follow_redirect(site, response, target)
        if fetch in HOME_KINDS:
            return self._handle_home(site, response, facts)
        if fetch == Fetch.PAGE and 200 <= response.status < 300:
            return self._handle_page(site, response, response.meta["depth"], facts)
        if fetch == Fetch.BOT and 200 <= response.status < 300 and isinstance(response, TextResponse) and site.home_facts is not None:
            site.bot_facts = facts or self.analyzer.facts(response, site.home_facts)
            verdict = self.analyzer.cloak_verdict(site.home_facts, site.bot_facts)
            if verdict:
                site.verdicts.append(verdict)
        if fetch == Fetch.PROBE and 200 <= response.status < 300 and isinstance(response, TextResponse):
            # An active check (CKAN API, JDIH search) is stored like any other fetched page.
            facts = self.analyzer.facts(response)
            return [
                self._page_item(site, response, facts),
                *self._findings(site, self.analyzer.match_probe(response.meta["rule"], facts, site)),
            ]
        return []

    def _handle_home(self, site: SiteState, response: Response, facts: PageFacts | None = None) -> list[Any]:
        fetch: Fetch = response.meta["fetch"]
        site.http_status = response.status
        site.final_url = response.url
        site.ip_address = str(response.ip_address) if response.ip_address else None
        if response.status in (401, 403) and fetch == Fetch.HOME and not site.browser_retry:
            site.browser_retry = True
            return [self._request(site, site.home_url, Fetch.BROWSER, user_agent=self.browser_ua)]
        if response.status >= 400:
            detail = f"HTTP {response.status}"
            if fetch == Fetch.BROWSER:
                detail += " (juga untuk peramban)"
            site.failure = Verdict(Status.HTTP_ERROR, detail, rule=f"http:{response.status}")
            return self._fall_back(site, HomeAttempt(site.home_url, Status.HTTP_ERROR, detail, response.status))
        if fetch == Fetch.BROWSER:
            site.verdicts.append(Verdict(Status.BLOCKED, "HTTP 403 untuk User-Agent perayap, 200 untuk peramban", rule="ua-compare"))
        outputs = self._handle_page(site, response, 0, facts)
        if site.home_facts is not None:
            if self.cloak_check:
                outputs.append(self._request(site, response.url, Fetch.BOT, user_agent=self.bot_ua))
            for rule_id, url in self.analyzer.probe_requests(response.url, site):
                if rule_id not in site.probes_requested:
                    site.probes_requested.add(rule_id)
                    outputs.append(self._request(site, url, Fetch.PROBE, rule=rule_id))
        return outputs

    def _fall_back(self, site: SiteState, failed: HomeAttempt, error_text: str = "") -> list[Any]:
        """The next homepage URL of a messy registry entry (see :mod:`spbe_crawler.survey.fallback`), if any."""
        tried = [site.url, *(a.url for a in site.attempts if a.url != site.url)]
        if failed.url not in tried:
            tried.append(failed.url)
        url = fallback.next_homepage(failed, tried, error_text)
        if url is None:
            return []
        site.attempts.append(failed)
        site.failure = None
        site.browser_retry = False
        site.home_url = url
        site.frontier = self._frontier(url)
        site.frontier.mark_seen(url)
        logger.debug("Situs %s: %s gagal (%s), mencoba %s", site.url, failed.url, failed.detail, url)
        return [self._request(site, url, Fetch.HOME, chain=(), user_agent=None)]

    def _handle_page(self, site: SiteState, response: Response, depth: int, facts: PageFacts | None = None) -> list[Any]:
        if not isinstance(response, TextResponse):  # no content type, or not text
            if depth == 0 and not response.body.strip():
                site.verdicts.append(Verdict(Status.EMPTY, "beranda kosong (0 byte)", rule="empty-body"))
            return []
        facts = facts or self.analyzer.facts(response)
        if depth == 0:
            site.home_facts = facts
            verdict = self.analyzer.content_verdict(facts)
            if verdict:
                site.verdicts.append(verdict)
        self.analyzer.tally_usage(site, facts)
        outputs: list[Any] = [self._page_item(site, response, facts)]
        findings = self._findings(site, self.analyzer.match_page(facts, site))
        outputs += findings
        links = self.analyzer.links(facts)
        if self.discoverer is not None:
            attempts = [self.discoverer.portal(f.url, f.service, response.url) for f in findings]
            # A link within the page's own site is the site being surveyed, never another unit's.
            own = _origin_prefix(response.url)
            attempts += [self.discoverer.from_link(href, text) for href, text in links if not href.startswith(own)]
            outputs += self._attempt_requests([a for a in attempts if a is not None])
        if depth < self.max_depth and not site.frontier.full:  # a full frontier admits no link
            for url in ordered_links(response.url, links):
                admitted = site.frontier.admit(url)
                if admitted:
                    outputs.append(self._request(site, admitted, Fetch.PAGE, depth=depth + 1))
        return outputs

    def _follow_redirect(self, site: SiteState, response: Response, location: str) -> list[Any]:
        fetch: Fetch = response.meta["fetch"]
        target = urljoin(response.url, location)
        chain = response.meta["chain"] + [response.url]
        # A hop back to an address is a loop unless it now carries other cookies (a visitor check).
        # (A discovered site's first response comes with the discovery's chain and no cookies recorded.)
        sent = [*response.meta.get("chain_cookies", [])][: len(chain) - 1]
        sent += [None] * (len(chain) - 1 - len(sent)) + [response.request.headers.get("Cookie") if response.request else None]
        visited = set(zip((canonical_url(url) for url in chain), sent, strict=True))
        looped = (canonical_url(target), site.cookie_header(target)) in visited
        if fetch in HOME_KINDS:
            if looped or len(chain) > self.max_redirects:
                site.failure = Verdict(Status.REDIRECT_LOOP, " → ".join(chain + [target])[:500], rule="redirect-chain")
                return []
            if len(target) > self.max_follow_url:
                detail = f"beranda dialihkan ke URL sepanjang {len(target)} karakter (batas {self.max_follow_url}): {target[:200]}…"
                site.failure = Verdict(Status.ERROR, detail, rule="redirect-too-long")
                return []
            target_key = site_key(urlsplit(target).hostname or "")
            if target_key != site.frontier.key and target_key in site.parent_hosts:
                site.failure = Verdict(Status.REDIRECT_TO_PARENT, f"hanya mengalihkan ke {target}", rule="redirect-parent")
                site.final_url = target
                return []
            if target_key != site.frontier.key:
                site.frontier = self._frontier(target)
            site.frontier.mark_seen(target)
            return [self._request(site, target, fetch, chain=chain, user_agent=response.meta.get("ua"), chain_cookies=sent)]
        if looped or len(chain) > self.max_redirects:
            return []
        if fetch == Fetch.BOT:  # where a search engine is sent, off the site too (a cloaked redirect)
            if len(target) > self.max_follow_url:
                return []
            return [self._request(site, target, fetch, chain=chain, user_agent=response.meta.get("ua"), chain_cookies=sent)]
        admitted = site.frontier.admit(target)
        if admitted is None:
            return []
        return [
            self._request(
                site,
                admitted,
                fetch,
                depth=response.meta["depth"],
                chain=chain,
                user_agent=response.meta.get("ua"),
                rule=response.meta.get("rule"),
                chain_cookies=sent,
            )
        ]

    # --- errors ----------------------------------------------------------------------------------
    async def _on_error(self, failure: Any) -> AsyncIterator[Any]:
        request = failure.request
        site = self.sites.get(request.meta["site"])
        if site is None:
            return
        for output in await self.handle_failure(site, request, failure.value):
            yield output

    async def handle_failure(self, site: SiteState, request: scrapy.Request, error: BaseException) -> list[Any]:
        """Everything one failed download of ``site`` yields, the site check last (as :meth:`handle_response`)."""
        outputs: list[Any] = []
        site.in_flight -= 1
        try:
            outputs = await self.handle_error(site, request, error)
        except Exception as unexpected:
            logger.debug("Klasifikasi galat %s gagal", request.url, exc_info=True)
            site.failure = Verdict(Status.ERROR, repr(unexpected)[:300])
        return self._paced(site, outputs) + self._release(site)

    async def handle_error(self, site: SiteState, request: scrapy.Request, error: BaseException) -> list[Any]:
        """A failed download: a homepage failure decides the site (after its fallbacks); others count nothing."""
        fetch: Fetch = request.meta["fetch"]
        if fetch not in HOME_KINDS:
            return []
        host = urlsplit(request.url).hostname or ""
        status, detail = classify_download_error(error, host)
        if fetch == Fetch.BROWSER:
            status, detail = Status.HTTP_ERROR, f"HTTP {site.http_status} (peramban: {detail})"
        site.failure = Verdict(status, detail, rule=f"network:{status.value}")
        outputs = [] if fetch == Fetch.BROWSER else self._fall_back(site, HomeAttempt(request.url, status, detail), error_text(error))
        if outputs:
            return outputs
        logger.info("Situs %s gagal: %s (%s)", site.url, status.value, detail[:120])
        if status == Status.TLS_ERROR:
            await self._explain_tls(site, request.url)
        return []

    async def _explain_tls(self, site: SiteState, url: str) -> None:
        parts = urlsplit(url)
        cert = await maybe_deferred_to_future(
            threads.deferToThread(self.analyzer.inspect_tls, parts.hostname or "", parts.port or 443, self.policy, self.download_timeout_s)
        )
        if cert is not None and site.failure is not None:
            site.failure.detail = cert.get("detail") or site.failure.detail
            site.failure.snippet = cert.get("snippet")
            site.tls_expires_at = cert.get("expires_at")
            site.tls_issuer = cert.get("issuer")

    # --- discovery -------------------------------------------------------------------------------
    def _attempt_requests(self, attempts: list[Attempt]) -> list[scrapy.Request]:
        """The first request of each new attempt; each counts once in the discovery progress."""
        self.discovery_total += len(attempts)
        return [self._discover_request(attempt, attempt.url) for attempt in attempts]

    async def _resolvable(self, attempts: list[Attempt]) -> list[scrapy.Request]:
        """Requests for the attempts whose host resolves; the others are settled (and cached) at once."""
        assert self.discoverer is not None
        deferreds = [threads.deferToThread(self._resolves, urlsplit(a.url).hostname or "") for a in attempts]
        found = await maybe_deferred_to_future(DeferredList(deferreds, consumeErrors=True))
        self.discovery_total += len(attempts)
        requests = []
        for attempt, (ok, resolves) in zip(attempts, found, strict=True):
            if ok and not resolves:
                self.discoverer.dns_failed(attempt.url)
                self._settled(attempt, [])
            else:
                requests.append(self._discover_request(attempt, attempt.url))
        return requests

    def _resolves(self, host: str) -> bool:
        """False only when the name does not exist; blocked or odd answers go the request way."""
        try:
            self.policy.resolve(host, 443)
        except NameNotFound:
            return False
        except Exception:  # noqa: BLE001 - classified by the request path, as for any site
            return True
        return True

    def _settled(self, attempt: Attempt, outputs: list[Any]) -> list[Any]:
        """Count the attempt as settled unless it goes on with another request (redirect, http://)."""
        if not any(isinstance(o, scrapy.Request) and o.meta.get("attempt") is attempt for o in outputs):
            self.discovery_done += 1
            self.crawler.signals.send_catch_log(discovery_step, spider=self, done=self.discovery_done, total=self.discovery_total)
        return outputs

    def closed(self, reason: str) -> None:
        if self.discoverer is not None:
            self.discoverer.cache.save()

    def _discover_request(self, attempt: Attempt, url: str, chain: Iterable[str] = (), cookies: CookieJar | None = None) -> scrapy.Request:
        request = scrapy.Request(
            url,
            callback=self._on_discover,
            errback=self._on_discover_error,
            dont_filter=True,
            priority=-5,
            meta={"fetch": Fetch.DISCOVER, "attempt": attempt, "chain": list(chain), "handle_httpstatus_all": True, "cookies": cookies},
        )
        if cookies is not None:
            cookies.add_cookie_header(request)
        return request

    def _on_discover(self, response: Response) -> list[Any]:
        attempt: Attempt = response.meta["attempt"]
        try:
            outputs = list(self._discover_response(response))
        except Exception:  # a broken check never sinks the crawl: the guess counts as unconfirmed
            logger.exception("Penemuan %s gagal", response.url)
            outputs = self._unresolved(attempt)
        return self._settled(attempt, outputs)

    def _discover_response(self, response: Response) -> Iterable[Any]:
        attempt: Attempt = response.meta["attempt"]
        assert self.discoverer is not None
        self.discoverer.resolved(response.url)
        if 300 <= response.status < 400 and b"Location" in response.headers:
            target = urljoin(response.url, (response.headers.get(b"Location") or b"").decode("latin-1"))
            chain = response.meta["chain"] + [response.url]
            # Follow within the site; a jump to a known host (a wildcard DNS catch-all to the portal) is no find.
            target_host, own_host = site_key(urlsplit(target).hostname or ""), site_key(urlsplit(response.url).hostname or "")
            followable = len(chain) <= self.max_redirects and len(target) <= self.max_follow_url
            if followable and (target_host == own_host or target_host not in self.discoverer.tried_hosts):
                return [self._discover_request(attempt, target, chain, _cookies_kept(response))]
            return self._unresolved(attempt)
        if not (200 <= response.status < 300 and isinstance(response, TextResponse)):
            return self._unresolved(attempt)
        facts = self.analyzer.facts(response)
        confirmed: tuple[str, float, str] | None
        if attempt.portal:
            confirmed = (attempt.unit_codes[0], 0.9, attempt.evidence)
        else:
            confirmed = self.discoverer.confirm(attempt, facts.title, facts.text[:3000])
        if confirmed is None:
            return self._unresolved(attempt)
        unit_code, score, evidence = confirmed
        site_url = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}/"
        role = "portal" if attempt.portal else "unit"
        self._discovered_keys -= 1
        self.total_sites += 1  # the progress bar counts discovered sites too
        outputs: list[Any] = [
            WebsiteItem(self._discovered_keys, unit_code, site_url, f"penemuan:{attempt.source}", round(score, 3), evidence[:500], role)
        ]
        if attempt.ambiguous:  # resolved by the page, still listed for a person to check
            outputs += self._unresolved(attempt, f"; halaman mengonfirmasi {unit_code}")
        site = SiteState(
            website_id=self._discovered_keys,
            unit_code=unit_code,
            pemda_code=self.pemda,
            url=site_url,
            parent_hosts=frozenset({self.discoverer.root}),
            frontier=self._frontier(site_url),
        )
        site.frontier.mark_seen(response.url)
        site.cookies = response.meta.get("cookies")  # a visitor check passed on the way here
        site.opened()  # stands for this response, released by handle_response
        site.in_flight += 1
        self.sites[site.website_id] = site
        response.meta.update(site=site.website_id, fetch=Fetch.HOME)
        response.meta.setdefault("depth", 0)
        return outputs + self.handle_response(site, response, facts)  # the page was parsed once, above

    def _on_discover_error(self, failure: Any) -> list[Any]:
        attempt: Attempt = failure.request.meta["attempt"]
        url = failure.request.url
        status, detail = classify_download_error(failure.value, urlsplit(url).hostname or "")
        logger.debug("Tebakan %s gagal: %s (%s)", url, status.value, detail[:120])
        if status == Status.DNS_ERROR and self.discoverer is not None:
            self.discoverer.dns_failed(url)
        if url.startswith("https://") and status not in (Status.DNS_ERROR, Status.ADDRESS_BLOCKED) and not failure.request.meta["chain"]:
            return self._settled(attempt, [self._discover_request(attempt, "http://" + url[len("https://") :])])
        return self._settled(attempt, self._unresolved(attempt))

    def _unresolved(self, attempt: Attempt, resolution: str = "; halaman tidak mengonfirmasi unit mana pun") -> list[Any]:
        """Ambiguous links are listed for a person, with what their page showed."""
        if not attempt.ambiguous:
            return []
        host = urlsplit(attempt.url).hostname or ""
        evidence = (attempt.evidence + resolution)[:500]
        return [CandidateItem(attempt.url, host, list(attempt.unit_codes), attempt.source, evidence)]

    # --- items -----------------------------------------------------------------------------------
    @staticmethod
    def _keep_findings(site: SiteState, outputs: list[Any]) -> list[Any]:
        """The outputs of one response without its findings, which the site keeps until it is finished."""
        kept = []
        for output in outputs:
            if isinstance(output, FindingItem):
                site.found(output)
            else:
                kept.append(output)
        return kept

    def _paced(self, site: SiteState, outputs: list[Any]) -> list[Any]:
        """``outputs`` with the site's requests held to ``SPBE_SITE_CONCURRENCY`` in flight (the rest
        wait in the site's queue and go as its answers come)."""
        mine = [o for o in outputs if isinstance(o, scrapy.Request) and o.meta.get("site") == site.website_id]
        if not mine and not site.queued:
            return outputs
        others = [o for o in outputs if not (isinstance(o, scrapy.Request) and o.meta.get("site") == site.website_id)]
        return others + site.send(mine, self.site_concurrency)

    def _release(self, site: SiteState) -> list[Any]:
        """The site's findings and check once its last request is answered (else nothing)."""
        if not site.closed():
            return []
        self.sites.pop(site.website_id, None)
        if site.failure is None and site.usage.pages:
            site.signals, stale = self.analyzer.usage(site)
            if stale:
                site.verdicts.append(stale)
        verdict = site.final()
        detail = verdict.detail
        if site.attempts and site.failure is None:
            fix = fallback.registry_fix(site.url, site.home_url, site.attempts)
            site.signals["registry_fix"] = fix
            if "mark" in fix:
                site.signals["marks"] = [fix["mark"]]
            detail = f"{detail}; {fallback.fix_sentence(fix)}"[:1000]
        elif site.attempts and site.failure is not None:
            tried = ", ".join(f"{a.url} ({a.detail})" for a in site.attempts[1:]) or ""
            first = site.attempts[0]
            verdict = Verdict(first.status, first.detail, rule=f"fallback:{first.status.value}", snippet=verdict.snippet)
            detail = f"{first.detail}; juga dicoba: {tried + ', ' if tried else ''}{site.home_url} ({site.failure.detail})"[:1000]
        findings = list(site.findings.values())
        return [
            *findings,
            SiteCheckItem(
                website_id=site.website_id,
                unit_code=site.unit_code,
                url=site.url,
                status=verdict.status.value,
                detail=detail,
                rule=verdict.rule,
                snippet=verdict.snippet,
                http_status=site.http_status,
                final_url=site.final_url,
                ip_address=site.ip_address,
                tls_expires_at=site.tls_expires_at,
                tls_issuer=site.tls_issuer,
                elapsed_ms=site.elapsed_ms(),
                signals=site.signals,
                items=site.items + len(findings),
            ),
        ]

    def _page_item(self, site: SiteState, response: TextResponse, facts: PageFacts) -> PageItem:
        site.items += 1
        return PageItem(website_id=site.website_id, **self.analyzer.page_summary(response, facts))

    def _findings(self, site: SiteState, matches: Iterable[Any]) -> list[FindingItem]:
        return [FindingItem(pemda_code=site.pemda_code, unit_code=site.unit_code, website_id=site.website_id, **match) for match in matches]


def _origin_prefix(url: str) -> str:
    """``scheme://host[:port]/`` of ``url``, the start of every absolute link to its own site."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/"


def _cookies_kept(response: Response) -> CookieJar | None:
    """The cookies of a guess's redirect chain so far, with those this response set (a visitor check)."""
    cookies: CookieJar | None = response.meta.get("cookies")
    if b"Set-Cookie" in response.headers and response.request is not None:
        cookies = cookies or CookieJar()
        cookies.extract_cookies(response, response.request)
    return cookies
