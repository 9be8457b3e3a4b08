"""Read a Kemendagri region file (``code,name`` a line, RFC 4180) into regions, once per file version."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from spbe_crawler import config
from spbe_crawler.registry import codes
from spbe_crawler.registry.names import region_name
from spbe_crawler.registry.results import RegistryError, RowError
from spbe_crawler.vocab import UnitKind

HEADER_WORDS = {"code", "kode", "kode_wilayah", "id"}
MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    kind: str
    parent_code: str | None
    pemda_code: str | None


@dataclass(frozen=True)
class WilayahData:
    """The regions of one file in file order, and the lines that could not be read."""

    path: Path
    regions: dict[str, Region]
    problems: tuple[RowError, ...]

    def pemda_regions(self, pemda_code: str) -> list[Region]:
        """The province of a pemda, the pemda itself and every kecamatan, kelurahan and desa in it."""
        prefix = pemda_code + "."
        province = self.regions.get(codes.parent_of(pemda_code) or "")
        inside = [r for code, r in self.regions.items() if code == pemda_code or code.startswith(prefix)]
        return ([province] if province else []) + inside

    @cached_property
    def children(self) -> dict[str | None, list[str]]:
        """Codes by parent code; provinces and kabupaten/kota are all listed under ``None`` (a
        kabupaten that moved to a new province is looked for among all of them)."""
        index: dict[str | None, list[str]] = {}
        for code, region in self.regions.items():
            parent = region.parent_code if code.count(".") >= 2 else None
            index.setdefault(parent, []).append(code)
        return index


def default_wilayah_path() -> Path:
    return Path(config.DATA_DIR) / "wilayah" / "kemendagri_base.csv"


def read_wilayah(path: str | Path | None = None) -> WilayahData:
    """Parse a region file; the parse is cached until the file changes. Raises ``RegistryError``."""
    resolved = Path(path or default_wilayah_path()).expanduser().resolve()
    try:
        stat = resolved.stat()
    except OSError as exc:
        raise RegistryError(f"Berkas data wilayah {resolved} tidak dapat dibaca: {exc.strerror}") from None
    return _read_cached(resolved, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read_cached(path: Path, _mtime_ns: int, _size: int) -> WilayahData:
    regions: dict[str, Region] = {}
    problems: list[RowError] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line, row in _numbered_rows(csv.reader(handle)):
                _take_row(line, row, regions, problems)
    except UnicodeDecodeError:
        raise RegistryError(f"Berkas data wilayah {path.name} bukan teks UTF-8") from None
    except csv.Error as exc:
        raise RegistryError(f"Berkas data wilayah {path.name} bukan CSV yang sah: {exc}") from None
    return WilayahData(path=path, regions=regions, problems=tuple(problems))


def _numbered_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line of the record, cells), skipping blank lines."""
    start = 1
    for row in reader:
        if row and (row[0].strip() or any(cell.strip() for cell in row)):
            yield start, row
        start = reader.line_num + 1


def _take_row(line: int, row: list[str], regions: dict[str, Region], problems: list[RowError]) -> None:
    code = row[0].strip()
    if line == 1 and code.lower() in HEADER_WORDS:
        return
    kind, problem = _row_kind(row, code, regions)
    if problem:
        problems.append(RowError(line, problem[0], problem[1]))
        return
    name = " ".join(row[1].split())
    if kind in (UnitKind.PROVINSI, UnitKind.PEMDA):
        name = region_name(name)
    regions[code] = Region(code, name, kind, codes.parent_of(code), codes.pemda_of(code))


def _row_kind(row: list[str], code: str, regions: dict[str, Region]) -> tuple[str, tuple[str, str] | None]:
    """The unit kind of a row's code, or what is wrong with the row (the code is checked once: the
    whole country's file has some 90,000 rows, read by every command that needs it)."""
    if len(row) != 2:
        return "", ("", "harus tepat dua kolom (kode,nama); nama yang memuat koma harus diapit tanda kutip")
    try:
        kind = codes.region_kind(code)
    except ValueError as exc:
        return "", ("code", str(exc))
    name = row[1].strip()
    if not name:
        return kind, ("name", "nama kosong")
    if len(name) > MAX_NAME_LENGTH:
        return kind, ("name", f"nama lebih dari {MAX_NAME_LENGTH} karakter")
    if code in regions:
        return kind, ("code", f"kode {code} muncul lebih dari sekali")
    return kind, None
