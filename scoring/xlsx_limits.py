"""Bounded reading of a workbook someone sends back: refuse bombs before parsing, read only the used range.

A worksheet of a framework (47 indicators for PermenPANRB 59/2020) is a few hundred kilobytes
uncompressed and about fifty rows. An XLSX is a zip of XML files, so a small file can inflate to
gigabytes (zip bomb) or hold a million rows: both are refused, with a message for the assessor,
from the zip directory and the sheets' row/column counts, before anything is loaded whole.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

# Far above what any exported worksheet can be (47 rows of at most 32,767 characters in the three
# long columns: under 5 MB), far below what hurts a laptop.
MAX_UNCOMPRESSED = 20 * 1024 * 1024  # bytes, all members of the zip together
MAX_MEMBERS = 200  # files inside the zip (an Excel save has about 15)
MAX_ROWS = 1000  # rows of a sheet (header + one per indicator)
MAX_COLS = 100  # columns of a sheet (about 15 plus any the assessor adds)


def _n(number: int) -> str:
    """Indonesian thousands separator: 1.000.000."""
    return f"{number:,}".replace(",", ".")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def archive_problem(path: Path) -> str | None:
    """Why the zip behind ``path`` is refused before parsing, or ``None`` (also when it is no zip at all).

    The sizes come from the zip directory; a member that inflates beyond its declared size fails its
    CRC check when read (:mod:`zipfile` reads at most the declared size).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # the loader reports an unreadable file in its own words
    if len(members) > MAX_MEMBERS:
        return f"berisi {_n(len(members))} berkas di dalamnya (batas {MAX_MEMBERS}); ini bukan lembar kerja hasil ekspor spbe"
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED:
        biggest = max(members, key=lambda m: m.file_size)
        return (
            f"isinya {_mb(total)} setelah dibuka (batas {_mb(MAX_UNCOMPRESSED)}; bagian terbesar {biggest.filename} "
            f"{_mb(biggest.file_size)}); lembar kerja penilaian jauh lebih kecil, berkas ditolak tanpa dibaca"
        )
    return None


@dataclass
class Grid:
    """The non-empty cells of one sheet (row, column → value), and which of them hold a formula."""

    title: str
    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    formulas: set[tuple[int, int]] = field(default_factory=set)
    max_row: int = 0

    def value(self, row: int, col: int) -> Any:
        return self.values.get((row, col))

    def row(self, row: int) -> dict[int, Any]:
        return {c: v for (r, c), v in self.values.items() if r == row}

    def ref(self, row: int, col: int) -> str:
        return f"{self.title}!{get_column_letter(col)}{row}"


def read_grid(ws: Any) -> tuple[Grid | None, str | None]:
    """The used range of a read-only sheet, or why it is refused (too many rows or columns).

    The declared size (``<dimension>``) is checked first; the rows are then read only up to the
    limit, so a sheet that lies about its size is still refused after at most ``MAX_ROWS`` rows.
    """
    title = ws.title
    declared_rows, declared_cols = ws.max_row or 0, ws.max_column or 0
    if declared_rows > MAX_ROWS or declared_cols > MAX_COLS:
        return None, _size_problem(title, declared_rows, declared_cols)
    grid = Grid(title)
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLS + 1), start=1):
        if r > MAX_ROWS:
            return None, _size_problem(title, r, 0)
        for c, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            if value is None or value == "":
                continue
            if c > MAX_COLS:
                return None, _size_problem(title, 0, c)
            grid.values[(r, c)] = value
            grid.max_row = r
            if getattr(cell, "data_type", None) == "f":
                grid.formulas.add((r, c))
    return grid, None


def _size_problem(title: str, rows: int, cols: int) -> str:
    what = f"lebih dari {_n(MAX_ROWS)} baris" if rows > MAX_ROWS else f"lebih dari {_n(MAX_COLS)} kolom"
    return f"{title}: lembar berisi {what}; lembar kerja penilaian jauh lebih kecil, berkas ditolak"
