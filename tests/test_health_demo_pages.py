"""The demo's problem pages: each is classified as the status its file name promises (by the
content rules; a placeholder that only refreshes to the portal, by the crawl that follows it)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from spbe_crawler.demo.plan import load_plan
from spbe_crawler.health.page import parse_page
from spbe_crawler.health.rules import load_rules
from spbe_crawler.health.status import Status
from spbe_crawler.survey.refresh import refresh_target

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "spbe_crawler/demo/problem_pages").glob("*.html"))
RULES = load_rules(ROOT / "spbe_crawler/data/health_rules")
HEALTHY = [
    ROOT / "tests/sample_data/real" / name
    for name in (
        "malangkab.go.id__home-body-fragment.html",
        "berita.kedirikab.go.id__home-body-capture.html",
        "negari.desa.id__home-opensid-batudaa.html",
        "transmigrasi.sijunjung.go.id__index.html",
        "klampok.id__2018-05-apbdes-desa-klampok-tahun-2018.html",
    )
]


def expected_status(path: Path) -> str | None:
    prefix = path.stem.split("--")[0]
    return None if prefix == "cloaked" else prefix


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_problem_page_gets_its_status(path: Path) -> None:
    assert path.stat().st_size < 30_000
    facts = parse_page(f"https://{path.stem.replace('_', '-').replace('--', '-')}.example/", 200, {}, path.read_bytes())
    verdict = RULES.classify(facts)
    if expected_status(path) == Status.REDIRECT_TO_PARENT.value:  # the spider follows it to the portal
        assert verdict is None and refresh_target(facts.refresh, facts.url, 100) == f"https://{load_plan()['root']}/"  # the demo's portal
    elif expected_status(path) is None:
        assert path.stem in ("cloaked--browser", "cloaked--bot")
        assert (verdict is None) == (path.stem == "cloaked--browser")
    else:
        assert verdict is not None and verdict.status == expected_status(path)


@pytest.mark.parametrize("path", [p for p in PAGES if "gambling" in p.stem or "cloaked" in p.stem], ids=lambda p: p.stem)
def test_gambling_demo_pages_only_link_invented_hosts(path: Path) -> None:
    facts = parse_page("https://kel-contoh.bandarlampungkota.go.id/", 200, {}, path.read_bytes())
    hosts = {urlsplit(link.href).hostname for link in facts.links} | {urlsplit(u).hostname for u in (facts.canonical, facts.amphtml) if u}
    foreign = {h for h in hosts if h and not re.search(r"(\.example|\.go\.id)$", h)}
    assert not foreign


@pytest.mark.parametrize("path", HEALTHY, ids=lambda p: p.name.split("__")[0])
def test_real_healthy_pages_get_no_problem_status(path: Path) -> None:
    evaluation = RULES.evaluate(parse_page("https://" + path.name.split("__")[0] + "/", 200, {}, path.read_bytes()))
    assert evaluation.verdict is None and evaluation.matched == () and evaluation.errors == ()
