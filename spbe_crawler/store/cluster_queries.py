"""The cluster's queries: run claiming, unit jobs and batch progress (see :mod:`spbe_crawler.cluster`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from spbe_crawler.store.models import CrawlRun, Finding, Page, SiteCheck, UnitOutcome
from spbe_crawler.store.queries import FindingKey
from spbe_crawler.vocab import RunKind, RunState


def checked_among(session: Session, run_id: int, website_ids: Iterable[int]) -> set[int]:
    """Which of these websites already have their check in the run (a unit job taken again)."""
    ids = list(website_ids)
    if not ids:
        return set()
    statement = select(SiteCheck.website_id).where(SiteCheck.run_id == run_id, col(SiteCheck.website_id).in_(ids))
    return set(session.exec(statement).all())


def site_rows(session: Session, run_id: int, website_id: int) -> tuple[set[str], set[FindingKey], bool]:
    """What the run already holds of one website: page URLs, finding keys, and whether it is checked
    (a worker that died mid-site wrote some of it; the worker that takes the site over upserts)."""
    urls = set(session.exec(select(Page.url).where(Page.run_id == run_id, Page.website_id == website_id)).all())
    rows = session.exec(
        select(Finding.rule_id, Finding.url, Finding.unit_code).where(Finding.run_id == run_id, Finding.website_id == website_id)
    ).all()
    checked = session.exec(select(SiteCheck.id).where(SiteCheck.run_id == run_id, SiteCheck.website_id == website_id)).first()
    return urls, {(rule_id, url, unit_code) for rule_id, url, unit_code in rows}, checked is not None


def finished_batch_runs(session: Session, batch: str, codes: list[str]) -> dict[str, int]:
    """pemda code -> id of its finished survey run of this batch."""
    query = select(CrawlRun).where(col(CrawlRun.scope).in_(codes), CrawlRun.kind == RunKind.SURVEY.value)
    runs = session.exec(query.where(CrawlRun.state == RunState.FINISHED.value)).all()
    return {run.scope: run.id for run in runs if run.options.get("batch") == batch and run.id is not None}


def fail_batch_run(session: Session, pemda: str, batch: str, error: str) -> int | None:
    """Record the batch's unfinished run of ``pemda`` as interrupted with ``error`` (its job failed for
    good); the run's id, or None when the batch has no unfinished run of it."""
    query = select(CrawlRun).where(CrawlRun.scope == pemda, CrawlRun.kind == RunKind.SURVEY.value)
    for run in session.exec(query.where(CrawlRun.state != RunState.FINISHED.value).order_by(col(CrawlRun.id).desc())):
        if run.options.get("batch") == batch:
            run.state = RunState.INTERRUPTED.value
            run.options = {**run.options, "error": error[:500]}
            session.add(run)
            session.commit()
            return run.id
    return None


def failed_batch_runs(session: Session, batch: str, codes: list[str]) -> dict[str, str]:
    """pemda code -> error of its batch run that failed for good (see :func:`fail_batch_run`)."""
    query = select(CrawlRun).where(col(CrawlRun.scope).in_(codes), CrawlRun.kind == RunKind.SURVEY.value)
    runs = session.exec(query.where(CrawlRun.state == RunState.INTERRUPTED.value)).all()
    return {run.scope: str(run.options["error"]) for run in runs if run.options.get("batch") == batch and run.options.get("error")}


def outcome_counts(session: Session, run_ids: list[int]) -> dict[int, int]:
    rows = session.exec(select(UnitOutcome.run_id).where(col(UnitOutcome.run_id).in_(run_ids))).all()
    counts: dict[int, int] = {}
    for run_id in rows:
        counts[run_id] = counts.get(run_id, 0) + 1
    return counts


def upsert_pages(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert new pages (column values, one multi-row statement); a page another worker stored in the
    meantime under the same (run, URL) is updated instead (PostgreSQL and SQLite ``ON CONFLICT``)."""
    statement = _insert(session, Page, rows)
    if statement is not None:
        update = {c.name: statement.excluded[c.name] for c in Page.__table__.columns if c.name not in ("id", "run_id", "url")}  # type: ignore[attr-defined]
        session.execute(statement.on_conflict_do_update(index_elements=["run_id", "url"], set_=update), rows)


def insert_findings(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert new findings (column values, one multi-row statement); the same evidence another worker
    stored in the meantime under the same (run, rule, URL, unit) is kept as it is (``ON CONFLICT DO
    NOTHING``): it came from the same unit's pages."""
    statement = _insert(session, Finding, rows)
    if statement is not None:
        session.execute(statement.on_conflict_do_nothing(index_elements=["run_id", "rule_id", "url", "unit_code"]), rows)


def _insert(session: Session, model: type[Page] | type[Finding], rows: list[dict[str, Any]]) -> Any:
    """The dialect's INSERT of ``model`` (it takes ``ON CONFLICT``) for PostgreSQL and SQLite; on any
    other database the rows are inserted plainly here and None is returned (so are no rows)."""
    if not rows:
        return None
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        session.execute(insert(model), rows)
        return None
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
