"""The inventory view: indicator -> services -> evidence, built from stored findings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from inventory.engine import default_directory, load_catalog
from inventory.rules import LEVELS

_NUMBER_KEYS: tuple[Any, ...] = ("no", False, "number", "indicator", "id", "code")
"""Keys an indicator number may sit under; YAML 1.1 reads an unquoted ``no:`` key as ``False``."""

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
    """Indicator names from ``data/frameworks/<framework>.yaml``; empty when that file is absent.

    Accepts a top-level ``indicators`` list whose items carry a number (``no``, ``number``,
    ``indicator``, ``id`` or ``code``) and a ``name``.
    """
    root = Path(data_dir) if data_dir else default_directory().parent
    path = root / "frameworks" / f"{framework}.yaml"
    if not path.is_file():
        return {}
    try:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read framework file: {exc}") from None
    names: dict[int, str] = {}
    for item in raw.get("indicators", []) if isinstance(raw, Mapping) else []:
        if not isinstance(item, Mapping):
            continue
        number = next((item[k] for k in _NUMBER_KEYS if k in item), None)
        if str(number).isdigit() and isinstance(item.get("name"), str):
            names[int(number)] = item["name"]
    return names
