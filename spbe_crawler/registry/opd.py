"""Load a pemda's OPD list (``data/opd/<pemda>.csv``: slug,name,category,website) as units and
their declared websites."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from sqlmodel import Session

from spbe_crawler import config
from spbe_crawler.registry.results import LoadStats, RegistryError, RowError
from spbe_crawler.registry.unit_store import upsert_units
from spbe_crawler.registry.urls import normalise_url
from spbe_crawler.store.registry_queries import unit_exists
from spbe_crawler.store.unit_rows import insert_websites, stored_website_pairs, website_claims
from spbe_crawler.vocab import UnitKind

SOURCE = "opd-list"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")
REQUIRED_COLUMNS = ("slug", "name")


def opd_list_path(pemda_code: str) -> Path:
    return Path(config.DATA_DIR) / "opd" / f"{pemda_code}.csv"


def load_opd(session: Session, pemda_code: str, opd_csv: str | Path | None = None) -> LoadStats:
    """Create the units ``<pemda>/<slug>`` (kind ``opd``) and their declared websites.

    No list for the pemda: nothing happens (zero stats). The pemda itself must already be stored
    (``load_pemda``); otherwise ``RegistryError``.
    """
    path = Path(opd_csv) if opd_csv else opd_list_path(pemda_code)
    if not path.is_file():
        return LoadStats()
    if not unit_exists(session, pemda_code):
        command = f"spbe registry load --pemda {pemda_code}"
        raise RegistryError(f"Pemda {pemda_code} belum dimuat; jalankan '{command}' lebih dahulu")
    units, websites, problems = _read_opd_list(path, pemda_code)
    stats = upsert_units(session, units, SOURCE)
    stats.skipped = problems
    stats.websites_added = _add_websites(session, websites, stats)
    return stats


Websites = list[tuple[int, str, str]]  # (line, unit code, normalised url)


def _read_opd_list(path: Path, pemda_code: str) -> tuple[list[dict[str, Any]], Websites, list[RowError]]:
    units: list[dict[str, Any]] = []
    websites: Websites = []
    problems: list[RowError] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise RegistryError(f"Daftar OPD {path.name}: kolom {', '.join(missing)} tidak ada")
        seen: set[str] = set()
        for row in reader:
            line = reader.line_num
            unit, urls, problem = _opd_row(row, pemda_code, seen)
            if problem:
                problems.append(RowError(line, problem[0], problem[1]))
                continue
            seen.add(unit["code"])
            units.append(unit)
            websites.extend((line, unit["code"], url) for url in urls)
    return units, websites, problems


def _opd_row(row: dict[str, Any], pemda_code: str, seen: set[str]) -> tuple[dict[str, Any], list[str], tuple[str, str] | None]:
    slug = (row.get("slug") or "").strip().lower()
    name = " ".join((row.get("name") or "").split())
    if not _SLUG.match(slug):
        return {}, [], ("slug", f"slug '{slug}' tidak sah (huruf kecil, angka, '-' atau '_')")
    if not name:
        return {}, [], ("name", "nama kosong")
    code = f"{pemda_code}/{slug}"
    if code in seen:
        return {}, [], ("slug", f"slug '{slug}' muncul lebih dari sekali")
    try:
        urls = [normalise_url(text) for text in (row.get("website") or "").split(";") if text.strip()]
    except ValueError as exc:
        return {}, [], ("website", str(exc))
    category = (row.get("category") or "").strip().lower() or None
    unit = {
        "code": code,
        "name": name,
        "kind": UnitKind.OPD.value,
        "category": category,
        "parent_code": pemda_code,
        "pemda_code": pemda_code,
        "note": None,
    }
    return unit, urls, None


def _add_websites(session: Session, websites: Websites, stats: LoadStats) -> int:
    """Insert the new declared websites; one already declared for another unit is skipped and reported."""
    kept = set(stats.kept)
    stored = stored_website_pairs(session, {code for _, code, _ in websites})
    claims = website_claims(session, {url for _, _, url in websites})
    new: list[tuple[str, str]] = []
    for line, code, url in websites:
        others = claims.get(url, set()) - {code}
        if code in kept or (code, url) in stored:
            continue
        if others:
            message = f"situs {url} sudah dinyatakan untuk unit {min(others)}"
            stats.skipped.append(RowError(line, "website", message))
            continue
        new.append((code, url))
        claims.setdefault(url, set()).add(code)
    return insert_websites(session, new, SOURCE)
