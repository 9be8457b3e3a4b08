"""A small blocking HTTP(S) client that reaches hosts the way the crawler does: through the
connect-to routes and address policy of ``spbe_crawler.net.policy``, with SNI, ``Host`` and
certificate checks on the original name. Used by the demo's tests and self-check.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from spbe_crawler.net.policy import NetworkPolicy

BROWSER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


def fetch(
    url: str,
    env: Mapping[str, str],
    *,
    method: str = "GET",
    user_agent: str = BROWSER_AGENT,
    timeout: float = 5.0,
    max_body: int = 2 * 1024 * 1024,
    verify: bool = True,
    headers: Mapping[str, str] | None = None,
) -> Fetched:
    """One request (``headers``: extra request headers), no redirects followed. Raises NameNotFound,
    OSError, ssl errors like a real client."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    host, port = parts.hostname or "", parts.port or (443 if secure else 80)
    address = NetworkPolicy.from_env(dict(env)).resolve(host, port)[0]
    sock = socket.create_connection(address, timeout=timeout)
    try:
        if secure:
            sock = _tls_context(env, verify).wrap_socket(sock, server_hostname=host)
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.sock = sock
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = {"Host": parts.netloc, "User-Agent": user_agent, "Accept-Encoding": "identity", **(headers or {})}
        conn.request(method, target, headers=sent)
        response = conn.getresponse()
        body = response.read(max_body) if method != "HEAD" else b""
        return Fetched(url, response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        sock.close()


def _tls_context(env: Mapping[str, str], verify: bool) -> ssl.SSLContext:
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=env.get("SSL_CERT_FILE"))
