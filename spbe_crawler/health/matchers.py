"""Matchers keyed by page part, compiled once from rule data (health rules and usage signals).

A matcher spec is one mapping with exactly one page part, for example::

    {text: 'slot gacor|maxwin', count_at_least: 5, distinct_at_least: 3}
    {meta: {name: '^(description|keywords)$', content: 'togel'}}
    {header: {name: '^server$', value: 'litespeed'}}
    {max_text_length: 40}

Patterns are case-insensitive and follow the one safety policy of :mod:`spbe_crawler.patterns`
(bounded repetition such as ``{0,40}``, never ``*``, ``+`` or ``{2,}``; repeated groups at most once;
a bounded number of steps per position), so a hostile page cannot make a rule backtrack for minutes.
Text parts are whitespace-collapsed, so a single space
in a pattern matches any run of whitespace in the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from spbe_crawler.health.page import PageFacts
from spbe_crawler.patterns import PatternError, compile_bounded

SNIPPET_CHARS = 200

SCALAR_PARTS: dict[str, Callable[[PageFacts], str]] = {
    "url": lambda f: f.url,
    "title": lambda f: f.title,
    "text": lambda f: f.text,
    "html": lambda f: f.html,
    "hidden_text": lambda f: f.hidden_text,
    "amphtml": lambda f: f.amphtml or "",
    "canonical": lambda f: f.canonical or "",
}
LINK_PARTS = {"link_text": "text", "link_href": "href"}
PAIR_PARTS = {"meta": "content", "header": "value"}  # part -> key of the value pattern
NUMERIC_CONDITIONS: dict[str, Callable[[PageFacts, int], bool]] = {
    "max_text_length": lambda f, n: len(f.text) <= n,
    "min_text_length": lambda f, n: len(f.text) >= n,
    "max_links": lambda f, n: len(f.links) <= n,
    "min_links": lambda f, n: len(f.links) >= n,
}
COUNTERS = ("count_at_least", "distinct_at_least")
PART_LABELS = {
    "url": "URL",
    "title": "judul halaman",
    "text": "teks halaman",
    "html": "kode HTML",
    "hidden_text": "teks tersembunyi",
    "amphtml": "tautan AMP",
    "canonical": "tautan kanonik",
    "link_text": "teks tautan",
    "link_href": "alamat tautan",
    "meta": "tag meta",
    "header": "header HTTP",
    "max_text_length": "panjang teks",
    "min_text_length": "panjang teks",
    "max_links": "jumlah tautan",
    "min_links": "jumlah tautan",
}


class SpecError(ValueError):
    """A matcher spec or pattern that cannot be compiled; the loader adds file and rule id."""


@dataclass(frozen=True)
class Hit:
    part: str
    snippet: str
    url: str  # evidence: the matched link's address, else the page's
    count: int = 1


@dataclass(frozen=True)
class Matcher:
    part: str
    search: Callable[[PageFacts], Hit | None]


def compile_matcher(spec: Any) -> Matcher:
    """Compile one matcher spec (see module docstring); raise :class:`SpecError` when it is wrong."""
    if not isinstance(spec, dict):
        raise SpecError(f"matcher harus berupa mapping, bukan {type(spec).__name__}")
    parts = [key for key in spec if key not in COUNTERS]
    if len(parts) != 1:
        raise SpecError(f"matcher harus punya tepat satu bagian halaman, ditemukan {parts}")
    part = parts[0]
    counters = _counters(spec)
    if part in NUMERIC_CONDITIONS:
        if counters != (1, 1):
            raise SpecError(f"{part} tidak boleh memakai count_at_least/distinct_at_least")
        return _numeric(part, spec[part])
    if part in SCALAR_PARTS:
        return _scalar(part, compile_pattern(spec[part]), counters)
    if part in LINK_PARTS:
        return _links(part, compile_pattern(spec[part]), counters)
    if part in PAIR_PARTS:
        return _pairs(part, spec[part], counters)
    raise SpecError(f"bagian halaman tidak dikenal: {part!r}")


def compile_pattern(pattern: Any) -> re.Pattern[str]:
    """Compile a case-insensitive pattern under the one safety policy (:mod:`spbe_crawler.patterns`)."""
    if not isinstance(pattern, str) or not pattern:
        raise SpecError("pola harus berupa teks yang tidak kosong")
    try:
        return compile_bounded(pattern, re.IGNORECASE)
    except PatternError as exc:
        raise SpecError(f"pola {pattern!r} tidak aman atau tidak valid: {exc}") from None


def _counters(spec: dict[str, Any]) -> tuple[int, int]:
    values = []
    for key in COUNTERS:
        value = spec.get(key, 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SpecError(f"{key} harus bilangan bulat >= 1")
        values.append(value)
    return values[0], values[1]


def _numeric(part: str, limit: Any) -> Matcher:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise SpecError(f"{part} harus bilangan bulat >= 0")
    check = NUMERIC_CONDITIONS[part]

    def search(facts: PageFacts) -> Hit | None:
        return Hit(part, _cut(facts.text), facts.url) if check(facts, limit) else None

    return Matcher(part, search)


def _scalar(part: str, pattern: re.Pattern[str], counters: tuple[int, int]) -> Matcher:
    getter = SCALAR_PARTS[part]

    def search(facts: PageFacts) -> Hit | None:
        return _count_hits(part, pattern, [(getter(facts), facts.url)], counters)

    return Matcher(part, search)


def _links(part: str, pattern: re.Pattern[str], counters: tuple[int, int]) -> Matcher:
    attribute = LINK_PARTS[part]

    def search(facts: PageFacts) -> Hit | None:
        return _count_hits(part, pattern, ((getattr(link, attribute), link.href) for link in facts.links), counters)

    return Matcher(part, search)


def _pairs(part: str, spec: Any, counters: tuple[int, int]) -> Matcher:
    value_key = PAIR_PARTS[part]
    if not isinstance(spec, dict) or value_key not in spec or set(spec) - {"name", value_key}:
        raise SpecError(f"{part} harus berbentuk {{name: pola, {value_key}: pola}} ({value_key} wajib)")
    name_pattern = compile_pattern(spec["name"]) if "name" in spec else None
    value_pattern = compile_pattern(spec[value_key])

    def items(facts: PageFacts) -> Iterable[tuple[str, str]]:
        pairs = facts.meta if part == "meta" else facts.headers.items()
        for name, value in pairs:
            if name_pattern is None or name_pattern.search(name):
                yield value, facts.url

    def search(facts: PageFacts) -> Hit | None:
        return _count_hits(part, value_pattern, items(facts), counters)

    return Matcher(part, search)


def _count_hits(part: str, pattern: re.Pattern[str], values: Iterable[tuple[str, str]], counters: tuple[int, int]) -> Hit | None:
    """Search ``values``; stop as soon as both thresholds are met (bounded work per page)."""
    need_count, need_distinct = counters
    first: tuple[str, re.Match[str], str] | None = None
    count = 0
    distinct: set[str] = set()
    for value, url in values:
        for match in pattern.finditer(value):
            if first is None:
                first = (value, match, url)
            count += 1
            distinct.add(" ".join(match.group(0).lower().split()))
            if count >= need_count and len(distinct) >= need_distinct:
                return Hit(part, _snippet(first[0], first[1]), first[2], count)
    return None


def _snippet(value: str, match: re.Match[str]) -> str:
    """The match with some context on both sides, starting at a word boundary."""
    room = max(0, (SNIPPET_CHARS - (match.end() - match.start())) // 2)
    start = max(0, match.start() - room)
    if start > 0:
        space = value.find(" ", start, match.start())
        start = space + 1 if space >= 0 else start
    return _cut(value[start : match.end() + room])


def _cut(text: str) -> str:
    """Plain text, whitespace collapsed, at most ``SNIPPET_CHARS`` characters."""
    return " ".join(text[: SNIPPET_CHARS * 20].split())[:SNIPPET_CHARS]
