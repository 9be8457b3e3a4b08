"""Importing a user's registry on real first runs: extreme lines (5 MB, NUL, 1 MB cells, unclosed
quotes) are reported by line while the good rows land; websites on private addresses warn; parents
come from the bundled Kemendagri codes; a name that differs slightly keeps the stored one and the
row's website is added (or ``--perbarui`` takes the file's name). Every file is made by the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from spbe_crawler.cli import app
from spbe_crawler.registry.csv_import import import_registry_csv
from spbe_crawler.registry.text_table import MAX_RECORD_CHARS, MAX_RECORD_LINES
from spbe_crawler.registry.wilayah import load_pemda
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import Unit, Website

HEADER = "code,name,kind,parent_code,website\n"
ROOT = "bandarlampungkota.go.id"


def opd_row(slug: str) -> str:
    return f"18.71/{slug},Unit {slug},opd,18.71,https://{slug}.{ROOT}\n"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Session]:
    with Session(get_engine(f"sqlite:///{tmp_path / 'registry.sqlite3'}")) as db:
        yield db


@pytest.fixture
def loaded(store: Session) -> Session:
    load_pemda(store, "18.71")
    store.commit()
    return store


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "registri.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def errors_by_line(report) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {error.line: error.message for error in report.errors}


def test_extreme_lines_are_reported_and_the_good_rows_imported(loaded: Session, tmp_path: Path) -> None:
    lines = [
        HEADER,  # 1
        opd_row("dinkes"),  # 2
        "18.71/besar,Unit Besar,opd,18.71," + "a" * (5 * 1024 * 1024) + "\n",  # 3: a 5 MB line
        opd_row("disdik"),  # 4
        "18.71/nul,Unit\x00Nul,opd,18.71,\n",  # 5: a NUL byte
        opd_row("bpbd"),  # 6
        '18.71/sel,"' + "b" * (1024 * 1024) + '",opd,18.71,\n',  # 7: a 1 MB quoted cell
        opd_row("dlh"),  # 8
        '18.71/kutip,"Unit tanpa kutip penutup,opd,18.71,\n',  # 9: a quote that never closes ...
        *[opd_row(f"opd-{n}") for n in range(MAX_RECORD_LINES + 2)],  # 10 ...: ... and the rows after it
        '18.71/multi,"Unit\nDua Baris",opd,18.71,\n',  # a quoted cell over two lines is fine
    ]
    report = import_registry_csv(loaded, write(tmp_path, "".join(lines)))
    loaded.commit()
    problems = errors_by_line(report)
    assert sorted(problems) == [3, 5, 7, 9]
    assert "lebih dari" in problems[3] and "karakter" in problems[3]
    assert "NUL" in problems[5]
    assert "lebih dari" in problems[7] or "kutip" in problems[7]
    assert "tanda kutip tidak ditutup" in problems[9]
    slugs = ["dinkes", "disdik", "bpbd", "dlh", *[f"opd-{n}" for n in range(MAX_RECORD_LINES + 2)]]
    for slug in slugs:
        assert loaded.get(Unit, f"18.71/{slug}") is not None, slug
    assert loaded.get(Unit, "18.71/multi").name == "Unit Dua Baris"
    assert report.units_added == len(slugs) + 1 and report.websites_added == len(slugs)
    for code in ("18.71/besar", "18.71/nul", "18.71/sel", "18.71/kutip"):
        assert loaded.get(Unit, code) is None
    assert report.rejected_lines == [3, 5, 7, 9]


def test_a_quote_open_to_the_end_of_the_file_only_costs_its_line(loaded: Session, tmp_path: Path) -> None:
    text = HEADER + opd_row("dinkes") + '18.71/x,"Unit X,opd,18.71,\n' + opd_row("disdik")
    report = import_registry_csv(loaded, write(tmp_path, text))
    assert errors_by_line(report).keys() == {3}
    assert "akhir berkas" in errors_by_line(report)[3]
    assert report.units_added == 2


def test_cli_on_a_five_megabyte_line_prints_no_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPBE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()
    assert runner.invoke(app, ["registry", "load", "--pemda", "18.71"]).exit_code == 0
    path = write(tmp_path, HEADER + opd_row("uji-a") + "x" * (5 * 1024 * 1024) + "\n" + opd_row("uji-b"))
    result = runner.invoke(app, ["registry", "import", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "field larger" not in result.output
    assert "baris 3:" in result.output and f"{MAX_RECORD_CHARS:,}".replace(",", ".") in result.output
    assert "2 unit baru" in result.output


def test_a_five_megabyte_header_is_a_clear_error(store: Session, tmp_path: Path) -> None:
    report = import_registry_csv(store, write(tmp_path, "code" + "," * (5 * 1024 * 1024) + "\n"))
    assert [(error.line, "baris judul" in error.message) for error in report.errors] == [(1, True)]


def test_websites_on_private_addresses_warn(loaded: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPBE_ALLOWED_NETWORKS", raising=False)
    monkeypatch.delenv("SPBE_CONNECT_TO_FILE", raising=False)
    rows = {
        "lokal": "http://127.0.0.1:8080/",
        "metadata": "http://169.254.169.254/latest/",
        "privat": "http://10.20.30.40/",
        "nama-lokal": "http://intranet.localhost/",
        "v6": "http://[::1]/",
        "publik": f"https://publik.{ROOT}/",
        "ip-publik": "http://103.10.20.30/",
    }
    text = HEADER + "".join(f"18.71/{slug},Unit {slug},opd,18.71,{url}\n" for slug, url in rows.items())
    report = import_registry_csv(loaded, write(tmp_path, text))
    assert report.ok and report.websites_added == len(rows)  # imported, with warnings
    warned = {warning.line for warning in report.warnings if "address_blocked" in warning.message}
    assert warned == {2, 3, 4, 5, 6}
    assert any("169.254.169.254" in warning.message for warning in report.warnings)
    assert "Peringatan:" in report.summary()
    monkeypatch.setenv("SPBE_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
    again = import_registry_csv(loaded, write(tmp_path, text.replace("18.71/", "18.71/b-").replace("http", "https")))
    assert {w.line for w in again.warnings if "address_blocked" in w.message} == {3, 4}


def test_pemda_row_naming_its_province_on_a_fresh_store(store: Session, tmp_path: Path) -> None:
    text = (
        HEADER
        + f"18.71,Pemerintah Kota Bandar Lampung,pemda,18,https://{ROOT}\n"
        + f"18.71/diskominfo,Dinas Kominfo,opd,18.71,https://diskominfo.{ROOT}\n"
        + f"18.71.01.1003,Kedaton,kelurahan,18.71.01,https://kel-kedaton.{ROOT}\n"
    )
    report = import_registry_csv(store, write(tmp_path, text))
    store.commit()
    assert report.ok, report.errors
    assert report.units_added == 3 and report.websites_added == 3
    province, kecamatan = store.get(Unit, "18"), store.get(Unit, "18.71.01")
    assert (province.name, province.kind, province.source) == ("Lampung", "provinsi", "kemendagri")
    assert (kecamatan.name, kecamatan.kind, kecamatan.pemda_code) == ("Kedaton", "kecamatan", "18.71")
    assert store.get(Unit, "18.71").source == "import"
    assert store.get(Unit, "18.71.01.1003").pemda_code == "18.71"
    notes = [w.message for w in report.warnings if w.column == "parent_code"]
    assert any("18 (Lampung)" in note for note in notes) and any("18.71.01 (Kedaton)" in note for note in notes)
    again = import_registry_csv(store, write(tmp_path, text))
    assert (again.units_added, again.parents_added, again.websites_added) == (0, 0, 0)
    # the bundled load afterwards keeps the user's pemda name and fills in the rest
    stats = load_pemda(store, "18.71")
    assert stats.kept == ["18.71"] and store.get(Unit, "18.71").name == "Pemerintah Kota Bandar Lampung"


def test_unknown_parent_is_still_refused(store: Session, tmp_path: Path) -> None:
    report = import_registry_csv(store, write(tmp_path, HEADER + "99.99,Kabupaten Tiada,pemda,99,\n"))
    assert [(e.line, e.column) for e in report.errors] == [(2, "parent_code")]
    assert store.exec(select(func.count()).select_from(Unit)).one() == 0


def test_slightly_different_name_keeps_the_stored_one_and_adds_the_site(loaded: Session, tmp_path: Path) -> None:
    text = HEADER + f"18.71.01.1005,Kel. Sukamenati,kelurahan,18.71.01,https://sukamenanti.{ROOT}\n"
    report = import_registry_csv(loaded, write(tmp_path, text))
    loaded.commit()
    assert report.ok and report.units_existing == 1 and report.websites_added == 1
    assert loaded.get(Unit, "18.71.01.1005").name == "Sukamenanti"
    assert loaded.exec(select(Website.url).where(Website.unit_code == "18.71.01.1005")).one() == f"https://sukamenanti.{ROOT}/"
    [note] = [w for w in report.warnings if w.column == "name"]
    assert note.line == 2 and "tersimpan sebagai 'Sukamenanti'" in note.message and "--perbarui" in note.message


def test_perbarui_takes_the_file_name(loaded: Session, tmp_path: Path) -> None:
    text = HEADER + f"18.71.01,Kecamatan Kedaton Lama,kecamatan,18.71,https://kedaton.{ROOT}\n"
    refused = import_registry_csv(loaded, write(tmp_path, text))
    assert [e.column for e in refused.errors] == ["code"] and "--perbarui" in refused.errors[0].message
    loaded.rollback()
    report = import_registry_csv(loaded, write(tmp_path, text), update_names=True)
    loaded.commit()
    assert report.ok and report.units_renamed == 1 and report.websites_added == 1
    unit = loaded.get(Unit, "18.71.01")
    assert (unit.name, unit.source) == ("Kecamatan Kedaton Lama", "import")
    assert load_pemda(loaded, "18.71").kept == ["18.71.01"]  # the bundled load leaves the user's name
    assert loaded.get(Unit, "18.71.01").name == "Kecamatan Kedaton Lama"


def test_cli_perbarui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPBE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()
    assert runner.invoke(app, ["registry", "load", "--pemda", "18.71"]).exit_code == 0
    path = write(tmp_path, HEADER + f"18.71.02,Kecamatan Sukarame Raya,kecamatan,18.71,https://sukarame.{ROOT}\n")
    refused = runner.invoke(app, ["registry", "import", str(path)])
    assert refused.exit_code == 1 and "--perbarui" in refused.output
    renamed = runner.invoke(app, ["registry", "import", "--perbarui", str(path)])
    assert renamed.exit_code == 0, renamed.output
    assert "1 nama diperbarui" in renamed.output and "diganti dari 'Sukarame'" in renamed.output
