"""Each demo behaviour answers as the manifest says, reached through the connect-to routes."""

from __future__ import annotations

import socket
import ssl
import time
import uuid

import pytest

from spbe_crawler.demo.client import BROWSER_AGENT, fetch
from spbe_crawler.demo.sites import RateLimiter
from spbe_crawler.net.policy import NameNotFound

CRAWLER_AGENT = "SPBE-Crawler/0.1.0 (+https://github.com/spbe-crawler/spbe-crawler; survei situs pemerintah daerah)"
SCRAPY_AGENT = "Scrapy/2.19 (+https://scrapy.org)"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def host_where(manifest: dict, **criteria: object) -> str:
    for host, entry in manifest.items():
        if all(entry.get(key) == value for key, value in criteria.items()):
            return host
    raise AssertionError(f"no demo host with {criteria}")


# (behaviour of the host, kind, path, user agent, expected HTTP status, text the body must / must not hold)
CASES = [
    ("ok", "opd", "/", BROWSER_AGENT, 200, "Selamat datang", None),
    ("ok", "opd", "/", CRAWLER_AGENT, 200, "Selamat datang", None),
    ("ok", "opd", "/tidak-ada", BROWSER_AGENT, 404, "tidak ditemukan", None),
    ("ok", "opd", "/robots.txt", CRAWLER_AGENT, 200, "User-agent: *", "Disallow: /\n"),
    ("http_500", "opd", "/", BROWSER_AGENT, 500, None, "Selamat datang"),
    ("http_404", "opd", "/", BROWSER_AGENT, 404, None, "Selamat datang"),
    ("blocked", "opd", "/", CRAWLER_AGENT, 403, "Akses ditolak", "Selamat datang"),
    ("blocked", "opd", "/", SCRAPY_AGENT, 403, "Akses ditolak", None),
    ("blocked", "opd", "/", BROWSER_AGENT, 200, "Selamat datang", "Akses ditolak"),
    ("robots_disallowed", "opd", "/robots.txt", CRAWLER_AGENT, 200, "Disallow: /\n", None),
    ("robots_disallowed", "opd", "/", BROWSER_AGENT, 200, "Selamat datang", None),
    ("hacked_cloaked", "opd", "/", GOOGLEBOT, 200, "gacor", None),
    ("hacked_cloaked", "opd", "/", BROWSER_AGENT, 200, None, "gacor"),
    ("hacked_cloaked", "opd", "/", CRAWLER_AGENT, 200, None, "gacor"),
    ("tls_expired", "opd", "/", BROWSER_AGENT, 200, "Selamat datang", None),  # when verification is off
]


@pytest.mark.parametrize("behaviour, kind, path, agent, status, present, absent", CASES)
def test_behaviour_answers(demo_web, behaviour, kind, path, agent, status, present, absent):
    host = host_where(demo_web.manifest, behaviour=behaviour, kind=kind, content="unit")
    answer = fetch(f"https://{host}{path}", demo_web.env, user_agent=agent, verify=behaviour != "tls_expired")
    text = answer.body.decode("utf-8", "replace")
    assert answer.status == status
    if present:
        assert present.lower() in text.lower()
    if absent:
        assert absent.lower() not in text.lower()


def test_redirect_loop_goes_back_and_forth(demo_web):
    host = host_where(demo_web.manifest, behaviour="redirect_loop", kind="opd")
    first = fetch(f"https://{host}/profil", demo_web.env)
    partner = first.headers["location"]
    second = fetch(partner, demo_web.env)
    assert first.status == 301 and partner == f"https://www.{host}/profil"
    assert second.status == 301 and second.headers["location"] == f"https://{host}/profil"


def test_redirect_to_parent_points_at_the_pemda_portal(demo_web):
    host = host_where(demo_web.manifest, behaviour="redirect_to_parent")
    answer = fetch(f"http://{host}/", demo_web.env)
    assert demo_web.manifest[host]["kind"] == "kecamatan"
    assert answer.status == 302 and answer.headers["location"] == "https://bandarlampungkota.go.id/"


def test_cookie_check_sends_a_first_visit_back_with_a_cookie(demo_web):
    host = host_where(demo_web.manifest, behaviour="cookie_check")
    first = fetch(f"https://{host}/profil", demo_web.env)
    cookie = first.headers["set-cookie"].split(";")[0]
    again = fetch(f"https://{host}/profil", demo_web.env, headers={"Cookie": cookie})
    assert (first.status, first.headers["location"]) == (302, "/profil")
    assert again.status == 200 and "Profil" in again.body.decode() and demo_web.manifest[host]["expected_status"] == "ok"


def test_rate_limited_site_answers_429_then_200(demo_web):
    host = host_where(demo_web.manifest, behaviour="rate_limited")
    url = f"https://{host}/berita?uji={uuid.uuid4().hex}"
    first, second = fetch(url, demo_web.env), fetch(url, demo_web.env)
    assert (first.status, first.headers.get("retry-after")) == (429, "1")
    assert second.status == 200 and demo_web.manifest[host]["expected_status"] == "ok"


def test_problem_pages_are_served_verbatim_on_their_hosts(demo_web):
    hosts = {h: e for h, e in demo_web.manifest.items() if e.get("asset", "").endswith(".html") and e["behaviour"] != "hacked_cloaked"}
    for host, _entry in hosts.items():
        answer = fetch(demo_web.manifest[host]["url"], demo_web.env)
        expected = (demo_web.region.sites[host].asset).read_bytes()
        assert (host, answer.status, answer.body) == (host, 200, expected)


def test_unknown_host_header_gets_404(demo_web):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", demo_web.http_port, timeout=5)
    conn.request("GET", "/", headers={"Host": "tidak-ada.bandarlampungkota.go.id"})
    response = conn.getresponse()
    assert response.status == 404 and "tidak dikenal" in response.read().decode()
    conn.close()


def test_head_request_has_no_body_but_the_length(demo_web):
    host = host_where(demo_web.manifest, behaviour="ok", kind="opd", content="unit")
    answer = fetch(f"https://{host}/", demo_web.env, method="HEAD")
    assert answer.status == 200 and answer.body == b"" and int(answer.headers["content-length"]) > 1000


# --- failures below HTTP -------------------------------------------------------------------------


def test_declared_host_without_route_is_nxdomain(demo_web):
    host = host_where(demo_web.manifest, behaviour="unrouted", declared=True)
    with pytest.raises(NameNotFound):
        fetch(f"https://{host}/", demo_web.env)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_refused_host_refuses(demo_web, scheme):
    host = host_where(demo_web.manifest, behaviour="refused", kind="opd")
    with pytest.raises(ConnectionRefusedError):
        fetch(f"{scheme}://{host}/", demo_web.env)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_blackhole_host_never_answers(demo_web, scheme):
    host = host_where(demo_web.manifest, behaviour="blackhole", kind="opd")
    with pytest.raises((TimeoutError, socket.timeout)):
        fetch(f"{scheme}://{host}/", demo_web.env, timeout=0.5)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_drip_host_times_out_a_patient_client(demo_web, scheme):
    host = host_where(demo_web.manifest, behaviour="drip", kind="kecamatan")
    with pytest.raises((TimeoutError, socket.timeout, ssl.SSLError)):
        fetch(f"{scheme}://{host}/", demo_web.env, timeout=0.5)


def test_drip_sends_one_byte_per_interval():
    from spbe_crawler.demo.rawservers import DRIP_HEAD, Drip

    drip = Drip("127.0.0.1", interval=0.05)
    drip.start()
    try:
        with socket.create_connection(("127.0.0.1", drip.port), timeout=2) as sock:
            received = b"".join(sock.recv(1) for _ in range(8))
    finally:
        drip.stop()
    assert received == DRIP_HEAD[:8]


def test_rate_limit_window_slides_while_the_crawler_keeps_coming_back() -> None:
    limiter = RateLimiter(window=0.3)
    assert limiter.should_limit("a/") is True  # first request: 429
    for _ in range(4):  # 0.8 s in all, each request within 0.3 s of the previous one
        time.sleep(0.2)
        assert limiter.should_limit("a/") is False
    assert limiter.should_limit("b/") is True  # another URL is limited on its own
    time.sleep(0.45)
    assert limiter.should_limit("a/") is True  # a new visit after a pause: 429 again
