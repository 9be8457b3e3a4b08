"""Latency percentiles, exact from raw values or approximate from a log-bucket sketch.

The sketch keeps a count per bucket ``ceil(log(v) / log(GAMMA))``; any value is estimated within
``(GAMMA - 1) / 2`` (1 %) relative error. Sketches of hours merge by adding counts, so hourly
rollups still give percentiles over a month. Both use the nearest-rank definition.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

GAMMA = 1.02
_LOG_GAMMA = math.log(GAMMA)
ZERO = "z"  # bucket of values <= 0


def bucket(value: float) -> str:
    return ZERO if value <= 0 else str(math.ceil(math.log(value) / _LOG_GAMMA))


def bucket_value(key: str) -> float:
    if key == ZERO:
        return 0.0
    index = int(key)
    return 2 * GAMMA**index / (GAMMA + 1)


def add(sketch: dict[str, int], values: Iterable[float]) -> dict[str, int]:
    for value in values:
        key = bucket(value)
        sketch[key] = sketch.get(key, 0) + 1
    return sketch


def merge(into: dict[str, int], other: Mapping[str, int]) -> dict[str, int]:
    for key, count in other.items():
        into[key] = into.get(key, 0) + int(count)
    return into


def _rank(count: int, q: float) -> int:
    return max(1, math.ceil(q * count))


def exact_quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[_rank(len(ordered), q) - 1]


def sketch_quantile(sketch: Mapping[str, int], q: float) -> float | None:
    total = sum(sketch.values())
    if total == 0:
        return None
    rank, seen = _rank(total, q), 0
    for key in sorted(sketch, key=lambda k: -math.inf if k == ZERO else int(k)):
        seen += sketch[key]
        if seen >= rank:
            return bucket_value(key)
    return None
