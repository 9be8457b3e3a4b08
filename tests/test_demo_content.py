"""Generated pages: what a healthy unit site, the pemda portal and the national apps show."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from spbe_crawler.demo.client import fetch

ROOT = "bandarlampungkota.go.id"
MONTHS = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"


def page(web, url: str) -> str:
    answer = fetch(url, web.env)
    assert answer.status == 200, url
    return answer.body.decode("utf-8")


def hrefs(text: str) -> set[str]:
    return {unescape(h) for h in re.findall(r'href="([^"]+)"', text)}


def generated_opd(web) -> str:
    """A healthy OPD host whose pages the demo generates (not a portal tree of area inventory)."""
    return next(
        h
        for h, e in web.manifest.items()
        if e["kind"] == "opd" and e["behaviour"] == "ok" and e["content"] == "unit" and not e.get("traps")
    )


def post_dates(text: str) -> list[date]:
    return [date.fromisoformat(d) for d in re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)"', text)]


@pytest.mark.parametrize("host", ["OPD", "kec-kedaton." + ROOT, ROOT])
def test_healthy_site_has_the_usual_pages(demo_web, host):
    host = generated_opd(demo_web) if host == "OPD" else host
    home = page(demo_web, f"https://{host}/")
    assert '<html lang="id">' in home and '<meta name="viewport"' in home
    assert "https://www.lapor.go.id" in hrefs(home)
    assert {"/profil", "/struktur-organisasi", "/kontak", "/layanan", "/ppid", "/berita"} <= hrefs(home)
    contact = page(demo_web, f"https://{host}/kontak")
    assert re.search(r"Alamat: Jl\. .+Bandar Lampung", contact) and re.search(r"\(0721\) \d{6}", contact)
    services = page(demo_web, f"https://{host}/layanan")
    assert "Standar Pelayanan" in services and "Maklumat Pelayanan" in services
    assert "Pejabat Pengelola Informasi dan Dokumentasi" in page(demo_web, f"https://{host}/ppid")
    assert "Struktur Organisasi" in page(demo_web, f"https://{host}/struktur-organisasi")


@pytest.mark.parametrize(
    "host, stale", [("OPD", False), ("kec-kedaton." + ROOT, False), ("dinsos." + ROOT, True), ("kec-sukabumi." + ROOT, True)]
)
def test_news_dates_are_relative_to_today(demo_web, host, stale):
    host = generated_opd(demo_web) if host == "OPD" else host
    news = page(demo_web, f"https://{host}/berita")
    dates = post_dates(news)
    today = date.today()
    assert 5 <= len(dates) <= 10 and dates == sorted(dates, reverse=True)
    assert re.search(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}\b", news)
    if stale:
        assert today - dates[0] >= timedelta(days=3 * 365)
        assert demo_web.manifest[host]["expected_status"] == "stale"
    else:
        assert today - dates[0] <= timedelta(days=90)
    first_post = next(h for h in hrefs(news) if h.startswith("/berita/"))
    assert "<time datetime=" in page(demo_web, f"https://{host}{first_post}")


def test_pemda_portal_links_opds_portals_national_apps_and_some_units(demo_web):
    links = hrefs(page(demo_web, f"https://{ROOT}/"))
    manifest = demo_web.manifest
    opds = {e["url"] for e in manifest.values() if e["kind"] == "opd" and e["how_found"] in ("declared", "linked")}
    assert opds <= links
    assert {e["url"] for e in manifest.values() if e["kind"] == "portal"} <= links  # ppid., satudata., ...
    for url in (
        "https://www.lapor.go.id",
        "https://spse.inaproc.id/bandarlampungkota",
        "https://bandarlampung.sipd.kemendagri.go.id",
        "https://srikandi.arsip.go.id",
        "https://siasn.bkn.go.id",
        "https://sirup.inaproc.id",
    ):
        assert url in links
    assert any(manifest[h]["kind"] == "kecamatan" for h in _hosts(links, manifest))
    assert any(manifest[h]["kind"] == "kelurahan" for h in _hosts(links, manifest))


def _hosts(links: set[str], manifest: dict) -> list[str]:
    hosts = [re.sub(r"^https?://([^/]+).*", r"\1", link) for link in links]
    return [h for h in hosts if h in manifest]


def test_linked_sites_are_linked_where_the_manifest_says_and_guessable_ones_nowhere(demo_web):
    manifest = demo_web.manifest
    linkers = {e["linked_from"] for e in manifest.values() if e.get("linked_from")}
    linkers |= {h for h, e in manifest.items() if e["kind"] == "kecamatan" and e["behaviour"] == "ok"}
    pages = {host: page(demo_web, f"https://{host}/") for host in linkers}
    for host, entry in manifest.items():
        if entry["how_found"] in ("linked", "ambiguous") and entry["kind"] in ("kelurahan", "opd"):
            text = pages[entry["linked_from"]]
            assert f'href="{entry["url"]}"' in text, host
            if "link_text" in entry:
                assert f">{entry['link_text']}</a>" in text, host
        if entry["how_found"] == "guessable":
            assert not any(f"//{host}/" in text for text in pages.values()), host


def test_kecamatan_sites_link_some_of_their_kelurahan(demo_web):
    host = "kec-tanjungkarangbarat." + ROOT
    links = _hosts(hrefs(page(demo_web, f"https://{host}/")), demo_web.manifest)
    kelurahan = [h for h in links if demo_web.manifest[h]["kind"] == "kelurahan"]
    assert "kel-segalamidar." + ROOT in kelurahan
    assert all(demo_web.manifest[h]["unit_code"].startswith("18.71.03.") for h in kelurahan)


def test_national_app_pages(demo_web):
    spse = page(demo_web, "https://spse.inaproc.id/bandarlampungkota")
    assert "LPSE Kota Bandar Lampung" in spse and "/bandarlampungkota/lelang" in hrefs(spse)
    assert "Daftar Paket Tender" in page(demo_web, "https://spse.inaproc.id/bandarlampungkota/lelang")
    assert "SRIKANDI" in page(demo_web, "https://srikandi.arsip.go.id/")


def test_names_from_data_files_are_escaped(tmp_path):
    from spbe_crawler.demo import DemoWeb
    from spbe_crawler.demo.units import opd_path

    opd_file = tmp_path / "opd.csv"
    rows = opd_path("18.71").read_text(encoding="utf-8").replace("Dinas Kesehatan,", '<script>alert("x")</script> Dinas Kesehatan,')
    opd_file.write_text(rows, encoding="utf-8")
    with DemoWeb(tmp_path / "web", opd_file=opd_file, problem_pages_dir=tmp_path / "none", portals_dir=tmp_path / "none") as web:
        text = page(web, f"https://dinkes.{ROOT}/")
        portal = page(web, f"https://{ROOT}/")
        cloaked = fetch(f"https://dlh.{ROOT}/", web.env, user_agent="Googlebot/2.1").body.decode()
    assert "SLOT GACOR" in cloaked and "Dinas Lingkungan Hidup" in cloaked  # built-in page, no files given
    assert "<script>" not in text and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Dinas Kesehatan" in text
    assert "<script>" not in portal


def test_news_heavy_opd_sites_name_services_in_many_posts(demo_web):
    """Issue #9: OPD sites whose many news posts name services and link the national apps."""
    news = page(demo_web, f"https://dkp.{ROOT}/berita")
    titles = re.findall(r'<a href="(/berita/[^"]+)"[^>]*>([^<]+)</a>', news)
    assert len(post_dates(news)) >= 20
    naming = [href for href, text in titles if re.search(r"SRIKANDI|e-Kinerja|LAPOR!|SIASN|SIPD|SPSE", text)]
    assert naming
    post = page(demo_web, f"https://dkp.{ROOT}{naming[0]}")
    assert re.search(r'Tautan: <a href="https://[a-z.]+\.go\.id/', post) or "inaproc.id" in post
    assert demo_web.manifest[f"dkp.{ROOT}"]["services"] == []  # news about a service is not the service
