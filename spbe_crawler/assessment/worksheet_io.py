"""Export a pemda's assessment worksheet (XLSX for editing; CSV and JSON of the same rows)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from scoring.review import ROLE_FIRST, ROLE_SECOND, latest_reviews
from scoring.worksheet import build_rows, write_csv, write_json
from scoring.worksheet_xlsx import write_xlsx
from spbe_crawler import config
from spbe_crawler.assessment.errors import AssessmentError
from spbe_crawler.assessment.runs import pemda_name
from spbe_crawler.assessment.summary import load_assessment
from spbe_crawler.store import assessment_queries
from spbe_crawler.store.models import utcnow

FORMATS = ("xlsx", "csv", "json")
MAX_URLS = 10


def default_path(pemda_code: str, framework_id: str, fmt: str, second: bool = False) -> Path:
    suffix = "-penilai-kedua" if second else ""
    return config.reports_dir() / f"lembar-kerja-{pemda_code}-{framework_id}{suffix}.{fmt}"


def finding_urls(session: Session, finding_ids: dict[int, list[int]]) -> dict[int, str]:
    """finding id -> its URL, for the findings the estimates cite."""
    return assessment_queries.finding_urls(session, {i for ids in finding_ids.values() for i in ids})


def evidence_urls(finding_ids: dict[int, list[int]], urls: dict[int, str]) -> dict[int, list[str]]:
    """indicator -> distinct evidence URLs of its estimate, at most ``MAX_URLS`` each."""
    result = {}
    for indicator, ids in finding_ids.items():
        seen = list(dict.fromkeys(urls[i] for i in ids if i in urls))
        result[indicator] = seen[:MAX_URLS]
    return {k: v for k, v in result.items() if v}


def export_worksheet(
    session: Session,
    pemda_code: str,
    framework_id: str,
    fmt: str = "xlsx",
    out: Path | None = None,
    second: bool = False,
) -> Path:
    """Write the worksheet and return its path; ``second`` pre-fills the second reviewer's entries."""
    if fmt not in FORMATS:
        raise AssessmentError(f"Format '{fmt}' tidak dikenal; pilih salah satu: {', '.join(FORMATS)}.")
    a = load_assessment(session, pemda_code, framework_id)
    role = ROLE_SECOND if second else ROLE_FIRST
    cited = {i: list(s.finding_ids or []) for i, s in a.scores.items()}
    pages = finding_urls(session, cited)
    rows = build_rows(a.framework, a.scores, latest_reviews(a.reviews, role), evidence_urls(cited, pages))
    path = Path(out) if out else default_path(pemda_code, a.framework.id, fmt, second)
    path.parent.mkdir(parents=True, exist_ok=True)
    name, now = pemda_name(session, pemda_code), utcnow()
    if fmt == "xlsx":
        return write_xlsx(a.framework, pemda_code, name, rows, path, now, role, pages=pages)
    if fmt == "csv":
        return write_csv(a.framework, rows, path)
    return write_json(a.framework, pemda_code, name, rows, path, now)
