"""Scrapy's name resolver with the :mod:`spbe_crawler.net.policy` rules (connect-to, address policy).

Enabled by ``TWISTED_DNS_RESOLVER = "spbe_crawler.net.twisted_resolver.PolicyResolver"``. Twisted's
``IHostnameResolver`` hands back addresses *with ports*, and ``HostnameEndpoint`` connects to exactly
those, so a connect-to route changes where the socket goes while the URL, ``Host`` header and TLS
checks keep the original name: the same code path as on the real internet.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from scrapy.resolver import dnscache
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer

from spbe_crawler.net.policy import AddressBlocked, NameNotFound, NetworkPolicy

# Why the last resolution of a host failed, read by the failure classifier (bounded).
RESOLUTION_ERRORS: OrderedDict[str, tuple[str, str]] = OrderedDict()
_MAX_ERRORS = 10_000


def record_error(host: str, status: str, detail: str) -> None:
    RESOLUTION_ERRORS[host.lower()] = (status, detail)
    RESOLUTION_ERRORS.move_to_end(host.lower())
    while len(RESOLUTION_ERRORS) > _MAX_ERRORS:
        RESOLUTION_ERRORS.popitem(last=False)


def policy_from_settings(settings: Any) -> NetworkPolicy:
    """The network policy of a crawl's Scrapy settings."""
    return NetworkPolicy.from_knobs(
        settings.getlist("SPBE_CONNECT_TO"), settings.get("SPBE_CONNECT_TO_FILE"), settings.getlist("SPBE_ALLOWED_NETWORKS")
    )


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:
        """Resolution runs in a thread and cannot be cancelled; its result is then ignored."""


@implementer(IHostnameResolver)
class PolicyResolver:
    def __init__(self, reactor: Any, policy: NetworkPolicy, cache_size: int = 10_000):
        self.reactor = reactor
        self.policy = policy
        self._cache: OrderedDict[tuple[str, int], list[tuple[str, int]]] = OrderedDict()
        self._cache_size = cache_size
        # Names that do not exist (NXDOMAIN): never asked again in this crawl (robots.txt, the
        # homepage and the www fallback of one dead name cost one lookup). Bounded like the cache.
        self._missing: OrderedDict[str, None] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PolicyResolver:
        return cls(reactor, policy_from_settings(crawler.settings), crawler.settings.getint("DNSCACHE_SIZE", 10_000))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(  # noqa: N802 (Twisted interface)
        self,
        resolutionReceiver: Any,  # IResolutionReceiver (zope interfaces are not typed)
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type] | None = None,
        transportSemantics: str = "TCP",
    ) -> Any:  # IHostResolution
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        key = (hostName.lower(), portNumber)
        if key[0] in self._missing:
            resolutionReceiver.resolutionComplete()  # no addresses: the endpoint raises DNSLookupError
            return resolution
        if key in self._cache:
            self._deliver(resolutionReceiver, self._cache[key])
            return resolution
        pool = self.reactor.getThreadPool()
        deferred = deferToThreadPool(self.reactor, pool, self.policy.resolve, hostName, portNumber)
        deferred.addCallbacks(
            lambda addresses: self._resolved(resolutionReceiver, key, addresses),
            lambda failure: self._failed(resolutionReceiver, hostName, failure, self._missing, self._cache_size),
        )
        return resolution

    def _resolved(self, receiver: Any, key: tuple[str, int], addresses: list[tuple[str, int]]) -> None:
        self._cache[key] = addresses
        if addresses:
            # Scrapy keys per-IP download slots (CONCURRENT_REQUESTS_PER_IP) on this cache.
            dnscache[key[0]] = addresses[0][0]
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        self._deliver(receiver, addresses)

    @staticmethod
    def _deliver(receiver: Any, addresses: list[tuple[str, int]]) -> None:
        for address, port in addresses:
            family = IPv6Address if ipaddress.ip_address(address).version == 6 else IPv4Address
            receiver.addressResolved(family("TCP", address, port))
        receiver.resolutionComplete()

    @staticmethod
    def _failed(receiver: Any, host: str, failure: Any, missing: OrderedDict[str, None] | None = None, limit: int = 10_000) -> None:
        error = failure.value
        if isinstance(error, AddressBlocked):
            record_error(host, "address_blocked", str(error))
        elif isinstance(error, NameNotFound):
            record_error(host, "dns_error", str(error))
            if missing is not None:
                missing[host.lower()] = None
                while len(missing) > limit:
                    missing.popitem(last=False)
        else:
            record_error(host, "dns_error", repr(error))
        receiver.resolutionComplete()
