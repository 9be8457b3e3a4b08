"""The one matcher engine (spbe_crawler.matching): every page part, count conditions, the regex
policy's refusal naming the rule file and rule, and bounded plain-text evidence snippets."""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from inventory import load_pack
from inventory.rules import RuleError as SignatureRuleError
from spbe_crawler.health.page import PageFacts, parse_page
from spbe_crawler.health.rules import RuleError as HealthRuleError
from spbe_crawler.health.rules import load_rules
from spbe_crawler.health.usage import UsageConfigError, load_usage_specs
from spbe_crawler.matching import HEALTH, SIGNATURES, Condition, Dialect, Matcher, SpecError, compile_condition, compile_matcher
from spbe_crawler.matching.parts import ItemList, fold
from spbe_crawler.matching.snippets import SNIPPET_CHARS, cut

ROOT = Path(__file__).resolve().parents[1]
PAGE = b"""<html lang="id"><head><title>Portal  Kota Contoh</title>
<meta name="description" content="Situs resmi Kota Contoh">
<meta name="generator" content="WordPress 6.4">
<meta name="x-generator" content="Joomla">
<link rel="canonical" href="https://contoh.go.id/beranda">
<link rel="amphtml" href="https://amp-gacor.pages.dev/x">
<script src="/js/app.js"></script></head>
<body><h1>Selamat datang</h1><p>Layanan publik Kota Contoh.</p>
<div style="display:none">slot gacor maxwin</div>
<a href="/ppid">PPID Kota</a><a href="https://jdih.contoh.go.id/">JDIH</a>
<a href="mailto:lapor@contoh.go.id">lapor</a>
<form><label for="q">Kata kunci</label><input id="q" name="cari"></form>
</body></html>"""


def page(body: bytes = PAGE, url: str = "https://www.contoh.go.id/", headers: dict[str, str] | None = None) -> PageFacts:
    return parse_page(url, 200, headers or {"Content-Type": "text/html", "Server": "LiteSpeed"}, body)


def first(spec: dict[str, object], dialect: Dialect, facts: PageFacts | None = None) -> str | None:
    hit = compile_matcher(spec, dialect).search(facts or page())
    return hit.snippet if hit else None


# --- parts --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dialect", [HEALTH, SIGNATURES], ids=lambda d: d.name)
@pytest.mark.parametrize(
    ("spec", "miss"),
    [
        ({"url": r"^https://www\.contoh"}, {"url": "^http://"}),
        ({"host": r"^www\.contoh\.go\.id$"}, {"host": "jdih"}),
        ({"title": "portal kota"}, {"title": "kabupaten"}),
        ({"text": "layanan publik"}, {"text": "slot gacor"}),  # hidden text is not visible text
        ({"hidden_text": "slot gacor"}, {"hidden_text": "layanan"}),
        ({"html": "display:none"}, {"html": "<iframe"}),
        ({"amphtml": r"\.pages\.dev"}, {"amphtml": "netlify"}),
        ({"canonical": "/beranda$"}, {"canonical": "/profil"}),
        ({"link_text": "^ppid kota$"}, {"link_text": "^kota$"}),
        ({"link_href": r"//jdih\."}, {"link_href": "lpse"}),
        ({"script_src": r"/js/app\.js$"}, {"script_src": "jquery"}),
        ({"form_field": "kata kunci"}, {"form_field": "password"}),
        ({"generator": "wordpress"}, {"generator": "drupal"}),
        ({"header": {"name": "server", "value": "litespeed"}}, {"header": {"name": "server", "value": "nginx"}}),
        ({"max_text_length": 500}, {"max_text_length": 5}),
        ({"min_text_length": 5}, {"min_text_length": 5000}),
        ({"max_links": 3}, {"max_links": 1}),
        ({"min_links": 2}, {"min_links": 10}),
    ],
)
def test_every_part_is_searched_in_both_dialects(dialect: Dialect, spec: dict[str, object], miss: dict[str, object]) -> None:
    facts = page()
    assert compile_matcher(spec, dialect).search(facts) is not None, spec
    assert compile_matcher(miss, dialect).search(facts) is None, miss


def test_link_hits_carry_the_link_target_as_evidence() -> None:
    for dialect in (HEALTH, SIGNATURES):
        hit = compile_matcher({"link_text": "jdih"}, dialect).search(page())
        assert hit is not None and hit.url == hit.href == "https://jdih.contoh.go.id/"
        own = compile_matcher({"title": "portal"}, dialect).search(page())
        assert own is not None and own.url == "https://www.contoh.go.id/" and own.href == ""


def test_the_dialects_keep_their_rule_files_promises() -> None:
    facts = page()
    # meta/header name: a pattern for health rules, an exact name for the signature pack.
    assert first({"meta": {"name": "generator", "content": "joomla"}}, HEALTH, facts) is not None  # x-generator
    assert first({"meta": {"name": "generator", "content": "joomla"}}, SIGNATURES, facts) is None
    assert first({"meta": {"name": "x-generator", "content": "joomla"}}, SIGNATURES, facts) == "x-generator: Joomla"
    assert first({"meta": {"content": "situs resmi"}}, SIGNATURES, facts) is not None  # name is optional in both
    # mailto: and tel: links are not services; the health rules still see them.
    assert first({"link_href": "^mailto:"}, HEALTH, facts) is not None
    assert first({"link_href": "^mailto:"}, SIGNATURES, facts) is None
    # Signature patterns are multi-line: ^ and $ anchor lines of the markup.
    assert first({"html": "^<body>"}, SIGNATURES, facts) is not None
    assert first({"html": "^<body>"}, HEALTH, facts) is None


def test_keys_of_either_rule_family_are_accepted_by_both() -> None:
    hit = compile_matcher({"title": "portal", "kind": "search"}, HEALTH).search(page())
    assert hit is not None and hit.kind == "search"
    counted = compile_matcher({"text": "kota", "count_at_least": 2}, SIGNATURES).search(page())
    assert counted is not None and counted.count == 2
    assert compile_matcher({"link_text": "x"}, SIGNATURES).kind == "link"  # the part's default kind
    assert compile_matcher({"form_field": "x"}, HEALTH).kind == "form"


def test_parts_are_derived_once_per_page() -> None:
    facts = page()
    assert facts.parts is facts.parts
    assert facts.parts.link_hrefs is facts.parts.link_hrefs
    assert facts.parts.web_link_hrefs.items == ["https://www.contoh.go.id/ppid", "https://jdih.contoh.go.id/"]
    assert len(facts.parts.link_hrefs.items) == 3


# --- count conditions ----------------------------------------------------------------------------------
GAMBLING = b"<html><body><p>" + b"slot gacor, slot gacor, maxwin, togel. " * 3 + b"</p></body></html>"


@pytest.mark.parametrize("dialect", [HEALTH, SIGNATURES], ids=lambda d: d.name)
def test_count_and_distinct_thresholds(dialect: Dialect) -> None:
    facts = page(GAMBLING)
    spec = {"text": "slot gacor|maxwin|togel"}
    hit = compile_matcher({**spec, "count_at_least": 5}, dialect).search(facts)
    assert hit is not None and hit.count == 5  # the search stops once the threshold is met
    assert compile_matcher({**spec, "count_at_least": 13}, dialect).search(facts) is None  # 12 on the page
    assert compile_matcher({**spec, "distinct_at_least": 3}, dialect).search(facts) is not None
    assert compile_matcher({"text": "slot gacor|maxwin", "distinct_at_least": 3}, dialect).search(facts) is None
    assert compile_matcher({"text": "SLOT\\s{0,3}GACOR", "distinct_at_least": 2}, dialect).search(facts) is None  # same string


def test_counts_span_every_item_of_a_list_part() -> None:
    body = b"<html><body>" + b"".join(b'<a href="/p%d">slot %d</a>' % (i, i) for i in range(6)) + b"</body></html>"
    matcher = compile_matcher({"link_text": r"^slot \d$", "count_at_least": 6, "distinct_at_least": 6}, HEALTH)
    hit = matcher.search(page(body))
    assert hit is not None and hit.count == 6 and hit.url == "https://www.contoh.go.id/p0"
    assert compile_matcher({"link_text": r"^slot \d$", "count_at_least": 7}, HEALTH).search(page(body)) is None


def test_counters_are_refused_on_numbers_and_below_one() -> None:
    with pytest.raises(SpecError, match="count_at_least"):
        compile_matcher({"max_links": 3, "count_at_least": 2}, HEALTH)
    with pytest.raises(SpecError, match="distinct_at_least harus"):
        compile_matcher({"text": "a", "distinct_at_least": 0}, SIGNATURES)


def test_conditions_all_any_none() -> None:
    facts = page()
    condition = compile_condition({"all": [{"title": "portal"}], "any": [{"text": "tidak ada"}, {"link_text": "jdih|ppid"}]}, SIGNATURES)
    hits = condition.hits(facts)
    assert hits is not None and [h.part for h in hits] == ["title", "link_text", "link_text"]
    first_any = condition.hits(facts, limit=1, every_any=False)
    assert first_any is not None and len(first_any) == 2
    assert Condition(all=condition.all, none=(compile_matcher({"text": "selamat"}, SIGNATURES),)).hits(facts) is None
    with pytest.raises(SpecError, match="'all' dan/atau 'any'"):
        compile_condition({"none": [{"text": "x"}]}, HEALTH)


# --- the regex policy ----------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern", ["slot.*gacor", "(a+)+$", "(ab){2,5}", "(a)\\1", "x{0,1000}", "(tidak ditutup"])
def test_unsafe_patterns_are_refused_in_every_part(pattern: str) -> None:
    for spec in ({"text": pattern}, {"link_text": pattern}, {"meta": {"name": "x", "content": pattern}}):
        for dialect in (HEALTH, SIGNATURES):
            with pytest.raises(SpecError, match=re.escape(repr(pattern))):
                compile_matcher(spec, dialect)
    with pytest.raises(SpecError, match="tidak aman"):  # a meta name is a pattern for the health rules
        compile_matcher({"meta": {"name": pattern, "content": "x"}}, HEALTH)


def test_refusal_names_the_health_rule_file_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "hacked_gambling" / "judi-uji.yaml"
    path.parent.mkdir()
    rule = {
        "id": "judi-uji",
        "status": "hacked_gambling",
        "description": "Diretas — uji",
        "reference": "uji",
        "priority": 50,
        "match": {"any": [{"title": "aman"}, {"text": "slot.*gacor"}]},
        "examples": {"positive": ["a.html"], "negative": ["b.html"]},
    }
    path.write_text(yaml.safe_dump(rule), encoding="utf-8")
    with pytest.raises(HealthRuleError) as caught:
        load_rules(tmp_path)
    message = str(caught.value)
    assert str(path) in message and "'judi-uji'" in message and "match.any[1]" in message and "unbounded" in message


def test_refusal_names_the_signature_rule_file_and_rule(tmp_path: Path) -> None:
    source = ROOT / "spbe_crawler" / "data" / "signatures"
    (tmp_path / "pack.yaml").write_text((source / "pack.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    rule = yaml.safe_load((source / "hukum" / "jdih.yaml").read_text(encoding="utf-8"))
    rule["signals"] = {"interaksi": [{"form_field": "(a+)+"}]}
    (tmp_path / "hukum").mkdir()
    path = tmp_path / "hukum" / "jdih.yaml"
    path.write_text(yaml.safe_dump(rule), encoding="utf-8")
    with pytest.raises(SignatureRuleError) as caught:
        load_pack(tmp_path)
    message = str(caught.value)
    assert str(path) in message and "rule jdih" in message and "signals.interaksi[0]" in message and "unbounded" in message


def test_refusal_names_the_usage_file_and_signal(tmp_path: Path) -> None:
    path = tmp_path / "usage.yaml"
    text = (ROOT / "spbe_crawler/data/health_rules/usage.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("- link_text: 'maklumat (pelayanan|layanan)'", "- link_text: 'maklumat.+'"), encoding="utf-8")
    with pytest.raises(UsageConfigError) as caught:
        load_usage_specs(path)
    assert str(path) in str(caught.value) and "'maklumat'" in str(caught.value) and "unbounded" in str(caught.value)


# --- snippets --------------------------------------------------------------------------------------------
def test_snippets_are_bounded_and_control_free() -> None:
    filler = "kata " * 400
    body = f"<html><body><p>{filler} slot\x07gacor\x01 di sini {filler}</p><a href='/x'>{'panjang ' * 20}judi</a></body></html>"
    facts = page(body.encode())
    for dialect in (HEALTH, SIGNATURES):
        for spec in ({"text": "gacor"}, {"html": "gacor"}, {"link_text": "judi"}, {"max_links": 5}):
            hit = compile_matcher(spec, dialect).search(facts)
            assert hit is not None, (dialect.name, spec)
            assert len(hit.snippet) <= SNIPPET_CHARS
            assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", hit.snippet)
            assert "  " not in hit.snippet and "\n" not in hit.snippet
    text_hit = compile_matcher({"text": "gacor"}, HEALTH).search(facts)
    assert text_hit is not None and "gacor" in text_hit.snippet and text_hit.snippet.split()[0] == "kata"  # cut at a word


def test_signature_snippets_are_plain_text_without_markup() -> None:
    body = b'<html><body><div class="x"><script>alert("x")</script><b>Terhubung</b> ke katalog.data.go.id</div></body></html>'
    hit = compile_matcher({"html": r"katalog\.data\.go\.id"}, SIGNATURES).search(page(body))
    assert hit is not None and "<" not in hit.snippet and "alert" not in hit.snippet and "Terhubung ke katalog.data.go.id" in hit.snippet
    inside = compile_matcher({"html": r"class=.x"}, SIGNATURES).search(page(body))
    assert inside is not None and inside.snippet.startswith("x")  # a match inside markup is shown bare


def test_health_snippet_is_a_window_around_the_match() -> None:
    text = " ".join(f"kata{i}" for i in range(300)) + " slot gacor " + " ".join(f"akhir{i}" for i in range(300))
    hit = compile_matcher({"text": "slot gacor"}, HEALTH).search(page(f"<html><body><p>{text}</p></body></html>".encode()))
    assert hit is not None and "slot gacor" in hit.snippet
    assert hit.snippet.startswith("kata") and "akhir" in hit.snippet and len(hit.snippet) <= SNIPPET_CHARS


def _full_cut(text: str) -> str:
    """:func:`cut` as it was: the 20x prefix collapsed in one go."""
    return " ".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text[: SNIPPET_CHARS * 20]).split())[:SNIPPET_CHARS]


_CUT_EDGES = [
    "",
    " " * 5000,
    " " * 399 + "x",
    " " * 400 + "kata " * 100,
    " " * 3999 + "kata " * 100,
    " " * 4000 + "kata",
    "\x00\x01\x07" * 300 + "kata " * 100,
    "a" * 199,
    "a" * 200,
    "a" * 399 + " b" * 300,
    "ab " * 66 + "panjang" * 100,  # a word across the short prefix's end
    "x " * 199 + "\x1f" + "y" * 300,
    ("\u00a0\u2028\x85\x1c" + "é") * 300,
    "\n\t\r " * 120 + "kata" + "\t" * 2000 + "akhir",
]


@pytest.mark.parametrize("text", _CUT_EDGES, ids=range(len(_CUT_EDGES)))
def test_cut_equals_the_full_cut_on_edge_cases(text: str) -> None:
    assert cut(text) == _full_cut(text)


_CUT_ALPHABET = st.sampled_from(
    ["a", "b", "é", "K", " ", "  ", " " * 50, "\n", "\t", "\r", "\x00", "\x07", "\x1f", "\x7f", "\u00a0", "\u3000", "\x85", "kata "]
)


@settings(max_examples=400, deadline=None)
@given(text=st.lists(_CUT_ALPHABET, max_size=800).map("".join), padding=st.integers(0, 4500))
@example(text="kata", padding=399)
@example(text="kata", padding=3998)
def test_cut_equals_the_full_cut(text: str, padding: int) -> None:
    """The fast cut (a short prefix first) gives exactly the full cut, also after long blank runs."""
    for candidate in (text, " " * padding + text, "\x01" * padding + text, text + " " * padding + text):
        assert cut(candidate) == _full_cut(candidate)


# --- the literal prefilter -------------------------------------------------------------------------------
def test_fold_maps_every_character_that_matches_an_ascii_letter() -> None:
    """The prefilter is exact: every non-ASCII character ``re`` matches with an ASCII letter or digit
    (case-insensitively) is folded to it, so no match is ever skipped."""
    letter = re.compile("[a-z0-9]", re.IGNORECASE)
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        if letter.fullmatch(char):
            (wanted,) = [a for a in "abcdefghijklmnopqrstuvwxyz0123456789" if re.fullmatch(a, char, re.IGNORECASE)]
            assert fold(char) == wanted, hex(code)


@pytest.mark.parametrize("dialect", [HEALTH, SIGNATURES], ids=lambda d: d.name)
def test_prefilter_never_skips_a_match(dialect: Dialect) -> None:
    spoofed = "<html><head><title>x</title></head><body><p>\u212aota \u017flot gacor D\u0130NAS</p><a href='/a'>\u212aota</a></body></html>"
    facts = page(spoofed.encode())
    for spec in (
        {"text": "kota"},
        {"text": "slot gacor"},
        {"html": "dinas"},
        {"link_text": "^kota$"},
        {"text": "slot gacor", "count_at_least": 1},
    ):
        matcher = compile_matcher(spec, dialect)
        assert matcher.part.shape.value == "list" or matcher.required, spec  # the prefilter is in play
        assert matcher.search(facts) is not None, spec
    assert compile_matcher({"text": "kota"}, dialect).search(page()) is not None
    assert compile_matcher({"text": "kabupaten"}, dialect).search(page()) is None


# --- the fast paths: literal prefilters shared per page, conditions that cannot hold skipped -------------
SAMPLE_PAGES = sorted((ROOT / "tests" / "sample_data").rglob("*.html"))


def _ungated(condition: Condition) -> Condition:
    """``condition`` without any literal prefilter: every matcher runs its regex (the reference)."""

    def strip(matchers: tuple[Matcher, ...]) -> tuple[Matcher, ...]:
        copies = []
        for matcher in matchers:
            bare = copy.copy(matcher)
            object.__setattr__(bare, "gate", None)
            copies.append(bare)
        return tuple(copies)

    bare = Condition(all=strip(condition.all), any=strip(condition.any), none=strip(condition.none))
    assert bare.any_gates is None
    return bare


def test_prefilters_change_no_finding_of_the_shipped_rules() -> None:
    """Every health rule and signature rule gives the same hits with and without the prefilters."""
    conditions = [rule.match for rule in load_rules()] + [rule.match for rule in load_pack().rules]
    assert any(c.any_gates for c in conditions)  # the skip is in play
    pages = [page(), page(b"<title>\xe2\x84\xaaota</title><p>x</p>", url="https://\u0130nspektorat.contoh.go.id/ppid")]
    pages += [page(path.read_bytes(), url=f"https://{path.parent.name}.contoh.go.id/{path.stem}") for path in SAMPLE_PAGES]
    assert len(pages) > 50
    matched = 0
    for facts in pages:
        for condition in conditions:
            reference = _ungated(condition)
            for limit, every_any in ((5, True), (1, False)):
                got = condition.hits(facts, limit, every_any)
                assert got == reference.hits(facts, limit, every_any), (facts.url, condition)
                matched += got is not None
    assert matched > 50


def test_a_condition_whose_any_literals_are_absent_calls_no_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    condition = compile_condition({"any": [{"title": "lpse"}, {"link_href": "spse"}, {"host": "^lpse\\."}]}, SIGNATURES)
    assert condition.any_gates is not None and len(condition.any_gates) == 3
    assert compile_condition({"any": [{"title": "lpse"}, {"meta": {"content": "lpse"}}]}, SIGNATURES).any_gates is None
    facts = page()
    assert condition.hits(facts) is None  # warms the parts read below
    calls: list[str] = []
    original = Matcher.hits

    def counted(self: Matcher, facts: PageFacts, limit: int = 5) -> list[object]:
        calls.append(self.part.name)
        return original(self, facts, limit)  # type: ignore[return-value]

    monkeypatch.setattr(Matcher, "hits", counted)
    assert condition.hits(page()) is None
    assert calls == []
    assert condition.hits(page(url="https://lpse.contoh.go.id/")) is not None
    assert calls == ["title", "link_href", "host"]


def test_literal_checks_are_shared_and_run_once_per_page() -> None:
    one, two = compile_matcher({"text": "slot gacor"}, HEALTH), compile_matcher({"text": "slot gacor", "count_at_least": 2}, HEALTH)
    assert one.gate is not None and one.gate is two.gate
    facts = page()
    assert one.hits(facts) == [] and two.hits(facts) == []
    assert facts.parts.literals == {one.gate: False}
    facts.parts.literals[one.gate] = True  # the memo decides: the regex now runs (and finds nothing)
    assert one.hits(facts) == []
    facts.parts.literals[one.gate] = False  # a memo saying "absent" skips even a real match
    assert compile_matcher({"text": "selamat"}, HEALTH).hits(facts)
    gated = compile_matcher({"text": "selamat"}, HEALTH)
    facts.parts.literals[gated.gate] = False
    assert gated.hits(facts) == []
    link = compile_matcher({"link_text": "^ppid kota$"}, SIGNATURES)
    assert link.gate is not None and link.hits(page())
    facts = page()
    facts.parts.literals[link.gate] = False  # a list part whose folded items lack the literals: no item is searched
    assert link.hits(facts) == []


@pytest.mark.parametrize("dialect", [HEALTH, SIGNATURES], ids=lambda d: d.name)
def test_small_text_parts_are_prefiltered_exactly(dialect: Dialect) -> None:
    spoofed = (
        "<html><head><title>\u212aota \u017flot</title><link rel='amphtml' href='https://x.pages.dev/\u212a'></head><body>x</body></html>"
    )
    facts = page(spoofed.encode(), url="https://\u212aota.go.id/pp\u0131d")
    for spec in ({"title": "^kota slot$"}, {"url": "/ppid$"}, {"amphtml": "/k$"}, {"canonical": "xyz"}, {"host": "^kota"}):
        if next(iter(spec)) not in dialect.parts:
            continue
        matcher = compile_matcher(spec, dialect)
        assert matcher.gate is not None, spec
        found = matcher.search(facts)
        assert (found is not None) == (spec != {"canonical": "xyz"}), spec


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab \u0130\u0131\u212a\u017fKI\u00df\u03a3", max_size=6), max_size=6),
    st.sampled_from(["a", "ki", "b k", "s", "ss"]),
)
def test_folded_item_lists_keep_the_items_offsets(items: list[str], needle: str) -> None:
    listed = ItemList(items)
    assert listed.folded == "\n".join(fold(item) for item in items)
    assert listed.candidates((needle,)) == [i for i, item in enumerate(items) if needle in fold(item)]


@given(st.text(max_size=20))
def test_fold_of_ascii_and_other_text(text: str) -> None:
    assert fold(text) == text.translate({0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}).lower()


# --- the needle sets of the literal prefilters ---------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="ab .\u00e9\u2620\U0001f480", min_size=1, max_size=4), min_size=1, max_size=8, unique=True),
    st.text(alphabet="ab .\u00e9\u2620\U0001f480\n\ud800", max_size=40),
)
@example(["ab", "b"], "xab")
@example(["\ud800"], "a\ud800")  # a lone surrogate (RE2 reads UTF-8): checked needle by needle
def test_a_needle_set_finds_exactly_the_needles_in_the_text(needles: list[str], text: str) -> None:
    from spbe_crawler.matching.engine import NeedleSet

    found = NeedleSet(lambda facts: text)
    found.add(needles)
    assert found.search(text) == {needle for needle in needles if needle in text}


def test_every_prefilter_of_the_rules_answers_as_a_scan_would_on_the_demo_pages() -> None:
    """The health rules, usage signals and signature pack run over the demo's problem pages; then each
    prefilter they made (with the real needles of the rule files) is checked against ``in`` on every page."""
    from inventory.page import PageData
    from spbe_crawler.matching import engine

    pages = sorted((Path(__file__).resolve().parents[1] / "spbe_crawler" / "demo" / "problem_pages").glob("*.html"))
    assert len(pages) > 10
    rules, pack = load_rules(), load_pack()
    facts = [page(path.read_bytes(), url=f"https://{path.stem.split('--')[0]}.contoh.go.id/") for path in pages]
    for one in facts:
        rules.evaluate(one)
        pack.match_page(PageData(url=one.url, status=one.status, headers=one.headers, facts=one))
    prefilters = list(engine._LITERALS.values())
    assert len(prefilters) > 50
    fresh = [page(path.read_bytes(), url=f"https://{path.stem.split('--')[0]}.contoh.go.id/") for path in pages]
    present = 0
    for one in fresh:
        for prefilter in prefilters:
            expected = any(needle in prefilter.folded(one) for needle in prefilter.needles)
            assert prefilter.present(one) == expected, (prefilter.needles, one.url)
            present += expected
    assert present > len(fresh), "some needles occur: the check is not vacuous"


# --- the screen: the rules a page can satisfy, from the needles it holds -------------------------------
def test_a_screen_keeps_the_rules_whose_entry_literals_occur_and_those_without_any() -> None:
    from spbe_crawler.matching.screen import Screen, entry_gates

    lpse = compile_condition({"any": [{"title": "lpse"}, {"link_href": "spse"}]}, SIGNATURES)
    jdih = compile_condition({"all": [{"link_text": "jdih"}, {"meta": {"content": "x"}}]}, SIGNATURES)
    meta = compile_condition({"all": [{"meta": {"name": "generator", "content": "wordpress"}}]}, SIGNATURES)
    assert entry_gates(lpse) == lpse.any_gates and entry_gates(jdih) == (jdih.all[0].gate,) and entry_gates(meta) is None
    screen = Screen((name, entry_gates(condition)) for name, condition in (("lpse", lpse), ("jdih", jdih), ("meta", meta)))
    assert screen.candidates(page()) == ["jdih", "meta"]  # no "lpse"/"spse" on the page
    assert screen.candidates(page(PAGE.replace(b"<h1>", b"<a href='https://spse.contoh.go.id/'>e-proc</a><h1>"))) == [
        "lpse",
        "jdih",
        "meta",
    ]
    assert screen.candidates(page(b"<p>kosong</p>")) == ["meta"]


def test_screened_rule_sets_find_what_every_rule_finds_on_the_sample_pages() -> None:
    """The health rules and the signature pack evaluate only the rules their screens admit; every
    rule evaluated on its own gives the same verdicts and findings on the sample pages."""
    from inventory.page import PageData

    rules, pack = load_rules(), load_pack()
    pages = [page(path.read_bytes(), url=f"https://{path.parent.name}.contoh.go.id/{path.stem}") for path in SAMPLE_PAGES]
    skipped = found = 0
    for facts in pages:
        everything = [rule.id for rule in rules if rule.evaluate(facts) is not None]
        assert list(rules.evaluate(facts).matched) == sorted(
            everything, key=lambda i: (rules.get(i).priority, _severity(rules.get(i).status)), reverse=True
        )
        admitted = rules._screen.candidates(facts)
        skipped += len(rules) - len(admitted)
        assert {rule.id for rule in pack.rules if rule.match.hits(facts)} <= {rule.id for rule in pack._screen.candidates(facts)}
        data = PageData(url=facts.url, status=200, headers=facts.headers, facts=facts)
        unscreened = [hit for rule in pack.rules if (hits := rule.match.hits(facts)) for hit in pack._findings(rule, data, facts, hits)]
        unscreened = unscreened if pack.catalog.is_evidence_page(facts.url) else []
        assert pack.match_page(data) == unscreened
        found += len(unscreened)
    assert skipped > len(pages) * 10 and found > 20, "the screen skips rules and the pages hold findings: the check is not vacuous"


def _severity(status: str) -> int:
    from spbe_crawler.health.status import info

    return info(status).severity


def test_a_rule_set_screens_out_the_rules_a_page_cannot_satisfy(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = load_rules()
    called: list[str] = []
    original = type(rules.rules[0]).evaluate
    monkeypatch.setattr(type(rules.rules[0]), "evaluate", lambda self, facts: called.append(self.id) or original(self, facts))
    rules.evaluate(page())
    assert 0 < len(called) < len(rules) // 2, called
    assert rules.only("hacked_gambling") is rules.only("hacked_gambling"), "a subset is compiled once"


def test_an_empty_part_is_answered_without_the_needle_set() -> None:
    from spbe_crawler.matching.engine import NeedleSet

    needles = NeedleSet(lambda facts: "")
    needles.add(["slot", "gacor"])
    assert needles.search("") == frozenset() and needles._compiled is None
    assert needles.search("slot") == {"slot"} and needles._compiled is not None
