"""The Redis job queue, the cross-worker per-IP slots and run claiming (real Redis, real SQLite).

Runs when ``SPBE_TEST_REDIS_URL`` points at a Redis server (``.ci/run`` starts one); every test uses
its own key prefix and deletes its keys.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import pytest
from scrapy import Request
from sqlmodel import Session, select

from spbe_crawler.cluster.politeness import SharedIpSlots
from spbe_crawler.cluster.queue import Job, JobQueue, connect
from spbe_crawler.cluster.worker import claim_run
from spbe_crawler.net.policy import NetworkPolicy
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import CrawlRun
from spbe_crawler.survey.runs import RunBusy

REDIS_URL = os.environ.get("SPBE_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="SPBE_TEST_REDIS_URL tidak diatur: tidak ada server Redis")


@pytest.fixture()
def queue():
    client = connect(REDIS_URL)
    q = JobQueue(client, prefix=f"spbe-test-{uuid.uuid4().hex[:8]}", lease_seconds=0.5)
    yield q
    q.clear()
    client.close()


def test_lease_moves_a_job_to_the_worker_and_ack_forgets_it(queue) -> None:
    assert queue.enqueue(["18.71", "18.72", "18.71"], "b1") == 2  # one job per pemda
    assert queue.enqueue(["18.72"], "b2") == 0  # already queued
    job = queue.lease("w1")
    assert job == Job("18.71", "b1") and job.raw
    assert [j.pemda for j in queue.pending()] == ["18.72"]
    assert queue.in_flight() == {"w1": [job]}
    assert queue.enqueue(["18.71"], "b3") == 0  # in flight counts as queued
    queue.ack("w1", job)
    assert queue.in_flight() == {"w1": []}
    assert not queue.is_idle()
    queue.ack("w2", queue.lease("w2"))
    assert queue.is_idle()


def test_enqueue_is_atomic_across_concurrent_producers(queue) -> None:
    """Two ``spbe run`` at the same moment: each pemda is queued once (one Lua script per call)."""
    from concurrent.futures import ThreadPoolExecutor

    codes = [f"18.{n:02d}" for n in range(1, 41)]
    clients = [connect(REDIS_URL) for _ in range(8)]
    producers = [JobQueue(client, queue.prefix) for client in clients]
    with ThreadPoolExecutor(8) as pool:
        added = list(pool.map(lambda p: p.enqueue(list(reversed(codes)) if id(p) % 2 else codes, "b"), producers))
    for client in clients:
        client.close()
    assert sum(added) == len(codes)
    assert sorted(j.pemda for j in queue.pending()) == codes
    assert queue.active() == set(codes)


def test_units_of_a_run_are_shared_and_the_last_one_queues_its_finish_once(queue) -> None:
    queue.enqueue(["18.71"], "b")
    pemda = queue.lease("planner")
    assert queue.plan("planner", pemda, 7, ["18.71.01", "18.71.02", "18.71.03"])
    assert queue.in_flight() == {"planner": []}  # the pemda job is done once its units are queued
    assert not queue.plan("planner", pemda, 7, ["18.71.01"])  # a second plan of the run queues nothing
    assert [j.unit for j in queue.pending("units")] == ["18.71.01", "18.71.02", "18.71.03"]
    first, second = queue.lease("a", "units"), queue.lease("b", "units")  # two workers, one pemda
    third = queue.lease("a", "units")
    assert (first.unit, second.unit, third.unit, first.run, first.kind) == ("18.71.01", "18.71.02", "18.71.03", 7, "unit")
    assert not queue.unit_done("a", first)
    assert not queue.unit_done("a", first)  # acknowledged twice (taken over after a death): counted once
    assert not queue.unit_done("b", second)
    assert queue.pending() == []
    assert queue.unit_done("a", third)  # the last unit queues the run's finish job
    assert queue.pending() == [Job("18.71", "b", "finish", 7)]
    assert not queue.unit_done("b", second)  # never twice
    assert len(queue.pending()) == 1
    finish = queue.lease("c")
    assert queue.enqueue(["18.71"], "b2") == 0  # still running
    queue.run_done("c", finish)
    assert queue.is_idle() and queue.active() == set()
    assert queue.enqueue(["18.71"], "b2") == 1  # finished: may be surveyed again


def test_a_run_without_units_to_check_goes_straight_to_finish(queue) -> None:
    queue.enqueue(["18.72"], "b")
    assert queue.plan("w", queue.lease("w"), 9, [])
    assert queue.pending() == [Job("18.72", "b", "finish", 9)]


def test_dead_workers_jobs_return_once_and_first_in_line(queue) -> None:
    queue.enqueue(["18.71", "18.72", "18.12"], "b")
    dead = queue.lease("dead")
    alive = queue.lease("alive")
    queue.plan("alive", alive, 3, ["u1", "u2"])
    dead_unit, alive_unit = queue.lease("dead", "units"), queue.lease("alive", "units")
    queue.heartbeat("dead")
    queue.heartbeat("alive")
    queue.client.set(queue.frontier_key(queue.unit_frontier("dead")), "x")
    assert queue.reap() == 0  # both leases are fresh
    time.sleep(0.7)  # both expire; "alive" renews
    assert not queue.heartbeat("alive")  # it notices that it had been taken for dead
    assert queue.reap() == 2
    assert queue.reap() == 0  # moved once
    assert [j.pemda for j in queue.pending()] == [dead.pemda, "18.12"]
    assert [j.unit for j in queue.pending("units")] == [dead_unit.unit]
    assert queue.in_flight("units") == {"alive": [alive_unit]}
    assert not queue.client.exists(queue.frontier_key(queue.unit_frontier("dead")))  # its frontier is dropped
    again = queue.lease("other")
    assert again.raw == dead.raw  # the same job, same batch: the run is continued, not restarted
    assert queue.heartbeat("other") is False and queue.heartbeat("other") is True


def test_give_back_puts_the_job_first(queue) -> None:
    queue.enqueue(["18.71", "18.72"], "b")
    job = queue.lease("w")
    queue.give_back("w", job)
    assert [j.pemda for j in queue.pending()] == ["18.71", "18.72"]
    assert queue.in_flight() == {"w": []}
    queue.give_back("w", queue.lease("w"), last=True)
    assert [j.pemda for j in queue.pending()] == ["18.72", "18.71"]


def test_ip_slots_are_shared_between_workers_and_expire() -> None:
    prefix = f"spbe-test-{uuid.uuid4().hex[:8]}"
    policy = NetworkPolicy.from_lines(["a.example.go.id:80:127.0.0.1:8080", "b.example.go.id:80:127.0.0.1:8081"], ["127.0.0.0/8"])

    async def scenario() -> tuple[list[str], int]:
        one = SharedIpSlots(REDIS_URL, prefix, limit=2, hold_seconds=1.5, policy=policy)
        two = SharedIpSlots(REDIS_URL, prefix, limit=2, hold_seconds=1.5, policy=policy)
        events: list[str] = []
        first, second, third = Request("http://a.example.go.id/"), Request("http://b.example.go.id/x"), Request("http://a.example.go.id/y")
        await one.process_request(first)
        await two.process_request(second)  # another host on the same address, another worker
        second_taken = asyncio.get_running_loop().time()
        events.append("two held")

        async def late() -> None:
            await two.process_request(third)
            events.append("third got a slot")

        waiting = asyncio.create_task(late())
        await asyncio.sleep(0.2)
        events.append("released")
        await one.process_response(first, None)
        await asyncio.wait_for(waiting, 2)
        # a slot of a worker that died (never released) frees itself after its hold time
        await two.process_exception(third, Exception())
        await two.process_request(Request("http://b.example.go.id/z"))  # 2 held: second + this one
        waits_before = one.waits
        await one.process_request(Request("http://a.example.go.id/w"))  # waits until "second" (never released) expires
        held = asyncio.get_running_loop().time() - second_taken
        assert one.waits > waits_before
        keys = [k async for k in one.client.scan_iter(f"{prefix}:*")]
        if keys:
            await one.client.delete(*keys)
        await one.client.aclose()
        await two.client.aclose()
        return events, held

    events, held = asyncio.run(scenario())
    assert events == ["two held", "released", "third got a slot"]
    assert 1.45 <= held < 6  # the forgotten slot was held for its hold time, then freed


def test_claim_run_continues_the_batch_never_reruns_a_finished_one(tmp_path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'claim.sqlite3'}")
    with Session(engine, expire_on_commit=False) as session:
        stale = CrawlRun(scope="18.71", options={"pid": 1 << 22})  # an old local run whose process is gone
        session.add(stale)
        session.commit()
        first = claim_run(session, Job("18.71", "b1"), "w1")
        assert first is not None and first.id != stale.id
        assert session.get(CrawlRun, stale.id).state == "interrupted"
        again = claim_run(session, Job("18.71", "b1"), "w2")  # the finish step, another worker: same run
        assert again is not None and again.id == first.id and again.options["worker"] == "w2"
        again.state = "finished"
        session.add(again)
        session.commit()
        assert claim_run(session, Job("18.71", "b1"), "w3") is None
        newer = claim_run(session, Job("18.71", "b2"), "w3")
        assert newer is not None and newer.id not in (stale.id, first.id)
        assert len(session.exec(select(CrawlRun)).all()) == 3


def test_claim_run_leaves_a_live_owners_run_alone(tmp_path) -> None:
    """Another batch's unfinished run is interrupted only when its owner is gone: a worker by its
    lease in Redis, a local run by its process."""
    engine = get_engine(f"sqlite:///{tmp_path / 'owners.sqlite3'}")
    alive = {"w-live"}
    with Session(engine, expire_on_commit=False) as session:
        running = claim_run(session, Job("18.71", "b1"), "w-live")
        with pytest.raises(RunBusy, match="18.71"):
            claim_run(session, Job("18.71", "b2"), "w-new", lambda w: w in alive)
        assert session.get(CrawlRun, running.id).state == "running"
        local = CrawlRun(scope="18.72", options={"pid": os.getppid()})  # a live process here
        session.add(local)
        session.commit()
        with pytest.raises(RunBusy):
            claim_run(session, Job("18.72", "b2"), "w-new", lambda w: w in alive)
        alive.clear()  # w-live's lease expired
        taken = claim_run(session, Job("18.71", "b2"), "w-new", lambda w: w in alive)
        assert taken is not None and taken.id != running.id
        assert session.get(CrawlRun, running.id).state == "interrupted"


def test_frontier_pops_higher_priority_first_then_newest_like_scrapy() -> None:
    import redis

    from spbe_crawler.cluster.scheduler import LifoPriorityQueue
    from spbe_crawler.spiders.survey import SurveySpider

    spider = SurveySpider(pemda="18.71")
    server = redis.Redis.from_url(REDIS_URL)
    frontier = LifoPriorityQueue(server, spider, f"spbe-test-{uuid.uuid4().hex[:8]}:frontier:18.71")
    pushed = [("http://a.go.id/", 0), ("http://b.go.id/", 0), ("http://a.go.id/p", 9), ("http://z.go.id/", 0), ("http://a.go.id/q", 9)]
    for url, priority in pushed:
        frontier.push(Request(url, callback=spider._on_response, errback=spider._on_error, priority=priority, dont_filter=True))
    popped = [frontier.pop().url for _ in pushed]
    assert frontier.pop() is None
    server.close()
    assert popped == ["http://a.go.id/q", "http://a.go.id/p", "http://z.go.id/", "http://b.go.id/", "http://a.go.id/"]


def test_a_stuck_pemda_is_dropped_unless_a_live_worker_holds_it(queue) -> None:
    """``spbe antrean lepas``: a pemda whose finish step keeps failing stays active and cannot be
    queued again; dropping it removes its queued and dead-held jobs and its run keys, and leaves
    other pemda alone. A live worker's job makes it refuse."""
    from spbe_crawler.cluster.queue import FINISH, UNIT, UNITS, QueueBusy

    assert queue.enqueue(["18.71", "18.72"], "b1") == 2
    pemda = queue.lease("hidup")
    queue.heartbeat("hidup")
    assert queue.plan("hidup", pemda, 7, ["18.71.01", "18.71.02"])
    unit = queue.lease("mati", UNITS)  # a worker that will die holding a unit of 18.71
    assert unit.kind == UNIT and unit.pemda == "18.71"
    held = queue.lease("hidup")  # the live worker now holds 18.72's pemda job
    assert held.pemda == "18.72"

    with pytest.raises(QueueBusy) as refused:
        queue.drop_pemda("18.72")
    assert refused.value.workers == ["hidup"] and "18.72" in queue.active()

    overview = queue.overview()
    assert overview.alive == {"hidup": True, "mati": False} and [j.unit for j in overview.queued[UNITS]] == ["18.71.02"]
    assert queue.drop_pemda("18.71") == 2  # the queued unit and the dead worker's unit
    assert queue.pending(UNITS) == [] and queue.in_flight(UNITS)["mati"] == []
    assert not queue.client.exists(queue.planned_key(7), queue.left_key(7))
    assert queue.active() == {"18.72"} and queue.reap() == 0  # nothing of 18.71 comes back
    assert queue.enqueue(["18.71"], "b2") == 1  # it can be queued again
    assert [j.kind for j in queue.pending()] == ["pemda"] and FINISH not in {j.kind for j in queue.pending()}


def test_cli_queue_status_and_release(queue, monkeypatch) -> None:
    from typer.testing import CliRunner

    from spbe_crawler.cli import app

    monkeypatch.setenv("SPBE_REDIS_URL", REDIS_URL)
    monkeypatch.setenv("SPBE_REDIS_PREFIX", queue.prefix)
    queue.enqueue(["18.71"], "b1")
    queue.lease("pekerja-mati")
    runner = CliRunner()
    status = runner.invoke(app, ["antrean", "status"])
    assert status.exit_code == 0, status.output
    assert "pekerja-mati" in status.output and "mati" in status.output and "18.71" in status.output
    released = runner.invoke(app, ["antrean", "lepas", "--pemda", "18.71"])
    assert released.exit_code == 0 and "1 pekerjaan dihapus" in released.output
    assert queue.active() == set()
    queue.enqueue(["18.72"], "b2")
    assert queue.fail("w", queue.lease("w"), "ValueError: kode unit ganda", limit=1)
    listed = runner.invoke(app, ["antrean", "status"], env={"COLUMNS": "200"})
    assert "Disisihkan setelah gagal berulang" in listed.output and "rencana pemda 18.72" in listed.output
    assert "kode unit ganda" in listed.output


def test_a_control_job_that_keeps_failing_is_set_aside_and_its_run_recorded(queue, tmp_path, monkeypatch) -> None:
    """A pemda whose planning or finish step raises every time must not stop the workers one after
    another: it goes back to the end of the line, and after FAIL_LIMIT failures it is set aside, its
    active mark freed and its batch run recorded as interrupted with the error, so a waiting
    ``spbe run --tunggu`` ends instead of waiting forever."""
    from spbe_crawler.cluster import batch as batches
    from spbe_crawler.cluster.queue import FAIL_LIMIT
    from spbe_crawler.cluster.worker import Worker, WorkerReport

    url = f"sqlite:///{tmp_path / 'spbe.sqlite3'}"
    monkeypatch.setenv("SPBE_DATABASE_URL", url)
    engine = get_engine(url)
    with Session(engine) as session:
        session.add(CrawlRun(kind="survey", scope="18.71", options={"batch": "b1", "worker": "w"}))
        session.commit()
    assert queue.enqueue(["18.71", "18.72"], "b1") == 2
    worker = Worker.__new__(Worker)  # the failure path only: no crawler process, no reactor
    worker.queue, worker.worker, worker.report = queue, "w", WorkerReport("w")

    for attempt in range(1, FAIL_LIMIT + 1):
        job = queue.lease("w")
        if job.pemda == "18.72":  # the healthy pemda is not held up behind the failing one
            queue.run_done("w", job)
            job = queue.lease("w")
        assert job.pemda == "18.71"
        worker.failed(job, RuntimeError("unit rusak di registri"))
        assert queue.in_flight()["w"] == []
        if attempt < FAIL_LIMIT:
            assert [j.pemda for j in queue.pending()][-1] == "18.71" and "18.71" in queue.active()
    assert queue.pending() == [] and "18.71" not in queue.active()
    [dead] = queue.dead()
    assert Job.parse(dead["job"]).pemda == "18.71" and dead["failures"] == FAIL_LIMIT and "unit rusak" in dead["error"]
    assert worker.report.failed == ["18.71"]
    with Session(engine) as session:
        state = batches.progress(session, "b1", ["18.71"])
        run = session.exec(select(CrawlRun)).one()
    assert run.state == "interrupted" and "RuntimeError: unit rusak di registri" in run.options["error"]
    assert state.done and state.failed == {"18.71": run.options["error"]} and state.finished == {}
    assert queue.enqueue(["18.71"], "b2") == 1  # it can be queued again once fixed
