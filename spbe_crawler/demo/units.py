"""The units of the demo pemda: kecamatan/kelurahan from the Kemendagri list, OPDs from data/opd."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from spbe_crawler import config


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str  # kecamatan | kelurahan | desa
    parent_code: str


@dataclass(frozen=True)
class OpdRow:
    slug: str
    name: str
    category: str
    website: str


def wilayah_path() -> Path:
    """The project's copy of the Kemendagri list, else the shared reference copy."""
    local = Path(config.DATA_DIR) / "wilayah" / "kemendagri_base.csv"
    if local.is_file():
        return local
    return config.PROJECT_ROOT.parent / "shared" / "wilayah" / "kemendagri_base.csv"


def opd_path(pemda_code: str) -> Path:
    return Path(config.DATA_DIR) / "opd" / f"{pemda_code}.csv"


def read_units(pemda_code: str, path: Path | None = None) -> list[UnitRow]:
    """Kecamatan, kelurahan and desa under ``pemda_code``, in code order."""
    prefix = pemda_code + "."
    rows = []
    with open(path or wilayah_path(), encoding="utf-8", newline="") as handle:
        for record in csv.reader(handle):
            if len(record) < 2 or not record[0].startswith(prefix):
                continue
            code, name = record[0].strip(), record[1].strip()
            depth = code.count(".")
            if depth == 2:
                rows.append(UnitRow(code, name, "kecamatan", pemda_code))
            elif depth == 3:
                kind = "kelurahan" if code.rsplit(".", 1)[1].startswith("1") else "desa"
                rows.append(UnitRow(code, name, kind, code.rsplit(".", 1)[0]))
    return sorted(rows, key=lambda row: row.code)


def read_opds(pemda_code: str, path: Path | None = None) -> list[OpdRow]:
    with open(path or opd_path(pemda_code), encoding="utf-8", newline="") as handle:
        return [
            OpdRow(row["slug"].strip(), row["name"].strip(), row.get("category", "").strip(), (row.get("website") or "").strip())
            for row in csv.DictReader(handle)
            if row.get("slug")
        ]
