"""Meta refreshes read as browsers read them (spbe_crawler/survey/refresh.py, PageFacts.refresh)."""

from __future__ import annotations

import pytest

from spbe_crawler.health.page import parse_html
from spbe_crawler.survey.refresh import refresh_target

PAGE = "https://kel.example.go.id/index.html"


@pytest.mark.parametrize(
    ("content", "target"),
    [
        ("0; url=https://portal.example.go.id/", "https://portal.example.go.id/"),
        ("0;URL='/beranda'", "https://kel.example.go.id/beranda"),
        ('3 ; Url = "beranda.php?id=1"', "https://kel.example.go.id/beranda.php?id=1"),
        ("0,url=http://portal.example.go.id", "http://portal.example.go.id"),
        ("1; https://portal.example.go.id/", "https://portal.example.go.id/"),  # no "url="
        ("0.5;url=/a", "https://kel.example.go.id/a"),
        (".5;url=/a", "https://kel.example.go.id/a"),
        ("0; url='/a' trailing", "https://kel.example.go.id/a"),  # the quote ends the URL
        ("5", None),  # a reload
        ("0; url=", None),
        ("0; url=index.html", None),  # reloads itself
        ("100; url=/later", None),  # the visitor reads the page first
        ("0; url=javascript:alert(1)", None),
        ("0; url=mailto:kel@example.go.id", None),
        ("0; url=http://[::1", None),  # malformed
        ("soon; url=/a", None),  # no delay
        ("", None),
        (None, None),
    ],
)
def test_refresh_targets(content, target):
    assert refresh_target(content, PAGE, 100) == target


def test_the_first_refresh_outside_noscript_is_the_pages():
    html = (
        "<html><head><noscript><meta http-equiv='refresh' content='0;url=/tanpa-js'></noscript>"
        "<meta http-equiv='Refresh' content='0; url=https://portal.example.go.id/'>"
        "<meta http-equiv='refresh' content='0; url=/kedua'></head><body></body></html>"
    )
    facts = parse_html(PAGE, 200, {}, html)
    assert facts.refresh == "0; url=https://portal.example.go.id/"
    assert [content for key, content in facts.meta if key == "refresh"][0].endswith("/tanpa-js")  # rules still see all
    assert parse_html(PAGE, 200, {}, "<html><head><title>x</title></head><body>x</body></html>").refresh is None


def test_a_refresh_resolves_against_the_pages_base_href():
    """As browsers do (the document's base URL): a site moved to a sub-folder keeps its relative
    refresh working through <base href>; a base that is no web address is ignored."""
    html = "<html><head><base href='https://kel.example.go.id/situs/'><meta http-equiv='refresh' content='0; url=beranda'></head></html>"
    facts = parse_html(PAGE, 200, {}, html)
    assert facts.base_url == "https://kel.example.go.id/situs/"
    assert refresh_target(facts.refresh, PAGE, 100, facts.base_url) == "https://kel.example.go.id/situs/beranda"
    placeholder = parse_html(PAGE, 200, {}, html.replace("https://kel.example.go.id/situs/", "ftp://berkas.example.go.id/"))
    assert placeholder.base_url is None
    assert refresh_target(placeholder.refresh, PAGE, 100, placeholder.base_url) == "https://kel.example.go.id/beranda"
    assert parse_html(PAGE, 200, {}, "<html><head><meta http-equiv='refresh' content='0; url=a'></head></html>").base_url is None
