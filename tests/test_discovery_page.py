from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from spbe_crawler.discovery import UnitIndex, UnitRef, page_matches_unit
from spbe_crawler.registry.wilayah_file import read_wilayah

PAGES = Path(__file__).parent / "sample_data" / "real"


def pemda_units(pemda_code: str) -> list[UnitRef]:
    regions = read_wilayah().pemda_regions(pemda_code)
    return [UnitRef(r.code, r.name, r.kind, r.parent_code) for r in regions if r.kind != "provinsi"]


def title_and_text(file: str) -> tuple[str, str]:
    root = lxml.html.parse(str(PAGES / file)).getroot()
    return root.findtext(".//title") or "", " ".join(root.body.text_content().split())


@pytest.mark.parametrize(
    "title, text, unit_name, kind, confirmed",
    [
        ("Website Resmi Kel. Penarukan", "", "Kelurahan Panarukan", "kelurahan", True),
        (
            "Beranda",
            "Selamat datang di website resmi Kelurahan Way Halim Permai, Kota Bandar Lampung",
            "Way Halim Permai",
            "kelurahan",
            True,
        ),
        ("KECAMATAN TANJUNGKARANG BARAT", "", "Tanjungkarang Barat", "kecamatan", True),
        ("Pemerintah Desa Ma'rang", "", "Marang", "desa", True),
        ("Website Resmi Kel. Gedong Air", "", "Kelurahan Panarukan", "kelurahan", False),  # another kelurahan
        ("Kelurahan Sukarame Baru", "", "Sukarame", "kelurahan", False),  # the Baru sibling
        ("Kelurahan Jagabaya II", "", "Jagabaya I", "kelurahan", False),
        ("Kecamatan Kedaton", "", "Kedaton", "kelurahan", False),  # same name, other kind
        ("Beranda", "Berita: warga Kelurahan Pahoman kerja bakti", "Pahoman", "kecamatan", False),
        ("Selamat Datang", "Situs ini sedang dalam perbaikan", "Panarukan", "kelurahan", False),
        ("", "", "Panarukan", "kelurahan", False),
    ],
)
def test_page_matches_unit(title: str, text: str, unit_name: str, kind: str, confirmed: bool) -> None:
    result = page_matches_unit(title, text, unit_name, kind)
    assert result.confirmed is confirmed, result.evidence
    if confirmed:
        assert result.score >= 0.85 and "memuat nama" in result.evidence
    else:
        assert "memuat nama" not in result.evidence


def test_rival_with_a_longer_name_refuses_the_confirmation() -> None:
    # "Rajabasa Nunyai" carries no extension word: only the rival list tells it from "Rajabasa".
    alone = page_matches_unit("Kelurahan Rajabasa Nunyai", "", "Rajabasa", "kelurahan")
    assert alone.confirmed
    rivalled = page_matches_unit("Kelurahan Rajabasa Nunyai", "", "Rajabasa", "kelurahan", rivals=[("Rajabasa Nunyai", "kelurahan")])
    assert not rivalled.confirmed and "lebih cocok dengan Kelurahan Rajabasa Nunyai" in rivalled.evidence


def test_index_confirms_with_every_unit_as_rival() -> None:
    index = UnitIndex(pemda_units("18.71"), "bandarlampungkota.go.id")
    assert index.confirm_page("18.71.10.1005", "Kelurahan Rajabasa Nunyai", "").confirmed
    assert not index.confirm_page("18.71.10.1001", "Kelurahan Rajabasa Nunyai", "").confirmed
    assert not index.confirm_page("18.71.15", "Kelurahan Perumnas Way Halim", "").confirmed
    assert index.confirm_page("18.71.15", "Kecamatan Way Halim - Kota Bandar Lampung", "").confirmed
    assert not index.confirm_page("99.99", "Kecamatan Way Halim", "").confirmed


def test_real_desa_page_confirms_its_desa_only() -> None:
    title, text = title_and_text("negari.desa.id__home-opensid-batudaa.html")
    index = UnitIndex(pemda_units("51.05"), "klungkungkab.go.id")
    result = index.confirm_page("51.05.02.2001", title, text)
    assert result.confirmed and result.score == 1.0
    assert result.evidence == "judul 'Desa Negari' memuat nama Desa Negari sebagai 'negari' (skor 1.00)"
    others = [u for u in index.units if u.kind == "desa" and u.code != "51.05.02.2001"]
    assert len(others) > 40
    assert not any(index.confirm_page(u.code, title, text).confirmed for u in others)


def test_real_desa_page_with_a_template_leftover() -> None:
    title, text = title_and_text("klampok.id__2018-05-apbdes-desa-klampok-tahun-2018.html")
    index = UnitIndex(pemda_units("33.04"), "banjarnegarakab.go.id")
    klampok = index.confirm_page("33.04.02.2005", title, text)
    assert klampok.confirmed and "APBDes Desa Klampok" in klampok.evidence
    neighbours = [u for u in index.units if u.parent_code == "33.04.02" and u.code != "33.04.02.2005"]
    assert neighbours and not any(index.confirm_page(u.code, title, text).confirmed for u in neighbours)
