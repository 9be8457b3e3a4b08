"""Machine-readable export of one pemda: units, websites, health, findings, assessment, monitoring.

The JSON shape is documented by ``docs/export.schema.json`` (checked in the tests). ``--format csv``
writes the same tables as one CSV file each.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel

from scoring import cells
from spbe_crawler import __version__
from spbe_crawler.store.assessment_queries import latest_survey_run
from spbe_crawler.store.models import utcnow
from spbe_crawler.store.registry_queries import units_in_scope, websites_of
from spbe_crawler.store.report_queries import run_findings, run_site_checks, run_unit_outcomes

SCHEMA_VERSION = "1.0"


def _row(model: SQLModel, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in model.model_dump().items() if k not in exclude}


def export_data(session: Session, pemda_code: str) -> dict[str, Any]:
    units = units_in_scope(session, pemda_code)
    sites = websites_of(session, [u.code for u in units])
    run = latest_survey_run(session, pemda_code)
    survey: dict[str, Any] | None = None
    findings: list[dict[str, Any]] = []
    if run is not None and run.id is not None:
        survey = {
            "run": _row(run, exclude=("options",)),
            "site_checks": [_row(c) for c in run_site_checks(session, run.id)],
            "unit_outcomes": [_row(o) for o in run_unit_outcomes(session, run.id)],
        }
        findings = [_row(f) for f in run_findings(session, run.id)]
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"spbe-crawler {__version__}",
        "generated_at": utcnow(),
        "pemda_code": pemda_code,
        "units": [_row(u) for u in units],
        "websites": [_row(w) for ws in sites.values() for w in ws],
        "survey": survey,
        "findings": findings,
        "assessment": _assessment(session, pemda_code),
        "monitoring": _monitoring(session, pemda_code),
    }


def _assessment(session: Session, pemda_code: str) -> dict[str, Any] | None:
    from spbe_crawler.assessment import export_assessment

    return export_assessment(session, pemda_code)


def _monitoring(session: Session, pemda_code: str) -> dict[str, Any] | None:
    from spbe_crawler.monitor.figures import monitor_export

    return monitor_export(session, pemda_code)


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    raise TypeError(f"tidak bisa diekspor: {type(value).__name__}")


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, default=_json_default, ensure_ascii=False, indent=2)


CSV_TABLES = ("units", "websites", "findings")


def csv_tables(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The export as flat tables, one per CSV file: the same rows as the JSON export.

    Scores and reviews of every assessed framework go into one table each, with a ``framework``
    column; monitored sites and incidents likewise (``monitor_sites``, ``monitor_incidents``).
    """
    tables: dict[str, list[dict[str, Any]]] = {name: data[name] for name in CSV_TABLES}
    if data["survey"]:
        tables["site_checks"] = data["survey"]["site_checks"]
        tables["unit_outcomes"] = data["survey"]["unit_outcomes"]
    if data["assessment"]:
        frameworks = data["assessment"].get("frameworks", {})
        for name in ("scores", "reviews"):
            tables[name] = [{"framework": fid, **row} for fid, part in sorted(frameworks.items()) for row in part.get(name, [])]
    if data["monitoring"]:
        tables["monitor_sites"] = data["monitoring"].get("sites", [])
        tables["monitor_incidents"] = data["monitoring"].get("incidents", [])
    return tables


def write_csv_tables(data: dict[str, Any], out_dir: Path) -> list[Path]:
    """One CSV per table (:func:`csv_tables`); nested values (lists, dicts) are written as JSON text.

    Every text cell is neutralised against spreadsheet formula injection (:mod:`scoring.cells`).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in csv_tables(data).items():
        path = out_dir / f"{data['pemda_code']}-{name}.csv"
        columns = sorted({key for row in rows for key in row}) if rows else []
        cells.write_csv(path, columns, ([_cell(row.get(column)) for column in columns] for row in rows))
        written.append(path)
    return written


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=_json_default, ensure_ascii=False)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value
