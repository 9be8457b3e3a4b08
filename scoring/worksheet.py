"""The assessment worksheet: one row per indicator, pre-filled with the estimate, for an assessor.

This module builds the rows and writes CSV and JSON; :mod:`scoring.worksheet_xlsx` writes and
reads the XLSX the assessor edits. Everything here is plain data in, files out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from scoring import cells
from scoring.framework import Framework
from scoring.review import ReviewLike

FORMAT = "spbe-lembar-kerja/1"
SHEET = "Penilaian"
META_SHEET = "meta"
MAX_CELL = 32000  # Excel's limit is 32767 characters per cell

# user-facing headers (Bahasa Indonesia) -> JSON keys; the group columns come first, one per
# aggregation level of the framework (e.g. Domain, Aspek)
FIXED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("No", "indicator"),
    ("Indikator", "name"),
    ("Bobot", "weight"),
    ("Kriteria tingkat", "criteria"),
    ("Perkiraan tingkat", "estimate"),
    ("Keyakinan", "confidence"),
    ("Alasan perkiraan", "rationale"),
    ("URL bukti", "evidence_urls"),
    ("Tingkat dikonfirmasi", "confirmed_level"),
    ("Catatan", "note"),
    ("Penilai", "reviewer"),
)
EDITABLE = ("Tingkat dikonfirmasi", "Catatan", "Penilai")


class EstimateRowLike(Protocol):
    indicator: int
    level: int | None
    confidence: float
    rationale: str


@dataclass(frozen=True)
class SheetRow:
    indicator: int
    groups: tuple[str, ...]
    name: str
    weight: Decimal
    criteria: str
    estimate: int | None
    confidence: float | None
    rationale: str
    evidence_urls: tuple[str, ...]
    confirmed: int | None
    note: str
    reviewer: str


def headers(framework: Framework) -> list[str]:
    return [lvl.label for lvl in framework.levels] + [h for h, _ in FIXED_COLUMNS]


def criteria_text(framework: Framework, number: int) -> str:
    """Every level of the indicator with its name and, where the framework has it, its criterion."""
    indicator = framework.indicator(number)
    model = framework.maturity_models[indicator.maturity_model]
    lines = []
    for level, entry in sorted(model.levels.items()):
        criterion = indicator.criteria.get(level)
        lines.append(f"{level} {entry.name}: {criterion.kriteria}" if criterion else f"{level} {entry.name}")
    return "\n".join(lines)


def build_rows(
    framework: Framework,
    estimates: Mapping[int, EstimateRowLike],
    confirmed: Mapping[int, ReviewLike],
    evidence_urls: Mapping[int, Sequence[str]],
) -> list[SheetRow]:
    """One row per indicator, in indicator order, with whatever is known about it."""
    rows = []
    for number in sorted(framework.indicators):
        est, review = estimates.get(number), confirmed.get(number)
        groups = tuple(f"{g.number} {g.name}" for g in (framework.group_of(number, lvl.key) for lvl in framework.levels))
        rows.append(
            SheetRow(
                indicator=number,
                groups=groups,
                name=framework.indicators[number].name,
                weight=framework.indicators[number].weight,
                criteria=criteria_text(framework, number),
                estimate=est.level if est else None,
                confidence=est.confidence if est and est.level is not None else None,
                rationale=est.rationale if est else "",
                evidence_urls=tuple(evidence_urls.get(number, ())),
                confirmed=review.level if review else None,
                note=review.note if review else "",
                reviewer=review.reviewer if review else "",
            )
        )
    return rows


def row_values(row: SheetRow) -> list[object]:
    """The row's cells in :func:`headers` order (numbers stay numbers)."""
    return [
        *row.groups,
        row.indicator,
        row.name,
        float(row.weight),
        row.criteria[:MAX_CELL],
        row.estimate,
        row.confidence,
        row.rationale[:MAX_CELL],
        "\n".join(row.evidence_urls)[:MAX_CELL],
        row.confirmed,
        row.note,
        row.reviewer,
    ]


def write_csv(framework: Framework, rows: Sequence[SheetRow], path: Path) -> Path:
    return cells.write_csv(path, headers(framework), (row_values(row) for row in rows))


def to_dict(framework: Framework, row: SheetRow) -> dict[str, object]:
    groups = {lvl.key: name for lvl, name in zip(framework.levels, row.groups, strict=False)}
    values = row_values(row)[len(framework.levels) :]
    record = {key: value for (_, key), value in zip(FIXED_COLUMNS, values, strict=False)}
    record["evidence_urls"] = list(row.evidence_urls)
    return {**groups, **record}


def write_json(
    framework: Framework,
    pemda_code: str,
    pemda_name: str,
    rows: Sequence[SheetRow],
    path: Path,
    exported_at: datetime,
) -> Path:
    document = {
        "format": FORMAT,
        "framework": framework.id,
        "pemda_code": pemda_code,
        "pemda_name": pemda_name,
        "exported_at": exported_at.isoformat(timespec="seconds"),
        "rows": [to_dict(framework, row) for row in rows],
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
