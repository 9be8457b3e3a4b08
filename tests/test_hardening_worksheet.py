"""Issue #15: worksheet bombs are refused before parsing; a formula in an edited cell is named as such."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest
from test_scoring_worksheet import catalog, cell_of, edit, exported, fw, rows  # noqa: F401  (fixtures)

import scoring.worksheet_xlsx as worksheet_xlsx
from scoring.catalog import Catalog
from scoring.worksheet_xlsx import read_xlsx
from scoring.xlsx_limits import MAX_COLS, MAX_ROWS, MAX_UNCOMPRESSED

SHEET_XML = "xl/worksheets/sheet1.xml"  # the "Penilaian" sheet, first in the workbook
LEMBAR = "lembar kerja penilaian jauh lebih kecil, berkas ditolak"
TOO_MANY_ROWS = f"Penilaian: lembar berisi lebih dari {MAX_ROWS:,} baris; {LEMBAR}".replace(",", ".", 1)


def rewrite(path: Path, member: str, change) -> Path:  # type: ignore[no-untyped-def]
    """Write ``path`` again with ``member``'s bytes replaced by ``change(old)`` (streamed if it is an iterator)."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    out = path.with_name("ubah-" + path.name)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            if info.filename != member:
                target.writestr(info.filename, data)
                continue
            new = change(data)
            if isinstance(new, bytes):
                target.writestr(info.filename, new)
            else:
                with target.open(info.filename, "w", force_zip64=True) as handle:
                    for chunk in new:
                        handle.write(chunk)
    return out


def rows_appended(count: int, first: int = 52):  # type: ignore[no-untyped-def]
    """``<row>`` elements appended to the sheet data: the million-row case of the issue."""

    def change(data: bytes):  # type: ignore[no-untyped-def]
        head, tail = data.split(b"</sheetData>")
        head = re.sub(rb"<dimension [^>]*/>", b"", head)  # no declared size: only the rows tell
        yield head
        for start in range(first, first + count, 10000):
            stop = min(start + 10000, first + count)
            yield "".join(f'<row r="{i}"><c r="A{i}" t="n"><v>{i}</v></c></row>' for i in range(start, stop)).encode()
        yield b"</sheetData>" + tail

    return change


def refused_without_loading(path: Path, catalog: Catalog, monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    def no_load(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the workbook was parsed although the zip directory already refuses it")

    monkeypatch.setattr(worksheet_xlsx, "load_workbook", no_load)
    result = read_xlsx(path, catalog.frameworks, "18.71")
    assert not result.ok and result.rows == []
    return result.errors


def test_a_zip_bomb_is_refused_before_parsing(exported: Path, catalog: Catalog, monkeypatch) -> None:
    # 64 MB of XML whitespace inside the sheet: about 64 KB on disk
    padding = rewrite(exported, SHEET_XML, lambda data: iter([data[:-12], *([b" " * (1 << 20)] * 64), data[-12:]]))
    assert padding.stat().st_size < 1 << 20
    errors = refused_without_loading(padding, catalog, monkeypatch)
    assert len(errors) == 1 and errors[0].startswith("ubah-lembar.xlsx: isinya 64,")
    assert f"batas {MAX_UNCOMPRESSED // (1 << 20)},0 MB" in errors[0] and SHEET_XML in errors[0] and "ditolak" in errors[0]


def test_a_million_rows_are_refused_before_parsing(exported: Path, catalog: Catalog, monkeypatch) -> None:
    bomb = rewrite(exported, SHEET_XML, rows_appended(1_000_000))
    errors = refused_without_loading(bomb, catalog, monkeypatch)
    assert "setelah dibuka" in errors[0]


def test_too_many_zip_members_are_refused(exported: Path, catalog: Catalog, monkeypatch) -> None:
    with zipfile.ZipFile(exported, "a") as archive:
        for n in range(250):
            archive.writestr(f"xl/media/image{n}.png", b"")
    errors = refused_without_loading(exported, catalog, monkeypatch)
    assert "berkas di dalamnya (batas 200)" in errors[0]


def test_rows_beyond_the_limit_are_refused_even_when_the_sheet_hides_its_size(exported: Path, catalog: Catalog) -> None:
    small = rewrite(exported, SHEET_XML, rows_appended(MAX_ROWS))  # well under the size limit, no <dimension>
    with zipfile.ZipFile(small) as archive:
        assert sum(i.file_size for i in archive.infolist()) < MAX_UNCOMPRESSED
        assert b"<dimension" not in archive.read(SHEET_XML)
    result = read_xlsx(small, catalog.frameworks, "18.71")
    assert result.rows == [] and result.errors == [TOO_MANY_ROWS]


def test_a_declared_size_beyond_the_limits_is_refused(exported: Path, catalog: Catalog) -> None:
    far = rewrite(exported, SHEET_XML, lambda d: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', d))
    assert read_xlsx(far, catalog.frameworks).errors == [TOO_MANY_ROWS]


def test_columns_beyond_the_limit_are_refused(exported: Path, catalog: Catalog) -> None:
    edit(exported, {"DA5": "catatan jauh di kanan"})
    result = read_xlsx(exported, catalog.frameworks, "18.71")
    assert result.errors == [f"Penilaian: lembar berisi lebih dari {MAX_COLS} kolom; {LEMBAR}"]


def test_a_member_that_inflates_beyond_its_declared_size_is_refused(exported: Path, catalog: Catalog) -> None:
    """The zip directory lies (says 2 KB): reading stops at the declared size and the CRC check fails."""
    big = rewrite(exported, SHEET_XML, lambda data: iter([data[:-12], *([b" " * (1 << 20)] * 40), data[-12:]]))
    raw = bytearray(big.read_bytes())
    name = SHEET_XML.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        for match in re.finditer(re.escape(signature), raw):
            at = match.start()
            if raw[at + name_at : at + name_at + len(name)] == name:
                zip64 = struct.unpack_from("<I", raw, at + size_at)[0] == 0xFFFFFFFF
                if not zip64:
                    struct.pack_into("<I", raw, at + size_at, 2048)
    big.write_bytes(bytes(raw))
    with zipfile.ZipFile(big) as archive:
        declared = archive.getinfo(SHEET_XML).file_size
    if declared != 2048:  # written as zip64: patch the extra field instead
        pytest.skip("zip64 member sizes are not patched by this test")
    result = read_xlsx(big, catalog.frameworks, "18.71")
    assert result.rows == [] and len(result.errors) == 1
    assert "berkas tidak dapat dibaca sebagai XLSX" in result.errors[0]


def test_a_formula_in_an_edited_cell_is_named_a_formula(exported: Path, catalog: Catalog) -> None:
    level = cell_of(exported, 36, "Tingkat dikonfirmasi")
    edit(exported, {level: "=1+2", cell_of(exported, 36, "Penilai"): "Budi"})
    result = read_xlsx(exported, catalog.frameworks, "18.71")
    assert result.rows == []
    assert result.errors == [f"Penilaian!{level}: sel berisi rumus (=1+2); isi dengan nilai, bukan rumus"]


def test_a_formula_in_the_reviewer_cell_is_refused_too(exported: Path, catalog: Catalog) -> None:
    reviewer = cell_of(exported, 35, "Penilai")
    edit(exported, {cell_of(exported, 35, "Tingkat dikonfirmasi"): 3, reviewer: '=HYPERLINK("http://jahat.example","Budi")'})
    result = read_xlsx(exported, catalog.frameworks, "18.71")
    assert result.rows == [] and len(result.errors) == 1
    assert result.errors[0].startswith(f"Penilaian!{reviewer}: sel berisi rumus (=HYPERLINK(")


def test_a_normal_worksheet_still_reads(exported: Path, catalog: Catalog) -> None:
    edit(exported, {cell_of(exported, 35, "Tingkat dikonfirmasi"): 4, cell_of(exported, 35, "Penilai"): "Budi"})
    result = read_xlsx(exported, catalog.frameworks, "18.71")
    assert result.ok and {(r.indicator, r.level) for r in result.rows} == {(35, 4), (44, 2)}
