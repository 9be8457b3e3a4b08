"""Queries of the assessment: survey runs and findings it reads, estimates (scores) and reviews."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_
from sqlmodel import Session, col, select

from spbe_crawler.store.models import CrawlRun, Finding, Review, Score, Unit
from spbe_crawler.vocab import RunKind, RunState

SURVEY = RunKind.SURVEY.value


def latest_survey_run(session: Session, pemda_code: str) -> CrawlRun | None:
    """The newest finished survey run of the pemda (its scope, or any run holding its findings)."""
    has_findings = select(Finding.run_id).where(Finding.pemda_code == pemda_code)
    query = (
        select(CrawlRun)
        .where(CrawlRun.kind == SURVEY, CrawlRun.state == RunState.FINISHED.value)
        .where(or_(col(CrawlRun.scope) == pemda_code, col(CrawlRun.id).in_(has_findings)))
        .order_by(col(CrawlRun.finished_at).desc(), col(CrawlRun.id).desc())
    )
    return session.exec(query).first()


def previous_finished_run(session: Session, run: CrawlRun) -> CrawlRun | None:
    """The finished run of the same kind and scope before ``run``."""
    if run.id is None:
        return None
    query = (
        select(CrawlRun)
        .where(CrawlRun.kind == run.kind, CrawlRun.state == RunState.FINISHED.value, CrawlRun.scope == run.scope, col(CrawlRun.id) < run.id)
        .order_by(col(CrawlRun.id).desc())
    )
    return session.exec(query).first()


def run_by_id(session: Session, run_id: int) -> CrawlRun | None:
    return session.get(CrawlRun, run_id)


def findings_of(session: Session, pemda_code: str, run_id: int) -> list[Finding]:
    query = select(Finding).where(Finding.pemda_code == pemda_code, Finding.run_id == run_id)
    return list(session.exec(query.order_by(col(Finding.id))))


def findings_by_id(session: Session, finding_ids: Iterable[int]) -> list[Finding]:
    wanted = set(finding_ids)
    return list(session.exec(select(Finding).where(col(Finding.id).in_(wanted)))) if wanted else []


def finding_urls(session: Session, finding_ids: Iterable[int]) -> dict[int, str]:
    """finding id -> its URL."""
    wanted = set(finding_ids)
    if not wanted:
        return {}
    return {
        int(i): url for i, url in session.exec(select(Finding.id, Finding.url).where(col(Finding.id).in_(wanted))).all() if i is not None
    }


def scores_of_run(session: Session, framework_id: str, pemda_code: str, run_id: int) -> dict[int, Score]:
    """The Score rows of one estimation run, by indicator."""
    statement = select(Score).where(Score.framework == framework_id, Score.pemda_code == pemda_code, Score.run_id == run_id)
    return {s.indicator: s for s in session.exec(statement)}


def current_scores(session: Session, pemda_code: str, framework_id: str) -> list[Score]:
    """The Score rows of the most recent estimation of this pemda and framework."""
    base = select(Score).where(Score.framework == framework_id, Score.pemda_code == pemda_code)
    newest = session.exec(base.order_by(col(Score.estimated_at).desc(), col(Score.id).desc())).first()
    if newest is None:
        return []
    return list(session.exec(base.where(Score.run_id == newest.run_id).order_by(col(Score.indicator))))


def reviews_of(session: Session, pemda_code: str, framework_id: str) -> list[Review]:
    """The review history of one pemda and framework, oldest first."""
    query = select(Review).where(Review.framework == framework_id, Review.pemda_code == pemda_code)
    return list(session.exec(query.order_by(col(Review.reviewed_at), col(Review.id))))


def assessed_frameworks(session: Session, pemda_code: str) -> set[str]:
    """The frameworks the pemda has estimates or reviews in."""
    used = set(session.exec(select(Score.framework).where(Score.pemda_code == pemda_code)))
    return used | set(session.exec(select(Review.framework).where(Review.pemda_code == pemda_code)))


def pemda_known(session: Session, pemda_code: str) -> bool:
    """Is the pemda in the registry, or has it been surveyed or assessed?"""
    if session.get(Unit, pemda_code) is not None:
        return True
    for statement in (
        select(Score.id).where(Score.pemda_code == pemda_code),
        select(Finding.id).where(Finding.pemda_code == pemda_code),
        select(Review.id).where(Review.pemda_code == pemda_code),
    ):
        if session.exec(statement.limit(1)).first() is not None:
            return True
    return False
