"""Write the assessment worksheet as XLSX and read the assessor's edits back.

Layout for people who work in it: wrapped text with row heights that fit it, the header row
repeated on every printed page, A4 landscape fitted to one page wide, evidence URLs as clickable
links (all of them on the ``Bukti`` sheet), rationales that name pages instead of finding ids, and
a sheet protection that locks the criteria but lets the assessor sort and filter.

Reading never raises on a bad workbook: every problem becomes a Bahasa Indonesia message naming
the cell (``Penilaian!K7``), and a workbook with any problem yields no rows to apply.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from scoring.cells import put_xlsx
from scoring.framework import Framework
from scoring.rationale import page_name, readable
from scoring.review import MAX_NOTE, ROLE_FIRST, ROLES
from scoring.worksheet import EDITABLE, FORMAT, META_SHEET, SHEET, SheetRow, headers, row_values
from scoring.xlsx_limits import Grid, archive_problem, read_grid

HEADER_ROW = 4
EVIDENCE_SHEET = "Bukti"
WIDTHS = {"Indikator": 45, "Kriteria tingkat": 60, "Alasan perkiraan": 60, "URL bukti": 40, "Catatan": 40}
EDIT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
LINE_HEIGHT = 15  # points per wrapped line (Calibri 11)
MAX_ROW_HEIGHT = 409  # Excel's limit
LINK_FONT = Font(color="0563C1", underline="single")


@dataclass(frozen=True)
class ImportedRow:
    indicator: int
    level: int
    note: str
    reviewer: str
    cell: str


@dataclass
class WorksheetImport:
    framework_id: str | None = None
    pemda_code: str | None = None
    role: str = ROLE_FIRST
    rows: list[ImportedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    put_xlsx(ws, row, col, value)  # text, never a formula (evidence comes from crawled sites)


def write_xlsx(
    framework: Framework,
    pemda_code: str,
    pemda_name: str,
    rows: Sequence[SheetRow],
    path: Path,
    exported_at: datetime,
    role: str = ROLE_FIRST,
    pages: Mapping[int, str] | None = None,
) -> Path:
    """Write the workbook; ``pages`` (finding id -> URL) lets rationales name pages, not ids."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    cols = headers(framework)
    _put(ws, 1, 1, f"Lembar kerja penilaian {framework.index_name} – {pemda_name} ({pemda_code})")
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    _put(
        ws,
        2,
        1,
        "Isi kolom berwarna: Tingkat dikonfirmasi (1–5), Catatan, dan Penilai; lalu impor "
        "dengan perintah: spbe worksheet import <berkas>. Kolom lain dikunci.",
    )
    ws.cell(row=2, column=1).alignment = Alignment(wrap_text=False)
    widths = {}
    for col, name in enumerate(cols, start=1):
        _put(ws, HEADER_ROW, col, name)
        header = ws.cell(row=HEADER_ROW, column=col)
        header.font = Font(bold=True)
        header.fill = HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="top")
        widths[col] = WIDTHS.get(name, 14)
        ws.column_dimensions[get_column_letter(col)].width = widths[col]
    editable = [cols.index(name) + 1 for name in EDITABLE]
    evidence_col = cols.index("URL bukti") + 1
    rationale_col = cols.index("Alasan perkiraan") + 1
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        values = row_values(row)
        if pages is not None:
            values[rationale_col - 1] = readable(str(values[rationale_col - 1] or ""), pages)
        for col, value in enumerate(values, start=1):
            _put(ws, r, col, value)
            cell = ws.cell(row=r, column=col)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if col in editable:
                cell.protection = Protection(locked=False)
                cell.fill = EDIT_FILL
        _link(ws.cell(row=r, column=evidence_col), row.evidence_urls)
        ws.row_dimensions[r].height = _row_height(values, widths)
    last = HEADER_ROW + max(1, len(rows))
    _level_validation(ws, framework, editable[0], HEADER_ROW + 1, HEADER_ROW + len(rows))
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=len(framework.levels) + 3)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(cols))}{last}"
    _print_setup(ws, len(cols), last)
    _protect(ws)
    _write_evidence(wb, rows)
    _write_meta(wb, framework, pemda_code, pemda_name, exported_at, role)
    wb.save(path)
    return path


def _protect(ws: Worksheet) -> None:
    """Locked cells (criteria, estimates, rationale) stay read-only; sorting, filtering and resizing
    stay allowed (openpyxl: ``False`` = not locked)."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.sort = False
    ws.protection.autoFilter = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _print_setup(ws: Worksheet, columns: int, last_row: int) -> None:
    """A4 landscape, one page wide, header row on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(columns)}{last_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "Halaman &P dari &N"


def _row_height(values: Sequence[Any], widths: Mapping[int, float]) -> float:
    """Enough height for the longest wrapped cell (about one character per width unit)."""
    lines = 1
    for col, value in enumerate(values, start=1):
        if value is None:
            continue
        chars = max(1, int(widths.get(col, 14) * 1.1))
        text_lines = str(value).split("\n")
        lines = max(lines, sum(max(1, -(-len(line) // chars)) for line in text_lines))
    return float(min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 4))


def _link(cell: Any, urls: Sequence[str]) -> None:
    """The first http(s) URL becomes the cell's link (a link, never a formula)."""
    target = next((u for u in urls if _linkable(u)), None)
    if target is not None:
        cell.hyperlink = target
        cell.font = LINK_FONT


def _linkable(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://")) and not any(c in url for c in '"\n\r\t ')


def _write_evidence(wb: Workbook, rows: Sequence[SheetRow]) -> None:
    """Every evidence URL on its own row, clickable, for indicators with more than one."""
    ws = wb.create_sheet(EVIDENCE_SHEET)
    for col, (name, width) in enumerate((("No", 8), ("Indikator", 45), ("Halaman", 45), ("URL bukti", 70)), start=1):
        _put(ws, 1, col, name)
        ws.cell(row=1, column=col).font = Font(bold=True)
        ws.cell(row=1, column=col).fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    r = 1
    for row in rows:
        for url in row.evidence_urls:
            r += 1
            _put(ws, r, 1, row.indicator)
            _put(ws, r, 2, row.name)
            _put(ws, r, 3, page_name(url))
            _put(ws, r, 4, url)
            for col in (2, 3, 4):
                ws.cell(row=r, column=col).alignment = Alignment(wrap_text=True, vertical="top")
            if _linkable(url):
                ws.cell(row=r, column=4).hyperlink = url.strip()
                ws.cell(row=r, column=4).font = LINK_FONT
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:D{max(r, 1)}"
    ws.print_title_rows = "1:1"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(ws)


def _level_validation(ws: Worksheet, fw: Framework, col: int, first: int, last: int) -> None:
    levels = ",".join(str(n) for n in range(fw.scale_min, fw.scale_max + 1))
    dv = DataValidation(type="list", formula1=f'"{levels}"', allow_blank=True, showErrorMessage=True)
    dv.errorTitle = "Tingkat tidak valid"
    dv.error = f"Isi dengan bilangan bulat {fw.scale_min} sampai {fw.scale_max}."
    ws.add_data_validation(dv)
    letter = get_column_letter(col)
    dv.add(f"{letter}{first}:{letter}{max(first, last)}")


def _write_meta(wb: Workbook, fw: Framework, code: str, name: str, when: datetime, role: str) -> None:
    meta = wb.create_sheet(META_SHEET)
    entries = [
        ("format", FORMAT),
        ("framework", fw.id),
        ("pemda_code", code),
        ("pemda_name", name),
        ("role", role),
        ("exported_at", when.isoformat(timespec="seconds")),
    ]
    for r, (key, value) in enumerate(entries, start=1):
        _put(meta, r, 1, key)
        _put(meta, r, 2, value)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True


def read_xlsx(path: Path, frameworks: Mapping[str, Framework], expected_pemda: str | None = None) -> WorksheetImport:
    """The assessor's confirmations from an exported workbook, or the list of what is wrong in it.

    Bombs are refused before parsing (:mod:`scoring.xlsx_limits`); only the used range is read.
    """
    result = WorksheetImport()
    name = Path(path).name
    problem = archive_problem(Path(path))
    if problem:
        result.errors.append(f"{name}: {problem}")
        return result
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:
        result.errors.append(f"{name}: berkas tidak dapat dibaca sebagai XLSX ({type(exc).__name__})")
        return result
    try:
        sheets = _grids(wb, result)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:  # a member corrupt or inflating beyond its size
        result.errors.append(f"{name}: berkas tidak dapat dibaca sebagai XLSX ({type(exc).__name__})")
        return result
    finally:
        wb.close()
    if result.errors:
        return result
    framework = _read_meta(sheets, frameworks, expected_pemda, result)
    if framework is None:
        return result
    if SHEET not in sheets:
        result.errors.append(f"lembar '{SHEET}' tidak ada")
        return result
    _read_rows(sheets[SHEET], framework, result)
    if result.errors:
        result.rows = []
    return result


def _grids(wb: Any, result: WorksheetImport) -> dict[str, Grid]:
    """The used range of the two sheets the import reads, each refused if it is too large."""
    grids = {}
    for title in (META_SHEET, SHEET):
        if title in wb.sheetnames:
            grid, problem = read_grid(wb[title])
            if problem:
                result.errors.append(problem)
            elif grid is not None:
                grids[title] = grid
    return grids


def _read_meta(
    sheets: Mapping[str, Grid], frameworks: Mapping[str, Framework], expected: str | None, result: WorksheetImport
) -> Framework | None:
    if META_SHEET not in sheets:
        result.errors.append(f"lembar '{META_SHEET}' tidak ada: berkas bukan lembar kerja hasil ekspor spbe")
        return None
    grid = sheets[META_SHEET]
    meta = {str(grid.value(r, 1)): (grid.value(r, 2), grid.ref(r, 2)) for r in range(1, grid.max_row + 1) if grid.value(r, 1) is not None}

    def value(key: str) -> tuple[str, str]:
        raw, where = meta.get(key, (None, f"{META_SHEET}!B?"))
        return ("" if raw is None else str(raw).strip()), where

    fmt, where = value("format")
    if fmt != FORMAT:
        result.errors.append(f"{where}: format '{fmt}' tidak dikenal (harus {FORMAT})")
    fid, where = value("framework")
    framework = frameworks.get(fid)
    if framework is None:
        result.errors.append(f"{where}: kerangka '{fid}' tidak dikenal")
    code, where = value("pemda_code")
    if not code:
        result.errors.append(f"{where}: kode pemda kosong")
    elif expected is not None and code != expected:
        result.errors.append(f"{where}: lembar kerja untuk pemda {code}, bukan {expected}")
    role, where = value("role")
    if role not in ROLES:
        result.errors.append(f"{where}: peran penilai '{role}' tidak dikenal")
    result.framework_id, result.pemda_code, result.role = fid or None, code or None, role
    return framework  # rows are still checked so that every problem is reported at once


def _header_map(grid: Grid, expected: list[str]) -> tuple[int, dict[str, int]] | None:
    for r in range(1, 11):
        found = {str(v).strip(): c for c, v in grid.row(r).items()}
        if all(name in found for name in expected):
            return r, found
    return None


def _read_rows(grid: Grid, fw: Framework, result: WorksheetImport) -> None:
    needed = ["No", *EDITABLE]
    located = _header_map(grid, needed)
    if located is None:
        result.errors.append(f"{SHEET}: baris judul kolom tidak ditemukan (perlu kolom {', '.join(needed)})")
        return
    header_row, cols = located
    seen: dict[int, str] = {}
    for r in range(header_row + 1, grid.max_row + 1):
        cells = {name: _Cell(grid, r, cols[name]) for name in needed}
        if all(c.value in (None, "") for c in cells.values()):
            continue
        formulas = [c for c in cells.values() if c.formula]
        if formulas:
            for c in formulas:
                result.errors.append(f"{c.ref}: sel berisi rumus ({str(c.value)[:60]}); isi dengan nilai, bukan rumus")
            continue
        number = _indicator(cells["No"], fw, seen, result)
        level = _level(cells["Tingkat dikonfirmasi"], fw, result)
        note = "" if cells["Catatan"].value is None else str(cells["Catatan"].value).strip()
        reviewer = "" if cells["Penilai"].value is None else str(cells["Penilai"].value).strip()
        level_ref = cells["Tingkat dikonfirmasi"].ref
        if level is None:
            if (note or reviewer) and cells["Tingkat dikonfirmasi"].value in (None, ""):
                result.errors.append(f"{level_ref}: Catatan/Penilai diisi tetapi Tingkat dikonfirmasi kosong")
            continue
        if not reviewer:
            result.errors.append(f"{cells['Penilai'].ref}: nama penilai wajib diisi")
        elif len(note) > MAX_NOTE:
            result.errors.append(f"{cells['Catatan'].ref}: catatan lebih dari {MAX_NOTE} karakter")
        elif number is not None:
            result.rows.append(ImportedRow(number, level, note, reviewer, level_ref))


class _Cell:
    """One cell of a :class:`Grid`: its value, its reference (``Penilaian!K7``), whether it is a formula."""

    def __init__(self, grid: Grid, row: int, col: int):
        self.value = grid.value(row, col)
        self.ref = grid.ref(row, col)
        self.formula = (row, col) in grid.formulas


def _indicator(cell: _Cell, fw: Framework, seen: dict[int, str], result: WorksheetImport) -> int | None:
    ref = cell.ref
    number = _as_int(cell.value)
    if number is None:
        result.errors.append(f"{ref}: nomor indikator tidak valid ({cell.value!r})")
    elif number not in fw.indicators:
        result.errors.append(f"{ref}: indikator {number} tidak ada dalam kerangka {fw.id}")
        number = None
    elif number in seen:
        result.errors.append(f"{ref}: indikator {number} muncul dua kali (juga di {seen[number]})")
        number = None
    else:
        seen[number] = ref
    return number


def _level(cell: _Cell, fw: Framework, result: WorksheetImport) -> int | None:
    if cell.value in (None, ""):
        return None
    ref = cell.ref
    level = _as_int(cell.value)
    if level is None:
        scale = f"{fw.scale_min}–{fw.scale_max}"
        result.errors.append(f"{ref}: tingkat harus bilangan bulat {scale}, berisi {cell.value!r}")
    elif not fw.scale_min <= level <= fw.scale_max:
        result.errors.append(f"{ref}: tingkat {level} di luar rentang {fw.scale_min}–{fw.scale_max}")
        level = None
    return level


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
