"""Monitor sweeps sharded across workers by the same Redis queue (issue #11 item 4).

``spbe monitor antrean --bagian 4`` queues four shards of one sweep; two ``spbe worker`` processes
take them from the queue the survey uses; every website of the scope is probed exactly once, each
shard is recorded as its own monitor run, and queueing the same sweep again while its shards are
still waiting adds nothing. Needs ``SPBE_TEST_REDIS_URL`` (``.ci/run`` starts Redis).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter

import pytest
from sqlmodel import Session, select
from test_monitor_support import ZONE, LocalWeb, seed_sites

from spbe_crawler.cluster.queue import JobQueue, connect
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import CrawlRun, Probe

REDIS_URL = os.environ.get("SPBE_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="SPBE_TEST_REDIS_URL tidak diatur: tidak ada server Redis")

QUICK = {
    "SPBE_MONITOR_CONCURRENCY": "8",
    "SPBE_MONITOR_CONNECT_TIMEOUT": "1",
    "SPBE_MONITOR_READ_TIMEOUT": "1",
    "SPBE_MONITOR_TOTAL_TIMEOUT": "3",
    "SPBE_MONITOR_CONFIRM_DELAY": "0.05",
    "SPBE_MONITOR_TLS_INSPECT": "false",
}


def test_monitor_shards_are_handed_out_by_the_worker_queue(tmp_path, request) -> None:
    prefix = f"spbe-test-{uuid.uuid4().hex[:8]}"
    database = tmp_path / "monitor.sqlite3"
    engine = get_engine(f"sqlite:///{database}")
    sites = [(f"s{n}", "opd", f"http://{'error' if n % 5 == 0 else 'ok'}.{ZONE}/s{n}") for n in range(14)]
    ids = seed_sites(engine, sites)
    queue = JobQueue(connect(REDIS_URL or ""), prefix)
    request.addfinalizer(queue.clear)  # this test's keys go even when it fails
    (tmp_path / "web").mkdir()
    with LocalWeb(tmp_path / "web") as web:
        env = {
            **os.environ,
            **web.env(),
            **QUICK,
            "SPBE_HOME": str(tmp_path / "home"),
            "SPBE_DATABASE_URL": f"sqlite:///{database}",
            "SPBE_REDIS_URL": REDIS_URL or "",
            "SPBE_REDIS_PREFIX": prefix,
            "SPBE_WORKER_LEASE": "5",
            "COLUMNS": "200",
        }

        def spbe(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "spbe_crawler", *args], env=env, capture_output=True, text=True, timeout=240)

        first = spbe("monitor", "antrean", "--bagian", "4", "--pemda", "18.71")
        assert first.returncode == 0, first.stderr
        assert "4 dari 4 bagian" in first.stdout
        again = spbe("monitor", "antrean", "--bagian", "4", "--pemda", "18.71")
        assert "0 dari 4 bagian" in again.stdout and "masih dikerjakan" in again.stdout  # not queued twice
        assert sorted(j.shard for j in queue.pending()) == ["1/4", "2/4", "3/4", "4/4"]
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "spbe_crawler", "worker", "--berhenti-bila-kosong", "2"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [w.communicate(timeout=240)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    swept = [
        int(line.split(" bagian pemantauan")[0].rsplit(", ", 1)[1])
        for out in outputs
        for line in out.splitlines()
        if "bagian pemantauan" in line
    ]
    assert sum(swept) == 4, outputs
    assert queue.is_idle() and queue.active() == set()
    queue.clear()
    queue.client.close()
    with Session(engine) as session:
        runs = session.exec(select(CrawlRun).where(CrawlRun.kind == "monitor")).all()
        probes = session.exec(select(Probe)).all()
    assert sorted(r.options["shard"] for r in runs) == ["1/4", "2/4", "3/4", "4/4"]
    assert all(r.state == "finished" and r.scope == "18.71" for r in runs)
    assert sum(r.options["targets"] for r in runs) == len(ids)
    per_site = Counter(p.website_id for p in probes)
    assert set(per_site) == set(ids.values()) and set(per_site.values()) == {1}  # every site once, across the shards
    status = {p.website_id: p.status for p in probes}
    assert status[ids["s5"]] == "http_error" and status[ids["s1"]] == "ok"
