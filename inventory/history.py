"""What changed in a pemda's service inventory between two runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from inventory.rules import LEVELS


def service_signals(findings: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Service key -> every maturity signal any of its findings shows."""
    result: dict[str, set[str]] = {}
    for finding in findings:
        result.setdefault(finding["service"], set()).update(finding.get("signals") or ())
    return result


def diff(previous: Iterable[Mapping[str, Any]], current: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Services that appeared or disappeared, and signals gained or lost by the others.

    Returns ``{"appeared": [key...], "disappeared": [key...],
    "changed": {key: {"gained": [level...], "lost": [level...]}}}``, keys sorted, levels in
    level order.
    """
    before, after = service_signals(previous), service_signals(current)
    changed = {}
    for key in sorted(before.keys() & after.keys()):
        gained = [level for level in LEVELS if level in after[key] - before[key]]
        lost = [level for level in LEVELS if level in before[key] - after[key]]
        if gained or lost:
            changed[key] = {"gained": gained, "lost": lost}
    return {
        "appeared": sorted(after.keys() - before.keys()),
        "disappeared": sorted(before.keys() - after.keys()),
        "changed": changed,
    }
