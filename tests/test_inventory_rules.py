"""Every signature rule walks its own positive and negative examples (one parametrized test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory import PageData, load_pack
from inventory.rules import Example, Rule

ROOT = Path(__file__).resolve().parent.parent
PACK = load_pack(ROOT / "spbe_crawler" / "data" / "signatures")


def _cases() -> list[pytest.param]:
    cases = []
    for rule in PACK.rules:
        for polarity, examples in (("positive", rule.positive), ("negative", rule.negative)):
            for example in examples:
                cases.append(pytest.param(rule, polarity, example, id=f"{rule.id}-{polarity}-{Path(example.file).stem}"))
    return cases


def _run(rule: Rule, example: Example):  # type: ignore[no-untyped-def]
    page = PageData(
        url=example.url,
        status=200,
        headers=example.headers,
        html=(ROOT / example.file).read_text(encoding="utf-8"),
        unit_code="00.00/contoh",
    )
    if example.probe:
        return PACK.match_probe(rule.id, page)
    return [m for m in PACK.match_page(page) if m.rule_id == rule.id]


@pytest.mark.parametrize(("rule", "polarity", "example"), _cases())
def test_rule_example(rule: Rule, polarity: str, example: Example) -> None:
    matches = _run(rule, example)
    if polarity == "negative":
        assert matches == [], f"{rule.id} must not match {example.file}: {matches}"
        return
    assert matches, f"{rule.id} must match {example.file}"
    for match in matches:
        assert match.service == rule.service
        assert 0 < match.confidence <= rule.confidence / 100
        assert match.snippet and len(match.snippet) <= 200
        assert "informasi" in match.signals
        assert match.unit_code == "00.00/contoh"
    if example.signals is not None:
        shown = {signal for match in matches for signal in match.signals}
        assert shown == set(example.signals), f"{rule.id} on {example.file}: signals {sorted(shown)}"
