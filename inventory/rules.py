"""Signature rules: the YAML shape, checked and compiled once into immutable objects.

The JSON Schema in ``data/signatures/schema.json`` documents the same shape for editors and is
checked against every rule by the tests; this module is what the engine trusts at run time, so
a rule that slipped past both fails loading with its file and id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spbe_crawler.health.page import PageFacts
from spbe_crawler.matching import SIGNATURES, Condition, Matcher, compile_condition, compile_matchers
from spbe_crawler.patterns import PatternError, compile_bounded

LEVELS = ("informasi", "interaksi", "transaksi", "kolaborasi")
"""Maturity signals a page can show, in the order of the Domain Layanan levels 1-4."""

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_FRAMEWORK = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_TOP_KEYS = {"id", "info", "match", "signals", "probe", "examples"}
_INFO_KEYS = {"name", "service", "indicators", "unconfirmed", "description", "reference", "confidence"}


class RuleError(ValueError):
    """A rule that cannot be loaded; the message names its file and id."""

    def __init__(self, path: Path | str, rule_id: str | None, reason: str) -> None:
        self.path, self.rule_id, self.reason = str(path), rule_id, reason
        super().__init__(f"{path}: rule {rule_id or '?'}: {reason}")


@dataclass(frozen=True)
class Probe:
    """A cheap active check: fetch ``path`` on sites whose host matches ``host``; ``expect`` it."""

    path: str
    expect: Condition
    host: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Example:
    """A page a rule must (positive) or must not (negative) match; ``signals`` are exact if given."""

    file: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    probe: bool = False
    signals: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    service: str
    indicators: Mapping[str, tuple[int, ...]]
    unconfirmed: tuple[str, ...]
    description: str
    reference: tuple[str, ...]
    confidence: int
    match: Condition
    signals: Mapping[str, tuple[Matcher, ...]]
    probe: Probe | None
    positive: tuple[Example, ...]
    negative: tuple[Example, ...]
    source: str

    def signal_levels(self, page: PageFacts) -> list[str]:
        """``informasi`` (the service exists) plus every higher level whose signals the page shows."""
        shown = ["informasi"]
        for level in LEVELS[1:]:
            if any(m.search(page) for m in self.signals.get(level, ())):
                shown.append(level)
        return shown


def compile_rule(raw: Any, path: Path) -> Rule:
    """Check and compile one parsed YAML document; raise :class:`RuleError` naming file and id."""
    rule_id = raw.get("id") if isinstance(raw, Mapping) else None
    rid = rule_id if isinstance(rule_id, str) else None
    try:
        return _compile(raw, path)
    except RuleError:
        raise
    except (ValueError, TypeError, KeyError, PatternError) as exc:
        raise RuleError(path, rid, str(exc)) from None


def _compile(raw: Any, path: Path) -> Rule:
    if not isinstance(raw, Mapping):
        raise ValueError("a rule file holds one mapping")
    _keys(raw, _TOP_KEYS, {"id", "info", "match", "examples"}, "rule")
    rule_id = raw["id"]
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise ValueError(f"id must match {_ID.pattern}")
    if path.stem != rule_id:
        raise ValueError(f"file name must be {rule_id}.yaml")
    info = raw["info"]
    _keys(info, _INFO_KEYS, {"name", "service", "indicators", "description", "reference", "confidence"}, "info")
    confidence = info["confidence"]
    if not isinstance(confidence, int) or isinstance(confidence, bool) or not 0 <= confidence <= 100:
        raise ValueError("info.confidence must be an integer 0..100")
    positive, negative = _examples(raw["examples"])
    return Rule(
        id=rule_id,
        name=_text(info["name"], "info.name"),
        service=_text(info["service"], "info.service"),
        indicators=_indicators(info["indicators"]),
        unconfirmed=tuple(_strings(info.get("unconfirmed", []), "info.unconfirmed")),
        description=_text(info["description"], "info.description"),
        reference=tuple(_strings(info["reference"], "info.reference", min_items=1)),
        confidence=confidence,
        match=_condition(raw["match"], "match"),
        signals=_signals(raw.get("signals", {})),
        probe=_probe(raw["probe"]) if "probe" in raw else None,
        positive=positive,
        negative=negative,
        source=str(path),
    )


def _keys(value: Any, allowed: set[str], required: set[str], where: str) -> None:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be a mapping")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {unknown}")
    missing = sorted(required - set(value))
    if missing:
        raise ValueError(f"{where}: missing key(s) {missing}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    return value.strip()


def _strings(value: Any, where: str, min_items: int = 0) -> list[str]:
    if not isinstance(value, list) or len(value) < min_items:
        raise ValueError(f"{where} must be a list of at least {min_items} string(s)")
    return [_text(v, where) for v in value]


def _indicators(value: Any) -> dict[str, tuple[int, ...]]:
    if not isinstance(value, Mapping) or not value:
        raise ValueError("info.indicators must map framework ids to lists of indicator numbers")
    result = {}
    for framework, numbers in value.items():
        if not isinstance(framework, str) or not _FRAMEWORK.match(framework):
            raise ValueError(f"info.indicators: bad framework id {framework!r}")
        if not isinstance(numbers, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in numbers):
            raise ValueError(f"info.indicators.{framework} must be a list of positive integers")
        result[framework] = tuple(sorted(set(numbers)))
    return result


def _matchers(value: Any, where: str) -> tuple[Matcher, ...]:
    return compile_matchers(value, SIGNATURES, where)


def _condition(value: Any, where: str) -> Condition:
    return compile_condition(value, SIGNATURES, where)


def _signals(value: Any) -> dict[str, tuple[Matcher, ...]]:
    if isinstance(value, Mapping) and "informasi" in value:
        raise ValueError("signals.informasi: informasi is implied by every finding; list higher levels only")
    _keys(value, set(LEVELS[1:]), set(), "signals")
    return {level: _matchers(value[level], f"signals.{level}") for level in LEVELS[1:] if level in value}


def _probe(value: Any) -> Probe:
    _keys(value, {"path", "host", "expect"}, {"path", "expect"}, "probe")
    path = _text(value["path"], "probe.path")
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError("probe.path must start with a single '/'")
    host = compile_bounded(value["host"]) if "host" in value else None
    return Probe(path=path, expect=_condition(value["expect"], "probe.expect"), host=host)


def _examples(value: Any) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    _keys(value, {"positive", "negative"}, {"positive", "negative"}, "examples")
    return (
        tuple(_example(e, "examples.positive") for e in _nonempty(value["positive"], "positive")),
        tuple(_example(e, "examples.negative") for e in _nonempty(value["negative"], "negative")),
    )


def _nonempty(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"examples.{where} must list at least one example")
    return value


def _example(value: Any, where: str) -> Example:
    _keys(value, {"file", "url", "headers", "probe", "signals"}, {"file", "url"}, where)
    signals = value.get("signals")
    if signals is not None:
        signals = tuple(_strings(signals, f"{where}.signals"))
        if not set(signals) <= set(LEVELS):
            raise ValueError(f"{where}.signals must be level names {list(LEVELS)}")
    headers = value.get("headers", {})
    if not isinstance(headers, Mapping):
        raise ValueError(f"{where}.headers must be a mapping")
    return Example(
        file=_text(value["file"], f"{where}.file"),
        url=_text(value["url"], f"{where}.url"),
        headers={str(k).lower(): str(v) for k, v in headers.items()},
        probe=bool(value.get("probe", False)),
        signals=signals,
    )
