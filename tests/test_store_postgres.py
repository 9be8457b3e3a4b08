"""The same end-to-end survey on PostgreSQL (any SQLAlchemy URL works through SPBE_DATABASE_URL).

Runs when ``SPBE_TEST_POSTGRES_URL`` points at a PostgreSQL server whose user may create databases
(``.ci/run`` starts one when the machine has PostgreSQL); each run uses a fresh database.
"""

from __future__ import annotations

import os
from collections import Counter
from urllib.parse import urlsplit

import pytest
from pg_support import fresh_database
from sqlalchemy import create_engine
from sqlmodel import Session, func, select
from survey_support import cli_env, prepare_registry, spbe

from spbe_crawler.store.models import CrawlRun, SiteCheck, Unit, UnitOutcome, Website

ADMIN_URL = os.environ.get("SPBE_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="SPBE_TEST_POSTGRES_URL tidak diatur: tidak ada server PostgreSQL")


@pytest.fixture()
def postgres_url():
    with fresh_database("spbe_test") as url:
        yield url


def test_survey_on_postgresql(demo_web, tmp_path, postgres_url) -> None:
    env = {**cli_env({**os.environ, **demo_web.env}, tmp_path), "SPBE_DATABASE_URL": postgres_url}
    prepare_registry(env, demo_web.registry_csv)
    # The store is the point here, not crawl depth (test_survey_e2e crawls 15 pages a site): 5 pages a
    # site still give every demo site its planned status.
    spbe(["run", "--pemda", "18.71"], {**env, "SPBE_SITE_MAX_PAGES": "5"})
    # The second run only needs each site's verdict: homepages only, no cloaking check (much faster).
    spbe(["run", "--pemda", "18.71"], {**env, "SPBE_SITE_MAX_DEPTH": "0", "SPBE_CLOAK_CHECK": "0"})
    engine = create_engine(postgres_url)
    with Session(engine) as session:
        runs = session.exec(select(CrawlRun)).all()
        outcomes = session.exec(select(UnitOutcome)).all()
        checks = session.exec(select(SiteCheck)).all()
        units = session.exec(select(func.count()).select_from(Unit)).one()
        websites = session.exec(select(Website)).all()
    engine.dispose()
    assert [r.state for r in runs] == ["finished", "finished"]
    assert Counter(o.run_id for o in outcomes) == {runs[0].id: 186, runs[1].id: 186}
    assert len({(w.unit_code, w.url) for w in websites}) == len(websites)
    assert units == 187  # the province, the pemda, 39 OPD, 20 kecamatan, 126 kelurahan
    planned = {h: p["expected_status"] for h, p in demo_web.manifest.items()}
    planned |= {urlsplit(p["registered_url"]).hostname: p["expected_status"] for p in demo_web.manifest.values() if p.get("registered_url")}
    # The first run crawled the sites; the second checked homepages only (no freshness, no cloaking check).
    assert all(planned.get(urlsplit(c.url).hostname) == c.status for c in checks if c.run_id == runs[0].id)
