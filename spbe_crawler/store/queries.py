"""The crawl path's queries: the survey spider, the pipeline and the run bookkeeping ask the store here.

Callers get plain values or model objects and never build SQL themselves. The other parts of the
tool ask their own modules beside this one (``report_queries``, ``monitor_queries``,
``assessment_queries``, ``registry_queries``, ``web_queries``, ``cluster_queries`` ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import event
from sqlmodel import Session, SQLModel, col, select

from spbe_crawler.store.models import CrawlRun, DiscoveryCandidate, Finding, Page, SiteCheck, Unit, UnitOutcome, Website
from spbe_crawler.vocab import RunKind, RunState, WebsiteState

FindingKey = tuple[str, str, str]  # rule_id, url, unit_code


def latest_run(session: Session, scope: str, kind: str = RunKind.SURVEY.value) -> CrawlRun | None:
    statement = select(CrawlRun).where(CrawlRun.scope == scope, CrawlRun.kind == kind).order_by(col(CrawlRun.id).desc())
    return session.exec(statement).first()


def running_survey(session: Session, scope: str) -> CrawlRun | None:
    """The survey run of ``scope`` that is running now (opened by the pipeline), if any."""
    run = latest_run(session, scope)
    return run if run is not None and run.state == RunState.RUNNING else None


def checked_website_ids(session: Session, run_id: int) -> set[int]:
    return set(session.exec(select(SiteCheck.website_id).where(SiteCheck.run_id == run_id)).all())


def site_check(session: Session, run_id: int, website_id: int) -> SiteCheck | None:
    return session.exec(select(SiteCheck).where(SiteCheck.run_id == run_id, SiteCheck.website_id == website_id)).first()


class CheckOutcome(NamedTuple):
    """What a unit's outcome reads of one site check of a run."""

    unit_code: str
    status: str
    detail: str
    website_id: int


def check_outcomes(session: Session, run_id: int) -> list[CheckOutcome]:
    """The columns of a run's site checks that decide its units' outcomes (no ORM object per check)."""
    columns = select(SiteCheck.unit_code, SiteCheck.status, SiteCheck.detail, SiteCheck.website_id)
    return [CheckOutcome(*row) for row in session.exec(columns.where(SiteCheck.run_id == run_id)).all()]


def page_urls(session: Session, run_id: int) -> set[str]:
    return set(session.exec(select(Page.url).where(Page.run_id == run_id)).all())


def page(session: Session, run_id: int, url: str) -> Page | None:
    return session.exec(select(Page).where(Page.run_id == run_id, Page.url == url)).first()


def finding_keys(session: Session, run_id: int) -> set[FindingKey]:
    rows = session.exec(select(Finding.rule_id, Finding.url, Finding.unit_code).where(Finding.run_id == run_id)).all()
    return {(rule_id, url, unit_code) for rule_id, url, unit_code in rows}


def finding(session: Session, run_id: int, key: FindingKey) -> Finding | None:
    rule_id, url, unit_code = key
    statement = select(Finding).where(
        Finding.run_id == run_id, Finding.rule_id == rule_id, Finding.url == url, Finding.unit_code == unit_code
    )
    return session.exec(statement).first()


def candidate_hosts(session: Session, run_id: int) -> set[str]:
    return set(session.exec(select(DiscoveryCandidate.host).where(DiscoveryCandidate.run_id == run_id)).all())


def website_id(session: Session, unit_code: str, url: str) -> int | None:
    website = session.exec(select(Website).where(Website.unit_code == unit_code, Website.url == url)).first()
    return website.id if website else None


def website(session: Session, website_id: int) -> Website | None:
    return session.get(Website, website_id)


def units_with_websites(session: Session) -> set[str]:
    """Codes of the units that have a website nobody rejected."""
    return set(session.exec(select(Website.unit_code).where(Website.state != WebsiteState.REJECTED.value)).all())


def unit_outcomes(session: Session, run_id: int) -> dict[str, UnitOutcome]:
    return {o.unit_code: o for o in session.exec(select(UnitOutcome).where(UnitOutcome.run_id == run_id)).all()}


def has_units(session: Session, pemda_code: str) -> bool:
    return session.exec(select(Unit.code).where(Unit.pemda_code == pemda_code).limit(1)).first() is not None


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert new ``model`` rows, given as column values, with one multi-row statement."""
    if rows:
        session.execute(model.__table__.insert(), rows)  # type: ignore[attr-defined]  # Core: no ORM bookkeeping per row


def before_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` at the start of every commit of ``session`` (before its flush)."""
    event.listen(session, "before_commit", lambda _session: callback())
