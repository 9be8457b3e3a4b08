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
