"""Indicator levels -> aspect -> domain -> index, exactly as the regulation computes them.

All arithmetic is Decimal with the weights of the framework file; nothing is rounded until it is
shown. ``display()`` rounds half-up to 2 decimals like the published figures.

Predikat choice (``aggregation.rounding.predikat_on: rounded`` in both shipped framework files):
the bands are applied to the value *rounded half-up to 2 decimals*, because the published figures
are rounded first and the predikat printed next to them must agree with the printed number: an
exact 1.795 is shown as 1.80 and is therefore "Cukup", not "Kurang".

With unknown indicators the exact value does not exist yet: a :class:`Figure` then carries the
weighted mean of what is known and the range the value can still take (every unknown at the scale
minimum, every unknown at the scale maximum).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from scoring.framework import Framework, Group


@dataclass(frozen=True)
class Figure:
    """One aggregated value: exact when complete, otherwise known part + range."""

    value: Decimal | None
    known: Decimal | None
    low: Decimal
    high: Decimal
    known_weight: Decimal
    total_weight: Decimal

    @property
    def complete(self) -> bool:
        return self.known_weight == self.total_weight

    @property
    def known_share(self) -> Decimal:
        """Share (0..1) of the weight whose level is known."""
        return self.known_weight / self.total_weight if self.total_weight else Decimal(0)


@dataclass(frozen=True)
class GroupFigure:
    group: Group
    figure: Figure


@dataclass(frozen=True)
class Aggregate:
    framework_id: str
    index: Figure
    groups: Mapping[str, tuple[GroupFigure, ...]]


def to_decimal(value: Decimal | int | float | str) -> Decimal:
    """Exact Decimal of a number; floats go through their shortest repr (2.675 stays 2.675)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a bool is not a figure")
    return Decimal(str(value))


def round_half_up(value: Decimal | int | float | str, places: int = 2) -> Decimal:
    return to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def display(value: Decimal | int | float | str | None, places: int = 2, sep: str = ".") -> str:
    """The figure as published: half-up to ``places`` decimals; ``sep=","`` for Indonesian text."""
    if value is None:
        return "–"
    return str(round_half_up(value, places)).replace(".", sep)


def predikat(framework: Framework, value: Decimal | int | float | str) -> str | None:
    """The predikat of ``value``: of the rounded value when the framework says so (see module docstring)."""
    shown = round_half_up(value, framework.places) if framework.predikat_on_rounded else to_decimal(value)
    band = framework.band_for(shown)
    return band.name if band else None


def check_levels(framework: Framework, levels: Mapping[int, int | None]) -> None:
    """Reject unknown indicators and levels outside the scale (a programming error upstream)."""
    for number, level in levels.items():
        framework.indicator(number)
        if level is None:
            continue
        if isinstance(level, bool) or not isinstance(level, int):
            raise ValueError(f"tingkat indikator {number} harus bilangan bulat, berisi {level!r}")
        if not framework.scale_min <= level <= framework.scale_max:
            raise ValueError(f"tingkat indikator {number} di luar skala: {level}")


def figure(framework: Framework, indicators: tuple[int, ...], levels: Mapping[int, int | None]) -> Figure:
    """Weighted value of ``indicators``: Σ(w·level)/Σw over the known ones, with the range."""
    total = known_w = known_sum = Decimal(0)
    for number in indicators:
        weight = framework.indicators[number].weight
        total += weight
        level = levels.get(number)
        if level is not None:
            known_w += weight
            known_sum += weight * level
    unknown = total - known_w
    low = (known_sum + unknown * framework.scale_min) / total
    high = (known_sum + unknown * framework.scale_max) / total
    return Figure(
        value=known_sum / total if unknown == 0 else None,
        known=known_sum / known_w if known_w else None,
        low=low,
        high=high,
        known_weight=known_w,
        total_weight=total,
    )


def aggregate(framework: Framework, levels: Mapping[int, int | None]) -> Aggregate:
    """Every group figure and the index from indicator levels (``None`` or absent = unknown)."""
    check_levels(framework, levels)
    groups = {
        lvl.key: tuple(GroupFigure(g, figure(framework, g.indicators, levels)) for g in framework.groups[lvl.key])
        for lvl in framework.levels
    }
    index = figure(framework, tuple(sorted(framework.indicators)), levels)
    return Aggregate(framework.id, index, groups)


def index_from_groups(framework: Framework, level: str, values: Mapping[int, Decimal | int | float | str]) -> Decimal:
    """The index from published group figures (e.g. the four domain scores): Σ(w·v)/Σw.

    Published group figures are already rounded, so this can differ by 0.01 from the index
    computed from indicator levels; it exists to check published reports.
    """
    groups = {g.number: g for g in framework.groups[level]}
    if set(values) != set(groups):
        raise ValueError(f"nilai {level} harus lengkap untuk {sorted(groups)}, berisi {sorted(values)}")
    total = sum((g.weight for g in groups.values()), Decimal(0))
    weighted = sum((groups[n].weight * to_decimal(v) for n, v in values.items()), Decimal(0))
    return weighted / total


def level_gain(framework: Framework, number: int) -> Decimal:
    """How much the index rises when indicator ``number`` goes up one level."""
    return framework.indicator(number).weight / framework.total_weight
