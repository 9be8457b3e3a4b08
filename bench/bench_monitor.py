"""Probe sweeps against a local server with many host names, against a plain httpx baseline.

1. Throughput: a full ``run_sweep`` (policy transport, connect-to routes, N-of-M, incidents, SQLite
   writes) over ``--throughput`` distinct host names, versus a plain ``httpx.AsyncClient`` loop
   with the same concurrency sending the same requests to 127.0.0.1 with those ``Host`` headers.
   The server closes every connection, as distinct real hosts would. Printed as a ratio.
2. Scale: a sweep of ``--targets`` websites of which 10 % accept and never answer (short
   timeouts), with its wall time and the peak resident memory of this process.

The server runs in a child process so it does not share this process's CPU time.

    python bench/bench_monitor.py [--throughput 3000] [--targets 100000] [--concurrency 200]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from spbe_crawler.monitor.settings import MonitorSettings  # noqa: E402
from spbe_crawler.monitor.sweep import run_sweep  # noqa: E402
from spbe_crawler.net.policy import NetworkPolicy  # noqa: E402
from spbe_crawler.store.db import get_engine  # noqa: E402
from spbe_crawler.store.models import Unit, Website  # noqa: E402

BODY = b"<html><body>Selamat datang di situs resmi</body></html>"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)


class _Answer(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport, self.buffer = transport, b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if b"\r\n\r\n" in self.buffer:
            self.transport.write(RESPONSE)  # type: ignore[attr-defined]
            self.transport.close()


class _Silent(asyncio.Protocol):
    """Accepts and never answers."""


def _serve(ports: multiprocessing.Queue) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        answer = await loop.create_server(_Answer, "127.0.0.1", 0, backlog=4096)
        silent = await loop.create_server(_Silent, "127.0.0.1", 0, backlog=4096)
        ports.put((answer.sockets[0].getsockname()[1], silent.sockets[0].getsockname()[1]))
        await asyncio.Event().wait()

    asyncio.run(main())


def start_server() -> tuple[multiprocessing.Process, int, int]:
    ports: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    process.start()
    answer, silent = ports.get(timeout=10)
    return process, answer, silent


def seed(url: str, count: int, silent_every: int = 0) -> None:
    """One pemda unit with ``count`` websites; every ``silent_every``-th one lives on the silent server."""
    engine = get_engine(url)
    with engine.begin() as connection:
        connection.execute(
            insert(Unit), [{"code": "99.01", "name": "Kabupaten Bench", "kind": "pemda", "pemda_code": "99.01", "source": "bench"}]
        )
        rows = []
        for i in range(count):
            zone = "diam.bench.test" if silent_every and i % silent_every == 0 else "bench.test"
            host = f"situs{i}.{zone}"
            rows.append(
                {
                    "unit_code": "99.01",
                    "url": f"http://{host}/",
                    "host": host,
                    "state": "declared",
                    "role": "unit",
                    "source": "bench",
                    "confidence": 1.0,
                }
            )
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(Website), rows[start : start + 10_000])


def policy(answer: int, silent: int) -> NetworkPolicy:
    return NetworkPolicy.from_lines([f"*.diam.bench.test::127.0.0.1:{silent}", f"*.bench.test::127.0.0.1:{answer}"], ["127.0.0.0/8"])


async def plain_loop(port: int, count: int, concurrency: int) -> float:
    """Baseline: plain httpx, same concurrency, same requests (distinct Host headers)."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=min(concurrency, 20))
    async with httpx.AsyncClient(limits=limits, timeout=10, trust_env=False) as client:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                response = await client.get(f"http://127.0.0.1:{port}/", headers={"Host": f"situs{i}.bench.test"})
                assert response.status_code == 200

        start = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        return time.perf_counter() - start


def settings(concurrency: int, **extra: object) -> MonitorSettings:
    return MonitorSettings.from_env({}, concurrency=concurrency, per_host=2, tls_inspect=False, **extra)


def _timed_sweep(url: str, answer: int, silent: int, count: int, concurrency: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one sweep over a freshly seeded database."""
    seed(url, count)
    engine = get_engine(url)
    wall, cpu = time.perf_counter(), time.process_time()
    summary = asyncio.run(run_sweep(engine, "99.01", settings=settings(concurrency), policy=policy(answer, silent), notifiers=[]))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert summary.up == count, summary
    return wall, cpu


def _timed_plain(answer: int, count: int, concurrency: int) -> tuple[float, float]:
    cpu = time.process_time()
    wall = asyncio.run(plain_loop(answer, count, concurrency))
    return wall, time.process_time() - cpu


def throughput(tmp: Path, answer: int, silent: int, count: int, concurrency: int, rounds: int) -> None:
    """Alternate baseline and sweep ``rounds`` times; the best round of each is compared."""
    asyncio.run(plain_loop(answer, min(count, 200), concurrency))  # warm-up of both sides
    plain, sweep = [], []
    for i in range(rounds):
        plain.append(_timed_plain(answer, count, concurrency))
        sweep.append(_timed_sweep(f"sqlite:///{tmp / f'throughput-{i}.sqlite3'}", answer, silent, count, concurrency))
    base_wall, base_cpu = min(w for w, _ in plain), min(c for _, c in plain)
    sweep_wall, sweep_cpu = min(w for w, _ in sweep), min(c for _, c in sweep)
    print(f"targets, concurrency, rounds  : {count}, {concurrency}, {rounds} (best round of each)")
    print(f"plain httpx loop (baseline)   : {count / base_wall:8.0f} probes/s   (1.00x)   CPU {1e3 * base_cpu / count:.2f} ms/probe")
    print(
        f"run_sweep (policy, DB writes) : {count / sweep_wall:8.0f} probes/s   ({base_wall / sweep_wall:.2f}x baseline)"
        f"   CPU {1e3 * sweep_cpu / count:.2f} ms/probe ({base_cpu / sweep_cpu:.2f}x)"
    )


def peak_rss_kib() -> int:
    """Peak resident memory of this process image: VmHWM (Linux; reset by exec), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _scale_child(url: str, answer: int, silent: int, concurrency: int, out: multiprocessing.Queue) -> None:
    """Runs in a fresh interpreter (spawn) so the peak is the sweep's own, not the parent's."""
    engine = get_engine(url)
    rss_before = peak_rss_kib()
    quick = settings(concurrency, connect_timeout=1.0, read_timeout=0.5, total_timeout=1.0, confirm_delay=0.2)
    start = time.perf_counter()
    summary = asyncio.run(run_sweep(engine, "99.01", settings=quick, policy=policy(answer, silent), notifiers=[]))
    elapsed = time.perf_counter() - start
    out.put((summary.targets, summary.up, summary.down, summary.incidents_opened, elapsed, rss_before, peak_rss_kib()))


def scale(tmp: Path, answer: int, silent: int, count: int, concurrency: int) -> None:
    url = f"sqlite:///{tmp / 'scale.sqlite3'}"
    seed(url, count, silent_every=10)
    out: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(target=_scale_child, args=(url, answer, silent, concurrency, out))
    child.start()
    targets, up, down, incidents, elapsed, rss_before, rss_peak = out.get()
    child.join()
    print(f"targets (10 % never answer)   : {targets} ({up} up, {down} down, {incidents} incidents), concurrency {concurrency}")
    print(f"sweep wall time               : {elapsed:8.1f} s   ({targets / elapsed:.0f} targets/s)")
    print(f"peak RSS of the sweep process : {rss_peak / 1024:8.1f} MiB (after imports, before the sweep: {rss_before / 1024:.1f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--throughput", type=int, default=3000, help="targets of the throughput comparison")
    parser.add_argument("--targets", type=int, default=100_000, help="targets of the scale sweep (0: skip)")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the throughput comparison")
    args = parser.parse_args()
    server, answer, silent = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            throughput(Path(tmp), answer, silent, args.throughput, args.concurrency, args.rounds)
            if args.targets:
                scale(Path(tmp), answer, silent, args.targets, args.concurrency)
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
