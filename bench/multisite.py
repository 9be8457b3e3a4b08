"""A synthetic multi-site web for benchmarks: any host name ``site-<n>.bench.go.id`` answers with a
small unit site (home + 6 linked pages with dates), generated per request, on one local port."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGES = ("profil", "struktur-organisasi", "kontak", "layanan", "berita", "ppid")


def page(host: str, path: str) -> bytes:
    name = host.split(".")[0]
    links = "".join(f'<li><a href="/{p}">{p.replace("-", " ").title()}</a></li>' for p in PAGES)
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

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/robots.txt":
            body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
        else:
            body, ctype = page(self.headers.get("Host", "x").split(":")[0], self.path), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


class MultiSiteWeb:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
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
