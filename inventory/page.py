"""The input of the inventory: one fetched page, parsed once into the parts rules look at."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from inventory.text import collapse

DEFAULT_MAX_HTML_CHARS = 1_000_000
"""Only this many characters of a page are parsed and searched (hostile pages can be huge)."""

MAX_ITEMS = 5_000
"""At most this many links, scripts or form fields are kept per page."""

ITEM_TEXT_CHARS = 200
MAX_OPTIONS = 50

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#")
_FIELD_TAGS = {"input", "select", "textarea", "button"}
_CONTAINERS = re.compile(
    r"</?(?!(?:a|area|base|title|meta|script|label|input|select|option|textarea|button|form|img)\b)"
    r"[a-z][a-z0-9:-]{0,30}\b[^<>]{0,2000}>",
    re.IGNORECASE,
)
"""Every tag rules do not read; dropped when a page is too deeply nested for libxml2."""


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
    """The parts of one page that matchers read; built once per page by :class:`PageData`."""

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
    Only the first ``max_chars`` characters of ``html`` are parsed and searched.
    """

    url: str
    status: int = 200
    headers: Mapping[str, Any] = field(default_factory=dict)
    html: str = ""
    unit_code: str | None = None
    website_id: int | None = None
    max_chars: int = DEFAULT_MAX_HTML_CHARS

    def __post_init__(self) -> None:
        self.headers = {str(k).lower(): _header_value(v) for k, v in dict(self.headers).items()}

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def host(self) -> str:
        try:
            return (urlsplit(self.url).hostname or "").lower()
        except ValueError:  # e.g. a malformed IPv6 literal
            return ""

    @cached_property
    def parsed(self) -> ParsedPage:
        """The page parsed once (lxml); a page lxml cannot parse yields empty parts, never an error."""
        html = self.html[: self.max_chars] if self.html else ""
        page = ParsedPage(url=self.url, host=self.host, html=html, headers=self.headers)
        root = _parse(html)
        if root is not None:
            _extract(root, page)
        return page


def _header_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_header_value(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """Parse with lxml; a page nested deeper than libxml2 allows is re-parsed flattened.

    libxml2 stops at depth 256 and silently drops the rest of the page, so a hostile (or merely
    badly generated) page could hide everything after a deep nest. Rules need links, forms, meta
    and scripts, not the nesting, so container tags are dropped and the page is parsed again.
    """
    if not html.strip():
        return None
    root, too_deep = _parse_once(html)
    if too_deep:
        root, _ = _parse_once(_CONTAINERS.sub(" ", html))
    return root


def _parse_once(html: str) -> tuple[lxml.html.HtmlElement | None, bool]:
    parser = lxml.html.HTMLParser(encoding="utf-8", recover=True, no_network=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None, False
    too_deep = any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)
    return root, too_deep


def _extract(root: lxml.html.HtmlElement, page: ParsedPage) -> None:
    base = page.url
    labels: dict[str, str] = {}
    pending: list[tuple[str, list[str]]] = []
    for el in root.iter("a", "area", "base", "title", "meta", "script", "label", *_FIELD_TAGS):
        tag = el.tag
        if tag in ("a", "area"):
            _add_link(el, base, page)
        elif tag in _FIELD_TAGS:
            if len(page.fields) + len(pending) < MAX_ITEMS:
                _add_field(el, pending)
        elif tag == "label":
            target = el.get("for")
            if target:
                labels[target] = collapse(el.text_content(), ITEM_TEXT_CHARS)
        elif tag == "meta":
            _add_meta(el, page)
        elif tag == "script":
            src = _absolute(base, el.get("src") or "")
            if src and len(page.scripts) < MAX_ITEMS:
                page.scripts.append(src)
        elif tag == "title" and not page.title:
            page.title = collapse(el.text_content() or "", ITEM_TEXT_CHARS)
        elif tag == "base" and el.get("href"):
            base = _absolute(page.url, el.get("href") or "") or base
    for field_id, parts in pending:
        if field_id and field_id in labels:
            parts.append(labels[field_id])
        page.fields.append(collapse(" | ".join(p for p in parts if p), ITEM_TEXT_CHARS))


def _add_link(el: lxml.html.HtmlElement, base: str, page: ParsedPage) -> None:
    href = (el.get("href") or "").strip()
    if not href or href.lower().startswith(_SKIP_SCHEMES) or len(page.link_hrefs) >= MAX_ITEMS:
        return
    absolute = _absolute(base, href)
    if not absolute:
        return
    text = collapse(el.text_content() or "", ITEM_TEXT_CHARS)
    if not text:
        img = next(el.iter("img"), None)
        text = collapse(el.get("title") or (img.get("alt", "") if img is not None else ""), ITEM_TEXT_CHARS)
    page.link_hrefs.append(absolute)
    page.link_texts.append(text)


def _absolute(base: str, href: str) -> str:
    """``href`` resolved against ``base``; empty when it cannot be (malformed URL)."""
    href = href.strip()
    if href.startswith(("https://", "http://")) and " " not in href and "[" not in href:
        return href  # already absolute: skip urljoin, the parser's hottest call
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


def _add_field(el: lxml.html.HtmlElement, pending: list[tuple[str, list[str]]]) -> None:
    kind = (el.get("type") or "").lower()
    if el.tag == "input" and kind == "hidden":
        return
    parts = [el.get(a) or "" for a in ("name", "id", "placeholder", "aria-label", "title")]
    if el.tag == "button" or kind in ("submit", "button"):
        parts.append(el.get("value") or "")
        parts.append(el.text_content() or "")
    if el.tag == "select":
        parts.extend((o.text or "") for o in islice(el.iter("option"), MAX_OPTIONS))
    wrapping = next(el.iterancestors("label"), None)
    if wrapping is not None:
        parts.append(wrapping.text or "")
    pending.append((el.get("id") or "", [collapse(p, ITEM_TEXT_CHARS) for p in parts]))


def _add_meta(el: lxml.html.HtmlElement, page: ParsedPage) -> None:
    name = el.get("name") or el.get("property") or el.get("http-equiv") or el.get("itemprop")
    content = el.get("content")
    if name and content is not None and len(page.meta) < MAX_ITEMS:
        page.meta.append((name.strip().lower(), collapse(content, 500)))
