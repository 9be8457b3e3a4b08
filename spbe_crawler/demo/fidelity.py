"""How faithful a survey of the demo region is, measured against the demo's truth (issue #9).

Four figures, each from the store of a finished survey run and the demo's manifest and assessor bands:

* working/not-working verdict accuracy over all units;
* discovery recall of unlinked sites (found only by naming patterns) and discovery precision;
* share of service indicators whose estimate lies inside the assessor's band;
* evidence precision: the share of evidence URLs (inventory view, indicators of the framework)
  that belong to a true service of the demo.

Used by ``bench/bench_fidelity.py`` (prints them) and the end-to-end test (asserts them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session

from spbe_crawler.health.status import works
from spbe_crawler.store.assessment_queries import findings_of, scores_of_run
from spbe_crawler.store.models import CrawlRun
from spbe_crawler.store.registry_queries import units_of_pemda, websites_in_state
from spbe_crawler.store.report_queries import latest_finished_run, run_unit_outcomes
from spbe_crawler.vocab import WebsiteRole, WebsiteState

UNLINKED = "guessable"


def _host(url: str | None) -> str:
    return (urlsplit(url or "").hostname or "").lower()


@dataclass
class Ratio:
    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 1.0

    def add(self, ok: bool, label: str) -> None:
        self.total += 1
        self.hits += ok
        if not ok:
            self.misses.append(label)


def expected_working(manifest: Mapping[str, Mapping[str, Any]]) -> dict[str, bool]:
    """unit code -> whether the demo gives it a working website the survey can attach to it.

    A service portal found only by a link (``esakip.<root>``) cannot be attributed to the OPD that runs
    it (the survey files it under the pemda), so it makes no unit's verdict.
    """
    result: dict[str, bool] = {}
    for entry in manifest.values():
        code = entry.get("unit_code")
        if not code or entry.get("kind") in ("national", "test", "alias"):
            continue
        if entry.get("kind") == "portal" and not entry.get("declared"):
            continue
        result[code] = result.get(code, False) or works(str(entry.get("expected_status")))
    return result


def latest_run(session: Session, pemda: str) -> CrawlRun:
    run = latest_finished_run(session, pemda)
    if run is None or run.id is None:
        raise LookupError(f"tidak ada survei selesai untuk {pemda}")
    return run


def verdicts(session: Session, pemda: str, manifest: Mapping[str, Mapping[str, Any]]) -> Ratio:
    """Every unit of the pemda: does its outcome's working/not-working match the demo's truth?"""
    run = latest_run(session, pemda)
    truth = expected_working(manifest)
    assert run.id is not None
    outcomes = {o.unit_code: o for o in run_unit_outcomes(session, run.id)}
    ratio = Ratio()
    for unit in units_of_pemda(session, pemda):
        outcome = outcomes.get(unit.code)
        got = bool(outcome and works(outcome.status))
        want = truth.get(unit.code, False)
        ratio.add(
            got == want,
            f"{unit.code} {unit.name}: diharapkan {'berfungsi' if want else 'tidak'}, hasil {outcome.status if outcome else '-'}",
        )
    return ratio


def discovery(session: Session, manifest: Mapping[str, Mapping[str, Any]]) -> tuple[Ratio, Ratio]:
    """(recall of unlinked unit sites, precision of every site discovered for a unit)."""
    found = {(_host(w.url).removeprefix("www."), w.unit_code) for w in websites_in_state(session, WebsiteState.DISCOVERED)}
    recall = Ratio()
    for host, entry in sorted(manifest.items()):
        if entry.get("how_found") == UNLINKED and entry.get("unit_code"):
            recall.add((host.removeprefix("www."), entry["unit_code"]) in found, host)
    precision = Ratio()
    for website in websites_in_state(session, WebsiteState.DISCOVERED, WebsiteRole.UNIT):
        host = _host(website.url)
        entry = manifest.get(host) or manifest.get(host.removeprefix("www.")) or {}
        precision.add(entry.get("unit_code") == website.unit_code, f"{host} -> {website.unit_code}")
    return recall, precision


def bands(session: Session, pemda: str, assessor: Mapping[str, Any]) -> Ratio:
    """Service indicators whose estimate lies inside the assessor's [lowest, highest] band."""
    framework = assessor.get("framework")
    run = latest_run(session, pemda)
    assert run.id is not None
    scores = scores_of_run(session, str(framework), pemda, run.id)
    ratio = Ratio()
    for indicator, (low, high) in sorted((int(k), v) for k, v in (assessor.get("bands") or {}).items()):
        score = scores.get(indicator)
        level = score.level if score else None
        ratio.add(level is not None and low <= level <= high, f"indikator {indicator}: perkiraan {level}, rentang penilai {low}-{high}")
    return ratio


def evidence(session: Session, pemda: str, manifest: Mapping[str, Mapping[str, Any]], framework: str) -> Ratio:
    """Distinct (service, URL) evidence of the framework's indicators in the inventory view: does the
    URL belong to a true service (a demo host that offers that service)?"""
    from inventory.view import build_view

    run = latest_run(session, pemda)
    assert run.id is not None
    findings = [f.model_dump() for f in findings_of(session, pemda, run.id)]
    view = build_view(findings, framework=framework, indicator_names={}, service_names={})
    pairs = {
        (service["service"], ev["url"])
        for group in view
        if group["indicator"] is not None
        for service in group["services"]
        for ev in service["evidence"]
    }
    ratio = Ratio()
    for service, url in sorted(pairs):
        entry = manifest.get(_host(url)) or {}
        ratio.add(service in (entry.get("services") or ()), f"{service}: {url}")
    return ratio
