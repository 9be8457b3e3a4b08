"""Which survey run an assessment reads, and its findings as estimator evidence."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from scoring.estimator import Evidence
from spbe_crawler.assessment.errors import AssessmentError
from spbe_crawler.store.models import CrawlRun, Finding, Unit

SURVEY = "survey"
FINISHED = "finished"


def latest_survey_run(session: Session, pemda_code: str) -> CrawlRun | None:
    """The newest finished survey run of the pemda (its scope, or any run holding its findings)."""
    has_findings = select(Finding.run_id).where(Finding.pemda_code == pemda_code)
    query = (
        select(CrawlRun)
        .where(CrawlRun.kind == SURVEY, CrawlRun.state == FINISHED)
        .where(or_(CrawlRun.scope == pemda_code, col(CrawlRun.id).in_(has_findings)))
        .order_by(col(CrawlRun.finished_at).desc(), col(CrawlRun.id).desc())
    )
    return session.exec(query).first()


def resolve_run(session: Session, pemda_code: str, run_id: int | None) -> CrawlRun:
    if run_id is not None:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise AssessmentError(f"Survei #{run_id} tidak ada.")
        return run
    run = latest_survey_run(session, pemda_code)
    if run is None:
        raise AssessmentError(f"Belum ada survei yang selesai untuk pemda {pemda_code}; jalankan survei terlebih dahulu.")
    return run


def findings_of(session: Session, pemda_code: str, run_id: int) -> list[Finding]:
    query = select(Finding).where(Finding.pemda_code == pemda_code, Finding.run_id == run_id)
    return list(session.exec(query.order_by(col(Finding.id))))


def to_evidence(finding: Finding) -> Evidence:
    return Evidence(
        finding_id=int(finding.id or 0),
        service=finding.service,
        indicators={k: list(v) for k, v in (finding.indicators or {}).items()},
        signals=list(finding.signals or []),
        url=finding.url,
        rule_id=finding.rule_id,
        confidence=float(finding.confidence or 0.0),
        kind=finding.kind or "",
    )


def finding_dict(finding: Finding) -> dict[str, Any]:
    """A Finding as the plain mapping ``inventory.view.build_view`` expects."""
    return finding.model_dump()


def pemda_name(session: Session, pemda_code: str) -> str:
    unit = session.get(Unit, pemda_code)
    return unit.name if unit else pemda_code
