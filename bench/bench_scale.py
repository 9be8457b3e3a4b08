"""Benchmark of the cluster (issue #11): ``spbe worker`` processes sharing one Redis queue and one store.

A synthetic web of unit sites (``bench/multisite.py``: home + 6 linked pages each) answers for any
host name; the hosts are spread over a few loopback addresses (127.0.0.1-4, one server process each:
many hosts on few IPs, as many OPD sites share one Diskominfo server). The registry gets ``--sites``
unit sites split into pemda jobs of ``--per-pemda`` sites; for each worker count the same registry is
surveyed from scratch and the script prints pages/s, the ratio against one worker measured in the same
run, and the peak RSS of each worker. Separately it measures the Redis memory of 100,000 queued survey
requests in the scrapy-redis frontier.

Run: ``python bench/bench_scale.py [--sites 20000] [--workers 1 2 4] [--postgres URL]`` with Redis at
``SPBE_BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/13). Without ``--postgres`` the workers share
one SQLite file. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DOMAIN = "bench.go.id"
ADDRESSES = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
WEEK_S = 7 * 24 * 3600


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


def run_config(workers: int, args: argparse.Namespace, routes: list[str], redis_url: str) -> dict[str, float]:
    from sqlalchemy import create_engine, text

    from spbe_crawler.cluster.queue import JobQueue, connect

    prefix = f"bench-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        db_url = f"sqlite:///{home / 'spbe.sqlite3'}"
        database = None
        if args.postgres:
            database = f"spbe_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{database}"'))
            db_url = args.postgres.rsplit("/", 1)[0] + f"/{database}"
        make_registry(db_url, args.sites, args.per_pemda)
        queue = JobQueue(connect(redis_url), prefix)
        queue.enqueue(pemda_codes(args.sites, args.per_pemda), batch=prefix)
        env = worker_env(home, db_url, redis_url, prefix, routes)
        started = time.perf_counter()
        children = [
            subprocess.Popen([sys.executable, __file__, "--child-worker"], env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(workers)
        ]
        results = [json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children]
        elapsed = time.perf_counter() - started
        engine = create_engine(db_url)
        with engine.connect() as connection:
            pages = connection.execute(text("SELECT COUNT(*) FROM page")).scalar_one()
            sites = connection.execute(text("SELECT COUNT(*) FROM sitecheck")).scalar_one()
        engine.dispose()
        queue.clear()
        queue.client.close()
        if database:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
    idle = max(r["idle_exit"] for r in results)
    busy = max(elapsed - idle, 1e-9)  # the workers wait idle_exit seconds on an empty queue before leaving
    return {
        "workers": workers,
        "pages": pages,
        "sites": sites,
        "seconds": busy,
        "pages_per_s": pages / busy,
        "peak_rss_mb": [round(r["peak_rss_mb"]) for r in results],
        "jobs": [r["finished"] for r in results],
    }


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
    from spbe_crawler.cluster import settings
    from spbe_crawler.cluster.worker import Worker

    idle = 2.0
    worker = Worker(settings.redis_url() or "", settings.redis_prefix(), lease_seconds=30, idle_exit=idle, overrides={"LOG_LEVEL": "ERROR"})
    report = worker.run()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": peak, "finished": len(report.finished), "idle_exit": idle}))


def child_web(address: str) -> None:
    from http.server import ThreadingHTTPServer

    from multisite import _Handler

    server = ThreadingHTTPServer((address, 0), _Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=20_000)
    parser.add_argument("--per-pemda", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
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
    redis_url = os.environ.get("SPBE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    webs = [
        # stderr: a crawler closing a keep-alive connection makes http.server print a traceback
        subprocess.Popen([sys.executable, __file__, "--child-web", a], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for a in ADDRESSES
    ]
    try:
        ports = [int((web.stdout.readline() if web.stdout else "0").strip()) for web in webs]
        # pemda n's sites live on address n % 4: many host names, four servers
        routes = [f"*.p{n}.{DOMAIN}:80:{ADDRESSES[n % 4]}:{ports[n % 4]}" for n in range(len(pemda_codes(args.sites, args.per_pemda)))]
        rows = [run_config(workers, args, routes, redis_url) for workers in args.workers]
    finally:
        for web in webs:
            web.terminate()
            web.wait()
    base = rows[0]["pages_per_s"] / rows[0]["workers"]
    print(f"{args.sites} situs, {len(pemda_codes(args.sites, args.per_pemda))} pekerjaan pemda; web: {len(ADDRESSES)} alamat IP")
    print(f"{'pekerja':>7} {'halaman':>8} {'situs':>6} {'detik':>7} {'hlm/s':>7} {'× 1 pekerja':>11} {'RSS puncak per pekerja (MB)':>28}")
    for row in rows:
        ratio = row["pages_per_s"] / (base * 1)
        print(
            f"{row['workers']:>7} {row['pages']:>8} {row['sites']:>6} {row['seconds']:>7.1f} {row['pages_per_s']:>7.1f} "
            f"{ratio:>10.2f}× {', '.join(map(str, row['peak_rss_mb'])):>28}"
        )
    memory = frontier_memory(redis_url)
    print(f"Memori Redis per 100.000 permintaan dalam antrean (frontier scrapy-redis): {memory:.1f} MiB")
    best = max(rows, key=lambda r: r["pages_per_s"])
    per_site = best["pages"] / max(best["sites"], 1)
    national_pages = 2_000_000
    print(
        f"Proyeksi: 110.000 unit / ~2 juta halaman pada {best['pages_per_s']:.0f} hlm/s ({best['workers']} pekerja, "
        f"{per_site:.1f} hlm/situs di web lokal) = {national_pages / best['pages_per_s'] / 3600:.1f} jam CPU; "
        f"satu minggu = {WEEK_S / (national_pages / best['pages_per_s']):.0f}× kebutuhan itu."
    )


if __name__ == "__main__":
    main()
