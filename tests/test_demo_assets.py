"""Problem pages and portal trees dropped into the demo by other areas are served and merged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spbe_crawler.demo.assets import AssetError, ProblemPage, scan_portals, status_of_file
from spbe_crawler.demo.client import BROWSER_AGENT, fetch
from spbe_crawler.demo.plan import load_plan
from spbe_crawler.demo.region import build_region
from spbe_crawler.demo.units import read_opds, read_units

SAMPLES = Path(__file__).parent / "sample_data" / "demo"
ROOT = "bandarlampungkota.go.id"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture(scope="module")
def sample_web(tmp_path_factory):
    from spbe_crawler.demo import DemoWeb

    with DemoWeb(
        tmp_path_factory.mktemp("demo-samples"), problem_pages_dir=SAMPLES / "problem_pages", portals_dir=SAMPLES / "portals"
    ) as web:
        yield web


@pytest.mark.parametrize(
    "stem, expected",
    [
        ("default_page--nginx", ("default_page", "nginx")),
        ("hacked_gambling--title-injection", ("hacked_gambling", "title-injection")),
        ("hosting_suspended", ("hosting_suspended", "")),
        ("parked_dijual", ("parked", "dijual")),
        ("cloaked--bot", ("hacked_cloaked", "bot")),
        ("catatan", None),
        ("parkedsite", None),
        ("okay--x", None),
    ],
)
def test_status_of_file_name(stem, expected):
    assert status_of_file(stem) == expected


def _host_with_asset(web, name: str) -> str:
    return next(h for h, e in web.manifest.items() if e.get("asset") == name)


@pytest.mark.parametrize("name, status", [("parked--contoh.html", "parked"), ("default_page--contoh.html", "default_page")])
def test_problem_page_gets_a_kelurahan_host_and_its_status(sample_web, name, status):
    host = _host_with_asset(sample_web, name)
    entry = sample_web.manifest[host]
    answer = fetch(entry["url"] + "halaman/lain", sample_web.env)
    assert entry["kind"] == "kelurahan" and entry["declared"] and entry["expected_status"] == status
    assert answer.body == (SAMPLES / "problem_pages" / name).read_bytes()


def test_files_without_a_status_are_not_served(sample_web):
    assert all(e.get("asset") != "catatan.html" for e in sample_web.manifest.values())


def test_cloaked_pair_goes_to_the_planned_cloaked_site(sample_web):
    entry = sample_web.manifest["dlh." + ROOT]
    bot = fetch(f"https://dlh.{ROOT}/", sample_web.env, user_agent=GOOGLEBOT)
    browser = fetch(f"https://dlh.{ROOT}/", sample_web.env, user_agent=BROWSER_AGENT)
    other = fetch(f"https://dlh.{ROOT}/profil", sample_web.env, user_agent=BROWSER_AGENT)
    assert (entry["asset"], entry["browser_asset"]) == ("cloaked--bot.html", "cloaked--browser.html")
    assert bot.body == (SAMPLES / "problem_pages" / "cloaked--bot.html").read_bytes()
    assert browser.body == (SAMPLES / "problem_pages" / "cloaked--browser.html").read_bytes()
    assert other.status == 200 and b"Visi" in other.body


@pytest.mark.parametrize(
    "path, status, content_type, text",
    [
        ("/", 200, "text/html; charset=utf-8", "Satu Data Kota Bandar Lampung"),
        ("/tentang", 200, "text/html; charset=utf-8", "Tentang portal data"),
        ("/tentang.html", 200, "text/html; charset=utf-8", "Tentang portal data"),
        ("/organisasi/", 200, "text/html; charset=utf-8", "Daftar organisasi"),
        ("/organisasi", 200, "text/html; charset=utf-8", "Daftar organisasi"),
        ("/api/3/action/package_search?q=penduduk", 200, "application/json", '"count": 2'),
        ("/api/3/action/package_search.json", 200, "application/json", '"count": 2'),
        ("/tidak-ada", 404, "text/html; charset=utf-8", "tidak ditemukan"),
        ("/../manifest.yaml", 404, "text/html; charset=utf-8", "tidak ditemukan"),
        ("/%2e%2e/manifest.yaml", 404, "text/html; charset=utf-8", "tidak ditemukan"),
    ],
)
def test_portal_tree_paths(sample_web, path, status, content_type, text):
    answer = fetch(f"https://data.{ROOT}{path}", sample_web.env)
    assert (answer.status, answer.headers["content-type"]) == (status, content_type)
    assert text in answer.body.decode()


def test_portal_manifest_is_merged_and_portal_linked(sample_web):
    entry = sample_web.manifest["data." + ROOT]
    portal = fetch(f"https://{ROOT}/", sample_web.env).body.decode()
    assert (entry["unit_code"], entry["services"], entry["routed"]) == ("18.71/diskominfo", ["satu_data"], True)
    assert f'href="https://data.{ROOT}/"' in portal
    assert json.loads(sample_web.manifest_file.read_text())["data." + ROOT]["expected_status"] == "ok"


def test_portal_tree_replaces_a_built_in_national_page(sample_web):
    answer = fetch("https://www.lapor.go.id/", sample_web.env)
    assert b"Pohon statis contoh" in answer.body and sample_web.manifest["www.lapor.go.id"]["services"] == ["lapor"]


@pytest.mark.parametrize(
    "text, fails",
    [
        ("data.bandarlampungkota.go.id: {unit_code: 18.71/diskominfo, services: [satu_data]}\n", False),
        ("portals:\n  - {host: data.bandarlampungkota.go.id, services: [satu_data]}\n", False),
        ("- sekadar daftar\n", True),
        ("data.bandarlampungkota.go.id: [satu_data]\n", True),
        ("data.bandarlampungkota.go.id: {expected_status: rusak}\n", True),
        ("data.bandarlampungkota.go.id: {unit_code: [\n", True),
    ],
)
def test_portal_manifest_shapes(tmp_path, text, fails):
    (tmp_path / "data.bandarlampungkota.go.id").mkdir()
    (tmp_path / "manifest.yaml").write_text(text, encoding="utf-8")
    if fails:
        with pytest.raises(AssetError, match="manifest.yaml"):
            scan_portals(tmp_path)
    else:
        assert scan_portals(tmp_path)[0].services == ["satu_data"]


def test_more_problem_pages_than_kelurahan_slots_get_hosts_from_their_file_names(tmp_path):
    pages = [ProblemPage(tmp_path / f"parked--contoh{n}.html", "parked", f"contoh{n}") for n in range(60)]
    region = build_region(load_plan(), read_units("18.71"), read_opds("18.71"), pages)
    placed = [s for s in region.sites.values() if s.content == "problem_page"]
    extra = [s for s in placed if s.kind == "test"]
    assert len(placed) == 60 and extra and all(s.host == f"{s.asset.stem.replace('--', '-')}.{ROOT}" for s in extra)
    again = build_region(load_plan(), read_units("18.71"), read_opds("18.71"), pages[:10])
    first_ten = {s.asset.name: s.host for s in placed if s.asset.name in {p.path.name for p in pages[:10]}}
    assert len({s.host for s in again.sites.values() if s.content == "problem_page"}) == 10
    assert first_ten  # slots depend on file names only, so most of the first ten keep their hosts
    kept = sum(first_ten[s.asset.name] == s.host for s in again.sites.values() if s.content == "problem_page")
    assert kept >= 5
