"""One availability probe of one URL, and the N-of-M confirmation of a failure.

A probe follows redirects itself (recording each hop, detecting loops), measures time to first
byte and total time, reads a bounded body, notes the certificate of the last HTTPS hop, and turns
every failure into a ``Probe`` row through :func:`classify_httpx_error`. On ``tls_error`` it asks
:func:`inspect_certificate` why, so the row says "sertifikat kedaluwarsa" rather than an OpenSSL code.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import httpx

from spbe_crawler.health.status import Status
from spbe_crawler.monitor.confirmation import Rule, Window, step
from spbe_crawler.monitor.probe_result import ProbeResult
from spbe_crawler.monitor.settings import MonitorSettings
from spbe_crawler.net.headers import VISITOR_HEADERS
from spbe_crawler.net.httpx_errors import MAX_DETAIL, classify_httpx_error
from spbe_crawler.net.httpx_transport import default_ssl_context, make_client
from spbe_crawler.net.policy import NetworkPolicy
from spbe_crawler.net.tls_inspect import CertInfo, cert_info_from_der, inspect_certificate
from spbe_crawler.store.models import Probe, utcnow


@dataclass(frozen=True)
class Target:
    """A website to probe, with what figures and alerts need to know about it."""

    website_id: int
    url: str
    host: str
    role: str = "unit"
    unit_code: str = ""
    known_down: bool = False  # an incident is open: a failure needs no confirmation
    window: Window | None = None  # a confirmation still open from an earlier sweep


@dataclass
class _Walk:
    """What a probe saw so far; kept when it fails half-way (e.g. the hops of a redirect loop)."""

    current: str
    hops: list[str] = field(default_factory=list)
    ttfb_ms: float | None = None
    cert: CertInfo | None = None


def _cookie_header(cookies: httpx.Cookies, url: str) -> str | None:
    """The Cookie header a request for ``url`` would carry with ``cookies``."""
    request = httpx.Request("GET", url)
    cookies.set_cookie_header(request)
    return request.headers.get("cookie")


def _peer_cert(response: httpx.Response) -> CertInfo | None:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    return cert_info_from_der(der, response.url.host) if der else None


async def _bounded_size(response: httpx.Response, limit: int) -> int:
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size >= limit:
            break
    return size


POOL_SHARE = 100  # concurrent probes per connection pool (httpcore's pool scans all its connections)


class Prober:
    """Probes URLs with policy-aware clients; ``async with Prober(...)`` closes them.

    httpcore assigns requests to connections by scanning the whole pool, so one pool serving
    1,000 concurrent probes spends most of its CPU there; a large sweep gets one client per
    ``POOL_SHARE`` slots, each host always on the same client (its keep-alive connection)."""

    def __init__(
        self,
        settings: MonitorSettings | None = None,
        policy: NetworkPolicy | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        client: httpx.AsyncClient | None = None,
    ):
        self.settings = settings or MonitorSettings.from_env()
        self.policy = policy if policy is not None else NetworkPolicy.from_env()
        self.ssl_context = ssl_context or default_ssl_context()
        s = self.settings
        shards = 1 if client is not None else max(1, -(-s.concurrency // POOL_SHARE))
        share = -(-s.concurrency // shards)
        self.clients = (
            [client]
            if client is not None
            else [
                make_client(
                    self.policy,
                    timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
                    verify=self.ssl_context,
                    limits=httpx.Limits(max_connections=share * 2, max_keepalive_connections=min(share, 20)),
                    headers={"User-Agent": s.user_agent, **VISITOR_HEADERS},
                    dns_ttl=s.dns_ttl,
                )
                for _ in range(shards)
            ]
        )
        self.client = self.clients[0]

    def _client_for(self, url: str) -> httpx.AsyncClient:
        if len(self.clients) == 1:
            return self.client
        host = url.split("://", 1)[-1].split("/", 1)[0]
        return self.clients[zlib.crc32(host.encode()) % len(self.clients)]

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()

    async def __aenter__(self) -> Prober:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _walk(self, walk: _Walk, started: float, user_agent: str | None = None) -> tuple[int, int]:
        """Follow redirects from ``walk.current``; ``(final HTTP status, body bytes read)``."""
        # Cookies of this walk only, sent back as a browser does: a visitor check that redirects to
        # the same address with a cookie is followed; the same address with the same cookies is a loop.
        cookies = httpx.Cookies()
        seen: set[tuple[str, str | None]] = {(walk.current, None)}
        headers = {"User-Agent": user_agent} if user_agent else None
        for _ in range(self.settings.max_redirects + 1):
            client = self._client_for(walk.current)
            request = client.build_request("GET", walk.current, headers=headers)
            cookies.set_cookie_header(request)
            response = await client.send(request, stream=True)
            try:
                cookies.extract_cookies(response)
                if walk.ttfb_ms is None:
                    walk.ttfb_ms = (time.perf_counter() - started) * 1000
                if response.url.scheme == "https":
                    walk.cert = _peer_cert(response) or walk.cert
                location = response.headers.get("location")
                if not (response.is_redirect and location):
                    return response.status_code, await _bounded_size(response, self.settings.max_bytes)
                target = str(response.url.join(location).copy_with(fragment=None))
            finally:
                await response.aclose()
            walk.hops.append(walk.current)
            visit = (target, _cookie_header(cookies, target))
            if visit in seen:
                raise httpx.TooManyRedirects(f"{target} dikunjungi lagi setelah {len(walk.hops)} pengalihan")
            seen.add(visit)
            walk.current = target
        raise httpx.TooManyRedirects(f"lebih dari {self.settings.max_redirects} pengalihan")

    async def check(self, url: str, website_id: int = 0) -> ProbeResult:
        """One probe; never raises for anything a site can do."""
        started_at, started = utcnow(), time.perf_counter()
        walk = _Walk(current=url)
        http_status: int | None = None
        size: int | None = None
        try:
            async with asyncio.timeout(self.settings.total_timeout):
                http_status, size = await self._walk(walk, started)
                status = Status.OK if http_status < 400 else Status.HTTP_ERROR
                detail = "" if status is Status.OK else f"HTTP {http_status}"
                if http_status in (401, 403):  # refused to the probe: does it answer a browser?
                    browser = _Walk(current=url)
                    if (await self._walk(browser, started, self.settings.browser_user_agent))[0] < 400:
                        status, detail = Status.BLOCKED, f"HTTP {http_status} untuk probe, berfungsi untuk peramban"
        except Exception as exc:  # every failure of a site becomes a value
            status, detail = classify_httpx_error(exc)
            if status is Status.TLS_ERROR:
                walk.cert, detail = await self._explain_tls(walk.current, detail)
        return ProbeResult(
            website_id,
            url,
            started_at,
            status.value,
            detail[:MAX_DETAIL],
            http_status,
            walk.current,
            walk.hops,
            walk.ttfb_ms,
            (time.perf_counter() - started) * 1000,
            size,
            walk.cert.expires_at if walk.cert else None,
            walk.cert.issuer if walk.cert else None,
        )

    async def probe(self, url: str, website_id: int = 0) -> Probe:
        """:meth:`check` as a ``Probe`` row."""
        return (await self.check(url, website_id)).to_row()

    async def _explain_tls(self, url: str, detail: str) -> tuple[CertInfo | None, str]:
        target = httpx.URL(url)
        if not self.settings.tls_inspect or target.scheme != "https":
            return None, detail
        cert = await anyio.to_thread.run_sync(
            lambda: inspect_certificate(
                target.host, target.port or 443, self.policy, self.settings.connect_timeout, ssl_context=self.ssl_context
            ),
            abandon_on_cancel=True,
        )
        return cert, (cert.verify_error if cert and cert.verify_error else detail)

    async def confirm(
        self,
        target: Target,
        gate: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
    ) -> ProbeResult:
        """Probe and, on a failure, probe again until the N-of-M confirmation ends (see
        :mod:`confirmation`); the verdict. Attempts *start* ``confirm_delay`` apart (a timed-out
        attempt counts towards the delay). Each attempt runs inside ``gate()`` (a concurrency
        slot); the waits between attempts do not. Sweeps do not wait here: they probe once and
        keep an open confirmation for a later attempt (:mod:`sweep`)."""
        s = self.settings
        rule = Rule.of(s.confirm_failures, s.confirm_attempts, s.confirm_delay)
        clock = asyncio.get_running_loop().time
        began = clock()
        verdict, window = step(rule, target.window, await self._gated(target, gate), target.known_down)
        while verdict is None:
            await asyncio.sleep(max(0.0, rule.delay - (clock() - began)))
            began = clock()
            verdict, window = step(rule, window, await self._gated(target, gate))
        return verdict

    async def _gated(self, target: Target, gate: Callable[[], AbstractAsyncContextManager[Any]] | None) -> ProbeResult:
        if gate is None:
            return await self.check(target.url, target.website_id)
        async with gate():
            return await self.check(target.url, target.website_id)

    async def confirmed(self, target: Target) -> Probe:
        """:meth:`confirm` as a ``Probe`` row."""
        return (await self.confirm(target)).to_row()
