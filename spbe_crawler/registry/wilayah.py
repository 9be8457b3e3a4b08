"""Load Kemendagri regions into the ``Unit`` table: one pemda with its kecamatan and kelurahan/desa,
or the whole country. Both are idempotent; a renamed region is updated and counted."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlmodel import Session

from spbe_crawler.registry import codes
from spbe_crawler.registry.results import LoadStats, RegistryError
from spbe_crawler.registry.unit_store import upsert_units
from spbe_crawler.registry.wilayah_file import Region, read_wilayah

SOURCE = "kemendagri"


def load_pemda(session: Session, pemda_code: str, wilayah_csv: str | Path | None = None) -> LoadStats:
    """Load a kabupaten/kota (kind ``pemda``), its province as parent row, its kecamatan and
    kelurahan/desa. Raises ``RegistryError`` for a malformed or unknown pemda code."""
    code = pemda_code.strip()
    if not codes.is_pemda_code(code):
        raise RegistryError(f"Kode pemda {code} tidak sah: gunakan kode kabupaten/kota dua bagian, misalnya 18.71")
    data = read_wilayah(wilayah_csv)
    if code not in data.regions:
        raise RegistryError(f"Kode pemda {code} tidak ada di data wilayah")
    stats = upsert_units(session, _unit_rows(data.pemda_regions(code)), SOURCE)
    stats.skipped = list(data.problems)
    return stats


def load_country(session: Session, wilayah_csv: str | Path | None = None) -> LoadStats:
    """Load every region of the file (91,218 codes in the bundled snapshot)."""
    data = read_wilayah(wilayah_csv)
    stats = upsert_units(session, _unit_rows(data.regions.values()), SOURCE)
    stats.skipped = list(data.problems)
    return stats


def _unit_rows(regions: Iterable[Region]) -> list[dict[str, Any]]:
    return [
        {
            "code": region.code,
            "name": region.name,
            "kind": region.kind,
            "category": None,
            "parent_code": region.parent_code,
            "pemda_code": region.pemda_code,
            "note": None,
        }
        for region in regions
    ]
