"""A survey killed with SIGKILL and started again continues its run, keeps and duplicates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlmodel import Session, SQLModel, create_engine, func, select
from survey_support import cli_env, prepare_registry, session_for, spbe, spbe_popen

from spbe_crawler.store.models import CrawlRun, Page, SiteCheck, Unit, UnitOutcome, Website
from spbe_crawler.survey.runs import RunBusy, open_run


def _checks(home) -> int:
    try:
        with session_for(home) as session:
            return session.exec(select(func.count()).select_from(SiteCheck)).one()
    except Exception:  # the database may not exist yet
        return 0


def test_sigkill_then_restart_resumes_the_same_run(demo_web, tmp_path) -> None:
    # Resuming is about sites and rows, not about how deep each site is crawled: a few pages per site.
    env = {**cli_env({**os.environ, **demo_web.env}, tmp_path), "SPBE_SITE_MAX_PAGES": "3", "SPBE_CLOAK_CHECK": "0"}
    prepare_registry(env, demo_web.registry_csv)
    crawl = spbe_popen(["run", "--pemda", "18.71"], env)
    deadline = time.monotonic() + 120
    while _checks(tmp_path) < 25 and time.monotonic() < deadline and crawl.poll() is None:
        time.sleep(0.2)
    assert crawl.poll() is None, "the crawl ended before it could be killed"
    os.killpg(crawl.pid, signal.SIGKILL)
    crawl.wait()
    with session_for(tmp_path) as session:
        killed_run = session.exec(select(CrawlRun)).one()
        kept = {(c.website_id, c.id, c.status) for c in session.exec(select(SiteCheck)).all()}
    assert killed_run.state == "running" and len(kept) >= 25

    spbe(["run", "--pemda", "18.71"], env)

    with session_for(tmp_path) as session:
        runs = session.exec(select(CrawlRun)).all()
        checks = session.exec(select(SiteCheck)).all()
        pages = session.exec(select(Page)).all()
        websites = session.exec(select(Website).where(Website.state != "rejected")).all()
        outcomes = session.exec(select(UnitOutcome)).all()
        units = session.exec(select(Unit).where(Unit.pemda_code == "18.71")).all()
    assert len(runs) == 1 and runs[0].id == killed_run.id
    assert runs[0].state == "finished" and runs[0].options["resumed"] == 1
    assert kept <= {(c.website_id, c.id, c.status) for c in checks}  # nothing collected was lost
    assert max(Counter(c.website_id for c in checks).values()) == 1
    assert {c.website_id for c in checks} == {w.id for w in websites}
    assert len({(p.run_id, p.url) for p in pages}) == len(pages)
    assert len(outcomes) == len(units) == len({o.unit_code for o in outcomes})


def test_a_live_run_on_the_same_scope_is_refused(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'runs.sqlite3'}")
    SQLModel.metadata.create_all(engine)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with Session(engine) as session:
            session.add(CrawlRun(scope="18.71", options={"pid": sleeper.pid}))
            session.commit()
            with pytest.raises(RunBusy, match="masih berjalan"):
                open_run(session, "18.71")
    finally:
        sleeper.kill()
        sleeper.wait()
    with Session(engine) as session:
        resumed = open_run(session, "18.71")
        assert resumed.id == 1 and resumed.options["resumed"] == 1
        fresh = open_run(session, "18.71", resume=False)
        assert fresh.id == 2
        assert session.get(CrawlRun, 1).state == "interrupted"
