"""The one matcher engine: a matcher spec is compiled once, under the one regex policy, and evaluated
over the parts of one page (:class:`~spbe_crawler.matching.parts.PageParts`).

A matcher spec is one mapping naming exactly one page part, for example::

    {text: 'slot gacor|maxwin', count_at_least: 5, distinct_at_least: 3}
    {link_text: '^.{0,20}\\bJDIH\\b.{0,40}$', kind: link}
    {meta: {name: '^(description|keywords)$', content: 'togel'}}
    {header: {name: server, value: litespeed}}
    {max_text_length: 40}

Every key either rule family knows is accepted in both: the page parts, ``count_at_least`` and
``distinct_at_least`` (how many matches, how many different matched strings), ``kind`` (the evidence
kind the signature pack reports) and the numeric conditions. A :class:`Dialect` holds what the two
rule families read differently and what their rule files already promise their authors: the regex
flags (the signature pack is multi-line: ``^``/``$`` anchor one link text), whether a meta/header
``name`` is a pattern (health) or an exact name (signatures), the page view each part reads, how
the evidence snippet is cut. In both, a literal prefilter (:func:`spbe_crawler.patterns.required_literals`
over :func:`~spbe_crawler.matching.parts.fold`) skips the regex where it cannot match.

Patterns follow the one safety policy of :mod:`spbe_crawler.patterns`: a pattern whose matching cost
is not bounded is refused when the rule loads, with a :class:`SpecError` that the rule loaders
extend with the file name and rule id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any

import re2

from spbe_crawler.matching.parts import ItemList, PageParts, fold
from spbe_crawler.matching.snippets import collapse, cut, html_window, window
from spbe_crawler.patterns import PatternError, compile_bounded, required_literals

if TYPE_CHECKING:
    from spbe_crawler.health.page import PageFacts

MAX_HITS = 5
"""At most this many hits (links, fields...) are reported per matcher per page."""
KINDS = ("link", "host", "form", "login", "search", "download", "api", "document", "mention", "menu")
"""Evidence kinds (``menu`` is given by the signature pack to a same-site link that only names a service)."""
COUNTERS = ("count_at_least", "distinct_at_least")
CONDITION_KEYS = ("all", "any", "none")


class SpecError(ValueError):
    """A matcher spec or pattern that cannot be compiled; the rule loaders add the file and rule id."""


class Shape(Enum):
    TEXT = "text"  # one string
    LIST = "list"  # many strings (links, scripts, form fields), each searched on its own
    PAIRS = "pairs"  # (name, value) pairs selected by name (meta tags, headers)
    NUMBER = "number"  # a size compared with a bound


Snippet = Callable[["PageFacts", str, "re.Match[str]", int, str], str]
"""(page, searched value, match, item index, pair name) -> the evidence shown to the user."""


@dataclass(frozen=True)
class Part:
    name: str
    shape: Shape
    label: str  # Indonesian, used in verdict details ("5 kecocokan pada teks halaman")
    read: Callable[[PageFacts], Any]
    snippet: Snippet
    kind: str = "mention"  # default evidence kind
    hrefs: Callable[[PageFacts], ItemList] | None = None  # LIST parts whose items are links
    folded: Callable[[PageFacts], str] | None = None  # TEXT parts: the fold of (a superset of) the value, for the prefilter
    at_most: bool = False  # NUMBER parts: the size must be <= the bound (else >=)


@dataclass(frozen=True)
class Dialect:
    """How one rule family reads the shared spec vocabulary (see the module docstring)."""

    name: str
    flags: int
    parts: Mapping[str, Part]
    exact_names: bool


@dataclass(frozen=True, slots=True)
class Hit:
    """One piece of evidence. ``url`` is the page, or the link target; ``href`` is set for links only."""

    part: str
    kind: str
    snippet: str
    url: str
    href: str = ""
    count: int = 1


class Literals:
    """The literal prefilter of a matcher: one of ``needles`` must occur in the folded part, or no
    item of the part can match. The answer is kept once per page and prefilter (memo on
    ``facts.parts.literals``), however many matchers and rules share it (:func:`literals` interns them);
    the part's :class:`NeedleSet` finds the needles of all its prefilters in one pass.
    """

    __slots__ = ("folded", "needles", "needle_set")

    def __init__(self, folded: Callable[[PageFacts], str], needles: tuple[str, ...]) -> None:
        self.folded = folded
        self.needles = needles
        needle_set = _needle_sets.get(folded)
        if needle_set is None:
            needle_set = _needle_sets[folded] = NeedleSet(folded)
        needle_set.add(needles)
        self.needle_set = needle_set

    def present(self, facts: PageFacts) -> bool:
        """Whether one of the needles occurs in the folded part of ``facts``."""
        memo = facts.parts.literals
        found = memo.get(self)
        if found is None:
            found = memo[self] = not self.needle_set.found(facts).isdisjoint(self.needles)
        return found


class NeedleSet:
    """Every needle the prefilters of one folded part look for, searched in one pass per page.

    Checking each needle with ``in`` scanned a page's text once per needle: hundreds of scans per
    page, a third of the time the rules took. An RE2 set of literals (a DFA, linear in the text
    whatever the number of needles) reports which needles occur in one scan; it is rebuilt when a
    prefilter adds needles (the first pages of a crawl). RE2 reads UTF-8: a text or needle that
    cannot be encoded (a lone surrogate) is checked needle by needle, with the same answer.
    """

    __slots__ = ("folded", "needles", "_compiled")

    def __init__(self, folded: Callable[[PageFacts], str]) -> None:
        self.folded = folded
        self.needles: dict[str, None] = {}  # insertion-ordered; only ever grows
        self._compiled: tuple[int, Any, tuple[str, ...]] | None = None

    def add(self, needles: Iterable[str]) -> None:
        for needle in needles:
            self.needles.setdefault(needle)

    def found(self, facts: PageFacts) -> frozenset[str]:
        """The needles that occur in the folded part of ``facts`` (once per page, again if needles
        were added since: a prefilter is made when its matcher first runs, maybe on this page)."""
        memo = facts.parts.needles_found
        hit = memo.get(self)
        if hit is None or hit[0] != len(self.needles):
            hit = memo[self] = (len(self.needles), self.search(self.folded(facts)))
        return hit[1]

    def search(self, text: str) -> frozenset[str]:
        if not text and "" not in self.needles:  # an empty part (most pages' hidden text) holds no needle
            return _NOTHING
        compiled = self._compiled
        if compiled is None or compiled[0] != len(self.needles):
            compiled = self._compiled = _compile_needles(tuple(self.needles))
        _, needle_set, order = compiled
        if needle_set is None:
            return _scan(order, text)
        try:
            return frozenset(order[index] for index in needle_set.Match(text) or ())
        except UnicodeEncodeError:  # a lone surrogate in the text: RE2 reads UTF-8
            return _scan(order, text)


_NOTHING: frozenset[str] = frozenset()


def _scan(needles: tuple[str, ...], text: str) -> frozenset[str]:
    return frozenset(needle for needle in needles if needle in text)


def _compile_needles(needles: tuple[str, ...]) -> tuple[int, Any, tuple[str, ...]]:
    """The RE2 set of ``needles`` (``None`` when one of them is not valid UTF-8: scanned one by one)."""
    options = re2.Options()
    options.literal = True  # needles are plain strings, never patterns
    options.max_mem = _RE2_MAX_MEM
    needle_set = re2.Set.SearchSet(options)
    try:
        for index, needle in enumerate(needles):
            if needle_set.Add(needle) != index:
                raise SpecError(f"literal {needle!r} could not be added to the needle set")
    except UnicodeEncodeError:  # a needle with a lone surrogate
        return len(needles), None, needles
    needle_set.Compile()
    return len(needles), needle_set, needles


_RE2_MAX_MEM = 64 << 20
"""RE2's memory budget per needle set (its default is 8 MB). The DFA of a set of literals has at
most one state per prefix of a needle (an Aho-Corasick automaton), so what it needs depends on the
rules, never on the page: a budget too small would miss needles on every page alike, which
``tests/test_matching.py`` would see (it checks every rule file's prefilters against ``in``)."""

_needle_sets: dict[Callable[[PageFacts], str], NeedleSet] = {}
_LITERALS: dict[tuple[Callable[[PageFacts], str], tuple[str, ...]], Literals] = {}


def literals(part: Part, required: tuple[str, ...] | None) -> Literals | None:
    """The (shared) prefilter of a matcher on ``part`` that requires one of ``required``, if any."""
    if not required:
        return None
    folded = part.folded
    if folded is None:
        if part.shape is not Shape.LIST:
            return None
        folded = _list_folds.setdefault(part.read, _list_fold(part.read))
    key = (folded, required)
    found = _LITERALS.get(key)
    if found is None:
        found = _LITERALS[key] = Literals(folded, required)
    return found


_list_folds: dict[Callable[[PageFacts], Any], Callable[[PageFacts], str]] = {}


def _list_fold(read: Callable[[PageFacts], Any]) -> Callable[[PageFacts], str]:
    def folded(facts: PageFacts) -> str:
        items: ItemList = read(facts)
        return items.folded

    return folded


@dataclass(frozen=True)
class Matcher:
    part: Part
    kind: str
    pattern: re.Pattern[str] | None = None
    joined: re.Pattern[str] | None = None  # multi-line variant: candidate search over joined list items
    name: Callable[[str], bool] | None = None  # PAIRS: which names are searched
    count_at_least: int = 1
    distinct_at_least: int = 1
    bound: int = 0  # NUMBER parts
    required: tuple[str, ...] | None = None  # prefilter literals (lower-case), one of which must occur

    @cached_property
    def gate(self) -> Literals | None:
        """The (shared) prefilter of ``required``; after the first use a plain attribute."""
        return literals(self.part, self.required)

    @property
    def counting(self) -> bool:
        return self.count_at_least > 1 or self.distinct_at_least > 1

    def search(self, facts: PageFacts) -> Hit | None:
        """The first hit on ``facts``, or ``None``."""
        found = self.hits(facts, 1)
        return found[0] if found else None

    def hits(self, facts: PageFacts, limit: int = MAX_HITS) -> list[Hit]:
        """At most ``limit`` hits on ``facts`` (one per matching item); one counted hit when counting."""
        part = self.part
        shape = part.shape
        if shape is Shape.LIST:
            gate = self.gate
            if gate is not None and not gate.present(facts):
                return []  # no item holds a required literal: no item can match
            return self._list_hits(facts, limit)
        if shape is Shape.TEXT:
            value = part.read(facts)
            if value is None:
                return []
            gate = self.gate
            if gate is not None and not gate.present(facts):
                return []  # no match is possible: the regex need not run
            if self.counting:
                return self._counted(facts, ((value, "", 0, ""),))
            assert self.pattern is not None
            match = self.pattern.search(value)
            if match is None:
                return []
            return [Hit(part.name, self.kind, part.snippet(facts, value, match, 0, ""), facts.url)]
        if shape is Shape.NUMBER:
            size = part.read(facts)
            holds = size <= self.bound if part.at_most else size >= self.bound
            return [Hit(part.name, self.kind, cut(facts.text), facts.url)] if holds else []
        values = self._pairs(facts)
        if self.counting:
            return self._counted(facts, ((value, "", index, name) for index, (name, value) in enumerate(values)))
        assert self.pattern is not None
        found = []
        for index, (name, value) in enumerate(values):
            match = self.pattern.search(value)
            if match is not None:
                found.append(Hit(part.name, self.kind, part.snippet(facts, value, match, index, name), facts.url))
                if len(found) >= limit:
                    break
        return found

    def _pairs(self, facts: PageFacts) -> Iterable[tuple[str, str]]:
        """(name, value) of the PAIRS part to search."""
        name = self.name
        return ((n, v) for n, v in self.part.read(facts) if name is None or name(n))

    def _list_hits(self, facts: PageFacts, limit: int) -> list[Hit]:
        assert self.pattern is not None
        items: ItemList = self.part.read(facts)
        hrefs = self.part.hrefs(facts).items if self.part.hrefs is not None else None
        if self.counting:
            indices = items.candidates(self.required) if self.required else range(len(items.items))
            return self._counted(facts, ((items.items[i], hrefs[i] if hrefs is not None else "", i, "") for i in indices))
        found = []
        for index, match in items.find(self.pattern, limit, self.required, self.joined):
            value = items.items[index]
            href = hrefs[index] if hrefs is not None else ""
            snippet = self.part.snippet(facts, value, match, index, "")
            found.append(Hit(self.part.name, self.kind, snippet, href or facts.url, href))
        return found

    def _counted(self, facts: PageFacts, values: Iterable[tuple[str, str, int, str]]) -> list[Hit]:
        """One hit once both thresholds are met; the search stops there (bounded work per page)."""
        assert self.pattern is not None
        first: tuple[str, re.Match[str], str, int, str] | None = None
        count = 0
        distinct: set[str] = set()
        for value, href, index, name in values:
            for match in self.pattern.finditer(value):
                if first is None:
                    first = (value, match, href, index, name)
                count += 1
                distinct.add(" ".join(match.group(0).lower().split()))
                if count >= self.count_at_least and len(distinct) >= self.distinct_at_least:
                    value, match, href, index, name = first
                    snippet = self.part.snippet(facts, value, match, index, name)
                    return [Hit(self.part.name, self.kind, snippet, href or facts.url, href, count)]
        return []


@dataclass(frozen=True)
class Condition:
    """``all`` (each must hit), ``any`` (one must hit) and ``none`` (none may hit) matchers."""

    all: tuple[Matcher, ...] = ()
    any: tuple[Matcher, ...] = ()
    none: tuple[Matcher, ...] = ()

    @cached_property
    def any_gates(self) -> tuple[Literals, ...] | None:
        """The prefilters of the ``any`` matchers when each has one: none present, no ``any`` matcher can hit."""
        gates = [matcher.gate for matcher in self.any]
        if not gates or None in gates:
            return None
        return tuple(dict.fromkeys(gate for gate in gates if gate is not None))

    def hits(self, facts: PageFacts, limit: int = MAX_HITS, every_any: bool = True) -> list[Hit] | None:
        """The hits of the matchers when the condition holds, else ``None``.

        ``every_any`` collects the hits of every ``any`` matcher (the signature pack reports each
        link); without it the first ``any`` matcher that hits decides (the health rules).
        """
        hits: list[Hit] = []
        for matcher in self.all:
            found = matcher.hits(facts, limit)
            if not found:
                return None
            hits.extend(found)
        if self.any:
            gates = self.any_gates
            if gates is not None:
                for gate in gates:
                    if gate.present(facts):
                        break
                else:
                    return None  # no ``any`` matcher can hit: none need be called
            if every_any:
                found = []
                for matcher in self.any:
                    found.extend(matcher.hits(facts, limit))
            else:
                for matcher in self.any:
                    found = matcher.hits(facts, limit)
                    if found:
                        break
            if not found:
                return None
            hits.extend(found)
        for matcher in self.none:
            if matcher.hits(facts, 1):
                return None
        return hits


# --- compiling ---------------------------------------------------------------------------------------
def compile_pattern(source: Any, flags: int) -> re.Pattern[str]:
    """Compile a pattern under the one safety policy (:mod:`spbe_crawler.patterns`)."""
    if not isinstance(source, str) or not source:
        raise SpecError("pola harus berupa teks yang tidak kosong")
    try:
        return compile_bounded(source, flags)
    except PatternError as exc:
        raise SpecError(f"pola {source!r} tidak aman atau tidak valid: {exc}") from None


def compile_matcher(spec: Any, dialect: Dialect) -> Matcher:
    """Compile one matcher spec (see the module docstring); raise :class:`SpecError` when it is wrong."""
    if not isinstance(spec, Mapping):
        raise SpecError(f"matcher harus berupa mapping, bukan {type(spec).__name__}")
    unknown = [key for key in spec if key not in dialect.parts and key not in COUNTERS and key != "kind"]
    if unknown:
        raise SpecError(f"bagian halaman tidak dikenal: {unknown}; yang dikenal: {sorted(dialect.parts)}")
    parts = [key for key in spec if key in dialect.parts]
    if len(parts) != 1:
        raise SpecError(f"matcher harus punya tepat satu bagian halaman, ditemukan {parts}")
    part = dialect.parts[parts[0]]
    kind = spec.get("kind", part.kind)
    if kind not in KINDS:
        raise SpecError(f"jenis bukti (kind) tidak dikenal: {kind!r}; yang dikenal: {list(KINDS)}")
    count, distinct = (_positive(spec.get(key, 1), key) for key in COUNTERS)
    value = spec[part.name]
    if part.shape is Shape.NUMBER:
        if (count, distinct) != (1, 1):
            raise SpecError(f"{part.name} tidak boleh memakai count_at_least/distinct_at_least")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise SpecError(f"{part.name} harus bilangan bulat >= 0")
        return Matcher(part, kind, bound=value)
    name = None
    if part.shape is Shape.PAIRS:
        name, value = _pair(part.name, value, dialect)
    pattern = compile_pattern(value, dialect.flags)
    required = required_literals(value) if part.shape is Shape.LIST or part.folded is not None else None
    joined = None
    if part.shape is Shape.LIST and not any(anchor in value for anchor in ("\\A", "\\Z")):
        joined = pattern if pattern.flags & re.MULTILINE else re.compile(value, dialect.flags | re.MULTILINE)
    return Matcher(part, kind, pattern, joined, name, count_at_least=count, distinct_at_least=distinct, required=required)


def compile_condition(value: Any, dialect: Dialect, where: str = "match") -> Condition:
    """Compile ``{all: [...], any: [...], none: [...]}``; ``all`` or ``any`` must list a matcher."""
    if not isinstance(value, Mapping):
        raise SpecError(f"{where} harus berupa mapping")
    unknown = sorted(set(value) - set(CONDITION_KEYS))
    if unknown or not (value.get("all") or value.get("any")):
        raise SpecError(f"{where} harus punya 'all' dan/atau 'any' (dan boleh 'none'), masing-masing daftar matcher")
    lists = {key: compile_matchers(value.get(key, []), dialect, f"{where}.{key}", allow_empty=True) for key in CONDITION_KEYS}
    return Condition(all=lists["all"], any=lists["any"], none=lists["none"])


def compile_matchers(specs: Any, dialect: Dialect, where: str, allow_empty: bool = False) -> tuple[Matcher, ...]:
    """Compile a list of matcher specs; the error names the list and the index of the wrong one."""
    if not isinstance(specs, list) or (not specs and not allow_empty):
        raise SpecError(f"{where} harus berupa daftar matcher" + ("" if allow_empty else " yang tidak kosong"))
    compiled = []
    for index, spec in enumerate(specs):
        try:
            compiled.append(compile_matcher(spec, dialect))
        except SpecError as exc:
            raise SpecError(f"{where}[{index}]: {exc}") from None
    return tuple(compiled)


def _positive(value: Any, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SpecError(f"{key} harus bilangan bulat >= 1")
    return value


def _pair(part: str, spec: Any, dialect: Dialect) -> tuple[Callable[[str], bool] | None, Any]:
    value_key = "content" if part == "meta" else "value"
    if not isinstance(spec, Mapping) or value_key not in spec or set(spec) - {"name", value_key}:
        raise SpecError(f"{part} harus berbentuk {{name: ..., {value_key}: pola}} ({value_key} wajib)")
    if "name" not in spec:
        return None, spec[value_key]
    raw = spec["name"]
    if not isinstance(raw, str) or not raw.strip():
        raise SpecError(f"{part}.name harus berupa teks yang tidak kosong")
    if dialect.exact_names:
        wanted = raw.strip().lower()
        return wanted.__eq__, spec[value_key]
    return compile_pattern(raw, dialect.flags).search, spec[value_key]  # type: ignore[return-value]


# --- the parts and the two dialects -------------------------------------------------------------------
def _window(facts: PageFacts, value: str, match: re.Match[str], index: int, name: str) -> str:
    return window(value, match)


def _text_part(name: str, label: str, read: Callable[[PageFacts], str], folded: Callable[[PageFacts], str] | None = None) -> Part:
    return Part(name, Shape.TEXT, label, read, _window, folded=folded)


def _number(name: str, label: str, read: Callable[[PageFacts], int], at_most: bool) -> Part:
    return Part(name, Shape.NUMBER, label, read, _window, at_most=at_most)


def _item(facts: PageFacts, value: str, match: re.Match[str], index: int, name: str) -> str:
    return collapse(value)


def _web_link(facts: PageFacts, value: str, match: re.Match[str], index: int, name: str) -> str:
    parts = facts.parts
    return collapse(parts.web_link_texts.items[index] or parts.web_link_hrefs.items[index])


def _pair_item(facts: PageFacts, value: str, match: re.Match[str], index: int, name: str) -> str:
    return collapse(f"{name}: {value}")


def _host_snippet(facts: PageFacts, value: str, match: re.Match[str], index: int, name: str) -> str:
    return collapse(facts.parts.short_title or facts.parts.host)


def _url_snippet(facts: PageFacts, value: str, match: re.Match[str], index: int, name: str) -> str:
    title = facts.parts.short_title
    return collapse(f"{title} {facts.url}" if title else facts.url)


def _title_snippet(facts: PageFacts, value: str, match: re.Match[str], index: int, name: str) -> str:
    return value


def _html_snippet(facts: PageFacts, value: str, match: re.Match[str], index: int, name: str) -> str:
    return html_window(value, match.start(), match.end())


def _parts(facts: PageFacts) -> PageParts:
    return facts.parts


def _folded_url(facts: PageFacts) -> str:
    return facts.parts.folded_url


def _folded_html(facts: PageFacts) -> str:
    """The whole body folded, for both views: the signature pack's bounded body is a prefix of it."""
    return facts.parts.folded_html


# A folded part read by both views is one function, so its needles are found in one pass per page
# (needle sets are kept per folded function, see :class:`Literals`).
_SHARED = (
    _text_part("text", "teks halaman", lambda f: f.text, lambda f: f.parts.folded_text),
    _text_part("hidden_text", "teks tersembunyi", lambda f: f.hidden_text, lambda f: f.parts.folded_hidden_text),
    _text_part("amphtml", "tautan AMP", lambda f: f.amphtml or "", lambda f: fold(f.amphtml or "")),
    _text_part("canonical", "tautan kanonik", lambda f: f.canonical or "", lambda f: fold(f.canonical or "")),
    _number("max_text_length", "panjang teks", lambda f: len(f.text), at_most=True),
    _number("min_text_length", "panjang teks", lambda f: len(f.text), at_most=False),
    _number("max_links", "jumlah tautan", lambda f: len(f.links), at_most=True),
    _number("min_links", "jumlah tautan", lambda f: len(f.links), at_most=False),
)
_SIGNATURE_VIEW = (
    Part("host", Shape.TEXT, "nama host", lambda f: f.parts.host, _host_snippet, kind="host", folded=lambda f: f.parts.folded_host),
    Part("url", Shape.TEXT, "URL", lambda f: f.url, _url_snippet, folded=_folded_url),
    Part(
        "title",
        Shape.TEXT,
        "judul halaman",
        lambda f: f.parts.short_title or None,
        _title_snippet,
        folded=lambda f: f.parts.folded_short_title,
    ),
    Part("html", Shape.TEXT, "kode HTML", lambda f: f.parts.short_html, _html_snippet, folded=_folded_html),
    Part("link_href", Shape.LIST, "alamat tautan", lambda f: f.parts.web_link_hrefs, _web_link, "link", lambda f: f.parts.web_link_hrefs),
    Part("link_text", Shape.LIST, "teks tautan", lambda f: f.parts.web_link_texts, _web_link, "link", lambda f: f.parts.web_link_hrefs),
    Part("script_src", Shape.LIST, "alamat skrip", lambda f: f.parts.scripts, _item),
    Part("form_field", Shape.LIST, "kolom formulir", lambda f: f.parts.fields, _item, "form"),
    Part("generator", Shape.LIST, "generator", lambda f: f.parts.generators, _item),
    Part("meta", Shape.PAIRS, "tag meta", lambda f: f.parts.short_meta, _pair_item),
    Part("header", Shape.PAIRS, "header HTTP", lambda f: f.headers.items(), _pair_item),
)
_HEALTH_VIEW = (
    _text_part("url", "URL", lambda f: f.url, _folded_url),
    _text_part("title", "judul halaman", lambda f: f.title, lambda f: f.parts.folded_title),
    _text_part("html", "kode HTML", lambda f: f.html, _folded_html),
    Part("link_text", Shape.LIST, "teks tautan", lambda f: f.parts.link_texts, _window, "link", lambda f: f.parts.link_hrefs),
    Part("link_href", Shape.LIST, "alamat tautan", lambda f: f.parts.link_hrefs, _window, "link", lambda f: f.parts.link_hrefs),
    Part("meta", Shape.PAIRS, "tag meta", lambda f: f.meta, _window),
    Part("header", Shape.PAIRS, "header HTTP", lambda f: f.headers.items(), _window),
)


def _table(*groups: Iterable[Part]) -> dict[str, Part]:
    table: dict[str, Part] = {}
    for group in groups:
        table.update({part.name: part for part in group})
    return table


HEALTH = Dialect(
    "health",
    flags=re.IGNORECASE,
    parts=_table(_SIGNATURE_VIEW, _SHARED, _HEALTH_VIEW),
    exact_names=False,
)
"""Health rules and usage signals: whole body, every link, ``name`` is a pattern, snippets cut around the match."""
SIGNATURES = Dialect(
    "signatures",
    flags=re.IGNORECASE | re.MULTILINE,
    parts=_table(_SHARED, _SIGNATURE_VIEW),
    exact_names=True,
)
"""The signature pack: bounded body, web links only, ``name`` is exact, snippets are whole items."""
PART_LABELS = {name: part.label for name, part in HEALTH.parts.items()}
NUMERIC_PARTS = frozenset(name for name, part in HEALTH.parts.items() if part.shape is Shape.NUMBER)
