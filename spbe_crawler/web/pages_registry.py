"""Discovery decisions (confirm / reject a found website) and the live monitoring page."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response

from spbe_crawler.health.status import works
from spbe_crawler.monitor.figures import CERT_DAYS, WINDOW_LABELS
from spbe_crawler.monitor.page import CHART_H, LINE_H, portal_charts
from spbe_crawler.registry.decisions import decide_website
from spbe_crawler.registry.results import RegistryError
from spbe_crawler.reports.coverage import build_coverage
from spbe_crawler.reports.formatting import format_duration
from spbe_crawler.store.models import Unit
from spbe_crawler.store.models_web import WebRole
from spbe_crawler.vocab import WebsiteRole
from spbe_crawler.web.core import Ctx, redirect, view
from spbe_crawler.web.pages_assessment import reviewer_name


@view()
def discovery_page(ctx: Ctx) -> Response:
    pemda = ctx.pemda()
    coverage = build_coverage(ctx.db, pemda.code)
    names = {row.code: row.name for row in coverage.rows}
    candidates = [{"candidate": c, "units": [(code, names.get(code, code)) for code in c.unit_codes]} for c in coverage.candidates]
    return ctx.render("discovery.html.j2", pemda=pemda, discovered=coverage.discovered(), candidates=candidates, run=coverage.run)


@view(WebRole.ADMIN)
def discovery_submit(ctx: Ctx) -> Response:
    pemda = ctx.pemda()
    unit_code, url, decision = ctx.field("unit"), ctx.field("url"), ctx.field("keputusan")
    if decision not in ("konfirmasi", "tolak"):
        raise HTTPException(400, "Keputusan harus konfirmasi atau tolak.")
    unit = ctx.db.get(Unit, unit_code)
    if unit is None or pemda.code not in (unit.code, unit.pemda_code):
        raise HTTPException(404, f"Unit {unit_code} tidak ada pada pemda ini.")
    assert ctx.user is not None
    try:
        website = decide_website(ctx.db, unit_code, url, decision == "konfirmasi", reviewer_name(ctx.user))
    except RegistryError as exc:
        ctx.flash(str(exc), "error")
    else:
        verb = "dikonfirmasi" if decision == "konfirmasi" else "ditolak"
        ctx.flash(f"{website.url} untuk {unit.name}: {verb}.")
    return redirect(f"/pemda/{pemda.code}/penemuan")


@view()
def monitoring_page(ctx: Ctx) -> Response:
    from spbe_crawler.monitor.figures import monitor_figures

    pemda = ctx.pemda()
    figures = monitor_figures(ctx.db, pemda.code)
    probed = [s for s in figures.sites if s.last_status is not None or s.pending_since is not None]
    down = [s for s in probed if s.open_incident or not works(s.last_status or "ok")]
    pending = [s for s in probed if s.pending_since is not None]
    portals_down = [s for s in down if s.role == WebsiteRole.PORTAL]
    if not probed:
        banner = ("none", "Belum ada data pemantauan. Jalankan: spbe monitor run --pemda " + pemda.code)
    elif portals_down:
        banner = ("bad", f"Gangguan: {len(portals_down)} portal layanan tidak berfungsi")
    elif down:
        banner = ("warn", f"Semua portal layanan berfungsi; {len(down)} situs unit bermasalah")
    elif pending:
        banner = ("warn", f"{len(pending)} situs gagal diakses dan sedang diperiksa ulang (menunggu konfirmasi)")
    else:
        banner = ("ok", "Semua situs yang dipantau berfungsi")
    return ctx.render(
        "monitoring.html.j2",
        pemda=pemda,
        f=figures,
        banner=banner,
        charts=portal_charts(ctx.db, figures),
        windows=WINDOW_LABELS,
        cert_days=CERT_DAYS,
        units=sorted((s for s in figures.sites if s.role != WebsiteRole.PORTAL), key=lambda s: (s not in down, s not in pending)),
        down=down,
        bar_h=CHART_H,
        line_h=LINE_H,
        duration=format_duration,
    )
