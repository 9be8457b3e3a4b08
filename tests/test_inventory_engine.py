"""The engine: loading (bad rules fail with file and id), bounded patterns, page parsing, matching."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from inventory import PageData, RuleError, load_pack
from spbe_crawler.matching.parts import ItemList
from spbe_crawler.patterns import PatternError, compile_bounded, required_literals

ROOT = Path(__file__).resolve().parent.parent
SIGNATURES = ROOT / "spbe_crawler" / "data" / "signatures"
PACK = load_pack(SIGNATURES)

BASE_RULE: dict[str, Any] = {
    "id": "contoh",
    "info": {
        "name": "Contoh",
        "service": "jdih",
        "indicators": {"spbe-2020": [44]},
        "description": "Aturan uji.",
        "reference": ["uji"],
        "confidence": 80,
    },
    "match": {"any": [{"host": "^jdih\\."}]},
    "examples": {
        "positive": [{"file": "tests/sample_data/inventory/jdih/home.html", "url": "https://jdih.x.go.id/"}],
        "negative": [{"file": "tests/sample_data/inventory/common/opd-profil.html", "url": "https://x.go.id/"}],
    },
}


def _pack_dir(tmp_path: Path, rules: dict[str, Any]) -> Path:
    """A pack directory with the real pack.yaml and the given ``file name -> rule`` documents."""
    root = tmp_path / "signatures"
    (root / "grup").mkdir(parents=True)
    shutil.copy(SIGNATURES / "pack.yaml", root / "pack.yaml")
    for name, rule in rules.items():
        text = rule if isinstance(rule, str) else yaml.safe_dump(rule, allow_unicode=True)
        (root / "grup" / name).write_text(text, encoding="utf-8")
    return root


def _mutated(path: str, value: Any) -> dict[str, Any]:
    rule = copy.deepcopy(BASE_RULE)
    *parents, last = path.split(".")
    target = rule
    for key in parents:
        target = target[key]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return rule


_DELETE = object()
BROKEN = {
    "bad regex": ("match", {"any": [{"host": "(jdih"}]}, "invalid regex"),
    "unbounded regex": ("match", {"any": [{"html": "<a.*lapor"}]}, "unbounded"),
    "nested repetition": ("match", {"any": [{"html": "(ab){2,5}"}]}, "repeats a group"),
    "backreference": ("match", {"any": [{"html": "(a)\\1"}]}, "backreference"),
    "two parts in a matcher": ("match", {"any": [{"host": "x", "title": "y"}]}, "tepat satu bagian halaman"),
    "unknown part": ("match", {"any": [{"body": "x"}]}, "bagian halaman tidak dikenal"),
    "unknown kind": ("match", {"any": [{"host": "x", "kind": "widget"}]}, "kind) tidak dikenal"),
    "no any or all": ("match", {"none": [{"host": "x"}]}, "harus punya 'all' dan/atau 'any'"),
    "unknown service": ("info.service", "tidak_ada", "unknown service key"),
    "confidence out of range": ("info.confidence", 120, "0..100"),
    "indicator not a number": ("info.indicators", {"spbe-2020": ["44"]}, "positive integers"),
    "informasi signal": ("signals", {"informasi": [{"host": "x"}]}, "implied"),
    "unknown level": ("signals", {"optimum": [{"host": "x"}]}, "unknown key"),
    "no negative example": ("examples.negative", [], "at least one"),
    "missing description": ("info.description", _DELETE, "missing key"),
    "probe path not absolute": ("probe", {"path": "api", "expect": {"any": [{"html": "x"}]}}, "single '/'"),
    "unknown top-level key": ("extra", 1, "unknown key"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_bad_rule_fails_loading_with_file_and_id(tmp_path: Path, case: str) -> None:
    path, value, reason = BROKEN[case]
    root = _pack_dir(tmp_path, {"contoh.yaml": _mutated(path, value)})
    with pytest.raises(RuleError) as error:
        load_pack(root)
    message = str(error.value)
    assert "contoh.yaml" in message and "rule contoh" in message and reason in message


def test_valid_base_rule_loads(tmp_path: Path) -> None:
    pack = load_pack(_pack_dir(tmp_path, {"contoh.yaml": BASE_RULE}))
    assert [rule.id for rule in pack.rules] == ["contoh"]


def test_file_name_must_equal_id(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"lain\.yaml: rule contoh: file name must be contoh\.yaml"):
        load_pack(_pack_dir(tmp_path, {"lain.yaml": BASE_RULE}))


def test_duplicate_id_is_rejected(tmp_path: Path) -> None:
    root = _pack_dir(tmp_path, {"contoh.yaml": BASE_RULE})
    (root / "lain").mkdir()
    (root / "lain" / "contoh.yaml").write_text(yaml.safe_dump(BASE_RULE), encoding="utf-8")
    with pytest.raises(RuleError, match="duplicate id"):
        load_pack(root)


def test_unparsable_yaml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"rusak\.yaml: rule rusak: cannot read YAML"):
        load_pack(_pack_dir(tmp_path, {"rusak.yaml": "id: [tidak ditutup\n"}))


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        ("jdihn\\.go\\.id", True),
        ('"success":\\s{0,5}true', True),
        ("^.{0,20}\\bJDIH\\b.{0,40}$", True),
        ("(?:www\\.)?lapor\\.go\\.id", True),
        ("(a+)+$", False),
        ("(a|aa){1,50}", False),
        ("\\s*x", False),
        ("x{0,1000}", False),
        ("a.{0,200}b.{0,200}c", False),
        ("x" * 501, False),
    ],
)
def test_patterns_must_be_bounded(pattern: str, ok: bool) -> None:
    if ok:
        compiled = compile_bounded(pattern)
        assert compiled.flags & re.IGNORECASE and compiled.flags & re.MULTILINE
    else:
        with pytest.raises(PatternError):
            compile_bounded(pattern)


def test_item_list_confirms_matches_per_item() -> None:
    items = ItemList(["jd", "ih portal", "JDIH", "x", "jdih lagi"])
    pattern = compile_bounded("jd\\s{0,3}ih")
    assert _found(items, pattern, 10) == [2, 4]  # "jd" + "\n" + "ih" straddles two items
    assert _found(items, pattern, 1) == [2]
    assert _found(items, compile_bounded("^x$"), 10) == [3]


def _found(items: ItemList, pattern: re.Pattern[str], limit: int, required: tuple[str, ...] | None = None) -> list[int]:
    """Indices found by the joined-text search (the signature pack's patterns are multi-line)."""
    return [index for index, _ in items.find(pattern, limit, required, joined=pattern)]


@pytest.mark.parametrize("pattern", ["\\bjdih\\b", "^x$", "jd\\s{0,3}ih", "portal|lagi", "\\blapor!"])
def test_literal_prefilter_finds_what_the_full_scan_finds(pattern: str) -> None:
    """The required-literal path must agree with the plain scan, also when lower() changes lengths."""
    items = ItemList(["İİİİ jd", "ih portal", "İİ JDIH", "x", "jdih lagi", "LAPOR!", "pelaporan"])
    compiled = compile_bounded(pattern)
    required = required_literals(pattern)
    assert _found(items, compiled, 10, required) == _found(items, compiled, 10)
    assert _found(items, compiled, 10) == [i for i, item in enumerate(items.items) if compiled.search(item)]


@pytest.mark.parametrize(
    ("pattern", "needles"),
    [
        ("single sign[- ]on|\\bSSO\\b", ("single sign on", "single sign-on", "sso")),  # a small class is expanded
        ("^https?://(lpse|eproc)[0-9]{0,2}\\.", ("://eproc", "://lpse")),  # the run before a group joins its branches
        ("<iframe[^>]{0,200}lapor\\.go\\.id", ("lapor.go.id",)),
        ("e-?ppid|ppid\\.x", ("ppid", "ppid.x")),
        ("[a-z](88|4d)\\.", ("4d.", "88.")),  # ... and so does the run after
        ("/(wbs|whistle-?blow)", ("/wbs", "/whistle")),  # the parser's common prefix w(bs|histle) is put back
        ("l[o0]gin", ("l0gin", "login")),
        ("[ae]kun|[sz]andi", ("akun", "ekun", "sandi", "zandi")),
        ("[a-z]{2}x", None),
        ("ab|cd", ("ab", "cd")),  # two bytes are enough
        ("a|cd", None),
        ("é|ab", ("ab", "é")),  # selectivity counts UTF-8 bytes: é is two
        ("kependudukan|é{1,2}tat", ("kependudukan", "tat")),
        ("kependudukan|étape", ("kependudukan", "étape")),
        ("[a-p]x", tuple(f"{c}x" for c in "abcdefghijklmnop")),  # 16 alternatives at most...
        ("[a-q]xy", ("xy",)),  # ... a larger class ends the run
        ("[ab][cd][ef][gh][ij]xyz", ("ixyz", "jxyz")),  # 32 alternatives: the run is split, the smaller half wins
        ("[\\w.]abc|[^x]def", ("abc", "def")),
        ("deposit (pulsa|dana)", ("deposit ",)),  # long enough: fewer alternatives win
        ("dep (pulsa|dana)", ("dep dana", "dep pulsa")),
        # characters that re matches with one the fold does not turn into their lower case end a run
        ("\u212aota|\u017flot|D\u0130NAS", ("lot", "nas", "ota")),
        ("[k\u212a]ota", ("ota",)),
        ("σχολείο", ("χολ",)),  # σ matches ς, ε matches ϵ
        ("сайт", ("ай",)),  # Cyrillic с matches ᲃ, т matches ᲄ
        ("\u03c3\u03c2", None),
        ("(?i:x)(?-i:Ab)", ("ab",)),  # groups that set flags are not spliced
    ],
)
def test_required_literals(pattern: str, needles: tuple[str, ...] | None) -> None:
    assert required_literals(pattern) == needles


def test_page_is_parsed_once_into_parts() -> None:
    html = """<html><head><title> Judul  Halaman </title><base href="https://b.go.id/sub/">
    <meta name="Generator" content="ckan 2.10"><script src="js/app.js"></script></head><body>
    <a href="dok.pdf">Unduh</a><a href="javascript:void(0)">x</a><a href="https://x.go.id/"><img alt="Logo LAPOR!"></a>
    <label for="q">Kata kunci</label><input id="q" name="q"><input type="hidden" name="token">
    <label>Tahun <select name="tahun"><option>2024</option></select></label></body></html>"""
    page = PageData(url="https://a.go.id/p", headers={"Server": "nginx", "X-Multi": [b"a", b"b"]}, html=html)
    assert page.parsed is page.parsed
    parsed = page.parsed.parts
    assert parsed is page.parsed.parts
    assert parsed.short_title == "Judul Halaman"
    assert parsed.web_link_hrefs.items == ["https://b.go.id/sub/dok.pdf", "https://x.go.id/"]
    assert parsed.web_link_texts.items == ["Unduh", "Logo LAPOR!"]
    assert parsed.scripts.items == ["https://b.go.id/sub/js/app.js"]
    assert parsed.generators.items == ["ckan 2.10"]
    assert parsed.fields.items == ["q | q | Kata kunci", "tahun | 2024 | Tahun"]
    assert page.headers == {"server": "nginx", "x-multi": "a, b"}


def test_unparsable_or_empty_pages_have_no_parts() -> None:
    for html in ("", "   ", "\x00\x00", "\ud800 lone surrogate"):
        parsed = PageData(url="https://a.go.id/", html=html).parsed.parts
        assert (parsed.web_link_hrefs.items, parsed.short_title, parsed.fields.items) == ([], "", [])
    xml = PageData(url="https://a.go.id/", html="<?xml version='1.0' encoding='utf-8'?><p><a href='/x'>x</a></p>")
    assert xml.parsed.parts.web_link_hrefs.items == ["https://a.go.id/x"]


def test_error_pages_yield_no_findings() -> None:
    html = (ROOT / "tests/sample_data/inventory/jdih/home.html").read_text(encoding="utf-8")
    assert PACK.match_page(PageData(url="https://jdih.x.go.id/", status=200, html=html))
    assert PACK.match_page(PageData(url="https://jdih.x.go.id/", status=404, html=html)) == []
    assert PACK.match_page(PageData(url="https://jdih.x.go.id/", status=503, html=html)) == []


def test_link_finding_is_weaker_than_the_service_own_page() -> None:
    portal = PageData(url="https://x.go.id/", html='<a href="https://jdih.x.go.id/">JDIH</a>', unit_code="u1", website_id=7)
    own = PageData(url="https://jdih.x.go.id/", html="<title>JDIH</title>", unit_code="u2")
    (by_link,) = [m for m in PACK.match_page(portal) if m.service == "jdih"]
    (by_page,) = [m for m in PACK.match_page(own) if m.service == "jdih"]
    assert by_link.url == "https://jdih.x.go.id/" and by_link.kind == "link"
    assert by_link.signals == ("informasi",)
    assert by_link.confidence < by_page.confidence
    assert (by_link.unit_code, by_link.website_id) == ("u1", 7)
    row = by_link.as_dict()
    assert row["indicators"] == {"spbe-2020": [44], "pemdi-2026": [17]} and row["signals"] == ["informasi"]
    assert set(row) == {"rule_id", "service", "indicators", "url", "kind", "snippet", "signals", "confidence", "unit_code", "website_id"}


def test_links_to_one_service_location_are_one_finding() -> None:
    html = "".join(f'<a href="https://spse.inaproc.id/x/{p}">LPSE {p}</a>' for p in ("", "lelang", "nontender"))
    found = [m for m in PACK.match_page(PageData(url="https://x.go.id/", html=html)) if m.rule_id == "spse"]
    assert len(found) == 1


def test_probe_requests_follow_the_host_filter() -> None:
    assert PACK.probe_requests("https://satudata.x.go.id/dataset?q=1") == [
        ("satu-data", "https://satudata.x.go.id/api/3/action/package_search?rows=0")
    ]
    assert PACK.probe_requests("http://jdih.x.go.id:8080/") == [("jdih", "http://jdih.x.go.id:8080/produk-hukum")]
    assert PACK.probe_requests("https://dinkes.x.go.id/") == []
    assert PACK.probe_requests("bukan url") == []


def test_probe_answer_must_meet_the_expectation() -> None:
    url = "https://satudata.x.go.id/api/3/action/package_search?rows=0"
    good = PageData(url=url, html='{"success": true, "result": {"count": 0}}')
    (found,) = PACK.match_probe("satu-data", good)
    assert (found.kind, found.url) == ("api", url) and "kolaborasi" in found.signals
    assert PACK.match_probe("satu-data", PageData(url=url, html='{"success": false}')) == []
    assert PACK.match_probe("satu-data", PageData(url=url, status=500, html='{"success": true, "result": {}}')) == []


def test_snippets_are_bounded_plain_text() -> None:
    noise = "<b>kata</b> " * 300
    html = f"<p>{noise}<script>alert('x')</script> Data kami terhubung ke katalog.data.go.id {noise}</p>"
    html += '<a href="https://satudata.x.go.id/">  Satu\n\n   <i>Data</i>  </a>'
    for match in PACK.match_page(PageData(url="https://satudata.x.go.id/", html=html)):
        assert len(match.snippet) <= 200
        assert "<" not in match.snippet and "\n" not in match.snippet and "  " not in match.snippet


def test_hostile_page_is_bounded(tmp_path: Path) -> None:
    """A 5 MB page: deep nesting, 60 000 links, a giant attribute, near-miss markers, markers past the cap."""
    parts = ['<a href="https://jdih.x.go.id/">JDIH</a>']
    parts.append("<div>" * 20_000 + "</div>" * 20_000)
    parts.append('<a href="https://srikandi.arsip.go.id/">SRIKANDI</a>')  # after a nest libxml2 gives up on
    parts.append('<a title="' + "a" * 500_000 + '">x</a>')
    parts.append("".join(f'<a href="/berita/{i}">lapor lapor lapor {i}</a>' for i in range(60_000)))
    parts.append("<p>" + "sipd.kemendagri.go " * 20_000 + "</p>")
    html = "".join(parts)
    html += " " * (4_000_000 - len(html))
    html += '<a href="https://www.lapor.go.id/">SP4N-LAPOR!</a>' + "x" * 1_000_000
    assert len(html) > 5_000_000
    found = PACK.match_page(PageData(url="https://x.go.id/", html=html))
    services = {m.service for m in found}
    assert {"jdih", "srikandi"} <= services  # within the examined part, before and after the deep nest
    assert "lapor" not in services  # beyond the cap: never examined
    assert all(len(m.snippet) <= 200 for m in found)


def test_malformed_urls_are_values_not_errors() -> None:
    page = PageData(
        url="http://[rusak/",
        html='<base href="http://[y"><a href="http://[::1/x">JDIH</a><script src="http://[x"></script><a href="/z">z</a>',
    )
    assert page.host == ""
    assert page.parsed.parts.web_link_hrefs.items == [] and page.parsed.parts.scripts.items == []
    assert PACK.match_page(page) == []
    assert PACK.probe_requests("http://[rusak") == []
