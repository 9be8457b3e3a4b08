"""Uptime/latency/certificate/incident figures, hourly rollups that keep uptime exact, the export
dict, the static status page (escaping) and the CLI commands that show them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from test_monitor_support import seed_sites
from typer.testing import CliRunner

from spbe_crawler.cli import app
from spbe_crawler.monitor import sketch
from spbe_crawler.monitor.figures import WINDOWS, monitor_export, monitor_figures
from spbe_crawler.monitor.page import render_status_page
from spbe_crawler.monitor.rollup import rollup_probes
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import Incident, Probe, Unit, Website
from spbe_crawler.store.models_monitor import ProbeRollup

NOW = datetime(2026, 6, 30, 12, 30, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path):
    return get_engine(f"sqlite:///{tmp_path / 'figures.sqlite3'}")


def _history(engine, ids: dict[str, int]) -> None:
    """40 days of probes: the portal every 20 minutes (down 1 in 7), the OPD hourly (down 1 in 4)."""
    rows = []
    for step in range(40 * 72):
        at = NOW - timedelta(minutes=20 * step + 5)
        status = "timeout" if step % 7 == 3 else "ok"
        rows.append(
            Probe(
                website_id=ids["portal"],
                url="u",
                started_at=at,
                status=status,
                total_ms=100 + step % 50,
                tls_expires_at=NOW + timedelta(days=5, hours=2),
                tls_issuer="CA Contoh",
            )
        )
        if step % 3 == 0:
            rows.append(
                Probe(
                    website_id=ids["dinkes"],
                    url="u",
                    started_at=at,
                    status="http_error" if step % 4 == 0 else "ok",
                    total_ms=300.0 + step % 17,
                    tls_expires_at=NOW + timedelta(days=20),
                )
            )
    with Session(engine) as session:
        session.add_all(rows)
        session.add(
            Incident(website_id=ids["portal"], status="timeout", detail="server tidak menjawab", started_at=NOW - timedelta(hours=3))
        )
        session.add(
            Incident(
                website_id=ids["dinkes"],
                status="http_error",
                detail="HTTP 500",
                started_at=NOW - timedelta(days=2),
                ended_at=NOW - timedelta(days=2) + timedelta(minutes=90),
            )
        )
        session.commit()


def _site_ids(engine) -> dict[str, int]:
    return seed_sites(
        engine,
        [
            ("portal", "portal", "https://ppid.bandarlampungkota.go.id/"),
            ("dinkes", "opd", "https://dinkes.bandarlampungkota.go.id/"),
            ("sepi", "kecamatan", "https://sepi.bandarlampungkota.go.id/"),
        ],
    )


def _expected_uptime(engine, website_id: int, since: datetime) -> tuple[int, int]:
    with Session(engine) as session:
        rows = session.exec(select(Probe.status).where(Probe.website_id == website_id, Probe.started_at >= since)).all()
    return sum(s == "ok" for s in rows), len(rows)


def test_uptime_matches_a_direct_count_and_windows_start_on_the_hour(engine) -> None:
    ids = _site_ids(engine)
    _history(engine, ids)
    with Session(engine) as session:
        figures = monitor_figures(session, "18.71", NOW)
    by_id = {s.website_id: s for s in figures.sites}
    for window, span in WINDOWS.items():
        since = (NOW - span).replace(minute=0, second=0, microsecond=0)
        for label in ("portal", "dinkes"):
            uptime = by_id[ids[label]].uptime[window]
            assert (uptime.up, uptime.total) == _expected_uptime(engine, ids[label], since)
    assert by_id[ids["sepi"]].uptime["24h"].percent is None and by_id[ids["sepi"]].last_status is None
    kinds = {k.kind: k for k in figures.kinds}
    assert kinds["opd"].uptime["7d"].total == by_id[ids["dinkes"]].uptime["7d"].total
    assert kinds["kecamatan"].sites == 1


def test_rollup_keeps_uptime_exact_and_latency_within_the_sketch_error(engine) -> None:
    ids = _site_ids(engine)
    _history(engine, ids)
    with Session(engine) as session:
        before = monitor_export(session, "18.71", NOW)
        raw_before = len(session.exec(select(Probe.id)).all())
    first = rollup_probes(engine, retention_days=20, now=NOW)
    second = rollup_probes(engine, retention_days=7, now=NOW)
    assert first.probes > 0 and second.probes > 0
    assert rollup_probes(engine, retention_days=7, now=NOW).probes == 0
    with Session(engine) as session:
        after = monitor_export(session, "18.71", NOW)
        raw_after = len(session.exec(select(Probe.id)).all())
        rollups = session.exec(select(ProbeRollup)).all()
    assert raw_after == raw_before - first.probes - second.probes
    assert sum(r.total for r in rollups) == first.probes + second.probes
    assert all(r.up + r.down == r.total and r.hour.minute == 0 for r in rollups)
    for site_before, site_after in zip(before["sites"], after["sites"], strict=False):
        assert site_after["uptime_percent"] == site_before["uptime_percent"]
        assert site_after["uptime"] == site_before["uptime"]
        assert site_after["p95_ms"] == site_before["p95_ms"]
    assert [k["uptime"] for k in after["kinds"]] == [k["uptime"] for k in before["kinds"]]


@pytest.mark.parametrize("q", [0.5, 0.95, 0.99])
def test_sketch_quantile_is_within_one_percent(q: float) -> None:
    values = [float(v) for v in range(1, 5001, 7)]
    exact = sketch.exact_quantile(values, q)
    estimate = sketch.sketch_quantile(sketch.add({}, values), q)
    assert abs(estimate - exact) / exact <= 0.01
    merged = sketch.merge(sketch.add({}, values[::2]), sketch.add({}, values[1::2]))
    assert sketch.sketch_quantile(merged, q) == estimate


def test_certificates_incidents_and_export(engine) -> None:
    ids = _site_ids(engine)
    _history(engine, ids)
    with Session(engine) as session:
        figures = monitor_figures(session, "18.71", NOW)
        exported = monitor_export(session, "18.71", NOW)
    assert [s.website_id for s in figures.certs_expiring[7]] == [ids["portal"]]
    assert [s.website_id for s in figures.certs_expiring[30]] == [ids["portal"], ids["dinkes"]]
    assert figures.certs_expiring[14][0].cert_days_left == 5
    assert [i.ended_at is None for i in figures.incidents] == [True, False]  # open first
    assert figures.incidents[1].duration_s == 90 * 60
    assert next(s for s in figures.sites if s.website_id == ids["portal"]).open_incident
    text = json.dumps(exported)
    assert exported["certs_expiring"]["7"] == [ids["portal"]]
    assert exported["windows"]["24h"] == "24 jam" and "Kota Bandar Lampung" in text
    p50 = exported["sites"][0]["p50_ms"]["24h"]
    assert 100 <= p50 <= 150


def test_status_page_is_offline_indonesian_and_escaped(engine) -> None:
    ids = _site_ids(engine)
    _history(engine, ids)
    with Session(engine) as session:
        session.add(Unit(code="18.71/jahat", name="<script>alert('unit')</script>", kind="opd", pemda_code="18.71"))
        session.add(Website(unit_code="18.71/jahat", url="javascript:alert(1)", host="jahat", role="portal"))
        incident = session.get(Incident, 1)
        incident.detail = '<img src=x onerror="alert(2)">'
        session.add(incident)
        session.commit()
        html = render_status_page(session, "18.71", NOW)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;unit&#39;)&lt;/script&gt;" in html
    assert "onerror" not in html and "img src=x" not in html  # probe details never reach the public page
    assert 'href="javascript:' not in html and 'href="https://ppid.bandarlampungkota.go.id/"' in html
    assert html.count('aria-label="Ketersediaan harian 30 hari"') == 2  # one chart per portal
    assert "<polyline" in html and "<rect" in html
    assert "Status Ketersediaan Layanan Digital – Kota Bandar Lampung" in html
    assert "masih berlangsung" in html and "5 hari lagi" in html
    assert "<link" not in html and 'src="http' not in html  # no external assets: works offline


def test_cli_status_page_and_rollup(engine, tmp_path, monkeypatch) -> None:
    ids = _site_ids(engine)
    _history(engine, ids)
    monkeypatch.setenv("SPBE_DATABASE_URL", str(engine.url))
    runner = CliRunner()
    status = runner.invoke(app, ["monitor", "status", "--pemda", "18.71"])
    assert status.exit_code == 0, status.output
    assert "Ketersediaan situs" in status.output and "Insiden 30 hari terakhir" in status.output
    page = runner.invoke(app, ["monitor", "page", "--pemda", "18.71", "--out", str(tmp_path / "situs")])
    assert page.exit_code == 0, page.output
    assert "Status Ketersediaan" in (tmp_path / "situs" / "index.html").read_text(encoding="utf-8")
    rolled = runner.invoke(app, ["monitor", "rollup", "--hari", "7"])
    assert rolled.exit_code == 0 and "diringkas" in rolled.output


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "kurang dari 1 menit"),
        (59, "kurang dari 1 menit"),
        (420, "7 menit"),
        (7500, "2 jam 5 menit"),
        (3 * 86400 + 4 * 3600 + 120, "3 hari 4 jam"),
        (86400 + 60, "1 hari 1 menit"),
    ],
)
def test_format_duration(seconds: int, text: str) -> None:
    from spbe_crawler.reports.formatting import format_duration

    assert format_duration(seconds) == text


@pytest.mark.parametrize(("days", "text"), [(None, "–"), (-1, "sudah kedaluwarsa"), (0, "0 hari lagi"), (12, "12 hari lagi")])
def test_cert_label(days: int | None, text: str) -> None:
    from spbe_crawler.reports.formatting import cert_label

    assert cert_label(days) == text
