"""Record assessor decisions in the store: one review from the CLI, or a whole edited worksheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from scoring.framework import Framework
from scoring.review import (
    ROLE_FIRST,
    ROLE_SECOND,
    ReviewEntry,
    ReviewError,
    is_repeat,
    latest_reviews,
    new_review,
    previous_level,
)
from scoring.worksheet_xlsx import WorksheetImport, read_xlsx
from spbe_crawler.assessment.catalog import get_catalog, get_framework, get_rubric
from spbe_crawler.assessment.errors import AssessmentError
from spbe_crawler.store.assessment_queries import current_scores, pemda_known, reviews_of
from spbe_crawler.store.models import Review


@dataclass
class WorksheetApplyResult:
    """What an import did; with any error nothing at all was applied."""

    framework_id: str | None = None
    pemda_code: str | None = None
    applied: list[Review] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _row(entry: ReviewEntry, pemda_code: str) -> Review:
    return Review(
        framework=entry.framework,
        pemda_code=pemda_code,
        indicator=entry.indicator,
        level=entry.level,
        previous_level=entry.previous_level,
        note=entry.note,
        reviewer=entry.reviewer,
        role=entry.role,
        reviewed_at=entry.reviewed_at,
    )


def record_review(
    session: Session,
    pemda_code: str,
    framework_id: str,
    indicator: int,
    level: int,
    reviewer: str,
    note: str = "",
    second: bool = False,
    now: datetime | None = None,
) -> Review:
    """Confirm or override one indicator; the history keeps who, when, and from which level."""
    framework = get_framework(framework_id)
    if not pemda_known(session, pemda_code):
        raise AssessmentError(f"Kode pemda {pemda_code} tidak dikenal di basis data.")
    estimates = {s.indicator: s for s in current_scores(session, pemda_code, framework.id)}
    reviews = reviews_of(session, pemda_code, framework.id)
    try:
        entry = new_review(
            framework,
            indicator,
            level,
            reviewer,
            note,
            ROLE_SECOND if second else ROLE_FIRST,
            previous_level(indicator, estimates, reviews),
            now,
        )
    except ReviewError as exc:
        raise AssessmentError("Penilaian ditolak: " + "; ".join(exc.problems)) from None
    row = _row(entry, pemda_code)
    session.add(row)
    session.flush()
    return row


def set_manual_level(
    session: Session,
    pemda_code: str,
    framework_id: str,
    indicator: int,
    level: int,
    reviewer: str,
    note: str = "",
    now: datetime | None = None,
) -> Review:
    """Enter the level of an indicator the crawl cannot estimate (domains 1-3 of spbe-2020)."""
    rubric = get_rubric(framework_id)
    try:
        rule = rubric.rule_for(indicator)
    except KeyError:
        raise AssessmentError(f"Indikator {indicator} tidak ada dalam kerangka {framework_id}.") from None
    if not rule.manual:
        raise AssessmentError(f"Indikator {indicator} diperkirakan dari perayapan; gunakan 'spbe review' untuk mengonfirmasinya.")
    return record_review(session, pemda_code, framework_id, indicator, level, reviewer, note, now=now)


def apply_worksheet(session: Session, path: Path | str, pemda_code: str | None = None) -> WorksheetApplyResult:
    """Apply an edited worksheet: every row or, if anything is wrong, nothing."""
    catalog = get_catalog()
    imported = read_xlsx(Path(path), catalog.frameworks, pemda_code)
    result = WorksheetApplyResult(imported.framework_id, imported.pemda_code, errors=list(imported.errors))
    if result.errors:
        return result
    assert imported.framework_id and imported.pemda_code
    if not pemda_known(session, imported.pemda_code):
        result.errors.append(f"meta: kode pemda {imported.pemda_code} tidak dikenal di basis data")
        return result
    entries = _entries(session, catalog.framework(imported.framework_id), imported, result)
    if result.errors:
        return result
    for entry in entries:
        row = _row(entry, imported.pemda_code)
        session.add(row)
        result.applied.append(row)
    session.flush()
    return result


def _entries(session: Session, framework: Framework, imported: WorksheetImport, result: WorksheetApplyResult) -> list[ReviewEntry]:
    code = imported.pemda_code or ""
    estimates = {s.indicator: s for s in current_scores(session, code, framework.id)}
    reviews = reviews_of(session, code, framework.id)
    latest = latest_reviews(reviews, imported.role)
    entries = []
    for row in imported.rows:
        if is_repeat(latest.get(row.indicator), row.level, row.note, row.reviewer):
            result.unchanged += 1
            continue
        try:
            entries.append(
                new_review(
                    framework,
                    row.indicator,
                    row.level,
                    row.reviewer,
                    row.note,
                    imported.role,
                    previous_level(row.indicator, estimates, reviews),
                )
            )
        except ReviewError as exc:
            result.errors.append(f"{row.cell}: " + "; ".join(exc.problems))
    return entries
