"""The offline demo portals of Kota Bandar Lampung, matched from their files (no server).

The manifest must list exactly what the pack finds on each host - both ways - so the end-to-end
test of the demo can assert the inventory. Pages are addressed the way the demo web serves them:
``/`` -> index.html; ``/x`` -> the exact file, x.html, x/index.html or x.json.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from inventory import Match, PageData, load_pack

ROOT = Path(__file__).resolve().parent.parent
PORTALS = ROOT / "spbe_crawler" / "demo" / "portals"
MANIFEST = yaml.safe_load((PORTALS / "manifest.yaml").read_text(encoding="utf-8"))
PACK = load_pack(ROOT / "spbe_crawler" / "data" / "signatures")
NOT_OFFERED = {"e_katalog", "skm", "opensid", "pendidikan", "simda"}


def _url_path(host_dir: Path, file: Path) -> str:
    rel = file.relative_to(host_dir).as_posix()
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel[: -len(".html")]


def _resolve(host_dir: Path, url: str) -> Path | None:
    """The file the demo web serves for ``url`` (same order as its static-tree lookup)."""
    raw = urlsplit(url).path
    path = raw.strip("/")
    if not path or raw.endswith("/"):
        candidates = [host_dir / path / "index.html"]
    else:
        candidates = [host_dir / path, host_dir / f"{path}.html", host_dir / path / "index.html", host_dir / f"{path}.json"]
    return next((c for c in candidates if c.is_file()), None)


def _inventory(host: str) -> list[Match]:
    host_dir = PORTALS / host
    unit = MANIFEST[host]["unit_code"]
    found: list[Match] = []
    for file in sorted(host_dir.rglob("*.html")):
        page = PageData(url=f"https://{host}{_url_path(host_dir, file)}", html=file.read_text(encoding="utf-8"), unit_code=unit)
        found.extend(PACK.match_page(page))
    for rule_id, url in PACK.probe_requests(f"https://{host}/"):
        answer = _resolve(host_dir, url)
        assert answer is not None, f"probe {url} has no file in the demo tree"
        found.extend(PACK.match_probe(rule_id, PageData(url=url, html=answer.read_text(encoding="utf-8"), unit_code=unit)))
    return found


def test_manifest_lists_every_portal_folder() -> None:
    assert set(MANIFEST) == {p.name for p in PORTALS.iterdir() if p.is_dir()}


@pytest.mark.parametrize("host", sorted(MANIFEST))
def test_manifest_matches_the_inventory_both_ways(host: str) -> None:
    found = _inventory(host)
    assert sorted({m.service for m in found}) == sorted(MANIFEST[host]["services"])
    indicators = sorted({n for m in found for n in m.indicators.get("spbe-2020", ())})
    assert indicators == MANIFEST[host]["indicators"]["spbe-2020"]
    assert {m.unit_code for m in found} == {MANIFEST[host]["unit_code"]}


def test_services_left_out_for_the_negative_side_are_offered_nowhere() -> None:
    offered = {service for entry in MANIFEST.values() for service in entry["services"]}
    assert not offered & NOT_OFFERED
    found = {m.service for host in MANIFEST for m in _inventory(host)}
    assert not found & NOT_OFFERED


def test_portals_show_service_maturity_not_only_links() -> None:
    """The showcase portals evidence each level the brief names (search, tracking, JDIHN, CKAN API)."""
    by_rule = {}
    for host in MANIFEST:
        for m in _inventory(host):
            by_rule.setdefault(m.rule_id, set()).update(m.signals)
    assert {"interaksi", "transaksi"} <= by_rule["ppid"]
    assert {"interaksi", "kolaborasi"} <= by_rule["jdih"]
    assert {"interaksi", "transaksi", "kolaborasi"} <= by_rule["satu-data"]
    assert {"transaksi"} <= by_rule["perizinan-dpmptsp"]
    assert {"interaksi", "transaksi"} <= by_rule["wbs"]


def test_unit_codes_are_opd_of_bandar_lampung() -> None:
    with (ROOT / "spbe_crawler" / "data" / "opd" / "18.71.csv").open(encoding="utf-8") as handle:
        slugs = {row["slug"] for row in csv.DictReader(handle)}
    for host, entry in MANIFEST.items():
        pemda, slug = entry["unit_code"].split("/")
        assert pemda == "18.71" and slug in slugs, host


@pytest.mark.parametrize("host", sorted(MANIFEST))
def test_internal_links_resolve_to_files(host: str) -> None:
    host_dir = PORTALS / host
    for file in host_dir.rglob("*.html"):
        for href in re.findall(r'href="(/[^"#]*)', file.read_text(encoding="utf-8")):
            assert _resolve(host_dir, href) is not None, f"{file.name}: broken link {href}"
