"""Importing a user's registry CSV: every bad-row kind with its line, encodings, Excel exports,
nothing overwritten, no duplicates on re-import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from spbe_crawler.registry.csv_import import import_registry_csv
from spbe_crawler.registry.results import ImportReport
from spbe_crawler.registry.text_table import decode_text
from spbe_crawler.registry.wilayah import load_pemda
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import Unit, Website
from spbe_crawler.store.unit_rows import insert_websites

SAMPLES = Path(__file__).parent / "sample_data" / "registry"


def fresh_session(path: Path) -> Session:
    session = Session(get_engine(f"sqlite:///{path / 'registry.sqlite3'}"))
    load_pemda(session, "18.71")
    insert_websites(session, [("18.71.02", "https://sukarame.bandarlampungkota.go.id/")], "registry")
    session.commit()
    return session


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    with fresh_session(tmp_path) as db:
        yield db


@pytest.fixture(scope="module")
def bad_import(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, ImportReport]]:
    with fresh_session(tmp_path_factory.mktemp("bad")) as db:
        report = import_registry_csv(db, SAMPLES / "bad_rows.csv")
        db.commit()
        yield db, report


# (line of bad_rows.csv, expected column, fragment of the message); column None: the row is good.
ROW_CASES = [
    (2, None, "18.71/dinkes"),
    (3, "code", "kode kosong"),
    (4, "name", "nama kosong"),
    (5, "kind", "jenis unit 'kantor' tidak dikenal"),
    (6, "parent_code", "induk 18.71/tidak-ada tidak ada di basis data maupun di baris sebelumnya"),
    (7, "code", "kode 18.71/dinkes sudah muncul di baris 2"),
    (8, "website", "skema 'ftp' tidak didukung"),
    (9, "website", "nama host '-bappeda-.go.id' tidak sah"),
    (10, "code", "kode 18.71.01 sudah tersimpan sebagai 'Kedaton' (kecamatan); tidak ditimpa"),
    (11, "code", "kode 18.71.02 sudah tersimpan sebagai 'Sukarame' (kecamatan); tidak ditimpa"),
    (12, "website", "situs https://dinkes.bandarlampungkota.go.id/ sudah dinyatakan untuk unit 18.71/dinkes"),
    (13, "website", "situs https://sukarame.bandarlampungkota.go.id/ sudah dinyatakan untuk unit 18.71.02"),
    (14, None, "18.71/bpbd"),
    (15, "parent_code", "induk 18.71/x (baris 5) ditolak"),
    (16, None, "18.71.01.1003"),
    (17, None, "18.71/bag-umum"),
    (18, "parent_code", "kode induk wajib diisi untuk unit jenis kecamatan"),
    (19, "", "lebih banyak kolom"),
    (20, None, "18.71/upt-puskesmas-kedaton"),
    (22, "website", "nomor port tidak sah"),
]


@pytest.mark.parametrize(("line", "column", "fragment"), ROW_CASES)
def test_each_row_is_judged(bad_import: tuple[Session, ImportReport], line: int, column: str | None, fragment: str) -> None:
    db, report = bad_import
    errors = [error for error in report.errors if error.line == line]
    if column is None:
        assert errors == []
        assert db.get(Unit, fragment) is not None
    else:
        assert [(error.column, fragment in error.message) for error in errors] == [(column, True)], errors


def test_bad_import_totals(bad_import: tuple[Session, ImportReport]) -> None:
    db, report = bad_import
    assert report.rows_read == 20  # 21 lines after the header, one record spans two
    assert report.rejected_lines == [line for line, column, _ in ROW_CASES if column is not None]
    assert report.units_added == 4 and report.units_existing == 1
    # dinkes 1, bpbd 1, kelurahan Kedaton 1, puskesmas 2 (two different addresses)
    assert report.websites_added == 5
    puskesmas = db.get(Unit, "18.71/upt-puskesmas-kedaton")
    assert (puskesmas.name, puskesmas.pemda_code, puskesmas.parent_code) == ("UPT Puskesmas Kedaton", "18.71", "18.71/dinkes")
    urls = db.exec(select(Website.url).where(Website.unit_code == puskesmas.code).order_by(Website.url)).all()
    assert urls == ["http://puskesmas-kedaton.bandarlampungkota.go.id:8080/layanan", "https://puskesmas-kedaton.bandarlampungkota.go.id/"]
    assert db.get(Unit, "18.71/bag-umum").name == "Bagian Umum, Sekretariat Daerah"
    summary = report.summary()
    assert "20 baris dibaca" in summary and "baris 3, kolom code: kode kosong" in summary


def test_nothing_stored_is_overwritten(bad_import: tuple[Session, ImportReport]) -> None:
    db, _ = bad_import
    kedaton = db.get(Unit, "18.71.01")
    assert (kedaton.name, kedaton.kind, kedaton.source) == ("Kedaton", "kecamatan", "kemendagri")
    assert db.get(Unit, "18.71.02").kind == "kecamatan"
    owners = db.exec(select(Website.unit_code).where(Website.host == "sukarame.bandarlampungkota.go.id")).all()
    assert owners == ["18.71.02"]


def test_reimport_creates_no_duplicates(session: Session) -> None:
    first = import_registry_csv(session, SAMPLES / "good.csv")
    session.commit()
    again = import_registry_csv(session, SAMPLES / "good.csv")
    session.commit()
    assert (first.units_added, first.units_existing, first.websites_added, first.ok) == (2, 1, 4, True)
    assert (again.units_added, again.units_existing, again.websites_added, again.ok) == (0, 3, 0, True)
    assert session.exec(select(func.count()).select_from(Website)).one() == 1 + 4


def test_utf8_bom(session: Session) -> None:
    report = import_registry_csv(session, SAMPLES / "bom.csv")
    assert report.ok and report.warnings == [] and report.units_added == 2
    assert session.get(Unit, "18.71/dinkes").name == "Dinas Kesehatan"


def test_cp1252_is_read_with_a_warning(session: Session) -> None:
    report = import_registry_csv(session, SAMPLES / "cp1252.csv")
    assert report.ok and report.units_added == 2
    assert [(w.line, "cp1252" in w.message) for w in report.warnings] == [(0, True)]
    assert session.get(Unit, "18.71/disparekraf").name == "Dinas Pariwisata – Ekonomi Kreatif"
    assert session.get(Unit, "18.71/kafe").name == "Kantin Café Sehat"


def test_bytes_cp1252_cannot_decode_fall_back_to_latin1() -> None:
    text, warning = decode_text("Kantor\x81".encode("latin-1"))
    assert text == "Kantor\x81" and warning is not None and "latin-1" in warning.message
    assert decode_text("Café".encode()) == ("Café", None)


def test_semicolon_excel_export(session: Session) -> None:
    report = import_registry_csv(session, SAMPLES / "semicolon_excel.csv")
    assert report.ok, report.errors
    assert (report.rows_read, report.units_added, report.websites_added) == (2, 2, 2)
    assert session.get(Unit, "18.71/diskominfo").name == "Dinas Komunikasi, Informatika dan Statistik"
    urls = session.exec(select(Website.url).where(Website.unit_code == "18.71/diskominfo").order_by(Website.url)).all()
    assert urls == ["https://diskominfo.bandarlampungkota.go.id/", "https://ppid.bandarlampungkota.go.id/"]


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        (b"", 0, "berkas kosong"),
        (b"kode;nama\n18.71/a;A\n", 1, "baris judul harus memuat kolom code, name, kind"),
        (b"code,name,kind,code\n", 1, "kolom code muncul dua kali"),
        (b"code,name\x00,kind\n", 0, "berkas biner"),
    ],
)
def test_unreadable_files_import_nothing(session: Session, tmp_path: Path, content: bytes, line: int, fragment: str) -> None:
    path = tmp_path / "registry.csv"
    path.write_bytes(content)
    before = session.exec(select(func.count()).select_from(Unit)).one()
    report = import_registry_csv(session, path)
    assert [(e.line, fragment in e.message) for e in report.errors] == [(line, True)]
    assert session.exec(select(func.count()).select_from(Unit)).one() == before


def test_missing_file_is_a_value(session: Session, tmp_path: Path) -> None:
    report = import_registry_csv(session, tmp_path / "tidak-ada.csv")
    assert not report.ok and report.errors[0].line == 0 and "tidak dapat dibaca" in report.errors[0].message


def test_unknown_columns_warn_and_website_column_is_optional(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "registry.csv"
    path.write_text("CODE,Name,kind,parent_code,catatan\n18.71/dinkes,Dinas Kesehatan,OPD,18.71,lama\n", encoding="utf-8")
    report = import_registry_csv(session, path)
    assert report.ok and report.units_added == 1 and report.websites_added == 0
    assert [(w.line, w.column) for w in report.warnings] == [(1, "catatan")]
    assert session.get(Unit, "18.71/dinkes").kind == "opd"


def test_summary_of_an_unreadable_file(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "registry.csv"
    path.write_bytes("kode;nama\nA;Caf\xe9\n".encode("cp1252"))
    summary = import_registry_csv(session, path).summary()
    assert summary.startswith("Berkas tidak diimpor:")
    assert "baris 1: baris judul harus memuat kolom" in summary and "cp1252" in summary
