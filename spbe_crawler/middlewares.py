"""Downloader middlewares of the survey: address policy for IP literals, Retry-After handling."""

from __future__ import annotations

import ipaddress
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from spbe_crawler.net.twisted_resolver import policy_from_settings


class AddressForbidden(IgnoreRequest):
    """The URL names a private/loopback/link-local address literal outside the allow-list."""


class AddressPolicyMiddleware:
    """Refuse URLs whose host is an IP literal in a forbidden network.

    Names are checked at resolution time by :class:`~spbe_crawler.net.twisted_resolver.PolicyResolver`
    (which also covers redirects, since every hop is resolved again); IP literals are checked here.
    """

    def __init__(self, settings: Any):
        self.policy = policy_from_settings(settings)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "AddressPolicyMiddleware":
        return cls(crawler.settings)

    def process_request(self, request: Request) -> None:
        host = (urlparse_cached(request).hostname or "").strip("[]")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return None
        if self.policy.route(host, urlparse_cached(request).port or 0) is None:
            reason = self.policy.forbidden_reason(host)
            if reason:
                raise AddressForbidden(reason)
        return None


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), None if unusable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    """On 429/503 with a Retry-After the server can live with, wait that long and ask again."""

    RETRY_STATUSES = (429, 503)

    def __init__(self, max_wait: float, max_times: int):
        self.max_wait = max_wait
        self.max_times = max_times

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RetryAfterMiddleware":
        max_times = crawler.settings.getint("SPBE_RETRY_AFTER_TIMES")
        if max_times <= 0:
            raise NotConfigured
        return cls(crawler.settings.getfloat("SPBE_RETRY_AFTER_MAX"), max_times)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in self.RETRY_STATUSES:
            return response
        done = request.meta.get("spbe_retry_after", 0)
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None or wait > self.max_wait or done >= self.max_times:
            return response
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        retry = request.replace(dont_filter=True)
        retry.meta["spbe_retry_after"] = done + 1
        return retry
