"""Load Kemendagri regions into the ``Unit`` table: one pemda with its kecamatan and kelurahan/desa,
or the whole country. Both are idempotent; a renamed region is updated and counted, and a store loaded
from an older file is upgraded first (codes that moved, codes that are gone: see ``upgrade``)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlmodel import Session

from spbe_crawler import config
from spbe_crawler.registry import codes
from spbe_crawler.registry.results import LoadStats, Named, RegistryError
from spbe_crawler.registry.unit_store import upsert_units
from spbe_crawler.registry.upgrade import SOURCE, Upgrade, apply_upgrade, gone_pemda_codes, plan_upgrade
from spbe_crawler.registry.wilayah_file import Region, WilayahData, read_wilayah
from spbe_crawler.store.unit_rows import existing_units
from spbe_crawler.store.unit_rows import units_of_pemdas as stored_units


def load_pemda(session: Session, pemda_code: str, wilayah_csv: str | Path | None = None) -> LoadStats:
    """Load a kabupaten/kota (kind ``pemda``), its province as parent row, its kecamatan and
    kelurahan/desa. Raises ``RegistryError`` for a malformed or unknown pemda code."""
    code = pemda_code.strip()
    if not codes.is_pemda_code(code):
        raise RegistryError(f"Kode pemda {code} tidak sah: gunakan kode kabupaten/kota dua bagian, misalnya 18.71")
    data = read_wilayah(wilayah_csv)
    if code not in data.regions:
        raise RegistryError(_unknown_pemda(session, data, code))
    regions = data.pemda_regions(code)
    stored = stored_units(session, gone_pemda_codes(session, data) | {code})
    stored |= existing_units(session, (region.code for region in regions))
    plan = _within_pemda(plan_upgrade(stored, data, set(stored)), code, codes.parent_of(code) or "")
    return _load(session, data, regions, plan, stored)


def load_country(session: Session, wilayah_csv: str | Path | None = None) -> LoadStats:
    """Load every region of the file (91,599 codes in the bundled file)."""
    data = read_wilayah(wilayah_csv)
    stored = stored_units(session)
    return _load(session, data, data.regions.values(), plan_upgrade(stored, data, set(stored)), stored)


def _load(session: Session, data: WilayahData, regions: Iterable[Region], plan: Upgrade, stored: dict[str, dict[str, Any]]) -> LoadStats:
    removed, retained = apply_upgrade(session, plan, stored, data)
    unchanged_store = not (plan.moves or removed or retained)
    stats = upsert_units(session, _unit_rows(regions), SOURCE, stored if unchanged_store else None)
    stats.moved, stats.removed, stats.retained = plan.moved, removed, retained
    stats.user_only = [Named(row["code"], row["name"]) for row in plan.user_only]
    stats.skipped = list(data.problems)
    return stats


def _within_pemda(plan: Upgrade, pemda_code: str, province_code: str) -> Upgrade:
    """The part of an upgrade plan that concerns one pemda (and its province row)."""

    def inside(code: str | None) -> bool:
        if not code:
            return False
        head = code.partition("/")[0]
        return head == province_code or codes.pemda_of(head) == pemda_code

    def in_scope(row: dict[str, Any]) -> bool:
        return inside(row["pemda_code"]) or inside(plan.moves.get(row["pemda_code"] or ""))

    moves = {old: new for old, new in plan.moves.items() if inside(new)}
    return Upgrade(
        moves=moves,
        moved=[move for move in plan.moved if move.old_code in moves],
        gone=[row for row in plan.gone if in_scope(row)],
        user_only=[row for row in plan.user_only if in_scope(row)],
    )


def _unknown_pemda(session: Session, data: WilayahData, code: str) -> str:
    """The message for a pemda code the file lacks; names the new code when the store knows where it went."""
    stored = stored_units(session, [code])
    new_code = None
    if code in stored:
        new_code = plan_upgrade(stored, data, set(existing_units(session, data.regions))).moves.get(code)
    new_code = new_code or _known_moves().get(code)
    if new_code in data.regions:
        name = data.regions[new_code].name
        return (
            f"Kode pemda {code} tidak ada lagi di data wilayah: {name} kini berkode {new_code}. "
            f"Jalankan 'spbe registry load --pemda {new_code}'; unit, situs, dan riwayat {code} ikut dipindahkan."
        )
    return f"Kode pemda {code} tidak ada di data wilayah"


@lru_cache(maxsize=1)
def _known_moves() -> dict[str, str]:
    """Old kabupaten/kota codes and their new ones (``data/wilayah/kode_pindah.csv``)."""
    path = Path(config.DATA_DIR) / "wilayah" / "kode_pindah.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["old_code"].strip(): row["new_code"].strip() for row in csv.DictReader(handle)}


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
