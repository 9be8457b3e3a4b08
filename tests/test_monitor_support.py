"""Real local servers for the monitor tests and bench (no tests here).

:class:`LocalWeb` runs, on 127.0.0.1 in a background thread: an HTTP server and a TLS server that
answer for many host names (picked by the first label of ``Host``/SNI), a server that accepts and
never answers, and a closed port. :meth:`LocalWeb.policy` routes ``*.monitor.test`` to them with
connect-to rules, exactly as the offline demo web does; ``*.hilang.test`` is a private zone with
no routes (NXDOMAIN). Certificates come from trustme (valid, expired, soon-expiring, wrong host,
unknown CA) and cryptography (self-signed).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import ssl
import threading
from typing import Any

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlmodel import Session

from spbe_crawler.monitor.settings import MonitorSettings
from spbe_crawler.net.policy import NetworkPolicy
from spbe_crawler.store.models import Unit, Website

ZONE = "monitor.test"
BIG_BODY = b"x" * (2 * 1024 * 1024)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_pem(host: str) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


class LocalWeb:
    """Local HTTP/TLS servers answering by host label; ``modes`` changes behaviour at run time."""

    def __init__(self, tmp_dir: Any, slow_seconds: float = 5.0):
        self.tmp_dir = tmp_dir
        self.slow_seconds = slow_seconds
        self.modes: dict[str, Any] = {"toggle": 200, "hook": 200}
        self.hook_bodies: list[dict[str, Any]] = []
        self.requests: list[str] = []
        self.request_headers: list[dict[str, str]] = []  # lower-case names, one dict per request
        self.ca = trustme.CA()
        self._contexts = self._tls_contexts()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.refused_port = free_port()

    # --- TLS -------------------------------------------------------------------------------
    def _context_for(self, cert_pem: bytes, key_pem: bytes, name: str) -> ssl.SSLContext:
        cert_file, key_file = self.tmp_dir / f"{name}.crt", self.tmp_dir / f"{name}.key"
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        return context

    def _leaf(self, ca: trustme.CA, host: str, name: str, **dates: Any) -> ssl.SSLContext:
        leaf = ca.issue_cert(host, **dates)
        return self._context_for(b"".join(b.bytes() for b in leaf.cert_chain_pems), leaf.private_key_pem.bytes(), name)

    def _tls_contexts(self) -> dict[str, ssl.SSLContext]:
        now = dt.datetime.now(dt.UTC)
        wild = f"*.{ZONE}"
        return {
            "default": self._leaf(self.ca, wild, "default", not_after=now + dt.timedelta(days=200)),
            "expired": self._leaf(
                self.ca, f"expired.{ZONE}", "expired", not_before=now - dt.timedelta(days=90), not_after=now - dt.timedelta(days=2)
            ),
            "soon": self._leaf(self.ca, f"soon.{ZONE}", "soon", not_after=now + dt.timedelta(days=5, hours=1)),
            "wronghost": self._leaf(self.ca, "lain.example.org", "wronghost"),
            "untrusted": self._leaf(trustme.CA(), f"untrusted.{ZONE}", "untrusted"),
            "selfsigned": self._context_for(*self_signed_pem(f"selfsigned.{ZONE}"), "selfsigned"),
        }

    def _server_context(self) -> ssl.SSLContext:
        context = self._contexts["default"]

        def pick(sslobj: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
            label = (name or "").split(".")[0]
            if label in self._contexts:
                sslobj.context = self._contexts[label]

        context.sni_callback = pick
        return context

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    # --- HTTP ------------------------------------------------------------------------------
    async def _read_request(self, reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        length = int(headers.get("content-length", "0"))
        body = await reader.readexactly(length) if length else b""
        return method, target, headers, body

    async def _answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        host = headers.get("host", "").split(":")[0]
        label = host.split(".")[0]
        self.requests.append(f"{host}{target}")
        self.request_headers.append(headers)
        if target.startswith("http://"):
            return 200, {}, f"lewat proksi: {target}".encode()
        if target == "/hook":
            self.hook_bodies.append(json.loads(body or b"{}"))
            return int(self.modes["hook"]), {}, b"ok"
        if label == "error":
            return 500, {}, b"<h1>500</h1>"
        if label == "loop":
            return 302, {"Location": "/b" if target == "/" else "/"}, b""
        if label in ("cookie", "cookieloop") and (label == "cookieloop" or "cek=1" not in headers.get("cookie", "")):
            return 302, {"Location": target, "Set-Cookie": "cek=1; Path=/"}, b""  # a visitor check (cookieloop: never satisfied)
        if label == "hop":
            return 301, {"Location": f"https://secure.{ZONE}/beranda"}, b""
        if label == "big":
            return 200, {}, BIG_BODY
        if label == "slow":
            await asyncio.sleep(self.slow_seconds)
        if label == "toggle":
            mode = self.modes["toggle"]
            status = (mode.pop(0) if len(mode) > 1 else mode[0]) if isinstance(mode, list) else mode
            return int(status), {}, b"<p>toggle</p>"
        if label == "echo":
            return 200, {}, f"{host}|{target}".encode()
        return 200, {"Content-Type": "text/html"}, b"<html><body>Selamat datang</body></html>"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, headers, body = await self._answer(*await self._read_request(reader))
            head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close"]
            head += [f"{k}: {v}" for k, v in headers.items()]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ssl.SSLError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # server shutting down; returning normally keeps asyncio's stream callback quiet
        finally:
            writer.close()

    async def _silent(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            writer.close()

    async def _start(self) -> None:
        self._servers = [
            await asyncio.start_server(self._handle, "127.0.0.1", 0),
            await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self._server_context()),
            await asyncio.start_server(self._silent, "127.0.0.1", 0),
        ]
        self.http_port, self.tls_port, self.silent_port = (s.sockets[0].getsockname()[1] for s in self._servers)

    async def _stop(self) -> None:
        for server in self._servers:
            server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> LocalWeb:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    # --- what clients use --------------------------------------------------------------------
    def route_lines(self) -> list[str]:
        return [
            f"refused.{ZONE}::127.0.0.1:{self.refused_port}",
            f"silent.{ZONE}::127.0.0.1:{self.silent_port}",
            f"blocked.{ZONE}::10.255.0.1:",
            f"*.{ZONE}:80:127.0.0.1:{self.http_port}",
            f"*.{ZONE}:443:127.0.0.1:{self.tls_port}",
            f"!*.{ZONE}",
            "!*.hilang.test",
        ]

    def policy(self) -> NetworkPolicy:
        return NetworkPolicy.from_lines(self.route_lines(), ["127.0.0.0/8"])

    def env(self) -> dict[str, str]:
        return {"SPBE_CONNECT_TO": ",".join(self.route_lines()), "SPBE_ALLOWED_NETWORKS": "127.0.0.0/8"}


def quick_settings(**overrides: Any) -> MonitorSettings:
    """Short timeouts and delays; no alert channel unless a test adds one."""
    base = dict(
        concurrency=8,
        per_host=2,
        connect_timeout=1.0,
        read_timeout=1.0,
        total_timeout=3.0,
        confirm_attempts=3,
        confirm_failures=2,
        confirm_delay=0.05,
        close_after=2,
        write_batch=3,
    )
    base.update(overrides)
    return MonitorSettings.from_env({}, **base)


def seed_sites(engine: Any, sites: list[tuple[str, str, str]], pemda: str = "18.71") -> dict[str, int]:
    """Create the pemda, one unit per site and the websites; ``(label, kind, url)`` -> website id.

    ``kind`` ``portal`` makes a portal website of the pemda unit itself.
    """
    ids: dict[str, int] = {}
    with Session(engine) as session:
        if session.get(Unit, pemda) is None:
            session.add(Unit(code=pemda, name="Kota Bandar Lampung", kind="pemda", pemda_code=pemda))
        for label, kind, url in sites:
            unit_code = pemda if kind == "portal" else f"{pemda}/{label}"
            if kind != "portal":
                session.add(Unit(code=unit_code, name=f"Unit {label}", kind=kind, parent_code=pemda, pemda_code=pemda))
            website = Website(
                unit_code=unit_code, url=url, host=url.split("/")[2].split(":")[0], role="portal" if kind == "portal" else "unit"
            )
            session.add(website)
            session.flush()
            ids[label] = int(website.id)  # type: ignore[arg-type]
        session.commit()
    return ids
