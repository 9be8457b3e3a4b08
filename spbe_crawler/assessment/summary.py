"""Figures of a pemda's assessment: effective levels (confirmed over estimated), index, range, shares."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from scoring.aggregate import Aggregate, Figure, aggregate, display, predikat
from scoring.framework import Framework
from scoring.review import (
    ROLE_LABELS,
    SOURCE_CONFIRMED,
    SOURCE_ESTIMATED,
    SOURCE_LABELS,
    SOURCE_NONE,
    confirmed_reviews,
    disagreements,
    effective_levels,
)
from spbe_crawler.assessment.catalog import get_framework
from spbe_crawler.assessment.errors import AssessmentError
from spbe_crawler.store.assessment_queries import assessed_frameworks, current_scores, reviews_of
from spbe_crawler.store.models import Review, Score


@dataclass(frozen=True)
class Assessment:
    framework: Framework
    pemda_code: str
    scores: dict[int, Score]
    reviews: list[Review]
    effective: dict[int, tuple[int | None, str]]
    result: Aggregate

    @property
    def levels(self) -> dict[int, int | None]:
        return {i: level for i, (level, _) in self.effective.items()}


def load_assessment(session: Session, pemda_code: str, framework_id: str) -> Assessment:
    framework = get_framework(framework_id)
    scores = {s.indicator: s for s in current_scores(session, pemda_code, framework.id)}
    reviews = reviews_of(session, pemda_code, framework.id)
    effective: dict[int, tuple[int | None, str]] = {i: (None, SOURCE_NONE) for i in framework.indicators}
    effective.update(effective_levels(scores.values(), reviews))
    levels = {i: level for i, (level, _) in effective.items()}
    return Assessment(framework, pemda_code, scores, reviews, effective, aggregate(framework, levels))


def figure_dict(framework: Framework, fig: Figure) -> dict[str, Any]:
    """A figure for JSON and templates: display strings (dot decimal) plus the exact value."""
    places = framework.places
    data: dict[str, Any] = {
        "complete": fig.complete,
        "value": display(fig.value, places) if fig.value is not None else None,
        "exact": str(fig.value) if fig.value is not None else None,
        "predikat": predikat(framework, fig.value) if fig.value is not None else None,
        "known": display(fig.known, places) if fig.known is not None else None,
        "known_share_pct": display(fig.known_share * 100, 1),
        "range": None,
    }
    if not fig.complete:
        data["range"] = {
            "min": display(fig.low, places),
            "max": display(fig.high, places),
            "min_predikat": predikat(framework, fig.low),
            "max_predikat": predikat(framework, fig.high),
        }
    data["label"] = _label(fig, places)
    return data


def _label(fig: Figure, places: int) -> str:
    if fig.complete:
        return "Nilai lengkap"
    known = ""
    if fig.known is not None:
        known = f"nilai dari indikator yang sudah bernilai {display(fig.known, places, ',')}; "
    return (
        f"Belum lengkap ({display(fig.known_share * 100, 1, ',')}% bobot bernilai): {known}"
        f"rentang yang masih mungkin {display(fig.low, places, ',')}–{display(fig.high, places, ',')} "
        "(semua indikator yang belum bernilai = 1 sampai = 5)"
    )


def _shares(a: Assessment) -> dict[str, Any]:
    counts = {SOURCE_CONFIRMED: 0, SOURCE_ESTIMATED: 0, SOURCE_NONE: 0}
    weights = {key: Decimal(0) for key in counts}
    for number, (_, source) in a.effective.items():
        counts[source] += 1
        weights[source] += a.framework.indicators[number].weight
    total = a.framework.total_weight
    return {
        "total": len(a.effective),
        **{key: counts[key] for key in counts},
        **{f"{key}_weight_pct": display(weights[key] * 100 / total, 1) for key in counts},
    }


def indicator_rows(a: Assessment) -> list[dict[str, Any]]:
    """One row per indicator: effective level and its source, estimate, confirmation."""
    confirmed = confirmed_reviews(a.reviews)
    rows = []
    for number in sorted(a.framework.indicators):
        level, source = a.effective[number]
        score, review = a.scores.get(number), confirmed.get(number)
        rows.append(
            {
                "indicator": number,
                "name": a.framework.indicators[number].name,
                "weight": str(a.framework.indicators[number].weight),
                "level": level,
                "level_name": a.framework.level_name(number, level) if level else None,
                "source": source,
                "source_label": SOURCE_LABELS[source],
                "estimate": score.level if score else None,
                "confidence": score.confidence if score and score.level is not None else None,
                "cap": score.cap if score else None,
                "rationale": score.rationale if score else "",
                "finding_ids": list(score.finding_ids) if score else [],
                "confirmed": review.level if review else None,
                "reviewer": review.reviewer if review else None,
                "note": review.note if review else None,
            }
        )
    return rows


def summary_of(a: Assessment) -> dict[str, Any]:
    fw = a.framework
    run_ids = {s.run_id for s in a.scores.values()}
    return {
        "framework": fw.id,
        "framework_name": fw.name,
        "index_name": fw.index_name,
        "framework_status": fw.status,
        "pemda_code": a.pemda_code,
        "run_id": run_ids.pop() if len(run_ids) == 1 else None,
        "index": figure_dict(fw, a.result.index),
        "groups": {
            lvl.key: [
                {
                    "number": g.group.number,
                    "name": g.group.name,
                    "weight": str(g.group.weight),
                    "level_label": lvl.label,
                    **figure_dict(fw, g.figure),
                }
                for g in a.result.groups[lvl.key]
            ]
            for lvl in fw.levels
        },
        "shares": _shares(a),
        "indicators": indicator_rows(a),
        "disagreements": [
            {
                "indicator": d.indicator,
                "first_level": d.first_level,
                "first_reviewer": d.first_reviewer,
                "second_level": d.second_level,
                "second_reviewer": d.second_reviewer,
            }
            for d in disagreements(a.reviews)
        ],
    }


def index_summary(session: Session, pemda_code: str, framework_id: str) -> dict[str, Any]:
    """Index, predikat, group figures, shares estimated vs confirmed, and the range if incomplete."""
    return summary_of(load_assessment(session, pemda_code, framework_id))


def _score_dict(s: Score) -> dict[str, Any]:
    return {
        "indicator": s.indicator,
        "run_id": s.run_id,
        "level": s.level,
        "confidence": s.confidence,
        "cap": s.cap,
        "rationale": s.rationale,
        "finding_ids": list(s.finding_ids or []),
        "estimated_at": s.estimated_at.isoformat(timespec="seconds"),
    }


def _review_dict(r: Review) -> dict[str, Any]:
    return {
        "indicator": r.indicator,
        "level": r.level,
        "previous_level": r.previous_level,
        "note": r.note,
        "reviewer": r.reviewer,
        "role": r.role,
        "role_label": ROLE_LABELS.get(r.role, r.role),
        "reviewed_at": r.reviewed_at.isoformat(timespec="seconds"),
    }


def export_assessment(session: Session, pemda_code: str) -> dict[str, Any]:
    """Scores, review history and index of every framework assessed for the pemda (for ``spbe export``)."""
    used = assessed_frameworks(session, pemda_code)
    frameworks: dict[str, dict[str, Any]] = {}
    for framework_id in sorted(used):
        try:
            a = load_assessment(session, pemda_code, framework_id)
        except AssessmentError as exc:  # a framework file removed since the scores were made
            frameworks[framework_id] = {"error": str(exc)}
            continue
        frameworks[framework_id] = {
            "scores": [_score_dict(s) for _, s in sorted(a.scores.items())],
            "reviews": [_review_dict(r) for r in a.reviews],
            "index": summary_of(a),
        }
    return {"pemda_code": pemda_code, "frameworks": frameworks}
