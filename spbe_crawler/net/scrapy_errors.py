"""The one mapping from what a Scrapy download can raise to a health :class:`Status`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)

from spbe_crawler.health.status import Status
from spbe_crawler.net.twisted_resolver import RESOLUTION_ERRORS

TLS_MARKERS = ("ssl", "certificate verify", "tls", "handshake", "service_identity", "verificationerror")
TLS_MODULES = ("OpenSSL", "service_identity", "ssl")
TOO_LARGE_MARKERS = ("maxsize", "max size", "larger than download")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The exception, its causes/contexts and the failures Twisted wraps in ``reasons``."""
    seen: set[int] = set()
    stack: list[Any] = [error]
    while stack:
        item = stack.pop()
        item = getattr(item, "value", item) if not isinstance(item, BaseException) else item
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack.extend([item.__cause__, item.__context__])
        stack.extend(getattr(item, "reasons", None) or [])


def _type_names(error: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(error).__mro__}


def classify_download_error(error: BaseException, host: str) -> tuple[Status, str]:
    """Status and a short detail for a failed download of a page on ``host``."""
    chain = list(_chain(error))
    text = " | ".join(f"{type(e).__name__}: {e}" for e in chain)[:500]
    names = set().union(*(_type_names(e) for e in chain))
    lowered = text.lower()
    if "AddressForbidden" in names:
        return Status.ADDRESS_BLOCKED, str(error)
    if "Forbidden by robots.txt" in text:
        return Status.ROBOTS_DISALLOWED, "robots.txt melarang perayapan halaman ini"
    if any(marker in lowered for marker in TOO_LARGE_MARKERS):
        return Status.TOO_LARGE, "ukuran halaman melebihi batas unduh"
    if any(isinstance(e, CannotResolveHostError) for e in chain) or "DNSLookupError" in names:
        status, detail = RESOLUTION_ERRORS.get(host.lower(), ("dns_error", f"nama {host} tidak ditemukan"))
        return Status(status), detail
    if any(isinstance(e, DownloadConnectionRefusedError) for e in chain) or "ConnectionRefusedError" in names:
        return Status.CONNECT_REFUSED, f"koneksi ke {host} ditolak"
    if any(isinstance(e, DownloadTimeoutError) for e in chain) or names & {"TimeoutError", "TCPTimedOutError"}:
        return Status.TIMEOUT, "server tidak menjawab dalam batas waktu"
    if any(isinstance(e, DownloadCancelledError) for e in chain):
        # Scrapy cancels a body that grows past DOWNLOAD_MAXSIZE while it streams (chunked, no
        # Content-Length); the size is only in its log, the exception carries no message
        return Status.TOO_LARGE, "unduhan dihentikan: isi halaman melebihi batas unduh (badan tanpa akhir?)"
    if (
        "SSLError" in names
        or any(type(e).__module__.startswith(TLS_MODULES) for e in chain)
        or any(marker in lowered for marker in TLS_MARKERS)
    ):
        return Status.TLS_ERROR, "jabat tangan TLS gagal: " + text[:200]
    if names & {"ConnectError", "ConnectingCancelledError", "NoRouteError", "ConnectionLost"}:
        return Status.CONNECT_ERROR, text[:200]
    return Status.ERROR, text[:200]


def error_text(error: BaseException) -> str:
    """The whole text of an error and what it wraps (TLS alerts sit deep in Twisted's ``reasons``)."""
    return " | ".join(f"{type(e).__name__}: {e}" for e in _chain(error))[:2000]
