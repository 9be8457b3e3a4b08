"""The fast paths of page fact extraction against straightforward references on tricky markup.

``walk`` (one pass over ``root.iter()``) against ``walk_reference`` (explicit open/close stack with the
budget checked per piece), ``_text_content`` against lxml's ``text_content()``, and the date scanning
shortcuts (``_year_starts``, the month-initial guard of ``_MDY_WORDS``) against plain regex scans.
"""

from __future__ import annotations

import random
import re
from datetime import date

import lxml.etree
import pytest

from spbe_crawler.health import dates
from spbe_crawler.health.page import _parse_tree, _text_content, parse_page
from spbe_crawler.health.textwalk import WalkResult, walk, walk_reference

TRICKY = [
    "",
    "x",
    "<p>plain</p>",
    "<html><body>a<br>b<b>c</b>d<span>e</span><div>f</div>g</body></html>",
    "<p>Warga <b>ber</b>gotong <i>ro<u>yo</u>ng</i>.</p> tail <em></em>x",
    "<div hidden>secret <a href='/h'>link</a> more</div>after",
    "<div style='DISPLAY: none !important'>one<p>two</p>three</div>four",
    "<div style='visibility:hidden'><span style='display:block'>x</span></div>y",
    "<div style='position:absolute;left:-9999px'>off<a href='http://x.go.id/'>s</a></div>",
    "<p style='font-size:0'>zero</p><p style='font-size:0px;color:red'>zero2</p><p style='font-size:0.9em'>shown</p>",
    "<div style='height:0;overflow:hidden'>box</div><div style='height:0'>not hidden</div>",
    "<noscript><a href='/n'>nolink</a>text</noscript>after",
    "<script>var a='<p>x</p>';</script>s<style>.x{}</style>t<template><a href='/t'>tt</a></template>u",
    "<svg><a href='/svg'>svg text</a><text>more</text></svg>tail<math>m</math>",
    "<iframe src='x'>frame</iframe><object>obj</object><video>v</video><canvas>c</canvas>end",
    "<div>a<!-- comment <b>x</b> -->b<?php echo 1; ?>c</div><!--top-->",
    "<p>&amp; &lt;b&gt; &nbsp; &#160; &#x2003; &copy; &unknown; &#0; &#xD800;</p>",
    "<p>\n\t  spaced \u00a0 \u3000 words\u200b \x0b\x0c</p>",
    "<div><p>unclosed <b>bold <i>both</div>after<p>next",
    "<table><tr><td>a</td><td>b<td>c</table>d<li>e<li>f",
    "<a href='/a'>one<a href='/b'>two</a></a><area href='/area'><a name='x'>no href</a><a href=''>empty</a>",
    "<title>T</title><head><meta name='x' content='y'></head>body text",
    "<body><div hidden><noscript><div style='display:none'>deep</div></noscript></div>out</body>",
    "<div><span>a</span><span>b</span></div><div><b>c</b></div>",
    "</p></div>stray closing<p>",
    "<html><head><script>x</script></head></html>trailing",
    "<b>" * 300 + "deep" + "</b>" * 300 + "after deep",
    "<div>" * 300 + "deep div" + "</div>" * 300 + "after",
    "<p>a<label for='f'>L<input id='f' name='q'></label>b<select><option>o1<option>o2</select>c</p>",
    "<div style='display:none'>hidden<script>s</script><a href='/hs'>x</a></div><script><a href='/ss'>in script</a></script>",
    "<ul><li>1</li>\n<li>2</li>\n</ul>\n",
]

_TAGS = "div p span b a script style noscript title li ul br img time td table font em svg label input select option button"
_ATTRS = [
    'href="/x y"',
    'href="http://a.go.id/p"',
    'href=""',
    'style="display: none"',
    'style="font-size:0"',
    'style="height:0;overflow:hidden"',
    "hidden",
    'title="T  t"',
    'alt="Alt"',
    'id="f1"',
]
_TEXTS = [" hello ", "12 Oktober 2025", "\n\t", "&amp;", "&nbsp;x", "\u00a0", "kata", "<!-- c -->", "<?pi x?>", "\u200b"]


def _random_markup(rng: random.Random, depth: int = 0) -> str:
    out = []
    for _ in range(rng.randint(0, 5)):
        if rng.random() < 0.45 or depth > 6:
            out.append(rng.choice(_TEXTS))
        else:
            tag = rng.choice(_TAGS.split())
            attrs = " ".join(rng.sample(_ATTRS, rng.randint(0, 2)))
            close = "" if rng.random() < 0.15 else f"</{tag}>"
            out.append(f"<{tag} {attrs}>{_random_markup(rng, depth + 1)}{close}")
    return "".join(out)


def _random_pages(count: int) -> list[str]:
    rng = random.Random(2024)
    return [_random_markup(rng) for _ in range(count)]


def _same(fast: WalkResult, reference: WalkResult) -> None:
    assert fast.visible == reference.visible
    assert fast.hidden == reference.hidden
    assert [(id(e), h) for e, h in fast.anchors] == [(id(e), h) for e, h in reference.anchors]
    assert fast.truncated == reference.truncated


PAGES = TRICKY + _random_pages(400)


@pytest.mark.parametrize("markup", PAGES, ids=[f"page{i}" for i in range(len(PAGES))])
def test_walk_equals_the_reference_walk(markup: str) -> None:
    root = _parse_tree(markup)
    if root is None:  # nothing to parse (empty, or a lone processing instruction)
        return
    _same(walk(root, 300_000, 5_000), walk_reference(root, 300_000, 5_000))


@pytest.mark.parametrize("markup", TRICKY[:40], ids=[f"page{i}" for i in range(len(TRICKY[:40]))])
def test_walk_of_a_subtree_equals_the_reference_walk(markup: str) -> None:
    """The walk may start below the document root (its first element then has a parent)."""
    root = _parse_tree(markup)
    if root is None or not len(root):
        return
    for element in root.iter("body", "div", "p"):
        _same(walk(element, 300_000, 5_000), walk_reference(element, 300_000, 5_000))


def test_walk_is_not_trivially_equal() -> None:
    root = _parse_tree("<div style='DISPLAY: none !important'>one<p>two</p>three</div>four")
    assert root is not None
    result = walk(root, 300_000, 5_000)
    assert "".join(result.visible).split() == ["four"]
    assert "".join(result.hidden).split() == ["one", "two", "three"]


@pytest.mark.parametrize("budget", [1, 5, 20, 60])
@pytest.mark.parametrize("markup", TRICKY[1:12] + TRICKY[20:] + ["<p>" + "kata " * 50 + "</p><div hidden>" + "x " * 50 + "</div>"])
def test_walk_at_the_text_budget_equals_the_reference_walk(markup: str, budget: int) -> None:
    root = _parse_tree(markup)
    assert root is not None
    _same(walk(root, budget, 5_000), walk_reference(root, budget, 5_000))


@pytest.mark.parametrize("anchor_budget", [0, 1, 2])
def test_walk_anchor_budget(anchor_budget: int) -> None:
    root = _parse_tree(TRICKY[20])
    assert root is not None
    _same(walk(root, 300_000, anchor_budget), walk_reference(root, 300_000, anchor_budget))


@pytest.mark.parametrize("markup", PAGES[:150], ids=[f"page{i}" for i in range(150)])
def test_text_content_equals_lxml_text_content(markup: str) -> None:
    root = _parse_tree(markup)
    if root is None:
        return
    string = lxml.etree.XPath("string()")  # what lxml.html's text_content() evaluates
    for element in root.iter(lxml.etree.Element):
        assert _text_content(element) == string(element)


def test_year_starts_equal_the_regex_scan() -> None:
    rng = random.Random(5)
    alphabet = "0129 \u0661\u00b2a-"  # an Arabic-Indic digit (\d) and a superscript two (not \d)
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        for sample in (text, "x" * 300 + text):  # the dense and the sparse search
            assert dates._year_starts(sample) == [m.start() for m in dates._YEAR.finditer(sample)], sample


def test_decimal_is_regex_digit() -> None:
    assert all(bool(re.fullmatch(r"\d", chr(c))) == chr(c).isdecimal() for c in range(0x30000) if not 0xD800 <= c < 0xE000)


def test_month_guard_keeps_every_match() -> None:
    unguarded = re.compile(
        rf"(?<![\w])(?:{dates._MONTH_ALT})\.?\s(\d{{1,2}}),?\s((?:19|20)\d\d)(?!\d)",
        re.IGNORECASE,
    )
    initials = re.compile(f"[{dates._MONTH_INITIALS}]", re.IGNORECASE)
    names = re.compile(f"(?:{dates._MONTH_ALT})", re.IGNORECASE)
    # Every character a month name can start with (case-insensitively: "ſ" is an "s") passes the guard.
    for code in range(0x30000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        if any(names.match(char + name[1:]) for name in dates.MONTHS):
            assert initials.match(char), hex(code)
    texts = [
        "Posted on November 3, 2025",
        "ſeptember 3, 2025 and ſep. 4 2024",
        "NOV 3 2025, Mei 2, 2024; aug. 9, 2023; xjan 1, 2020",
        "Des 12, 2024 | Pebruari 1, 2022 | OKT 5, 2021 | jUnE 30, 2019",
    ]
    for text in texts:
        spans = dates._year_spans(text)
        assert [m.span() for m in dates._scan(dates._MDY_WORDS, text, spans)] == [m.span() for m in dates._scan(unguarded, text, spans)]
        assert [m.span() for m in dates._MDY_WORDS.finditer(text)] == [m.span() for m in unguarded.finditer(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ſeptember 3, 2025", date(2025, 9, 3)),
        ("3 ſep 2025", date(2025, 9, 3)),
        ("JUNİ 5, 2020", date(2020, 6, 5)),
        ("5 JULİ 2020", date(2020, 7, 5)),
    ],
)
def test_month_names_re_folds_to_ascii_do_not_crash(text: str, expected: date) -> None:
    """``re`` matches "ſ" as "s" and "İ" as "i", ``str.lower`` does not: the page once raised KeyError."""
    assert dates.dates_from_text(text) == [expected]
    assert parse_page("https://x.go.id/", 200, {}, f"<p>{text}</p>".encode(), today=date(2026, 1, 1)).dates == (expected,)
