"""Environment knobs of the cluster (read when used, like :mod:`spbe_crawler.config`)."""

from __future__ import annotations

import os


def redis_url() -> str | None:
    """``SPBE_REDIS_URL``: the shared queue, e.g. ``redis://10.0.0.5:6379/0``; unset: no cluster."""
    return os.environ.get("SPBE_REDIS_URL") or None


def redis_prefix() -> str:
    """``SPBE_REDIS_PREFIX`` (default ``spbe``): every key of this installation starts with it."""
    return os.environ.get("SPBE_REDIS_PREFIX") or "spbe"


def lease_seconds() -> float:
    """``SPBE_WORKER_LEASE`` (default 60 s): a worker silent this long is dead and its job returns."""
    return float(os.environ.get("SPBE_WORKER_LEASE") or 60)


def per_ip() -> int:
    """``SPBE_CLUSTER_PER_IP``: requests at once per server address, all workers together
    (0 / unset: the same as ``SPBE_CONCURRENT_REQUESTS_PER_IP``)."""
    return int(os.environ.get("SPBE_CLUSTER_PER_IP") or 0)


def open_sites() -> int:
    """``SPBE_CLUSTER_OPEN_SITES``: websites a worker's unit crawl keeps open at once (it takes no new
    unit beyond that); 0 / unset: twice ``SPBE_CONCURRENT_REQUESTS``."""
    return int(os.environ.get("SPBE_CLUSTER_OPEN_SITES") or 0)
