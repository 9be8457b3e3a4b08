"""The inventory view: indicator -> services -> evidence, built from stored findings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from inventory.engine import MENU, default_directory, load_catalog
from inventory.rules import LEVELS
from scoring.framework_loader import load_framework

PAGES_PER_LEVEL = 3
"""Pages shown per level criterion of a service: the few that prove it, strongest first."""
POSSIBLE_LABEL = "mungkin ada layanan"

OTHER_LABEL = "Lainnya"
"""The group of findings that map to no indicator of the framework (e.g. PPID under 59/2020)."""


def build_view(
    findings: Iterable[Mapping[str, Any]],
    framework: str = "spbe-2020",
    indicator_names: Mapping[int, str] | None = None,
    service_names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Group findings (rows with the keys of the store's ``Finding`` table) per indicator.

    Indicator names come from ``indicator_names`` or else ``data/frameworks/<framework>.yaml``;
    service names from ``service_names`` or else the signature pack's ``pack.yaml``. Indicators
    are in ascending order; the ``Lainnya`` group (``indicator: None``) comes last.
    """
    if indicator_names is None:
        indicator_names = framework_indicator_names(framework)
    if service_names is None:
        service_names = load_catalog().services
    groups: dict[int | None, dict[str, list[Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        numbers = (finding.get("indicators") or {}).get(framework) or [None]
        for number in numbers:
            groups[number][finding["service"]].append(finding)
    ordered = sorted(n for n in groups if n is not None) + ([None] if None in groups else [])
    return [
        {
            "indicator": number,
            "name": OTHER_LABEL if number is None else indicator_names.get(number, f"Indikator {number}"),
            "services": [_service(key, groups[number][key], service_names) for key in sorted(groups[number])],
        }
        for number in ordered
    ]


def _service(key: str, findings: list[Mapping[str, Any]], names: Mapping[str, str]) -> dict[str, Any]:
    """One service (entry point): the pages that prove each level criterion, few per level.

    A finding of kind ``menu`` (a menu entry of the same site that only names the service) is
    not evidence: it is listed under ``possible``, and a service known only from such findings is
    ``mungkin ada layanan`` with its low confidence.
    """
    ranked = sorted(findings, key=lambda f: (-float(f.get("confidence") or 0), str(f.get("url"))))
    proving = _distinct_urls([f for f in ranked if f.get("kind") != MENU])
    possible = _distinct_urls([f for f in ranked if f.get("kind") == MENU])
    shown = {signal for f in proving for signal in (f.get("signals") or ())}
    levels = [
        {"signal": level, "evidence": [_evidence(f) for f in proving if level in (f.get("signals") or ())][:PAGES_PER_LEVEL]}
        for level in LEVELS
        if level in shown
    ]
    return {
        "service": key,
        "name": names.get(key, key),
        "status": "ada" if proving else POSSIBLE_LABEL,
        "signals": [level for level in LEVELS if level in shown] or (["informasi"] if possible else []),
        "confidence": max(float(f.get("confidence") or 0) for f in (proving or possible)),
        "levels": levels,
        "evidence": [_evidence(f) for f in proving],
        "possible": [_evidence(f) for f in possible],
        "units": sorted({f["unit_code"] for f in findings if f.get("unit_code")}),
    }


def _distinct_urls(findings: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The strongest finding per URL (the same page found by two rules or runs shows once)."""
    seen: set[str] = set()
    unique = []
    for f in findings:
        url = str(f.get("url"))
        if url not in seen:
            seen.add(url)
            unique.append(f)
    return unique


def _evidence(f: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "finding_id": f.get("id"),
        "url": f.get("url"),
        "snippet": f.get("snippet") or "",
        "rule_id": f.get("rule_id"),
        "kind": f.get("kind"),
        "unit_code": f.get("unit_code"),
        "confidence": float(f.get("confidence") or 0),
    }


def framework_indicator_names(framework: str, data_dir: Path | str | None = None) -> dict[int, str]:
    """Indicator names from ``data/frameworks/<framework>.yaml``, read by the one framework loader
    (:func:`scoring.framework_loader.load_framework`); empty when that file is absent."""
    root = Path(data_dir) if data_dir else default_directory().parent
    path = root / "frameworks" / f"{framework}.yaml"
    if not path.is_file():
        return {}
    return {number: indicator.name for number, indicator in load_framework(path).indicators.items()}
