"""Worksheet round trip (XLSX), bad files rejected whole with cell-level messages, CSV/JSON export."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scoring.catalog import Catalog
from scoring.estimator import Estimate
from scoring.framework import Framework
from scoring.review import new_review
from scoring.worksheet import SheetRow, build_rows, headers, write_csv, write_json
from scoring.worksheet_xlsx import read_xlsx, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
WHEN = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
FORMULA = '=HYPERLINK("http://jahat.example","klik")'


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(ROOT / "spbe_crawler" / "data" / "frameworks")


@pytest.fixture(scope="module")
def fw(catalog: Catalog) -> Framework:
    return catalog.framework("spbe-2020")


@pytest.fixture
def rows(fw: Framework) -> list[SheetRow]:
    estimates = {35: Estimate(35, 3, 0.65, 4, "Perkiraan tingkat 3 (#12)", (12,)), 42: Estimate(42, None, 0.0, 4, "Belum ada bukti")}
    confirmed = {44: new_review(fw, 44, 2, "Ani", "sudah dicek", now=WHEN)}
    urls = {35: ["https://spse.inaproc.id/bandarlampungkota", FORMULA], 36: [FORMULA]}
    return build_rows(fw, estimates, confirmed, urls)


@pytest.fixture
def exported(tmp_path: Path, fw: Framework, rows: list[SheetRow]) -> Path:
    return write_xlsx(fw, "18.71", "KOTA BANDAR LAMPUNG", rows, tmp_path / "lembar.xlsx", WHEN)


def cell_of(path: Path, indicator: int, header: str) -> str:
    ws = load_workbook(path)["Penilaian"]
    cols = {c.value: c.column_letter for c in ws[4]}
    row = next(c.row for c in ws[cols["No"]] if c.value == indicator)
    return f"{cols[header]}{row}"


def edit(path: Path, changes: dict[str, object], sheet: str = "Penilaian") -> None:
    wb = load_workbook(path)
    for ref, value in changes.items():
        wb[sheet][ref] = value
    wb.save(path)


def test_rows_follow_the_framework(fw: Framework, rows: list[SheetRow]) -> None:
    assert [r.indicator for r in rows] == list(range(1, 48))
    r35 = rows[34]
    assert r35.groups == ("4 Layanan SPBE", "7 Layanan Administrasi Pemerintahan Berbasis Elektronik")
    assert (r35.estimate, r35.confidence, r35.confirmed) == (3, 0.65, None)
    assert r35.criteria.startswith("1 Informasi: Layanan Pengadaan") and "\n5 Optimum: " in r35.criteria
    assert rows[0].criteria.splitlines()[0] == "1 Rintisan"
    assert rows[41].confidence is None and rows[43].confirmed == 2 and rows[43].reviewer == "Ani"


def test_xlsx_layout_validation_and_hidden_meta(exported: Path, fw: Framework) -> None:
    wb = load_workbook(exported)
    ws = wb["Penilaian"]
    assert [c.value for c in ws[4]] == headers(fw)
    assert ws[cell_of(exported, 35, "Perkiraan tingkat")].value == 3
    assert ws[cell_of(exported, 44, "Tingkat dikonfirmasi")].value == 2
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1 and validations[0].formula1 == '"1,2,3,4,5"'
    assert str(validations[0].sqref) == "K5:K51"
    assert ws.protection.sheet and not ws[cell_of(exported, 35, "Catatan")].protection.locked
    assert ws[cell_of(exported, 35, "Alasan perkiraan")].protection.locked
    meta = wb["meta"]
    assert meta.sheet_state == "hidden" and meta.protection.sheet
    assert {r[0].value: r[1].value for r in meta.iter_rows(max_col=2)}["pemda_code"] == "18.71"


def test_crawled_text_is_never_a_formula(exported: Path) -> None:
    cell = load_workbook(exported)["Penilaian"][cell_of(exported, 36, "URL bukti")]
    assert cell.data_type == "s" and cell.value == FORMULA


def test_round_trip_reads_the_assessor_edits(exported: Path, catalog: Catalog) -> None:
    edit(
        exported,
        {
            cell_of(exported, 35, "Tingkat dikonfirmasi"): 2,
            cell_of(exported, 35, "Catatan"): "login saja",
            cell_of(exported, 35, "Penilai"): "Budi",
            cell_of(exported, 5, "Tingkat dikonfirmasi"): "3",
            cell_of(exported, 5, "Penilai"): "Budi",
            cell_of(exported, 12, "Tingkat dikonfirmasi"): 4.0,
            cell_of(exported, 12, "Penilai"): "Budi",
        },
    )
    result = read_xlsx(exported, catalog.frameworks, "18.71")
    assert result.ok, result.errors
    assert (result.framework_id, result.pemda_code, result.role) == ("spbe-2020", "18.71", "first")
    got = {(r.indicator, r.level, r.note, r.reviewer) for r in result.rows}
    assert got == {(5, 3, "", "Budi"), (12, 4, "", "Budi"), (35, 2, "login saja", "Budi"), (44, 2, "sudah dicek", "Ani")}


BadEdit = Callable[[Path], dict[str, object]]
BAD_FILES: list[tuple[str, BadEdit, str]] = [
    ("level 7", lambda p: {cell_of(p, 36, "Tingkat dikonfirmasi"): 7, cell_of(p, 36, "Penilai"): "Budi"}, "tingkat 7 di luar rentang 1–5"),
    (
        "text level",
        lambda p: {cell_of(p, 36, "Tingkat dikonfirmasi"): "tiga", cell_of(p, 36, "Penilai"): "Budi"},
        "tingkat harus bilangan bulat 1–5, berisi 'tiga'",
    ),
    ("decimal level", lambda p: {cell_of(p, 36, "Tingkat dikonfirmasi"): 2.5, cell_of(p, 36, "Penilai"): "Budi"}, "berisi 2.5"),
    ("unknown indicator", lambda p: {"C6": 99, "K6": 2, "M6": "Budi"}, "indikator 99 tidak ada dalam kerangka spbe-2020"),
    ("duplicate indicator", lambda p: {"C6": 1}, "indikator 1 muncul dua kali"),
    ("missing reviewer", lambda p: {cell_of(p, 36, "Tingkat dikonfirmasi"): 2}, "nama penilai wajib diisi"),
    ("note without level", lambda p: {cell_of(p, 36, "Catatan"): "lihat dokumen"}, "Tingkat dikonfirmasi kosong"),
]


@pytest.mark.parametrize("name, change, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_cell_rejects_the_whole_file(exported: Path, catalog: Catalog, name: str, change: BadEdit, message: str) -> None:
    good = {cell_of(exported, 35, "Tingkat dikonfirmasi"): 2, cell_of(exported, 35, "Penilai"): "Budi"}
    edit(exported, {**good, **change(exported)})
    result = read_xlsx(exported, catalog.frameworks, "18.71")
    assert not result.ok and result.rows == []  # the good row is not applied either
    assert any(message in e for e in result.errors), result.errors
    assert all(e.startswith(("Penilaian!", "meta!")) for e in result.errors)


def test_wrong_pemda_is_rejected(exported: Path, catalog: Catalog) -> None:
    edit(exported, {cell_of(exported, 35, "Tingkat dikonfirmasi"): 2, cell_of(exported, 35, "Penilai"): "Budi"})
    result = read_xlsx(exported, catalog.frameworks, "35.07")
    assert result.rows == [] and result.errors == ["meta!B3: lembar kerja untuk pemda 18.71, bukan 35.07"]


def test_tampered_meta_is_rejected(exported: Path, catalog: Catalog) -> None:
    edit(exported, {"B2": "spbe-2099", "B5": "ketiga"}, sheet="meta")
    result = read_xlsx(exported, catalog.frameworks)
    assert "meta!B2: kerangka 'spbe-2099' tidak dikenal" in result.errors
    assert "meta!B5: peran penilai 'ketiga' tidak dikenal" in result.errors


def test_missing_meta_sheet_and_not_a_workbook(exported: Path, tmp_path: Path, catalog: Catalog) -> None:
    wb = load_workbook(exported)
    del wb["meta"]
    wb.save(exported)
    assert "bukan lembar kerja hasil ekspor spbe" in read_xlsx(exported, catalog.frameworks).errors[0]
    junk = tmp_path / "bukan.xlsx"
    junk.write_text("ini bukan xlsx", encoding="utf-8")
    result = read_xlsx(junk, catalog.frameworks)
    assert result.rows == [] and "bukan.xlsx: berkas tidak dapat dibaca sebagai XLSX" in result.errors[0]


def test_columns_can_be_moved(exported: Path, catalog: Catalog) -> None:
    wb = load_workbook(exported)
    ws = wb["Penilaian"]
    ws.protection.sheet = False
    ws.insert_cols(1)
    ws["A4"] = "Kolom tambahan penilai"
    wb.save(exported)
    edit(exported, {cell_of(exported, 35, "Tingkat dikonfirmasi"): 4, cell_of(exported, 35, "Penilai"): "Budi"})
    result = read_xlsx(exported, catalog.frameworks, "18.71")
    assert result.ok and any(r.indicator == 35 and r.level == 4 for r in result.rows)


def test_csv_and_json_hold_the_same_rows(tmp_path: Path, fw: Framework, rows: list[SheetRow]) -> None:
    csv_path = write_csv(fw, rows, tmp_path / "lembar.csv")
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == headers(fw) and len(table) == 48
    r35 = dict(zip(table[0], table[35], strict=False))
    assert (r35["No"], r35["Perkiraan tingkat"], r35["Keyakinan"], r35["Bobot"]) == ("35", "3", "0.65", "2.75")
    assert r35["URL bukti"].splitlines() == ["https://spse.inaproc.id/bandarlampungkota", FORMULA]
    assert dict(zip(table[0], table[36], strict=False))["URL bukti"] == "'" + FORMULA  # no formula injection
    doc = json.loads(write_json(fw, "18.71", "KOTA", rows, tmp_path / "l.json", WHEN).read_text(encoding="utf-8"))
    assert doc["framework"] == "spbe-2020" and len(doc["rows"]) == 47
    j35 = doc["rows"][34]
    assert j35["domain"] == "4 Layanan SPBE" and j35["estimate"] == 3 and j35["weight"] == 2.75
    assert j35["evidence_urls"] == ["https://spse.inaproc.id/bandarlampungkota", FORMULA]
    assert doc["rows"][43]["confirmed_level"] == 2


def test_xlsx_is_laid_out_for_people(tmp_path: Path, fw: Framework, rows: list[SheetRow]) -> None:
    pages = {12: "https://spse.inaproc.id/bandarlampungkota/lelang"}
    path = write_xlsx(fw, "18.71", "KOTA BANDAR LAMPUNG", rows, tmp_path / "lembar.xlsx", WHEN, pages=pages)
    wb = load_workbook(path)
    ws = wb["Penilaian"]
    # wrapped text, and rows tall enough for the criteria (five levels, several lines each)
    criteria = ws[cell_of(path, 35, "Kriteria tingkat")]
    assert criteria.alignment.wrap_text
    assert ws.row_dimensions[criteria.row].height >= 5 * 15
    assert all(ws.row_dimensions[r].height for r in range(5, 52))
    # print: header row on every page, A4 landscape, one page wide
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    # evidence is clickable; a formula-like "URL" never becomes a link
    evidence = ws[cell_of(path, 35, "URL bukti")]
    assert evidence.hyperlink is not None and evidence.hyperlink.target == "https://spse.inaproc.id/bandarlampungkota"
    assert ws[cell_of(path, 36, "URL bukti")].hyperlink is None
    bukti = wb["Bukti"]
    links = [(c.value, c.hyperlink.target if c.hyperlink else None) for c in bukti["D"][1:]]
    assert ("https://spse.inaproc.id/bandarlampungkota", "https://spse.inaproc.id/bandarlampungkota") in links
    assert (FORMULA, None) in links and bukti["D"][1].data_type == "s"
    # rationale names the page, not the internal finding id
    rationale = ws[cell_of(path, 35, "Alasan perkiraan")].value
    assert "#12" not in rationale and "spse.inaproc.id/bandarlampungkota/lelang" in rationale
    # sort and filter allowed; criteria stay locked
    assert ws.auto_filter.ref == f"A4:{ws.cell(row=4, column=len(headers(fw))).column_letter}51"
    assert ws.protection.sheet and ws.protection.sort is False and ws.protection.autoFilter is False
    assert criteria.protection.locked


def test_csv_keeps_the_rationale_ids(tmp_path: Path, fw: Framework, rows: list[SheetRow]) -> None:
    text = write_csv(fw, rows, tmp_path / "lembar.csv").read_text(encoding="utf-8-sig")
    assert "Perkiraan tingkat 3 (#12)" in text
