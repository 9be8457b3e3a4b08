"""The input of the inventory: one fetched page, as the parts signature rules look at.

The page is parsed once, by :func:`spbe_crawler.health.page.parse_html` (the survey's one parse per
page); :meth:`ParsedPage.from_facts` only selects and trims the parts rules read.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from inventory.text import collapse
from spbe_crawler.health.page import PageFacts, parse_html

DEFAULT_MAX_HTML_CHARS = 1_000_000
"""Only this many characters of a page are parsed and searched (hostile pages can be huge)."""

ITEM_TEXT_CHARS = 200
_SKIP_SCHEMES = ("mailto:", "tel:")


class ItemList:
    """A list of strings searchable with one regex pass over their newline-joined text."""

    __slots__ = ("items", "_text", "_starts", "_lower")

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self._text = "\n".join(items)
        starts, pos = [], 0
        for item in items:
            starts.append(pos)
            pos += len(item) + 1
        self._starts = starts
        self._lower: ItemList | None = None

    def find(self, pattern: re.Pattern[str], limit: int, required: tuple[str, ...] | None = None) -> list[int]:
        """Indices of (at most ``limit``) items that contain a match, in order.

        One search over the joined text finds candidates; each candidate is confirmed on its own
        item, so a match straddling two items never counts and no matching item is skipped.
        ``required`` literals (see :func:`inventory.patterns.required_literals`) skip the search
        when none occurs.
        """
        if required:
            return self._find_near(pattern, limit, required)
        found: list[int] = []
        pos, text = 0, self._text
        while len(found) < limit:
            m = pattern.search(text, pos)
            if m is None:
                break
            index = bisect.bisect_right(self._starts, m.start()) - 1
            if pattern.search(self.items[index]):
                found.append(index)
                if index + 1 >= len(self._starts):
                    break
                pos = self._starts[index + 1]
            else:
                pos = m.start() + 1
        return found

    def _find_near(self, pattern: re.Pattern[str], limit: int, required: tuple[str, ...]) -> list[int]:
        """Like :meth:`find`, but only items containing a required literal are searched at all."""
        if self._lower is None:
            # Lower-case item by item: str.lower can change lengths, so offsets are recomputed.
            self._lower = ItemList([item.lower() for item in self.items])
        lower, starts = self._lower._text, self._lower._starts
        candidates: set[int] = set()
        for needle in required:
            pos = lower.find(needle)
            while pos != -1:
                index = bisect.bisect_right(starts, pos) - 1
                candidates.add(index)
                pos = lower.find(needle, starts[index + 1]) if index + 1 < len(starts) else -1
        found = []
        for index in sorted(candidates):
            if pattern.search(self.items[index]):
                found.append(index)
                if len(found) >= limit:
                    break
        return found


@dataclass
class ParsedPage:
    """The parts of one page that matchers read, selected from its :class:`PageFacts`."""

    url: str
    host: str
    html: str
    headers: Mapping[str, str]
    title: str = ""
    link_hrefs: list[str] = field(default_factory=list)
    link_texts: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_facts(cls, facts: PageFacts, max_chars: int = DEFAULT_MAX_HTML_CHARS) -> ParsedPage:
        links = [link for link in facts.links if not link.href.lower().startswith(_SKIP_SCHEMES)]
        return cls(
            url=facts.url,
            host=_host(facts.url),
            html=facts.html[:max_chars],
            headers=facts.headers,
            title=collapse(facts.title, ITEM_TEXT_CHARS),
            link_hrefs=[link.href for link in links],
            link_texts=[collapse(link.text, ITEM_TEXT_CHARS) for link in links],
            scripts=list(facts.scripts),
            fields=list(facts.fields),
            meta=[(name, collapse(content, 500)) for name, content in facts.meta],
        )

    @cached_property
    def html_lower(self) -> bytes:
        """The page as lower-cased UTF-8 bytes (ASCII folding), for literal prefilters."""
        return self.html.encode("utf-8", "replace").lower()

    @cached_property
    def href_list(self) -> ItemList:
        return ItemList(self.link_hrefs)

    @cached_property
    def text_list(self) -> ItemList:
        return ItemList(self.link_texts)

    @cached_property
    def script_list(self) -> ItemList:
        return ItemList(self.scripts)

    @cached_property
    def field_list(self) -> ItemList:
        return ItemList(self.fields)

    @cached_property
    def generators(self) -> list[str]:
        return [content for name, content in self.meta if name == "generator"]


@dataclass
class PageData:
    """One fetched page as the crawler hands it to the inventory.

    ``headers`` keys are lower-cased on construction; values may be ``str``, ``bytes`` or lists.
    ``facts`` is the page's one parse when the caller has it (the survey does); otherwise the first
    ``max_chars`` characters of ``html`` are parsed once, on first use.
    """

    url: str
    status: int = 200
    headers: Mapping[str, Any] = field(default_factory=dict)
    html: str = ""
    unit_code: str | None = None
    website_id: int | None = None
    max_chars: int = DEFAULT_MAX_HTML_CHARS
    facts: PageFacts | None = None

    def __post_init__(self) -> None:
        self.headers = {str(k).lower(): _header_value(v) for k, v in dict(self.headers).items()}

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def host(self) -> str:
        return _host(self.url)

    @cached_property
    def parsed(self) -> ParsedPage:
        """The page's parts; a page lxml cannot parse yields empty parts, never an error."""
        facts = self.facts
        if facts is None:
            facts = parse_html(self.url, self.status, self.headers, self.html[: self.max_chars] if self.html else "")
        return ParsedPage.from_facts(facts, self.max_chars)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # e.g. a malformed IPv6 literal
        return ""


def _header_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_header_value(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)
