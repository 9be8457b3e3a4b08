"""Probe sweeps with the default N-of-M confirmation against a plain httpx loop, on a local web with
broken and slow hosts (loopback only, bounded).

The web (a child process, so it does not share this process's CPU time) answers each host name by
its class: ``ok`` after 20–80 ms, ``lambat`` (slow) after 1.5 s, ``tolak`` refuses the connection,
``diam`` accepts and never answers. The mix: 80 % ok, 10 % slow, 5 % refused, 5 % silent.

1. Comparison (``--targets``, ``--concurrency``): a plain ``httpx.AsyncClient`` loop (same
   concurrency, same timeouts, redirects followed, one request per target) against ``run_sweep``
   with the default confirmation (2 of 3, 5 s apart), its policy transport, incidents and SQLite
   writes: the first sweep of a fresh database (each new failure is left "menunggu konfirmasi"),
   the confirmation round ``spbe monitor run`` starts once the delay has passed (it opens the
   incidents), the next sweep (steady state: sites with an open incident are not re-probed), and,
   on a second fresh database, a sweep that waits for its own confirmations
   (``--tunggu-konfirmasi``). Printed as ratios.
2. Scale (``--scale`` targets, ``--scale-concurrency``): the national case, two sweeps in a fresh
   process: wall time, targets/s and peak memory, against the 5-minute portal interval.

    python bench/bench_monitor.py [--targets 3000] [--concurrency 100] [--scale 110000] [--scale-concurrency 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import socket
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
from spbe_crawler.store.models import Unit, Website, utcnow  # noqa: E402
from spbe_crawler.store.monitor_queries import next_pending_due  # noqa: E402

BODY = b"<html><body>Selamat datang di situs resmi</body></html>"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
SLOW_SECONDS = 1.5
BUDGET_SECONDS = 300  # the portal sweep interval


def host_class(i: int) -> str:
    """80 % ok, 10 % slow, 5 % refused, 5 % silent, spread over the id range."""
    slot = (i * 7919) % 100
    return "lambat" if slot < 10 else "tolak" if slot < 15 else "diam" if slot < 20 else "ok"


def host_name(i: int) -> str:
    return f"s{i}.{host_class(i)}.bench.test"


class _Answer(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport, self.buffer = transport, b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if b"\r\n\r\n" not in self.buffer:
            return
        host = next((line.split(b":", 1)[1].strip() for line in self.buffer.split(b"\r\n") if line.lower().startswith(b"host:")), b"")
        label = host.split(b".")[0][1:]
        delay = SLOW_SECONDS if b".lambat." in host else 0.020 + (int(label or b"0") % 61) / 1000
        asyncio.get_running_loop().call_later(delay, self._reply)
        self.buffer = b""

    def _reply(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(RESPONSE)  # type: ignore[attr-defined]
            self.transport.close()


class _Silent(asyncio.Protocol):
    """Accepts and never answers."""


def _serve(ports: multiprocessing.Queue) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        answer = await loop.create_server(_Answer, "127.0.0.1", 0, backlog=8192)
        silent = await loop.create_server(_Silent, "127.0.0.1", 0, backlog=8192)
        ports.put((answer.sockets[0].getsockname()[1], silent.sockets[0].getsockname()[1]))
        await asyncio.Event().wait()

    asyncio.run(main())


class Web:
    """The local web: answer and silent servers in a child process, and a refused port."""

    def __enter__(self) -> Web:
        ports: multiprocessing.Queue = multiprocessing.Queue()
        self.process = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
        self.process.start()
        self.answer, self.silent = ports.get(timeout=20)
        self._closed = socket.socket()  # bound, never listening: connections are refused
        self._closed.bind(("127.0.0.1", 0))
        self.refused = self._closed.getsockname()[1]
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.process.terminate()
        self._closed.close()

    def port_of(self, i: int) -> int:
        return {"diam": self.silent, "tolak": self.refused}.get(host_class(i), self.answer)

    def policy(self) -> NetworkPolicy:
        lines = [
            f"*.diam.bench.test::127.0.0.1:{self.silent}",
            f"*.tolak.bench.test::127.0.0.1:{self.refused}",
            f"*.bench.test::127.0.0.1:{self.answer}",
        ]
        return NetworkPolicy.from_lines(lines, ["127.0.0.0/8"])


def seed(url: str, count: int) -> None:
    """One pemda unit with ``count`` websites of the mixed classes."""
    engine = get_engine(url)
    with engine.begin() as connection:
        connection.execute(
            insert(Unit), [{"code": "99.01", "name": "Kabupaten Bench", "kind": "pemda", "pemda_code": "99.01", "source": "bench"}]
        )
        rows = [
            {
                "unit_code": "99.01",
                "url": f"http://{host_name(i)}/",
                "host": host_name(i),
                "state": "declared",
                "role": "unit",
                "source": "bench",
            }
            for i in range(count)
        ]
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(Website), rows[start : start + 10_000])


def settings(concurrency: int) -> MonitorSettings:
    """Default confirmation (SPBE_MONITOR_CONFIRM_*); 5 s timeouts on both sides; no TLS here."""
    return MonitorSettings.from_env(
        {}, concurrency=concurrency, connect_timeout=5.0, read_timeout=5.0, total_timeout=10.0, tls_inspect=False
    )


async def plain_loop(web: Web, count: int, concurrency: int) -> tuple[float, int]:
    """Baseline: plain httpx, same concurrency and timeouts, one request per target; (seconds, failures)."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    failures = 0
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=min(concurrency, 20))
    timeout = httpx.Timeout(5.0, connect=5.0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout, trust_env=False, follow_redirects=True) as client:

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                i = queue.get_nowait()
                try:
                    async with asyncio.timeout(10):
                        response = await client.get(f"http://127.0.0.1:{web.port_of(i)}/", headers={"Host": host_name(i)})
                    failures += response.status_code >= 400
                except (httpx.HTTPError, TimeoutError):
                    failures += 1

        start = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        return time.perf_counter() - start, failures


def _timed_sweep(url: str, web: Web, concurrency: int, **options: bool) -> tuple[float, int, int, int]:
    """(wall seconds, targets down, still pending, incidents opened) of one sweep."""
    wall = time.perf_counter()
    engine = get_engine(url)
    summary = asyncio.run(run_sweep(engine, "99.01", settings=settings(concurrency), policy=web.policy(), notifiers=[], **options))
    return time.perf_counter() - wall, summary.down, summary.pending, summary.incidents_opened


def comparison(tmp: Path, web: Web, count: int, concurrency: int) -> None:
    asyncio.run(plain_loop(web, min(count, 200), concurrency))  # warm-up
    url, waiting_url = f"sqlite:///{tmp / 'comparison.sqlite3'}", f"sqlite:///{tmp / 'waiting.sqlite3'}"
    seed(url, count)
    seed(waiting_url, count)
    plain, failed = asyncio.run(plain_loop(web, count, concurrency))
    began = time.perf_counter()
    first, _, pending, _ = _timed_sweep(url, web, concurrency)
    due = next_pending_due(get_engine(url), "99.01")
    if due is not None:  # the scheduler's confirmation round starts when the first attempt is due
        time.sleep(max(0.0, (due - utcnow()).total_seconds()))
    round_, down1, left, opened = _timed_sweep(url, web, concurrency, only_pending=True)
    confirmed_after = time.perf_counter() - began
    second, down2, _, _ = _timed_sweep(url, web, concurrency)
    waiting, down3, _, opened3 = _timed_sweep(waiting_url, web, concurrency, until_confirmed=True)
    plain_again, _ = asyncio.run(plain_loop(web, count, concurrency))
    base = min(plain, plain_again)
    print(f"targets, concurrency           : {count}, {concurrency} (80 % ok 20-80 ms, 10 % slow 1.5 s, 5 % refused, 5 % silent)")
    print(f"plain httpx loop (baseline)    : {base:6.1f} s  (1.00x)  {failed} failed  [runs: {plain:.1f} s, {plain_again:.1f} s]")
    print(
        f"sweep, fresh database          : {first:6.1f} s  ({base / first:.2f}x)  {pending} new failures left pending (2 of 3, 5 s apart)"
    )
    print(
        f"  its confirmation round       : {round_:6.1f} s  {down1} down, {opened} incidents, {left} still pending; "
        f"every verdict {confirmed_after:.1f} s after the sweep began"
    )
    print(f"sweep, steady state (next one) : {second:6.1f} s  ({base / second:.2f}x)  {down2} down (open incidents: no re-probe)")
    print(f"sweep --tunggu-konfirmasi, new : {waiting:6.1f} s  ({base / waiting:.2f}x)  {down3} down, {opened3} incidents")


def peak_rss_kib() -> int:
    """Peak resident memory of this process image: VmHWM (Linux; reset by exec), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _scale_child(url: str, ports: tuple[int, int, int], concurrency: int, out: multiprocessing.Queue) -> None:
    """Runs in a fresh interpreter (spawn) so the peak is the sweep's own, not the parent's."""
    web = Web.__new__(Web)
    web.answer, web.silent, web.refused = ports
    rss_before = peak_rss_kib()
    results = []
    for _ in range(2):
        cpu = time.process_time()
        wall, down, pending, opened = _timed_sweep(url, web, concurrency)
        results.append((wall, time.process_time() - cpu, down + pending, opened))
    out.put((results, rss_before, peak_rss_kib()))


def scale(tmp: Path, web: Web, count: int, concurrency: int) -> None:
    url = f"sqlite:///{tmp / 'scale.sqlite3'}"
    seed(url, count)
    context = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = context.Queue()
    child = context.Process(target=_scale_child, args=(url, (web.answer, web.silent, web.refused), concurrency, out))
    child.start()
    results, rss_before, rss_peak = out.get()
    child.join()
    print(f"scale: {count} targets, concurrency {concurrency}, same mix, default confirmation")
    for name, (wall, cpu, down, opened) in zip(("fresh database", "steady state"), results, strict=True):
        verdict = "within" if wall <= BUDGET_SECONDS else "OVER"
        print(
            f"  sweep, {name:15s}: {wall:7.1f} s ({count / wall:5.0f} targets/s, CPU {cpu:.0f} s), {down} failed, "
            f"{opened} incidents; {verdict} the {BUDGET_SECONDS} s portal interval"
        )
    print(f"  peak RSS of the sweep process: {rss_peak / 1024:.1f} MiB (after imports: {rss_before / 1024:.1f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=3000, help="targets of the comparison")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--scale", type=int, default=110_000, help="targets of the scale sweeps (0: skip)")
    parser.add_argument("--scale-concurrency", type=int, default=1000)
    args = parser.parse_args()
    with Web() as web, tempfile.TemporaryDirectory() as tmp:
        if args.targets:
            comparison(Path(tmp), web, args.targets, args.concurrency)
        if args.scale:
            scale(Path(tmp), web, args.scale, args.scale_concurrency)


if __name__ == "__main__":
    main()
