"""parse_page: robust to malformed markup, wrong charsets, empty and hostile bodies; bounded output."""

from __future__ import annotations

import random
from pathlib import Path
from urllib.parse import urljoin

import pytest
from url_support import outcome, url_pairs

from spbe_crawler.health import page
from spbe_crawler.health.page import MAX_BODY_BYTES, MAX_TEXT_CHARS, PageFacts, join_url, parse_page
from spbe_crawler.health.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
URL = "https://kel-contoh.bandarlampungkota.go.id/berita/"


def parse(body: bytes | str, headers: dict | None = None, hint: str | None = None, url: str = URL) -> PageFacts:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return parse_page(url, 200, headers or {}, data, encoding_hint=hint)


def test_extracts_the_parts_checks_read() -> None:
    facts = parse("""<!doctype html><html lang="id"><head>
        <title>  Kelurahan   Contoh </title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="WordPress 6.5">
        <meta property="og:title" content="Judul OG">
        <link rel="canonical" href="/berita/">
        <link rel="amphtml" href="https://amp.contoh.go.id/berita/">
        <script>var hidden = "slot gacor";</script><style>.x{color:red}</style>
        </head><body><h1>Berita</h1><p>Warga <b>ber</b>gotong royong.</p>
        <a href="../profil">Profil</a> <a href="javascript:void(0)">Menu</a>
        <a href="https://www.lapor.go.id"><img src="lapor.png" alt=""></a></body></html>""")
    assert facts.title == "Kelurahan Contoh"
    assert facts.text == "Berita Warga bergotong royong. Profil Menu"
    assert "slot gacor" not in facts.text and "color" not in facts.text
    assert facts.lang == "id" and facts.generator == "WordPress 6.5"
    assert facts.viewport == "width=device-width, initial-scale=1"
    assert facts.meta_content("OG:TITLE") == "Judul OG"
    assert facts.canonical == "https://kel-contoh.bandarlampungkota.go.id/berita/"
    assert facts.amphtml == "https://amp.contoh.go.id/berita/"
    assert [(link.href, link.text) for link in facts.links] == [
        ("https://kel-contoh.bandarlampungkota.go.id/profil", "Profil"),
        ("https://www.lapor.go.id", ""),
    ]
    assert facts.is_https and facts.problem is None


@pytest.mark.parametrize(
    "style",
    [
        "display:none",
        "display: none !important",
        "visibility:hidden",
        "position:absolute;left:-9999px",
        "text-indent:-10000px",
        "font-size:0",
        "font-size: 0px",
        "height:0;overflow:hidden",
        "overflow: hidden; max-height: 0px",
    ],
)
def test_hidden_styles_move_text_out_of_the_visible_text(style: str) -> None:
    facts = parse(
        f'<html><body><p>Layanan kelurahan</p><div style="{style}"><a href="https://x.example/">'
        f"tautan rahasia</a></div><p>Penutup</p></body></html>"
    )
    assert facts.text == "Layanan kelurahan Penutup"
    assert facts.hidden_text == "tautan rahasia"
    assert facts.links[0].hidden


@pytest.mark.parametrize(
    "style", ["display:block", "visibility:visible", "font-size:10px", "left:-5px", "height:0", "overflow:hidden;height:300px"]
)
def test_visible_styles_stay_visible(style: str) -> None:
    facts = parse(f'<html><body><div style="{style}">teks biasa</div></body></html>')
    assert facts.text == "teks biasa" and facts.hidden_text == ""


def test_hidden_attribute_and_noscript_are_hidden_text() -> None:
    facts = parse("<body><p hidden>tersembunyi</p><noscript>aktifkan javascript</noscript>terlihat</body>")
    assert facts.text == "terlihat"
    assert facts.hidden_text == "tersembunyi aktifkan javascript"


def test_malformed_html_is_parsed_leniently() -> None:
    facts = parse(
        "<html><head><title>Judul</title><body><div><p>satu<p>dua</i></b><a href=/x>tautan"
        "<!-- komentar -->sisa<table><tr><td>sel</div></html></html>&amp;&nbsp;&bogus;"
    )
    assert facts.problem is None
    assert "satu" in facts.text and "dua" in facts.text and "sisa" in facts.text and "sel" in facts.text
    assert "komentar" not in facts.text
    assert facts.links[0].href == "https://kel-contoh.bandarlampungkota.go.id/x"


def test_placeholder_base_href_of_a_template_is_ignored() -> None:
    facts = parse('<html><head><base href="{{ URL }}"></head><body><a href="daftar">Daftar</a></body></html>')
    assert facts.links[0].href == "https://kel-contoh.bandarlampungkota.go.id/berita/daftar"


@pytest.mark.parametrize(
    "body, headers, hint, expected",
    [
        # UTF-8 body behind a server that claims ISO-8859-1
        (
            "<p>Pelayanan Cepat — Kelurahan Sukarame</p>".encode(),
            {"Content-Type": "text/html; charset=ISO-8859-1"},
            None,
            "Pelayanan Cepat — Kelurahan Sukarame",
        ),
        # Windows-1252 body behind a header that claims UTF-8
        (
            "<p>Café · Résumé · Naïve · Façade · Señor · Jalan Raya</p>".encode("cp1252"),
            {"Content-Type": "text/html; charset=utf-8"},
            None,
            "Café · Résumé · Naïve · Façade · Señor · Jalan Raya",
        ),
        # no declaration at all, single-byte body
        ("<p>Kantor Lurah © 2024</p>".encode("cp1252"), {}, None, "Kantor Lurah © 2024"),
        # declared only in <meta>
        ('<meta charset="windows-1252"><p>Dinas Perhubungan – 2025</p>'.encode("cp1252"), {}, None, "Dinas Perhubungan – 2025"),
        # the caller's hint wins over the header
        ("<p>Résumé</p>".encode("latin-1"), {"Content-Type": "text/html; charset=utf-8"}, "iso-8859-1", "Résumé"),
        # byte-order mark
        ("\ufeff<p>Selamat datang</p>".encode("utf-16-le"), {}, None, "Selamat datang"),
        # bogus charset name
        (b"<p>Biasa</p>", {"Content-Type": "text/html; charset=x-tidak-ada"}, None, "Biasa"),
    ],
)
def test_wrong_or_missing_charset(body: bytes, headers: dict, hint: str | None, expected: str) -> None:
    assert parse(body, headers, hint).text == expected


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n\t ",
        b"\x00\x01\x02\xff\xfe\x00garbage",
        random.Random(17).randbytes(4096),  # seeded: the same bytes in every test process
        b"<",
        b"<html>",
        b"<?xml version='1.0' encoding='latin1'?><p>x</p>",
    ],
)
def test_empty_or_binary_bodies_never_raise(body: bytes) -> None:
    facts = parse(body)
    assert isinstance(facts.text, str) and len(facts.text) <= MAX_TEXT_CHARS
    assert load_rules(ROOT / "spbe_crawler" / "data" / "health_rules").evaluate(facts).errors == ()


def test_empty_body_is_reported_as_a_value() -> None:
    facts = parse(b"")
    assert facts.problem and facts.text == "" and facts.links == ()


def test_scrapy_style_byte_headers_are_normalised() -> None:
    facts = parse_page(URL, 200, {b"Content-Type": [b"text/html; charset=utf-8"], b"Set-Cookie": [b"a=1", b"b=2"]}, b"<p>ok</p>")
    assert facts.headers == {"content-type": "text/html; charset=utf-8", "set-cookie": "a=1, b=2"}


def test_huge_and_deeply_nested_bodies_are_bounded() -> None:
    body = b"<html><body>" + b"<div>" * 50_000 + b"dalam" + b"</div>" * 50_000 + b"<p>kata </p>" * 600_000
    facts = parse(body)
    assert facts.truncated
    assert len(facts.html) <= MAX_BODY_BYTES
    assert len(facts.text) <= MAX_TEXT_CHARS


def test_join_url_is_urljoin_on_generated_and_nasty_urls() -> None:
    differences = []
    checked = 0
    for base, href in url_pairs():
        checked += 1
        expected, got = outcome(urljoin, base, href), outcome(join_url, base, href)
        if got != expected:
            differences.append((base, href, expected, got))
    assert checked > 100_000
    assert differences[:20] == []


def test_join_url_takes_its_fast_paths_for_common_links(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(base: str, href: str) -> str:
        raise AssertionError(f"urljoin({base!r}, {href!r}) called")

    monkeypatch.setattr(page, "urljoin", refuse)
    base = "https://kel-a.go.id/berita/index.php?id=3"
    assert join_url(base, "https://kel-a.go.id/profil?x=1#a") == "https://kel-a.go.id/profil?x=1#a"
    assert join_url(base, "http://www.lapor.go.id") == "http://www.lapor.go.id"
    assert join_url(base, "/struktur-organisasi/") == "https://kel-a.go.id/struktur-organisasi/"
    assert join_url("HTTP://[::1]:8080/a;p?q#f", "/x?y=1") == "http://[::1]:8080/x?y=1"
    for slow in ("//b.go.id/x", "../x", "/a/../x", "?q", "#f", "/x?", "HTTP://a.go.id/", "/a;p", "/a\\b", "x"):
        with pytest.raises(AssertionError, match="urljoin"):
            join_url(base, slow)


def test_join_url_raises_like_urljoin_on_a_malformed_base() -> None:
    for href in ("/x", "https://a.go.id/x"):
        with pytest.raises(ValueError):
            urljoin("http://[::1/", href)
        with pytest.raises(ValueError):
            join_url("http://[::1/", href)


def test_a_second_copy_of_the_same_markup_reuses_the_facts_with_its_own_status_and_headers():
    body = b'<html><head><title>Kelurahan</title></head><body><p>2 Januari 2026</p><a href="/profil">Profil</a></body></html>'
    url = "https://kel.example.go.id/"
    earlier = parse_page(url, 200, {b"Content-Type": [b"text/html; charset=utf-8"]}, body, "utf-8")
    headers = {b"Content-Type": [b"text/html; charset=utf-8"], b"X-Bot": [b"1"]}
    again = parse_page(url, 203, headers, body, "utf-8", earlier=earlier)
    assert again == parse_page(url, 203, headers, body, "utf-8")
    assert again.headers["x-bot"] == "1" and again.status == 203 and again.links == earlier.links

    other = parse_page(url, 200, headers, body.replace(b"Kelurahan", b"Slot gacor"), "utf-8", earlier=earlier)
    assert other.title == "Slot gacor" and other == parse_page(url, 200, headers, body.replace(b"Kelurahan", b"Slot gacor"), "utf-8")
    moved = parse_page(url + "beranda", 200, headers, body, "utf-8", earlier=earlier)
    assert moved.url.endswith("/beranda") and moved.links[0].href == "https://kel.example.go.id/profil"
    latin = {b"Content-Type": [b"text/html; charset=latin-1"]}
    assert parse_page(url, 200, latin, body, None, earlier=earlier).encoding != earlier.encoding
