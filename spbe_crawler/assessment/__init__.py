"""Glue between the pure ``scoring`` package and the store: estimate, review, worksheet.

The HTML report is rendered by the reporting package: ``spbe_crawler.reports.assessment.write_report``.

Public API (all take an open ``Session``; the caller commits, e.g. with ``db.session_scope``)::

    estimate_pemda(session, pemda_code, framework_id, run_id=None) -> list[Score]
    record_review(session, pemda_code, framework_id, indicator, level, reviewer, note="", second=False) -> Review
    set_manual_level(session, pemda_code, framework_id, indicator, level, reviewer, note="") -> Review
    apply_worksheet(session, path, pemda_code=None) -> WorksheetApplyResult
    export_worksheet(session, pemda_code, framework_id, fmt="xlsx", out=None, second=False) -> Path
    index_summary(session, pemda_code, framework_id) -> dict
    export_assessment(session, pemda_code) -> dict
"""

from __future__ import annotations

from spbe_crawler.assessment.errors import AssessmentError
from spbe_crawler.assessment.estimates import current_scores, estimate_pemda
from spbe_crawler.assessment.reviews import WorksheetApplyResult, apply_worksheet, record_review, set_manual_level
from spbe_crawler.assessment.summary import export_assessment, index_summary
from spbe_crawler.assessment.worksheet_io import export_worksheet

__all__ = [
    "AssessmentError",
    "WorksheetApplyResult",
    "apply_worksheet",
    "current_scores",
    "estimate_pemda",
    "export_assessment",
    "export_worksheet",
    "index_summary",
    "record_review",
    "set_manual_level",
]
