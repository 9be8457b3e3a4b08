from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from spbe_crawler.discovery import UnitIndex, UnitRef
from spbe_crawler.registry.wilayah_file import read_wilayah

SAMPLES = Path(__file__).parent / "sample_data" / "discovery"
LINK_CASES = yaml.safe_load((SAMPLES / "bandar_lampung_links.yaml").read_text(encoding="utf-8"))


def pemda_units(pemda_code: str) -> list[UnitRef]:
    """The real Kemendagri units of one pemda (the pemda row, its kecamatan and kelurahan/desa)."""
    regions = read_wilayah().pemda_regions(pemda_code)
    return [UnitRef(r.code, r.name, r.kind, r.parent_code) for r in regions if r.kind != "provinsi"]


@pytest.fixture(scope="module")
def bandar_lampung() -> UnitIndex:
    units = pemda_units("18.71")
    assert len([u for u in units if u.kind in ("kecamatan", "kelurahan")]) == 146
    return UnitIndex(units, LINK_CASES["root"])


@pytest.mark.parametrize("case", LINK_CASES["cases"], ids=[c["href"] + " " + c.get("text", "") for c in LINK_CASES["cases"]])
def test_bandar_lampung_links(bandar_lampung: UnitIndex, case: dict[str, Any]) -> None:
    match = bandar_lampung.match_link(case["href"], case.get("text", ""))
    if case["expect"] is None:
        assert match is None
    elif case["expect"] == "ambiguous":
        assert match is not None and match.ambiguous
        assert {match.best[0], match.runner_up[0]} == set(case["codes"])
        assert "ambigu" in match.evidence
    else:
        assert match is not None, case.get("why")
        assert match.best[0] == case["expect"] and not match.ambiguous, match.evidence
        assert match.best[1] >= 0.8
        assert match.url == re.match(r"^(https?://[^/]+)", case["href"]).group(1) + "/"


def test_panarukan_drift_in_kabupaten_malang() -> None:
    # Kemendagri spelled 35.07.13.1007 "Panarukan" until Kepmendagri 300.2.2-2138/2025 ("Penarukan");
    # stores loaded from older lists keep that spelling, so the unit side of the case keeps it too.
    units = [unit._replace(name="Panarukan") if unit.code == "35.07.13.1007" else unit for unit in pemda_units("35.07")]
    index = UnitIndex(units, "malangkab.go.id")
    match = index.match_link("https://kel-penarukan.malangkab.go.id/beranda", "Kel. Penarukan")
    assert match is not None and match.best[0] == "35.07.13.1007" and not match.ambiguous
    assert 0.85 < match.best[1] < 1
    assert match.evidence == ("tautan 'Kel. Penarukan' ke kel-penarukan.malangkab.go.id cocok dengan Kelurahan Panarukan (skor 0.89)")
    # The same drift under a kecamatan prefix is refused: no kecamatan is called Panarukan in Malang.
    assert index.match_link("https://kec-penarukan.malangkab.go.id/") is None


TWO_SUKARAME = [
    UnitRef("9.71", "Kota Contoh", "pemda", None),
    UnitRef("9.71.01", "Kedaton", "kecamatan", "9.71"),
    UnitRef("9.71.02", "Way Halim", "kecamatan", "9.71"),
    UnitRef("9.71.01.1001", "Sukarame", "kelurahan", "9.71.01"),
    UnitRef("9.71.02.1001", "Sukarame", "kelurahan", "9.71.02"),
    UnitRef("9.71.02.1002", "Gunung Sulah", "kelurahan", "9.71.02"),
]


@pytest.mark.parametrize(
    "href, text, best, ambiguous",
    [
        ("https://kel-sukarame.contohkota.go.id/", "Kelurahan Sukarame", None, True),
        ("https://kel-sukarame.contohkota.go.id/", "Kelurahan Sukarame Kecamatan Kedaton", "9.71.01.1001", False),
        ("https://kel-sukarame.contohkota.go.id/", "Kel. Sukarame (Kec. Way Halim)", "9.71.02.1001", False),
        ("https://kel-sukarame-wayhalim.contohkota.go.id/", "", "9.71.02.1001", False),
        ("https://sukarame.kedaton.contohkota.go.id/", "", "9.71.01.1001", False),
    ],
)
def test_same_name_in_two_kecamatan(href: str, text: str, best: str | None, ambiguous: bool) -> None:
    match = UnitIndex(TWO_SUKARAME, "contohkota.go.id").match_link(href, text)
    assert match is not None and match.ambiguous is ambiguous
    if ambiguous:
        assert {match.best[0], match.runner_up[0]} == {"9.71.01.1001", "9.71.02.1001"}
        assert match.best[1] == match.runner_up[1]
    else:
        assert match.best[0] == best


def test_parent_choice_is_explained() -> None:
    match = UnitIndex(TWO_SUKARAME, "contohkota.go.id").match_link(
        "https://kel-sukarame.contohkota.go.id/", "Kelurahan Sukarame Kecamatan Kedaton"
    )
    assert match is not None and "Kecamatan Kedaton disebut" in match.evidence


def test_known_hosts_are_ignored_with_or_without_www() -> None:
    index = UnitIndex(TWO_SUKARAME, "contohkota.go.id", known_hosts=["https://www.kel-gunungsulah.contohkota.go.id/"])
    assert index.match_link("https://kel-gunungsulah.contohkota.go.id/") is None
    assert index.match_link("https://kel-gunung-sulah.contohkota.go.id/") is not None
    index.add_known_host("kel-gunung-sulah.contohkota.go.id")
    assert index.match_link("https://www.kel-gunung-sulah.contohkota.go.id/profil") is None


def test_long_hostile_link_text_is_quoted_bounded_on_one_line() -> None:
    text = "Kel. Gunung Sulah\n\x00<script>alert(1)</script>" + "x" * 500
    match = UnitIndex(TWO_SUKARAME, "contohkota.go.id").match_link("https://kel-gunungsulah.contohkota.go.id/", text)
    assert match is not None and match.best[0] == "9.71.02.1002"
    quoted = match.evidence.split("'")[1]
    assert len(quoted) <= 80 and "\n" not in quoted and "\x00" not in quoted


def test_empty_index_matches_nothing() -> None:
    index = UnitIndex([UnitRef("9.71", "Kota Contoh", "pemda", None)], "contohkota.go.id")
    assert index.units == []
    assert index.match_link("https://kel-sukarame.contohkota.go.id/") is None


def _squash(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


@pytest.fixture(scope="module")
def bandung() -> tuple[UnitIndex, dict[tuple[str, str], str], dict[str, int]]:
    units = pemda_units("32.04")
    kecamatan = {u.code: _squash(u.name) for u in units if u.kind == "kecamatan"}
    by_place = {(kecamatan[u.parent_code], _squash(u.name)): u.code for u in units if u.kind == "desa"}
    counts: dict[str, int] = {}
    for _, desa in by_place:
        counts[desa] = counts.get(desa, 0) + 1
    return UnitIndex(units, "bandungkab.go.id"), by_place, counts


def _bandung_rows() -> list[dict[str, str]]:
    with (SAMPLES / "bandung_desa_id.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_real_desa_id_hosts_of_kabupaten_bandung(bandung: Any) -> None:
    """Every host of the community list whose label starts with its desa name reaches the desa the
    list places in that kecamatan; a name shared by several desa with nothing in the host to tell
    them apart is ambiguous between two desa of that name."""
    index, by_place, counts = bandung
    name_of = {code: desa for (_, desa), code in by_place.items()}
    checked = 0
    for row in _bandung_rows():
        label = row["url"].split("//")[1].split(".")[0]
        desa, kecamatan = _squash(row["desa"]), _squash(row["kecamatan"])
        expected = by_place.get((kecamatan, desa))
        if expected is None or not label.replace("-", "").startswith(desa):
            continue
        checked += 1
        match = index.match_link(row["url"], "Desa " + row["desa"].title())
        suffix = label.replace("-", "")[len(desa) :]
        assert match is not None, row
        if counts[desa] > 1 and suffix != kecamatan:
            assert match.ambiguous and name_of[match.best[0]] == name_of[match.runner_up[0]] == desa, row
            assert match.best[1] == match.runner_up[1]
        else:
            assert (match.best[0], match.ambiguous) == (expected, False), row
    assert checked >= 230


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://nagregkendan.desa.id", "32.04.26.2007"),  # listed as KENDAN; Kemendagri: Nagreg Kendan
        ("http://cinanggela.desa.id", "32.04.30.2003"),  # Kemendagri: Cananggela
        ("http://tanggulun.desa.id", "32.04.36.2010"),  # Kemendagri: Tangulun
        ("http://prungserab.desa.id", "32.04.37.2020"),  # Parungserab, a letter dropped
        ("http://bojongload.desa.id", "32.04.28.2004"),  # Bojongloa, a letter added
        ("http://manggungharja.desa.id", "32.04.29.2008"),  # Kemendagri: Mangunharja
        ("http://margahayuselatan.desa.id", "32.04.09.2002"),  # Kemendagri: Magahayu Selatan
        ("http://bojongsalam.desa.id", "32.04.28.2003"),  # listed under JELEGONG, is Bojongsalam
        # Kepmendagri 300.2.2-2138/2025 renamed desa Banjaran Kulon (32.04.13.2003) to Banjaran
        ("http://banjaran.desa.id", "32.04.13.2003"),
    ],
)
def test_real_desa_id_hosts_with_drifted_names(bandung: Any, url: str, expected: str | None) -> None:
    index, _, _ = bandung
    match = index.match_link(url)
    assert (match.best[0] if match else None) == expected


def test_kecamatan_page_listing_its_kelurahan_confirms_the_kecamatan(bandar_lampung: UnitIndex) -> None:
    title = "Beranda - Kecamatan Langkapura | Pemerintah Kota Bandar Lampung"
    text = "Kecamatan Langkapura Selamat datang. Kelurahan: Langkapura Baru, Gunung Terang, Bilabong Jaya"
    assert bandar_lampung.confirm_page("18.71.16", title, text).confirmed
    kelurahan_title = "Kelurahan Langkapura Baru - Kecamatan Langkapura"
    assert not bandar_lampung.confirm_page("18.71.16", kelurahan_title, "Kelurahan Langkapura Baru").confirmed
