"""One normal form for website addresses, shared by the registry, discovery and the probes.

Two spellings of the same site (``HTTPS://Dinkes.X.go.id:443`` and ``dinkes.x.go.id``) must become
one string, because ``Website`` rows are unique per (unit, url).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_SCHEME_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
MAX_URL_LENGTH = 2000


def normalise_url(text: str) -> str:
    """Return the normal form of a website address, or raise ``ValueError`` with a Bahasa message.

    Lowercases scheme and host, strips the default port, keeps path and query, drops the fragment,
    and gives a bare host the ``https://`` scheme and a trailing ``/``.
    """
    raw = (text or "").strip()
    if not raw:
        raise ValueError("alamat situs kosong")
    if len(raw) > MAX_URL_LENGTH:
        raise ValueError(f"alamat situs lebih dari {MAX_URL_LENGTH} karakter")
    if any(ch.isspace() for ch in raw):
        raise ValueError("alamat situs tidak boleh memuat spasi")
    if not _SCHEME_PREFIX.match(raw):
        raw = "https://" + raw
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"skema '{parts.scheme}' tidak didukung; gunakan http atau https")
    if parts.username is not None or parts.password is not None:
        raise ValueError("alamat situs tidak boleh memuat nama pengguna atau kata sandi")
    host = _valid_host(parts.hostname or "")
    netloc = host + _port_suffix(parts, scheme)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{netloc}{path}{query}"


def host_of(url: str) -> str:
    """The lowercased host of an already normalised URL (brackets removed from IPv6 literals)."""
    return (urlsplit(url).hostname or "").lower()


def _port_suffix(parts: SplitResult, scheme: str) -> str:
    try:
        port = parts.port
    except ValueError:
        raise ValueError("nomor port tidak sah") from None
    if port is None or port == DEFAULT_PORTS[scheme]:
        return ""
    return f":{port}"


def _valid_host(hostname: str) -> str:
    """A lowercased, syntactically valid host name or IP literal (bracketed when IPv6)."""
    host = hostname.lower().rstrip(".")
    if not host:
        raise ValueError("nama host kosong")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return _valid_domain(host)
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def _valid_domain(host: str) -> str:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"nama host '{host}' tidak sah") from None
    labels = ascii_host.split(".")
    if len(labels) < 2:
        raise ValueError(f"nama host '{host}' tidak lengkap (tanpa domain tingkat atas)")
    if not all(_LABEL.match(label) for label in labels) or not _TLD.match(labels[-1]):
        raise ValueError(f"nama host '{host}' tidak sah")
    return ascii_host
