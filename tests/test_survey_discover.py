"""Spider-side discovery bookkeeping: guesses, the pemda portal guess, links, portals, confirmation."""

from __future__ import annotations

from spbe_crawler.discovery.names import pemda_root_guess
from spbe_crawler.store.models import Unit
from spbe_crawler.survey.discover import Discoverer

UNITS = [
    Unit(code="35.07", name="Kabupaten Malang", kind="pemda"),
    Unit(code="35.07.13", name="Kepanjen", kind="kecamatan", parent_code="35.07"),
    Unit(code="35.07.13.1007", name="Panarukan", kind="kelurahan", parent_code="35.07.13"),
    Unit(code="35.07/dinkes", name="Dinas Kesehatan", kind="opd", parent_code="35.07"),
]


def test_pemda_root_guess() -> None:
    assert pemda_root_guess("Kabupaten Malang") == "malangkab.go.id"
    assert pemda_root_guess("Kota Bandar Lampung") == "bandarlampungkota.go.id"
    assert pemda_root_guess("Provinsi Lampung") is None


def test_without_a_known_portal_the_usual_domain_is_guessed_first() -> None:
    discoverer = Discoverer(UNITS, {}, "35.07")
    urls = [a.url for a in discoverer.guesses()]
    assert urls[0] == "https://malangkab.go.id/"
    assert "https://kec-kepanjen.malangkab.go.id/" in urls and "https://dinkes.malangkab.go.id/" in urls
    assert len(urls) == len(set(urls))
    assert discoverer.guesses() == []  # every host is tried once


def test_links_portals_and_confirmation() -> None:
    discoverer = Discoverer(UNITS, {"35.07": {"malangkab.go.id"}}, "35.07")
    attempt = discoverer.from_link("https://kel-penarukan.malangkab.go.id/", "Kelurahan Penarukan")
    assert attempt is not None and attempt.unit_codes == ("35.07.13.1007",) and attempt.source == "tautan"
    assert discoverer.from_link("https://kel-penarukan.malangkab.go.id/berita", "lagi") is None
    assert discoverer.from_link("https://malangkab.go.id/", "Beranda") is None
    assert discoverer.confirm(attempt, "Website Resmi Kecamatan Kepanjen", "Selamat datang") is None  # another unit's page
    found = discoverer.confirm(attempt, "Kelurahan Penarukan", "Selamat datang")  # the drifted spelling still fits
    assert found is not None and found[0] == "35.07.13.1007" and 0.85 <= found[1] < 1
    assert discoverer.confirm(attempt, "Kelurahan Panarukan", "") is None  # found once, not twice
    portal = discoverer.portal("https://jdih.malangkab.go.id/produk-hukum", "jdih", "https://malangkab.go.id/")
    assert portal is not None and portal.portal and portal.unit_codes == ("35.07",)
    assert discoverer.portal("https://www.lapor.go.id/", "lapor", "https://malangkab.go.id/") is None
