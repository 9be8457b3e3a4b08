"""A synthetic multi-site web for benchmarks: any host name ``site-<n>.bench.go.id`` answers with a
small unit site (home + 6 linked pages with dates, or as many as asked), generated per request, on one
local port.

:class:`PemdaWeb` is the same web as a real pemda looks: HTTPS with a real certificate (a local CA,
``*.ok.bench.go.id``) for thousands of distinct host names, plus hosts that refuse connections and
hosts that accept and never answer; names under ``nx.bench.go.id`` (and discovery's guesses) do not
resolve (a private zone of the network policy)."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGES = ("profil", "struktur-organisasi", "kontak", "layanan", "berita", "ppid")


def menu(pages: int) -> tuple[str, ...]:
    """The paths a site links to when it has ``pages`` pages (its homepage included)."""
    links = max(0, pages - 1)
    news = tuple(f"berita/{n}" for n in range(1, links - len(PAGES) + 1))  # empty when PAGES suffice
    return (PAGES + news)[:links]


def page(host: str, path: str, paths: tuple[str, ...] = PAGES) -> bytes:
    name = host.split(".")[0]
    links = "".join(f'<li><a href="/{p}">{p.replace("-", " ").title()}</a></li>' for p in paths)
    day = date.today() - timedelta(days=len(path) % 40)
    body = (
        f'<!doctype html><html lang="id"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{path.strip("/") or "Beranda"} - Kelurahan {name}</title></head>'
        f"<body><h1>Kelurahan {name}</h1><nav><ul>{links}</ul></nav>"
        f'<article><time datetime="{day.isoformat()}">{day:%d-%m-%Y}</time>'
        f"<p>{'Pelayanan administrasi kependudukan dan informasi publik kelurahan. ' * 40}</p></article>"
        f'<footer>Alamat: Jl. Contoh No. 1. <a href="https://www.lapor.go.id">SP4N-LAPOR!</a></footer></body></html>'
    )
    return body.encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Each response is written in two sends (headers, body); with Nagle on, the second waited for the
    # client's delayed ACK (~40 ms) on every kept-alive request, and both spiders measured that wait.
    disable_nagle_algorithm = True
    latency = 0.0  # seconds each answer waits, as a network round trip would (MultiSiteWeb(latency=...))
    paths = PAGES  # the menu of every page (MultiSiteWeb(pages=...))

    def do_GET(self) -> None:  # noqa: N802
        if self.latency:
            time.sleep(self.latency)
        if self.path == "/robots.txt":
            body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
        else:
            body, ctype = page(self.headers.get("Host", "x").split(":")[0], self.path, self.paths), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


class BenchServer(ThreadingHTTPServer):
    # The standard library's backlog of 5 overflows when a crawler opens many connections at once:
    # the kernel drops the excess handshakes, the client retries them a second later, and the
    # benchmark measures that idle second (the same cap as the kernel's somaxconn default).
    request_queue_size = 4096
    daemon_threads = True


class MultiSiteWeb:
    """The plain web: sites of ``pages`` pages (home + a menu of the others on every page); ``latency``
    (seconds) delays every answer like a distant server."""

    def __init__(self, latency: float = 0.0, pages: int = 1 + len(PAGES)) -> None:
        handler = type("_Handler", (_Handler,), {"latency": latency, "paths": menu(pages)})
        self.server = BenchServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self) -> MultiSiteWeb:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class PemdaWeb:
    """HTTPS unit sites, a refusing port and a silent port, with the connect-to routes to reach them."""

    def __init__(self, directory: str) -> None:
        import trustme

        self.ca = trustme.CA()
        cert = self.ca.issue_cert("*.ok.bench.go.id", "bench.go.id")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        self.ca_file = f"{directory}/ca.pem"
        self.ca.cert_pem.write_to_path(self.ca_file)
        self.https = BenchServer(("127.0.0.1", 0), _Handler)
        self.https.socket = context.wrap_socket(self.https.socket, server_side=True, do_handshake_on_connect=False)
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        self.refused_port = closed.getsockname()[1]
        closed.close()  # nothing listens there: connections are refused
        self.silent = socket.socket()
        self.silent.bind(("127.0.0.1", 0))
        self.silent.listen(4096)  # accepted by the kernel, never answered: timeouts
        self.threads = [threading.Thread(target=self.https.serve_forever, daemon=True)]

    def routes(self) -> str:
        tls = self.https.server_address[1]
        silent = self.silent.getsockname()[1]
        return ",".join(
            [
                f"*.ok.bench.go.id:443:127.0.0.1:{tls}",
                f"bench.go.id:443:127.0.0.1:{tls}",
                f"*.refused.bench.go.id::127.0.0.1:{self.refused_port}",
                f"*.slow.bench.go.id::127.0.0.1:{silent}",
                "!*.bench.go.id",
            ]
        )

    def __enter__(self) -> PemdaWeb:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.https.shutdown()
        self.https.server_close()
        self.silent.close()
