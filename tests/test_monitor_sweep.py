"""Sweeps over a seeded registry against real local servers; incidents with hysteresis."""

from __future__ import annotations

import asyncio
import importlib
import time
from datetime import timedelta

import pg_support
import pytest
from sqlmodel import Session, select
from test_monitor_support import ZONE, LocalWeb, quick_settings, seed_sites

from spbe_crawler.monitor.incidents import apply_probes
from spbe_crawler.monitor.sweep import HostLimiter, run_sweep
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import CrawlRun, Incident, Probe, Unit, Website, utcnow
from spbe_crawler.store.models_monitor import PendingCheck


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    with LocalWeb(tmp_path_factory.mktemp("web")) as running:
        yield running


@pytest.fixture
def engine(tmp_path):
    return get_engine(f"sqlite:///{tmp_path / 'monitor.sqlite3'}")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request, tmp_path):
    """SQLite, and PostgreSQL when ``SPBE_TEST_POSTGRES_URL`` names a server."""
    if request.param == "sqlite":
        yield get_engine(f"sqlite:///{tmp_path / 'monitor.sqlite3'}")
        return
    if not pg_support.ADMIN_URL:
        pytest.skip(pg_support.SKIP_REASON)
    with pg_support.fresh_database("spbe_monitor") as url:
        engine = get_engine(url)
        yield engine
        engine.dispose()


def _sweep(engine, web: LocalWeb, scope: str = "18.71", target_class: str | None = None, wait: bool = True, **settings: object):
    """A sweep that waits for its confirmations (the tests of the pending state pass ``wait=False``)."""
    settings_ = quick_settings(**settings)
    return asyncio.run(run_sweep(engine, scope, target_class, settings=settings_, policy=web.policy(), notifiers=[], until_confirmed=wait))


def _probes(engine) -> list[Probe]:
    with Session(engine) as session:
        return list(session.exec(select(Probe).order_by(Probe.id)))


def _incidents(engine) -> list[Incident]:
    with Session(engine) as session:
        return list(session.exec(select(Incident).order_by(Incident.id)))


def test_sweep_probes_every_non_rejected_website_of_the_scope(engine, web: LocalWeb) -> None:
    ids = seed_sites(
        engine,
        [
            ("portal", "portal", f"http://ok.{ZONE}/"),
            ("dinkes", "opd", f"http://echo.{ZONE}/"),
            ("rusak", "opd", f"http://error.{ZONE}/"),
            ("hilang", "kecamatan", "http://tidakada.hilang.test/"),
        ],
    )
    seed_sites(engine, [("lain", "opd", f"http://ok.{ZONE}/lain")], pemda="18.72")
    with Session(engine) as session:
        session.add(Unit(code="18.71/tolak", name="Ditolak", kind="opd", pemda_code="18.71"))
        session.add(Website(unit_code="18.71/tolak", url=f"http://ok.{ZONE}/tolak", host=f"ok.{ZONE}", state="rejected"))
        session.commit()

    summary = _sweep(engine, web)
    probes = {p.website_id: p for p in _probes(engine)}
    assert set(probes) == set(ids.values())
    assert probes[ids["portal"]].status == "ok" and probes[ids["rusak"]].status == "http_error"
    assert probes[ids["hilang"]].status == "dns_error"
    assert (summary.targets, summary.up, summary.down, summary.incidents_opened) == (4, 2, 2, 2)
    assert summary.state == "finished"
    with Session(engine) as session:
        run = session.get(CrawlRun, summary.run_id)
        assert run.kind == "monitor" and run.state == "finished" and run.finished_at is not None
        assert run.options["targets"] == 4 and run.options["class"] == "all"
    assert {i.website_id for i in _incidents(engine)} == {ids["rusak"], ids["hilang"]}

    portal_only = _sweep(engine, web, target_class="portal")
    assert portal_only.targets == 1
    everything = _sweep(engine, web, scope="all")
    assert everything.targets == 5


def test_incident_opens_once_survives_flapping_and_closes_after_k_successes(engine, web: LocalWeb) -> None:
    ids = seed_sites(engine, [("layanan", "portal", f"http://toggle.{ZONE}/")])
    opened_at = None
    for answer, open_count in [(500, 1), (500, 1), (200, 1), (500, 1), (200, 1), (200, 0)]:
        web.modes["toggle"] = answer
        _sweep(engine, web)
        incidents = _incidents(engine)
        assert len(incidents) == 1, "flapping must not open a second incident"
        assert sum(i.ended_at is None for i in incidents) == open_count
        opened_at = opened_at or incidents[0].started_at
    incident = _incidents(engine)[0]
    probes = [p for p in _probes(engine) if p.website_id == ids["layanan"]]
    assert incident.started_at == probes[0].started_at == opened_at
    assert incident.ended_at == probes[4].started_at  # the first of the K=2 successes
    assert incident.status == "http_error"


def _probe(website_id: int, status: str, minutes: int) -> Probe:
    started = utcnow() - timedelta(hours=1) + timedelta(minutes=minutes)
    return Probe(website_id=website_id, url="http://x/", status=status, started_at=started)


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [
        ("", []),
        ("SSS", []),
        ("F", ["open"]),
        ("FFFF", ["open"]),
        ("FS", ["open"]),
        ("FSS", ["closed"]),
        ("FSFS", ["open"]),
        ("FSFSS", ["closed"]),
        ("FSSF", ["closed", "open"]),
    ],
)
def test_hysteresis(engine, sequence: str, expected: list[str]) -> None:
    website_id = seed_sites(engine, [("x", "opd", "http://x.test/")])["x"]
    with Session(engine) as session:
        for minute, letter in enumerate(sequence):
            probe = _probe(website_id, "ok" if letter == "S" else "timeout", minute)
            session.add(probe)
            session.flush()
            apply_probes(session, [probe], close_after=2)
        session.commit()
    assert ["open" if i.ended_at is None else "closed" for i in _incidents(engine)] == expected


def test_cancelled_sweep_keeps_finished_probes_and_is_interrupted(engine, web: LocalWeb) -> None:
    seed_sites(engine, [(f"ok{i}", "opd", f"http://ok.{ZONE}/{i}") for i in range(3)] + [("diam", "opd", f"http://silent.{ZONE}/")])

    async def go() -> None:
        settings = quick_settings(read_timeout=30.0, total_timeout=30.0, write_batch=100)
        task = asyncio.create_task(run_sweep(engine, "18.71", settings=settings, policy=web.policy(), notifiers=[]))
        await asyncio.sleep(1.0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert sorted(p.status for p in _probes(engine)) == ["ok", "ok", "ok"]
    with Session(engine) as session:
        run = session.exec(select(CrawlRun)).one()
        assert run.state == "interrupted" and run.options["targets"] == 3


def test_host_limiter_bounds_concurrency_per_host() -> None:
    limiter = HostLimiter(2)
    active: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def use(host: str) -> None:
        async with limiter.hold(host):
            active[host] = active.get(host, 0) + 1
            peak[host] = max(peak.get(host, 0), active[host])
            await asyncio.sleep(0.01)
            active[host] -= 1

    async def go() -> None:
        await asyncio.gather(*[use("a.go.id") for _ in range(10)], *[use(f"h{i}.go.id") for i in range(5)])

    asyncio.run(go())
    assert peak["a.go.id"] == 2
    assert all(peak[f"h{i}.go.id"] == 1 for i in range(5))
    assert len(limiter) == 0  # no entry left behind


def test_cli_sweep_uses_the_environment_and_respects_the_lease(engine, web: LocalWeb, monkeypatch) -> None:
    from typer.testing import CliRunner

    from spbe_crawler.cli import app
    from spbe_crawler.monitor.lease import release, try_acquire

    seed_sites(engine, [("portal", "portal", f"http://ok.{ZONE}/"), ("rusak", "opd", f"http://error.{ZONE}/")])
    for name, value in {**web.env(), "SPBE_DATABASE_URL": str(engine.url), "SPBE_MONITOR_CONFIRM_DELAY": "0.01"}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    result = runner.invoke(app, ["monitor", "sweep", "--pemda", "18.71"])
    assert result.exit_code == 0, result.output
    assert "2 situs, 1 berfungsi, 0 gagal, 1 menunggu konfirmasi" in result.output and "--tunggu-konfirmasi" in result.output
    # the CLI's console took its width when first imported (pytest-xdist workers run with COLUMNS=80)
    monkeypatch.setattr(importlib.import_module("spbe_crawler.cli.app").console, "_width", 250)
    status = runner.invoke(app, ["monitor", "status", "--pemda", "18.71"], env={"COLUMNS": "250"})
    assert status.exit_code == 0 and "Galat HTTP, menunggu konfirmasi" in status.output, status.output
    waited = runner.invoke(app, ["monitor", "sweep", "--pemda", "18.71", "--tunggu-konfirmasi"])
    assert waited.exit_code == 0, waited.output
    assert "2 situs, 1 berfungsi, 1 gagal, 0 menunggu konfirmasi" in waited.output and "insiden baru 1" in waited.output
    assert try_acquire(engine, "proses-lain", "all", ttl=60)
    busy = runner.invoke(app, ["monitor", "sweep", "--pemda", "18.71", "--kelas", "portal"])
    assert busy.exit_code == 2 and "sapuan lain sedang berjalan" in busy.output
    release(engine, "proses-lain")
    assert runner.invoke(app, ["monitor", "sweep", "--kelas", "semua"]).exit_code == 2
    monkeypatch.setenv("SPBE_MONITOR_CONCURRENCY", "banyak")
    bad = runner.invoke(app, ["monitor", "sweep"])
    assert bad.exit_code == 2 and "SPBE_MONITOR_CONCURRENCY" in bad.output


def _timed_sweep(engine, web: LocalWeb, wait: bool, **settings: object):
    loop = asyncio.new_event_loop()
    try:
        started = loop.time()
        sweep = run_sweep(engine, "18.71", settings=quick_settings(**settings), policy=web.policy(), notifiers=[], until_confirmed=wait)
        summary = loop.run_until_complete(sweep)
        return summary, loop.time() - started
    finally:
        loop.close()


def test_confirmation_delays_do_not_hold_slots(engine, web: LocalWeb) -> None:
    """50 failing targets, 2 slots, 1 s confirmation delay, waiting for the confirmations: the
    re-probes come in one round a delay after the pass, so the sweep takes about one delay (a
    worker sleeping through each delay would take 25)."""
    seed_sites(engine, [(f"rusak{i}", "opd", f"http://error.{ZONE}/{i}") for i in range(50)])
    summary, elapsed = _timed_sweep(engine, web, True, concurrency=2, confirm_delay=1.0, write_batch=20)
    assert (summary.targets, summary.down, summary.pending, summary.incidents_opened) == (50, 50, 0, 50)
    assert all("2 dari 2 percobaan gagal" in p.detail for p in _probes(engine))
    assert 1.0 <= elapsed < 6.0, f"sweep took {elapsed:.1f} s"


def test_a_sweep_ends_before_its_confirmations_and_the_next_attempt_settles_them(any_engine, web: LocalWeb) -> None:
    """The default sweep probes each site once and ends: a new failure waits, "menunggu konfirmasi",
    for an attempt at least the delay later (from the next sweep here), and only then opens an
    incident dated from the first failure. A site that answers in between needs its third attempt
    (2 of 3), and a second success clears it without an incident."""
    engine = any_engine
    ids = seed_sites(engine, [(f"rusak{i}", "opd", f"http://error.{ZONE}/{i}") for i in range(50)])
    ids |= seed_sites(engine, [("kedip", "opd", f"http://toggle.{ZONE}/")])
    web.modes["toggle"] = 500
    first, elapsed = _timed_sweep(engine, web, False, concurrency=2, confirm_delay=1.0, write_batch=20)
    assert (first.targets, first.up, first.down, first.pending, first.incidents_opened) == (51, 0, 0, 51, 0)
    assert elapsed < 1.0, f"the pass took {elapsed:.1f} s: it waited for a confirmation delay"
    assert _probes(engine) == [] and _incidents(engine) == []
    with Session(engine) as session:
        pending = {row.website_id: row for row in session.exec(select(PendingCheck))}
    assert set(pending) == set(ids.values()) and all(p.attempts == p.failures == 1 and p.status == "http_error" for p in pending.values())
    first_failures = {website_id: row.started_at for website_id, row in pending.items()}

    early = _sweep(engine, web, wait=False, confirm_delay=60.0)
    assert (early.targets, early.pending) == (0, 51)  # not due yet: attempts stay the delay apart

    web.modes["toggle"] = 200
    time.sleep(1.0)
    second = _sweep(engine, web, wait=False, confirm_delay=1.0)
    assert (second.targets, second.up, second.down, second.pending, second.incidents_opened) == (51, 0, 50, 1, 50)
    incidents = {i.website_id: i for i in _incidents(engine)}
    assert set(incidents) == set(ids.values()) - {ids["kedip"]}
    assert all(incident.started_at == first_failures[website_id] for website_id, incident in incidents.items())
    with Session(engine) as session:
        [left] = session.exec(select(PendingCheck)).all()
    assert (left.website_id, left.attempts, left.failures) == (ids["kedip"], 2, 1)

    time.sleep(1.0)
    third = _sweep(engine, web, wait=False, confirm_delay=1.0)
    assert (third.up, third.down, third.pending, third.incidents_opened) == (51 - 50, 50, 0, 0)
    assert [p.status for p in _probes(engine) if p.website_id == ids["kedip"]] == ["ok"]


def test_the_scheduler_confirms_as_soon_as_the_delay_has_passed(engine, web: LocalWeb) -> None:
    """``spbe monitor run``: after a sweep leaves failures pending, the confirmation round probes them
    once due, long before the next sweep (here an hour away)."""
    from spbe_crawler.monitor.scheduler import Scheduler

    ids = seed_sites(engine, [("rusak", "opd", f"http://error.{ZONE}/"), ("baik", "portal", f"http://ok.{ZONE}/")])
    settings = quick_settings(confirm_delay=0.5, portal_interval=3600, unit_interval=3600)
    scheduler = Scheduler(engine, "18.71", settings=settings, policy=web.policy())
    asyncio.run(scheduler.run(duration=3.0))
    [incident] = _incidents(engine)
    assert incident.website_id == ids["rusak"] and incident.ended_at is None
    probes = _probes(engine)
    assert sorted(p.website_id for p in probes) == sorted(ids.values())  # one verdict each, no second sweep
    with Session(engine) as session:
        runs = session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()
    assert [run.options.get("konfirmasi", False) for run in runs] == [False, False, True]


def test_a_site_already_down_is_not_reprobed(engine, web: LocalWeb) -> None:
    """Confirmation guards opening an incident; while it is open one failed probe per sweep is enough."""
    seed_sites(engine, [("rusak", "opd", f"http://error.{ZONE}/")])
    first = _sweep(engine, web, confirm_delay=0.5)
    assert first.incidents_opened == 1
    before = len(web.requests)
    second = _sweep(engine, web, confirm_delay=0.5)
    assert second.down == 1 and second.incidents_opened == 0 and len(_incidents(engine)) == 1
    assert len(web.requests) - before == 1  # one probe, no re-probe
    assert "percobaan gagal" not in _probes(engine)[-1].detail


def test_shards_split_the_scope_and_their_alerts(engine, web: LocalWeb) -> None:
    ids = seed_sites(engine, [(f"rusak{i}", "opd", f"http://error.{ZONE}/{i}") for i in range(5)])
    ids |= seed_sites(engine, [(f"baik{i}", "opd", f"http://ok.{ZONE}/{i}") for i in range(6)])
    first = asyncio.run(
        run_sweep(engine, "18.71", settings=quick_settings(), policy=web.policy(), notifiers=[], shard=(0, 2), until_confirmed=True)
    )
    probed_first = {p.website_id for p in _probes(engine)}
    second = asyncio.run(
        run_sweep(engine, "18.71", settings=quick_settings(), policy=web.policy(), notifiers=[], shard=(1, 2), until_confirmed=True)
    )
    probed = [p.website_id for p in _probes(engine)]
    assert sorted(probed) == sorted(ids.values())  # every site once, across the two shards
    assert probed_first == {i for i in ids.values() if i % 2 == 0}
    assert first.targets + second.targets == 11 and first.shard == "1/2" and second.shard == "2/2"

    from spbe_crawler.monitor.alerts import dispatch_alerts

    class Recorder:
        channel = "rekam"

        def __init__(self) -> None:
            self.sent: list[int] = []

        async def send(self, alert) -> None:
            self.sent.append(alert.website_id)

    recorder = Recorder()
    asyncio.run(dispatch_alerts(engine, [recorder], "18.71", quick_settings(), shard=(1, 2)))
    failing = {ids[f"rusak{i}"] for i in range(5)}
    assert set(recorder.sent) == {i for i in failing if i % 2 == 1}
