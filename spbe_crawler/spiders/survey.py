"""The survey spider: every website of every unit of a pemda, homepage plus a bounded crawl.

Each website is followed as a small state machine (:class:`SiteState`): its requests are counted and
when the last one is answered the site gets exactly one :class:`SiteCheckItem` with its status and
evidence. Redirects are followed here, not by Scrapy, so chains, loops and "only forwards to the pemda
portal" are visible. All writes go through :class:`spbe_crawler.pipelines.StorePipeline`.

    scrapy crawl survey -a pemda=18.71 [-a resume=0]
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from sqlmodel import Session
from twisted.internet import threads
from twisted.internet.defer import DeferredList

from spbe_crawler import config
from spbe_crawler.extensions import discovery_step
from spbe_crawler.health.status import Status
from spbe_crawler.items import CandidateItem, FindingItem, PageItem, SiteCheckItem, WebsiteItem
from spbe_crawler.net.policy import NameNotFound, NetworkPolicy
from spbe_crawler.net.scrapy_errors import classify_download_error
from spbe_crawler.net.twisted_resolver import policy_from_settings
from spbe_crawler.registry.pemda_sites import load_bundled
from spbe_crawler.store.db import get_engine
from spbe_crawler.survey.analysis import Analyzer
from spbe_crawler.survey.discover import Attempt, Discoverer, DnsCache, discovery_budget
from spbe_crawler.survey.links import LinkFrontier, canonical_url, ordered_links, site_key
from spbe_crawler.survey.site import SiteState, Verdict
from spbe_crawler.survey.targets import load_targets

logger = logging.getLogger(__name__)
DNS_BATCH = 200  # guessed hosts looked up at once before their requests are queued


class SurveySpider(scrapy.Spider):
    name = "survey"
    # Set from the settings in from_crawler.
    max_pages: int
    max_depth: int
    max_url_length: int
    same_path_max: int
    max_redirects: int
    browser_ua: str
    bot_ua: str
    cloak_check: bool
    discovery: bool
    download_timeout_s: float
    policy: NetworkPolicy
    analyzer: Analyzer

    def __init__(self, pemda: str | None = None, resume: str = "1", **kwargs: Any):
        super().__init__(**kwargs)
        if not pemda:
            raise ValueError("Argumen pemda wajib, misalnya: scrapy crawl survey -a pemda=18.71")
        self.pemda = pemda
        self.resume = str(resume).lower() not in ("0", "false", "no", "tidak")
        self.run_id: int | None = None  # set by StorePipeline.open_spider
        self.done_website_ids: set[int] = set()
        self.scope_units: list[Any] = []
        self.sites: dict[int, SiteState] = {}
        self.total_sites = 0
        self.discoverer: Discoverer | None = None
        self.discovery_total = 0  # discovery attempts started / settled (progress)
        self.discovery_done = 0
        self._discovered_keys = 0  # discovered sites get negative keys until the pipeline stores them

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SurveySpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_pages = settings.getint("SPBE_SITE_MAX_PAGES")
        spider.max_depth = settings.getint("SPBE_SITE_MAX_DEPTH")
        spider.max_url_length = settings.getint("SPBE_MAX_URL_LENGTH")
        spider.same_path_max = settings.getint("SPBE_SAME_PATH_MAX")
        spider.max_redirects = settings.getint("SPBE_MAX_REDIRECTS")
        spider.browser_ua = settings.get("SPBE_BROWSER_USER_AGENT")
        spider.bot_ua = settings.get("SPBE_SEARCH_BOT_USER_AGENT")
        spider.cloak_check = settings.getbool("SPBE_CLOAK_CHECK")
        spider.discovery = settings.getbool("SPBE_DISCOVERY")
        spider.download_timeout_s = settings.getfloat("DOWNLOAD_TIMEOUT")
        spider.policy = policy_from_settings(settings)
        spider.analyzer = Analyzer(stale_days=settings.getint("SPBE_STALE_DAYS"))
        return spider

    # --- start ---------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.run_id is None:
            raise RuntimeError("StorePipeline harus aktif: ia membuka run survei")
        with Session(get_engine(), expire_on_commit=False) as session:
            targets = load_targets(session, self.pemda)
            if not targets.units:  # `scrapy crawl survey -a pemda=..` on an empty registry
                load_bundled(session, self.pemda)
                session.commit()
                targets = load_targets(session, self.pemda)
        self.scope_units = targets.units
        if not targets.units:
            logger.error("Tidak ada unit untuk pemda %s di registri.", self.pemda)
        self.total_sites = sum(1 for t in targets.websites if t.website_id not in self.done_website_ids)
        if self.discovery:  # before the first response: portal links are matched as they arrive
            lookups, cache_days = discovery_budget(self.settings.get("SPBE_DISCOVERY_LOOKUPS"))
            cache = DnsCache(config.home_dir() / "cache" / "discovery-dns.json", cache_days)
            self.discoverer = Discoverer(targets.units, targets.hosts_by_unit, self.pemda, max_lookups=lookups, cache=cache)
        for target in targets.websites:
            if target.website_id in self.done_website_ids:
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
            yield self._request(site, target.url, "home")
        if self.discoverer is not None:
            attempts = self.discoverer.guesses()
            budget = self.discoverer.budget
            logger.info(
                "Penemuan: %d nama host ditebak (anggaran %d, %d dari cache, %d tidak dicoba)",
                budget.used,
                budget.limit,
                budget.cached,
                budget.skipped,
            )
            # One DNS lookup per guessed host first: most guesses do not exist, and those need no
            # robots.txt request, no download attempt and no error handling.
            for start in range(0, len(attempts), DNS_BATCH):
                for request in await self._resolvable(attempts[start : start + DNS_BATCH]):
                    yield request

    def _frontier(self, url: str) -> LinkFrontier:
        return LinkFrontier(urlsplit(url).hostname or "", self.max_pages, self.max_url_length, self.same_path_max)

    def _request(
        self, site: SiteState, url: str, kind: str, depth: int = 0, chain: Iterable[str] = (), user_agent: str | None = None
    ) -> scrapy.Request:
        site.pending += 1
        headers = {"User-Agent": user_agent} if user_agent else None
        return scrapy.Request(
            url,
            callback=self._on_response,
            errback=self._on_error,
            dont_filter=True,
            headers=headers,
            # Finish started sites before starting new ones: open sites (and memory) stay bounded.
            priority=0 if kind == "home" else 10 - depth,
            meta={
                "site": site.website_id,
                "kind": kind,
                "depth": depth,
                "chain": list(chain),
                "handle_httpstatus_all": True,
                "ua": user_agent,
            },
        )

    # --- responses -----------------------------------------------------------------------------
    async def _on_response(self, response: Response) -> AsyncIterator[Any]:
        site = self.sites.get(response.meta["site"])
        if site is None:
            return
        try:
            outputs = self._handle_response(site, response)
        except Exception as error:  # one broken check never sinks the crawl
            logger.exception("Analisis %s gagal", response.url)
            if response.meta["kind"] == "home":
                site.failure = Verdict(Status.ERROR, f"galat analisis: {error!r}"[:300])
            outputs = []
        for output in outputs:
            yield output
        for output in self._release(site):
            yield output

    def _handle_response(self, site: SiteState, response: Response) -> list[Any]:
        kind = response.meta["kind"]
        if 300 <= response.status < 400 and b"Location" in response.headers:
            return self._follow_redirect(site, response)
        if kind in ("home", "browser"):
            return self._handle_home(site, response)
        if kind == "page" and 200 <= response.status < 300:
            return self._handle_page(site, response, response.meta["depth"])
        if kind == "bot" and 200 <= response.status < 300 and isinstance(response, TextResponse) and site.home_facts is not None:
            site.bot_facts = self.analyzer.facts(response)
            verdict = self.analyzer.cloak_verdict(site.home_facts, site.bot_facts)
            if verdict:
                site.verdicts.append(verdict)
        if kind == "probe" and 200 <= response.status < 300 and isinstance(response, TextResponse):
            # An active check (CKAN API, JDIH search) is stored like any other fetched page.
            page = self._page_item(response, self.analyzer.facts(response))
            return [page, *self._findings(site, self.analyzer.match_probe(response.meta["rule"], response, site))]
        return []

    def _handle_home(self, site: SiteState, response: Response) -> list[Any]:
        site.http_status = response.status
        site.final_url = response.url
        site.ip_address = str(response.ip_address) if response.ip_address else None
        if response.status in (401, 403) and response.meta["kind"] == "home" and not site.browser_retry:
            site.browser_retry = True
            return [self._request(site, site.url, "browser", user_agent=self.browser_ua)]
        if response.status >= 400:
            detail = f"HTTP {response.status}"
            if response.meta["kind"] == "browser":
                detail += " (juga untuk peramban)"
            site.failure = Verdict(Status.HTTP_ERROR, detail, rule=f"http:{response.status}")
            return []
        if response.meta["kind"] == "browser":
            site.verdicts.append(Verdict(Status.BLOCKED, "HTTP 403 untuk User-Agent perayap, 200 untuk peramban", rule="ua-compare"))
        outputs = self._handle_page(site, response, 0)
        if site.home_facts is not None:
            if self.cloak_check:
                outputs.append(self._request(site, response.url, "bot", user_agent=self.bot_ua))
            for rule_id, url in self.analyzer.probe_requests(response.url, site):
                if rule_id not in site.probes_requested:
                    site.probes_requested.add(rule_id)
                    request = self._request(site, url, "probe")
                    request.meta["rule"] = rule_id
                    outputs.append(request)
        return outputs

    def _handle_page(self, site: SiteState, response: Response, depth: int) -> list[Any]:
        if not isinstance(response, TextResponse):  # no content type, or not text
            if depth == 0 and not response.body.strip():
                site.verdicts.append(Verdict(Status.EMPTY, "beranda kosong (0 byte)", rule="empty-body"))
            return []
        facts = self.analyzer.facts(response)
        if depth == 0:
            site.home_facts = facts
            verdict = self.analyzer.content_verdict(facts)
            if verdict:
                site.verdicts.append(verdict)
        site.pages.append(facts)
        outputs: list[Any] = [self._page_item(response, facts)]
        findings = self._findings(site, self.analyzer.match_page(response, facts, site))
        outputs += findings
        links = self.analyzer.links(facts)
        if self.discoverer is not None:
            attempts = [self.discoverer.portal(f.url, f.service, response.url) for f in findings]
            attempts += [self.discoverer.from_link(href, text) for href, text in links]
            outputs += self._attempt_requests([a for a in attempts if a is not None])
        if depth < self.max_depth:
            for url in ordered_links(response.url, links):
                admitted = site.frontier.admit(url)
                if admitted:
                    outputs.append(self._request(site, admitted, "page", depth=depth + 1))
        return outputs

    def _follow_redirect(self, site: SiteState, response: Response) -> list[Any]:
        kind = response.meta["kind"]
        target = urljoin(response.url, (response.headers.get(b"Location") or b"").decode("latin-1"))
        chain = response.meta["chain"] + [response.url]
        visited = {canonical_url(url) for url in chain}
        if kind in ("home", "browser"):
            if canonical_url(target) in visited or len(chain) > self.max_redirects:
                site.failure = Verdict(Status.REDIRECT_LOOP, " → ".join(chain + [target])[:500], rule="redirect-chain")
                return []
            target_key = site_key(urlsplit(target).hostname or "")
            if target_key != site.frontier.key and target_key in site.parent_hosts:
                site.failure = Verdict(Status.REDIRECT_TO_PARENT, f"hanya mengalihkan ke {target}", rule="redirect-parent")
                site.final_url = target
                return []
            if target_key != site.frontier.key:
                site.frontier = self._frontier(target)
            site.frontier.mark_seen(target)
            return [self._request(site, target, kind, chain=chain, user_agent=response.meta.get("ua"))]
        if canonical_url(target) in visited or len(chain) > self.max_redirects:
            return []
        admitted = site.frontier.admit(target)
        if admitted is None:
            return []
        request = self._request(site, admitted, kind, depth=response.meta["depth"], chain=chain, user_agent=response.meta.get("ua"))
        request.meta["rule"] = response.meta.get("rule")
        return [request]

    # --- errors ----------------------------------------------------------------------------------
    async def _on_error(self, failure: Any) -> AsyncIterator[Any]:
        request = failure.request
        site = self.sites.get(request.meta["site"])
        if site is None:
            return
        try:
            if request.meta["kind"] in ("home", "browser"):
                host = urlsplit(request.url).hostname or ""
                status, detail = classify_download_error(failure.value, host)
                if request.meta["kind"] == "browser":
                    status, detail = Status.HTTP_ERROR, f"HTTP {site.http_status} (peramban: {detail})"
                site.failure = Verdict(status, detail, rule=f"network:{status.value}")
                if status == Status.TLS_ERROR:
                    await self._explain_tls(site, request.url)
        except Exception as error:
            logger.exception("Klasifikasi galat %s gagal", request.url)
            site.failure = Verdict(Status.ERROR, repr(error)[:300])
        for output in self._release(site):
            yield output

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

    def _discover_request(self, attempt: Attempt, url: str, chain: Iterable[str] = ()) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self._on_discover,
            errback=self._on_discover_error,
            dont_filter=True,
            priority=-5,
            meta={"attempt": attempt, "chain": list(chain), "handle_httpstatus_all": True},
        )

    def _on_discover(self, response: Response) -> list[Any]:
        return self._settled(response.meta["attempt"], list(self._discover_response(response)))

    def _discover_response(self, response: Response) -> Iterable[Any]:
        attempt: Attempt = response.meta["attempt"]
        assert self.discoverer is not None
        self.discoverer.resolved(response.url)
        if 300 <= response.status < 400 and b"Location" in response.headers:
            target = urljoin(response.url, (response.headers.get(b"Location") or b"").decode("latin-1"))
            chain = response.meta["chain"] + [response.url]
            # Follow within the site; a jump to a known host (a wildcard DNS catch-all to the portal) is no find.
            target_host, own_host = site_key(urlsplit(target).hostname or ""), site_key(urlsplit(response.url).hostname or "")
            if len(chain) <= self.max_redirects and (target_host == own_host or target_host not in self.discoverer.tried_hosts):
                return [self._discover_request(attempt, target, chain)]
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
        outputs: list[Any] = [
            WebsiteItem(self.run_id or 0, unit_code, site_url, f"penemuan:{attempt.source}", round(score, 3), evidence[:500], role)
        ]
        if attempt.ambiguous:  # resolved by the page, still listed for a person to check
            outputs += self._unresolved(attempt, f"; halaman mengonfirmasi {unit_code}")
        self._discovered_keys -= 1
        self.total_sites += 1  # the progress bar counts discovered sites too
        site = SiteState(
            website_id=self._discovered_keys,
            unit_code=unit_code,
            pemda_code=self.pemda,
            url=site_url,
            parent_hosts=frozenset({self.discoverer.root}),
            frontier=self._frontier(site_url),
        )
        site.frontier.mark_seen(response.url)
        site.pending += 1  # stands for this response, released below
        self.sites[site.website_id] = site
        response.meta["site"] = site.website_id
        response.meta["kind"] = "home"
        response.meta.setdefault("depth", 0)
        outputs += self._handle_home(site, response)
        outputs += self._release(site)
        return outputs

    def _on_discover_error(self, failure: Any) -> list[Any]:
        attempt: Attempt = failure.request.meta["attempt"]
        url = failure.request.url
        status, _ = classify_download_error(failure.value, urlsplit(url).hostname or "")
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
        return [CandidateItem(self.run_id or 0, attempt.url, host, list(attempt.unit_codes), attempt.source, evidence)]

    # --- items -----------------------------------------------------------------------------------
    def _release(self, site: SiteState) -> list[Any]:
        site.pending -= 1
        if site.pending > 0 or site.finished:
            return []
        site.finished = True
        self.sites.pop(site.website_id, None)
        if site.failure is None and site.pages:
            site.signals, stale = self.analyzer.usage(site)
            if stale:
                site.verdicts.append(stale)
        verdict = site.final()
        return [
            SiteCheckItem(
                run_id=self.run_id or 0,
                website_id=_stored_id(site),
                unit_code=site.unit_code,
                url=site.url,
                status=verdict.status.value,
                detail=verdict.detail,
                rule=verdict.rule,
                snippet=verdict.snippet,
                http_status=site.http_status,
                final_url=site.final_url,
                ip_address=site.ip_address,
                tls_expires_at=site.tls_expires_at,
                tls_issuer=site.tls_issuer,
                elapsed_ms=site.elapsed_ms(),
                signals=site.signals,
            )
        ]

    def _page_item(self, response: TextResponse, facts: Any) -> PageItem:
        summary = self.analyzer.page_summary(response, facts)
        site = self.sites[response.meta["site"]]
        return PageItem(run_id=self.run_id or 0, website_id=_stored_id(site), unit_code=site.unit_code, site_url=site.url, **summary)

    def _findings(self, site: SiteState, matches: Iterable[Any]) -> list[FindingItem]:
        return [
            FindingItem(
                run_id=self.run_id or 0,
                pemda_code=site.pemda_code,
                unit_code=site.unit_code,
                website_id=_stored_id(site),
                site_url=site.url,
                **match,
            )
            for match in matches
        ]


def _stored_id(site: SiteState) -> int | None:
    """The Website id, or None for a site discovered in this crawl (the pipeline resolves it)."""
    return site.website_id if site.website_id > 0 else None
