"""A unit job taken over from a dead worker: the worker's store pipeline upserts what the dead one
wrote, acknowledges the unit once all its websites are stored, and the run's last unit queues its
finish step (real Redis, real SQLite). Needs ``SPBE_TEST_REDIS_URL``."""

from __future__ import annotations

import os
import uuid
from types import SimpleNamespace

import pytest
from pg_support import fresh_database
from scrapy.settings import Settings
from sqlmodel import Session, select

from spbe_crawler.cluster.crawl import UnitFeed
from spbe_crawler.cluster.pipeline import ClusterStorePipeline
from spbe_crawler.cluster.queue import FINISH, Job, JobQueue, connect
from spbe_crawler.items import FindingItem, PageItem, SiteCheckItem
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import CrawlRun, Finding, Page, SiteCheck, Unit, Website

REDIS_URL = os.environ.get("SPBE_TEST_REDIS_URL")
POSTGRES_URL = os.environ.get("SPBE_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="SPBE_TEST_REDIS_URL tidak diatur: tidak ada server Redis")


def _finding(website_id: int, snippet: str) -> FindingItem:
    return FindingItem(
        "99.01", "99.01.01.1001", website_id, "ppid", "PPID", {"1": [1]}, "http://a.test/ppid", "menu", snippet, ["menu"], 0.5
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("SPBE_TEST_POSTGRES_URL tidak diatur")
    with fresh_database("spbe_clpipe") as database:
        yield database
        get_engine(database).dispose()  # the pipeline's connections, before the database goes


def test_taken_over_unit_upserts_rows_and_its_last_site_acks_the_unit(url, monkeypatch) -> None:
    """On SQLite and PostgreSQL (the page upsert is dialect SQL). Each finished site is committed at
    once here, so the racing worker below finds the database free, as it would a second later."""
    monkeypatch.setenv("SPBE_DATABASE_URL", url)
    monkeypatch.setattr("spbe_crawler.pipelines.COMMIT_SECONDS", 0)
    engine = get_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        session.add(Unit(code="99.01", name="Kota Uji", kind="pemda", pemda_code="99.01"))
        session.add(Unit(code="99.01.01.1001", name="Uji", kind="kelurahan", parent_code="99.01", pemda_code="99.01"))
        first, second = (
            Website(unit_code="99.01.01.1001", url="http://a.test/", host="a.test"),
            Website(unit_code="99.01.01.1001", url="http://b.test/", host="b.test"),
        )
        run = CrawlRun(scope="99.01", options={"batch": "b"})
        session.add_all([first, second, run])
        session.commit()
        # what a worker that was SIGKILLed in the middle of the first site had committed
        session.add(Page(run_id=run.id, website_id=first.id, url="http://a.test/", final_url="http://a.test/", status=200))
        session.add(
            Finding(
                run_id=run.id,
                pemda_code="99.01",
                unit_code="99.01.01.1001",
                website_id=first.id,
                rule_id="ppid",
                service="PPID",
                url="http://a.test/ppid",
                kind="menu",
                snippet="lama",
            )
        )
        # another worker's website of the run reached a page this unit's second site reaches too
        other_unit = Unit(code="99.01.01.1002", name="Lain", kind="kelurahan", parent_code="99.01", pemda_code="99.01")
        other = Website(unit_code="99.01.01.1002", url="http://c.test/", host="c.test")
        session.add_all([other_unit, other])
        session.commit()
        session.add(Page(run_id=run.id, website_id=other.id, url="http://shared.test/", final_url="http://shared.test/", status=200))
        session.commit()

    queue = JobQueue(connect(REDIS_URL or ""), f"spbe-test-{uuid.uuid4().hex[:8]}")
    try:
        queue.enqueue(["99.01"], "b")
        assert queue.plan("planner", queue.lease("planner"), run.id, ["99.01.01.1001"])
        job = queue.lease("w", "units")
        feed = UnitFeed(queue, "w")
        feed.hold(job, [first.id, second.id])
        crawler = SimpleNamespace(spider=SimpleNamespace(feed=feed), settings=Settings({"SPBE_BODY_STORE_MAX": 1000}), stats=None)
        pipeline = ClusterStorePipeline(crawler)
        pipeline.open_spider()
        pipeline.process_item(PageItem(first.id, "http://a.test/", "http://a.test/", 200, title="lagi"))  # again: updated
        pipeline.process_item(PageItem(first.id, "http://a.test/profil", "http://a.test/profil", 200))
        pipeline.process_item(_finding(first.id, "lebih panjang dari yang lama"))
        pipeline.process_item(SiteCheckItem(first.id, "99.01.01.1001", "http://a.test/", "ok"))
        assert queue.in_flight("units")["w"] == [job]  # the unit still has a website open
        assert queue.pending() == []
        pipeline.process_item(PageItem(second.id, "http://b.test/", "http://b.test/", 200))
        pipeline.process_item(PageItem(second.id, "http://shared.test/", "http://shared.test/", 200, title="bersama"))
        with Session(engine) as racing:  # a worker that took the unit over stored the same evidence meanwhile
            key = {"run_id": run.id, "unit_code": "99.01.01.1001", "rule_id": "jdih", "url": "http://jdih.test/"}
            racing.add(Finding(**key, pemda_code="99.01", website_id=second.id, service="JDIH", kind="link", snippet="JDIH"))
            racing.commit()
        jdih = _finding(second.id, "JDIH Kota")
        jdih.rule_id, jdih.url = "jdih", "http://jdih.test/"
        pipeline.process_item(jdih)  # not an error: the stored row is kept
        pipeline.process_item(SiteCheckItem(second.id, "99.01.01.1001", "http://b.test/", "ok"))
        pipeline._spider_closed(None, "finished")
        assert queue.in_flight("units")["w"] == []
        assert queue.pending() == [Job("99.01", "b", FINISH, run.id)]  # the run's last unit: its finish step
        assert feed.units_done == 1 and feed.last_units == 1
        assert pipeline.keys == {}  # no site of the run open here: its keys are dropped
    finally:
        queue.clear()
        queue.client.close()
    with Session(engine) as session:
        pages = session.exec(select(Page).where(Page.run_id == run.id)).all()
        assert sorted(p.url for p in pages) == ["http://a.test/", "http://a.test/profil", "http://b.test/", "http://shared.test/"]
        assert next(p for p in pages if p.url == "http://a.test/").title == "lagi"
        shared = next(p for p in pages if p.url == "http://shared.test/")
        assert (shared.website_id, shared.title) == (second.id, "bersama")  # updated, as one process does
        findings = session.exec(select(Finding).where(Finding.run_id == run.id)).all()
        assert len(findings) == 2
        assert {f.rule_id: f.snippet for f in findings} == {"ppid": "lebih panjang dari yang lama", "jdih": "JDIH"}
        checks = session.exec(select(SiteCheck).where(SiteCheck.run_id == run.id)).all()
        assert sorted(c.website_id for c in checks) == sorted([first.id, second.id])
