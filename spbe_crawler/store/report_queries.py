"""Reads of one survey run for reports and exports: its site checks, unit outcomes, findings, candidates."""

from __future__ import annotations

from sqlmodel import Session, col, select

from spbe_crawler.store.models import CrawlRun, DiscoveryCandidate, Finding, SiteCheck, UnitOutcome
from spbe_crawler.vocab import RunState


def run_site_checks(session: Session, run_id: int) -> list[SiteCheck]:
    return list(session.exec(select(SiteCheck).where(SiteCheck.run_id == run_id)).all())


def run_unit_outcomes(session: Session, run_id: int) -> list[UnitOutcome]:
    return list(session.exec(select(UnitOutcome).where(UnitOutcome.run_id == run_id)).all())


def run_findings(session: Session, run_id: int) -> list[Finding]:
    return list(session.exec(select(Finding).where(Finding.run_id == run_id)).all())


def run_candidates(session: Session, run_id: int) -> list[DiscoveryCandidate]:
    return list(session.exec(select(DiscoveryCandidate).where(DiscoveryCandidate.run_id == run_id)).all())


def latest_finished_run(session: Session, scope: str) -> CrawlRun | None:
    """The newest finished run (of any kind) of ``scope``."""
    statement = select(CrawlRun).where(CrawlRun.scope == scope, CrawlRun.state == RunState.FINISHED.value).order_by(col(CrawlRun.id).desc())
    return session.exec(statement).first()
