"""The inventory view: indicator -> services -> evidence, built from stored findings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from inventory.engine import default_directory, load_catalog
from inventory.rules import LEVELS
from scoring.framework_loader import load_framework

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
    shown = {signal for f in findings for signal in (f.get("signals") or ())}
    ranked = sorted(findings, key=lambda f: (-float(f.get("confidence") or 0), str(f.get("url"))))
    return {
        "service": key,
        "name": names.get(key, key),
        "signals": [level for level in LEVELS if level in shown],
        "confidence": max(float(f.get("confidence") or 0) for f in findings),
        "evidence": [
            {
                "finding_id": f.get("id"),
                "url": f.get("url"),
                "snippet": f.get("snippet") or "",
                "rule_id": f.get("rule_id"),
                "kind": f.get("kind"),
                "unit_code": f.get("unit_code"),
                "confidence": float(f.get("confidence") or 0),
            }
            for f in ranked
        ],
        "units": sorted({f["unit_code"] for f in findings if f.get("unit_code")}),
    }


def framework_indicator_names(framework: str, data_dir: Path | str | None = None) -> dict[int, str]:
    """Indicator names from ``data/frameworks/<framework>.yaml``, read by the one framework loader
    (:func:`scoring.framework_loader.load_framework`); empty when that file is absent."""
    root = Path(data_dir) if data_dir else default_directory().parent
    path = root / "frameworks" / f"{framework}.yaml"
    if not path.is_file():
        return {}
    return {number: indicator.name for number, indicator in load_framework(path).indicators.items()}
