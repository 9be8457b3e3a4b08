"""Which survey run an assessment reads, and its findings as estimator evidence."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from scoring.estimator import Evidence
from spbe_crawler.assessment.errors import AssessmentError
from spbe_crawler.store.assessment_queries import findings_of, latest_survey_run, run_by_id
from spbe_crawler.store.models import CrawlRun, Finding
from spbe_crawler.store.registry_queries import unit

__all__ = ["findings_of", "finding_dict", "latest_survey_run", "pemda_name", "resolve_run", "to_evidence"]


def resolve_run(session: Session, pemda_code: str, run_id: int | None) -> CrawlRun:
    if run_id is not None:
        run = run_by_id(session, run_id)
        if run is None:
            raise AssessmentError(f"Survei #{run_id} tidak ada.")
        return run
    run = latest_survey_run(session, pemda_code)
    if run is None:
        raise AssessmentError(f"Belum ada survei yang selesai untuk pemda {pemda_code}; jalankan survei terlebih dahulu.")
    return run


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
    found = unit(session, pemda_code)
    return found.name if found else pemda_code
