"""What to fix first: the indicators where one more level buys the most index.

Every step of one level on indicator i raises the index by w_i / Σw, whatever the current level,
so the cheapest gains are the heaviest indicators that are not yet at the top; among equal
weights the lower current level comes first (the next criterion is the more basic one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from scoring.aggregate import level_gain
from scoring.framework import Framework


@dataclass(frozen=True)
class Step:
    indicator: int
    name: str
    level: int
    next_level: int
    next_level_name: str
    gain: Decimal
    criterion: str


def next_steps(framework: Framework, levels: Mapping[int, int | None], limit: int = 10) -> list[Step]:
    """Up to ``limit`` one-level improvements, most index per step first (known levels only)."""
    candidates = [
        (number, level)
        for number, level in levels.items()
        if level is not None and level < framework.scale_max and number in framework.indicators
    ]
    candidates.sort(key=lambda pair: (-framework.indicators[pair[0]].weight, pair[1], pair[0]))
    steps = []
    for number, level in candidates[:limit]:
        indicator = framework.indicators[number]
        criterion = indicator.criteria.get(level + 1)
        steps.append(
            Step(
                indicator=number,
                name=indicator.name,
                level=level,
                next_level=level + 1,
                next_level_name=framework.level_name(number, level + 1),
                gain=level_gain(framework, number),
                criterion=criterion.kriteria if criterion else "",
            )
        )
    return steps
