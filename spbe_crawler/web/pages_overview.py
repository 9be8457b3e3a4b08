"""The pemda overview and the site detail page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.responses import Response

from inventory.engine import load_catalog
from scoring.review import SOURCE_LABELS
from spbe_crawler.assessment.errors import AssessmentError
from spbe_crawler.assessment.summary import load_assessment
from spbe_crawler.monitor.figures import WINDOW_LABELS, daily_uptime, monitor_figures
from spbe_crawler.registry.scope import websites_of
from spbe_crawler.reports.actions import group_counts
from spbe_crawler.reports.assessment import figure_view
from spbe_crawler.reports.coverage import _site_view, build_coverage
from spbe_crawler.reports.formatting import cert_label
from spbe_crawler.store import web_queries as q
from spbe_crawler.web.core import Ctx, status_tone, view


def index_card(ctx: Ctx, pemda_code: str) -> dict | None:
    """The index figure (with its provisional range) and where the levels come from."""
    try:
        a = load_assessment(ctx.db, pemda_code, ctx.settings.framework)
    except AssessmentError:
        return None
    counts = {key: sum(1 for _, s in a.effective.values() if s == key) for key in SOURCE_LABELS}
    return {"fw": a.framework, "index": figure_view(a.framework, a.result.index), "counts": counts, "total": len(a.effective)}


GROUP_TONES = {"diretas": "hacked", "tls": "bad", "mati": "bad", "bawaan": "bad", "basi": "warn"}
SHOWN_ACTIONS = 50


@view()
def overview_page(ctx: Ctx) -> Response:
    pemda = ctx.pemda()
    coverage = build_coverage(ctx.db, pemda.code)
    site_ids = {(w.unit_code, w.url): w.id for ws in websites_of(ctx.db, [r.code for r in coverage.rows]).values() for w in ws}
    return ctx.render(
        "overview.html.j2",
        pemda=pemda,
        coverage=coverage,
        summary=coverage.summary(),
        card=index_card(ctx, pemda.code),
        actions=coverage.actions[:SHOWN_ACTIONS],
        more_actions=max(0, len(coverage.actions) - SHOWN_ACTIONS),
        action_groups=group_counts(coverage.actions),
        group_tones=GROUP_TONES,
        site_ids=site_ids,
    )


@dataclass
class HistoryBar:
    x: int
    height: int
    tone: str
    title: str


def history_bars(ctx: Ctx, checks: list, days: list) -> tuple[list[HistoryBar], list[HistoryBar]]:
    """Bars of the small chart: one per survey (colour = status) and one per day of probes (height = uptime)."""
    surveys = [
        HistoryBar(i * 14, 30, status_tone(check.status), f"Survei #{run.id} {ctx.when(check.checked_at)}: {check.status}")
        for i, (check, run) in enumerate(checks)
    ]
    probes = []
    for i, (day, percent) in enumerate(days):
        tone = "none" if percent is None else ("ok" if percent >= 99 else "warn" if percent >= 95 else "bad")
        label = "tidak ada probe" if percent is None else f"uptime {percent:.1f}%".replace(".", ",")
        probes.append(HistoryBar(i * 10, 30 if percent is None else max(2, round(30 * percent / 100)), tone, f"{day:%d-%m-%Y}: {label}"))
    return surveys, probes


@view()
def site_page(ctx: Ctx) -> Response:
    pemda = ctx.pemda()
    found = q.website_with_unit(ctx.db, int(ctx.request.path_params["website_id"]))
    if found is None or pemda.code not in (found[1].code, found[1].pemda_code):
        raise HTTPException(404, "Situs tidak ada pada pemda ini.")
    website, unit = found
    checks = q.site_history(ctx.db, int(website.id or 0))
    latest = checks[-1][0] if checks else None
    figures = monitor_figures(ctx.db, pemda.code)
    site_figures = next((s for s in figures.sites if s.website_id == website.id), None)
    days = daily_uptime(ctx.db, int(website.id or 0), figures.generated_at) if q.probe_count(ctx.db, int(website.id or 0)) else []
    survey_bars, probe_bars = history_bars(ctx, checks, days)
    findings = q.website_findings(ctx.db, int(website.id or 0), latest.run_id) if latest else []
    services = defaultdict(list)
    names = load_catalog().services
    for finding in findings:
        services[names.get(finding.service, finding.service)].append(finding)
    return ctx.render(
        "site.html.j2",
        pemda=pemda,
        website=website,
        unit=unit,
        checks=checks,
        latest=latest,
        view=_site_view(website, latest),
        survey_bars=survey_bars,
        probe_bars=probe_bars,
        services=sorted(services.items()),
        fig=site_figures,
        windows=WINDOW_LABELS,
        cert_label=cert_label,
        probes=q.recent_probes(ctx.db, int(website.id or 0), 10),
    )
