"""Cloaking: gambling content served only to a search-engine User-Agent."""

from __future__ import annotations

from pathlib import Path

import pytest

from spbe_crawler.health.cloaking import compare_cloaked
from spbe_crawler.health.page import PageFacts, parse_page
from spbe_crawler.health.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "spbe_crawler/demo/problem_pages"
RULES = load_rules(ROOT / "spbe_crawler/data/health_rules")


def facts(path: Path) -> PageFacts:
    return parse_page("https://dlh.bandarlampungkota.go.id/", 200, {}, path.read_bytes())


BROWSER = facts(PAGES / "cloaked--browser.html")
BOT = facts(PAGES / "cloaked--bot.html")
GAMBLING = facts(PAGES / "hacked_gambling--visible.html")
HEALTHY = facts(ROOT / "tests/sample_data/real/negari.desa.id__home-opensid-batudaa.html")


def test_gambling_only_for_the_search_engine_is_cloaked() -> None:
    verdict = compare_cloaked(BROWSER, BOT, RULES)
    assert verdict is not None
    assert verdict.status == "hacked_cloaked"
    assert verdict.rule_id.startswith("cloaked/gambling-")
    assert "mesin pencari" in verdict.detail
    assert "SERUNIBET303" in verdict.snippet and len(verdict.snippet) <= 200
    assert RULES.classify(BROWSER) is None  # the page people see looks healthy


@pytest.mark.parametrize(
    "browser, bot",
    [
        pytest.param(BROWSER, BROWSER, id="both-clean"),
        pytest.param(HEALTHY, HEALTHY, id="real-page-both-clean"),
        pytest.param(GAMBLING, GAMBLING, id="both-gambling-is-plain-hacked"),
        pytest.param(BOT, BROWSER, id="gambling-only-for-people"),
    ],
)
def test_no_cloaking_verdict(browser: PageFacts, bot: PageFacts) -> None:
    assert compare_cloaked(browser, bot, RULES) is None


def test_uses_the_project_rules_by_default() -> None:
    verdict = compare_cloaked(BROWSER, BOT)
    assert verdict is not None and verdict.status == "hacked_cloaked"
