"""The shared job queue on Redis: jobs leased by one worker at a time, returned when a worker dies.

Two lanes, both reliable queues (the "lease" pattern): ``LMOVE`` takes a job from the lane's list onto
the worker's own in-flight list of that lane in one atomic step, and the worker keeps
``<p>:alive:<worker>`` (a key with a time-to-live) fresh while it runs. A worker that dies (SIGKILL,
power loss) stops renewing; once its key expires any other worker moves its in-flight jobs back to the
head of their lanes (:meth:`JobQueue.reap`, one Lua script, so a job is never moved twice). A job
leaves the in-flight list only when its work is committed in the store.

- ``<p>:jobs``, the control lane, small steps done by the worker itself: ``pemda`` (open the batch's
  run of a pemda and queue one ``unit`` job per unit that has websites to check), ``finish`` (after the
  last unit: discovery of unlisted sites, one outcome per unit, the run marked finished) and
  ``monitor`` (one shard of a monitor sweep).
- ``<p>:units``, the sites: one job per unit of a run (all of the unit's websites, so the unit's
  findings are written by one worker). Every worker's long-lived crawl takes units from here, so the
  sites of one large pemda are crawled by all workers at once.

A run's units still to do are the set ``<p>:left:<run>``; acknowledging the unit that empties it
queues the run's ``finish`` job, in the same script: the run finishes exactly once.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import redis

DEFAULT_PREFIX = "spbe"
JOBS = "jobs"
UNITS = "units"
LANES = (JOBS, UNITS)

FAIL_LIMIT = 3  # failures of a control job before it is set aside (JobQueue.fail)

PEMDA = "pemda"
UNIT = "unit"
FINISH = "finish"
MONITOR = "monitor"

# Move every in-flight job of a worker whose alive key has expired back to the head of its lane, and
# drop the frontier of its unit crawl (the page requests of sites that are queued again).
# KEYS[1] alive key, KEYS[2] worker set, KEYS[3-4] its frontier keys, then (in-flight list, lane)
# pairs; ARGV[1] worker id
_REAP = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[3], KEYS[4])
local moved = 0
for i = 5, #KEYS, 2 do
  while redis.call('LMOVE', KEYS[i], KEYS[i + 1], 'RIGHT', 'LEFT') do moved = moved + 1 end
end
redis.call('SREM', KEYS[2], ARGV[1])
return moved
"""

# Queue each pemda once while it is queued, planned or running (the set <p>:active), atomically.
# KEYS[1] active set, KEYS[2] jobs lane; ARGV: (code, raw job) pairs. Returns how many were queued.
_ENQUEUE = """
local added = 0
for i = 1, #ARGV, 2 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i + 1])
    added = added + 1
  end
end
return added
"""

# A pemda job done: its units queued once per run (a worker that died after this left them queued).
# KEYS: in-flight list, planned flag, left set, units lane, jobs lane;
# ARGV: pemda raw job, finish raw job, then (unit code, raw unit job) pairs. 1 when planned now.
_PLAN = """
redis.call('LREM', KEYS[1], 1, ARGV[1])
if not redis.call('SET', KEYS[2], '1', 'NX') then return 0 end
for i = 3, #ARGV, 2 do
  redis.call('SADD', KEYS[3], ARGV[i])
  redis.call('RPUSH', KEYS[4], ARGV[i + 1])
end
if #ARGV == 2 then redis.call('LPUSH', KEYS[5], ARGV[2]) end
return 1
"""

# A unit done (its site checks committed). KEYS: in-flight list, left set, jobs lane;
# ARGV: raw unit job, unit code, finish raw job. 1 when this was the run's last unit.
_UNIT_DONE = """
redis.call('LREM', KEYS[1], 1, ARGV[1])
if redis.call('SREM', KEYS[2], ARGV[2]) == 1 and redis.call('SCARD', KEYS[2]) == 0 then
  redis.call('LPUSH', KEYS[3], ARGV[3])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class Job:
    pemda: str
    batch: str = ""
    kind: str = PEMDA
    run: int = 0
    unit: str = ""
    shard: str = ""  # monitor jobs: "K/N"
    target_class: str = ""  # monitor jobs: "portal", "unit" or "" (every site)
    raw: str = field(default="", compare=False)  # the exact queued string (LREM needs it)

    @classmethod
    def parse(cls, raw: str) -> Job:
        data = json.loads(raw)
        return cls(
            pemda=str(data.get("pemda", "")),
            batch=str(data.get("batch", "")),
            kind=str(data.get("kind", PEMDA)),
            run=int(data.get("run", 0)),
            unit=str(data.get("unit", "")),
            shard=str(data.get("shard", "")),
            target_class=str(data.get("target_class", "")),
            raw=raw,
        )

    def dumps(self) -> str:
        data: dict[str, Any] = {"kind": self.kind, "pemda": self.pemda, "batch": self.batch}
        if self.run:
            data["run"] = self.run
        if self.unit:
            data["unit"] = self.unit
        if self.shard:
            data["shard"] = self.shard
        if self.target_class:
            data["target_class"] = self.target_class
        return json.dumps(data, sort_keys=True)

    def queued(self) -> Job:
        """The job as it sits in Redis (``raw`` filled)."""
        return Job.parse(self.dumps())


class QueueBusy(RuntimeError):
    """A live worker holds a job of the pemda to drop."""

    def __init__(self, workers: list[str]):
        super().__init__(", ".join(workers))
        self.workers = workers


@dataclass
class QueueOverview:
    queued: dict[str, list[Job]]  # lane -> jobs waiting
    in_flight: dict[str, list[Job]]  # worker -> jobs it holds (every lane)
    alive: dict[str, bool]  # worker -> its lease is fresh
    active: set[str]  # pemda (and monitor shard keys) queued, planned or running
    dead: list[dict[str, Any]] = field(default_factory=list)  # control jobs set aside after repeated failures


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
        self._enqueue = client.register_script(_ENQUEUE)
        self._plan = client.register_script(_PLAN)
        self._unit_done = client.register_script(_UNIT_DONE)

    # --- keys -------------------------------------------------------------------------------
    def lane_key(self, lane: str = JOBS) -> str:
        return f"{self.prefix}:{lane}"

    @property
    def jobs_key(self) -> str:
        return self.lane_key(JOBS)

    def inflight_key(self, worker: str, lane: str = JOBS) -> str:
        return f"{self.prefix}:inflight:{worker}" if lane == JOBS else f"{self.prefix}:inflight-{lane}:{worker}"

    def alive_key(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    @property
    def workers_key(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def active_key(self) -> str:
        return f"{self.prefix}:active"

    @property
    def failures_key(self) -> str:
        """Hash: raw control job -> how many times it failed with an error."""
        return f"{self.prefix}:failures"

    @property
    def dead_key(self) -> str:
        """List of control jobs that failed ``FAIL_LIMIT`` times, with their last error (JSON)."""
        return f"{self.prefix}:dead"

    def planned_key(self, run: int) -> str:
        return f"{self.prefix}:planned:{run}"

    def left_key(self, run: int) -> str:
        return f"{self.prefix}:left:{run}"

    def leads_key(self, run: int) -> str:
        """Links to unlisted unit sites met while crawling the run's units (for its finish step)."""
        return f"{self.prefix}:leads:{run}"

    def frontier_key(self, name: str) -> str:
        """Where the scrapy-redis scheduler keeps the page requests of one crawl."""
        return f"{self.prefix}:frontier:{name}"

    @staticmethod
    def unit_frontier(worker: str) -> str:
        """The frontier name of a worker's unit crawl."""
        return f"worker-{worker}"

    # --- producer ---------------------------------------------------------------------------
    def enqueue(self, pemda_codes: list[str], batch: str = "") -> int:
        """Queue one job per pemda not already queued, planned or running; returns how many were added.

        Atomic (one Lua script): two ``spbe run`` started together never queue a pemda twice."""
        args: list[str] = []
        for code in dict.fromkeys(pemda_codes):
            args += [code, Job(code, batch).dumps()]
        return int(self._enqueue(keys=[self.active_key, self.jobs_key], args=args)) if args else 0

    def enqueue_keyed(self, jobs: list[tuple[str, Job]]) -> int:
        """Queue control jobs (monitor shards), each unless its key is still active; atomic."""
        args = [part for key, job in jobs for part in (key, job.dumps())]
        return int(self._enqueue(keys=[self.active_key, self.jobs_key], args=args)) if args else 0

    def done_keyed(self, worker: str, job: Job, key: str) -> None:
        """A keyed control job is done: forget it and free its key."""
        with self.client.pipeline() as pipe:
            pipe.lrem(self.inflight_key(worker), 1, job.raw)
            pipe.srem(self.active_key, key)
            pipe.execute()

    def pending(self, lane: str = JOBS) -> list[Job]:
        return [Job.parse(raw) for raw in self.client.lrange(self.lane_key(lane), 0, -1)]

    def in_flight(self, lane: str = JOBS) -> dict[str, list[Job]]:
        return {
            w: [Job.parse(r) for r in self.client.lrange(self.inflight_key(w, lane), 0, -1)] for w in self.client.smembers(self.workers_key)
        }

    def active(self) -> set[str]:
        """Pemda queued, planned or being surveyed."""
        return set(self.client.smembers(self.active_key))

    # --- worker -----------------------------------------------------------------------------
    def heartbeat(self, worker: str) -> bool:
        """Renew the worker's lease; False when it had expired (other workers may have taken its jobs)."""
        with self.client.pipeline() as pipe:
            pipe.sadd(self.workers_key, worker)
            pipe.set(self.alive_key(worker), "1", px=int(self.lease_seconds * 1000), get=True)
            _, previous = pipe.execute()
        return previous is not None

    def is_alive(self, worker: str) -> bool:
        return bool(self.client.exists(self.alive_key(worker)))

    def lease(self, worker: str, lane: str = JOBS) -> Job | None:
        """Take the next job (atomically onto this worker's in-flight list), or None when none is queued."""
        with self.client.pipeline() as pipe:
            pipe.sadd(self.workers_key, worker)  # a worker's in-flight lists are reaped only if it is known
            pipe.lmove(self.lane_key(lane), self.inflight_key(worker, lane), "LEFT", "RIGHT")
            _, raw = pipe.execute()
        return Job.parse(raw) if raw else None

    def ack(self, worker: str, job: Job, lane: str = JOBS) -> None:
        """The job's work is committed in the store: forget it."""
        self.client.lrem(self.inflight_key(worker, lane), 1, job.raw)

    def give_back(self, worker: str, job: Job, lane: str = JOBS, last: bool = False) -> None:
        """The work stopped early (shutdown): queue the job again, first in line (or ``last``)."""
        with self.client.pipeline() as pipe:
            if last:
                pipe.rpush(self.lane_key(lane), job.raw)
            else:
                pipe.lpush(self.lane_key(lane), job.raw)
            pipe.lrem(self.inflight_key(worker, lane), 1, job.raw)
            pipe.execute()

    def plan(self, worker: str, job: Job, run: int, units: list[str]) -> bool:
        """The pemda job is done: queue a unit job per unit of ``run`` (once per run; none left: its
        finish job at once) and forget the pemda job, in one step. False when already planned."""
        args = [job.raw, Job(job.pemda, job.batch, FINISH, run).dumps()]
        for unit in units:
            args += [unit, Job(job.pemda, job.batch, UNIT, run, unit).dumps()]
        keys = [self.inflight_key(worker), self.planned_key(run), self.left_key(run), self.lane_key(UNITS), self.jobs_key]
        return bool(self._plan(keys=keys, args=args))

    def unit_done(self, worker: str, job: Job) -> bool:
        """The unit's site checks are committed: forget its job; True when it was the run's last unit
        (its finish job is queued, first in line)."""
        keys = [self.inflight_key(worker, UNITS), self.left_key(job.run), self.jobs_key]
        args = [job.raw, job.unit, Job(job.pemda, job.batch, FINISH, job.run).dumps()]
        return bool(self._unit_done(keys=keys, args=args))

    def run_done(self, worker: str, job: Job) -> None:
        """The finish job's run is finished in the store: the pemda may be queued again."""
        with self.client.pipeline() as pipe:
            pipe.lrem(self.inflight_key(worker), 1, job.raw)
            pipe.delete(self.planned_key(job.run), self.left_key(job.run), self.leads_key(job.run))
            pipe.srem(self.active_key, job.pemda)
            pipe.hdel(self.failures_key, job.raw)
            pipe.execute()

    def fail(self, worker: str, job: Job, error: str, active: str | None = None, limit: int = 0) -> bool:
        """A control job raised an error: queue it again, last in line, or, after ``limit`` failures
        (default ``FAIL_LIMIT``), set it aside in the dead list and free its active key (``active``,
        default the pemda) so one bad pemda never stops the workers. True when set aside."""
        failures = int(self.client.hincrby(self.failures_key, job.raw, 1))
        dead = failures >= (limit or FAIL_LIMIT)
        with self.client.pipeline() as pipe:
            pipe.lrem(self.inflight_key(worker), 1, job.raw)
            if dead:
                record = {"job": job.raw, "error": error[:500], "worker": worker, "failures": failures, "at": time.time()}
                pipe.rpush(self.dead_key, json.dumps(record, sort_keys=True))
                pipe.hdel(self.failures_key, job.raw)
                pipe.srem(self.active_key, active or job.pemda)
            else:
                pipe.rpush(self.jobs_key, job.raw)
            pipe.execute()
        return dead

    def dead(self) -> list[dict[str, Any]]:
        """The control jobs set aside after repeated failures, oldest first."""
        return [json.loads(raw) for raw in self.client.lrange(self.dead_key, 0, -1)]

    def add_lead(self, run: int, lead: str) -> None:
        self.client.sadd(self.leads_key(run), lead)

    def leads(self, run: int) -> list[str]:
        return sorted(self.client.smembers(self.leads_key(run)))

    def leave(self, worker: str) -> None:
        """A worker that stops cleanly: its in-flight jobs (normally none) return to the queue."""
        self.client.delete(self.alive_key(worker))
        self.reap()

    def reap(self) -> int:
        """Return the in-flight jobs of every worker whose lease expired; returns how many moved."""
        moved = 0
        for worker in self.client.smembers(self.workers_key):
            name = self.unit_frontier(worker)
            keys = [self.alive_key(worker), self.workers_key, self.frontier_key(name), f"{self.prefix}:seen:{name}"]
            for lane in LANES:
                keys += [self.inflight_key(worker, lane), self.lane_key(lane)]
            moved += int(self._reap(keys=keys, args=[worker]))
        return moved

    def is_idle(self) -> bool:
        """Nothing queued and nothing in flight anywhere, in any lane."""
        if any(self.client.llen(self.lane_key(lane)) for lane in LANES):
            return False
        return not any(jobs for lane in LANES for jobs in self.in_flight(lane).values())

    # --- operator ---------------------------------------------------------------------------
    def overview(self) -> QueueOverview:
        """What is queued, in flight (per worker, alive or not) and active, for ``spbe antrean status``."""
        queued = {lane: self.pending(lane) for lane in LANES}
        workers = sorted(self.client.smembers(self.workers_key))
        held = {w: [job for lane in LANES for job in self._inflight(w, lane)] for w in workers}
        return QueueOverview(queued, held, {w: self.is_alive(w) for w in workers}, self.active(), self.dead())

    def _inflight(self, worker: str, lane: str) -> list[Job]:
        return [Job.parse(raw) for raw in self.client.lrange(self.inflight_key(worker, lane), 0, -1)]

    def drop_pemda(self, pemda: str) -> int:
        """Forget a pemda that is stuck (e.g. its finish step fails every time): its queued jobs,
        the in-flight jobs of dead workers (so they are not returned), its runs' bookkeeping and its
        active mark, so it can be queued again. Returns how many jobs were removed. Raises
        :class:`QueueBusy` while a live worker holds one of its jobs (stop that worker first)."""
        overview = self.overview()
        busy = sorted(w for w, jobs in overview.in_flight.items() if overview.alive[w] and any(j.pemda == pemda for j in jobs))
        if busy:
            raise QueueBusy(busy)
        removed, runs = 0, set[int]()
        with self.client.pipeline() as pipe:
            for lane in LANES:
                for job in overview.queued[lane]:
                    if job.pemda == pemda:
                        pipe.lrem(self.lane_key(lane), 1, job.raw)
                        removed, runs = removed + 1, runs | {job.run}
                for worker in overview.in_flight:
                    for job in self._inflight(worker, lane):
                        if job.pemda == pemda:
                            pipe.lrem(self.inflight_key(worker, lane), 1, job.raw)
                            removed, runs = removed + 1, runs | {job.run}
            for run in runs - {0}:
                pipe.delete(self.planned_key(run), self.left_key(run), self.leads_key(run))
            pipe.srem(self.active_key, pemda)
            pipe.execute()
        return removed

    def clear(self) -> None:
        keys: list[Any] = list(self.client.scan_iter(f"{self.prefix}:*"))
        if keys:
            self.client.delete(*keys)
