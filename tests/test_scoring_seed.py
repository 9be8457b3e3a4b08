"""A small surveyed pemda in a temporary SQLite store, shared by the scoring store/report/CLI tests.

``seed(url)`` writes: pemda 18.71 with two kecamatan, five kelurahan and two OPD; an older finished
survey, the latest finished survey (with hostile crawled text) and a newer survey still running;
unit outcomes of the latest run. The test at the bottom checks the seed itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from spbe_crawler.store.db import session_scope
from spbe_crawler.store.models import CrawlRun, Finding, Unit, UnitOutcome

PEMDA = "18.71"
HOSTILE = "<script>alert(1)</script>"
T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)

UNITS = [
    (PEMDA, "KOTA BANDAR LAMPUNG", "pemda", None),
    ("18.71.01", "Teluk Betung Barat", "kecamatan", PEMDA),
    ("18.71.02", "Teluk Betung Selatan", "kecamatan", PEMDA),
    ("18.71.01.1001", "Bakung", "kelurahan", "18.71.01"),
    ("18.71.01.1002", "Kuripan", "kelurahan", "18.71.01"),
    ("18.71.01.1003", "Negeri Olok Gading", "kelurahan", "18.71.01"),
    ("18.71.02.1001", "Pesawahan", "kelurahan", "18.71.02"),
    ("18.71.02.1002", "Talang", "kelurahan", "18.71.02"),
    (f"{PEMDA}/dinkes", "Dinas Kesehatan", "opd", PEMDA),
    (f"{PEMDA}/bappeda", "Badan Perencanaan Pembangunan Daerah", "opd", PEMDA),
]
OUTCOMES = {
    PEMDA: "ok",
    "18.71.01": "ok",
    "18.71.02": "hacked_gambling",
    "18.71.01.1001": "ok",
    "18.71.01.1002": "stale",
    "18.71.01.1003": "no_website",
    "18.71.02.1001": "dns_error",
    # 18.71.02.1002 has no outcome: not surveyed
    f"{PEMDA}/dinkes": "ok",
    f"{PEMDA}/bappeda": "parked",
}
# (service, indicators, signals, url, snippet, confidence)
LATEST_FINDINGS = [
    ("spse", [35], ["informasi", "interaksi"], "https://spse.inaproc.id/bandarlampungkota/lelang", "Daftar tender", 0.95),
    ("spse", [35], ["transaksi"], "https://spse.inaproc.id/bandarlampungkota/login", "Masuk", 0.9),
    ("jdih", [44], ["interaksi"], "https://jdih.bandarlampungkota.go.id/", HOSTILE, 0.9),
    ("lapor", [42], ["informasi"], "javascript:alert(1)", "SP4N-LAPOR!", 0.4),
    ("perizinan", [45, 46, 47], ["interaksi", "transaksi"], "https://dpmptsp.bandarlampungkota.go.id/izin", "Lacak izin", 0.9),
    ("dukcapil", [45, 46, 47], ["interaksi"], "https://disdukcapil.bandarlampungkota.go.id/", "Layanan online", 0.8),
]
OLD_FINDINGS = [
    ("spse", [35], [], "https://lpse.bandarlampungkota.go.id/", "LPSE lama", 0.6),
    ("satu_data", [43], ["interaksi"], "https://satudata.bandarlampungkota.go.id/", "Dataset", 0.9),
]


@dataclass(frozen=True)
class Seeded:
    url: str
    old_run: int
    latest_run: int
    running_run: int
    finding_ids: dict[str, list[int]]


def _run(session, state: str, finished: datetime | None) -> int:  # type: ignore[no-untyped-def]
    run = CrawlRun(kind="survey", scope=PEMDA, state=state, started_at=T0, finished_at=finished)
    session.add(run)
    session.flush()
    assert run.id is not None
    return run.id


def _findings(session, run_id: int, rows) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    ids: dict[str, list[int]] = {}
    for service, indicators, signals, url, snippet, confidence in rows:
        f = Finding(
            run_id=run_id,
            pemda_code=PEMDA,
            unit_code=PEMDA,
            rule_id=service,
            service=service,
            indicators={"spbe-2020": indicators},
            url=url,
            kind="link",
            snippet=snippet,
            signals=signals,
            confidence=confidence,
        )
        session.add(f)
        session.flush()
        ids.setdefault(service, []).append(int(f.id or 0))
    return ids


def seed(url: str) -> Seeded:
    with session_scope(url) as session:
        for code, name, kind, parent in UNITS:
            session.add(Unit(code=code, name=name, kind=kind, parent_code=parent, pemda_code=PEMDA))
        old = _run(session, "finished", T0 + timedelta(hours=1))
        _findings(session, old, OLD_FINDINGS)
        latest = _run(session, "finished", T0 + timedelta(days=7))
        ids = _findings(session, latest, LATEST_FINDINGS)
        running = _run(session, "running", None)
        _findings(session, running, [("wbs", [39], ["transaksi"], "https://wbs.example/", "", 0.9)])
        for code, status in OUTCOMES.items():
            session.add(UnitOutcome(run_id=latest, unit_code=code, status=status))
    return Seeded(url, old, latest, running, ids)


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    return seed(f"sqlite:///{tmp_path / 'spbe.sqlite3'}")


def test_seed_holds_what_the_other_tests_rely_on(seeded: Seeded) -> None:
    with session_scope(seeded.url) as session:
        runs = session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()  # type: ignore[arg-type]
        assert [r.state for r in runs] == ["finished", "finished", "running"]
        latest = session.exec(select(Finding).where(Finding.run_id == seeded.latest_run)).all()
        assert {f.service for f in latest} == {"spse", "jdih", "lapor", "perizinan", "dukcapil"}
        assert any(f.snippet == HOSTILE for f in latest)
        assert len(session.exec(select(UnitOutcome)).all()) == len(OUTCOMES)
