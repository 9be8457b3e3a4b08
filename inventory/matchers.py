"""Matchers: one compiled regex on one part of a page, and the evidence (hits) it finds there."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from inventory.page import ItemList, ParsedPage
from inventory.patterns import PatternError, compile_bounded, required_literals
from inventory.text import collapse, html_window

PARTS = (
    "host",
    "url",
    "link_href",
    "link_text",
    "html",
    "meta",
    "generator",
    "header",
    "script_src",
    "form_field",
    "title",
)
KINDS = ("link", "host", "form", "login", "search", "download", "api", "document", "mention")
DEFAULT_KIND = {
    "host": "host",
    "url": "mention",
    "link_href": "link",
    "link_text": "link",
    "html": "mention",
    "meta": "mention",
    "generator": "mention",
    "header": "mention",
    "script_src": "mention",
    "form_field": "form",
    "title": "mention",
}
MAX_HITS = 5
"""At most this many items (links, fields...) are reported per matcher per page."""


@dataclass(frozen=True, slots=True)
class Matcher:
    """``part`` is searched with ``pattern``; ``name`` selects a meta tag or header."""

    part: str
    pattern: re.Pattern[str]
    kind: str
    name: str = ""
    required: tuple[str, ...] | None = None
    required_bytes: tuple[bytes, ...] | None = None

    def hits(self, page: ParsedPage, limit: int = MAX_HITS) -> list[Hit]:
        return _EVALUATORS[self.part](self, page, limit)


@dataclass(frozen=True, slots=True)
class Hit:
    """One piece of evidence. ``href`` is set when the evidence is a link to elsewhere."""

    kind: str
    snippet: str
    href: str = ""


def compile_matcher(raw: Any) -> Matcher:
    """Build a matcher from its rule mapping; raise ``ValueError`` with a readable reason."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"matcher must be a mapping, got {raw!r}")
    parts = [key for key in raw if key in PARTS]
    unknown = [key for key in raw if key not in PARTS and key != "kind"]
    if unknown:
        raise ValueError(f"unknown matcher key(s) {unknown}; parts are {list(PARTS)}")
    if len(parts) != 1:
        raise ValueError(f"a matcher names exactly one page part, got {parts or 'none'}")
    part = parts[0]
    kind = raw.get("kind", DEFAULT_KIND[part])
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; kinds are {list(KINDS)}")
    value = raw[part]
    try:
        if part in ("meta", "header"):
            return _named(part, value, kind)
        pattern = compile_bounded(value)
        required = required_literals(value)
        encoded = tuple(r.encode() for r in required) if required else None
        return Matcher(part, pattern, kind, required=required, required_bytes=encoded)
    except PatternError as exc:
        raise ValueError(f"{part}: {exc}") from None


def _named(part: str, value: Any, kind: str) -> Matcher:
    field = "content" if part == "meta" else "value"
    if not isinstance(value, Mapping) or set(value) != {"name", field}:
        raise ValueError(f"{part} matcher needs exactly 'name' and '{field}'")
    name = value["name"]
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{part} name must be a non-empty string")
    return Matcher(part, compile_bounded(value[field]), kind, name.strip().lower())


def _host(m: Matcher, page: ParsedPage, limit: int) -> list[Hit]:
    if m.pattern.search(page.host):
        return [Hit(m.kind, collapse(page.title or page.host))]
    return []


def _url(m: Matcher, page: ParsedPage, limit: int) -> list[Hit]:
    if m.pattern.search(page.url):
        return [Hit(m.kind, collapse(f"{page.title} {page.url}" if page.title else page.url))]
    return []


def _title(m: Matcher, page: ParsedPage, limit: int) -> list[Hit]:
    if page.title and m.pattern.search(page.title):
        return [Hit(m.kind, page.title)]
    return []


def _html(m: Matcher, page: ParsedPage, limit: int) -> list[Hit]:
    if m.required_bytes and not any(needle in page.html_lower for needle in m.required_bytes):
        return []
    found = m.pattern.search(page.html)
    if found is None:
        return []
    return [Hit(m.kind, html_window(page.html, found.start(), found.end()))]


def _links(items: Callable[[ParsedPage], ItemList]) -> Callable[[Matcher, ParsedPage, int], list[Hit]]:
    def evaluate(m: Matcher, page: ParsedPage, limit: int) -> list[Hit]:
        hits = []
        for index in items(page).find(m.pattern, limit, m.required):
            href, text = page.link_hrefs[index], page.link_texts[index]
            hits.append(Hit(m.kind, collapse(text or href), href))
        return hits

    return evaluate


def _list(items: Callable[[ParsedPage], ItemList]) -> Callable[[Matcher, ParsedPage, int], list[Hit]]:
    def evaluate(m: Matcher, page: ParsedPage, limit: int) -> list[Hit]:
        listed = items(page)
        return [Hit(m.kind, collapse(listed.items[i])) for i in listed.find(m.pattern, limit, m.required)]

    return evaluate


def _meta(m: Matcher, page: ParsedPage, limit: int) -> list[Hit]:
    hits = [Hit(m.kind, collapse(f"{name}: {content}")) for name, content in page.meta if name == m.name and m.pattern.search(content)]
    return hits[:limit]


def _generator(m: Matcher, page: ParsedPage, limit: int) -> list[Hit]:
    return [Hit(m.kind, collapse(g)) for g in page.generators if m.pattern.search(g)][:limit]


def _header(m: Matcher, page: ParsedPage, limit: int) -> list[Hit]:
    value = page.headers.get(m.name)
    if value is not None and m.pattern.search(value):
        return [Hit(m.kind, collapse(f"{m.name}: {value}"))]
    return []


_EVALUATORS: dict[str, Callable[[Matcher, ParsedPage, int], list[Hit]]] = {
    "host": _host,
    "url": _url,
    "title": _title,
    "html": _html,
    "link_href": _links(lambda p: p.href_list),
    "link_text": _links(lambda p: p.text_list),
    "script_src": _list(lambda p: p.script_list),
    "form_field": _list(lambda p: p.field_list),
    "meta": _meta,
    "generator": _generator,
    "header": _header,
}
