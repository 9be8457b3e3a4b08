"""Where a connection to ``host:port`` really goes, and whether it may go there at all.

Two rules apply to every outgoing connection of the survey (Scrapy) and the probes (httpx):

* **connect-to routes**, with curl's ``--connect-to`` meaning: ``HOST:PORT:TARGET_HOST:TARGET_PORT``
  sends a connection for ``HOST:PORT`` to ``TARGET_HOST:TARGET_PORT`` while the URL, the ``Host``
  header, TLS SNI and certificate checks keep the original name. ``HOST`` may be ``*.example.go.id``
  or ``*``; an empty ``PORT`` or ``TARGET_PORT`` means "any" / "same". A line ``!*.example.go.id``
  declares a private zone: a name under it that no route matches does not exist (NXDOMAIN), as in a
  split-horizon DNS, so offline runs never ask the real DNS. The offline demo web uses this.
* **address policy**: private, loopback, link-local, multicast and reserved addresses are refused
  unless they fall in an allowed network (``SPBE_ALLOWED_NETWORKS``, e.g. ``127.0.0.0/8``).

Routes come from ``SPBE_CONNECT_TO`` (comma-separated) and ``SPBE_CONNECT_TO_FILE`` (one per line,
``#`` comments).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spbe_crawler.config import load_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class NameNotFound(OSError):
    """The name does not resolve (NXDOMAIN, or a private-zone miss)."""


class AddressBlocked(OSError):
    """Every address of the name is forbidden by the address policy."""


@dataclass(frozen=True)
class Route:
    host: str
    port: int | None
    target_host: str
    target_port: int | None

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        return _host_matches(self.host, host)


def _host_matches(pattern: str, host: str) -> bool:
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return host.endswith(suffix) or host == pattern[2:]
    return host == pattern


def parse_route(text: str) -> Route:
    """Parse ``HOST:PORT:TARGET_HOST:TARGET_PORT`` (IPv6 targets in brackets)."""
    parts = [part.strip() for part in _split_colons(text.strip())]
    if len(parts) != 4 or not parts[0] or not parts[2]:
        raise ValueError(f"aturan connect-to tidak sah: {text!r} (format HOST:PORT:TUJUAN:PORT)")
    host, port, target, target_port = parts
    return Route(
        host=host.lower(),
        port=int(port) if port else None,
        target_host=target.strip("[]"),
        target_port=int(target_port) if target_port else None,
    )


def _split_colons(text: str) -> list[str]:
    parts, current, depth = [], "", 0
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


DEFAULT_FORBIDDEN_CHECKS = ("is_private", "is_loopback", "is_link_local", "is_multicast", "is_reserved", "is_unspecified")


@dataclass
class NetworkPolicy:
    routes: list[Route] = field(default_factory=list)
    private_zones: list[str] = field(default_factory=list)
    allowed_networks: list[IPNetwork] = field(default_factory=list)

    @classmethod
    def from_lines(cls, lines: Iterable[str], allowed: Iterable[str] = ()) -> NetworkPolicy:
        policy = cls(allowed_networks=[ipaddress.ip_network(n.strip(), strict=False) for n in allowed if n.strip()])
        for raw in lines:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("!"):
                policy.private_zones.append(line[1:].lower())
            else:
                policy.routes.append(parse_route(line))
        return policy

    @classmethod
    def from_knobs(cls, connect_to: Iterable[str], connect_to_file: str | None, allowed_networks: Iterable[str]) -> NetworkPolicy:
        """The policy of the ``SPBE_CONNECT_TO`` rules, the rules of ``SPBE_CONNECT_TO_FILE`` after them,
        and ``SPBE_ALLOWED_NETWORKS`` (as :class:`spbe_crawler.config.Settings` or Scrapy's settings hold them)."""
        lines = list(connect_to)
        if connect_to_file:
            lines += Path(connect_to_file).read_text(encoding="utf-8").splitlines()
        return cls.from_lines(lines, allowed_networks)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NetworkPolicy:
        """The policy of the environment (``os.environ`` by default), read by the one settings object."""
        settings = load_settings(environ)
        return cls.from_knobs(settings.connect_to, settings.connect_to_file, settings.allowed_networks)

    def route(self, host: str, port: int) -> tuple[str, int] | None:
        """The connect-to target of ``host:port``, or None when it connects as usual."""
        host = host.lower().rstrip(".")
        for rule in self.routes:
            if rule.matches(host, port):
                return rule.target_host, rule.target_port or port
        return None

    def in_private_zone(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(_host_matches(zone, host) for zone in self.private_zones)

    def forbidden_reason(self, address: str) -> str | None:
        """Why connecting to ``address`` is refused, or None when it is allowed."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip in net for net in self.allowed_networks):
            return None
        for check in DEFAULT_FORBIDDEN_CHECKS:
            if getattr(ip, check):
                return f"alamat {ip} terlarang ({check[3:]})"
        return None

    def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        """Addresses to connect to for ``host:port`` (blocking; system DNS where no route applies).

        Raises :class:`NameNotFound` or :class:`AddressBlocked`.
        """
        target = self.route(host, port)
        if target is None and self.in_private_zone(host):
            raise NameNotFound(f"nama {host} tidak ada (zona privat)")
        name, target_port = target or (host, port)
        try:
            infos = socket.getaddrinfo(name, target_port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NameNotFound(f"nama {host} tidak ditemukan: {exc}") from exc
        return self.filter_addresses(host, [(str(info[4][0]), target_port) for info in infos])

    def filter_addresses(self, host: str, addresses: list[tuple[str, int]]) -> list[tuple[str, int]]:
        allowed, reasons = [], []
        for address, port in addresses:
            reason = self.forbidden_reason(address)
            if reason:
                reasons.append(reason)
            elif (address, port) not in allowed:
                allowed.append((address, port))
        if not allowed and reasons:
            raise AddressBlocked(f"{host}: {reasons[0]}")
        return allowed
