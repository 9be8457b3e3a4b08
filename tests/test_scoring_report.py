"""The HTML report: hostile crawled text escaped, no unsafe links, offline, right figures."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from test_scoring_seed import HOSTILE, PEMDA, Seeded, seeded  # noqa: F401  (fixture)

from spbe_crawler.assessment import AssessmentError, estimate_pemda, record_review
from spbe_crawler.reports.assessment import write_report
from spbe_crawler.reports.templating import safe_url
from spbe_crawler.store.db import session_scope
from spbe_crawler.store.models import Unit


def grouped_view(
    findings: Iterable[Mapping[str, Any]], framework: str = "spbe-2020", indicator_names: Mapping[int, str] | None = None
) -> list[dict[str, Any]]:
    """Test-side stand-in for inventory.view.build_view (same output shape)."""
    groups: dict[int, dict[str, list[Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        for number in f["indicators"].get(framework, []):
            groups[number][f["service"]].append(f)
    return [
        {
            "indicator": n,
            "name": (indicator_names or {}).get(n, str(n)),
            "services": [
                {
                    "service": s,
                    "name": s,
                    "signals": sorted({x for f in fs for x in f["signals"]}),
                    "evidence": [
                        {
                            "finding_id": f["id"],
                            "url": f["url"],
                            "snippet": f["snippet"],
                            "rule_id": f["rule_id"],
                            "kind": f["kind"],
                            "unit_code": f["unit_code"],
                        }
                        for f in fs
                    ],
                    "units": sorted({f["unit_code"] for f in fs}),
                }
                for s, fs in sorted(services.items())
            ],
        }
        for n, services in sorted(groups.items())
    ]


def render(seeded: Seeded, out: Path, builder: Any = grouped_view) -> str:
    with session_scope(seeded.url) as session:
        estimate_pemda(session, PEMDA, "spbe-2020")
        record_review(session, PEMDA, "spbe-2020", 3, 2, "Ani <b>Kepala</b>", "catatan <img src=x onerror=alert(1)>")
        path = write_report(session, PEMDA, out, view_builder=builder)
    assert path == out / f"laporan-{PEMDA}-spbe-2020.html"
    return path.read_text(encoding="utf-8")


def test_hostile_snippet_is_escaped_and_no_unsafe_link(seeded: Seeded, tmp_path: Path) -> None:
    html = render(seeded, tmp_path)
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.findall(r"<script\b[^>]*>", html, re.I) == ['<script src="laporan.js" defer>']  # the one local file, no inline script
    assert (tmp_path / "laporan.js").is_file()
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    assert "javascript:alert(1)" in html  # shown as text, never as a link


def test_report_works_offline(seeded: Seeded, tmp_path: Path) -> None:
    html = render(seeded, tmp_path)
    assert not re.search(r"<(link|img|iframe)\b", html, re.I)
    assert not re.search(r"<script\b(?![^>]*src=\"laporan\.js\")", html, re.I)  # no script but the local file
    assert "<svg" in html and "<style>" in html
    assert html.startswith("<!doctype html>") and '<html lang="id">' in html


def test_report_figures_coverage_and_priorities(seeded: Seeded, tmp_path: Path) -> None:
    html = render(seeded, tmp_path)
    assert "KOTA BANDAR LAMPUNG (18.71)" in html
    assert "Nilai sementara, belum lengkap." in html  # most indicators have no value yet
    assert "Nilai per Domain" in html and "Nilai per Aspek" in html
    # coverage: Teluk Betung Barat 1 of 3 kelurahan working (ok; stale counts too -> 2), Selatan 0 of 2
    barat = html[html.index("Teluk Betung Barat") :]
    assert re.search(r"2 / 3", barat[:600])
    selatan = html[html.index("Teluk Betung Selatan") :]
    assert "Diretas: konten judi online" in selatan[:600]
    assert re.search(r"0 / 2 <span class=\"muted\">\(1 belum diperiksa\)", selatan[:800])
    # fix first: the heaviest estimated indicators (sector services, weight 3.0) lead
    fix = html[html.index("Yang perlu diperbaiki</h2>") : html.index("Cakupan situs web unit")]
    first_row = re.search(r"<strong>(\d+)\. ", fix)
    # (42 is at level 3: SP4N-LAPOR! is a national application in use; 44 JDIH at level 2 leads)
    assert first_row and first_row.group(1) == "44"
    assert "+0,030" in fix
    # the reviewer's markup is escaped too
    assert "Ani <b>" not in html


def test_report_without_any_survey_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kosong.sqlite3'}"
    with session_scope(url) as session, pytest.raises(AssessmentError, match="tidak ada di registri"):
        write_report(session, PEMDA, tmp_path, view_builder=grouped_view)
    with session_scope(url) as session:
        session.add(Unit(code=PEMDA, name="KOTA BANDAR LAMPUNG", kind="pemda", pemda_code=PEMDA))
    with session_scope(url) as session, pytest.raises(AssessmentError, match="Belum ada survei yang selesai untuk pemda 18.71"):
        write_report(session, PEMDA, tmp_path, view_builder=grouped_view)
    assert not list(tmp_path.glob("laporan-*.html"))


def test_report_with_the_real_inventory_view(seeded: Seeded, tmp_path: Path) -> None:
    view = pytest.importorskip("inventory.view")
    html = render(seeded, tmp_path, builder=None)
    assert view.build_view is not None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and HOSTILE not in html


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://a.go.id/x", "https://a.go.id/x"),
        ("http://a.go.id", "http://a.go.id"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,x", None),
        ("//evil.example", None),
        ("http://[::1", None),
        (None, None),
    ],
)
def test_safe_url(url: object, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_report_shows_service_changes_since_the_previous_survey(seeded: Seeded, tmp_path: Path) -> None:
    html = render(seeded, tmp_path)
    section = html.split("Perubahan layanan sejak survei sebelumnya", 1)[1].split("<h2>", 1)[0]
    assert f"survei #{seeded.old_run}" in section
    assert "Layanan baru:</strong> dukcapil, jdih, lapor, perizinan" in section
    assert "Tidak ditemukan lagi:</strong> satu_data" in section
    assert "<strong>spse</strong>: sinyal bertambah informasi, interaksi, transaksi" in section
