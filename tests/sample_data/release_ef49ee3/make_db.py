"""Make a database as the release at ef49ee3 did, with rows in every table: ``python make_db.py URL [--without-monitor]``.

``--without-monitor`` leaves out the monitoring tables, as a database made before they existed.
Prints the row count of every table as JSON.
"""

from __future__ import annotations

import json
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import models as old  # noqa: E402
import models_monitor as old_monitor  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlmodel import Session, SQLModel, create_engine  # noqa: E402

MONITOR_TABLES = {"monitorschedule", "monitorlease", "alertlog", "proberollup"}


def main(url: str, without_monitor: bool) -> None:
    engine = create_engine(url)
    tables = [t for t in SQLModel.metadata.sorted_tables if not (without_monitor and t.name in MONITOR_TABLES)]
    SQLModel.metadata.create_all(engine, tables=tables)
    at = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
    with Session(engine) as session:
        session.add(old.Unit(code="18.71", name="Kota Bandar Lampung", kind="pemda", parent_code="18", pemda_code="18.71"))
        session.add(
            old.Unit(
                code="18.71/diskominfo",
                name="Dinas Komunikasi dan Informatika",
                kind="opd",
                category="dinas",
                parent_code="18.71",
                pemda_code="18.71",
            )
        )
        session.flush()
        site = old.Website(
            unit_code="18.71/diskominfo",
            url="https://diskominfo.bandarlampungkota.go.id/",
            host="diskominfo.bandarlampungkota.go.id",
            first_seen=at,
            updated_at=at,
        )
        session.add(site)
        run = old.CrawlRun(scope="18.71", started_at=at, finished_at=at, state="finished", options={"resume": True})
        session.add(run)
        session.flush()
        session.add(
            old.SiteCheck(
                run_id=run.id,
                website_id=site.id,
                unit_code="18.71/diskominfo",
                url=site.url,
                status="ok",
                http_status=200,
                signals={"pages": 3},
                checked_at=at,
            )
        )
        session.add(old.UnitOutcome(run_id=run.id, unit_code="18.71/diskominfo", status="ok", website_id=site.id))
        session.add(old.UnitOutcome(run_id=run.id, unit_code="18.71", status="no_website"))
        session.add(
            old.Page(
                run_id=run.id,
                website_id=site.id,
                url=site.url,
                final_url=site.url,
                status=200,
                redirect_chain=["http://diskominfo.bandarlampungkota.go.id/"],
                title="Beranda — Diskominfo",
                links=[["https://ppid.bandarlampungkota.go.id/", "PPID"]],
                body_z=zlib.compress(b"<html>Beranda</html>"),
                fetched_at=at,
            )
        )
        session.add(old.Probe(website_id=site.id, url=site.url, started_at=at, status="up", http_status=200, ttfb_ms=120.5))
        session.add(old.Incident(website_id=site.id, status="down", started_at=at, ended_at=at))
        session.add(
            old.Finding(
                run_id=run.id,
                pemda_code="18.71",
                unit_code="18.71/diskominfo",
                website_id=site.id,
                rule_id="ppid",
                service="PPID",
                indicators={"spbe-2020": [12]},
                url="https://ppid.bandarlampungkota.go.id/",
                signals=["link"],
                confidence=0.9,
                seen_at=at,
            )
        )
        session.add(
            old.Score(
                framework="spbe-2020",
                pemda_code="18.71",
                indicator=12,
                run_id=run.id,
                level=3,
                confidence=0.7,
                finding_ids=[1],
                estimated_at=at,
            )
        )
        session.add(old.Review(framework="spbe-2020", pemda_code="18.71", indicator=12, level=4, reviewer="penilai", reviewed_at=at))
        session.add(
            old.DiscoveryCandidate(
                run_id=run.id, url="https://dinas.example.go.id/", host="dinas.example.go.id", unit_codes=["18.71/diskominfo"], found_at=at
            )
        )
        if not without_monitor:
            session.add(old_monitor.MonitorSchedule(key="18.71:portal", scope="18.71", target_class="portal", next_due=at))
            session.add(old_monitor.MonitorLease(name="sweep", holder="host:1", scope="18.71", acquired_at=at, expires_at=at))
            session.add(
                old_monitor.AlertLog(
                    event_key="down:1", channel="email", kind="down", website_id=site.id, incident_id=1, attempts=1, sent_at=at
                )
            )
            session.add(old_monitor.ProbeRollup(website_id=site.id, hour=at, total=12, up=11, down=1, sketch={"7": 11}))
        session.commit()
        counts = {t.name: session.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}
    engine.dispose()
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1], "--without-monitor" in sys.argv[2:])
