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
    assert job == Job("18.71", "b1", job.raw)
    assert [j.pemda for j in queue.pending()] == ["18.72"]
    assert queue.in_flight() == {"w1": [job]}
    assert queue.enqueue(["18.71"], "b3") == 0  # in flight counts as queued
    queue.ack("w1", job)
    assert queue.in_flight() == {"w1": []}
    assert not queue.is_idle()
    queue.ack("w2", queue.lease("w2"))
    assert queue.is_idle()


def test_dead_workers_jobs_return_once_and_first_in_line(queue) -> None:
    queue.enqueue(["18.71", "18.72", "18.12"], "b")
    dead = queue.lease("dead")
    alive = queue.lease("alive")
    assert queue.reap() == 0  # both leases are fresh
    time.sleep(0.7)  # both expire; "alive" renews
    queue.heartbeat("alive")
    assert queue.reap() == 1
    assert queue.reap() == 0  # moved once
    assert [j.pemda for j in queue.pending()] == [dead.pemda, "18.12"]
    assert queue.in_flight() == {"alive": [alive]}
    again = queue.lease("other")
    assert again.raw == dead.raw  # the same job, same batch: the run is continued, not restarted


def test_give_back_puts_the_job_first(queue) -> None:
    queue.enqueue(["18.71", "18.72"], "b")
    job = queue.lease("w")
    queue.give_back("w", job)
    assert [j.pemda for j in queue.pending()] == ["18.71", "18.72"]
    assert queue.in_flight() == {"w": []}


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
        stale = CrawlRun(scope="18.71", options={"pid": 1})  # an old local run, never finished
        session.add(stale)
        session.commit()
        first = claim_run(session, Job("18.71", "b1"), "w1")
        assert first is not None and first.id != stale.id
        assert session.get(CrawlRun, stale.id).state == "interrupted"
        again = claim_run(session, Job("18.71", "b1"), "w2")  # w1 died: w2 continues the same run
        assert again is not None and again.id == first.id
        assert again.options["worker"] == "w2" and again.options["taken_over"] == 1
        again.state = "finished"
        session.add(again)
        session.commit()
        assert claim_run(session, Job("18.71", "b1"), "w3") is None
        newer = claim_run(session, Job("18.71", "b2"), "w3")
        assert newer is not None and newer.id not in (stale.id, first.id)
        assert len(session.exec(select(CrawlRun)).all()) == 3


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
