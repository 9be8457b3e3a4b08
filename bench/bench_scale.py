"""Benchmark of the cluster (issue #11): ``spbe worker`` processes sharing one Redis queue and one store.

A synthetic web of unit sites (``bench/multisite.py``: home + 6 linked pages each) answers for any
host name; the hosts are spread over a few loopback addresses (127.0.0.1-4, one server process each:
many hosts on few IPs, as many OPD sites share one Diskominfo server). The registry gets ``--sites``
unit sites (one kelurahan each) in pemda of ``--per-pemda`` sites; all pemda are queued, so the
workers share the units of every pemda. For each worker count the same registry is surveyed as a new
batch for ``--seconds`` after a warm-up: the script prints pages/s over that window, the ratio against
one worker measured in the same run, and each worker's peak RSS. Then the Redis memory of 100,000
queued requests (the scrapy-redis frontier) and of 100,000 queued unit jobs, and a national projection.

Run: ``python bench/bench_scale.py [--sites 20000] [--workers 1 2 4] [--seconds 120] [--postgres URL]``
with Redis at ``SPBE_BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/13). Without ``--postgres`` the
workers share one SQLite file. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DOMAIN = "bench.go.id"
ADDRESSES = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")


def pemda_codes(sites: int, per_pemda: int) -> list[str]:
    return [f"99.{n + 1:02d}" for n in range((sites + per_pemda - 1) // per_pemda)]


def make_registry(url: str, sites: int, per_pemda: int) -> None:
    from sqlmodel import Session

    from spbe_crawler.store.db import get_engine
    from spbe_crawler.store.models import Unit, Website

    with Session(get_engine(url)) as session:
        for n, pemda in enumerate(pemda_codes(sites, per_pemda)):
            session.add(Unit(code=pemda, name=f"Kota Bench {n}", kind="pemda", pemda_code=pemda, source="bench"))
            session.add(Unit(code=f"{pemda}.01", name="Bench", kind="kecamatan", parent_code=pemda, pemda_code=pemda, source="bench"))
            count = min(per_pemda, sites - n * per_pemda)
            for i in range(count):
                code = f"{pemda}.01.{1000 + i}"
                host = f"site-{i}.p{n}.{DOMAIN}"
                session.add(
                    Unit(code=code, name=f"Situs {i}", kind="kelurahan", parent_code=f"{pemda}.01", pemda_code=pemda, source="bench")
                )
                session.add(Website(unit_code=code, url=f"http://{host}/", host=host))
            session.commit()


def worker_env(home: Path, db_url: str, redis_url: str, prefix: str, routes: list[str]) -> dict[str, str]:
    from spbe_crawler.demo.profile import CRAWL_ENV

    return {
        **os.environ,
        **CRAWL_ENV,
        "SPBE_HOME": str(home),
        "SPBE_DATABASE_URL": db_url,
        "SPBE_REDIS_URL": redis_url,
        "SPBE_REDIS_PREFIX": prefix,
        "SPBE_CONCURRENT_REQUESTS_PER_IP": "16",
        "SPBE_CLUSTER_PER_IP": "16",
        "SPBE_CONNECT_TO": ",".join([*routes, "!*"]),  # every other name (discovery guesses) is unknown locally
        "SPBE_ALLOWED_NETWORKS": "127.0.0.0/8",
        "SPBE_PROGRESS": "0",
        "SPBE_LOG_LEVEL": "ERROR",
    }


def run_config(workers: int, args: argparse.Namespace, env: dict[str, str], db_url: str, redis_url: str) -> dict[str, Any]:
    """Survey the registry as a new batch with ``workers`` processes; pages/s over the measured window."""
    from sqlalchemy import create_engine, text

    from spbe_crawler.cluster.queue import JobQueue, connect

    prefix = f"bench-{uuid.uuid4().hex[:6]}"
    queue = JobQueue(connect(redis_url), prefix)
    queue.enqueue(pemda_codes(args.sites, args.per_pemda), batch=prefix)
    engine = create_engine(db_url)
    count = text(
        "SELECT COUNT(*) FROM page JOIN crawlrun ON page.run_id = crawlrun.id WHERE CAST(crawlrun.options AS TEXT) LIKE :batch"
    ).bindparams(batch=f'%"batch": "{prefix}"%')

    def pages() -> int:
        with engine.connect() as connection:
            return int(connection.execute(count).scalar_one())

    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--child-worker"], env={**env, "SPBE_REDIS_PREFIX": prefix}, stdout=subprocess.PIPE, text=True
        )
        for _ in range(workers)
    ]
    time.sleep(args.warmup)
    first, started = pages(), time.perf_counter()
    time.sleep(args.seconds)
    last, elapsed = pages(), time.perf_counter() - started
    units_left = queue.client.llen(queue.lane_key("units"))
    for child in children:
        child.send_signal(signal.SIGTERM)  # a clean stop: held units go back to the queue
    results = [json.loads((child.communicate(timeout=120)[0] or "{}").strip().splitlines()[-1] or "{}") for child in children]
    engine.dispose()
    queue.clear()
    queue.client.close()
    return {
        "workers": workers,
        "pages": last - first,
        "seconds": elapsed,
        "pages_per_s": (last - first) / elapsed,
        "peak_rss_mb": [round(r.get("peak_rss_mb", 0)) for r in results],
        "units": [r.get("units", 0) for r in results],
        "units_left": units_left,
        "load": os.getloadavg()[0],
    }


def unit_jobs_memory(redis_url: str, count: int = 20_000) -> float:
    """MiB of Redis memory for 100,000 unit jobs queued (the units lane), from ``count`` measured."""
    from spbe_crawler.cluster.queue import UNIT, Job, connect

    server = connect(redis_url)
    key = f"bench-{uuid.uuid4().hex[:6]}:units"
    before = int(server.info("memory")["used_memory"])
    pipe = server.pipeline(transaction=False)
    for i in range(count):
        pipe.rpush(
            key, Job(f"99.{i // 500:02d}", "20261201-040000-abcdef", UNIT, 100 + i // 500, f"99.{i // 500:02d}.01.{1000 + i % 500}").dumps()
        )
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()
    after = int(server.info("memory")["used_memory"])
    server.delete(key)
    server.close()
    return (after - before) / 1024 / 1024 * (100_000 / count)


def frontier_memory(redis_url: str, count: int = 20_000) -> float:
    """MiB of Redis memory for ``count`` survey requests queued in a scrapy-redis frontier."""
    import scrapy

    from spbe_crawler.cluster.queue import connect
    from spbe_crawler.cluster.scheduler import LifoPriorityQueue
    from spbe_crawler.spiders.survey import SurveySpider

    spider = SurveySpider(pemda="99.01")
    server = connect(redis_url)
    raw = server.__class__.from_url(redis_url)  # bytes client: the frontier stores pickles
    key = f"bench-{uuid.uuid4().hex[:6]}:frontier:99.01"
    pipe = raw.pipeline(transaction=False)
    queue = LifoPriorityQueue(pipe, spider, key)  # the workers' own queue class and encoding, sent in batches
    before = int(server.info("memory")["used_memory"])
    for i in range(count):
        url = f"http://site-{i % 20000}.p{i % 40}.{DOMAIN}/berita/{i}?halaman={i % 7}"
        meta = {"site": i % 20000, "kind": "page", "depth": 1, "chain": [], "handle_httpstatus_all": True, "ua": None}
        queue.push(scrapy.Request(url, callback=spider._on_response, errback=spider._on_error, dont_filter=True, priority=9, meta=meta))
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()
    assert raw.zcard(key) == count
    after = int(server.info("memory")["used_memory"])
    raw.delete(key)
    return (after - before) / 1024 / 1024 * (100_000 / count)


def child_worker() -> None:
    from spbe_crawler.cluster.settings import ClusterSettings
    from spbe_crawler.cluster.worker import Worker

    knobs = ClusterSettings.from_env()
    worker = Worker(knobs.redis_url, knobs.redis_prefix, lease_seconds=30, overrides={"LOG_LEVEL": "ERROR"})
    report = worker.run()  # until SIGTERM
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": peak, "units": report.units}))


def child_web(address: str) -> None:
    from multisite import BenchServer, _Handler

    server = BenchServer((address, 0), _Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=20_000)
    parser.add_argument("--per-pemda", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=120.0, help="measured window per worker count")
    parser.add_argument("--warmup", type=float, default=25.0, help="seconds before the window (start-up, plan)")
    parser.add_argument("--postgres", help="an admin URL of a PostgreSQL server that may create databases")
    parser.add_argument("--child-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-web", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_worker:
        child_worker()
        return
    if args.child_web:
        child_web(args.child_web)
        return
    from sqlalchemy import create_engine, text

    redis_url = os.environ.get("SPBE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    webs = [
        # stderr: a crawler closing a keep-alive connection makes http.server print a traceback
        subprocess.Popen([sys.executable, __file__, "--child-web", a], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for a in ADDRESSES
    ]
    tmp = tempfile.TemporaryDirectory()
    home = Path(tmp.name)
    db_url, database, admin = f"sqlite:///{home / 'spbe.sqlite3'}", None, None
    try:
        if args.postgres:
            database = f"spbe_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{database}"'))
            db_url = args.postgres.rsplit("/", 1)[0] + f"/{database}"
        started = time.perf_counter()
        make_registry(db_url, args.sites, args.per_pemda)
        registry_s = time.perf_counter() - started
        ports = [int((web.stdout.readline() if web.stdout else "0").strip()) for web in webs]
        # pemda n's sites live on address n % 4: many host names, four servers
        routes = [f"*.p{n}.{DOMAIN}:80:{ADDRESSES[n % 4]}:{ports[n % 4]}" for n in range(len(pemda_codes(args.sites, args.per_pemda)))]
        env = worker_env(home, db_url, redis_url, "bench", routes)
        rows = [run_config(workers, args, env, db_url, redis_url) for workers in args.workers]
    finally:
        for web in webs:
            web.terminate()
            web.wait()
        if database and admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
        if os.environ.get("SPBE_BENCH_KEEP"):
            print(f"Folder kerja disimpan: {home}")
        else:
            tmp.cleanup()
    base = rows[0]["pages_per_s"] / rows[0]["workers"]
    pemda = len(pemda_codes(args.sites, args.per_pemda))
    print(f"{args.sites} situs unit dalam {pemda} pemda (registri dibuat dalam {registry_s:.0f} detik); web: {len(ADDRESSES)} alamat IP")
    print(f"jendela ukur {args.seconds:.0f} detik setelah pemanasan {args.warmup:.0f} detik; CPU: {os.cpu_count()} inti")
    print(f"{'pekerja':>7} {'halaman':>8} {'hlm/s':>7} {'× 1 pekerja':>11} {'unit diperiksa':>15} {'RSS puncak (MB)':>16} {'beban':>6}")
    for row in rows:
        ratio = row["pages_per_s"] / base
        print(
            f"{row['workers']:>7} {row['pages']:>8} {row['pages_per_s']:>7.1f} {ratio:>10.2f}× "
            f"{'+'.join(map(str, row['units'])):>15} {', '.join(map(str, row['peak_rss_mb'])):>16} {row['load']:>6.1f}"
        )
    memory = frontier_memory(redis_url)
    jobs = unit_jobs_memory(redis_url)
    print(f"Memori Redis per 100.000 permintaan dalam frontier scrapy-redis: {memory:.1f} MiB; per 100.000 pekerjaan unit: {jobs:.1f} MiB")
    best = max(rows, key=lambda r: r["pages_per_s"])
    national_pages = 2_000_000
    hours = national_pages / best["pages_per_s"] / 3600
    print(
        f"Proyeksi: 110.000 unit / ~2 juta halaman pada {best['pages_per_s']:.0f} hlm/s ({best['workers']} pekerja di mesin ini) "
        f"= {hours:.1f} jam; satu survei per minggu butuh {hours / 168:.2f} mesin seperti ini (dibulatkan ke atas: "
        f"{max(1, -(-hours // 168)):.0f})."
    )


if __name__ == "__main__":
    main()
