"""Read a user's CSV as it comes out of Excel or LibreOffice: any of UTF-8 (with or without BOM),
UTF-16, cp1252/latin-1; comma, semicolon or tab separated; header names in any case.

Problems are values: a file that cannot be read at all gives ``TextTable.error``; a guessed
encoding gives a warning on line 0.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from spbe_crawler.registry.results import RowError

DELIMITERS = (",", ";", "\t")
MAX_BYTES = 50 * 1024 * 1024


@dataclass
class TableRow:
    line: int
    values: dict[str, str]
    extra_cells: bool


@dataclass
class TextTable:
    rows: list[TableRow] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    error: RowError | None = None
    delimiter: str = ","


def read_table(data: bytes, required: Sequence[str], optional: Sequence[str] = ()) -> TextTable:
    """Decode ``data``, find the delimiter from the header line, and return the rows keyed by column."""
    table = TextTable()
    if len(data) > MAX_BYTES:
        table.error = RowError(0, "", f"berkas lebih besar dari {MAX_BYTES // (1024 * 1024)} MB")
        return table
    text, warning = decode_text(data)
    if warning:
        table.warnings.append(warning)
    if "\x00" in text:
        table.error = RowError(0, "", "berkas biner, bukan teks CSV")
        return table
    found = _find_header(text, required)
    if isinstance(found, RowError):
        table.error = found
        return table
    table.delimiter, header_line = found
    _read_rows(table, text, header_line, required, optional)
    return table


def decode_text(data: bytes) -> tuple[str, RowError | None]:
    """Text of ``data`` and, when it was not UTF-8, a warning naming the encoding used."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), RowError(0, "", "berkas dibaca sebagai UTF-16")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        message = (
            f"berkas bukan UTF-8; dibaca sebagai {encoding}. Periksa nama yang memuat huruf non-ASCII, lalu simpan ulang sebagai CSV UTF-8"
        )
        return text, RowError(0, "", message)
    raise AssertionError("latin-1 decodes any byte string")


def _header_names(line: str, delimiter: str) -> list[str]:
    cells = next(csv.reader([line], delimiter=delimiter), [])
    return [cell.strip().strip("\ufeff").lower() for cell in cells]


def _find_header(text: str, required: Sequence[str]) -> tuple[str, int] | RowError:
    lines = text.splitlines()
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return RowError(0, "", "berkas kosong")
    for delimiter in DELIMITERS:
        if set(required) <= set(_header_names(lines[index], delimiter)):
            return delimiter, index + 1
    wanted = ", ".join(required)
    return RowError(index + 1, "", f"baris judul harus memuat kolom {wanted} (dipisah koma atau titik koma)")


def _read_rows(table: TextTable, text: str, header_line: int, required: Sequence[str], optional: Sequence[str]) -> None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=table.delimiter)
    start, columns, width = 1, None, 0
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if line < header_line or not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns, width = _columns(table, cells, line, [*required, *optional]), len(cells)
                if columns is None:
                    return
                continue
            values = {name: cells[i].strip() if i < len(cells) else "" for name, i in columns.items()}
            extra = any(cell.strip() for cell in cells[width:])
            table.rows.append(TableRow(line, values, extra))
    except csv.Error as exc:
        table.error = RowError(start, "", f"CSV tidak sah: {exc}")


def _columns(table: TextTable, cells: list[str], line: int, known: Sequence[str]) -> dict[str, int] | None:
    names = [cell.strip().strip("\ufeff").lower() for cell in cells]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in columns:
            table.error = RowError(line, name, f"kolom {name} muncul dua kali di baris judul")
            return None
        if name in known:
            columns[name] = index
        elif name:
            table.warnings.append(RowError(line, name, f"kolom {name} tidak dikenal dan diabaikan"))
    return columns
