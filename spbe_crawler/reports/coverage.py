"""Coverage report: every unit of a pemda, its website(s) and the status of the latest survey run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from scoring import cells
from spbe_crawler.health.status import Status, info, works
from spbe_crawler.reports.actions import Action, RegistryFix, SiteFacts, UnitRef, rank_actions
from spbe_crawler.reports.formatting import angka
from spbe_crawler.reports.templating import status_label, write_page
from spbe_crawler.store.assessment_queries import latest_survey_run, run_by_id
from spbe_crawler.store.models import CrawlRun, DiscoveryCandidate, SiteCheck, UnitOutcome, Website, utcnow
from spbe_crawler.store.registry_queries import units_in_scope, websites_of
from spbe_crawler.store.report_queries import run_candidates, run_site_checks, run_unit_outcomes
from spbe_crawler.vocab import KIND_LABELS, VILLAGE_KINDS, UnitKind, WebsiteState

NOT_CHECKED = Status.NOT_CHECKED.value  # a unit with a website the run did not reach


@dataclass
class CoverageRow:
    code: str
    name: str
    kind: str
    kecamatan: str
    websites: list[str]
    website_states: list[str]
    status: str
    status_label: str
    works: bool
    detail: str
    sites: list[dict[str, Any]] = field(default_factory=list)
    parent_code: str = ""

    @property
    def works_before_discovery(self) -> bool:
        """Working through a website the registry already had (declared or confirmed)."""
        return any(s["state"] != WebsiteState.DISCOVERED and s.get("status") and works(s["status"]) for s in self.sites)

    @property
    def checked(self) -> bool:
        return self.status != NOT_CHECKED


@dataclass
class Tally:
    """How many units, how many with a working website, how many the survey did not check."""

    total: int = 0
    working: int = 0
    not_checked: int = 0

    def add(self, row: CoverageRow) -> None:
        self.total += 1
        self.working += row.works
        self.not_checked += not row.checked

    @property
    def pct(self) -> int:
        return round(100 * self.working / self.total) if self.total else 0


@dataclass
class KecamatanRow:
    """One kecamatan: its own website's status and the coverage of its kelurahan/desa."""

    code: str
    name: str
    status: str
    status_label: str
    works: bool
    villages: Tally = field(default_factory=Tally)


@dataclass
class Coverage:
    pemda_code: str
    pemda_name: str
    run: CrawlRun | None
    rows: list[CoverageRow]
    candidates: list[DiscoveryCandidate] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    def discovered(self) -> list[tuple[CoverageRow, dict[str, Any]]]:
        """Websites found by discovery, for a person to confirm or reject."""
        return [(row, site) for row in self.rows for site in row.sites if site["state"] == WebsiteState.DISCOVERED]

    def tally(self, kinds: tuple[str, ...] = (UnitKind.OPD, UnitKind.KECAMATAN, *VILLAGE_KINDS)) -> Tally:
        """Coverage over the units of ``kinds`` (default: every unit below the pemda)."""
        total = Tally()
        for row in self.rows:
            if row.kind in kinds:
                total.add(row)
        return total

    def kecamatan_table(self) -> list[KecamatanRow]:
        """Per kecamatan, the coverage of its kelurahan/desa; villages without one come last."""
        table = {r.code: KecamatanRow(r.code, r.name, r.status, r.status_label, r.works) for r in self.rows if r.kind == UnitKind.KECAMATAN}
        orphans = KecamatanRow("", "Tanpa kecamatan", NOT_CHECKED, "–", False)
        for row in self.rows:
            if row.kind in VILLAGE_KINDS:
                table.get(row.parent_code, orphans).villages.add(row)
        return list(table.values()) + ([orphans] if orphans.villages.total else [])

    def summary(self) -> list[dict[str, Any]]:
        """Per unit kind: how many units, with a website, with a working website."""
        lines = []
        for kind, (short, label) in KIND_LABELS.items():
            rows = [r for r in self.rows if r.kind == kind]
            if not rows:
                continue
            working = sum(r.works for r in rows)
            with_site = sum(bool(r.websites) for r in rows)
            before = sum(r.works_before_discovery for r in rows)
            lines.append(
                {
                    "kind": kind,
                    "label": label,
                    "total": len(rows),
                    "with_site": with_site,
                    "working": working,
                    "working_before_discovery": before,
                    "sentence": f"{angka(working)} dari {angka(len(rows))} {short} memiliki situs yang berfungsi",
                    "before_sentence": f"sebelum penemuan situs: {angka(before)} dari {angka(len(rows))}",
                }
            )
        return lines

    def status_counts(self) -> list[tuple[str, str, int]]:
        """(status, label, number of units), least severe first; units not checked last."""
        counts = Counter(r.status for r in self.rows)
        return [(s, status_label(s), n) for s, n in sorted(counts.items(), key=lambda kv: _severity(kv[0]))]


def _severity(status: str) -> int:
    return info(status).severity if status in Status._value2member_map_ else 99


def build_coverage(session: Session, pemda_code: str, run_id: int | None = None) -> Coverage:
    units = units_in_scope(session, pemda_code)
    sites = websites_of(session, [u.code for u in units])
    run = run_by_id(session, run_id) if run_id is not None else latest_survey_run(session, pemda_code)
    outcomes: dict[str, UnitOutcome] = {}
    checks: dict[int, SiteCheck] = {}
    if run is not None and run.id is not None:
        outcomes = {o.unit_code: o for o in run_unit_outcomes(session, run.id)}
        checks = {c.website_id: c for c in run_site_checks(session, run.id)}
    names = {u.code: u.name for u in units}
    rows = []
    facts: list[SiteFacts] = []
    for unit in units:
        unit_sites: list[Website] = sites.get(unit.code, [])
        outcome = outcomes.get(unit.code)
        # a unit the run did not cover is "not checked"; before any run, a unit without a site has none
        status = outcome.status if outcome else (Status.NO_WEBSITE.value if run is None and not unit_sites else NOT_CHECKED)
        kecamatan = names.get(unit.parent_code or "", "") if unit.kind in VILLAGE_KINDS else ""
        ref = UnitRef(unit.code, unit.name, unit.kind, kecamatan)
        facts += [site_facts(ref, w, checks[w.id]) for w in unit_sites if w.id in checks]
        rows.append(
            CoverageRow(
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                kecamatan=kecamatan,
                websites=[w.url for w in unit_sites],
                website_states=[w.state for w in unit_sites],
                status=status,
                status_label=status_label(status),
                works=status in Status._value2member_map_ and works(status),
                detail=outcome.detail if outcome else "",
                sites=[_site_view(w, checks.get(w.id or 0)) for w in unit_sites],
                parent_code=unit.parent_code or "",
            )
        )
    pemda_name = next((u.name for u in units if u.kind == UnitKind.PEMDA), pemda_code)
    candidates = run_candidates(session, run.id) if run and run.id is not None else []
    return Coverage(pemda_code, pemda_name, run, rows, candidates, rank_actions(facts))


def site_facts(unit: UnitRef, website: Website, check: SiteCheck) -> SiteFacts:
    """The facts :mod:`spbe_crawler.reports.actions` ranks, from one stored site check."""
    signals = check.signals or {}
    newest = signals.get("newest_post")
    return SiteFacts(
        unit=unit,
        url=check.url or website.url,
        status=check.status,
        detail=check.detail,
        snippet=check.snippet,
        http_status=check.http_status,
        final_url=check.final_url,
        tls_expires_at=check.tls_expires_at,
        checked_at=check.checked_at,
        newest_post=_date(newest),
        registry_fix=_registry_fix(signals.get("registry_fix")),
    )


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _registry_fix(value: Any) -> RegistryFix | None:
    """``signals["registry_fix"]``: the registered URL failed and a fallback (the site root, http
    for https, www or bare host) works; see spbe_crawler/survey/fallback.py."""
    if not isinstance(value, dict):
        return None
    registered, working = value.get("registered_url"), value.get("working_url") or value.get("suggested_url")
    if not registered or not working:
        return None
    tried = [t for t in value.get("tried") or [] if isinstance(t, dict)]
    reason = f"Alamat terdaftar gagal: {tried[0].get('detail') or tried[0].get('status')}" if tried else ""
    if value.get("mark"):
        reason = f"{reason}; {value['mark']}" if reason else str(value["mark"])
    return RegistryFix(str(registered), str(working), reason)


def _site_view(website: Website, check: SiteCheck | None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "url": website.url,
        "state": website.state,
        "source": website.source,
        "role": website.role,
        "confidence": website.confidence,
        "evidence": website.evidence,
    }
    if check is not None:
        view.update(
            status=check.status,
            label=info(check.status).label,
            detail=check.detail,
            rule=check.rule,
            snippet=check.snippet,
            http_status=check.http_status,
            final_url=check.final_url,
            tls_expires_at=check.tls_expires_at,
            checklist=_checklist(check.signals),
            newest_post=_date(check.signals.get("newest_post")),
            posts_90d=check.signals.get("posts_last_90_days"),
        )
    return view


def _checklist(signals: dict[str, Any]) -> list[tuple[str, bool]]:
    """(label, found) per "used well" item, labels as stored with the signals (see health/usage.py)."""
    found = signals.get("checklist", {})
    labels = signals.get("labels", {})
    return [(labels.get(key, key), bool(evidence)) for key, evidence in found.items()]


CSV_COLUMNS = ["kode", "nama", "jenis", "kecamatan", "situs", "status_situs", "status", "keterangan_status", "berfungsi", "detail"]


def csv_values(row: CoverageRow) -> list[object]:
    """One unit as a CSV row in :data:`CSV_COLUMNS` order (the report's CSV and the web's)."""
    return [
        row.code,
        row.name,
        row.kind,
        row.kecamatan,
        ";".join(row.websites),
        ";".join(row.website_states),
        row.status,
        row.status_label,
        "ya" if row.works else "tidak",
        row.detail,
    ]


def write_csv(coverage: Coverage, path: Path) -> Path:
    """CSV in UTF-8 with BOM so that Excel opens Indonesian names correctly; cells are formula-safe."""
    return cells.write_csv(path, CSV_COLUMNS, (csv_values(row) for row in coverage.rows))


def write_html(coverage: Coverage, path: Path) -> Path:
    """The report, with its script (``laporan.js``) beside it."""
    return write_page(path, "cakupan.html.j2", c=coverage, now=utcnow())


def write_coverage(session: Session, pemda_code: str, out_dir: Path, run_id: int | None = None) -> tuple[Path, Path, Coverage]:
    coverage = build_coverage(session, pemda_code, run_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"cakupan-{pemda_code}"
    return write_html(coverage, out_dir / f"{stem}.html"), write_csv(coverage, out_dir / f"{stem}.csv"), coverage
