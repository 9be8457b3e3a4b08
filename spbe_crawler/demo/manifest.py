"""What the demo writes for others: the ground-truth manifest, the connect-to routes, the registry CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from spbe_crawler.demo.naming import host_under, joined
from spbe_crawler.demo.region import Region, SiteSpec
from spbe_crawler.demo.traps import trap_entry_url
from spbe_crawler.health.status import Status

REGISTRY_COLUMNS = ("code", "name", "kind", "parent_code", "website")


@dataclass(frozen=True)
class Ports:
    http: int
    https: int
    refused: int
    blackhole: int
    drip_http: int
    drip_https: int

    def targets(self, behaviour: str) -> tuple[int, int] | None:
        """(port for :80, port for :443) of a behaviour; None when the host is not routed at all."""
        special = {
            "unrouted": None,
            "refused": (self.refused, self.refused),
            "blackhole": (self.blackhole, self.blackhole),
            "drip": (self.drip_http, self.drip_https),
            "http_only": (self.http, self.refused),
        }
        return special.get(behaviour, (self.http, self.https))


def build_manifest(region: Region, today: date) -> dict[str, dict[str, Any]]:
    """host -> ground truth, for every served host and for the guessed host of each unit with no site."""
    manifest = {host: _entry(region, spec, today) for host, spec in sorted(region.sites.items())}
    for unit in region.no_site:
        guess = host_under(f"{'kel' if unit.kind == 'kelurahan' else unit.kind}-{joined(unit.name)}", region.root)
        manifest.setdefault(
            guess,
            {
                "unit_code": unit.code,
                "kind": unit.kind,
                "declared": False,
                "how_found": "none",
                "expected_status": Status.NO_WEBSITE.value,
                "services": [],
                "routed": False,
                "url": None,
                "behaviour": None,
                "content": None,
            },
        )
    return manifest


def _entry(region: Region, spec: SiteSpec, today: date) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "unit_code": spec.unit_code,
        "kind": spec.kind,
        "declared": spec.declared,
        "how_found": spec.how_found,
        "expected_status": spec.expected_status,
        "services": list(spec.services),
        "routed": spec.behaviour != "unrouted",
        "url": spec.url,
        "behaviour": spec.behaviour,
        "content": spec.content,  # unit | pemda_portal | national | portal | problem_page
    }
    if spec.link_text and spec.how_found in ("linked", "ambiguous"):
        entry["link_text"] = spec.link_text
    if spec.linked_from:
        entry["linked_from"] = spec.linked_from
    if spec.candidates:
        entry["candidates"] = list(spec.candidates)
    if spec.traps:
        entry["traps"] = [{"name": t, "url": f"{spec.scheme}://{spec.host}{trap_entry_url(t, today)}"} for t in spec.traps]
    if spec.asset is not None:
        entry["asset"] = spec.asset.name  # problem page file, or portal tree directory
    if spec.browser_asset is not None:
        entry["browser_asset"] = spec.browser_asset.name
    if spec.registered:  # a messy registry entry: the survey's fallback finds the working site
        entry["registered_url"] = spec.registered
    if spec.fallback:
        entry["fallback"] = spec.fallback  # root | http | www
    return entry


def route_lines(region: Region, ports: Ports, bind: str) -> list[str]:
    """The connect-to table: private zones first, then the special hosts, then every other host."""
    lines = ["# Rute web demo SPBE (format curl --connect-to). Nama lain di zona privat: NXDOMAIN."]
    lines += [f"!{zone}" for zone in region.plan["private_zones"]]
    specs = sorted(region.sites.values(), key=lambda s: (s.behaviour not in ("refused", "blackhole", "drip"), s.host))
    for spec in specs:
        targets = ports.targets(spec.behaviour)
        if targets is None:
            continue
        lines.append(f"{spec.host}:80:{bind}:{targets[0]}")
        lines.append(f"{spec.host}:443:{bind}:{targets[1]}")
    return lines


def registry_rows(region: Region) -> list[dict[str, str]]:
    """Declared websites the OPD list does not already hold: the pemda, kecamatan and kelurahan."""
    rows = []
    for spec in region.sites.values():
        if not spec.declared or spec.kind not in ("pemda", "kecamatan", "kelurahan"):
            continue
        unit = region.unit(spec.unit_code or "") if spec.kind != "pemda" else None
        rows.append(
            {
                "code": spec.unit_code or "",
                "name": unit.name if unit else region.pemda_name,
                "kind": spec.kind,
                "parent_code": (unit.parent_code if unit else region.pemda_code.split(".")[0]) or "",
                "website": spec.registered or spec.url.rstrip("/"),
            }
        )
    return sorted(rows, key=lambda row: row["code"])


def write_registry(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTRY_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
