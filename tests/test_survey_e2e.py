"""End to end: `spbe run` over the offline demo web (real Scrapy crawl, real HTTP and TLS on 127.0.0.1)."""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from types import SimpleNamespace
from urllib.parse import urlsplit

import jsonschema
import pytest
from sqlmodel import func, select
from survey_support import cli_env, prepare_registry, session_for, spbe

from spbe_crawler.config import PROJECT_ROOT
from spbe_crawler.demo import fidelity
from spbe_crawler.health.status import Status
from spbe_crawler.store.models import CrawlRun, DiscoveryCandidate, Finding, Page, Score, SiteCheck, Unit, UnitOutcome, Website

# Every status of the health taxonomy the demo web has a site for (issue #3).
DEMO_STATUSES = {
    "ok",
    "stale",
    "dns_error",
    "connect_refused",
    "timeout",
    "tls_error",
    "http_error",
    "redirect_loop",
    "redirect_to_parent",
    "blocked",
    "robots_disallowed",
    "default_page",
    "directory_listing",
    "hosting_suspended",
    "domain_suspended",
    "parked",
    "under_construction",
    "empty",
    "hacked_gambling",
    "hacked_cloaked",
    "defaced",
}


@pytest.fixture(scope="module")
def surveyed(demo_web, tmp_path_factory):
    home = tmp_path_factory.mktemp("survey-home")
    env = cli_env({**os.environ, **demo_web.env}, home)
    prepare_registry(env, demo_web.registry_csv)
    result = spbe(["run", "--pemda", "18.71"], {**env, "SPBE_PROGRESS": "1", "COLUMNS": "200"})
    return SimpleNamespace(home=home, env=env, output=result.stdout, manifest=demo_web.manifest, bands=demo_web.bands)


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _planned(manifest: dict) -> dict:
    """Manifest entries by the host the registry holds (a messy entry's registered URL, else the site's)."""
    return {**manifest, **{_host(e["registered_url"]): e for e in manifest.values() if e.get("registered_url")}}


def test_every_site_gets_the_status_the_demo_plans(surveyed) -> None:
    with session_for(surveyed.home) as session:
        checks = session.exec(select(SiteCheck)).all()
    planned = _planned(surveyed.manifest)
    mismatches = [
        (c.url, planned.get(_host(c.url), {}).get("expected_status"), c.status, c.detail)
        for c in checks
        if planned.get(_host(c.url), {}).get("expected_status") != c.status
    ]
    assert not mismatches
    assert {c.status for c in checks} >= DEMO_STATUSES


def test_messy_registry_entries_find_the_working_site(surveyed) -> None:
    """Stale deep link -> root, https on an http-only host -> http, www.<host> -> the bare name (issue #9)."""
    with session_for(surveyed.home) as session:
        checks = {_host(c.url): c for c in session.exec(select(SiteCheck)).all()}
    messy = {h: e for h, e in surveyed.manifest.items() if e.get("fallback")}
    assert {e["fallback"] for e in messy.values()} == {"root", "http", "www"}
    for host, entry in messy.items():
        check = checks[_host(entry.get("registered_url") or entry["url"])]
        assert check.status == entry["expected_status"] == "ok", (host, check.detail)
        fix = check.signals["registry_fix"]
        assert _host(fix["working_url"]) == host and "perbaiki alamat di registri" in check.detail
        if entry["fallback"] == "root":
            assert fix["tried"][0]["http_status"] == 404 and urlsplit(fix["working_url"]).path == "/"
        if entry["fallback"] == "http":
            assert fix["working_url"].startswith("http://") and check.signals["marks"] == ["tanpa HTTPS"]
            assert fix["tried"][0]["status"] == "connect_refused"
        if entry["fallback"] == "www":
            assert fix["tried"][0]["status"] == "dns_error"
    redirected = [h for h, e in surveyed.manifest.items() if e["behaviour"] == "https_redirect"]
    assert redirected
    for host in redirected:  # registered as http://, the host sends it to https://: simply followed
        assert checks[host].status == "ok" and "registry_fix" not in checks[host].signals
        assert (checks[host].final_url or "").startswith("https://")


def test_each_status_carries_its_evidence(surveyed) -> None:
    with session_for(surveyed.home) as session:
        checks = {c.status: c for c in session.exec(select(SiteCheck)).all()}
    assert any(word in checks["tls_error"].detail for word in ("kedaluwarsa", "self-signed", "nama host"))
    assert checks["http_error"].http_status and checks["http_error"].http_status >= 400
    assert checks["redirect_loop"].detail.count("→") >= 2
    assert checks["hacked_gambling"].rule and checks["hacked_gambling"].snippet
    assert checks["default_page"].rule
    assert "Konten terbaru" in checks["stale"].detail


def test_tls_errors_name_the_certificate_problem(surveyed) -> None:
    with session_for(surveyed.home) as session:
        tls = session.exec(select(SiteCheck).where(SiteCheck.status == "tls_error")).all()
    details = " | ".join(c.detail for c in tls)
    assert "kedaluwarsa" in details and "self-signed" in details and "nama host tidak cocok" in details
    assert all(c.tls_expires_at is not None and c.tls_issuer for c in tls)


def test_every_unit_has_exactly_one_outcome(surveyed) -> None:
    with session_for(surveyed.home) as session:
        run = session.exec(select(CrawlRun)).one()
        outcomes = session.exec(select(UnitOutcome).where(UnitOutcome.run_id == run.id)).all()
        units = {u.code: u for u in session.exec(select(Unit).where(Unit.pemda_code == "18.71")).all()}
    assert run.state == "finished"
    assert len(outcomes) == len({o.unit_code for o in outcomes})
    kinds = Counter(units[o.unit_code].kind for o in outcomes)
    assert kinds == {"pemda": 1, "opd": 39, "kecamatan": 20, "kelurahan": 126}
    assert all(o.status in Status._value2member_map_ for o in outcomes)
    assert any(o.status == "no_website" for o in outcomes)


def test_discovery_finds_linked_and_guessable_sites_and_lists_ambiguous_ones(surveyed) -> None:
    with session_for(surveyed.home) as session:
        discovered = {_host(w.url): w for w in session.exec(select(Website).where(Website.state == "discovered")).all()}
        candidates = {c.host: c for c in session.exec(select(DiscoveryCandidate)).all()}
    for host, plan in surveyed.manifest.items():
        if plan.get("unit_code") and plan["how_found"] in ("linked", "guessable"):
            assert host in discovered, f"{host} ({plan['how_found']}) tidak ditemukan"
            # A service portal's operating OPD cannot be read off a link: it is filed under the pemda.
            owner = "18.71" if discovered[host].role == "portal" else plan["unit_code"]
            assert discovered[host].unit_code == owner
            assert discovered[host].evidence and 0 < discovered[host].confidence <= 1
        if plan.get("unit_code") and plan["how_found"] == "ambiguous":
            assert host in candidates and len(candidates[host].unit_codes) == 2
            assert plan["unit_code"] in candidates[host].unit_codes
    # A unit left without a site says which host names were tried for it (issue #9).
    with session_for(surveyed.home) as session:
        no_site = session.exec(select(UnitOutcome).where(UnitOutcome.status == "no_website")).all()
    kelurahan_without = [o for o in no_site if o.unit_code.count(".") == 3]
    assert kelurahan_without and all("dicoba" in o.detail and "bandarlampungkota.go.id" in o.detail for o in kelurahan_without)
    assert {h for h, w in discovered.items() if w.role == "unit"} <= {
        h for h, p in surveyed.manifest.items() if p["how_found"] in ("linked", "guessable", "ambiguous")
    }


def test_declared_websites_keep_their_state_and_service_portals_are_recognised(surveyed) -> None:
    with session_for(surveyed.home) as session:
        declared = {_host(w.url): w for w in session.exec(select(Website).where(Website.state == "declared")).all()}
    assert declared and all(w.confidence == 1.0 and w.source for w in declared.values())
    # jdih. and lpse. are declared as OPD sites in data/opd/18.71.csv; their own pages show the service
    assert declared["jdih.bandarlampungkota.go.id"].role == "portal"
    assert declared["lpse.bandarlampungkota.go.id"].role == "portal"
    assert declared["kec-kedaton.bandarlampungkota.go.id"].role == "unit"


def test_coverage_report_lists_every_unit_with_a_status(surveyed) -> None:
    reports = surveyed.home / "reports"
    with (reports / "cakupan-18.71.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert Counter(r["jenis"] for r in rows) == {"pemda": 1, "opd": 39, "kecamatan": 20, "kelurahan": 126}
    assert all(r["status"] for r in rows)
    assert sum(r["status"] == "no_website" for r in rows) > 0
    html = (reports / "cakupan-18.71.html").read_text(encoding="utf-8")
    assert "dari 126 kelurahan memiliki situs yang berfungsi" in html
    assert html.count("<script") == 1  # ours; crawled hostile content is escaped, never embedded
    assert "laporan-18.71-spbe-2020.html" in surveyed.output.replace("\n", "")
    assert "Survei situs" in surveyed.output  # the progress bar (forced on: no terminal in tests)


def test_every_unit_gets_the_working_verdict_the_demo_plans(surveyed) -> None:
    """Issue #9: working / not working per unit, over every unit of the pemda (fidelity.verdicts)."""
    with session_for(surveyed.home) as session:
        verdicts = fidelity.verdicts(session, "18.71", surveyed.manifest)
        recall, precision = fidelity.discovery(session, surveyed.manifest)
    assert verdicts.total == 186 and verdicts.misses == []
    assert recall.total >= 15 and recall.misses == [] and precision.misses == []
    assert "Penemuan situs" in surveyed.output  # the discovery phase shows its progress
    assert "belum punya situs yang diketahui" in surveyed.output  # said up front, with the lookup budget


def test_national_applications_are_estimated_at_their_level_with_the_proof_to_see(surveyed) -> None:
    """Issue #9: SIPD, SPSE, SIASN, SRIKANDI, e-Kinerja and SP4N-LAPOR! in use -> their level, lower confidence."""
    with session_for(surveyed.home) as session:
        scores = {s.indicator: s for s in session.exec(select(Score).where(Score.framework == "spbe-2020")).all()}
        within = fidelity.bands(session, "18.71", surveyed.bands)
    for indicator in (33, 34, 35, 36, 37, 41, 42):
        score = scores[indicator]
        assert score.level == 3 and 0 < score.confidence <= 0.5, (indicator, score.level, score.confidence)
        assert "aplikasi nasional" in score.rationale and "Bukti pemakaian yang perlu dilihat penilai" in score.rationale
    assert within.value >= 0.9, within.misses


def test_news_contact_and_profile_pages_are_not_evidence(surveyed) -> None:
    """Issue #9: the news-heavy OPD sites name services in many posts; none of that is evidence."""
    with session_for(surveyed.home) as session:
        findings = session.exec(select(Finding)).all()
        evidence = fidelity.evidence(session, "18.71", surveyed.manifest, "spbe-2020")
    news_like = [f.url for f in findings if re.search(r"/(berita|kontak|profil)(/|$)", urlsplit(f.url).path)]
    assert news_like == []
    # a page found by its own content is evidence, even when a menu named it first
    assert not [f.url for f in findings if f.kind == "menu" and set(f.signals) - {"informasi"}]
    # a generic OPD site whose news names SRIKANDI, SIPD, LAPOR! ...: no evidence for any indicator
    dkp = [f for f in findings if _host(f.url).startswith("dkp.") and f.kind != "menu" and f.indicators.get("spbe-2020")]
    assert dkp == []
    assert evidence.value >= 0.8, evidence.misses


def test_pages_store_what_the_issue_names(surveyed) -> None:
    with session_for(surveyed.home) as session:
        pages = session.exec(select(Page)).all()
    assert len(pages) > 200
    assert len({(p.run_id, p.url) for p in pages}) == len(pages)
    sample = next(p for p in pages if p.published_dates and p.links)
    assert sample.title and sample.content_hash and sample.size > 0 and sample.language
    assert all(p.size <= 5 * 1024 * 1024 for p in pages)
    assert any(p.url.endswith("/api/3/action/package_search?rows=0") for p in pages)  # the CKAN active check is recorded


def test_crawler_traps_and_hostile_pages_are_bounded(surveyed) -> None:
    """The trap hosts (calendar, session ids, long URLs, redirect chain, gzip bomb, 50 MB page, bad
    charsets, malformed HTML) still end `ok`, with a bounded number of pages of bounded size."""
    trap_hosts = {h for h, plan in surveyed.manifest.items() if plan.get("traps")}
    assert len(trap_hosts) >= 2
    with session_for(surveyed.home) as session:
        pages = session.exec(select(Page)).all()
        checks = {_host(c.url): c for c in session.exec(select(SiteCheck)).all()}
    for host in trap_hosts:
        assert checks[host].status == "ok"
        site_pages = [p for p in pages if _host(p.url) == host]
        assert 1 <= len(site_pages) <= 15 + 1
        assert all(len(p.url) <= 400 for p in site_pages)
        assert sum("/agenda" in p.url for p in site_pages) <= 3
        assert sum("jsessionid" in p.url.lower() for p in site_pages) == 0
        assert all(p.size <= 5 * 1024 * 1024 for p in site_pages)
    traps = {t["name"]: t["url"] for host in trap_hosts for t in surveyed.manifest[host]["traps"]}
    stored = {p.url: p for p in pages}
    for name in ("wrong_charset", "no_charset", "malformed_html"):
        if traps[name] in stored:
            assert stored[traps[name]].title, name
    assert traps["gzip_bomb"] not in stored and traps["huge_page"] not in stored


def test_rerun_creates_a_new_run_and_duplicates_no_registry_rows(surveyed) -> None:
    with session_for(surveyed.home) as session:
        before = (session.exec(select(func.count()).select_from(Website)).one(), session.exec(select(func.count()).select_from(Unit)).one())
    # The second run only needs each site's verdict: homepages only, no cloaking check (much faster).
    spbe(["run", "--pemda", "18.71"], {**surveyed.env, "SPBE_SITE_MAX_DEPTH": "0", "SPBE_CLOAK_CHECK": "0"})
    with session_for(surveyed.home) as session:
        after = (session.exec(select(func.count()).select_from(Website)).one(), session.exec(select(func.count()).select_from(Unit)).one())
        runs = session.exec(select(CrawlRun)).all()
        per_run = Counter(c.run_id for c in session.exec(select(SiteCheck)).all())
    assert after == before
    assert len(runs) == 2 and all(r.state == "finished" for r in runs)
    assert per_run[runs[0].id] == per_run[runs[1].id]


def test_export_json_follows_the_documented_schema(surveyed) -> None:
    out = surveyed.home / "ekspor.json"
    spbe(["export", "--pemda", "18.71", "--format", "json", "--out", str(out)], surveyed.env)
    data = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((PROJECT_ROOT / "docs" / "export.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert len(data["units"]) == 186 and data["survey"]["site_checks"] and data["findings"]
    assert data["assessment"] and data["assessment"]


def test_export_csv_writes_one_file_per_table(surveyed) -> None:
    out = surveyed.home / "ekspor-csv"
    spbe(["export", "--pemda", "18.71", "--format", "csv", "--out", str(out)], surveyed.env)
    names = {p.name for p in out.iterdir()}
    assert {"18.71-units.csv", "18.71-websites.csv", "18.71-site_checks.csv", "18.71-findings.csv"} <= names
    with (out / "18.71-units.csv").open(encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == 186


def test_inventory_lists_exactly_the_services_the_demo_offers(surveyed) -> None:
    """Issue #4: every service the demo offers, under the right indicator, with evidence — and none other."""
    offered: dict[str, set[int]] = {}
    for plan in surveyed.manifest.values():
        for service in plan.get("services") or []:
            offered.setdefault(service, set())
    with session_for(surveyed.home) as session:
        run = session.exec(select(CrawlRun).order_by(CrawlRun.id)).first()
        findings = session.exec(select(Finding).where(Finding.run_id == run.id)).all()
    found = {f.service for f in findings}
    assert found == set(offered)
    for never in ("e_katalog", "skm", "opensid", "pendidikan", "simda"):
        assert never not in found
    for finding in findings:
        assert finding.url and finding.rule_id and finding.kind and finding.website_id is not None
        assert len(finding.snippet) <= 200 and "<" not in finding.snippet
        assert set(finding.signals) <= {"informasi", "interaksi", "transaksi", "kolaborasi"}
    by_service = {f.service: f.indicators.get("spbe-2020", []) for f in findings}
    assert by_service["jdih"] == [44] and by_service["lapor"] == [42] and by_service["satu_data"] == [43]
    assert 35 in by_service["spse"] and by_service["srikandi"] == [37]
    jdih_signals = set().union(*(f.signals for f in findings if f.service == "jdih"))
    assert "kolaborasi" in jdih_signals  # JDIHN integration on the demo JDIH portal
    report = (surveyed.home / "reports" / "laporan-18.71-spbe-2020.html").read_text(encoding="utf-8")
    assert "JDIH" in report and "Indeks SPBE" in report


def test_inventory_command_prints_the_view(surveyed) -> None:
    output = spbe(["inventory", "--pemda", "18.71"], {**surveyed.env, "COLUMNS": "200"}).stdout
    assert "Inventaris layanan 18.71" in output and "JDIH" in output and "SP4N-LAPOR!" in output
    assert "transaksi: #" in output  # the pages that prove each level criterion
