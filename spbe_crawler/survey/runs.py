"""Crawl runs: open a new one or resume an interrupted one, and close it with one outcome per unit."""

from __future__ import annotations

import os
from collections.abc import Iterable

from sqlmodel import Session, select

from spbe_crawler.health.status import Status, best
from spbe_crawler.store.models import CrawlRun, SiteCheck, Unit, UnitOutcome, Website, utcnow


class RunBusy(RuntimeError):
    """Another live process is running the same job on the same scope."""


def _pid_alive(pid: int | None) -> bool:
    if not pid or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def open_run(session: Session, scope: str, kind: str = "survey", resume: bool = True, options: dict | None = None) -> CrawlRun:
    """The unfinished run of this scope to continue (``resume``), or a new one.

    An unfinished run whose process is still alive means a second job on the same targets: refused.
    """
    latest = session.exec(
        select(CrawlRun).where(CrawlRun.scope == scope, CrawlRun.kind == kind).order_by(CrawlRun.id.desc())  # type: ignore[union-attr]
    ).first()
    if latest is not None and latest.state != "finished":
        if _pid_alive(latest.options.get("pid")):
            raise RunBusy(f"Run #{latest.id} untuk {scope} masih berjalan (pid {latest.options.get('pid')}).")
        if resume:
            latest.state = "running"
            latest.options = {**latest.options, "pid": os.getpid(), "resumed": latest.options.get("resumed", 0) + 1}
            session.add(latest)
            session.commit()
            return latest
        latest.state = "interrupted"
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
    checks = session.exec(select(SiteCheck).where(SiteCheck.run_id == run.id)).all()
    by_unit: dict[str, list[SiteCheck]] = {}
    for check in checks:
        by_unit.setdefault(check.unit_code, []).append(check)
    with_sites = set(session.exec(select(Website.unit_code).where(Website.state != "rejected")).all())
    assert run.id is not None
    existing = {o.unit_code: o for o in session.exec(select(UnitOutcome).where(UnitOutcome.run_id == run.id)).all()}
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
        outcome = existing.get(unit.code) or UnitOutcome(run_id=run.id, unit_code=unit.code, status=status)
        outcome.status, outcome.detail, outcome.website_id = status, detail, website_id
        session.add(outcome)
        count += 1
    session.commit()
    return count


def finish_run(session: Session, run: CrawlRun, finished: bool) -> None:
    run.state = "finished" if finished else "interrupted"
    run.finished_at = utcnow()
    session.add(run)
    session.commit()
