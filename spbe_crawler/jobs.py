"""The main job, end to end: registry -> survey -> coverage report -> assessment (estimate, report,
worksheet). The CLI commands are thin shells over it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spbe_crawler import config
from spbe_crawler.assessment import estimate_pemda, export_worksheet, index_summary
from spbe_crawler.registry.pemda_sites import load_bundled
from spbe_crawler.reports.assessment import write_report
from spbe_crawler.reports.coverage import Coverage, write_coverage
from spbe_crawler.store.db import session_scope
from spbe_crawler.survey.job import run_survey
from spbe_crawler.survey.runs import exclusive_run

DEFAULT_FRAMEWORK = "spbe-2020"


@dataclass
class JobResult:
    pemda_code: str
    run_id: int | None
    finish_reason: str
    coverage: Coverage
    coverage_html: Path
    coverage_csv: Path
    report_html: Path | None = None
    worksheet: Path | None = None
    index: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def ensure_registry(pemda_code: str) -> None:
    """Load the pemda's Kemendagri units, its bundled portal address and OPD list (idempotent)."""
    with session_scope() as session:
        load_bundled(session, pemda_code)


def discovery_preview(pemda_code: str) -> list[str]:
    """What the survey will do about units without a known site (printed before it starts)."""
    from spbe_crawler.survey.discover import DnsCache, discovery_budget, preview
    from spbe_crawler.survey.job import survey_settings
    from spbe_crawler.survey.targets import load_targets

    settings = survey_settings()
    if not settings.getbool("SPBE_DISCOVERY"):
        return []
    lookups, days = discovery_budget(settings.get("SPBE_DISCOVERY_LOOKUPS"))
    with session_scope() as session:
        targets = load_targets(session, pemda_code)
    cache = DnsCache(config.home_dir() / "cache" / "discovery-dns.json", days)
    return preview(targets.units, targets.hosts_by_unit, pemda_code, lookups, cache)


def survey_and_report(
    pemda_code: str,
    resume: bool = True,
    overrides: dict[str, Any] | None = None,
    out_dir: Path | None = None,
    framework_id: str = DEFAULT_FRAMEWORK,
) -> JobResult:
    with exclusive_run(pemda_code):  # a second survey of the pemda is refused before it touches anything
        stats = run_survey(pemda_code, resume=resume, overrides=overrides)
        out_dir = out_dir or config.reports_dir()
        with session_scope() as session:
            html, csv_path, coverage = write_coverage(session, pemda_code, out_dir)
        result = JobResult(
            pemda_code=pemda_code,
            run_id=stats.get("run_id"),
            finish_reason=str(stats.get("finish_reason", "")),
            coverage=coverage,
            coverage_html=html,
            coverage_csv=csv_path,
            stats=stats,
        )
        if coverage.run is not None and result.finish_reason == "finished":
            assess(result, framework_id, out_dir)
    return result


def assess(result: JobResult, framework_id: str, out_dir: Path) -> None:
    """Estimate the service indicators from the run's findings; write the report and the worksheet."""
    with session_scope() as session:
        estimate_pemda(session, result.pemda_code, framework_id, run_id=result.run_id)
    with session_scope() as session:
        result.report_html = write_report(session, result.pemda_code, out_dir, framework_id=framework_id)
        worksheet = out_dir / f"lembar-kerja-{result.pemda_code}.xlsx"
        result.worksheet = export_worksheet(session, result.pemda_code, framework_id, fmt="xlsx", out=worksheet)
        result.index = index_summary(session, result.pemda_code, framework_id)
