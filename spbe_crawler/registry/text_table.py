"""Read a user's CSV as it comes out of Excel or LibreOffice: any of UTF-8 (with or without BOM),
UTF-16, cp1252/latin-1; comma, semicolon or tab separated; header names in any case.

Problems are values: a file that cannot be read at all gives ``TextTable.error``; a line that cannot be
read (longer than a row can be, a NUL byte, a quote that never closes) is reported in
``TextTable.problems`` with its number and skipped, and the reading goes on with the next line; a
guessed encoding gives a warning on line 0.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from spbe_crawler.registry.results import RowError
from spbe_crawler.reports.formatting import angka

DELIMITERS = (",", ";", "\t")
MAX_BYTES = 50 * 1024 * 1024
MAX_RECORD_CHARS = 20_000  # one row: a name of at most 200 characters and a few addresses of at most 2,000
MAX_RECORD_LINES = 20  # a quoted cell may hold line breaks, not this many
BINARY_SHARE, MIN_BINARY_NULS = 0.01, 16  # more NUL characters than this: a binary file, not a CSV

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass
class TableRow:
    line: int
    values: dict[str, str]
    extra_cells: bool


@dataclass
class TextTable:
    rows: list[TableRow] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)  # lines that could not be read, skipped
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
    nuls = text.count("\x00")
    if nuls > MIN_BINARY_NULS and nuls > len(text) * BINARY_SHARE:
        table.error = RowError(0, "", "berkas biner, bukan teks CSV")
        return table
    lines = _LINE.findall(text)
    found = _find_header(lines, required)
    if isinstance(found, RowError):
        table.error = found
        return table
    table.delimiter, header_index = found
    _read_rows(table, lines, header_index, required, optional)
    return table


def decode_text(data: bytes) -> tuple[str, RowError | None]:
    """Text of ``data`` and, when it was not UTF-8, a warning naming the encoding used."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), RowError(0, "", "berkas dibaca sebagai UTF-16")
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


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _header_names(cells: list[str]) -> list[str]:
    return [cell.strip().strip("\ufeff").lower() for cell in cells]


def _find_header(lines: list[str], required: Sequence[str]) -> tuple[str, int] | RowError:
    """The delimiter and the index of the header line (the first line that is not blank)."""
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return RowError(0, "", "berkas kosong")
    line = lines[index]
    if "\x00" in line:
        return RowError(0, "", "berkas biner, bukan teks CSV (baris judul memuat karakter NUL)")
    if len(line) > MAX_RECORD_CHARS:
        return RowError(index + 1, "", f"baris judul lebih dari {angka(MAX_RECORD_CHARS)} karakter; ini bukan berkas registri")
    for delimiter in DELIMITERS:
        if set(required) <= set(_header_names(_cells(line, delimiter))):
            return delimiter, index
    wanted = ", ".join(required)
    return RowError(index + 1, "", f"baris judul harus memuat kolom {wanted} (dipisah koma atau titik koma)")


def _read_rows(table: TextTable, lines: list[str], header_index: int, required: Sequence[str], optional: Sequence[str]) -> None:
    columns = _columns(table, _cells(lines[header_index], table.delimiter), header_index + 1, [*required, *optional])
    if columns is None:
        return
    width = len(_cells(lines[header_index], table.delimiter))
    for line, cells, problem in _records(lines, header_index + 1, table.delimiter, width):
        if problem:
            table.problems.append(RowError(line, "", problem))
        elif any(cell.strip() for cell in cells):
            values = {name: cells[i].strip() if i < len(cells) else "" for name, i in columns.items()}
            extra = any(cell.strip() for cell in cells[width:])
            table.rows.append(TableRow(line, values, extra))


def _records(lines: list[str], start: int, delimiter: str, width: int) -> Iterator[tuple[int, list[str], str | None]]:
    """(first line number, cells, problem) of every record from ``lines[start]`` on.

    A record is one line, or several when a quoted cell holds line breaks. A line that cannot be read
    is reported and skipped on its own, and reading resumes on the next line, so one bad line never
    takes the good rows after it along: a quoted cell whose inner lines look like whole rows (as many
    separators as the header) is an unclosed quote, not a cell.
    """
    index = start
    while index < len(lines):
        first = index
        end, problem = _record_end(lines, first, delimiter)
        if not problem and any(line.count(delimiter) >= max(width - 1, 1) for line in lines[first + 1 : end - 1]):
            problem = "tanda kutip tidak ditutup: baris-baris berikutnya terbaca sebagai isi sel; baris ini dilewati"
        if problem:
            yield first + 1, [], problem
            index = first + 1
            continue
        record = "".join(lines[first:end])
        index = end
        if "\x00" in record:
            yield first + 1, [], "baris memuat karakter NUL (data biner); baris ini dilewati"
            continue
        try:
            cells = next(csv.reader([record], delimiter=delimiter), [])
        except csv.Error as exc:
            yield first + 1, [], f"CSV tidak sah: {exc}; baris ini dilewati"
            continue
        yield first + 1, cells, None


def _record_end(lines: list[str], first: int, delimiter: str) -> tuple[int, str | None]:
    """Index after the last line of the record that starts at ``first``, or a problem."""
    size, in_quotes = 0, False
    for index in range(first, min(len(lines), first + MAX_RECORD_LINES)):
        size += len(lines[index])
        if size > MAX_RECORD_CHARS:
            shown = angka(MAX_RECORD_CHARS)
            if index == first:
                return first, f"baris lebih dari {shown} karakter (bukan baris registri); baris ini dilewati"
            return first, f"tanda kutip tidak ditutup: sel ini melewati {shown} karakter; baris ini dilewati"
        in_quotes = _ends_in_quotes(lines[index], delimiter, in_quotes)
        if not in_quotes:
            return index + 1, None
    if not in_quotes:  # pragma: no cover - the loop returns first
        return first + 1, None
    if first + MAX_RECORD_LINES <= len(lines):
        return first, f"tanda kutip tidak ditutup dalam {MAX_RECORD_LINES} baris; baris ini dilewati"
    return first, "tanda kutip tidak ditutup sampai akhir berkas; baris ini dilewati"


def _ends_in_quotes(line: str, delimiter: str, in_quotes: bool) -> bool:
    """Whether a quoted cell is still open at the end of ``line`` (RFC 4180: a quote opens a cell only
    at its start; ``""`` inside a quoted cell is a quote)."""
    if '"' not in line:
        return in_quotes
    at_cell_start = not in_quotes
    index, length = 0, len(line)
    while index < length:
        char = line[index]
        if in_quotes:
            if char == '"':
                if index + 1 < length and line[index + 1] == '"':
                    index += 2
                    continue
                in_quotes = False
        elif char == '"' and at_cell_start:
            in_quotes = True
            at_cell_start = False
            index += 1
            continue
        at_cell_start = not in_quotes and char == delimiter
        index += 1
    return in_quotes


def _columns(table: TextTable, cells: list[str], line: int, known: Sequence[str]) -> dict[str, int] | None:
    names = _header_names(cells)
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
