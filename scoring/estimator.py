"""One generic evaluator: findings (evidence) + rubric -> an estimated level per indicator.

Signals are combined per service (all findings with the same service key); the levels of the
rubric are walked in order and a level counts only if every level below it is met. An indicator
takes its best service (highest level, then confidence, then service key, so the result is
deterministic). Rules with ``distinct_services`` (the sector indicators 45-47 of spbe-2020) hand
their indicators to distinct services, best evidence first. No evidence gives level ``None`` with
"belum ada bukti", never a silent 1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from scoring import rationale as say
from scoring.framework import Framework
from scoring.rationale import LevelSupport
from scoring.rubric import NationalApp, Rubric, Rule


@dataclass(frozen=True)
class Evidence:
    finding_id: int
    service: str
    indicators: Mapping[str, Sequence[int]]
    signals: Sequence[str]
    url: str
    rule_id: str
    confidence: float
    kind: str = ""  # evidence kind; "menu" (a same-site menu entry naming the service) is no proof of use


MENU = "menu"


@dataclass(frozen=True)
class Estimate:
    indicator: int
    level: int | None
    confidence: float
    cap: int | None
    rationale: str
    finding_ids: tuple[int, ...] = ()
    service: str | None = field(default=None)


@dataclass(frozen=True)
class _ServiceResult:
    service: str
    level: int | None
    confidence: float
    met: tuple[LevelSupport, ...]
    skipped: tuple[LevelSupport, ...]
    finding_ids: tuple[int, ...]
    national: NationalApp | None = None  # the level comes from the use of this national application
    strength: float = 0.0

    @property
    def rank(self) -> tuple[int, float, str]:
        return (-(self.level or 0), -self.confidence, self.service)


ServiceEvidence = dict[str, list[Evidence]]


def estimate(framework: Framework, rubric: Rubric, evidence: Iterable[Evidence]) -> list[Estimate]:
    """One :class:`Estimate` per indicator of ``framework``, in indicator order."""
    if rubric.framework_id != framework.id:
        raise ValueError(f"rubrik {rubric.framework_id} bukan untuk kerangka {framework.id}")
    by_indicator = _index(framework, evidence)
    results: dict[int, Estimate] = {}
    for rule in rubric.rules:
        if rule.manual:
            results.update({i: Estimate(i, None, 0.0, None, say.manual(rule)) for i in rule.indicators})
        elif rule.distinct_services:
            results.update(_distinct(framework, rubric, rule, by_indicator))
        else:
            for i in rule.indicators:
                results[i] = _best(framework, rubric, rule, i, by_indicator.get(i, {}))
    return [results[i] for i in sorted(framework.indicators)]


def _index(framework: Framework, evidence: Iterable[Evidence]) -> dict[int, ServiceEvidence]:
    """indicator -> service -> evidence, for this framework's indicator numbers only."""
    index: dict[int, ServiceEvidence] = defaultdict(lambda: defaultdict(list))
    for ev in evidence:
        for number in ev.indicators.get(framework.id, ()):
            if number in framework.indicators:
                index[number][ev.service].append(ev)
    return index


def _strength(ev: Evidence) -> float:
    """Evidence confidence in [0, 1]; values above 1 are read as percentages (rule files use 0-100)."""
    value = ev.confidence / 100 if ev.confidence > 1 else ev.confidence
    return min(max(value, 0.0), 1.0)


def _evaluate(rubric: Rubric, rule: Rule, service: str, evs: Sequence[Evidence]) -> _ServiceResult:
    signals = {ev.finding_id: (set(ev.signals) & rubric.signals) | rubric.implicit_signals for ev in evs}
    met: list[LevelSupport] = []
    skipped: list[LevelSupport] = []
    for lvl in rule.levels:
        support = [ev for ev in evs if lvl.any_signal & signals[ev.finding_id]]
        if not support:
            continue
        entry = LevelSupport(lvl, tuple(sorted({ev.finding_id for ev in support})), max(map(_strength, support)))
        (met if len(met) == lvl.level - rule.levels[0].level else skipped).append(entry)
    ids = tuple(sorted({ev.finding_id for ev in evs}))
    assert rule.cap is not None
    own: _ServiceResult
    if not met:
        own = _ServiceResult(service, None, 0.0, (), tuple(skipped), ids)
    else:
        top = met[-1]
        level = min(top.rule.level, rule.cap.level)
        confidence = round(top.rule.confidence * rubric.strength(top.strength).factor, 2)
        own = _ServiceResult(service, level, confidence, tuple(met), tuple(skipped), ids)
    return _national(rubric, rule, own, evs) or own


def _national(rubric: Rubric, rule: Rule, own: _ServiceResult, evs: Sequence[Evidence]) -> _ServiceResult | None:
    """The level a national application's functions reach, when the pemda uses it and its own pages
    show less: lower confidence, and the rationale names the proof of use the assessor must see."""
    app = rubric.national_apps.get(own.service)
    used = [ev for ev in evs if ev.kind != MENU]  # the instance, its login page, or a link to it
    if app is None or not used:
        return None
    assert rule.cap is not None
    level = min(app.level, rule.cap.level, rule.levels[-1].level)
    if level <= (own.level or 0):
        return None
    strength = max(map(_strength, used))
    confidence = round(app.confidence * rubric.strength(strength).factor, 2)
    return _ServiceResult(own.service, level, confidence, own.met, own.skipped, own.finding_ids, app, strength)


def _to_estimate(framework: Framework, rubric: Rubric, rule: Rule, indicator: int, res: _ServiceResult, extra: str = "") -> Estimate:
    assert rule.cap is not None
    if res.level is None:
        text = say.no_evidence(rule, extra)
        return Estimate(indicator, None, 0.0, rule.cap.level, text, res.finding_ids, res.service)
    if res.national is not None:
        strength = rubric.strength(res.strength)
        text = say.national(framework, indicator, rule, res.service, res.national, res.finding_ids, res.confidence, strength)
    else:
        strength = rubric.strength(res.met[-1].strength)
        text = say.estimated(framework, indicator, rule, res.service, res.met, res.skipped, res.confidence, strength)
    if extra:
        text = f"{text} {extra}"
    return Estimate(indicator, res.level, res.confidence, rule.cap.level, text, res.finding_ids, res.service)


def _best(framework: Framework, rubric: Rubric, rule: Rule, indicator: int, services: ServiceEvidence) -> Estimate:
    assert rule.cap is not None
    if not services:
        return Estimate(indicator, None, 0.0, rule.cap.level, say.no_evidence(rule))
    ranked = sorted((_evaluate(rubric, rule, s, evs) for s, evs in services.items()), key=lambda r: r.rank)
    extra = say.others([(r.service, r.level) for r in ranked[1:]])
    return _to_estimate(framework, rubric, rule, indicator, ranked[0], extra)


def _distinct(framework: Framework, rubric: Rubric, rule: Rule, by_indicator: Mapping[int, ServiceEvidence]) -> dict[int, Estimate]:
    """Give each indicator of ``rule`` a different service, best evidence first."""
    excluded = {s for i in rule.exclude_services_of for s in by_indicator.get(i, {})}
    pooled: dict[str, dict[int, Evidence]] = defaultdict(dict)
    for i in rule.indicators:
        for service, evs in by_indicator.get(i, {}).items():
            if service not in excluded:
                pooled[service].update((ev.finding_id, ev) for ev in evs)
    ranked = sorted((_evaluate(rubric, rule, s, list(evs.values())) for s, evs in pooled.items()), key=lambda r: r.rank)
    ranked = [r for r in ranked if r.level is not None]
    slots = sorted(rule.indicators)
    result = {}
    for position, indicator in enumerate(slots):
        if position < len(ranked):
            extra = say.sector_choice(position + 1, len(ranked))
            result[indicator] = _to_estimate(framework, rubric, rule, indicator, ranked[position], extra)
        else:
            assert rule.cap is not None
            text = say.no_evidence(rule, say.sector_missing(len(ranked), len(slots)))
            result[indicator] = Estimate(indicator, None, 0.0, rule.cap.level, text)
    return result
