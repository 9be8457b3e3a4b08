"""The store pipeline on an in-memory SQLite store, the per-site state machine and the registry fallbacks."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from spbe_crawler.health.status import Status
from spbe_crawler.items import CandidateItem, FindingItem, PageItem, SiteCheckItem, WebsiteItem
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import CrawlRun, DiscoveryCandidate, Finding, Page, SiteCheck, Unit, UnitOutcome, Website
from spbe_crawler.survey import fallback
from spbe_crawler.survey.links import LinkFrontier
from spbe_crawler.survey.site import Attempt, SiteState, Verdict
from tests.crawl_support import UNITS, make_pipeline, memory_db_url

KEL, KEL2 = "18.71.01.1001", "18.71.01.1002"


@pytest.fixture
def store(monkeypatch):
    url = memory_db_url()
    monkeypatch.setenv("SPBE_DATABASE_URL", url)
    engine = get_engine(url)
    keep = engine.connect()  # an in-memory database lives as long as one connection to it
    with Session(engine) as session:
        for unit in UNITS:
            session.add(Unit(**unit.model_dump()))
        session.add(Website(id=1, unit_code=KEL, url="https://bakung.example.go.id/", host="bakung.example.go.id"))
        session.commit()
    yield engine
    keep.close()


def page(website_id: int, url: str) -> PageItem:
    return PageItem(website_id=website_id, url=url, final_url=url, status=200, title="t", body=b"<html>body</html>")


def finding(website_id: int, unit: str, signals: list[str], confidence: float) -> FindingItem:
    return FindingItem(
        "18.71", unit, website_id, "jdih", "jdih", {"2020": [36]}, "https://jdih.x.go.id/", "link", "JDIH", signals, confidence
    )


def check(website_id: int, unit: str, status: str = "ok") -> SiteCheckItem:
    return SiteCheckItem(website_id=website_id, unit_code=unit, url="https://bakung.example.go.id/", status=status, signals={"a": 1})


def count_selects(engine, table: str) -> list[str]:
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen


def test_pipeline_stores_a_survey_and_one_outcome_per_unit(store):
    pipeline = make_pipeline()
    pipeline.open("18.71", resume=True)
    for item in [
        page(1, "https://bakung.example.go.id/"),
        finding(1, KEL, ["informasi"], 0.5),
        finding(1, KEL, ["interaksi"], 0.7),  # the same finding again: merged, not duplicated
        check(1, KEL),
        CandidateItem("https://kel-x.example.go.id/", "kel-x.example.go.id", [KEL, KEL2], "tautan", "bukti"),
    ]:
        pipeline.process_item(item)
    pipeline.close("finished")
    with Session(store) as session:
        [run] = session.exec(select(CrawlRun)).all()
        assert run.state == "finished"
        [stored] = session.exec(select(Finding)).all()
        assert stored.signals == ["informasi", "interaksi"] and stored.confidence == 0.7
        [page_row] = session.exec(select(Page)).all()
        assert page_row.body_z and page_row.website_id == 1
        outcomes = {o.unit_code: o.status for o in session.exec(select(UnitOutcome)).all()}
        assert outcomes == {"18.71": "no_website", "18.71.01": "no_website", KEL: "ok", KEL2: "no_website"}
        assert session.exec(select(DiscoveryCandidate)).one().unit_codes == [KEL, KEL2]


def test_discovered_site_key_is_mapped_without_a_query_per_item(store):
    pipeline = make_pipeline()
    pipeline.open("18.71", resume=True)
    website_selects = count_selects(store, "website")
    pipeline.process_item(WebsiteItem(-1, KEL2, "https://kuripan.example.go.id/", "penemuan:tautan", 0.9, "bukti"))
    lookups = len(website_selects)
    for n in range(5):
        pipeline.process_item(page(-1, f"https://kuripan.example.go.id/{n}"))
    pipeline.process_item(finding(-1, KEL2, ["informasi"], 0.4))
    pipeline.process_item(check(-1, KEL2))
    assert len(website_selects) == lookups == 1, "one lookup per discovered site, none per item"
    pipeline.close("finished")
    with Session(store) as session:
        website = session.exec(select(Website).where(Website.unit_code == KEL2)).one()
        assert website.state == "discovered"
        assert {p.website_id for p in session.exec(select(Page)).all()} == {website.id}
        assert session.exec(select(SiteCheck)).one().website_id == website.id
        assert session.exec(select(UnitOutcome).where(UnitOutcome.unit_code == KEL2)).one().status == "ok"


def test_resume_upserts_instead_of_duplicating(store):
    first = make_pipeline()
    first.open("18.71", resume=True)
    first.process_item(page(1, "https://bakung.example.go.id/"))
    first.process_item(finding(1, KEL, ["informasi"], 0.5))
    first.process_item(check(1, KEL, "stale"))
    first.close("shutdown")  # interrupted: resumable
    second = make_pipeline()
    second.open("18.71", resume=True)
    assert second.checked == {1} and second.run_id == first.run_id
    second.process_item(page(1, "https://bakung.example.go.id/"))
    second.process_item(finding(1, KEL, ["transaksi"], 0.9))
    second.process_item(check(1, KEL, "ok"))
    second.close("finished")
    with Session(store) as session:
        assert len(session.exec(select(Page)).all()) == 1
        assert session.exec(select(Finding)).one().signals == ["informasi", "transaksi"]
        assert session.exec(select(SiteCheck)).one().status == "ok"


def test_new_rows_are_written_at_commit_with_one_insert_per_table(store, monkeypatch):
    """Rows are collected until the commit and inserted together; a finding written by a commit in
    the middle of its site and seen again is updated in place, never duplicated."""
    inserts: list[str] = []
    event.listen(store, "before_cursor_execute", lambda conn, cursor, statement, *rest: inserts.append(statement.split("(")[0].strip()))
    pipeline = make_pipeline()
    pipeline.open("18.71", resume=True)
    inserts.clear()
    for n in range(5):
        pipeline.process_item(page(1, f"https://bakung.example.go.id/{n}"))
    menu = finding(1, KEL, ["informasi"], 0.4)
    menu.kind, menu.snippet = "menu", "JDIH"
    pipeline.process_item(menu)
    assert inserts == [], "nothing is written before the commit"
    monkeypatch.setattr("spbe_crawler.pipelines.COMMIT_EVERY", 1)
    pipeline.process_item(finding(1, KEL, ["interaksi"], 0.9))  # merged before writing, then a commit
    assert inserts.count("INSERT INTO page") == 1 and inserts.count("INSERT INTO finding") == 1
    again = finding(1, KEL, ["transaksi"], 0.6)
    again.snippet = "JDIH Kota Bandar Lampung"
    pipeline.process_item(again)  # after the commit: the stored row is updated
    pipeline.process_item(check(1, KEL))
    pipeline.close("finished")
    with Session(store) as session:
        assert len(session.exec(select(Page)).all()) == 5
        [stored] = session.exec(select(Finding)).all()
        assert stored.signals == ["informasi", "interaksi", "transaksi"] and stored.confidence == 0.9
        assert (stored.kind, stored.snippet) == ("link", "JDIH Kota Bandar Lampung")
        assert session.exec(select(SiteCheck)).one().status == "ok"


def test_pipeline_memory_is_bounded_by_sites_in_flight(store):
    """After many finished sites, the pipeline keeps keys only: no rows, no discovery keys, a small session."""
    pipeline = make_pipeline(SPBE_STORE_BODIES=False)
    pipeline.open("18.71", resume=True)
    for n in range(1, 121):
        key = -n
        pipeline.process_item(WebsiteItem(key, KEL2, f"https://s{n}.example.go.id/", "penemuan:tautan", 0.9, "bukti"))
        pipeline.process_item(page(key, f"https://s{n}.example.go.id/"))
        pipeline.process_item(finding(key, KEL2, ["informasi"], 0.4))
        pipeline.process_item(check(key, KEL2))
    assert pipeline.discovered == {}
    assert pipeline.session is not None and len(pipeline.session.identity_map) < 10
    pipeline.close("finished")


def test_a_site_check_that_overtakes_its_pages_waits_for_them(store, monkeypatch):
    """Scrapy may hand over a site's check before pages of an earlier response of the same site (one
    item at a time, responses interleave): the check is stored and committed only after them, and a
    discovered site's pages still find its stored id."""
    monkeypatch.setattr("spbe_crawler.pipelines.COMMIT_SECONDS", 0)  # a finished site is committed at once
    pipeline = make_pipeline()
    pipeline.open("18.71", resume=True)
    pipeline.process_item(WebsiteItem(-1, KEL2, "https://baru.example.go.id/", "penemuan:tautan", 0.9, "bukti"))
    pipeline.process_item(page(-1, "https://baru.example.go.id/"))
    early = check(-1, KEL2)
    early.items = 3
    pipeline.process_item(early)
    with Session(store) as session:
        assert session.exec(select(SiteCheck)).all() == [], "not stored before the site's last items"
    pipeline.process_item(finding(-1, KEL2, ["informasi"], 0.4))
    assert pipeline.waiting, "still one item to come"
    pipeline.process_item(page(-1, "https://baru.example.go.id/profil"))
    assert pipeline.waiting == {} and pipeline.site_items == {} and pipeline.discovered == {}
    with Session(store) as session:  # committed with the last item, before the crawl closes
        [stored] = session.exec(select(SiteCheck)).all()
        website = session.exec(select(Website).where(Website.url == "https://baru.example.go.id/")).one()
        assert stored.website_id == website.id
        assert {p.website_id for p in session.exec(select(Page)).all()} == {website.id}
        assert session.exec(select(Finding)).one().website_id == website.id
    pipeline.close("finished")


def test_sites_finished_within_a_second_share_one_commit(store, monkeypatch):
    """Finished sites are committed together, at most once every COMMIT_SECONDS (the timer commits
    them when no item comes), and each is reported stored (a cluster worker acknowledges its job
    then) only once committed."""
    clock = [100.0]
    monkeypatch.setattr("spbe_crawler.pipelines.time.monotonic", lambda: clock[0])
    commits: list[int] = []
    event.listen(store, "commit", lambda conn: commits.append(1))
    with Session(store) as session:
        session.add(Website(id=2, unit_code=KEL2, url="https://kuripan.example.go.id/", host="kuripan.example.go.id"))
        session.commit()
    pipeline = make_pipeline()
    pipeline.open("18.71", resume=True)
    reported: list[int] = []
    pipeline.site_stored = lambda item: reported.append(item.website_id)  # type: ignore[method-assign]
    pipeline.committed_at = clock[0]
    commits.clear()
    for website_id, unit in ((1, KEL), (2, KEL2)):
        pipeline.process_item(page(website_id, f"https://s{website_id}.example.go.id/"))
        done = check(website_id, unit)
        done.items = 1
        clock[0] += 0.4
        pipeline.process_item(done)
    assert commits == [] and reported == [], "both sites finished within a second of the last commit"
    with Session(store) as session:
        assert session.exec(select(SiteCheck)).all() == []
    clock[0] += 0.3
    pipeline.commit_due()  # what the timer calls while no item arrives
    assert len(commits) == 1 and reported == [1, 2]
    with Session(store) as session:
        assert len(session.exec(select(SiteCheck)).all()) == 2 and len(session.exec(select(Page)).all()) == 2
    pipeline.commit_due()
    assert len(commits) == 1, "nothing waits: no empty commit"
    pipeline.process_item(page(1, "https://s1.example.go.id/lagi"))
    clock[0] += 5
    pipeline.process_item(page(1, "https://s1.example.go.id/lagi2"))
    assert len(commits) == 1, "pages alone wait for their site's check (or COMMIT_EVERY items)"
    pipeline.close("finished")
    assert len(commits) >= 2


@pytest.mark.parametrize(("reason", "stored"), [("finished", 1), ("shutdown", 0)])
def test_a_check_still_waiting_when_the_crawl_closes(store, reason, stored):
    """A finished crawl stores it anyway (nothing more will come); an interrupted one leaves the site
    without a check, so resuming the run crawls it again."""
    pipeline = make_pipeline()
    pipeline.open("18.71", resume=True)
    pipeline.process_item(page(1, "https://bakung.example.go.id/"))
    waiting = check(1, KEL)
    waiting.items = 2
    pipeline.process_item(waiting)
    pipeline.close(reason)
    with Session(store) as session:
        assert len(session.exec(select(SiteCheck)).all()) == stored
        assert len(session.exec(select(Page)).all()) == 1


def test_site_state_counts_requests_and_finishes_once():
    site = SiteState(1, KEL, "18.71", "https://a.go.id/", frozenset(), LinkFrontier("a.go.id", 5, 400, 3))
    site.opened()
    site.opened()
    assert site.closed() is False
    assert site.closed() is True
    assert site.closed() is False, "a finished site is never finished twice"


def test_site_state_final_verdict():
    site = SiteState(1, KEL, "18.71", "https://a.go.id/", frozenset(), LinkFrontier("a.go.id", 5, 400, 3))
    assert site.final().status == Status.OK
    site.verdicts += [Verdict(Status.STALE, "basi"), Verdict(Status.HACKED_GAMBLING, "judi"), Verdict(Status.BLOCKED, "blok")]
    assert site.final().status == Status.HACKED_GAMBLING
    site.failure = Verdict(Status.TIMEOUT, "lambat")
    assert site.final().status == Status.TIMEOUT


@pytest.mark.parametrize(
    ("failed", "tried", "error", "expected"),
    [
        (Attempt("https://a.go.id/index.php", Status.HTTP_ERROR, "HTTP 404", 404), [], "", "https://a.go.id/"),
        (Attempt("https://a.go.id/berita?id=3", Status.HTTP_ERROR, "HTTP 410", 410), [], "", "https://a.go.id/"),
        (Attempt("https://a.go.id/", Status.HTTP_ERROR, "HTTP 404", 404), [], "", None),  # already the root
        (Attempt("https://a.go.id/x", Status.HTTP_ERROR, "HTTP 500", 500), [], "", None),  # 5xx is not a stale link
        (Attempt("https://a.go.id/p", Status.CONNECT_REFUSED, "ditolak"), [], "", "http://a.go.id/p"),
        (Attempt("https://a.go.id/", Status.TLS_ERROR, "tls"), [], "SSL routines: wrong version number", "http://a.go.id/"),
        (Attempt("https://a.go.id/", Status.TLS_ERROR, "tls"), [], "certificate verify failed: certificate has expired", None),
        (Attempt("http://a.go.id/", Status.CONNECT_REFUSED, "ditolak"), [], "", "http://www.a.go.id/"),
        (Attempt("https://www.a.go.id/", Status.DNS_ERROR, "nx"), [], "", "https://a.go.id/"),
        (Attempt("https://a.go.id/", Status.DNS_ERROR, "nx"), ["https://www.a.go.id/"], "", None),  # tried already
        (Attempt("https://a.go.id/", Status.TIMEOUT, "lambat"), [], "", None),
        (Attempt("https://10.0.0.1/", Status.DNS_ERROR, "nx"), [], "", None),
        (Attempt("https://a.go.id/", Status.CONNECT_REFUSED, "x"), ["1", "2", "3", "4"], "", None),  # budget spent
    ],
)
def test_fallback_order(failed, tried, error, expected):
    assert fallback.next_homepage(failed, [failed.url, *tried], error) == expected


def test_https_refused_then_http_refused_tries_www():
    first = Attempt("https://a.go.id/", Status.CONNECT_REFUSED, "x")
    second_url = fallback.next_homepage(first, [first.url])
    assert second_url == "http://a.go.id/"
    second = Attempt(second_url, Status.CONNECT_REFUSED, "x")
    assert fallback.next_homepage(second, [first.url, second_url]) == "http://www.a.go.id/"


def test_registry_fix_data_and_sentence():
    fix = fallback.registry_fix("https://a.go.id/x", "http://a.go.id/", [Attempt("https://a.go.id/x", Status.CONNECT_REFUSED, "ditolak")])
    assert fix["mark"] == "tanpa HTTPS" and fix["advice"] == "perbaiki alamat di registri"
    assert "situs berfungsi di http://a.go.id/" in fallback.fix_sentence(fix)
    same_scheme = fallback.registry_fix(
        "https://a.go.id/x", "https://a.go.id/", [Attempt("https://a.go.id/x", Status.HTTP_ERROR, "HTTP 404", 404)]
    )
    assert "mark" not in same_scheme


def test_unit_outcomes_are_inserted_once_and_updated_when_a_run_is_recorded_again(store):
    """Every unit in scope gets one outcome: the best of its checks, "registered but not checked",
    or no website with what discovery tried; recording the run again (a resume) updates the rows."""
    from spbe_crawler.survey import runs

    with Session(store) as session:
        run = CrawlRun(scope="18.71", state="running")
        session.add(run)
        session.commit()
        session.add(
            SiteCheck(run_id=run.id, website_id=1, unit_code=KEL, url="https://bakung.example.go.id/", status="parked", detail="parkir")
        )
        session.commit()
        units = list(session.exec(select(Unit)).all())
        assert runs.record_unit_outcomes(session, run, units, tried={KEL2: "dicoba kel-b.example.go.id"}) == len(units)
        first = {o.unit_code: (o.id, o.status, o.detail, o.website_id) for o in session.exec(select(UnitOutcome)).all()}
        assert first[KEL][1:] == ("parked", "parkir", 1)
        assert first[KEL2][1:] == ("no_website", "tidak ada situs web yang terdaftar atau ditemukan; dicoba kel-b.example.go.id", None)

        check = session.exec(select(SiteCheck)).one()
        check.status, check.detail = "ok", "berfungsi"
        session.add(check)
        session.add(Website(id=2, unit_code=KEL2, url="https://kel-b.example.go.id/", host="kel-b.example.go.id"))
        session.commit()
        runs.record_unit_outcomes(session, run, units)
        again = {o.unit_code: (o.id, o.status, o.detail, o.website_id) for o in session.exec(select(UnitOutcome)).all()}
    assert again.keys() == first.keys() and all(again[code][0] == first[code][0] for code in first), "the same rows, updated"
    assert again[KEL][1:] == ("ok", "berfungsi", 1)
    assert again[KEL2][1:] == ("error", "situs terdaftar tetapi tidak diperiksa", None)
