"""Estimate a pemda's indicator levels from its survey findings and keep them as Score rows."""

from __future__ import annotations

from sqlmodel import Session

from scoring.estimator import estimate
from spbe_crawler.assessment.catalog import get_framework, get_rubric
from spbe_crawler.assessment.runs import resolve_run, to_evidence
from spbe_crawler.store.assessment_queries import current_scores, findings_of, scores_of_run
from spbe_crawler.store.models import Score, utcnow

__all__ = ["current_scores", "estimate_pemda"]


def estimate_pemda(session: Session, pemda_code: str, framework_id: str, run_id: int | None = None) -> list[Score]:
    """Score rows (one per indicator) from the latest finished survey run, or ``run_id``.

    Idempotent: estimating the same run again updates its rows instead of adding new ones.
    """
    framework, rubric = get_framework(framework_id), get_rubric(framework_id)
    run = resolve_run(session, pemda_code, run_id)
    assert run.id is not None
    evidence = [to_evidence(f) for f in findings_of(session, pemda_code, run.id)]
    existing = scores_of_run(session, framework.id, pemda_code, run.id)
    now = utcnow()
    rows = []
    for est in estimate(framework, rubric, evidence):
        row = existing.get(est.indicator) or Score(framework=framework.id, pemda_code=pemda_code, indicator=est.indicator, run_id=run.id)
        row.level, row.confidence, row.cap = est.level, est.confidence, est.cap
        row.rationale, row.finding_ids, row.estimated_at = est.rationale, list(est.finding_ids), now
        session.add(row)
        rows.append(row)
    session.flush()
    return rows
