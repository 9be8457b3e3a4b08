"""Scrapy's TLS and connection pool, sized for surveys of thousands of distinct HTTPS hosts.

Two things made a survey's memory grow with the number of sites surveyed rather than with the
sites in flight (issue #17, measured with tracemalloc and RSS):

* With certificate verification on, Scrapy builds a new OpenSSL context per connection through
  Twisted's ``optionsForClientTLS``; each context loads the whole trust store (about 0.9 MB). The
  :class:`SharedContextFactory` builds the verifying context once; the host name is still checked
  per connection (Twisted sets the SNI name and the verify callback on each connection).
* Twisted keeps an idle keep-alive connection per host for 240 s. A survey is done with a host
  within seconds (a site's pages are fetched before new sites start), so
  :class:`SurveyDownloadHandler` closes idle connections after :data:`IDLE_CONNECTION_SECONDS`.
"""

from __future__ import annotations

from typing import Any

from scrapy.core.downloader.contextfactory import BrowserLikeContextFactory
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from twisted.internet._sslverify import ClientTLSOptions, OpenSSLCertificateOptions, platformTrust

IDLE_CONNECTION_SECONDS = 10


class SharedContextFactory(BrowserLikeContextFactory):
    """Scrapy's context factory, with one verifying OpenSSL context shared by every connection."""

    _shared: OpenSSLCertificateOptions | None = None

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:  # noqa: N802 (Scrapy/Twisted interface)
        if not self._verify_certificates:
            return super().creatorForNetloc(hostname, port)
        if self._shared is None:
            self._shared = OpenSSLCertificateOptions(trustRoot=platformTrust(), **self._get_cert_options_kwargs())
        return ClientTLSOptions(self._shared._makeTLSConnection, hostname.decode("ascii"))


class SurveyDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler whose idle keep-alive connections live :data:`IDLE_CONNECTION_SECONDS`."""

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self._pool.cachedConnectionTimeout = crawler.settings.getint("SPBE_IDLE_CONNECTION_SECONDS", IDLE_CONNECTION_SECONDS)

    def idle_connections(self) -> int:
        """How many idle keep-alive connections the pool holds now (for tests and benchmarks)."""
        return sum(len(connections) for connections in self._pool._connections.values())
