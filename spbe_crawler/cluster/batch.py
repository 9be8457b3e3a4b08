"""A batch: the pemda of one ``spbe run --pemda A,B | --provinsi P | --all`` queued for the workers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from spbe_crawler.cluster.queue import JobQueue
from spbe_crawler.registry.results import RegistryError
from spbe_crawler.registry.wilayah_file import read_wilayah
from spbe_crawler.store import cluster_queries


def select_pemda(pemda: str | None = None, provinsi: str | None = None, all_pemda: bool = False) -> list[str]:
    """The pemda codes chosen on the command line, in code order; unknown codes are an error."""
    regions = read_wilayah().regions
    known = sorted(code for code, region in regions.items() if region.kind == "pemda")
    if all_pemda:
        return known
    chosen: list[str] = []
    if provinsi:
        for province in [p.strip() for p in provinsi.split(",") if p.strip()]:
            inside = [code for code in known if code.startswith(province + ".")]
            if not inside:
                raise RegistryError(f"Kode provinsi {province} tidak ada di data wilayah (contoh: 18 untuk Lampung).")
            chosen += inside
    for code in [c.strip() for c in (pemda or "").split(",") if c.strip()]:
        if code not in known:
            raise RegistryError(f"Kode pemda {code} tidak ada di data wilayah (contoh: 18.71 untuk Kota Bandar Lampung).")
        chosen.append(code)
    return list(dict.fromkeys(chosen))


def new_batch_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def enqueue(queue: JobQueue, codes: list[str], batch: str) -> int:
    return queue.enqueue(codes, batch)


@dataclass
class BatchProgress:
    batch: str
    codes: list[str]
    finished: dict[str, int] = field(default_factory=dict)  # pemda -> run id
    failed: dict[str, str] = field(default_factory=dict)  # pemda -> error (its job failed for good)

    @property
    def done(self) -> bool:
        return len(self.finished) + len(self.failed) >= len(self.codes)


def progress(session: Session, batch: str, codes: list[str]) -> BatchProgress:
    """Which pemda of the batch have a finished run (their reports can be written) or failed for good."""
    finished = cluster_queries.finished_batch_runs(session, batch, codes)
    failed = {code: error for code, error in cluster_queries.failed_batch_runs(session, batch, codes).items() if code not in finished}
    return BatchProgress(batch, codes, finished, failed)


def wait(
    session_factory: Callable[[], Session],
    batch: str,
    codes: list[str],
    on_progress: Callable[[BatchProgress], None] = lambda _: None,
    poll_seconds: float = 2.0,
    timeout: float | None = None,
) -> BatchProgress:
    started = time.monotonic()
    seen = -1
    while True:
        with session_factory() as session:
            state = progress(session, batch, codes)
        if len(state.finished) + len(state.failed) != seen:
            seen = len(state.finished) + len(state.failed)
            on_progress(state)
        if state.done or (timeout is not None and time.monotonic() - started > timeout):
            return state
        time.sleep(poll_seconds)
