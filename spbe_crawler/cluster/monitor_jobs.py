"""Monitor sweeps at national scale through the same job queue: one ``monitor`` job per shard.

``spbe monitor antrean --bagian N`` queues shards 1/N ... N/N of one sweep (each once: a shard still
queued or being swept from the previous round is not queued again); each worker that takes one
sweeps that shard (as ``spbe monitor sweep --bagian K/N --tunggu-konfirmasi`` would) under the
shard's own lease in the store, and acknowledges the job when the sweep is recorded and its new
failures are confirmed, so a job's end means its verdicts and alerts are out. A worker killed
mid-sweep: the job returns to the queue and is swept again once the shard's store lease has expired.
"""

from __future__ import annotations

import asyncio

from spbe_crawler.cluster.queue import MONITOR, Job, JobQueue


def shard_jobs(scope: str, parts: int, target_class: str | None, batch: str) -> list[tuple[str, Job]]:
    """(active key, job) of every shard of one sweep."""
    kelas = target_class or ""
    return [
        (f"monitor:{scope}:{kelas}:{k}/{parts}", Job(scope, batch, MONITOR, shard=f"{k}/{parts}", target_class=kelas))
        for k in range(1, parts + 1)
    ]


def enqueue_sweep(queue: JobQueue, scope: str, parts: int, target_class: str | None, batch: str) -> int:
    return queue.enqueue_keyed(shard_jobs(scope, parts, target_class, batch))


def active_key(job: Job) -> str:
    return f"monitor:{job.pemda}:{job.target_class}:{job.shard}"


async def sweep_shard(job: Job) -> str:
    """Sweep the job's shard under its store lease; a short summary line. Raises
    :class:`~spbe_crawler.monitor.lease.LeaseBusy` when another process sweeps that shard now."""
    from spbe_crawler.monitor.lease import LEASE_NAME, holding, new_holder
    from spbe_crawler.monitor.settings import MonitorSettings
    from spbe_crawler.monitor.sweep import run_sweep
    from spbe_crawler.store.db import get_engine

    part, count = (int(x) for x in job.shard.split("/"))
    settings = MonitorSettings.from_env()
    engine = get_engine()

    async def sweep() -> str:  # its own task: a lost lease cancels the sweep, not the worker
        async with holding(engine, new_holder(), job.pemda, settings.lease_ttl, name=f"{LEASE_NAME}:{job.shard}"):
            summary = await run_sweep(
                engine, job.pemda, job.target_class or None, settings=settings, shard=(part - 1, count), until_confirmed=True
            )
        return f"sapuan #{summary.run_id} {summary.targets} situs, {summary.down} gagal"

    return await asyncio.ensure_future(sweep())
