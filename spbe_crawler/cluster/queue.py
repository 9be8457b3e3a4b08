"""The shared job queue on Redis: one job per pemda, leased by one worker at a time.

A reliable queue (the "lease" pattern): ``LMOVE`` takes a job from ``<p>:jobs`` onto the worker's own
``<p>:inflight:<worker>`` list in one atomic step, and the worker keeps ``<p>:alive:<worker>``
(a key with a time-to-live) fresh while it runs. A worker that dies (SIGKILL, power loss) stops
renewing; once its key expires any other worker moves its in-flight jobs back to the queue
(:meth:`JobQueue.reap`, one Lua script, so a job is never moved twice). A job leaves the in-flight
list only when its run is finished in the store (:meth:`JobQueue.ack`): no job is lost, and since
runs resume, a job taken again continues where the dead worker stopped.

Why a pemda and not a single site: discovery matches links to the pemda's units and the run of a
pemda records one outcome per unit at its end; both need the whole pemda in one crawl. Sites of a
pemda are still crawled concurrently, within one worker.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

import redis

DEFAULT_PREFIX = "spbe"

# Move every in-flight job of a worker whose alive key has expired back to the head of the queue.
# KEYS[1] alive key, KEYS[2] in-flight list, KEYS[3] job queue, KEYS[4] worker set; ARGV[1] worker id
_REAP = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local moved = 0
while redis.call('LMOVE', KEYS[2], KEYS[3], 'RIGHT', 'LEFT') do moved = moved + 1 end
redis.call('SREM', KEYS[4], ARGV[1])
return moved
"""


@dataclass(frozen=True)
class Job:
    pemda: str
    batch: str = ""
    raw: str = ""  # the exact queued string (LREM needs it)

    @classmethod
    def parse(cls, raw: str) -> Job:
        data = json.loads(raw)
        return cls(pemda=str(data["pemda"]), batch=str(data.get("batch", "")), raw=raw)

    def dumps(self) -> str:
        return json.dumps({"pemda": self.pemda, "batch": self.batch}, sort_keys=True)


def connect(url: str) -> redis.Redis:
    client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=30, socket_connect_timeout=10)
    client.ping()
    return client


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class JobQueue:
    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX, lease_seconds: float = 30.0):
        self.client = client
        self.prefix = prefix
        self.lease_seconds = lease_seconds
        self._reap = client.register_script(_REAP)

    # --- keys -------------------------------------------------------------------------------
    @property
    def jobs_key(self) -> str:
        return f"{self.prefix}:jobs"

    def inflight_key(self, worker: str) -> str:
        return f"{self.prefix}:inflight:{worker}"

    def alive_key(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    @property
    def workers_key(self) -> str:
        return f"{self.prefix}:workers"

    def frontier_key(self, pemda: str) -> str:
        """Where the scrapy-redis scheduler keeps the page requests of the pemda being crawled."""
        return f"{self.prefix}:frontier:{pemda}"

    # --- producer ---------------------------------------------------------------------------
    def enqueue(self, pemda_codes: list[str], batch: str = "") -> int:
        """Queue one job per pemda not already queued or in flight; returns how many were added."""
        present = {Job.parse(raw).pemda for raw in self._all_jobs()}
        added = [Job(code, batch).dumps() for code in dict.fromkeys(pemda_codes) if code not in present]
        if added:
            self.client.rpush(self.jobs_key, *added)
        return len(added)

    def _all_jobs(self) -> list[str]:
        raws = list(self.client.lrange(self.jobs_key, 0, -1))
        for worker in self.client.smembers(self.workers_key):
            raws += self.client.lrange(self.inflight_key(worker), 0, -1)
        return raws

    def pending(self) -> list[Job]:
        return [Job.parse(raw) for raw in self.client.lrange(self.jobs_key, 0, -1)]

    def in_flight(self) -> dict[str, list[Job]]:
        return {w: [Job.parse(r) for r in self.client.lrange(self.inflight_key(w), 0, -1)] for w in self.client.smembers(self.workers_key)}

    # --- worker -----------------------------------------------------------------------------
    def heartbeat(self, worker: str) -> None:
        with self.client.pipeline() as pipe:
            pipe.sadd(self.workers_key, worker)
            pipe.set(self.alive_key(worker), "1", px=int(self.lease_seconds * 1000))
            pipe.execute()

    def lease(self, worker: str) -> Job | None:
        """Take the next job (atomically onto this worker's in-flight list), or None when none is queued."""
        self.heartbeat(worker)
        raw = self.client.lmove(self.jobs_key, self.inflight_key(worker), "LEFT", "RIGHT")
        return Job.parse(raw) if raw else None

    def ack(self, worker: str, job: Job) -> None:
        """The job's run is finished in the store: forget it."""
        self.client.lrem(self.inflight_key(worker), 1, job.raw)

    def give_back(self, worker: str, job: Job) -> None:
        """The crawl stopped early (shutdown): queue the job again, first in line."""
        with self.client.pipeline() as pipe:
            pipe.lpush(self.jobs_key, job.raw)
            pipe.lrem(self.inflight_key(worker), 1, job.raw)
            pipe.execute()

    def leave(self, worker: str) -> None:
        """A worker that stops cleanly: its in-flight jobs (normally none) return to the queue."""
        self.client.delete(self.alive_key(worker))
        self.reap()

    def reap(self) -> int:
        """Return the in-flight jobs of every worker whose lease expired; returns how many moved."""
        moved = 0
        for worker in self.client.smembers(self.workers_key):
            keys = [self.alive_key(worker), self.inflight_key(worker), self.jobs_key, self.workers_key]
            moved += int(self._reap(keys=keys, args=[worker]))
        return moved

    def is_idle(self) -> bool:
        """Nothing queued and nothing in flight anywhere."""
        return self.client.llen(self.jobs_key) == 0 and not any(self.in_flight().values())

    def clear(self) -> None:
        keys: list[Any] = list(self.client.scan_iter(f"{self.prefix}:*"))
        if keys:
            self.client.delete(*keys)
