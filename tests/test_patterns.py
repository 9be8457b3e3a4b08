"""The literal prefilter of the regex policy (:func:`spbe_crawler.patterns.required_literals`).

It is exact, never approximate: a page is skipped only when no match is possible. Checked here by
brute force over every code point (which characters a literal may hold), over the character classes
it expands, and over every pattern of the project's rule files (health rules, usage signals, the
signature pack): the required literals occur in the fold of every match, on the sample pages and on
matches generated from the pattern with every character ``re`` accepts at each position (case
twins such as the Kelvin sign, the long s, final sigma included).
"""

from __future__ import annotations

import _sre
import functools
import random
import re
import sys
from pathlib import Path
from re import _casefix as sre_casefix  # type: ignore[attr-defined]
from re import _compiler as sre_compile  # type: ignore[attr-defined]
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any
from unittest import mock

import pytest

import inventory.engine
import inventory.rules
import spbe_crawler.matching.engine
from inventory import load_pack
from spbe_crawler.health.rules import load_rules
from spbe_crawler.health.usage import default_usage_path, load_usage_specs
from spbe_crawler.matching.parts import _FOLD, fold
from spbe_crawler.patterns import _CASE_TWINS, _FLAGS, MAX_EXPANSION, _chars, _foldable, compile_bounded, required_literals

ROOT = Path(__file__).resolve().parents[1]
ALL = "".join(map(chr, range(sys.maxunicode + 1)))
"""Every code point, to find with one regex scan every character a pattern item matches."""
SIGMA = "\u03a3"
"""The one character str.lower() lower-cases by context (final sigma)."""


# --- which characters a literal may hold -----------------------------------------------------------
@functools.cache
def _components() -> dict[str, tuple[str, ...]]:
    """Each character that has a case mapping -> the characters linked to it by any case mapping
    (lower, upper, title, casefold, the fold, re's own lower case and its extra case pairs).
    ``re`` matches two different characters case-insensitively only within one such set; a
    character missing here is matched by itself alone (checked on a sample by a full scan)."""
    parent: dict[int, int] = {}

    def root(code: int) -> int:
        while parent.get(code, code) != code:
            code = parent[code]
        return code

    def link(a: int, b: int) -> None:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        images = (char.lower(), char.upper(), char.title(), char.casefold(), fold(char), chr(_sre.unicode_tolower(code)))
        for image in images:
            if image != char:
                for other in image:  # a mapping to several characters links each of them
                    link(code, ord(other))
    for code, others in sre_casefix._EXTRA_CASES.items():
        for other in others:
            link(code, other)
    groups: dict[int, list[str]] = {}
    for code in parent:
        groups.setdefault(root(code), []).append(chr(code))
    return {char: tuple(group) for group in groups.values() for char in group}


def _matched(char: str) -> set[str]:
    """The characters ``re`` matches with the literal ``char``, case-insensitively."""
    if char not in _components():
        return {char}
    literal = re.compile(re.escape(char), re.IGNORECASE)
    return {other for other in _components()[char] if literal.fullmatch(other)}


_FOLD_CHARS = "".join(chr(code) for code in _FOLD)


def test_case_twins_are_the_characters_the_fold_does_not_follow() -> None:
    """Recomputed by brute force: the table must be exact (a new Unicode may change it)."""
    twins = set(_FOLD_CHARS)  # folded by the fold's table; refused as pattern characters as well
    for char in _components():
        if len(fold(char)) != 1 or any(fold(other) != fold(char) for other in _matched(char)):
            twins.add(char)
    assert sorted(f"U+{ord(c):04X}" for c in twins ^ _CASE_TWINS) == []
    assert set("\u212a\u017f\u0130\u0131\u03a3\u03c3\u03c2\u0441") <= _CASE_TWINS


def test_foldable_characters_fold_like_every_character_the_regex_matches_with_them() -> None:
    """Every foldable character: each character ``re`` matches with it folds to its lower case,
    the character of the literal. (A code point outside the case sets has no case mapping at all,
    folds to itself and is matched by itself alone.)"""
    wrong = []
    for char in _components():
        if _foldable(char):
            wanted = char.lower()
            if fold(char) != wanted or any(fold(other) != wanted for other in _matched(char)):
                wrong.append(f"U+{ord(char):04X}")
    assert wrong == []
    assert all(_foldable(c) for c in "kKsSiIé☠7-")
    assert not any(_foldable(c) for c in "\u212a\u017f\u0130\u0131\u03c3\u03c2\u0441")


def test_the_fold_of_a_text_is_the_fold_of_its_characters() -> None:
    """The literal of a match is searched in the fold of the whole text: folding does not depend on
    the neighbours (str.lower's one exception, final sigma, is a case twin)."""
    cased = [c for c in _components() if c != SIGMA]
    for context in ("a", "\u0391", " "):
        assert fold(context.join(cased)) == fold(context).join(fold(c) for c in cased), context


def test_characters_outside_the_case_sets_match_only_themselves() -> None:
    """The brute force above looks within case sets; a full scan of every code point confirms it
    on a sample: the tricky letters and random code points, in the sets and out of them."""
    rng = random.Random(20261201)
    sample = ["k", "s", "i", "K", "S", "I", "\u03c3", "\u00b5", "\u1e9b", "\ufb06", "\u0345", "ß", "é", "7", "☠", "\U0001f480"]
    sample += rng.sample(sorted(_components()), 6) + [chr(rng.randrange(sys.maxunicode + 1)) for _ in range(6)]
    for char in sample:
        assert set(re.findall(re.escape(char), ALL, re.IGNORECASE)) == _matched(char), f"U+{ord(char):04X}"


def test_expanded_classes_match_only_characters_folding_into_the_expansion() -> None:
    """Every class the rule files (and a few tricky ones) expand: a full scan of every code point."""
    classes = {item for source, _ in _rule_patterns() for item in _items(source) if item[0] is sre_c.IN}
    for extra in ("[k\u212a]", "[sz]", "[iı]", "[a-p]", "[KS]", "[\u03c3x]", "[é0-9]", "[-_ ]"):
        ((op, av),) = sre_parse.parse(extra, _FLAGS)
        classes.add((op, _frozen(av)))
    expanded = 0
    for op, av in classes:
        chars = _chars(op, _thawed(av))
        if chars is None:
            continue
        expanded += 1
        members = "".join(re.escape(chr(m)) if mop is sre_c.LITERAL else f"{re.escape(chr(m[0]))}-{re.escape(chr(m[1]))}" for mop, m in av)
        matched = set(re.findall(f"[{members}]", ALL, _FLAGS))
        assert {fold(c) for c in matched} <= chars, members
        assert len(chars) <= MAX_EXPANSION
    assert expanded >= 10


def _items(source: str) -> set[tuple[Any, Any]]:
    """Every parsed item of ``source``, at any depth (lists frozen to tuples)."""
    found: set[tuple[Any, Any]] = set()

    def walk(items: Any) -> None:
        for op, av in items:
            found.add((op, _frozen(av)))
            if op is sre_c.SUBPATTERN:
                walk(av[-1])
            elif op is sre_c.BRANCH:
                for branch in av[1]:
                    walk(branch)
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
                walk(av[2])
            elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
                walk(av[1])

    walk(sre_parse.parse(source, _FLAGS))
    return found


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple | sre_parse.SubPattern):
        return tuple(_frozen(v) for v in value)
    return value


def _thawed(value: Any) -> Any:
    return [tuple(v) if isinstance(v, tuple) else v for v in value] if isinstance(value, tuple) else value


# --- every pattern of the rule files ---------------------------------------------------------------
@functools.cache
def _rule_patterns() -> tuple[tuple[str, int], ...]:
    """(source, flags) of every pattern the project's rule files compile (the engine, the signature
    pack and its probes all compile through compile_bounded)."""
    seen: dict[str, int] = {}

    def record(source: str, flags: int = _FLAGS) -> re.Pattern[str]:
        seen.setdefault(source, flags)
        return compile_bounded(source, flags)

    with (
        mock.patch.object(spbe_crawler.matching.engine, "compile_bounded", record),
        mock.patch.object(inventory.rules, "compile_bounded", record),
        mock.patch.object(inventory.engine, "compile_bounded", record),
    ):
        load_rules()
        load_usage_specs(default_usage_path())
        load_pack(ROOT / "spbe_crawler" / "data" / "signatures")
    return tuple(sorted(seen.items()))


ADVERSARIAL = (
    "l[o0]gin|[sz]lot gacor",
    "\u212aota|[k\u212a]ab|k[ae]b",
    "\u017flot|D\u0130NAS|d\u0131nas",
    "σχολείο|ΣΧΟΛΕΊΟ",
    "сайт|САЙТ",
    "\ufb06ore|\ufb05ore|straße",
    "µg|μg|ǅemal",
    "(?-i:Kota) (?i:besar)",
    "[\u03c3\u03c2]ab|ab[ΣKS]",
    "^(wbs|whistle-?blow)$|x(88|4d)\\.",
)
"""Patterns made to trip the prefilter: case twins in literals and classes, non-ASCII literals."""


def _sample_texts() -> list[str]:
    paths = sorted({*ROOT.glob("tests/sample_data/**/*.html"), *ROOT.glob("spbe_crawler/demo/problem_pages/*.html")})
    return [path.read_text(encoding="utf-8", errors="replace") for path in paths]


@pytest.fixture(scope="module")
def sample_texts() -> list[str]:
    texts = _sample_texts()
    assert len(texts) > 50
    return texts


def test_the_rule_files_are_all_read() -> None:
    patterns = _rule_patterns()
    assert len(patterns) > 200
    assert sum(required_literals(source) is not None for source, _ in patterns) > 0.9 * len(patterns)


@pytest.mark.parametrize("source", [s for s, _ in _rule_patterns()] + list(ADVERSARIAL))
def test_required_literals_occur_in_every_match(source: str, sample_texts: list[str]) -> None:
    flags = dict(_rule_patterns()).get(source, _FLAGS)
    required = required_literals(source)
    if required is None:
        return
    pattern = re.compile(source, flags)
    rng = random.Random(source)
    seen = 0
    for text in sample_texts:
        for match in pattern.finditer(text):
            _check(required, match, source)
            seen += 1
            if seen > 200:
                break
    parsed = sre_parse.parse(source, _FLAGS)
    generated = 0
    for _ in range(100):
        subject = rng.choice(("", " ", "x", "\u03a3")) + _generate(parsed, rng) + rng.choice(("", " ", "x", "\n"))
        for match in pattern.finditer(subject):
            _check(required, match, source)
            assert any(literal in fold(subject) for literal in required)  # what the engine checks
            generated += 1
    assert generated, f"no match generated for {source!r}"


def _check(required: tuple[str, ...], match: re.Match[str], source: str) -> None:
    folded = fold(match.group(0))
    assert any(literal in folded for literal in required), (source, match.group(0), required)


def _generate(items: Any, rng: random.Random) -> str:
    """A random string the parsed ``items`` may match (look-arounds and anchors are left out; the
    caller keeps only real matches). Each character is drawn from every one ``re`` accepts there."""
    out = []
    for op, av in items:
        if op in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.ANY, sre_c.IN):
            accepted = _accepted(op, _frozen(av))
            plain = [c for c in accepted if c.isascii()]  # half the time: \b and the like hold more often
            out.append(rng.choice(plain if plain and rng.random() < 0.5 else accepted))
        elif op is sre_c.AT and av in (sre_c.AT_BOUNDARY, sre_c.AT_NON_BOUNDARY) and rng.random() < 0.5:
            out.append(" ")
        elif op is sre_c.SUBPATTERN:
            out.append(_generate(av[-1], rng))
        elif op is sre_c.BRANCH:
            out.append(_generate(rng.choice(av[1]), rng))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            low, high, body = av
            out.extend(_generate(body, rng) for _ in range(rng.randint(low, min(high, low + 3))))
    return "".join(out)


@functools.cache
def _pool() -> str:
    """Every cased character, ASCII and a few others: the characters generated matches are made of."""
    return "".join(sorted(set(_components()) | set(map(chr, range(128))) | set("é☠\U0001f480\u00a0\u2028")))


@functools.cache
def _accepted(op: Any, av: Any) -> tuple[str, ...]:
    """The characters of :func:`_pool` that one parsed item matches (case-insensitively)."""
    state = sre_parse.State()
    state.flags = _FLAGS
    single = sre_parse.SubPattern(state, [(op, _thawed(av) if op is sre_c.IN else av)])
    found = tuple(sre_compile.compile(single, _FLAGS).findall(_pool()))
    assert found, (op, av)
    return found
