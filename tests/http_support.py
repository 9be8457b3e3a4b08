"""A whole answer of a test web server (``http.server`` handlers), in one call."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

HTML = {"Content-Type": "text/html; charset=utf-8"}


def answer(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    """Status, ``headers``, Content-Length and ``body``."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
