"""An httpx transport whose connections obey :mod:`spbe_crawler.net.policy` (connect-to, address policy).

The pieces, all public httpx/httpcore API:

* :class:`PolicyBackend` — an httpcore ``AsyncNetworkBackend`` around ``AnyIOBackend`` whose
  ``connect_tcp(host, port)`` resolves ``host`` with :meth:`NetworkPolicy.resolve` (in a worker
  thread, cached per host for a short TTL) and connects to the addresses it returns. httpcore then
  runs ``start_tls(server_hostname=host)`` with the *original* name, so SNI and certificate checks
  are those of the real site even when a route sends the socket to ``127.0.0.1``.
* :class:`PolicyTransport` — maps ``httpx.Request`` to an ``httpcore`` pool and back. Targets with
  a proxy in ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` (and not in ``NO_PROXY``) go through
  ``httpcore.AsyncHTTPProxy``; the proxy resolves them, so the address policy cannot apply to them.
  Hosts that a connect-to route or a private zone names always go direct: the operator said where
  they live.
* :func:`make_client` — the factory the probes and discovery use.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy

import anyio
import anyio.to_thread
import httpcore
import httpx

from spbe_crawler.net.policy import AddressBlocked, NameNotFound, NetworkPolicy

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


def default_ssl_context(verify: bool | str | ssl.SSLContext = True, environ: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """The TLS context of every probe: ``verify`` as a CA file path, else ``SSL_CERT_FILE``/``SSL_CERT_DIR``,
    else the system trust store; ``verify=False`` accepts any certificate."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is False:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    env = os.environ if environ is None else environ
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    cafile, capath = env.get("SSL_CERT_FILE") or None, env.get("SSL_CERT_DIR") or None
    return ssl.create_default_context(cafile=cafile, capath=capath)


class PolicyBackend(httpcore.AsyncNetworkBackend):
    """Resolve through the network policy, then connect with httpcore's AnyIO backend."""

    def __init__(self, policy: NetworkPolicy, dns_ttl: float = 60.0, cache_size: int = 10_000):
        self.policy = policy
        self._inner = httpcore.AnyIOBackend()
        self._ttl = dns_ttl
        self._cache: OrderedDict[tuple[str, int], tuple[float, list[tuple[str, int]]]] = OrderedDict()
        self._cache_size = cache_size

    def _answers_at_once(self, host: str, port: int) -> bool:
        """True when resolving cannot block: the name (or its route target) is an IP address, or it
        is a private-zone miss. Then no worker thread is needed; the same ``policy.resolve`` runs."""
        route = self.policy.route(host, port)
        if route is None and self.policy.in_private_zone(host):
            return True
        try:
            ipaddress.ip_address((route[0] if route else host).strip("[]"))
        except ValueError:
            return False
        return True

    async def resolve(self, host: str, port: int, timeout: float | None = None) -> list[tuple[str, int]]:
        """Addresses for ``host:port``; failures are not cached so a retry asks again."""
        key = (host.lower(), port)
        cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            if self._answers_at_once(host, port):
                addresses = self.policy.resolve(host, port)
            else:
                with anyio.fail_after(timeout):
                    addresses = await anyio.to_thread.run_sync(self.policy.resolve, host, port, abandon_on_cancel=True)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolusi nama {host} melewati batas waktu") from exc
        except (NameNotFound, AddressBlocked) as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        self._cache[key] = (time.monotonic() + self._ttl, addresses)
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last_error: httpcore.ConnectError | None = None
        for address, target_port in await self.resolve(host, port, timeout):
            try:
                return await self._inner.connect_tcp(
                    address, target_port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectTimeout:
                raise
            except httpcore.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"tidak ada alamat untuk {host}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):  # type: ignore[no-untyped-def]
        return await self._inner.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def environment_proxies(environ: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """``({"http": url, "https": url}, no_proxy entries)`` from the standard variables (lower case wins)."""
    env = os.environ if environ is None else environ

    def read(name: str) -> str:
        return env.get(name.lower()) or env.get(name.upper()) or ""

    fallback = read("all_proxy")
    proxies = {scheme: read(f"{scheme}_proxy") or fallback for scheme in ("http", "https")}
    no_proxy = [entry.strip().lower() for entry in read("no_proxy").split(",") if entry.strip()]
    return {scheme: url for scheme, url in proxies.items() if url}, no_proxy


def bypasses_proxy(host: str, no_proxy: list[str]) -> bool:
    """curl's NO_PROXY: ``*``, an exact host, or a domain suffix (leading dot optional)."""
    host = host.lower().rstrip(".")
    for entry in no_proxy:
        name = entry.split(":", 1)[0] if entry.count(":") == 1 else entry
        name = name.lstrip(".").lstrip("*").lstrip(".")
        if entry == "*" or host == name or host.endswith("." + name):
            return True
    return False


def _proxy_pool(url: str, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> httpcore.AsyncHTTPProxy:
    proxy = httpx.URL(url)
    if proxy.scheme not in ("http", "https"):
        raise ValueError(f"proksi {url!r} tidak didukung: hanya http:// atau https://")
    auth = (proxy.username.encode(), proxy.password.encode()) if proxy.username else None
    return httpcore.AsyncHTTPProxy(
        proxy_url=httpcore.URL(scheme=proxy.raw_scheme, host=proxy.raw_host, port=proxy.port, target=b"/"),
        proxy_auth=auth,
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
    )


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """Re-raise httpcore errors as the httpx error of the same name, keeping the cause chain."""
    try:
        yield
    except httpcore.UnsupportedProtocol as exc:
        raise httpx.UnsupportedProtocol(str(exc)) from exc
    except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError, httpcore.ProxyError) as exc:
        raise getattr(httpx, type(exc).__name__, httpx.TransportError)(str(exc)) from exc


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterator[bytes]):
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        closer = getattr(self._stream, "aclose", None)
        if closer is not None:
            with _httpx_errors():
                await closer()


class PolicyTransport(httpx.AsyncBaseTransport):
    """httpx transport over httpcore pools: direct (policy-aware) or via the environment's proxy."""

    def __init__(
        self,
        policy: NetworkPolicy,
        ssl_context: ssl.SSLContext,
        limits: httpx.Limits = DEFAULT_LIMITS,
        *,
        environ: Mapping[str, str] | None = None,
        trust_env: bool = True,
        dns_ttl: float = 60.0,
    ):
        self.policy = policy
        self.backend = PolicyBackend(policy, dns_ttl=dns_ttl)
        self._direct = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            network_backend=self.backend,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )
        proxies, self._no_proxy = environment_proxies(environ) if trust_env else ({}, [])
        self._proxies = {scheme: _proxy_pool(url, ssl_context, limits) for scheme, url in proxies.items()}

    def pool_for(self, url: httpx.URL) -> httpcore.AsyncConnectionPool | httpcore.AsyncHTTPProxy:
        """The direct pool, unless the environment names a proxy for this target."""
        proxy = self._proxies.get(url.scheme)
        host, port = url.host, url.port or (443 if url.scheme == "https" else 80)
        if proxy is None or bypasses_proxy(host, self._no_proxy):
            return self._direct
        if self.policy.route(host, port) is not None or self.policy.in_private_zone(host):
            return self._direct
        return proxy

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw,
            content=request.stream,  # type: ignore[arg-type]
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = await self.pool_for(request.url).handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),  # type: ignore[arg-type]
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._direct.aclose()
        for pool in self._proxies.values():
            await pool.aclose()


def make_client(
    policy: NetworkPolicy | None = None,
    timeout: httpx.Timeout | float = 10.0,
    verify: bool | str | ssl.SSLContext = True,
    limits: httpx.Limits = DEFAULT_LIMITS,
    *,
    headers: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    trust_env: bool = True,
    dns_ttl: float = 60.0,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose connections obey ``policy`` (default: from ``SPBE_*`` variables).

    Redirects are not followed by default: callers that record hops follow them themselves. The
    client keeps no cookies (its jar refuses them all): one client serves thousands of sites, and
    each check must look like a first visit; a caller that follows a visitor check keeps the
    cookies of that one walk (see ``monitor.probe``).
    """
    policy = policy if policy is not None else NetworkPolicy.from_env(environ)
    transport = PolicyTransport(policy, default_ssl_context(verify, environ), limits, environ=environ, trust_env=trust_env, dns_ttl=dns_ttl)
    return httpx.AsyncClient(transport=transport, timeout=timeout, headers=headers, trust_env=False, cookies=CookieJar(_RefuseAll()))


class _RefuseAll(DefaultCookiePolicy):
    """A cookie policy that stores nothing."""

    def set_ok(self, cookie: object, request: object) -> bool:  # noqa: ARG002 - the cookiejar interface
        return False
