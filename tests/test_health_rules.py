"""Health rules: schema of every rule file, every rule's examples, loader errors, the runner."""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import yaml

from spbe_crawler.health.page import PageFacts, parse_page
from spbe_crawler.health.rules import RULE_STATUSES, RuleError, RuleSet, load_rules
from spbe_crawler.matching import HEALTH, Condition, Hit, Matcher, compile_matcher

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "spbe_crawler" / "data" / "health_rules"
RULE_FILES = sorted(RULES_DIR.glob("*/*.yaml"))
SCHEMA = json.loads((RULES_DIR / "schema.json").read_text(encoding="utf-8"))
RULES = load_rules(RULES_DIR)


@cache
def facts_of(relative: str) -> PageFacts:
    body = (ROOT / relative).read_bytes()
    return parse_page("https://kel-contoh.bandarlampungkota.go.id/", 200, {"Content-Type": "text/html"}, body)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rule_file_follows_the_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert data["id"] == path.stem and data["status"] == path.parent.name


def _examples() -> list:
    return [
        pytest.param(rule.id, kind, path, id=f"{rule.id}:{kind}:{Path(path).stem}")
        for rule in RULES
        for kind in ("positive", "negative")
        for path in rule.examples[kind]
    ]


@pytest.mark.parametrize("rule_id, kind, path", _examples())
def test_rule_examples(rule_id: str, kind: str, path: str) -> None:
    """A positive yields the rule's status; a negative neither matches the rule nor gets its status."""
    rule = RULES.get(rule_id)
    facts = facts_of(path)
    verdict = RULES.classify(facts)
    if kind == "positive":
        assert rule.evaluate(facts) is not None
        assert verdict is not None and verdict.status == rule.status
        assert len(verdict.snippet) <= 200 and verdict.detail
    else:
        assert rule.evaluate(facts) is None
        assert verdict is None or verdict.status != rule.status


def test_every_content_status_has_rules_and_real_copies_keep_their_source() -> None:
    assert {rule.status for rule in RULES} == {status.value for status in RULE_STATUSES}
    for rule in RULES:
        for path in rule.examples["positive"] + rule.examples["negative"]:
            assert (ROOT / path).is_file(), f"{rule.id}: {path}"
    for copy in (ROOT / "tests/sample_data/real").glob("*__*.html"):
        assert copy.with_name(copy.name + ".source.txt").is_file()


def test_schema_rejects_unbounded_patterns() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    rule = yaml.safe_load(RULE_FILES[0].read_text(encoding="utf-8"))
    rule["match"] = {"any": [{"text": "slot.*gacor"}]}
    assert not validator.is_valid(rule)
    rule["match"] = {"any": [{"text": "slot.{0,20}gacor"}]}
    assert validator.is_valid(rule)


GOOD_RULE = """\
id: {id}
status: {status}
description: Halaman bawaan untuk pengujian pemuat aturan.
reference: pengujian
priority: 10
match:
  any:
    - {matcher}
examples:
  positive: [tests/sample_data/health/apache-it-works-stock.html]
  negative: [tests/sample_data/health/spa-shell.html]
"""


def _rule(matcher: str, rule_id: str = "aturan-uji", status: str = "default_page") -> str:
    return GOOD_RULE.format(id=rule_id, status=status, matcher=matcher)


@pytest.mark.parametrize(
    "folder, content",
    [
        pytest.param("default_page", _rule("text: 'slot.*gacor'"), id="unbounded-repeat"),
        pytest.param("default_page", _rule("text: 'a{1,5000}'"), id="huge-repeat"),
        pytest.param("default_page", _rule("text: '(tidak ditutup'"), id="bad-regex"),
        pytest.param("default_page", _rule("body: 'x'"), id="unknown-part"),
        pytest.param("default_page", _rule("{text: 'a', title: 'b'}"), id="two-parts"),
        pytest.param("default_page", _rule("{max_links: 0, count_at_least: 2}"), id="counter-on-number"),
        pytest.param("default_page", _rule("{text: 'a', count_at_least: 0}"), id="zero-counter"),
        pytest.param("default_page", _rule("{meta: {name: 'description'}}"), id="meta-without-content"),
        pytest.param("default_page", _rule("text: 'a'", rule_id="nama-lain"), id="id-not-file-name"),
        pytest.param("parked", _rule("text: 'a'"), id="folder-not-status"),
        pytest.param("hacked_cloaked", _rule("text: 'a'", status="hacked_cloaked"), id="comparison-status"),
        pytest.param("default_page", _rule("text: 'a'").replace("examples:", "contoh:"), id="unknown-key"),
        pytest.param("default_page", _rule("text: 'a'").replace("spa-shell.html", ""), id="empty-example-path"),
        pytest.param(
            "default_page",
            _rule("text: 'a'").replace("  negative: [tests/sample_data/health/spa-shell.html]\n", ""),
            id="no-negative-example",
        ),
        pytest.param("default_page", "id: aturan-uji\nstatus: [tidak: valid\n", id="yaml-syntax"),
    ],
)
def test_bad_rule_file_is_rejected_with_file_and_id(tmp_path: Path, folder: str, content: str) -> None:
    path = tmp_path / folder / "aturan-uji.yaml"
    path.parent.mkdir()
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path)
    message = str(caught.value)
    assert str(path) in message
    assert f"'{caught.value.rule_id}'" in message and caught.value.rule_id in ("aturan-uji", "nama-lain")


def test_good_rule_file_loads_and_duplicate_id_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "default_page"
    folder.mkdir()
    (folder / "aturan-uji.yaml").write_text(
        GOOD_RULE.format(id="aturan-uji", status="default_page", matcher="text: 'it works'"), encoding="utf-8"
    )
    assert [rule.id for rule in load_rules(tmp_path)] == ["aturan-uji"]
    (folder / "aturan-uji.yml").write_text(GOOD_RULE.format(id="aturan-uji", status="default_page", matcher="text: 'x'"), encoding="utf-8")
    with pytest.raises(RuleError, match="aturan-uji.yml"):
        load_rules(tmp_path)


def test_a_broken_check_is_recorded_and_the_others_still_decide() -> None:
    class Exploding(Matcher):
        def hits(self, facts: PageFacts, limit: int = 5) -> list[Hit]:
            raise RuntimeError("regex engine on fire")

    explode = Exploding(**{f.name: getattr(compile_matcher({"text": "x"}, HEALTH), f.name) for f in dataclasses.fields(Matcher)})
    nginx = RULES.get("nginx-welcome")
    broken = dataclasses.replace(nginx, id="aturan-rusak", match=Condition(all=(explode,)))
    rules = RuleSet([broken, nginx])
    evaluation = rules.evaluate(facts_of("spbe_crawler/demo/problem_pages/default_page--nginx.html"))
    assert evaluation.verdict is not None and evaluation.verdict.rule_id == "nginx-welcome"
    assert evaluation.errors and "aturan-rusak" in evaluation.errors[0] and "on fire" in evaluation.errors[0]
    assert "aturan-rusak" in evaluation.verdict.detail
    healthy = rules.evaluate(facts_of("tests/sample_data/real/negari.desa.id__home-opensid-batudaa.html"))
    assert healthy.verdict is None and len(healthy.errors) == 1


def test_highest_priority_wins_when_several_rules_match() -> None:
    evaluation = RULES.evaluate(facts_of("tests/sample_data/health/apache-it-works-stock.html"))
    assert set(evaluation.matched) == {"apache-it-works", "empty-page"}
    assert evaluation.verdict is not None and evaluation.verdict.status == "default_page"
    hacked = RULES.evaluate(facts_of("spbe_crawler/demo/problem_pages/hacked_gambling--visible.html"))
    assert len(hacked.matched) >= 4 and hacked.verdict is not None
    assert hacked.verdict.rule_id == hacked.matched[0] == "gambling-promo-terms"


def test_only_keeps_the_rules_of_the_given_statuses() -> None:
    gambling = RULES.only("hacked_gambling")
    assert len(gambling) >= 5 and {rule.status for rule in gambling} == {"hacked_gambling"}
    assert gambling.classify(facts_of("spbe_crawler/demo/problem_pages/default_page--nginx.html")) is None
