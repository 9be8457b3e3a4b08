"""Which service stands behind an indicator's estimate, and which OPD owns it.

The owner is, in order: the OPD whose own website carries the evidence; the pemda's OPD whose name
matches the service's words in ``data/service_owners.yaml``; the owner text of that file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from scoring.priorities import ServiceFacts
from spbe_crawler import config
from spbe_crawler.vocab import UnitKind
from spbe_crawler.yamlfile import load_yaml


@dataclass(frozen=True)
class ServiceInfo:
    short: str
    owner: str
    match: tuple[tuple[str, ...], ...]
    needs: Mapping[str, str]


@dataclass(frozen=True)
class EvidenceRow:
    """One finding behind an estimate: its service and the unit whose website shows it."""

    service: str
    unit_code: str
    unit_kind: str
    unit_name: str


@lru_cache(maxsize=4)
def load_service_info(path: Path | None = None) -> dict[str, ServiceInfo]:
    path = path or config.DATA_DIR / "service_owners.yaml"
    raw: dict[str, Any] = (load_yaml(path.read_text(encoding="utf-8")) or {}).get("services") or {}
    return {
        key: ServiceInfo(
            short=str(item.get("short") or key),
            owner=str(item.get("owner") or ""),
            match=tuple(tuple(str(w).lower() for w in words) for words in item.get("match") or ()),
            needs={str(k): str(v) for k, v in (item.get("needs") or {}).items()},
        )
        for key, item in raw.items()
    }


def service_facts(
    evidence: Mapping[int, Iterable[EvidenceRow]],
    opd_names: Iterable[str],
    service_names: Mapping[str, str] | None = None,
    info: Mapping[str, ServiceInfo] | None = None,
) -> dict[int, ServiceFacts]:
    """Per indicator, the service its evidence shows most, with the OPD that owns it."""
    info = info if info is not None else load_service_info()
    names = list(opd_names)
    result: dict[int, ServiceFacts] = {}
    for indicator, rows in evidence.items():
        rows = list(rows)
        if not rows:
            continue
        key = min(Counter(r.service for r in rows).items(), key=lambda kv: (-kv[1], kv[0]))[0]
        known = info.get(key)
        short = known.short if known else (service_names or {}).get(key, key)
        owner = _owner([r for r in rows if r.service == key], names, known)
        result[indicator] = ServiceFacts(key, short, owner, known.needs if known else {})
    return result


def _owner(rows: list[EvidenceRow], opd_names: list[str], known: ServiceInfo | None) -> str | None:
    opds = Counter(r.unit_name for r in rows if r.unit_kind == UnitKind.OPD)
    if opds:
        return min(opds.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    if known is None:
        return None
    for words in known.match:
        for name in opd_names:
            if all(w in name.lower() for w in words):
                return name
    return known.owner or None
