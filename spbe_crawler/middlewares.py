"""Downloader middlewares of the survey: address policy for IP literals, Retry-After handling."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
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
    def from_crawler(cls, crawler: Any) -> AddressPolicyMiddleware:
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
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


class BackoffRetryMiddleware:
    """Retry transient HTTP answers (429, 5xx gateway errors) after a pause the server can live with.

    The pause is the server's ``Retry-After`` when it gives one (up to ``SPBE_RETRY_AFTER_MAX``
    seconds; a longer wait is not honoured and the answer stands), else an exponential backoff of
    ``SPBE_RETRY_BACKOFF * 2**attempt``. Scrapy's own RetryMiddleware keeps retrying network errors.
    """

    RETRY_STATUSES = (408, 429, 500, 502, 503, 504, 522, 524)

    def __init__(self, max_wait: float, max_times: int, backoff: float):
        self.max_wait = max_wait
        self.max_times = max_times
        self.backoff = backoff

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffRetryMiddleware:
        settings = crawler.settings
        max_times = settings.getint("SPBE_HTTP_RETRY_TIMES")
        if max_times <= 0:
            raise NotConfigured
        return cls(settings.getfloat("SPBE_RETRY_AFTER_MAX"), max_times, settings.getfloat("SPBE_RETRY_BACKOFF"))

    def delay(self, response: Response, attempt: int) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or None when not to retry."""
        if response.status not in self.RETRY_STATUSES or attempt >= self.max_times:
            return None
        header = response.headers.get(b"Retry-After")
        if header:
            wait = retry_after_seconds(header)
            return wait if wait is not None and wait <= self.max_wait else None
        return self.backoff * 2**attempt

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        attempt = request.meta.get("spbe_http_retries", 0)
        wait = self.delay(response, attempt)
        if wait is None:
            return response
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        retry = request.replace(dont_filter=True)
        retry.meta["spbe_http_retries"] = attempt + 1
        return retry
