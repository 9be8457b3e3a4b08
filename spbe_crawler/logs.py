"""One log line per failed site: Scrapy's own reports of network failures go to DEBUG; items are not logged.

A survey of a real pemda meets hundreds of names that do not resolve and hosts that refuse or never
answer. Scrapy logs each of them at ERROR with a traceback (robots.txt download, "Gave up
retrying"), which buried the one line that matters. The spider logs that line itself
(``Situs <url> gagal: <status> (<detail>)``); :class:`NetworkNoise` demotes Scrapy's records about
the same failures to DEBUG, traceback included, so ``SPBE_LOG_LEVEL=DEBUG`` still shows everything.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter
from twisted.python.failure import Failure

NOISY_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry", "scrapy.core.scraper")
NETWORK_WORDS = (
    "DNS lookup failed",
    "Connection was refused",
    "ConnectionRefused",
    "TimeoutError",
    "took longer than",
    "TCP connection timed out",
    "SSL",
    "TLS",
    "Connection lost",
    "ConnectionLost",
    "AddressForbidden",
    "AddressBlocked",
    "NameNotFound",
    "Gave up retrying",
)


class NetworkNoise(logging.Filter):
    """Demote Scrapy's records of network failures (with their tracebacks) to DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG and _is_network(record):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def _is_network(record: logging.LogRecord) -> bool:
    try:
        text = record.getMessage()
    except Exception:  # a record whose arguments do not format: leave it alone
        return False
    if record.exc_info and record.exc_info[1] is not None:
        text += f" {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
    return any(word in text for word in NETWORK_WORDS)


_FILTER = NetworkNoise()


def quiet_network_noise() -> None:
    """Install :class:`NetworkNoise` on Scrapy's noisy loggers (idempotent)."""
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


class SurveyLogFormatter(LogFormatter):
    """Scrapy's log lines without "Scraped from <page>" and the item after it.

    The survey yields several items per page and the store keeps them all; at DEBUG each line
    repeated a whole page (its body included) in the log, and at every level Scrapy built the
    record before the log level dropped it (about 2 % of a survey's CPU time).
    """

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> None:  # type: ignore[override]
        return None
