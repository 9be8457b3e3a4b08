"""Loading Kemendagri regions: levels, parents, names, idempotence, newer files, bad lines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from spbe_crawler.config import DATA_DIR
from spbe_crawler.registry.codes import parent_of, pemda_of, region_kind
from spbe_crawler.registry.names import region_name
from spbe_crawler.registry.results import RegistryError
from spbe_crawler.registry.wilayah import load_country, load_pemda
from spbe_crawler.registry.wilayah_file import read_wilayah
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import Unit

SAMPLES = Path(__file__).parent / "sample_data" / "registry"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    with Session(get_engine(f"sqlite:///{tmp_path / 'registry.sqlite3'}")) as db:
        yield db


def source_counts(prefix: str) -> Counter[str]:
    """Units per kind under a code prefix, counted straight from the bundled file's text."""
    counted: Counter[str] = Counter()
    text = (Path(DATA_DIR) / "wilayah" / "kemendagri_base.csv").read_text(encoding="utf-8")
    for line in text.splitlines():
        code = line.split(",", 1)[0]
        if code.startswith(prefix):
            parts = code.split(".")
            village = "kelurahan" if parts[-1].startswith("1") else "desa"
            counted[["provinsi", "pemda", "kecamatan", village][len(parts) - 1]] += 1
    return counted


def kinds(session: Session, pemda_code: str) -> Counter[str]:
    units = session.exec(select(Unit).where(Unit.pemda_code == pemda_code)).all()
    return Counter(unit.kind for unit in units)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("KOTA BANDAR LAMPUNG", "Kota Bandar Lampung"),
        ("KAB. ACEH SELATAN", "Kabupaten Aceh Selatan"),
        ("KAB TIMOR TENGAH SELATAN", "Kabupaten Timor Tengah Selatan"),
        ("KAB. ADM. KEP. SERIBU", "Kabupaten Administrasi Kepulauan Seribu"),
        ("KOTA ADM. JAKARTA PUSAT", "Kota Administrasi Jakarta Pusat"),
        ("DKI JAKARTA", "DKI Jakarta"),
        ("KAB. PANGKAJENE DAN KEPULAUAN", "Kabupaten Pangkajene dan Kepulauan"),
        ("KAB. TOLI-TOLI", "Kabupaten Toli-Toli"),
        ("KOTA  BAU BAU ", "Kota Bau Bau"),
        ("Korpri jaya", "Korpri jaya"),  # mixed case: Kemendagri's spelling is kept
        ("Lubuk Pakam I,II", "Lubuk Pakam I,II"),
    ],
)
def test_region_name(raw: str, expected: str) -> None:
    assert region_name(raw) == expected


@pytest.mark.parametrize(
    ("code", "kind", "parent", "pemda"),
    [
        ("18", "provinsi", None, None),
        ("18.71", "pemda", "18", "18.71"),
        ("18.71.01", "kecamatan", "18.71", "18.71"),
        ("18.71.01.1003", "kelurahan", "18.71.01", "18.71"),
        ("35.07.01.2001", "desa", "35.07.01", "35.07"),
        ("18.7", None, None, None),
        ("91.03.01.3007", "desa", "91.03.01", "91.03"),  # desa adat
        ("18.71.01.4001", None, None, None),
        ("1871", None, None, None),
    ],
)
def test_code_levels(code: str, kind: str | None, parent: str | None, pemda: str | None) -> None:
    if kind is None:
        with pytest.raises(ValueError):
            region_kind(code)
        return
    assert (region_kind(code), parent_of(code), pemda_of(code)) == (kind, parent, pemda)


def test_bandar_lampung_units_and_parents(session: Session) -> None:
    stats = load_pemda(session, "18.71")
    session.commit()
    assert kinds(session, "18.71") == {"pemda": 1, "kecamatan": 20, "kelurahan": 126}
    assert stats.added == 1 + 1 + 20 + 126  # with the province as parent row
    pemda = session.get(Unit, "18.71")
    assert (pemda.name, pemda.kind, pemda.parent_code, pemda.pemda_code) == ("Kota Bandar Lampung", "pemda", "18", "18.71")
    province = session.get(Unit, "18")
    assert (province.name, province.kind, province.parent_code, province.pemda_code) == ("Lampung", "provinsi", None, None)
    kelurahan = session.get(Unit, "18.71.01.1003")
    assert (kelurahan.name, kelurahan.parent_code, kelurahan.pemda_code) == ("Kedaton", "18.71.01", "18.71")
    kecamatan_codes = {u.code for u in session.exec(select(Unit).where(Unit.kind == "kecamatan"))}
    villages = session.exec(select(Unit).where(Unit.kind == "kelurahan")).all()
    assert all(v.parent_code in kecamatan_codes for v in villages)
    assert session.exec(select(func.count()).select_from(Unit).where(Unit.code.like("18.72%"))).one() == 0


def test_malang_has_desa_and_kelurahan(session: Session) -> None:
    load_pemda(session, "35.07")
    assert kinds(session, "35.07") == {"pemda": 1, "kecamatan": 33, "desa": 378, "kelurahan": 12}
    assert session.get(Unit, "35.07").name == "Kabupaten Malang"
    assert session.get(Unit, "35").name == "Jawa Timur"


def test_load_pemda_is_idempotent(session: Session) -> None:
    first = load_pemda(session, "18.71")
    session.commit()
    again = load_pemda(session, "18.71")
    session.commit()
    assert (again.added, again.updated, again.unchanged) == (0, 0, first.added)
    assert session.exec(select(func.count()).select_from(Unit)).one() == first.added


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("99.99", "Kode pemda 99.99 tidak ada di data wilayah"),
        ("18", "Kode pemda 18 tidak sah"),
        ("18.71.01", "Kode pemda 18.71.01 tidak sah"),
    ],
)
def test_unknown_or_malformed_pemda(session: Session, code: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        load_pemda(session, code)
    assert session.exec(select(func.count()).select_from(Unit)).one() == 0


def test_newer_file_updates_renamed_and_adds_new(session: Session) -> None:
    load_pemda(session, "18.71")
    session.commit()
    stats = load_pemda(session, "18.71", SAMPLES / "wilayah_newer.csv")
    session.commit()
    assert session.get(Unit, "18.71.01").name == "Kedaton Raya"
    assert stats.updated == 1
    assert stats.added == 2  # 18.71.21 and 18.71.21.1001
    assert session.get(Unit, "18.71.21.1001").parent_code == "18.71.21"
    country = load_country(session, SAMPLES / "wilayah_newer.csv")
    assert session.get(Unit, "93.01").name == "Kabupaten Merauke"
    assert session.get(Unit, "93.01.01.2002").kind == "desa"
    assert country.added == 5 and country.updated == 0


def test_user_units_are_not_overwritten(session: Session) -> None:
    session.add(Unit(code="18.71", name="Pemerintah Kota Bandar Lampung", kind="pemda", pemda_code="18.71", source="import"))
    session.commit()
    stats = load_pemda(session, "18.71")
    session.commit()
    assert stats.kept == ["18.71"]
    assert session.get(Unit, "18.71").name == "Pemerintah Kota Bandar Lampung"


def test_bad_lines_are_reported_and_skipped() -> None:
    data = read_wilayah(SAMPLES / "wilayah_bad.csv")
    by_line = {problem.line: problem for problem in data.problems}
    assert sorted(by_line) == [4, 5, 6, 7, 8]
    assert by_line[4].column == "code" and by_line[5].column == "name"
    assert "lebih dari sekali" in by_line[6].message
    assert "1xxx" in by_line[7].message
    assert "tanda kutip" in by_line[8].message
    assert data.regions["18.71.01"].name == "Kedaton"
    assert data.regions["18.71.01.1004"].name == "Lubuk Pakam I,II"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="tidak dapat dibaca"):
        read_wilayah(tmp_path / "tidak-ada.csv")


def test_load_country_all_codes_once(session: Session) -> None:
    stats = load_country(session)
    session.commit()
    counts = dict(session.exec(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
    assert counts == source_counts("")
    # the counts of data/wilayah/SOURCE.md (Kepmendagri 300.2.2-2138 Tahun 2025): 38 provinces,
    # 514 kab/kota, 7,285 kecamatan, 83,762 desa/kelurahan of which 8,496 kelurahan
    assert counts == {"provinsi": 38, "pemda": 514, "kecamatan": 7285, "kelurahan": 8496, "desa": 83762 - 8496}
    assert stats.added == sum(counts.values()) and not stats.skipped
    again = load_country(session)
    assert (again.added, again.updated, again.unchanged) == (0, 0, stats.added)
