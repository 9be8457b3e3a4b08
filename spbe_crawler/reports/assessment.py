"""The HTML assessment report of one pemda: index and predikat, domain/aspect bars, what to fix
first (who, which indicator, which evidence is missing), coverage of units with working websites,
the service inventory, and the evidence links.

Works offline (inline CSS and SVG, no CDN; its small filter script is a file beside it). Crawled
text (snippets, URLs) is untrusted: the shared environment autoescapes everything, and only
http(s) URLs become links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session

from scoring.aggregate import Figure, predikat
from scoring.framework import Framework
from scoring.priorities import ServiceFacts, next_steps
from scoring.rationale import readable
from scoring.review import SOURCE_LABELS, disagreements
from spbe_crawler.assessment.catalog import DEFAULT_FRAMEWORK, get_rubric
from spbe_crawler.assessment.errors import AssessmentError
from spbe_crawler.assessment.runs import finding_dict, pemda_name
from spbe_crawler.assessment.summary import Assessment, indicator_rows, load_assessment
from spbe_crawler.reports.coverage import build_coverage
from spbe_crawler.reports.owners import EvidenceRow, service_facts
from spbe_crawler.reports.templating import safe_url, write_page
from spbe_crawler.store.assessment_queries import findings_by_id, findings_of, latest_survey_run, previous_finished_run, run_by_id
from spbe_crawler.store.models import CrawlRun, Finding, utcnow
from spbe_crawler.store.registry_queries import unit_exists, units_by_code, units_of_kind
from spbe_crawler.vocab import UnitKind

ViewBuilder = Callable[..., list[dict[str, Any]]]
MAX_LINKS = 5
__all__ = ["safe_url", "write_report", "build_context"]


def _hue(framework: Framework, value: Decimal | None) -> int:
    """Red (worst predikat) to green (best), by the band's position: works for any framework."""
    if value is None:
        return 210
    name = predikat(framework, value)
    names = [b.name for b in framework.bands]
    pos = names.index(name) if name in names else 0
    return round(120 * pos / max(1, len(names) - 1))


def _pct(framework: Framework, value: Decimal | None) -> float:
    return 0.0 if value is None else float(round(value * 100 / framework.scale_max, 2))


def figure_view(framework: Framework, fig: Figure) -> dict[str, Any]:
    shown = fig.value if fig.value is not None else fig.known
    return {
        "complete": fig.complete,
        "value": fig.value,
        "known": fig.known,
        "low": fig.low,
        "high": fig.high,
        "share": fig.known_share * 100,
        "predikat": predikat(framework, fig.value) if fig.value is not None else None,
        "low_predikat": predikat(framework, fig.low),
        "high_predikat": predikat(framework, fig.high),
        "hue": _hue(framework, shown),
        "pct": _pct(framework, shown),
        "low_pct": _pct(framework, fig.low),
        "high_pct": _pct(framework, fig.high),
    }


def _bars(a: Assessment) -> list[dict[str, Any]]:
    return [
        {
            "label": lvl.label,
            "groups": [
                {"number": g.group.number, "name": g.group.name, "weight": g.group.weight, **figure_view(a.framework, g.figure)}
                for g in a.result.groups[lvl.key]
            ],
        }
        for lvl in a.framework.levels
    ]


def _indicator_rows(a: Assessment, findings: Mapping[int, Finding]) -> list[dict[str, Any]]:
    """The summary's indicator rows, with up to MAX_LINKS evidence links each; the rationale names
    pages instead of internal finding ids."""
    rows = indicator_rows(a)
    for row in rows:
        linked = [findings[i] for i in row["finding_ids"] if i in findings][:MAX_LINKS]
        row["number"] = row["indicator"]
        row["rationale"] = readable(row["rationale"], {i: f.url for i, f in findings.items()})
        row["links"] = [{"id": f.id, "url": f.url, "href": safe_url(f.url), "snippet": f.snippet} for f in linked]
    return rows


def _services(session: Session, a: Assessment, findings: Mapping[int, Finding]) -> dict[int, ServiceFacts]:
    """The service and owning OPD behind each estimated indicator."""
    unit_codes = {f.unit_code for f in findings.values()}
    units = units_by_code(session, unit_codes)
    opds = [u.name for u in units_of_kind(session, a.pemda_code, UnitKind.OPD)]
    evidence: dict[int, list[EvidenceRow]] = {}
    for number, score in a.scores.items():
        rows = []
        for finding_id in score.finding_ids or []:
            f = findings.get(finding_id)
            if f is not None:
                unit = units.get(f.unit_code)
                rows.append(EvidenceRow(f.service, f.unit_code, unit.kind if unit else "", unit.name if unit else f.unit_code))
        evidence[number] = rows
    return service_facts(evidence, opds)


def _run_for(session: Session, a: Assessment) -> CrawlRun | None:
    run_ids = {s.run_id for s in a.scores.values() if s.run_id is not None}
    if run_ids:
        return run_by_id(session, max(run_ids))
    return latest_survey_run(session, a.pemda_code)


def _inventory(builder: ViewBuilder | None, findings: Iterable[Finding], fw: Framework) -> list[dict[str, Any]] | None:
    if builder is None:
        try:
            from inventory.view import build_view
        except ImportError:
            return None
        builder = build_view
    names = {n: i.name for n, i in fw.indicators.items()}
    return builder([finding_dict(f) for f in findings], framework=fw.id, indicator_names=names)


def _changes(session: Session, pemda_code: str, run: CrawlRun | None, findings: list[Finding]) -> dict[str, Any] | None:
    """Services that appeared, disappeared or changed signals since the previous finished survey."""
    if run is None or run.id is None:
        return None
    previous = previous_finished_run(session, run)
    if previous is None or previous.id is None:
        return None
    from inventory.history import diff

    before = [finding_dict(f) for f in findings_of(session, pemda_code, previous.id)]
    return {"previous": previous, **diff(before, [finding_dict(f) for f in findings])}


def build_context(
    session: Session, pemda_code: str, framework_id: str = DEFAULT_FRAMEWORK, view_builder: ViewBuilder | None = None
) -> dict[str, Any]:
    """Everything the report shows; :class:`AssessmentError` when there is nothing to report on."""
    if not unit_exists(session, pemda_code):
        raise AssessmentError(f"Pemda {pemda_code} tidak ada di registri; muat dulu dengan: spbe registry load --pemda {pemda_code}")
    a = load_assessment(session, pemda_code, framework_id)
    fw = a.framework
    run = _run_for(session, a)
    if run is None and not a.scores and not a.reviews:
        raise AssessmentError(f"Belum ada survei yang selesai untuk pemda {pemda_code}; jalankan dulu: spbe run --pemda {pemda_code}")
    findings = findings_of(session, pemda_code, run.id) if run and run.id is not None else []
    wanted = {i for s in a.scores.values() for i in (s.finding_ids or [])}
    by_id = {f.id: f for f in findings if f.id is not None}
    missing = wanted - set(by_id)
    if missing:
        by_id.update({f.id: f for f in findings_by_id(session, missing) if f.id is not None})
    try:
        rubric = get_rubric(fw.id)
    except AssessmentError:
        rubric = None
    steps = next_steps(fw, a.levels, rubric, _services(session, a, by_id), limit=None)
    cover = build_coverage(session, pemda_code, run.id if run else None) if run else None
    return {
        "fw": fw,
        "pemda_code": pemda_code,
        "pemda_name": pemda_name(session, pemda_code),
        "run": run,
        "now": utcnow(),
        "index": figure_view(fw, a.result.index),
        "bars": _bars(a),
        "indicators": _indicator_rows(a, by_id),
        "unknown": sum(1 for level, _ in a.effective.values() if level is None),
        "counts": {key: sum(1 for _, s in a.effective.values() if s == key) for key in SOURCE_LABELS},
        "steps": [s for s in steps if s.crawlable],
        "document_steps": [s for s in steps if not s.crawlable],
        "coverage": cover,
        "inventory": _inventory(view_builder, findings, fw),
        "changes": _changes(session, pemda_code, run, findings),
        "disagreements": disagreements(a.reviews),
    }


def write_report(
    session: Session,
    pemda_code: str,
    out_dir: Path | str,
    framework_id: str = DEFAULT_FRAMEWORK,
    view_builder: ViewBuilder | None = None,
) -> Path:
    """Render the report to ``out_dir/laporan-<pemda>-<framework>.html`` and return its path."""
    context = build_context(session, pemda_code, framework_id, view_builder)
    path = Path(out_dir) / f"laporan-{pemda_code}-{context['fw'].id}.html"
    return write_page(path, "penilaian.html.j2", **context)
