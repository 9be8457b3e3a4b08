"""Bounded crawl frontier: same-site only, canonical URLs, trap guards."""

from __future__ import annotations

import random
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from url_support import BASES, hrefs, outcome, random_urls

from spbe_crawler.survey import links as links_module
from spbe_crawler.survey.links import PRIORITY_WORDS, SESSION_PARAMS, LinkFrontier, canonical_url, is_plain_url, ordered_links


def test_canonical_url_drops_session_ids_fragments_and_default_ports() -> None:
    assert canonical_url("HTTPS://Kel-A.go.id:443/berita;jsessionid=ABC?id=3&PHPSESSID=x#top") == "https://kel-a.go.id/berita?id=3"
    assert canonical_url("http://a.go.id:80") == "http://a.go.id/"


def test_frontier_keeps_to_the_site_and_its_www_twin() -> None:
    frontier = LinkFrontier("kec-a.kota.go.id", max_pages=10, max_url_length=200, same_path_max=3)
    assert frontier.admit("https://www.kec-a.kota.go.id/profil") == "https://www.kec-a.kota.go.id/profil"
    assert frontier.admit("https://kota.go.id/") is None
    assert frontier.admit("https://kec-b.kota.go.id/") is None
    assert frontier.admit("mailto:x@kota.go.id") is None
    assert frontier.admit("https://kec-a.kota.go.id/foto.JPG") is None


def test_frontier_cuts_calendars_session_urls_and_long_urls() -> None:
    frontier = LinkFrontier("a.go.id", max_pages=100, max_url_length=80, same_path_max=3)
    months = [frontier.admit(f"https://a.go.id/agenda?bulan=2026-{m:02d}") for m in range(1, 13)]
    assert sum(1 for m in months if m) == 3
    sessions = [frontier.admit(f"https://a.go.id/berita;jsessionid={i}") for i in range(5)]
    assert sum(1 for s in sessions if s) == 1
    assert frontier.admit("https://a.go.id/" + "x/" * 60) is None
    assert frontier.skipped_traps >= 10


def test_frontier_page_cap() -> None:
    frontier = LinkFrontier("a.go.id", max_pages=2, max_url_length=200, same_path_max=3)
    admitted = [frontier.admit(f"https://a.go.id/p{i}") for i in range(5)]
    assert sum(1 for a in admitted if a) == 2


def test_expected_content_pages_come_first() -> None:
    links = [("/galeri", "Galeri"), ("/x", "Struktur Organisasi"), ("/kontak", "Hubungi"), ("javascript:void(0)", "")]
    ordered = ordered_links("https://a.go.id/", links)
    assert ordered[:2] == ["https://a.go.id/x", "https://a.go.id/kontak"]
    assert ordered[-1] == "https://a.go.id/galeri"


def _canonical_url_before(url: str) -> str:
    """canonical_url as it was before its ``;``/empty-query shortcuts (the reference they must match)."""
    parts = urlsplit(url)
    path = re.sub(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", "", parts.path, flags=re.IGNORECASE)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SESSION_PARAMS])
    netloc = parts.netloc.lower()
    if (parts.scheme == "http" and netloc.endswith(":80")) or (parts.scheme == "https" and netloc.endswith(":443")):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme.lower(), netloc, path or "/", query, ""))


def test_canonical_url_shortcuts_change_nothing() -> None:
    urls = [*BASES, *("https://a.go.id" + h for h in hrefs()), *random_urls(5_000)]
    urls += ["https://a.go.id/a;JSESSIONID=1/b;sid=2?PHPSESSID=3&x=;&y", "http://a.go.id/x?&&=&sid"]
    differences = [u for u in urls if outcome(canonical_url, u) != outcome(_canonical_url_before, u)]
    assert differences[:20] == []


def test_a_repeated_link_is_admitted_once_and_canonicalised_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(url: str) -> str:
        calls.append(url)
        return canonical_url(url)

    monkeypatch.setattr(links_module, "canonical_url", counting)
    frontier = LinkFrontier("a.go.id", max_pages=10, max_url_length=200, same_path_max=3)
    menu = ["https://a.go.id/profil", "https://a.go.id/kontak#peta", "https://b.go.id/", "https://a.go.id/logo.png"]
    results = [[frontier.admit(url) for url in menu] for _page in range(50)]
    assert results[0] == ["https://a.go.id/profil", "https://a.go.id/kontak", None, None]
    assert all(r == [None] * 4 for r in results[1:])
    assert calls == menu
    assert frontier.admit("https://a.go.id/kontak") is None  # another raw form of a seen page
    assert frontier.scheduled == 2


def test_a_trap_is_counted_once_per_distinct_raw_url() -> None:
    frontier = LinkFrontier("a.go.id", max_pages=10, max_url_length=60, same_path_max=1)
    assert frontier.admit("https://a.go.id/agenda?bulan=1") == "https://a.go.id/agenda?bulan=1"
    for _page in range(5):  # the same calendar links on every page: counted once each
        assert frontier.admit("https://a.go.id/agenda?bulan=2") is None
        assert frontier.admit("https://a.go.id/" + "x" * 60) is None
    assert frontier.skipped_traps == 2
    assert frontier.admit("https://a.go.id/agenda?bulan=3") is None
    assert frontier.skipped_traps == 3


def test_the_memo_changes_no_admission() -> None:
    rng = random.Random(3)
    pool = [
        f"https://{rng.choice(['a.go.id', 'www.a.go.id', 'b.go.id'])}/{rng.choice(['p', 'q', 'agenda'])}?n={rng.randint(0, 6)}"
        for _ in range(60)
    ]
    pool += [
        "https://a.go.id/" + "y" * 90,
        "mailto:x@a.go.id",
        "https://a.go.id/f.pdf",
        "https://a.go.id/p?n=1#x",
        "https://a.go.id/p?n=1&sid=9",
    ]
    stream = [rng.choice(pool) for _ in range(2_000)]
    with_memo = LinkFrontier("a.go.id", max_pages=25, max_url_length=80, same_path_max=4)
    without = LinkFrontier("a.go.id", max_pages=25, max_url_length=80, same_path_max=4)
    for url in stream:
        expected = without.admit(url)
        without.considered.clear()  # no memory: every call canonicalises, as before the memo
        assert with_memo.admit(url) == expected
    assert (with_memo.seen, with_memo.path_counts, with_memo.scheduled) == (without.seen, without.path_counts, without.scheduled)
    assert 0 < with_memo.skipped_traps < without.skipped_traps


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(links_module, "MAX_CONSIDERED", 5)
    frontier = LinkFrontier("a.go.id", max_pages=3, max_url_length=200, same_path_max=3)
    admitted = [frontier.admit(f"https://a.go.id/p{i}") for i in range(10)]
    assert admitted[:3] == ["https://a.go.id/p0", "https://a.go.id/p1", "https://a.go.id/p2"] and admitted[3:] == [None] * 7
    assert len(frontier.considered) == 5
    assert [frontier.admit(f"https://a.go.id/p{i}") for i in range(10)] == [None] * 10  # remembered or not
    assert len(frontier.considered) == 5


def test_full_once_the_page_cap_is_reached() -> None:
    frontier = LinkFrontier("a.go.id", max_pages=2, max_url_length=200, same_path_max=3)
    assert not frontier.full
    frontier.admit("https://a.go.id/p1")
    frontier.mark_seen("https://a.go.id/home")  # seen, not scheduled by the frontier
    frontier.admit("https://b.go.id/p2")
    assert not frontier.full
    frontier.admit("https://a.go.id/p2")
    assert frontier.full
    assert frontier.admit("https://a.go.id/p3") is None


def test_ordered_links_is_unchanged_by_its_shortcuts() -> None:
    base = "https://a.go.id/berita/index.php?id=3"
    texts = ("", "Profil Desa", "lain", "BERITA terkini", "Kontak")
    links = [(href, texts[i % len(texts)]) for i, href in enumerate(hrefs()) if outcome(urljoin, base, href)[0] == "ok"]
    before = sorted(
        (
            (0 if PRIORITY_WORDS.search(href) or PRIORITY_WORDS.search(text or "") else 1, urljoin(base, href))
            for href, text in links
            if href and not href.startswith(("mailto:", "tel:", "javascript:", "#"))
        ),
        key=lambda item: item[0],
    )
    for _page in range(2):  # the second time from the cached ranks
        assert ordered_links(base, links) == [url for _, url in before]


# --- URLs Scrapy may take as they are (the ``verbatim_url`` request meta) ------------------------------
_URL_CHARS = "aZ09.-_~/?=&%#:@ é\u0130[]+;!'"


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://"]),
    st.text(alphabet="abcxyz019.-_XN:", min_size=1, max_size=20),
    st.one_of(st.text(alphabet=_URL_CHARS, max_size=30), st.text(alphabet="/aZ09._~-?=&", max_size=30).map(lambda rest: "/" + rest)),
)
@example("http://", "kel-a.kota.go.id", "/profil")
@example("https://", "xn--80ak6aa92e.com", "/berita?id=3&hal=2")
@example("http://", "a.go.id", "/a%20b")
@example("http://", "a.go.id:8080", "/")
def test_a_plain_url_is_what_scrapy_s_escaping_makes_of_it(scheme: str, host: str, rest: str) -> None:
    from w3lib.url import safe_url_string

    url = scheme + host + rest
    if is_plain_url(url):
        assert safe_url_string(url, "utf-8") == url


def test_plain_urls_are_the_common_shapes_of_a_site_s_links() -> None:
    for url in ("https://kel-a.kota.go.id/", "http://kel-a.kota.go.id/profil/struktur-organisasi", "https://a.go.id/berita?id=3&hal=2"):
        assert is_plain_url(url), url
    for url in (
        "https://a.go.id/cari?q=dinas sosial",
        "https://A.go.id/",
        "https://a.go.id:8443/",
        "https://a.go.id/a%20b",
        "https://kelurahan-é.id/",
    ):
        assert not is_plain_url(url), url


def test_the_spider_lets_scrapy_escape_only_the_urls_that_need_it() -> None:
    from tests.crawl_support import make_spider, targets

    spider = make_spider()
    plain, odd = spider.start_requests_for(
        targets((1, "18.71.01.1001", "https://kel-a.kota.go.id/"), (2, "18.71.01.1002", "https://kel-b.kota.go.id/data lama/")), done=set()
    )
    assert plain.meta.get("verbatim_url") is True and plain.url == "https://kel-a.kota.go.id/"
    assert "verbatim_url" not in odd.meta and odd.url == "https://kel-b.kota.go.id/data%20lama/"
