"""Retry-After parsing and the backoff schedule of transient HTTP answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import Response

from spbe_crawler.middlewares import BackoffRetryMiddleware, retry_after_seconds

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value, expected",
    [
        (b"5", 5.0),
        ("120", 120.0),
        ("Sat, 28 Nov 2026 12:00:30 GMT", 30.0),
        ("Sat, 28 Nov 2026 11:00:00 GMT", 0.0),
        ("besok", None),
        (None, None),
    ],
)
def test_retry_after_seconds(value, expected) -> None:
    assert retry_after_seconds(value, now=NOW) == expected


def _response(status: int, retry_after: str | None = None) -> Response:
    headers = {"Retry-After": retry_after} if retry_after else {}
    return Response("https://a.go.id/", status=status, headers=headers)


def test_backoff_schedule_and_limits() -> None:
    middleware = BackoffRetryMiddleware(max_wait=30, max_times=3, backoff=0.5)
    assert [middleware.delay(_response(503), n) for n in range(4)] == [0.5, 1.0, 2.0, None]
    assert middleware.delay(_response(429, "7"), 0) == 7.0
    assert middleware.delay(_response(429, "3600"), 0) is None  # too long: the 429 stands
    assert middleware.delay(_response(404), 0) is None and middleware.delay(_response(200), 0) is None
