"""The sweep lease, the scheduler's per-class rhythm kept in the database, and a clean SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from test_monitor_support import ZONE, LocalWeb, quick_settings, seed_sites

from spbe_crawler.monitor.lease import LeaseBusy, LeaseLost, current_lease, holding, release, renew, try_acquire
from spbe_crawler.monitor.scheduler import Scheduler
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import CrawlRun, utcnow
from spbe_crawler.store.models_monitor import MonitorLease, MonitorSchedule

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    with LocalWeb(tmp_path_factory.mktemp("web")) as running:
        yield running


@pytest.fixture
def engine(tmp_path):
    return get_engine(f"sqlite:///{tmp_path / 'sched.sqlite3'}")


def test_lease_is_exclusive_renewable_and_expires(engine) -> None:
    assert try_acquire(engine, "a", "18.71", ttl=60)
    assert not try_acquire(engine, "b", "all", ttl=60)
    assert try_acquire(engine, "a", "18.71", ttl=60)  # re-entrant for the holder
    assert renew(engine, "a", 60) and not renew(engine, "b", 60)
    assert current_lease(engine).holder == "a"
    release(engine, "a")
    assert current_lease(engine) is None
    assert try_acquire(engine, "b", "all", ttl=60)
    assert try_acquire(engine, "c", "all", ttl=60, now=utcnow() + timedelta(seconds=61))  # b's lease expired


def test_holding_refuses_a_busy_lease_and_stops_when_the_lease_is_lost(engine) -> None:
    async def busy() -> None:
        async with holding(engine, "a", "18.71", ttl=60):
            with pytest.raises(LeaseBusy, match="sapuan lain sedang berjalan"):
                async with holding(engine, "b", "18.71", ttl=60):
                    pass

    asyncio.run(busy())
    assert current_lease(engine) is None  # released on exit

    async def lost() -> None:
        async with holding(engine, "a", "18.71", ttl=0.3):
            try_acquire(engine, "thief", "all", ttl=60, now=utcnow() + timedelta(seconds=5))
            await asyncio.sleep(3)

    with pytest.raises(LeaseLost):
        asyncio.run(lost())


def _runs(engine) -> list[CrawlRun]:
    with Session(engine) as session:
        return list(session.exec(select(CrawlRun).order_by(CrawlRun.id)))


def _portal_runs(engine) -> int:
    return sum(r.options["class"] == "portal" and r.finished_at is not None for r in _runs(engine))


def _run_until(done, *schedulers: Scheduler, limit: float = 30.0) -> None:
    """Run the schedulers until ``done()`` holds (checked every 50 ms; at most ``limit`` seconds), so
    a slow machine takes longer instead of failing a fixed-duration run."""

    async def main() -> None:
        stop = asyncio.Event()

        async def watch() -> None:
            deadline = time.monotonic() + limit
            while not done() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            stop.set()

        await asyncio.gather(watch(), *[scheduler.run(stop=stop) for scheduler in schedulers])

    asyncio.run(main())


def test_scheduler_keeps_per_class_rhythm_across_restarts(engine, web: LocalWeb) -> None:
    seed_sites(engine, [("portal", "portal", f"http://ok.{ZONE}/"), ("dinkes", "opd", f"http://echo.{ZONE}/")])
    settings = quick_settings(portal_interval=0.4, unit_interval=3600, survey_interval=3600)
    surveys: list[str] = []

    async def survey(scope: str) -> str:
        surveys.append(scope)
        return "ok"

    scheduler = Scheduler(engine, "18.71", settings=settings, policy=web.policy(), survey_hook=survey)
    _run_until(lambda: _portal_runs(engine) >= 3 and bool(surveys), scheduler)
    classes = [r.options["class"] for r in _runs(engine)]
    assert classes.count("unit") == 1 and classes.count("portal") >= 3
    assert surveys == ["18.71"]
    with Session(engine) as session:
        unit_row = session.get(MonitorSchedule, "18.71:unit")
        assert unit_row.next_due > utcnow() + timedelta(minutes=59) and "1 berfungsi" in unit_row.last_result

    asyncio.run(Scheduler(engine, "18.71", settings=settings, policy=web.policy(), survey_hook=survey).run(duration=0.6))
    classes = [r.options["class"] for r in _runs(engine)]
    assert classes.count("unit") == 1 and surveys == ["18.71"]  # not due again after the restart


def test_failing_survey_hook_does_not_stop_the_schedule(engine, web: LocalWeb) -> None:
    seed_sites(engine, [("portal", "portal", f"http://ok.{ZONE}/")])
    settings = quick_settings(portal_interval=0.3, survey_interval=3600)

    def broken(scope: str) -> None:
        raise RuntimeError("survei rusak")

    def failed_once() -> bool:
        with Session(engine) as session:
            row = session.get(MonitorSchedule, "18.71:survey")
            return row is not None and row.last_result.startswith("gagal") and _portal_runs(engine) >= 2

    _run_until(failed_once, Scheduler(engine, "18.71", settings=settings, policy=web.policy(), survey_hook=broken))
    with Session(engine) as session:
        assert session.get(MonitorSchedule, "18.71:survey").last_result.startswith("gagal: survei rusak")
    assert [r.options["class"] for r in _runs(engine)].count("portal") >= 2


def test_a_long_survey_runs_beside_the_sweeps_under_its_own_lease(engine, web: LocalWeb) -> None:
    seed_sites(engine, [("portal", "portal", f"http://ok.{ZONE}/")])
    settings = quick_settings(portal_interval=0.3, unit_interval=3600, survey_interval=3600)
    seen: list[str | None] = []

    async def slow_survey(scope: str) -> str:  # ends only once three portal sweeps ran beside it
        seen.append(current_lease(engine, "monitor-survey").holder)
        started = time.monotonic()
        while _portal_runs(engine) < 3 and time.monotonic() - started < 30:
            await asyncio.sleep(0.05)
        return "selesai"

    def survey_done() -> bool:
        with Session(engine) as session:
            row = session.get(MonitorSchedule, "18.71:survey")
            finished = row is not None and row.last_result.startswith("survei selesai")
            return finished and current_lease(engine, "monitor-survey") is None  # the result is written before the release

    scheduler = Scheduler(engine, "18.71", settings=settings, policy=web.policy(), survey_hook=slow_survey, holder="saya")
    _run_until(survey_done, scheduler)
    assert seen == ["saya"]
    portal_runs = [r for r in _runs(engine) if r.options["class"] == "portal"]
    assert len(portal_runs) >= 3  # sweeps went on while the survey ran
    with Session(engine) as session:
        assert session.get(MonitorSchedule, "18.71:survey").last_result == "survei selesai: selesai"
    assert current_lease(engine, "monitor-survey") is None


def test_two_schedulers_never_sweep_at_once(engine, web: LocalWeb) -> None:
    seed_sites(engine, [(f"p{i}", "portal", f"http://ok.{ZONE}/{i}") for i in range(4)])
    settings = quick_settings(portal_interval=0.2, unit_interval=3600, confirm_delay=0.01)

    schedulers = [Scheduler(engine, "18.71", settings=settings, policy=web.policy()) for _ in range(2)]
    _run_until(lambda: _portal_runs(engine) >= 3, *schedulers)
    runs = _runs(engine)
    assert len(runs) >= 3
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert earlier.finished_at <= later.started_at


def test_sigterm_aborts_the_sweep_and_releases_the_lease(tmp_path, web: LocalWeb) -> None:
    url = f"sqlite:///{tmp_path / 'signal.sqlite3'}"
    engine = get_engine(url)
    seed_sites(engine, [("diam", "portal", f"http://silent.{ZONE}/"), ("ok", "opd", f"http://ok.{ZONE}/")])
    env = {
        **os.environ,
        **web.env(),
        "SPBE_DATABASE_URL": url,
        "SPBE_MONITOR_READ_TIMEOUT": "60",
        "SPBE_MONITOR_TOTAL_TIMEOUT": "60",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from spbe_crawler.cli import main; main()", "monitor", "run", "--pemda", "18.71"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (current_lease(engine) and _runs(engine)):
            time.sleep(0.1)
        assert current_lease(engine) is not None, "the scheduler never took the lease"
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Dihentikan" in out
    assert current_lease(engine) is None
    with Session(engine) as session:
        assert session.get(MonitorLease, "monitor-sweep").holder == ""
    assert [r.state for r in _runs(engine)] == ["interrupted"]
