"""The coverage report built from a stored survey (in-memory SQLite): actions, rows, HTML, CSV."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, SQLModel, create_engine

from spbe_crawler.reports.coverage import build_coverage, write_coverage
from spbe_crawler.store import models_monitor  # noqa: F401  (all tables)
from spbe_crawler.store.models import CrawlRun, SiteCheck, Unit, UnitOutcome, Website

CHECKED = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as s:
        yield s


def seed(session: Session) -> CrawlRun:
    units = [
        Unit(code="18.71", name="Kota Bandar Lampung", kind="pemda", pemda_code="18.71"),
        Unit(code="18.71/dinkes", name="Dinas Kesehatan", kind="opd", pemda_code="18.71", parent_code="18.71"),
        Unit(code="18.71/bappeda", name="Bappeda", kind="opd", pemda_code="18.71", parent_code="18.71"),
        Unit(code="18.71.01", name="Teluk Betung Utara", kind="kecamatan", pemda_code="18.71", parent_code="18.71"),
        Unit(code="18.71.01.1001", name="Kupang Kota", kind="kelurahan", pemda_code="18.71", parent_code="18.71.01"),
        Unit(code="18.71.01.1002", name="Gulak Galik", kind="kelurahan", pemda_code="18.71", parent_code="18.71.01"),
    ]
    session.add_all(units)
    run = CrawlRun(kind="survey", scope="18.71", state="finished", started_at=CHECKED, finished_at=CHECKED)
    session.add(run)
    session.commit()
    plan = [
        ("18.71", "https://bandarlampungkota.example.go.id/", "ok", "", None, {}),
        ("18.71/dinkes", "https://dinkes.example.go.id/", "hacked_gambling", "Konten judi online", "<b>slot gacor</b>", {}),
        ("18.71/bappeda", "https://bappeda.example.go.id/", "tls_error", "TLS: sertifikat kedaluwarsa", None, {}),
        (
            "18.71.01.1001",
            "https://kupangkota.example.go.id/",
            "ok",
            "",
            None,
            {
                "registry_fix": {
                    "registered_url": "https://kupangkota.example.go.id/index.php/profil",
                    "working_url": "https://kupangkota.example.go.id/",
                    "tried": [{"url": "https://kupangkota.example.go.id/index.php/profil", "status": "http_error", "detail": "HTTP 404"}],
                    "advice": "perbaiki alamat di registri",
                }
            },
        ),
    ]
    for code, url, status, detail, snippet, signals in plan:
        site = Website(unit_code=code, url=url, host=url.split("/")[2])
        session.add(site)
        session.commit()
        expires = datetime(2026, 1, 1, tzinfo=UTC) if status == "tls_error" else None
        session.add(
            SiteCheck(
                run_id=run.id,
                website_id=site.id,
                unit_code=code,
                url=url,
                status=status,
                detail=detail,
                snippet=snippet,
                signals=signals,
                tls_expires_at=expires,
                checked_at=CHECKED,
            )
        )
        session.add(UnitOutcome(run_id=run.id, unit_code=code, status=status, website_id=site.id, detail=detail))
    session.commit()
    return run


def test_actions_are_ranked_from_stored_checks(session):
    seed(session)
    coverage = build_coverage(session, "18.71")
    assert [(a.unit.code, a.problem_key) for a in coverage.actions] == [
        ("18.71/dinkes", "hacked_gambling"),
        ("18.71/bappeda", "tls_expired"),
        ("18.71.01.1001", "registry_deep_link"),
    ]
    registry = coverage.actions[-1]
    assert registry.unit.kecamatan == "Teluk Betung Utara"
    assert "https://kupangkota.example.go.id/" in registry.fix
    assert "Alamat terdaftar gagal: HTTP 404" in registry.evidence


def test_html_lists_actions_first_and_escapes_crawled_text(session, tmp_path):
    seed(session)
    html_path, csv_path, _ = write_coverage(session, "18.71", tmp_path)
    html = html_path.read_text(encoding="utf-8")
    assert html.index("Perlu tindakan") < html.index("Daftar unit")
    assert "&lt;b&gt;slot gacor&lt;/b&gt;" in html and "<b>slot gacor</b>" not in html
    assert "Perbaiki alamat di registri menjadi https://kupangkota.example.go.id/" in html
    assert csv_path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("kode,nama,jenis")
