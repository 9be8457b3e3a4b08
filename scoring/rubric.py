"""The estimation rubric of one framework: which maturity signals satisfy which level, per indicator.

Loaded from ``data/frameworks/rubric-<framework id>.yaml`` and checked against its framework:
every indicator is covered by exactly one rule, levels are cumulative from the scale minimum,
signals are declared, confidences lie in [0, 1], and each crawlable rule states the highest level
a crawl can show and why (in Bahasa Indonesia).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scoring import _parse as p
from scoring.framework import Framework
from scoring.framework_loader import RUBRIC_PREFIX, read_yaml


class RubricError(p.DataFileError):
    """A rubric file is malformed or does not fit its framework."""


@dataclass(frozen=True)
class LevelRule:
    level: int
    any_signal: frozenset[str]
    criterion: str
    confidence: float
    note: str | None = None


@dataclass(frozen=True)
class Cap:
    level: int
    reason: str


@dataclass(frozen=True)
class Rule:
    id: str
    indicators: tuple[int, ...]
    manual: bool
    reason: str | None
    levels: tuple[LevelRule, ...]
    cap: Cap | None
    distinct_services: bool = False
    exclude_services_of: tuple[int, ...] = ()


@dataclass(frozen=True)
class NationalApp:
    """A national application (aplikasi umum/nasional) and the level its functions reach.

    A pemda that uses it (its own instance, the login page, or links from its sites) is estimated at
    ``level`` with ``confidence`` (lower than its own service would get): the crawl sees that the
    application is used, not how. ``reach`` says which functions give the level, ``proof`` what the
    assessor must see to confirm the use.
    """

    service: str
    name: str
    level: int
    confidence: float
    reach: str
    proof: str
    status: str = ""


@dataclass(frozen=True)
class Strength:
    min: float
    factor: float
    label: str


@dataclass(frozen=True)
class Rubric:
    framework_id: str
    status: str
    signals: frozenset[str]
    implicit_signals: frozenset[str]
    strengths: tuple[Strength, ...]
    rules: tuple[Rule, ...]
    path: Path | None = None
    national_apps: Mapping[str, NationalApp] = field(default_factory=dict)

    def rule_for(self, indicator: int) -> Rule:
        for rule in self.rules:
            if indicator in rule.indicators:
                return rule
        raise KeyError(f"rubrik {self.framework_id}: tidak ada aturan untuk indikator {indicator}")

    def strength(self, confidence: float) -> Strength:
        """The first band (highest ``min`` first) whose minimum the evidence confidence reaches."""
        for band in self.strengths:
            if confidence >= band.min:
                return band
        return self.strengths[-1]


def rubric_path(directory: Path | str, framework_id: str) -> Path:
    return Path(directory) / f"{RUBRIC_PREFIX}{framework_id}.yaml"


def load_rubric(path: Path | str, framework: Framework) -> Rubric:
    """Parse a rubric and check it against ``framework``; raises :class:`RubricError`."""
    path = Path(path)
    raw = read_yaml(path, RubricError)
    try:
        rubric = _build(raw, path)
        _validate(rubric, framework)
    except p.DataFileError as exc:
        raise RubricError(f"{path.name} (kerangka {raw.get('framework', '?')}): {exc}") from None
    return rubric


def _build(raw: Mapping[str, Any], path: Path) -> Rubric:
    strengths = []
    for n, item in enumerate(p.sequence(p.require(raw, "evidence_strength", "evidence_strength"), "evidence_strength")):
        where = f"evidence_strength[{n}]"
        item = p.mapping(item, where)
        strengths.append(Strength(p.probability(item, "min", where), p.probability(item, "factor", where), p.text(item, "label", where)))
    rules = [_rule(item, n) for n, item in enumerate(p.sequence(p.require(raw, "rules", "rules"), "rules"))]
    return Rubric(
        framework_id=p.text(raw, "framework", "framework"),
        status=p.text(raw, "status", "status"),
        signals=frozenset(p.str_list(raw, "signals", "signals")),
        implicit_signals=frozenset(p.str_list(raw, "implicit_signals", "implicit_signals")),
        strengths=tuple(sorted(strengths, key=lambda s: s.min, reverse=True)),
        rules=tuple(rules),
        path=path,
        national_apps=_national_apps(raw.get("national_apps")),
    )


def _national_apps(raw: Any) -> dict[str, NationalApp]:
    """The optional ``national_apps`` list: service key, name, level, confidence, reach, proof."""
    if raw is None:
        return {}
    apps: dict[str, NationalApp] = {}
    for n, item in enumerate(p.sequence(raw, "national_apps")):
        where = f"national_apps[{n}]"
        item = p.mapping(item, where)
        app = NationalApp(
            service=p.text(item, "service", where),
            name=p.text(item, "name", where),
            level=p.integer(item, "level", where),
            confidence=p.probability(item, "confidence", where),
            reach=p.text(item, "reach", where),
            proof=p.text(item, "proof", where),
            status=str(item.get("status") or ""),
        )
        if app.service in apps:
            raise p.DataFileError(f"{where}: layanan {app.service} muncul lebih dari sekali")
        apps[app.service] = app
    return apps


def _rule(item: Any, n: int) -> Rule:
    where = f"rules[{n}]"
    item = p.mapping(item, where)
    rule_id = p.text(item, "id", where)
    where = f"aturan {rule_id}"
    indicators = p.int_list(item, "indicators", where)
    if item.get("manual"):
        return Rule(rule_id, indicators, True, p.text(item, "reason", where), (), None)
    levels = []
    for k, entry in enumerate(p.sequence(p.require(item, "levels", where), f"{where}.levels")):
        w = f"{where}.levels[{k}]"
        entry = p.mapping(entry, w)
        levels.append(
            LevelRule(
                level=p.integer(entry, "level", w),
                any_signal=frozenset(p.str_list(entry, "any_signal", w)),
                criterion=p.text(entry, "criterion", w),
                confidence=p.probability(entry, "confidence", w),
                note=entry.get("note"),
            )
        )
    cap_raw = p.mapping(p.require(item, "cap", where), f"{where}.cap")
    cap = Cap(p.integer(cap_raw, "level", f"{where}.cap"), p.text(cap_raw, "reason", f"{where}.cap"))
    return Rule(
        id=rule_id,
        indicators=indicators,
        manual=False,
        reason=None,
        levels=tuple(levels),
        cap=cap,
        distinct_services=bool(item.get("distinct_services", False)),
        exclude_services_of=p.int_list(item, "exclude_services_of", where) if item.get("exclude_services_of") else (),
    )


def _validate(rubric: Rubric, fw: Framework) -> None:
    if rubric.framework_id != fw.id:
        raise p.DataFileError(f"rubrik untuk kerangka '{rubric.framework_id}', bukan '{fw.id}'")
    if not rubric.strengths or rubric.strengths[-1].min != 0:
        raise p.DataFileError("evidence_strength: harus ada kelas dengan min 0")
    if not rubric.implicit_signals <= rubric.signals:
        unknown = sorted(rubric.implicit_signals - rubric.signals)
        raise p.DataFileError(f"implicit_signals: sinyal tidak dikenal {unknown}")
    counts = Counter(i for rule in rubric.rules for i in rule.indicators)
    unknown_indicators = sorted(set(counts) - set(fw.indicators))
    if unknown_indicators:
        raise p.DataFileError(f"indikator tidak dikenal dalam kerangka {fw.id}: {unknown_indicators}")
    twice = sorted(i for i, c in counts.items() if c > 1)
    if twice:
        raise p.DataFileError(f"indikator {twice} diatur oleh lebih dari satu aturan")
    missing = sorted(set(fw.indicators) - set(counts))
    if missing:
        raise p.DataFileError(f"tidak ada aturan untuk indikator {missing}")
    for rule in rubric.rules:
        if not rule.manual:
            _validate_rule(rule, rubric, fw)
    for app in rubric.national_apps.values():
        if not fw.scale_min <= app.level <= fw.scale_max:
            raise p.DataFileError(f"national_apps {app.service}: tingkat {app.level} di luar skala {fw.scale_min}-{fw.scale_max}")


def _validate_rule(rule: Rule, rubric: Rubric, fw: Framework) -> None:
    where = f"aturan {rule.id}"
    numbers = [lvl.level for lvl in rule.levels]
    if not numbers or numbers != list(range(fw.scale_min, fw.scale_min + len(numbers))):
        raise p.DataFileError(f"{where}: tingkat harus berurutan mulai {fw.scale_min}, berisi {numbers}")
    assert rule.cap is not None
    if not numbers[-1] <= rule.cap.level <= fw.scale_max:
        raise p.DataFileError(f"{where}: cap {rule.cap.level} harus antara {numbers[-1]} dan {fw.scale_max}")
    for lvl in rule.levels:
        unknown = sorted(lvl.any_signal - rubric.signals)
        if not lvl.any_signal or unknown:
            raise p.DataFileError(f"{where} tingkat {lvl.level}: sinyal kosong atau tidak dikenal {unknown}")
    bad = sorted(set(rule.exclude_services_of) - set(fw.indicators))
    if bad:
        raise p.DataFileError(f"{where}.exclude_services_of: indikator tidak dikenal {bad}")
