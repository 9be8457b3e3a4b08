"""Spreadsheet cell safety: crawled text goes into CSV and XLSX cells as text, never as a formula.

Every CSV the project writes goes through :func:`write_csv` (or :func:`csv_text` for a download); every XLSX cell through :func:`xlsx_text`
(:mod:`scoring.worksheet_xlsx`). Lives in ``scoring`` because it is the bottom of the dependency
chain (``spbe_crawler`` → ``inventory`` → ``scoring``): every writer may import it.

CSV (OWASP "CSV injection"): a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is prefixed with ``'`` so that Excel and LibreOffice show it as text. JSON stays raw.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# characters XML 1.0 cannot hold (openpyxl refuses them): C0 controls except tab, newline and
# return, surrogates, U+FFFE and U+FFFF
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XLSX_MAX_CELL = 32767  # characters per cell (Excel's limit)


def csv_cell(value: object) -> object:
    """``value`` with spreadsheet formula injection neutralised (text only; numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """A CSV file in UTF-8 with BOM (Excel opens Indonesian names correctly), every cell made safe.

    ``None`` is written as an empty cell.
    """
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        _write(handle, header, rows)
    return path


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The same CSV as :func:`write_csv` as text, BOM first (for a download)."""
    out = io.StringIO(newline="")
    out.write("\ufeff")
    _write(out, header, rows)
    return out.getvalue()


def _write(handle: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    writer = csv.writer(handle)
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow(["" if value is None else csv_cell(value) for value in row])


def xlsx_text(value: str) -> str:
    """Text an XLSX cell can hold: XML-illegal characters dropped, cut at Excel's limit."""
    return _XML_ILLEGAL.sub("", value)[:XLSX_MAX_CELL]


def put_xlsx(ws: Any, row: int, col: int, value: object) -> Any:
    """Write ``value`` into an openpyxl cell; text is stored as text, never as a formula."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
    else:
        cell.value = value
    return cell
