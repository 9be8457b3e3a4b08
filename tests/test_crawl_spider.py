"""The survey spider's callbacks, driven by hand-built responses (no network, no reactor).

Each test schedules the start requests of a small registry, answers them the way Scrapy would, and
checks what the spider yields: requests routed by :class:`Fetch`, items, and exactly one site check
per site once its last request is answered.
"""

from __future__ import annotations

import pytest
from OpenSSL import SSL
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError

import spbe_crawler.health.page as page_module
from spbe_crawler.health.status import Status
from spbe_crawler.items import CandidateItem, FindingItem, PageItem, WebsiteItem
from spbe_crawler.survey.site import Fetch
from tests.crawl_support import checks_of, fail, feed, items_of, make_spider, requests_of, respond, targets

KEL = "18.71.01.1001"
HOME = """<html lang="id"><head><title>Kelurahan Bakung</title>
<meta name="viewport" content="width=device-width"></head><body>
<h1>Kelurahan Bakung</h1><p>Selamat datang di situs resmi Kelurahan Bakung, Kecamatan Teluk Betung Barat.</p>
<a href="/profil">Profil</a> <a href="/berita/1">Berita</a> <a href="https://jdih.bandarlampungkota.go.id/">JDIH</a>
<p>Diperbarui 2 Januari 2026</p></body></html>"""
PAGE = "<html><head><title>Profil</title></head><body><p>Profil kelurahan, alamat kantor, kontak.</p></body></html>"


@pytest.fixture(scope="module")
def spider_factory():
    make_spider()  # loads the rules and the signature pack once for the module
    return make_spider


@pytest.fixture
def parses(monkeypatch):
    """One entry per lxml parse of a page (``health.page._parse_once``) from here on."""
    counted: list[int] = []
    original = page_module._parse_once
    monkeypatch.setattr(page_module, "_parse_once", lambda html: counted.append(1) or original(html))
    return counted


def start(spider, *sites, **kwargs):
    return list(spider.start_requests_for(targets(*sites, **kwargs), done=set()))


def answer_all(spider, requests, pages: dict[str, tuple[int, str]] | None = None, default=(200, PAGE)):
    """Answer every request (and the requests it leads to) until the spider yields no more."""
    outputs = []
    queue = list(requests)
    while queue:
        request = queue.pop(0)
        status, body = (pages or {}).get(request.url, default)
        produced = feed(spider, respond(request, status, body))
        outputs += produced
        queue += requests_of(produced)
    return outputs


def test_a_site_is_crawled_and_checked_once(spider_factory):
    spider = spider_factory()
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    assert home.meta["fetch"] is Fetch.HOME and home.priority == 0
    first = feed(spider, respond(home, 200, HOME))
    routed = {r.meta["fetch"] for r in requests_of(first)}
    assert Fetch.PAGE in routed and Fetch.BOT in routed
    assert all(r.meta["site"] == 1 for r in requests_of(first))
    assert [p.url for p in items_of(first, PageItem)] == ["https://bakung.example.go.id/"]
    assert not checks_of(first), "the site is finished only when its last request is answered"
    rest = answer_all(spider, requests_of(first), {r.url: (200, HOME) for r in requests_of(first) if r.meta["fetch"] is Fetch.BOT})
    [check] = checks_of(rest)
    assert (check.website_id, check.unit_code, check.status) == (1, KEL, "ok")
    assert check.signals["checklist"]["profil"]
    assert spider.sites == {}, "a finished site's state is dropped"


def test_the_response_callback_returns_the_outputs_of_its_site(spider_factory):
    spider = spider_factory()
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    outputs = home.callback(respond(home, 200, HOME))  # what Scrapy calls: a list, not a generator
    assert isinstance(outputs, list)
    assert [p.url for p in items_of(outputs, PageItem)] == ["https://bakung.example.go.id/"] and requests_of(outputs)
    spider.sites.clear()  # a response of a site no longer open yields nothing
    assert home.callback(respond(home, 200, HOME)) == []


@pytest.mark.parametrize("limit", [1, 2])
def test_a_site_has_at_most_its_limit_of_requests_in_flight(spider_factory, limit):
    """Requests of one site beyond SPBE_SITE_CONCURRENCY wait in the site's queue and go as its
    answers come (errors included), so its pages reuse that many kept-alive connections instead of
    opening one each; the site is crawled just as far and checked once, after its last answer."""
    spider = spider_factory(SPBE_SITE_CONCURRENCY=limit)
    a, b = start(spider, (1, KEL, "https://bakung.example.go.id/"), (2, "18.71.01.1002", "https://kuripan.example.go.id/"))
    in_flight, answered, outputs = [a], 0, []
    first = feed(spider, respond(a, 200, HOME))
    in_flight = requests_of(first)
    assert len(in_flight) == limit and all(r.meta["site"] == 1 for r in in_flight)
    outputs += first
    while in_flight:
        request = in_flight.pop(0)
        if answered == 1:  # a failed download releases the next request too
            produced = fail(spider, request, DownloadConnectionRefusedError())
        else:
            produced = feed(spider, respond(request, 200, HOME if request.meta["fetch"] is Fetch.BOT else PAGE))
        answered += 1
        outputs += produced
        in_flight += requests_of(produced)
        assert len(in_flight) <= limit
        assert bool(checks_of(produced)) == (not in_flight), "the check comes with the last answer, not before"
    unlimited = spider_factory()
    [c] = start(unlimited, (1, KEL, "https://bakung.example.go.id/"))
    everything = requests_of(feed(unlimited, respond(c, 200, HOME)))
    assert answered == len(everything) and len(everything) > limit
    [check] = checks_of(outputs)
    assert check.website_id == 1 and spider.sites.keys() == {2}, "the other site waits for its own answers only"
    assert [(r.meta["site"], r.meta["fetch"]) for r in requests_of(feed(spider, respond(b, 200, PAGE)))] == [(2, Fetch.BOT)]


def test_the_connection_pool_keeps_what_a_site_has_in_flight():
    from spbe_crawler.survey.job import survey_settings

    assert survey_settings().getint("SPBE_SITE_CONCURRENCY") == 2
    assert survey_settings({"SPBE_SITE_CONCURRENCY": 2}).getint("CONCURRENT_REQUESTS_PER_DOMAIN") >= 2


def test_a_site_check_counts_the_items_its_site_yielded(spider_factory, monkeypatch):
    """The pipeline stores a check only after this many page and finding items of its site; items
    lost to a broken analysis are not counted."""
    spider = spider_factory()
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    outputs = answer_all(spider, [home], {home.url: (200, HOME)})
    [check] = checks_of(outputs)
    yielded = items_of(outputs, PageItem) + items_of(outputs, FindingItem)
    assert len(items_of(outputs, FindingItem)) >= 1 and len(items_of(outputs, PageItem)) >= 3
    assert check.items == len(yielded)

    spider = spider_factory()
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    first = feed(spider, respond(home, 200, HOME))
    monkeypatch.setattr(spider.analyzer, "links", lambda facts: 1 / 0)  # after the page item is made
    rest = answer_all(spider, requests_of(first))
    [check] = checks_of(rest)
    assert check.items == len(items_of(first + rest, PageItem) + items_of(first + rest, FindingItem))


def test_each_page_is_parsed_once(spider_factory, parses):
    spider = spider_factory()
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    outputs = answer_all(spider, [home], {home.url: (200, HOME)})
    text_responses = 1 + len([r for r in requests_of(outputs)])  # every request here is answered with HTML
    [bot] = [r for r in requests_of(outputs) if r.meta["fetch"] is Fetch.BOT]  # answered with the homepage's markup
    assert len(parses) == text_responses - 1, "the search-engine copy, the same markup as the homepage, is not parsed again"
    assert items_of(outputs, FindingItem), "the signature pack saw the page (JDIH link) without parsing it again"


def test_a_finding_seen_on_several_pages_is_yielded_once_merged_before_the_check(spider_factory):
    """A menu link on every page is one piece of evidence: one item, with the site check after it."""
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    menu = HOME.replace('href="/profil"', 'href="/layanan"').replace('href="/berita/1"', 'href="/dokumen"')
    outputs = answer_all(spider, [home], {home.url: (200, menu)}, default=(200, menu))
    pages = items_of(outputs, PageItem)
    assert len(pages) == 3, "every page links the JDIH portal"
    findings = items_of(outputs, FindingItem)
    keys = [f.key for f in findings]
    assert len(keys) == len(set(keys)), "one item per piece of evidence"
    assert keys.count(("jdih", "https://jdih.bandarlampungkota.go.id/", KEL)) == 1
    [check] = checks_of(outputs)
    items = [o for o in outputs if isinstance(o, (PageItem, FindingItem))] + [check]
    after_last_page = outputs[outputs.index(pages[-1]) + 1 :]
    assert all(f in after_last_page for f in findings), "findings wait until the site is finished"
    assert outputs.index(check) > max(outputs.index(f) for f in findings)
    assert check.items == len(items) - 1


def test_merged_findings_keep_every_signal_the_highest_confidence_and_the_page_itself():
    from spbe_crawler.survey.links import LinkFrontier
    from spbe_crawler.survey.site import SiteState

    site = SiteState(1, KEL, "18.71", "https://a.go.id/", frozenset(), LinkFrontier("a.go.id", 5, 200, 3))

    def finding(kind, snippet, signals, confidence):
        return FindingItem("18.71", KEL, 1, "ppid", "PPID", {}, "https://a.go.id/ppid", kind, snippet, signals, confidence)

    site.found(finding("menu", "PPID", ["menu"], 0.5))
    site.found(finding("page", "Pejabat Pengelola Informasi", ["form"], 0.9))
    site.found(finding("menu", "PPID", ["menu", "daftar"], 0.4))
    site.found(FindingItem("18.71", KEL, 1, "ppid", "PPID", {}, "https://a.go.id/lain", "menu", "x", [], 0.1))
    assert len(site.findings) == 2
    merged = site.findings[("ppid", "https://a.go.id/ppid", KEL)]
    assert merged.signals == ["daftar", "form", "menu"]
    assert merged.confidence == 0.9
    assert merged.kind == "page", "the page itself, not a menu naming it"
    assert merged.snippet == "Pejabat Pengelola Informasi"


def test_links_are_not_ordered_once_the_site_reached_its_page_cap(spider_factory, monkeypatch):
    import spbe_crawler.spiders.survey as survey_module

    ordered = []
    original = survey_module.ordered_links
    monkeypatch.setattr(survey_module, "ordered_links", lambda base, links: ordered.append(base) or original(base, links))
    spider = spider_factory(SPBE_CLOAK_CHECK=False, SPBE_SITE_MAX_PAGES=2)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    outputs = answer_all(spider, [home], {home.url: (200, HOME)}, default=(200, HOME))
    assert len(items_of(outputs, PageItem)) == 3, "the homepage and two pages"
    assert ordered == ["https://bakung.example.go.id/"], "after the homepage the frontier was full: no link work"
    [check] = checks_of(outputs)
    assert check.status == "ok"


def test_a_search_engine_copy_with_other_markup_is_parsed_and_compared(spider_factory, parses):
    """Cloaking: gambling links only in the copy served to a search engine."""
    spider = spider_factory()
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    first = feed(spider, respond(home, 200, HOME))
    [bot] = [r for r in requests_of(first) if r.meta["fetch"] is Fetch.BOT]
    gambling = "".join(f'<a href="https://slot{n}.example.com/">SLOT GACOR MAXWIN {n}</a> ' for n in range(8))
    cloaked = HOME.replace("</body>", f"<div>{gambling} situs slot gacor hari ini, daftar slot online</div></body>")
    rest = answer_all(spider, requests_of(first), {bot.url: (200, cloaked)})
    [check] = checks_of(first + rest)
    assert check.status == "hacked_cloaked"
    assert len(parses) == 1 + len(requests_of(first + rest)), "every response parsed, the differing copy too"


@pytest.mark.parametrize("how", ["http", "refresh"])
def test_a_search_engine_sent_elsewhere_is_followed_and_compared(spider_factory, how):
    """Cloaking by redirect: only the search engine is sent (by HTTP or by a meta refresh) to a
    gambling page on another host; the copy follows it, and the site is flagged."""
    spider = spider_factory()
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    first = feed(spider, respond(home, 200, HOME))
    [bot] = [r for r in requests_of(first) if r.meta["fetch"] is Fetch.BOT]
    away = "https://slot-gacor.example.com/bakung"
    sent = feed(spider, respond(bot, 302, headers={"Location": away}) if how == "http" else respond(bot, 200, refresh_page(away)))
    [followed] = requests_of(sent)
    assert (followed.url, followed.meta["fetch"], followed.meta["chain"]) == (away, Fetch.BOT, [bot.url])
    gambling = "".join(f'<a href="https://slot{n}.example.com/">SLOT GACOR MAXWIN {n}</a> ' for n in range(8))
    page = f"<html><head><title>SLOT GACOR</title></head><body>{gambling} situs slot gacor hari ini, daftar slot online</body></html>"
    rest = answer_all(spider, [r for r in requests_of(first) if r is not bot] + [followed], {away: (200, page)})
    [check] = checks_of(first + sent + rest)
    assert check.status == "hacked_cloaked"


def test_stale_deep_link_falls_back_to_the_root(spider_factory):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/index.php"))
    outputs = feed(spider, respond(home, 404, "not found"))
    [root] = requests_of(outputs)
    assert (root.url, root.meta["fetch"]) == ("https://bakung.example.go.id/", Fetch.HOME)
    assert not checks_of(outputs)
    [check] = checks_of(answer_all(spider, [root], {root.url: (200, HOME)}))
    assert check.status == "ok"
    fix = check.signals["registry_fix"]
    assert fix["registered_url"] == "https://bakung.example.go.id/index.php"
    assert fix["working_url"] == "https://bakung.example.go.id/"
    assert fix["tried"][0]["http_status"] == 404
    assert "perbaiki alamat di registri" in check.detail


def test_root_that_fails_too_keeps_the_registered_failure(spider_factory):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/home"))
    [root] = requests_of(feed(spider, respond(home, 404)))
    [check] = checks_of(feed(spider, respond(root, 500)))
    assert check.status == "http_error"
    assert check.detail.startswith("HTTP 404") and "juga dicoba" in check.detail and "HTTP 500" in check.detail


def test_https_refused_tries_http_and_marks_no_https(spider_factory):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    [plain] = requests_of(fail(spider, home, DownloadConnectionRefusedError("refused")))
    assert plain.url == "http://bakung.example.go.id/"
    [check] = checks_of(answer_all(spider, [plain], {plain.url: (200, HOME)}))
    assert check.status == "ok"
    assert check.signals["marks"] == ["tanpa HTTPS"]
    assert check.signals["registry_fix"]["tried"][0]["status"] == "connect_refused"


def test_plain_http_on_the_tls_port_tries_http(spider_factory):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    error = SSL.Error([("SSL routines", "", "wrong version number")])
    [plain] = requests_of(fail(spider, home, error))
    assert plain.url == "http://bakung.example.go.id/"


def test_unknown_name_tries_the_www_variant_then_concludes(spider_factory):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    [www] = requests_of(fail(spider, home, CannotResolveHostError("nx")))
    assert www.url == "https://www.bakung.example.go.id/"
    outputs = fail(spider, www, CannotResolveHostError("nx"))
    assert not requests_of(outputs)
    [check] = checks_of(outputs)
    assert check.status == "dns_error" and "www.bakung.example.go.id" in check.detail
    assert "registry_fix" not in check.signals


def test_blocked_for_crawlers_but_not_for_browsers(spider_factory):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    [browser] = requests_of(feed(spider, respond(home, 403)))
    assert browser.meta["fetch"] is Fetch.BROWSER and b"Chrome" in browser.headers[b"User-Agent"]
    [check] = checks_of(answer_all(spider, [browser], {browser.url: (200, HOME)}))
    assert check.status == "blocked"


def test_redirects_loop_and_to_parent(spider_factory):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    a, b = start(
        spider,
        (1, KEL, "https://bakung.example.go.id/"),
        (2, "18.71.01.1002", "https://kuripan.example.go.id/"),
        parent_hosts={"bandarlampungkota.go.id"},
    )
    [again] = requests_of(feed(spider, respond(a, 302, headers={"Location": "/a"})))
    [check] = checks_of(feed(spider, respond(again, 302, headers={"Location": "https://bakung.example.go.id/"})))
    assert check.status == "redirect_loop"
    [check] = checks_of(feed(spider, respond(b, 301, headers={"Location": "https://bandarlampungkota.go.id/"})))
    assert check.status == "redirect_to_parent"


def cookie_check(request, value="1"):
    """A visitor check: no cookie, or not this one -> back to the same address with the cookie."""
    if f"cek={value}".encode() in (request.headers.get("Cookie") or b""):
        return respond(request, 200, HOME)
    return respond(request, 302, headers={"Location": request.url, "Set-Cookie": f"cek={value}; Path=/"})


def test_a_cookie_check_redirecting_to_the_same_address_is_followed_with_the_cookie(spider_factory):
    """Real sites behind a hosting panel or firewall answer a first visit with the same address and a
    cookie; a browser sends it back and gets the page. That is a working site, not a redirect loop,
    and the cookie goes with every later request of the site, never to another site."""
    spider = spider_factory()
    a, b = start(spider, (1, KEL, "https://bakung.example.go.id/"), (2, "18.71.01.1002", "https://kuripan.example.go.id/"))
    [again] = requests_of(feed(spider, cookie_check(a)))
    assert again.url == a.url and again.headers.get("Cookie") == b"cek=1" and again.meta["chain"] == [a.url]
    outputs = feed(spider, cookie_check(again))
    assert items_of(outputs, PageItem) and all(r.headers.get("Cookie") == b"cek=1" for r in requests_of(outputs))
    assert {r.meta["fetch"] for r in requests_of(outputs)} >= {Fetch.PAGE, Fetch.BOT}
    rest = answer_all(spider, requests_of(outputs), {r.url: (200, HOME) for r in requests_of(outputs) if r.meta["fetch"] is Fetch.BOT})
    [check] = checks_of(rest)
    assert check.status == "ok" and check.website_id == 1
    assert b.headers.get("Cookie") is None
    [again_b] = requests_of(feed(spider, cookie_check(b, value="2")))
    assert again_b.headers.get("Cookie") == b"cek=2", "each site has its own cookies"


def test_a_redirect_after_a_chain_without_recorded_cookies_is_judged(spider_factory):
    """A discovered site's first response carries the discovery's redirect chain, without the cookies
    each hop sent: its own redirects are still followed or called loops."""
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    home.meta.update(chain=["http://bakung.example.go.id/", "https://bakung.example.go.id/lama"], chain_cookies=[])
    [moved] = requests_of(feed(spider, respond(home, 302, headers={"Location": "/beranda"})))
    assert moved.meta["chain"][-1] == home.url and len(moved.meta["chain_cookies"]) == 3
    [check] = checks_of(feed(spider, respond(moved, 302, headers={"Location": "/lama"})))
    assert check.status == Status.REDIRECT_LOOP.value


def test_a_cookie_check_that_never_accepts_its_cookie_is_a_redirect_loop(spider_factory):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    [again] = requests_of(feed(spider, respond(home, 302, headers={"Location": "/", "Set-Cookie": "cek=1; Path=/"})))
    [check] = checks_of(feed(spider, respond(again, 302, headers={"Location": "/", "Set-Cookie": "cek=1; Path=/"})))
    assert check.status == Status.REDIRECT_LOOP.value and check.detail.count("→") == 2

    spider = spider_factory(SPBE_CLOAK_CHECK=False, SPBE_MAX_REDIRECTS=3)  # a new cookie every time: up to the hop limit
    [request] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    for hop in range(10):
        outputs = feed(spider, respond(request, 302, headers={"Location": "/", "Set-Cookie": f"cek={hop}; Path=/"}))
        if checks_of(outputs):
            break
        [request] = requests_of(outputs)
    [check] = checks_of(outputs)
    assert check.status == Status.REDIRECT_LOOP.value and hop == 3


def refresh_page(url: str) -> str:
    return f"<html><head><meta http-equiv='refresh' content='0; url={url}'><title>Mengalihkan</title></head><body></body></html>"


def test_a_meta_refresh_is_followed_like_a_redirect(spider_factory):
    """A placeholder homepage that only refreshes to the pemda portal is no website of its own (as
    with an HTTP redirect); one that refreshes within its site is followed, and so is a page's."""
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    a, b, c = start(
        spider,
        (1, KEL, "https://bakung.example.go.id/"),
        (2, "18.71.01.1002", "https://kuripan.example.go.id/"),
        (3, "18.71.01.1003", "https://sumur.example.go.id/"),
        parent_hosts={"bandarlampungkota.go.id"},
    )
    [check] = checks_of(feed(spider, respond(a, 200, refresh_page("https://bandarlampungkota.go.id/"))))
    assert check.status == Status.REDIRECT_TO_PARENT.value and check.final_url == "https://bandarlampungkota.go.id/"
    outputs = feed(spider, respond(b, 200, refresh_page("/beranda")))
    assert not items_of(outputs, PageItem)  # the placeholder is not a page of the site
    [home] = requests_of(outputs)
    assert (home.url, home.meta["fetch"], home.meta["chain"]) == ("https://kuripan.example.go.id/beranda", Fetch.HOME, [b.url])
    outputs = feed(spider, respond(home, 200, HOME))
    [profil] = [r for r in requests_of(outputs) if r.url.endswith("/profil")]
    outputs = feed(spider, respond(profil, 200, refresh_page("/profil/baru")))
    [moved] = requests_of(outputs)
    assert (moved.url, moved.meta["fetch"], moved.meta["depth"]) == ("https://kuripan.example.go.id/profil/baru", Fetch.PAGE, 1)
    [loop] = requests_of(feed(spider, respond(c, 200, refresh_page("/a"))))
    [check] = checks_of(feed(spider, respond(loop, 200, refresh_page("https://sumur.example.go.id/"))))
    assert check.status == Status.REDIRECT_LOOP.value


def test_a_meta_refresh_follows_the_pages_base_href(spider_factory):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    page = "<html><head><base href='/situs/'><meta http-equiv='refresh' content='0; url=beranda'></head><body></body></html>"
    [moved] = requests_of(feed(spider, respond(home, 200, page)))
    assert (moved.url, moved.meta["fetch"]) == ("https://bakung.example.go.id/situs/beranda", Fetch.HOME)


def test_a_homepage_redirect_is_followed_up_to_the_url_length_limit(spider_factory):
    """Scrapy's UrlLengthMiddleware (off in the survey) dropped longer requests without calling
    back, and the site never got a check; the spider refuses them itself, with a verdict."""
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    a, b = start(spider, (1, KEL, "https://bakung.example.go.id/"), (2, "18.71.01.1002", "https://kuripan.example.go.id/"))
    long_ok = "/beranda?sesi=" + "a" * (2083 - len("https://bakung.example.go.id/beranda?sesi="))
    [followed] = requests_of(feed(spider, respond(a, 302, headers={"Location": long_ok})))
    assert len(followed.url) == 2083 and followed.meta["fetch"] == Fetch.HOME
    [check] = checks_of(feed(spider, respond(b, 302, headers={"Location": "/beranda?sesi=" + "b" * 2100})))
    assert check.status == Status.ERROR.value and "batas 2083" in check.detail and check.rule == "redirect-too-long"


def test_a_broken_check_never_sinks_the_site(spider_factory, monkeypatch, caplog):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    monkeypatch.setattr(spider.analyzer.rules, "evaluate", lambda facts: 1 / 0)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    [check] = checks_of(answer_all(spider, [home], {home.url: (200, HOME)}))
    assert check.status == "ok"
    assert "aturan konten" in caplog.text


def test_requests_made_before_a_broken_check_are_not_awaited(spider_factory, monkeypatch):
    """An error after some of a response's requests were made drops them with its items: the site
    still gets its check when its other requests are answered (it used to wait for them forever)."""
    spider = spider_factory()
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    made = spider._request

    def third_fails(site, url, fetch, **kwargs):
        if fetch is Fetch.PAGE and len(site.frontier.seen) > 2:
            raise RuntimeError("rusak")
        return made(site, url, fetch, **kwargs)

    monkeypatch.setattr(spider, "_request", third_fails)
    outputs = feed(spider, respond(home, 200, HOME))
    assert not requests_of(outputs) and not items_of(outputs, PageItem)
    [check] = checks_of(outputs)
    assert check.status == Status.ERROR.value and "galat analisis" in check.detail


def test_discovered_site_uses_a_key_and_is_parsed_once(spider_factory, monkeypatch, tmp_path, parses):
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))  # discovery's DNS cache lives there
    spider = spider_factory(SPBE_DISCOVERY=True, SPBE_CLOAK_CHECK=False)
    start(spider, (1, "18.71", "https://bandarlampungkota.go.id/"))
    attempt = next(a for a in spider.discovery_guesses() if "kuripan" in a.url)
    guess = spider._discover_request(attempt, attempt.url)
    assert guess.meta["fetch"] is Fetch.DISCOVER
    body = "<title>Kelurahan Kuripan</title><h1>Kelurahan Kuripan</h1><p>Kecamatan Teluk Betung Barat</p>"
    outputs = list(spider._on_discover(respond(guess, 200, body)))
    assert len(parses) == 1
    [website] = items_of(outputs, WebsiteItem)
    assert website.key < 0 and website.unit_code == "18.71.01.1002"
    assert [p.website_id for p in items_of(outputs, PageItem)] == [website.key]
    rest = answer_all(spider, requests_of(outputs))
    [check] = checks_of(outputs + rest)
    assert check.website_id == website.key


def test_discovery_reads_only_the_links_that_leave_the_page_s_site(spider_factory, monkeypatch, tmp_path):
    """A link within the site being surveyed is never another unit's website: discovery is not asked."""
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    spider = spider_factory(SPBE_DISCOVERY=True, SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    asked: list[str] = []
    monkeypatch.setattr(spider.discoverer, "from_link", lambda href, text: asked.append(href))
    body = HOME.replace("</body>", '<a href="https://bakung.example.go.id/kontak">Kontak</a> <a href="//kel-x.example.go.id/">X</a></body>')
    feed(spider, respond(home, 200, body))
    assert asked == ["https://jdih.bandarlampungkota.go.id/", "https://kel-x.example.go.id/"]


def test_the_search_engine_copy_of_the_same_markup_reuses_the_rules_work(spider_factory, monkeypatch):
    """The copy's facts share the homepage's derived parts, so the cloaking check's rules find their
    prefilter answers already made (only its status and headers are its own)."""
    spider = spider_factory()
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    first = feed(spider, respond(home, 200, HOME))
    site = spider.sites[1]
    [bot] = [r for r in requests_of(first) if r.meta["fetch"] is Fetch.BOT]
    feed(spider, respond(bot, 200, HOME))
    assert site.bot_facts is not site.home_facts and site.bot_facts.parts is site.home_facts.parts


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", "<title>Kelurahan Sukamé</title><p>x</p>".encode("cp1252")),  # no charset anywhere: the bytes decide
        ("text/html; charset=ISO-8859-1", "<title>Kelurahan Sukamé</title><p>x</p>".encode()),  # a server default in front of UTF-8
        ("text/html", '<meta charset="windows-1252"><title>Kelurahan Sukamé</title>'.encode("cp1252")),
    ],
)
def test_the_page_s_charset_is_found_as_a_browser_finds_it(spider_factory, content_type, body):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    outputs = feed(spider, respond(home, 200, body, headers={"Content-Type": content_type}))
    [page_item] = items_of(outputs, PageItem)
    assert page_item.title == "Kelurahan Sukamé"


def test_a_guess_redirecting_to_an_overlong_url_is_not_followed(spider_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    spider = spider_factory(SPBE_DISCOVERY=True, SPBE_CLOAK_CHECK=False)
    start(spider, (1, "18.71", "https://bandarlampungkota.go.id/"))
    attempt = next(a for a in spider.discovery_guesses() if "kuripan" in a.url)
    guess = spider._discover_request(attempt, attempt.url)
    [followed] = requests_of(spider._on_discover(respond(guess, 302, headers={"Location": "/beranda"})))
    assert followed.meta["fetch"] is Fetch.DISCOVER and followed.url.endswith("/beranda")
    done = spider.discovery_done
    assert requests_of(spider._on_discover(respond(followed, 302, headers={"Location": "/?sesi=" + "x" * 2100}))) == []
    assert spider.discovery_done == done + 1  # settled: unconfirmed


def test_a_guess_behind_a_cookie_check_is_confirmed_and_keeps_its_cookie(spider_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    spider = spider_factory(SPBE_DISCOVERY=True, SPBE_CLOAK_CHECK=False)
    start(spider, (1, "18.71", "https://bandarlampungkota.go.id/"))
    attempt = next(a for a in spider.discovery_guesses() if "kuripan" in a.url)
    guess = spider._discover_request(attempt, attempt.url)
    [again] = requests_of(spider._on_discover(respond(guess, 302, headers={"Location": guess.url, "Set-Cookie": "cek=1; Path=/"})))
    assert again.url == guess.url and again.headers.get("Cookie") == b"cek=1"
    body = "<title>Kelurahan Kuripan</title><h1>Kelurahan Kuripan</h1><p>Kecamatan Teluk Betung Barat</p><a href='/profil'>Profil</a>"
    outputs = list(spider._on_discover(respond(again, 200, body)))
    [website] = items_of(outputs, WebsiteItem)
    assert website.unit_code == "18.71.01.1002"
    [profil] = [r for r in requests_of(outputs) if r.url.endswith("/profil")]
    assert profil.headers.get("Cookie") == b"cek=1", "the site's later requests carry the cookie"


def test_a_broken_check_of_a_discovered_site_still_gives_it_a_check(spider_factory, monkeypatch, tmp_path, caplog):
    """The discovered site is kept (its website item and a check saying the analysis failed) and its
    state is dropped; a confirmation that breaks leaves the guess unconfirmed. The crawl goes on."""
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    spider = spider_factory(SPBE_DISCOVERY=True, SPBE_CLOAK_CHECK=False)
    start(spider, (1, "18.71", "https://bandarlampungkota.go.id/"))
    attempt = next(a for a in spider.discovery_guesses() if "kuripan" in a.url)
    body = "<title>Kelurahan Kuripan</title><h1>Kelurahan Kuripan</h1><p>Kecamatan Teluk Betung Barat</p>"
    monkeypatch.setattr(spider, "_handle_page", lambda *args, **kwargs: 1 / 0)
    outputs = list(spider._on_discover(respond(spider._discover_request(attempt, attempt.url), 200, body)))
    [website] = items_of(outputs, WebsiteItem)
    [check] = checks_of(outputs)
    assert (check.website_id, check.status) == (website.key, "error")
    assert website.key not in spider.sites
    done = spider.discovery_done

    monkeypatch.setattr(spider.discoverer, "confirm", lambda *args: 1 / 0)
    from spbe_crawler.survey.discover import Attempt

    other = Attempt("https://kel-y.example.go.id/", ("18.71.01.1001",), "tebakan", "tebakan nama")
    assert list(spider._on_discover(respond(spider._discover_request(other, other.url), 200, body))) == []
    assert spider.discovery_done == done + 1
    assert "Penemuan" in caplog.text


def test_unconfirmed_ambiguous_link_becomes_a_candidate(spider_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    spider = spider_factory(SPBE_DISCOVERY=True)
    start(spider, (1, "18.71", "https://bandarlampungkota.go.id/"))
    from spbe_crawler.survey.discover import Attempt

    attempt = Attempt("https://kel-x.example.go.id/", ("18.71.01.1001", "18.71.01.1002"), "tautan", "tautan 'x'", ambiguous=True)
    request = spider._discover_request(attempt, attempt.url)
    [candidate] = spider._on_discover(respond(request, 200, "<title>Lain</title><p>bukan kelurahan</p>"))
    assert isinstance(candidate, CandidateItem) and candidate.unit_codes == ["18.71.01.1001", "18.71.01.1002"]


def test_start_skips_sites_checked_before_a_resume(spider_factory):
    spider = spider_factory()
    requests = list(
        spider.start_requests_for(targets((1, KEL, "https://a.example.go.id/"), (2, KEL, "https://b.example.go.id/")), done={1})
    )
    assert [r.url for r in requests] == ["https://b.example.go.id/"]
    assert spider.total_sites == 1


def test_status_vocabulary_is_the_enum(spider_factory):
    spider = spider_factory(SPBE_CLOAK_CHECK=False)
    [home] = start(spider, (1, KEL, "https://bakung.example.go.id/"))
    [check] = checks_of(answer_all(spider, [home], {home.url: (200, "")}))
    assert Status(check.status) in Status
