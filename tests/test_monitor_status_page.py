"""Status page on a par with Uptime Kuma: banner, windows, maintenance, badges, Prometheus metrics."""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session
from test_monitor_support import ZONE, LocalWeb, quick_settings, seed_sites
from typer.testing import CliRunner

from spbe_crawler.cli import app
from spbe_crawler.monitor.alerts import pending_alerts
from spbe_crawler.monitor.badges import badge_files, badge_svg, site_badge, site_by_key
from spbe_crawler.monitor.figures import monitor_figures
from spbe_crawler.monitor.maintenance import add_window
from spbe_crawler.monitor.metrics import prometheus_text
from spbe_crawler.monitor.page import banner, render_status_page
from spbe_crawler.monitor.sweep import run_sweep
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import Incident, Probe, Unit
from spbe_crawler.store.models_monitor import PendingCheck

NOW = datetime(2026, 6, 30, 12, 30, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path):
    return get_engine(f"sqlite:///{tmp_path / 'page.sqlite3'}")


def _probe(website_id: int, at: datetime, status: str = "ok", **extra: object) -> Probe:
    return Probe(website_id=website_id, url="u", started_at=at, status=status, total_ms=extra.pop("total_ms", 120.0), **extra)


def _seed(engine) -> dict[str, int]:
    ids = seed_sites(
        engine,
        [
            ("portal", "portal", "https://layanan.bandarlampungkota.go.id/"),
            ("portal2", "portal", "https://layanan.bandarlampungkota.go.id/perizinan"),
            ("dinkes", "opd", "https://dinkes.bandarlampungkota.go.id/"),
        ],
    )
    rows = []
    for hour in range(30 * 24):
        at = NOW - timedelta(hours=hour, minutes=10)
        # portal: down for 10 hours three days ago and for 40 hours 20 days ago; 24 h / 7 d / 30 d differ
        down = 72 <= hour < 82 or 480 <= hour < 520
        cert = {"tls_expires_at": NOW + timedelta(days=9, hours=3), "tls_issuer": "CA"}
        rows.append(_probe(ids["portal"], at, "timeout" if down else "ok", total_ms=100.0 + hour % 40, **cert))
        rows.append(_probe(ids["portal2"], at, "ok", **cert))
        rows.append(_probe(ids["dinkes"], at, "ok"))
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
    return ids


def _down_now(engine, website_id: int, detail: str = "") -> None:
    with Session(engine) as session:
        session.add(_probe(website_id, NOW - timedelta(minutes=2), "dns_error", detail=detail, total_ms=None))
        session.add(Incident(website_id=website_id, status="dns_error", detail=detail, started_at=NOW - timedelta(minutes=2)))
        session.commit()


def test_uptime_windows_differ_when_the_history_differs(engine) -> None:
    ids = _seed(engine)
    with Session(engine) as session:
        portal = next(s for s in monitor_figures(session, "18.71", NOW).sites if s.website_id == ids["portal"])
        html = render_status_page(session, "18.71", NOW)
    day, week, month = (portal.uptime[w].percent for w in ("24h", "7d", "30d"))
    assert day == 100.0 and week == pytest.approx(100 * (169 - 10) / 169, abs=0.01)  # window starts on the hour
    assert month == pytest.approx(100 * (720 - 50) / 720, abs=0.01)
    assert len({day, week, month}) == 3
    assert "100,00%" in html and "94,08%" in html and "93,06%" in html


def test_banner_badges_and_metrics_for_up_down_and_maintenance(engine) -> None:
    ids = _seed(engine)
    with Session(engine) as session:
        figures = monitor_figures(session, "18.71", NOW)
        assert banner(figures).state == "up" and banner(figures).title == "Semua layanan berfungsi"
        assert "Semua layanan berfungsi" in render_status_page(session, "18.71", NOW)

    _down_now(engine, ids["dinkes"], "nama dinkes.bandarlampungkota.go.id tidak ada (zona privat)")
    with Session(engine) as session:
        figures = monitor_figures(session, "18.71", NOW)
        html = render_status_page(session, "18.71", NOW)
    assert banner(figures).state == "down" and "1 dari 3 situs" in banner(figures).detail
    assert "Sebagian layanan terganggu" in html and "zona privat" not in html
    dinkes = site_by_key(figures, "dinkes.bandarlampungkota.go.id")
    assert dinkes is not None and dinkes.state == "down"
    assert "terganggu" in site_badge(dinkes) and "#c62828" in site_badge(dinkes)

    with Session(engine) as session:
        add_window(session, NOW - timedelta(hours=1), NOW + timedelta(hours=2), website_id=ids["dinkes"], note="ganti server")
        figures = monitor_figures(session, "18.71", NOW)
        html = render_status_page(session, "18.71", NOW)
    dinkes = site_by_key(figures, "dinkes.bandarlampungkota.go.id")
    assert dinkes.state == "maintenance" and banner(figures).state == "maintenance"
    assert "Sebagian layanan dalam pemeliharaan" in html and "ganti server" in html and "Pemeliharaan terjadwal" in html
    assert "pemeliharaan" in site_badge(dinkes) and "#1565c0" in site_badge(dinkes)

    files = badge_files(figures)
    # two websites on one host get two badges; every badge is well-formed SVG
    assert {"badge/layanan.bandarlampungkota.go.id.svg", f"badge/layanan.bandarlampungkota.go.id-{ids['portal2']}.svg"} <= set(files)
    for svg in files.values():
        ET.fromstring(svg)
    metrics = prometheus_text(figures)
    assert re.search(r'^spbe_site_maintenance\{site="dinkes[^}]*\} 1$', metrics, re.M)
    assert re.search(r'^spbe_site_up\{site="dinkes[^}]*\} 0$', metrics, re.M)


def test_a_failure_waiting_for_its_confirmation_is_shown_as_pending_everywhere(engine) -> None:
    """Between a new failure and its confirmation the site is "menunggu konfirmasi": amber banner,
    pill and badge, ``spbe_site_pending`` 1 while ``spbe_site_up`` keeps the last verdict; no
    internal detail reaches the public page; the workspace's CLI table says it too."""
    ids = _seed(engine)
    with Session(engine) as session:
        session.add(
            PendingCheck(
                website_id=ids["dinkes"],
                started_at=NOW - timedelta(minutes=1),
                status="dns_error",
                detail="nama tidak ada (zona privat)",
                due_at=NOW + timedelta(seconds=4),
            )
        )
        session.commit()
        figures = monitor_figures(session, "18.71", NOW)
        html = render_status_page(session, "18.71", NOW)
    dinkes = site_by_key(figures, "dinkes.bandarlampungkota.go.id")
    assert dinkes is not None and dinkes.state == "pending" and dinkes.last_status == "ok"
    assert banner(figures).state == "pending" and banner(figures).title == "Gangguan sedang dikonfirmasi"
    assert "1 situs gagal diakses dan sedang diperiksa ulang" in banner(figures).detail
    assert 'class="pill pending">menunggu konfirmasi' in html and "zona privat" not in html
    assert "menunggu konfirmasi" in site_badge(dinkes) and "#b45309" in site_badge(dinkes)
    metrics = prometheus_text(figures)
    assert re.search(r'^spbe_site_pending\{site="dinkes[^}]*\} 1$', metrics, re.M)
    assert re.search(r'^spbe_site_up\{site="dinkes[^}]*\} 1$', metrics, re.M)  # the last confirmed verdict
    assert re.search(r'^spbe_site_pending\{site="layanan[^}]*\} 0$', metrics, re.M)

    _down_now(engine, ids["portal2"])  # a confirmed outage elsewhere outranks the pending one
    with Session(engine) as session:
        figures = monitor_figures(session, "18.71", NOW)
    assert banner(figures).state == "down" and "sedang diperiksa ulang" in banner(figures).detail


def test_each_certificate_is_listed_once(engine) -> None:
    _seed(engine)
    with Session(engine) as session:
        html = render_status_page(session, "18.71", NOW)
    table = html.split("Sertifikat TLS yang segera kedaluwarsa", 1)[1]
    assert table.count("layanan.bandarlampungkota.go.id<") == 1 and "9 hari lagi" in table


def test_prometheus_text_values_and_escaping(engine) -> None:
    ids = _seed(engine)
    seed_sites(engine, [("aneh", "opd", "https://aneh.bandarlampungkota.go.id/")])
    with Session(engine) as session:
        unit = session.get(Unit, "18.71/aneh")
        unit.name = 'Unit "kutip" \\ garis\nbaru'
        session.add(unit)
        session.commit()
    with Session(engine) as session:
        text = prometheus_text(monitor_figures(session, "18.71", NOW))
    assert text.endswith("\n")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    sample = re.compile(r'^[a-z_]+\{([a-z_]+="([^"\\]|\\.)*",?)+\} -?[0-9.e+-]+$')
    assert all(sample.match(line) for line in lines), [line for line in lines if not sample.match(line)]
    portal = [line for line in lines if 'url="https://layanan.bandarlampungkota.go.id/"' in line]
    values = {
        line.split("{")[0] + (re.search(r'(quantile|window)="([^"]+)"', line) or [""])[0]: float(line.rsplit(" ", 1)[1]) for line in portal
    }
    assert values["spbe_site_up"] == 1 and values["spbe_site_certificate_expiry_days"] == 9
    assert 0.1 <= values['spbe_site_latency_secondsquantile="0.5"'] <= 0.14
    assert values['spbe_site_uptime_ratiowindow="7d"'] == pytest.approx((169 - 10) / 169, abs=1e-5)
    assert 'unit="Unit \\"kutip\\" \\\\ garis\\nbaru"' in text
    assert "# TYPE spbe_site_up gauge" in text and text.count("# HELP spbe_site_up ") == 1
    assert ids


def test_no_down_alert_during_maintenance_until_the_window_ends(engine, web_fixture) -> None:
    web: LocalWeb = web_fixture
    ids = seed_sites(engine, [("rusak", "portal", f"http://error.{ZONE}/")])
    now = datetime.now(UTC)
    with Session(engine) as session:
        add_window(session, now - timedelta(minutes=1), now + timedelta(hours=1), scope="18.71", note="pemeliharaan rutin")
    settings = quick_settings(webhook_url=f"http://127.0.0.1:{web.http_port}/hook")
    web.hook_bodies.clear()
    web.modes["hook"] = 200
    summary = asyncio.run(run_sweep(engine, "18.71", until_confirmed=True, settings=settings, policy=web.policy()))
    assert summary.incidents_opened == 1 and summary.alerts_sent == 0 and web.hook_bodies == []
    assert [a.kind for a in pending_alerts(engine, "18.71", settings, now + timedelta(hours=2))] == ["down"]
    assert ids


@pytest.fixture(scope="module")
def web_fixture(tmp_path_factory: pytest.TempPathFactory):
    with LocalWeb(tmp_path_factory.mktemp("web")) as running:
        yield running


def test_badge_svg_escapes_and_refuses_bad_colors() -> None:
    svg = badge_svg("status", "<b>&", "#2e7d32")
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg
    ET.fromstring(svg)
    with pytest.raises(ValueError):
        badge_svg("a", "b", "red;stroke:url(javascript:x)")


def test_cli_page_writes_badges_and_metrics_textfile(engine, tmp_path, monkeypatch) -> None:
    _seed(engine)
    monkeypatch.setenv("SPBE_DATABASE_URL", str(engine.url))
    runner = CliRunner()
    page = runner.invoke(app, ["monitor", "page", "--pemda", "18.71", "--out", str(tmp_path / "status"), "--segarkan", "60"])
    assert page.exit_code == 0, page.output
    html = (tmp_path / "status" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="60">' in html
    assert (tmp_path / "status" / "badge" / "dinkes.bandarlampungkota.go.id.svg").is_file()
    metrics = runner.invoke(app, ["monitor", "metrics", "--pemda", "18.71", "--out", str(tmp_path / "prom" / "spbe.prom")])
    assert metrics.exit_code == 0, metrics.output
    assert "spbe_site_up{" in (tmp_path / "prom" / "spbe.prom").read_text(encoding="utf-8")
    added = runner.invoke(
        app, ["monitor", "pemeliharaan", "tambah", "--pemda", "18.71", "--mulai", "2030-01-01 22:00", "--selesai", "2030-01-01 23:00"]
    )
    assert added.exit_code == 0 and "22.00 WIB" in added.output, added.output
    listed = runner.invoke(app, ["monitor", "pemeliharaan", "daftar"])
    assert "semua situs 18.71" in listed.output
    wrong = runner.invoke(app, ["monitor", "pemeliharaan", "tambah", "--mulai", "besok", "--selesai", "lusa"])
    assert wrong.exit_code == 2 and "YYYY-MM-DD HH:MM" in wrong.output


def test_a_portal_under_maintenance_says_until_when_in_its_own_sentence(engine) -> None:
    ids = _seed(engine)
    with Session(engine) as session:
        add_window(session, NOW - timedelta(hours=1), NOW + timedelta(hours=2), website_id=ids["portal2"], note="ganti server")
        html = render_status_page(session, "18.71", NOW)
    # After the certificate's date, separated like the other figures of the card (was "2026· Pemeliharaan").
    assert re.search(r"Sertifikat berlaku hingga [^<]*\d · Pemeliharaan hingga 30 Juni 2026 21\.30 WIB", html)
    # The maintenance table's address wraps like every other address of the page (on a phone it
    # pushed the dates out of view).
    assert re.search(r'<td class="url">https://[^<]*/perizinan</td>', html)
