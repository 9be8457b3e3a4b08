"""The parts of one page that matchers read, derived from its one parse (:class:`PageFacts`).

:class:`PageParts` is built lazily, once per page (``PageFacts.parts``), and shared by every rule
set that looks at the page: health rules, usage signals and the signature pack read the same lists.
Two views differ on purpose and are both kept here: the health rules see every link with its full
text (up to 300 characters) and the whole decoded body, while the signature pack sees only web
links (no ``mailto:``/``tel:``) with their text bounded to 200 characters and the first
:data:`MAX_HTML_CHARS` characters of the body.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from spbe_crawler.matching.snippets import collapse

if TYPE_CHECKING:
    from spbe_crawler.health.page import PageFacts

MAX_HTML_CHARS = 1_000_000
"""The signature pack searches only this many characters of a page's markup."""
ITEM_TEXT_CHARS = 200
META_CHARS = 500
_SKIP_SCHEMES = ("mailto:", "tel:")


_FOLD = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}
"""The only characters outside ASCII that a case-insensitive ``re`` literal a-z matches (İ ı ſ K),
each mapped to the letter it matches (checked over every code point by tests/test_matching.py)."""
_FOLD_CHARS = "".join(chr(c) for c in _FOLD)


def fold(text: str) -> str:
    """``text`` lower-cased so that an ASCII literal of a case-insensitive pattern occurs in it
    wherever the pattern matches: the text literal prefilters search (exact, not approximate)."""
    if text.isascii():  # the common case: nothing to translate, and lower() keeps every offset
        return text.lower()
    if any(c in text for c in _FOLD_CHARS):
        text = text.translate(_FOLD)
    return text.lower()


def host_of(url: str) -> str:
    """The lower-case host name of ``url``; ``""`` when it has none or is malformed."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # e.g. a malformed IPv6 literal
        return ""


def _starts(items: list[str]) -> list[int]:
    """The offset of each item in the newline-joined text of ``items``."""
    starts, pos = [], 0
    for item in items:
        starts.append(pos)
        pos += len(item) + 1
    return starts


class ItemList:
    """A list of strings searchable with one regex pass over their newline-joined text."""

    __slots__ = ("items", "_text", "_starts", "_folded")

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self._text = "\n".join(items)
        self._starts = _starts(items)
        self._folded: tuple[str, list[int]] | None = None

    @property
    def folded(self) -> str:
        """The :func:`fold` of every item, newline-joined: a required literal missing here is missing
        from every item (the literal prefilter of a whole list, see :class:`~spbe_crawler.matching.engine.Literals`)."""
        return self._fold()[0]

    def _fold(self) -> tuple[str, list[int]]:
        """The folded joined text and the offsets of its items."""
        if self._folded is None:
            # Folding maps each character to one (İ, the one character whose lower case is two, is
            # translated first), so the joined text is folded at once and the offsets of the items
            # hold; should a Unicode update break that, items are folded one by one.
            folded = fold(self._text)
            if len(folded) == len(self._text):
                self._folded = (folded, self._starts)
            else:
                items = [fold(item) for item in self.items]
                self._folded = ("\n".join(items), _starts(items))
        return self._folded

    def find(
        self,
        pattern: re.Pattern[str],
        limit: int,
        required: tuple[str, ...] | None = None,
        joined: re.Pattern[str] | None = None,
    ) -> list[tuple[int, re.Match[str]]]:
        """(index, first match) of at most ``limit`` items that contain a match of ``pattern``, in order.

        ``joined`` (``pattern`` compiled multi-line, so ``^``/``$`` hold at item boundaries) searches
        the joined text for candidates; each candidate is confirmed with ``pattern`` on its own item,
        so a match straddling two items never counts and no matching item is skipped. Without it
        every item is searched on its own. ``required`` literals (see
        :func:`spbe_crawler.patterns.required_literals`) skip items that contain none of them.
        """
        if required:
            return self._find_near(pattern, limit, required)
        if joined is None:
            return self._find_each(pattern, limit)
        found: list[tuple[int, re.Match[str]]] = []
        pos, text, starts = 0, self._text, self._starts
        while len(found) < limit:
            candidate = joined.search(text, pos)
            if candidate is None:
                break
            index = bisect.bisect_right(starts, candidate.start()) - 1
            match = pattern.search(self.items[index])
            if match is not None:
                found.append((index, match))
                if index + 1 >= len(starts):
                    break
                pos = starts[index + 1]
            else:
                pos = candidate.start() + 1
        return found

    def _find_each(self, pattern: re.Pattern[str], limit: int) -> list[tuple[int, re.Match[str]]]:
        found = []
        for index, item in enumerate(self.items):
            match = pattern.search(item)
            if match is not None:
                found.append((index, match))
                if len(found) >= limit:
                    break
        return found

    def candidates(self, required: tuple[str, ...]) -> list[int]:
        """Indices of the items whose :func:`fold` contains one of the ``required`` literals, in order."""
        lower, starts = self._fold()
        candidates: set[int] = set()
        for needle in required:
            pos = lower.find(needle)
            while pos != -1:
                index = bisect.bisect_right(starts, pos) - 1
                candidates.add(index)
                pos = lower.find(needle, starts[index + 1]) if index + 1 < len(starts) else -1
        return sorted(candidates)

    def _find_near(self, pattern: re.Pattern[str], limit: int, required: tuple[str, ...]) -> list[tuple[int, re.Match[str]]]:
        """Like :meth:`find`, but only items containing a required literal are searched at all."""
        found = []
        for index in self.candidates(required):
            match = pattern.search(self.items[index])
            if match is not None:
                found.append((index, match))
                if len(found) >= limit:
                    break
        return found


class PageParts:
    """Every page part a matcher can name, computed on first use from one :class:`PageFacts`."""

    def __init__(self, facts: PageFacts) -> None:
        # References to the facts' values, not to the facts: ``PageFacts.parts`` caches this object,
        # and a reference cycle would keep every page's body alive until the cycle collector runs.
        self.url = facts.url
        self.title = facts.title
        self.text = facts.text
        self.hidden_text = facts.hidden_text
        self.html = facts.html
        self.links = facts.links
        self.meta = facts.meta
        self._scripts = facts.scripts
        self._fields = facts.fields
        self.literals: dict[object, bool] = {}
        """Memo of the literal prefilters on this page (:class:`~spbe_crawler.matching.engine.Literals`):
        one check per page, whatever the number of rules that share it."""
        self.needles_found: dict[object, tuple[int, frozenset[str]]] = {}
        """Memo of the needles found in each folded part (:class:`~spbe_crawler.matching.engine.NeedleSet`)."""

    @cached_property
    def host(self) -> str:
        return host_of(self.url)

    # --- folded copies for the literal prefilters (one per page, whatever the number of rules) ----
    @cached_property
    def folded_text(self) -> str:
        return fold(self.text)

    @cached_property
    def folded_hidden_text(self) -> str:
        return fold(self.hidden_text)

    @cached_property
    def folded_html(self) -> str:
        """The whole body folded; the signature pack's bounded view is a prefix, so a literal
        missing here is missing there too."""
        return fold(self.html)

    @cached_property
    def folded_host(self) -> str:
        return fold(self.host)

    @cached_property
    def folded_url(self) -> str:
        return fold(self.url)

    @cached_property
    def folded_title(self) -> str:
        return fold(self.title)

    @cached_property
    def folded_short_title(self) -> str:
        return fold(self.short_title)

    # --- the health view: whole body, every link, full link text ---------------------------------
    @cached_property
    def link_hrefs(self) -> ItemList:
        return ItemList([link.href for link in self.links])

    @cached_property
    def link_texts(self) -> ItemList:
        return ItemList([link.text for link in self.links])

    # --- the signature view: bounded body, web links only, bounded texts -------------------------
    @cached_property
    def short_title(self) -> str:
        return collapse(self.title, ITEM_TEXT_CHARS)

    @cached_property
    def short_html(self) -> str:
        return self.html[:MAX_HTML_CHARS]

    @cached_property
    def _web_links(self) -> list[tuple[str, str]]:
        return [(link.href, link.text) for link in self.links if not link.href.lower().startswith(_SKIP_SCHEMES)]

    @cached_property
    def web_link_hrefs(self) -> ItemList:
        return ItemList([href for href, _ in self._web_links])

    @cached_property
    def web_link_texts(self) -> ItemList:
        return ItemList([collapse(text, ITEM_TEXT_CHARS) for _, text in self._web_links])

    @cached_property
    def scripts(self) -> ItemList:
        return ItemList(list(self._scripts))

    @cached_property
    def fields(self) -> ItemList:
        return ItemList(list(self._fields))

    @cached_property
    def short_meta(self) -> list[tuple[str, str]]:
        return [(name, collapse(content, META_CHARS)) for name, content in self.meta]

    @cached_property
    def generators(self) -> ItemList:
        return ItemList([content for name, content in self.short_meta if name == "generator"])
