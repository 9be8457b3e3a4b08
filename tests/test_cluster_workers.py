"""Three ``spbe worker`` processes share a batch of pemda through Redis; one is SIGKILLed mid-crawl.

The units (sites) of one pemda are crawled by several workers at once; the killed worker's units
return to the queue and are crawled by the others. Every pemda's run still finishes exactly once,
every unit has exactly one outcome, no row is duplicated, and the demo sites get the statuses of the
demo manifest. Needs ``SPBE_TEST_REDIS_URL`` (``.ci/run`` starts Redis); the store is PostgreSQL
when ``SPBE_TEST_POSTGRES_URL`` is set, else one SQLite file shared by the processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from urllib.parse import urlsplit

import pytest
from pg_support import fresh_database
from sqlalchemy import create_engine
from sqlmodel import Session, col, func, select
from survey_support import cli_env, prepare_registry

from spbe_crawler.cluster.queue import JobQueue, connect
from spbe_crawler.registry.scope import units_in_scope
from spbe_crawler.store.models import CrawlRun, DiscoveryCandidate, Finding, Page, SiteCheck, UnitOutcome, Website

REDIS_URL = os.environ.get("SPBE_TEST_REDIS_URL")
POSTGRES_URL = os.environ.get("SPBE_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="SPBE_TEST_REDIS_URL tidak diatur: tidak ada server Redis")
PEMDA = ["18.71", "18.72", "18.12"]


@pytest.fixture()
def database_url(tmp_path):
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    with fresh_database("spbe_cluster") as url:
        yield url


def _wait_for(predicate, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"tidak terjadi dalam {timeout} detik: {what}")


def test_three_workers_one_killed_every_unit_once(demo_web, tmp_path, database_url, request) -> None:
    prefix = f"spbe-test-{uuid.uuid4().hex[:8]}"
    env = cli_env({**os.environ, **demo_web.env}, tmp_path)
    env.update(
        {
            "SPBE_DATABASE_URL": database_url,
            "SPBE_REDIS_URL": REDIS_URL or "",
            "SPBE_REDIS_PREFIX": prefix,
            "SPBE_WORKER_LEASE": "5",
            "SPBE_DOWNLOAD_TIMEOUT": "10",  # the demo's 4 s leaves no margin on a loaded machine; "lambat" still times out
            # Sharing and handing back units is the point here, not crawl depth (test_survey_e2e crawls
            # 15 pages a site): 5 pages a site still give every demo status and every discovery lead.
            "SPBE_SITE_MAX_PAGES": "5",
            "SPBE_CONNECT_TO": "!*",  # every name outside the demo web is unknown: nothing leaves the machine
            "COLUMNS": "200",
        }
    )
    prepare_registry(env, demo_web.registry_csv)
    queue = JobQueue(connect(REDIS_URL or ""), prefix)
    request.addfinalizer(queue.clear)  # this test's keys go even when it fails
    engine = create_engine(database_url)
    logs = tmp_path / "logs"
    logs.mkdir()

    def start(name: str, args: list[str]) -> subprocess.Popen[str]:
        out = (logs / name).open("w")
        return subprocess.Popen([sys.executable, "-m", "spbe_crawler", *args], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)

    def outputs() -> str:
        return "\n".join(f"--- {f.name}\n{f.read_text()[-2000:]}" for f in sorted(logs.iterdir()))

    runner = start("run", ["run", "--pemda", ",".join(PEMDA)])
    workers: list[subprocess.Popen[str]] = []
    try:
        _wait_for(lambda: len(queue.pending()) == len(PEMDA) or runner.poll() is not None, 180, "antrean terisi")
        assert runner.poll() is None, outputs()
        workers = [start(f"worker-{n}", ["worker", "--berhenti-bila-kosong", "2"]) for n in range(3)]

        sharing: set[str] = set()  # workers seen holding units of 18.71 at the same moment
        held: list[str] = []  # the victim's units when it is killed

        def crawling_bandar_lampung() -> int | None:
            holders = [w for w, jobs in queue.in_flight("units").items() if any(j.pemda == "18.71" for j in jobs)]
            if len(holders) > len(sharing):
                sharing.clear()
                sharing.update(holders)
            if holders:
                with Session(engine) as session:
                    run = session.exec(select(CrawlRun).where(CrawlRun.scope == "18.71")).first()
                    done = run and session.exec(select(func.count()).select_from(SiteCheck).where(SiteCheck.run_id == run.id)).one()
                if done and done >= 20 and len(sharing) >= 2:
                    held[:] = [j.unit for j in queue.in_flight("units").get(holders[0], [])]
                    return int(holders[0].split(":")[1])
            assert all(w.poll() is None for w in workers), outputs()
            return None

        victim = _wait_for(crawling_bandar_lampung, 400, "beberapa pekerja menyurvei unit 18.71")
        os.kill(victim, signal.SIGKILL)
        runner.wait(timeout=900)
        assert runner.returncode == 0, outputs()
        for worker in workers:
            worker.wait(timeout=120)
            assert worker.pid == victim or worker.returncode == 0, outputs()
    finally:
        for process in [*workers, runner]:
            if process.poll() is None:
                process.kill()
                process.wait()
    output = (logs / "run").read_text()

    assert "Selesai 3 dari 3 pemda" in output
    assert "cakupan-18.71.html" in output
    assert queue.is_idle()
    assert not list(queue.client.scan_iter(f"{prefix}:frontier:*"))  # crawl frontiers are flushed
    queue.clear()
    with Session(engine) as session:
        runs = session.exec(select(CrawlRun).where(CrawlRun.kind == "survey")).all()
        assert sorted(r.scope for r in runs) == sorted(PEMDA)  # one run per pemda: the killed one continued
        assert all(r.state == "finished" for r in runs)
        assert len({r.options["batch"] for r in runs}) == 1
        killed = next(r for r in runs if r.scope == "18.71")
        assert int(killed.options["worker"].split(":")[1]) != victim  # finished by another worker
        for run in runs:
            outcomes = session.exec(select(UnitOutcome).where(UnitOutcome.run_id == run.id)).all()
            scope = {u.code for u in units_in_scope(session, run.scope)}
            assert Counter(o.unit_code for o in outcomes) == Counter(scope)  # every unit exactly once
            assert not [o for o in outcomes if o.detail == "situs terdaftar tetapi tidak diperiksa"]
        # Discovery as in one process: links met by any worker (leads) and guesses, in the finish step.
        discovered = {urlsplit(w.url).hostname: w for w in session.exec(select(Website).where(Website.state == "discovered")).all()}
        candidates = {c.host for c in session.exec(select(DiscoveryCandidate).where(DiscoveryCandidate.run_id == killed.id)).all()}
        for host, plan in demo_web.manifest.items():
            if (plan.get("unit_code") or "").startswith("18.71") and plan["how_found"] in ("linked", "guessable"):
                assert host in discovered, f"{host} ({plan['how_found']}) tidak ditemukan"
            if (plan.get("unit_code") or "").startswith("18.71") and plan["how_found"] == "ambiguous":
                assert host in candidates
        checked_units = {c.unit_code for c in session.exec(select(SiteCheck).where(SiteCheck.run_id == killed.id)).all()}
        assert set(held) <= checked_units  # the killed worker's units were crawled by the others
        checks = session.exec(select(SiteCheck).where(SiteCheck.run_id == killed.id)).all()
        assert len(checks) == len({c.website_id for c in checks})
        pages = session.exec(select(Page.url).where(Page.run_id == killed.id)).all()
        assert pages and len(pages) == len(set(pages))
        findings = session.exec(select(Finding.rule_id, Finding.url, Finding.unit_code).where(col(Finding.run_id) == killed.id)).all()
        assert len(findings) == len(set(findings))
    engine.dispose()
    planned = {h: p["expected_status"] for h, p in demo_web.manifest.items()}
    declared = [c for c in checks if urlsplit(c.url).hostname in planned]
    assert len(declared) >= 100
    wrong = [(c.url, c.status, planned[urlsplit(c.url).hostname]) for c in declared if planned[urlsplit(c.url).hostname] != c.status]
    assert not wrong
