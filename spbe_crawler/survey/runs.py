"""Crawl runs: open a new one or resume an interrupted one, and close it with one outcome per unit."""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session

from spbe_crawler import config
from spbe_crawler.health.status import Status, best
from spbe_crawler.store import queries
from spbe_crawler.store.models import CrawlRun, Unit, UnitOutcome, utcnow
from spbe_crawler.store.queries import CheckOutcome
from spbe_crawler.vocab import RunKind, RunState


class RunBusy(RuntimeError):
    """Another live process is running the same job on the same scope."""


_HELD: set[str] = set()  # lock files this process holds (nested use is a no-op)


@contextmanager
def exclusive_run(scope: str, kind: str = RunKind.SURVEY.value) -> Iterator[None]:
    """Hold the job's lock for ``scope`` or refuse up front with :class:`RunBusy`, touching nothing.

    Two layers: an exclusive ``flock`` on ``$SPBE_HOME/locks/<kind>-<scope>.lock`` (released by the
    kernel even after ``kill -9``; closes the race of two commands started together) and the store:
    an unfinished run whose process is alive (another ``$SPBE_HOME`` on the same database).
    """
    path = config.home_dir() / "locks" / f"{kind}-{re.sub(r'[^0-9A-Za-z._-]', '_', scope)}.lock"
    if str(path) in _HELD:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise RunBusy(_busy_text(scope, kind, f"pid {holder}")) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _check_store(scope, kind)
        _HELD.add(str(path))
        try:
            yield
        finally:
            _HELD.discard(str(path))
    finally:
        os.close(fd)  # releases the flock


def _check_store(scope: str, kind: str) -> None:
    from spbe_crawler.store.db import session_scope

    with session_scope() as session:
        running = busy_run(session, scope, kind)
    if running is not None:
        raise RunBusy(_busy_text(scope, kind, f"run #{running.id}, pid {running.options.get('pid')}"))


def _busy_text(scope: str, kind: str, who: str) -> str:
    job = "Survei" if kind == RunKind.SURVEY else f"Pekerjaan {kind}"
    return (
        f"{job} untuk pemda {scope} masih berjalan di proses lain ({who}). Tunggu sampai selesai atau hentikan "
        "proses itu; perintah ini tidak dijalankan dan tidak mengubah apa pun."
    )


def busy_run(session: Session, scope: str, kind: str = RunKind.SURVEY.value) -> CrawlRun | None:
    """The unfinished run of ``scope`` whose process is still alive (another job on the same targets)."""
    latest = queries.latest_run(session, scope, kind)
    if latest is not None and latest.state != RunState.FINISHED and pid_alive(latest.options.get("pid")):
        return latest
    return None


def pid_alive(pid: Any) -> bool:
    """Whether ``pid`` names another live process on this host (a run's owner)."""
    if not isinstance(pid, int) or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def open_run(session: Session, scope: str, kind: str = RunKind.SURVEY.value, resume: bool = True, options: dict | None = None) -> CrawlRun:
    """The unfinished run of this scope to continue (``resume``), or a new one.

    An unfinished run whose process is still alive means a second job on the same targets: refused.
    """
    latest = queries.latest_run(session, scope, kind)
    if latest is not None and latest.state != RunState.FINISHED:
        if pid_alive(latest.options.get("pid")):
            raise RunBusy(_busy_text(scope, kind, f"run #{latest.id}, pid {latest.options.get('pid')}"))
        if resume:
            latest.state = RunState.RUNNING.value
            latest.options = {**latest.options, "pid": os.getpid(), "resumed": latest.options.get("resumed", 0) + 1}
            session.add(latest)
            session.commit()
            return latest
        latest.state = RunState.INTERRUPTED.value
        session.add(latest)
    run = CrawlRun(kind=kind, scope=scope, options={**(options or {}), "pid": os.getpid()})
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def record_unit_outcomes(session: Session, run: CrawlRun, units: Iterable[Unit], tried: dict[str, str] | None = None) -> int:
    """One UnitOutcome per unit in scope: the best status among its websites' checks, or no_website.

    ``tried`` (unit code -> sentence) says which host names discovery tried for a unit it did not
    find a site for; it is added to that unit's ``no_website`` detail as evidence.
    """
    assert run.id is not None
    by_unit: dict[str, list[CheckOutcome]] = {}
    for check in queries.check_outcomes(session, run.id):
        by_unit.setdefault(check.unit_code, []).append(check)
    with_sites = queries.units_with_websites(session)
    existing = queries.unit_outcomes(session, run.id)
    new_rows: list[dict[str, Any]] = []
    count = 0
    for unit in units:
        unit_checks = by_unit.get(unit.code, [])
        status = best([c.status for c in unit_checks])
        if not unit_checks and unit.code in with_sites:
            status, detail, website_id = Status.ERROR.value, "situs terdaftar tetapi tidak diperiksa", None
        else:
            chosen = next((c for c in unit_checks if c.status == status), None)
            detail = chosen.detail if chosen else "tidak ada situs web yang terdaftar atau ditemukan"
            if chosen is None and (tried or {}).get(unit.code):
                detail = f"{detail}; {(tried or {})[unit.code]}"
            website_id = chosen.website_id if chosen else None
        outcome = existing.get(unit.code)
        if outcome is None:  # one multi-row insert for the new ones (an ORM object each cost ~0.1 ms)
            new_rows.append({"run_id": run.id, "unit_code": unit.code, "status": status, "detail": detail, "website_id": website_id})
        else:  # a resumed run's outcome, recorded before
            outcome.status, outcome.detail, outcome.website_id = status, detail, website_id
            session.add(outcome)
        count += 1
    queries.insert_rows(session, UnitOutcome, new_rows)
    session.commit()
    return count


def finish_run(session: Session, run: CrawlRun, finished: bool) -> None:
    run.state = (RunState.FINISHED if finished else RunState.INTERRUPTED).value
    run.finished_at = utcnow()
    session.add(run)
    session.commit()
