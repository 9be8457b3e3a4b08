"""Crawler traps on otherwise healthy OPD sites (issue #3)."""

from __future__ import annotations

import re
import socket
import ssl
import zlib
from html import unescape

import pytest

from spbe_crawler.demo.client import fetch
from spbe_crawler.demo.traps import GZIP_BOMB_SIZE, HUGE_PAGE_SIZE, REDIRECT_CHAIN_LENGTH

ROOT = "bandarlampungkota.go.id"


def trap_url(web, name: str) -> str:
    for entry in web.manifest.values():
        for trap in entry.get("traps", []):
            if trap["name"] == name:
                assert entry["expected_status"] == "ok" and entry["kind"] == "opd"
                return trap["url"]
    raise AssertionError(name)


def links(body: bytes) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', body.decode("utf-8", "replace"))]


def test_trap_sites_link_their_traps_from_the_home_page(demo_web):
    for host, entry in demo_web.manifest.items():
        if entry.get("traps"):
            home = links(fetch(f"https://{host}/", demo_web.env).body)
            for trap in entry["traps"]:
                path = trap["url"].split(host, 1)[1]
                assert any(link.split(";")[0] == path.split(";")[0] for link in home), trap["name"]


def test_endless_calendar_always_has_a_next_month(demo_web):
    entry = trap_url(demo_web, "endless_calendar")
    base, url, months = entry.split("/agenda")[0], entry.split("?")[0] + "?bulan=2026-11", []
    for _ in range(4):
        answer = fetch(url, demo_web.env)
        following = re.search(r'<a href="([^"]+)">Bulan berikutnya', answer.body.decode())
        assert answer.status == 200 and following
        url = base + unescape(following[1])
        months.append(url[-7:])
    assert months == ["2026-12", "2027-01", "2027-02", "2027-03"]


def test_session_ids_are_new_on_every_link(demo_web):
    url = trap_url(demo_web, "session_ids")
    first, second = fetch(url, demo_web.env), fetch(url, demo_web.env)
    ids = re.findall(r"(?:jsessionid|PHPSESSID)=(\w+)", " ".join(links(first.body) + links(second.body)))
    assert first.status == 200 and len(ids) == 10 and len(set(i.upper() for i in ids)) == 10


def test_relative_link_makes_urls_grow(demo_web):
    url = trap_url(demo_web, "url_growth")
    for _depth in range(3):
        answer = fetch(url, demo_web.env)
        assert answer.status == 200 and "kategori/" in links(answer.body)
        url += "kategori/"
    assert url.endswith("/kategori/kategori/kategori/kategori/")


def test_long_url_is_served(demo_web):
    url = trap_url(demo_web, "long_url")
    assert len(url) > 2500 and fetch(url, demo_web.env).status == 200


def test_redirect_chain_ends_after_many_hops(demo_web):
    url, hops = trap_url(demo_web, "redirect_chain"), 0
    base = url.split("/unduhan")[0]
    while True:
        answer = fetch(url, demo_web.env)
        if answer.status != 302:
            break
        url, hops = base + answer.headers["location"], hops + 1
    assert answer.status == 200 and hops == REDIRECT_CHAIN_LENGTH - 1


def test_gzip_bomb_inflates_past_100_megabytes(demo_web):
    answer = fetch(trap_url(demo_web, "gzip_bomb"), demo_web.env)
    assert answer.headers["content-encoding"] == "gzip" and len(answer.body) < 200_000
    inflater, total, data = zlib.decompressobj(16 + zlib.MAX_WBITS), 0, answer.body
    while data:  # bounded memory: at most 1 MB inflated at a time
        total += len(inflater.decompress(data, 1024 * 1024))
        data = inflater.unconsumed_tail
    assert total > 100 * 1024 * 1024 and total >= GZIP_BOMB_SIZE


def test_huge_page_is_streamed_with_its_length(demo_web):
    url = trap_url(demo_web, "huge_page")
    head = fetch(url, demo_web.env, method="HEAD")
    assert int(head.headers["content-length"]) == HUGE_PAGE_SIZE
    host = url.split("/")[2]
    context = ssl.create_default_context(cafile=demo_web.env["SSL_CERT_FILE"])
    with (
        socket.create_connection(("127.0.0.1", demo_web.https_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        tls.sendall(f"GET /arsip/semua-berita.html HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        total, tail = 0, b""
        while chunk := tls.recv(1 << 16):
            total, tail = total + len(chunk), (tail + chunk)[-64:]
    header_length = total - HUGE_PAGE_SIZE
    assert 0 < header_length < 1000 and tail.endswith(b"</body></html>\n")


def test_wrong_and_missing_charsets(demo_web):
    wrong = fetch(trap_url(demo_web, "wrong_charset"), demo_web.env)
    assert "charset=utf-8" in wrong.headers["content-type"] and b'<meta charset="utf-8">' in wrong.body
    with pytest.raises(UnicodeDecodeError):
        wrong.body.decode("utf-8")
    assert "“Beasiswa Prestasi”" in wrong.body.decode("cp1252")
    missing = fetch(trap_url(demo_web, "no_charset"), demo_web.env)
    assert missing.headers["content-type"] == "text/html" and b"charset" not in missing.body.lower()
    assert "“zonasi”" in missing.body.decode("utf-8")


def test_malformed_html_is_served(demo_web):
    answer = fetch(trap_url(demo_web, "malformed_html"), demo_web.env)
    assert answer.status == 200 and b"<<div" in answer.body and b"<!DOCTYPE" not in answer.body
