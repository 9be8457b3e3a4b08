"""A hostile web server on 127.0.0.1 and a small pemda registry whose sites live on it.

The server answers by ``Host``: ``tanpa-akhir.uji.test`` streams a chunked body that never ends (as
fast as the client reads), ``menetes.uji.test`` sends its headers and then one byte now and then,
anything else gets a small page. ``/robots.txt`` is 404 everywhere. Every other name is in a private
zone (NXDOMAIN), so a survey against it never asks the real DNS.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

from spbe_crawler.registry.csv_import import import_registry_csv
from spbe_crawler.registry.pemda_sites import load_bundled
from spbe_crawler.store.db import session_scope

ENDLESS = "tanpa-akhir.uji.test"
DRIP = "menetes.uji.test"
PEMDA = "18.71"


class HostileServer:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self.endless_bytes = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    data = conn.recv(4096)
                    if not data:
                        return
                    head += data
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1] if " " in lines[0] else "/"
                host = next((x.split(":", 1)[1].strip().split(":")[0] for x in lines[1:] if x.lower().startswith("host:")), "")
                if path == "/robots.txt":
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                elif host == ENDLESS:
                    self._endless(conn)
                elif host == DRIP:
                    self._drip(conn)
                else:
                    body = b"<html><head><title>Uji</title></head><body><p>Halaman uji.</p></body></html>"
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: "
                        + str(len(body)).encode()
                        + b"\r\n\r\n"
                        + body
                    )
            except OSError:
                return

    def _endless(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        conn.sendall(b"6\r\n<html>\r\n")
        while not self.stopped.is_set():
            conn.sendall(frame)
            self.endless_bytes += len(chunk)

    def _drip(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
        while not self.stopped.is_set():
            time.sleep(0.5)
            conn.sendall(b" ")

    def env(self, home: Path, **extra: str) -> dict[str, str]:
        routes = [f"{ENDLESS}:80:127.0.0.1:{self.port}", f"{DRIP}:80:127.0.0.1:{self.port}", "!*"]
        base = {k: v for k, v in os.environ.items() if not k.startswith("SPBE_")}
        return {
            **base,
            "SPBE_HOME": str(home),
            "SPBE_CONNECT_TO": ",".join(routes),
            "SPBE_ALLOWED_NETWORKS": "127.0.0.0/8",
            "SPBE_DISCOVERY": "0",
            "SPBE_CLOAK_CHECK": "0",
            "SPBE_AUTOTHROTTLE": "0",
            "SPBE_RETRY_TIMES": "0",
            "SPBE_HTTP_RETRY_TIMES": "0",
            **extra,
        }

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()


def hostile_registry(home: Path, sites: dict[str, str]) -> None:
    """The pemda's bundled registry plus one OPD per ``slug → url`` on the hostile server (in the store of ``home``)."""
    registry = home / "registri-uji.csv"
    lines = ["code,name,kind,parent_code,website"]
    lines += [f"{PEMDA}/{slug},Dinas Uji {slug.title()},opd,{PEMDA},{url}" for slug, url in sites.items()]
    registry.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with session_scope(f"sqlite:///{home / 'spbe.sqlite3'}") as session:
        load_bundled(session, PEMDA)
        report = import_registry_csv(session, registry)
    assert not report.errors, report.errors
