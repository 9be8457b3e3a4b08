"""Bounded crawl frontier: same-site only, canonical URLs, trap guards."""

from __future__ import annotations

from spbe_crawler.survey.links import LinkFrontier, canonical_url, ordered_links


def test_canonical_url_drops_session_ids_fragments_and_default_ports() -> None:
    assert canonical_url("HTTPS://Kel-A.go.id:443/berita;jsessionid=ABC?id=3&PHPSESSID=x#top") == "https://kel-a.go.id/berita?id=3"
    assert canonical_url("http://a.go.id:80") == "http://a.go.id/"


def test_frontier_keeps_to_the_site_and_its_www_twin() -> None:
    frontier = LinkFrontier("kec-a.kota.go.id", max_pages=10, max_url_length=200, same_path_max=3)
    assert frontier.admit("https://www.kec-a.kota.go.id/profil") == "https://www.kec-a.kota.go.id/profil"
    assert frontier.admit("https://kota.go.id/") is None
    assert frontier.admit("https://kec-b.kota.go.id/") is None
    assert frontier.admit("mailto:x@kota.go.id") is None
    assert frontier.admit("https://kec-a.kota.go.id/foto.JPG") is None


def test_frontier_cuts_calendars_session_urls_and_long_urls() -> None:
    frontier = LinkFrontier("a.go.id", max_pages=100, max_url_length=80, same_path_max=3)
    months = [frontier.admit(f"https://a.go.id/agenda?bulan=2026-{m:02d}") for m in range(1, 13)]
    assert sum(1 for m in months if m) == 3
    sessions = [frontier.admit(f"https://a.go.id/berita;jsessionid={i}") for i in range(5)]
    assert sum(1 for s in sessions if s) == 1
    assert frontier.admit("https://a.go.id/" + "x/" * 60) is None
    assert frontier.skipped_traps >= 10


def test_frontier_page_cap() -> None:
    frontier = LinkFrontier("a.go.id", max_pages=2, max_url_length=200, same_path_max=3)
    admitted = [frontier.admit(f"https://a.go.id/p{i}") for i in range(5)]
    assert sum(1 for a in admitted if a) == 2


def test_expected_content_pages_come_first() -> None:
    links = [("/galeri", "Galeri"), ("/x", "Struktur Organisasi"), ("/kontak", "Hubungi"), ("javascript:void(0)", "")]
    ordered = ordered_links("https://a.go.id/", links)
    assert ordered[:2] == ["https://a.go.id/x", "https://a.go.id/kontak"]
    assert ordered[-1] == "https://a.go.id/galeri"
