"""A surveyed pemda with accounts, for the web workspace tests (request tests and browser tests).

Built on ``test_scoring_seed.seed`` (units, runs, findings with hostile text) and adds: websites with
the health of two surveys (a hacked kecamatan whose crawled snippet holds a ``<script>``, a parked
OPD whose detail starts like a spreadsheet formula, a discovered kelurahan site), an ambiguous
discovery candidate, probes and an open incident of the portal, a second pemda, estimates, and one
account per role. The store is seeded once per test session and copied for each test.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select
from starlette.testclient import TestClient
from test_scoring_seed import HOSTILE, PEMDA, T0, seed

from spbe_crawler.assessment import estimate_pemda
from spbe_crawler.store.db import get_engine, session_scope
from spbe_crawler.store.models import CrawlRun, DiscoveryCandidate, Finding, Incident, Probe, SiteCheck, Unit, UnitOutcome, Website, utcnow
from spbe_crawler.store.models_web import WebRole
from spbe_crawler.web.accounts import add_user
from spbe_crawler.web.app import create_app
from spbe_crawler.web.settings import WebSettings

OTHER_PEMDA = "18.72"
FORMULA = '=HYPERLINK("http://contoh.invalid","klik")'
SCRIPT_SNIPPET = f'judi slot gacor {HOSTILE} <img src=x onerror="alert(2)">'
PASSWORDS = {
    "admin": "sandi-admin-12345",
    "penilai": "sandi-penilai-12345",
    "penilai2": "sandi-penilai2-12345",
    "metro": "sandi-metro-12345",
    "pembaca": "sandi-pembaca-12345",
}
ACCOUNTS = [
    ("admin", "Admin Kominfo", WebRole.ADMIN, []),
    ("penilai", "Ani Penilai", WebRole.ASSESSOR, [PEMDA]),
    ("penilai2", "Budi Pembanding", WebRole.ASSESSOR, [PEMDA]),
    ("metro", "Citra Metro", WebRole.ASSESSOR, [OTHER_PEMDA]),
    ("pembaca", "Dewi Pembaca", WebRole.VIEWER, []),
]
# (unit, url, role, state, status, detail, rule, snippet)
LONG_WORD = "https://dinkes.bandarlampungkota.go.id/" + "halaman-tanpa-spasi-" * 12  # must wrap on a phone
SITES = [
    (PEMDA, "https://bandarlampungkota.go.id/", "portal", "declared", "ok", "situs berfungsi", None, None),
    (
        "18.71.02",
        "https://kec-tbs.bandarlampungkota.go.id/",
        "unit",
        "declared",
        "hacked_gambling",
        "konten judi online",
        "gambling-spam",
        SCRIPT_SNIPPET,
    ),
    (
        f"{PEMDA}/bappeda",
        "https://bappeda.bandarlampungkota.go.id/",
        "unit",
        "declared",
        "parked",
        FORMULA,
        "parked-domain",
        "domain dijual",
    ),
    (f"{PEMDA}/dinkes", "https://dinkes.bandarlampungkota.go.id/", "unit", "declared", "ok", "situs berfungsi " + LONG_WORD, None, None),
    ("18.71.01.1001", "https://kel-bakung.bandarlampungkota.go.id/", "unit", "discovered", "ok", "situs berfungsi", None, None),
]
AMBIGUOUS = "https://kel-ambigu.bandarlampungkota.go.id/"


@dataclass(frozen=True)
class WebSeed:
    url: str
    latest_run: int
    site_ids: dict[str, int]  # unit code -> website id

    @property
    def hacked_site(self) -> int:
        return self.site_ids["18.71.02"]


def _seed_web(url: str) -> WebSeed:
    base = seed(url)
    site_ids: dict[str, int] = {}
    with session_scope(url) as session:
        session.add(Unit(code=OTHER_PEMDA, name="KOTA METRO", kind="pemda", pemda_code=OTHER_PEMDA))
        session.add(CrawlRun(kind="survey", scope=OTHER_PEMDA, state="finished", started_at=T0, finished_at=T0 + timedelta(hours=1)))
        for unit, site_url, role, state, status, detail, rule, snippet in SITES:
            website = Website(unit_code=unit, url=site_url, host=site_url.split("/")[2], role=role, state=state)
            if state == "discovered":
                website.source, website.confidence, website.evidence = (
                    "discovery",
                    0.82,
                    "tautan di situs kecamatan; nama cocok; " + LONG_WORD,
                )
            session.add(website)
            session.flush()
            site_ids[unit] = int(website.id or 0)
            for run_id, when, old_status in (
                (base.old_run, T0 + timedelta(hours=1), "ok"),
                (base.latest_run, T0 + timedelta(days=7), status),
            ):
                session.add(
                    SiteCheck(
                        run_id=run_id,
                        website_id=website.id,
                        unit_code=unit,
                        url=site_url,
                        status=old_status,
                        detail=detail if old_status == status else "situs berfungsi",
                        rule=rule if old_status == status else None,
                        snippet=snippet if old_status == status else None,
                        http_status=200,
                        checked_at=when,
                        signals={
                            "checklist": {"profil": site_url, "kontak": None},
                            "labels": {"profil": "Profil", "kontak": "Kontak/Alamat"},
                        },
                    )
                )
        bappeda = session.exec(
            select(UnitOutcome).where(UnitOutcome.run_id == base.latest_run, UnitOutcome.unit_code == f"{PEMDA}/bappeda")
        ).one()
        bappeda.detail = FORMULA  # the crawled detail of the unit's outcome starts like a spreadsheet formula
        session.add(bappeda)
        session.add(
            DiscoveryCandidate(
                run_id=base.latest_run,
                url=AMBIGUOUS,
                host=AMBIGUOUS.split("/")[2],
                unit_codes=["18.71.01.1002", "18.71.01.1003"],
                evidence="nama mirip dua kelurahan",
            )
        )
        session.add(  # one more JDIH page (same level as the seed's) whose snippet is one long word
            Finding(
                run_id=base.latest_run,
                pemda_code=PEMDA,
                unit_code=PEMDA,
                rule_id="jdih",
                service="jdih",
                indicators={"spbe-2020": [44]},
                url="https://jdih.bandarlampungkota.go.id/produk-hukum",
                kind="link",
                snippet=LONG_WORD,
                signals=["interaksi"],
                confidence=0.9,
            )
        )
        now = utcnow()
        portal = site_ids[PEMDA]
        for minutes in range(60, 0, -10):
            session.add(
                Probe(
                    website_id=portal,
                    url=SITES[0][1],
                    started_at=now - timedelta(minutes=minutes),
                    status="ok",
                    http_status=200,
                    total_ms=120.0,
                )
            )
        session.add(
            Probe(website_id=portal, url=SITES[0][1], started_at=now - timedelta(minutes=2), status="timeout", detail="waktu habis")
        )
        session.add(Incident(website_id=portal, status="timeout", detail="waktu habis", started_at=now - timedelta(minutes=5)))
        estimate_pemda(session, PEMDA, "spbe-2020")
        for username, name, role, codes in ACCOUNTS:
            add_user(session, username, PASSWORDS[username], role, name, codes)
    with get_engine(url).connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return WebSeed(url, base.latest_run, site_ids)


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, WebSeed]:
    path = tmp_path_factory.mktemp("web-template") / "spbe.sqlite3"
    return path, _seed_web(f"sqlite:///{path}")


@pytest.fixture
def web_seed(web_template: tuple[Path, WebSeed], tmp_path: Path) -> WebSeed:
    """A private copy of the seeded store for one test."""
    source, template = web_template
    target = tmp_path / "spbe.sqlite3"
    shutil.copyfile(source, target)
    return WebSeed(f"sqlite:///{target}", template.latest_run, template.site_ids)


def make_app(web_seed: WebSeed, **settings: object):  # type: ignore[no-untyped-def]
    return create_app(WebSettings(secret="uji-rahasia-yang-panjang", **settings), database_url=web_seed.url)  # type: ignore[arg-type]


@pytest.fixture
def web_app(web_seed: WebSeed):  # type: ignore[no-untyped-def]
    return make_app(web_seed)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def login(client: TestClient, username: str, password: str | None = None) -> str:
    """Sign in through the form; returns the CSRF token of the new session."""
    page = client.get("/masuk")
    response = client.post(
        "/masuk",
        data={"csrf": csrf_of(page.text), "username": username, "password": password or PASSWORDS[username], "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get(f"/pemda/{PEMDA}").text)


def client_for(app, username: str | None) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url="http://testserver")
    if username is None:
        return client, csrf_of(client.get("/masuk").text)
    return client, login(client, username)
