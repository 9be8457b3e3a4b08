"""The main job, end to end: registry -> survey -> reports. The CLI commands are thin shells over it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spbe_crawler import config
from spbe_crawler.registry.pemda_sites import load_bundled
from spbe_crawler.reports.coverage import Coverage, write_coverage
from spbe_crawler.store.db import session_scope
from spbe_crawler.survey.job import run_survey


@dataclass
class JobResult:
    pemda_code: str
    run_id: int | None
    finish_reason: str
    coverage: Coverage
    coverage_html: Path
    coverage_csv: Path
    extra: dict[str, Any] = field(default_factory=dict)


def ensure_registry(pemda_code: str) -> None:
    """Load the pemda's Kemendagri units, its bundled portal address and OPD list (idempotent)."""
    with session_scope() as session:
        load_bundled(session, pemda_code)


def survey_and_report(pemda_code: str, resume: bool = True, overrides: dict[str, Any] | None = None, out_dir: Path | None = None) -> JobResult:
    stats = run_survey(pemda_code, resume=resume, overrides=overrides)
    out_dir = out_dir or config.reports_dir()
    with session_scope() as session:
        html, csv_path, coverage = write_coverage(session, pemda_code, out_dir)
    return JobResult(
        pemda_code=pemda_code,
        run_id=stats.get("run_id"),
        finish_reason=str(stats.get("finish_reason", "")),
        coverage=coverage,
        coverage_html=html,
        coverage_csv=csv_path,
        extra={"stats": stats},
    )
