"""Demo web throughput and start-up, as ratios against a bare ``http.server`` measured in the same run.

    python bench/bench_demo.py [--requests 2000] [--threads 4]

Targets (brief): start < 2 s, hundreds of requests per second for generated pages.
"""

from __future__ import annotations

import argparse
import http.client
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spbe_crawler.demo.server import DemoWeb  # noqa: E402

PAGE = b"<html><body>" + b"x" * 8000 + b"</body></html>"


class _Baseline(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        """Silent."""


def _rate(port: int, host: str, path: str, requests: int, threads: int) -> float:
    """Requests per second over keep-alive connections, one per client thread."""

    def worker(count: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(count):
            conn.request("GET", path, headers={"Host": host})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
        conn.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, [requests // threads] * threads))
    return (requests // threads * threads) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    baseline = ThreadingHTTPServer(("127.0.0.1", 0), _Baseline)
    threading.Thread(target=baseline.serve_forever, daemon=True).start()
    baseline_start = time.perf_counter() - started
    base_rate = _rate(baseline.server_address[1], "baseline", "/", args.requests, args.threads)
    baseline.shutdown()
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        with DemoWeb(directory) as web:
            demo_start = time.perf_counter() - started
            home = _rate(web.http_port, "dinkes.bandarlampungkota.go.id", "/", args.requests, args.threads)
            news = _rate(web.http_port, "bandarlampungkota.go.id", "/berita", args.requests, args.threads)
    print(f"baseline http.server: start {baseline_start * 1000:.1f} ms, {base_rate:.0f} req/s")
    print(f"demo start-up: {demo_start * 1000:.0f} ms (target < 2000 ms)")
    print(f"demo OPD home page: {home:.0f} req/s = {home / base_rate:.2f} x baseline")
    print(f"demo portal /berita: {news:.0f} req/s = {news / base_rate:.2f} x baseline")


if __name__ == "__main__":
    main()
