"""The demo's HTTP and HTTPS servers: threads, keep-alive, Host-header dispatch to ``DemoApp``.

Silent by design (no access log, no tracebacks for clients that hang up): the demo logs nothing.
"""

from __future__ import annotations

import socket
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from spbe_crawler.demo.messages import Request, Response, html
from spbe_crawler.demo.sites import DemoApp
from spbe_crawler.demo.tls import DemoTLS

MAX_REQUEST_BODY = 1024 * 1024
_WRITE_ERRORS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, ssl.SSLError, socket.timeout)


class DemoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 30  # idle keep-alive connections are closed after this many seconds
    server: DemoHTTPServer  # the server that made this handler

    def setup(self) -> None:
        # Headers and body go out in separate writes: without NODELAY, Nagle + delayed ACK add 40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BODY:
            self.close_connection = True
        else:
            self.rfile.read(length)
        self._serve(send_body=True)

    def _request(self) -> Request:
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute form, as sent to a proxy
            parts = urlsplit(target)
            host, target = parts.hostname or "", parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            host = _host_of(self.headers.get("Host") or "")
        path, _, query = (target or "/").partition("?")
        headers = {name.lower(): value for name, value in self.headers.items()}
        return Request(self.command, self.server.scheme, host.lower().rstrip("."), path or "/", query, headers)

    def _serve(self, send_body: bool) -> None:
        try:
            response = self.server.app.respond(self._request())
        except Exception:  # a demo bug must not kill the connection thread silently
            response = html(500, '<!DOCTYPE html><html lang="id"><title>Galat</title><p>Galat internal web demo.</p></html>')
        try:
            self._write(response, send_body)
        except _WRITE_ERRORS:
            self.close_connection = True

    def _write(self, response: Response, send_body: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(response.content_length))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if not send_body:
            return
        if isinstance(response.body, bytes):
            self.wfile.write(response.body)
            return
        for chunk in response.body:
            self.wfile.write(chunk)

    def log_message(self, format: str, *args: object) -> None:
        """No access log: the demo must stay silent."""


def _host_of(value: str) -> str:
    """The name of a Host header value (``name``, ``name:port``, ``[v6]:port``)."""
    value = value.strip()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else ""
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: DemoApp, scheme: str = "http"):
        self.app = app
        self.scheme = scheme
        super().__init__(address, DemoHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up or sends garbage is normal here; never print a traceback."""


class DemoHTTPSServer(DemoHTTPServer):
    """TLS is negotiated in the connection's own thread, so a stuck handshake blocks nobody."""

    def __init__(self, address: tuple[str, int], app: DemoApp, tls: DemoTLS):
        self.tls = tls
        super().__init__(address, app, "https")

    def finish_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]  # TCP: always a socket
        try:
            request.settimeout(DemoHandler.timeout)
            conn = self.tls.server_context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return  # e.g. a client that rejects the expired certificate
        try:
            self.RequestHandlerClass(conn, client_address, self)  # type: ignore[arg-type]
        finally:
            conn.close()
