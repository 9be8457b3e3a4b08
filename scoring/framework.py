"""The in-memory shape of an evaluation framework (indicators, groups, weights, levels, predikat).

Built only by :mod:`scoring.framework_loader` from a YAML data file, so nothing else in the code
knows which framework it works on: a third framework is a new file under ``data/frameworks/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class LevelName:
    level: int
    name: str
    certainty: str | None = None
    note: str | None = None
    alias: str | None = None


@dataclass(frozen=True)
class MaturityModel:
    key: str
    name: str
    levels: Mapping[int, LevelName]


@dataclass(frozen=True)
class Criterion:
    """The regulation's text for one level of one indicator."""

    level: int
    kriteria: str
    pemenuhan: str = ""
    bukti_dukung: str = ""


@dataclass(frozen=True)
class Indicator:
    number: int
    name: str
    weight: Decimal
    maturity_model: str
    key: str | None = None
    criteria: Mapping[int, Criterion] = field(default_factory=dict)
    explanation: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AggregationLevel:
    key: str
    label: str


@dataclass(frozen=True)
class Group:
    """A domain, an aspect, ...: ``indicators`` are all indicators below it, at any depth."""

    level: str
    number: int
    name: str
    weight: Decimal
    parent: int | None
    indicators: tuple[int, ...]


@dataclass(frozen=True)
class Band:
    name: str
    min: Decimal
    max: Decimal
    min_inclusive: bool = True
    max_inclusive: bool = False

    def contains(self, value: Decimal) -> bool:
        above = value >= self.min if self.min_inclusive else value > self.min
        below = value <= self.max if self.max_inclusive else value < self.max
        return above and below


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    index_name: str
    regulation: str
    status: str
    status_reason: str
    sources: tuple[str, ...]
    notes: tuple[str, ...]
    scale_min: int
    scale_max: int
    levels: tuple[AggregationLevel, ...]
    groups: Mapping[str, tuple[Group, ...]]
    indicators: Mapping[int, Indicator]
    bands: tuple[Band, ...]
    maturity_models: Mapping[str, MaturityModel]
    places: int = 2
    predikat_on_rounded: bool = True
    path: Path | None = None

    @property
    def total_weight(self) -> Decimal:
        return sum((i.weight for i in self.indicators.values()), Decimal(0))

    def indicator(self, number: int) -> Indicator:
        try:
            return self.indicators[number]
        except KeyError:
            raise KeyError(f"indikator {number} tidak ada dalam kerangka {self.id}") from None

    def group_of(self, number: int, level: str) -> Group:
        """The group of ``level`` (e.g. ``"aspect"``) that holds indicator ``number``."""
        for group in self.groups[level]:
            if number in group.indicators:
                return group
        raise KeyError(f"indikator {number} tidak ada di {level} mana pun dalam kerangka {self.id}")

    def level_name(self, number: int, level: int) -> str:
        model = self.maturity_models[self.indicator(number).maturity_model]
        entry = model.levels.get(level)
        return entry.name if entry else str(level)

    def band_for(self, value: Decimal) -> Band | None:
        """The predikat band holding ``value`` as given (callers decide about rounding)."""
        for band in self.bands:
            if band.contains(value):
                return band
        return None

    @property
    def level_labels(self) -> dict[str, str]:
        return {lvl.key: lvl.label for lvl in self.levels}
