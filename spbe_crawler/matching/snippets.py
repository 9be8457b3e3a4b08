"""Evidence snippets: crawled content is untrusted and kept as bounded, plain, control-free text.

Snippets are stored and shown in reports and web pages, where they are escaped on output; here they
are only bounded (at most :data:`SNIPPET_CHARS`) and stripped of control characters.
"""

from __future__ import annotations

import html
import re

SNIPPET_CHARS = 200
_WS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[^<>]{0,2000}>")
_TAG_TAIL = re.compile(r"<[^<>]{0,2000}$")
_TAG_HEAD = re.compile(r"^[^<>]{0,2000}>")
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]{0,500}>.{0,4000}?</\1\s{0,5}>", re.I | re.S)


def collapse(text: str, limit: int = SNIPPET_CHARS) -> str:
    """Whitespace-collapsed, control-free text of at most ``limit`` characters (``…`` when cut)."""
    text = _WS.sub(" ", _CONTROL.sub(" ", text)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def cut(text: str) -> str:
    """Whitespace collapsed, at most :data:`SNIPPET_CHARS` characters, no ellipsis.

    The collapsed text of a prefix is a prefix of the collapsed text of any longer one, so a short
    prefix is collapsed first and the long one only when that gives fewer than SNIPPET_CHARS
    characters: the result is the one of the long prefix, without collapsing kilobytes per hit.
    """
    short = _collapsed(text[: SNIPPET_CHARS * 2])
    if len(short) >= SNIPPET_CHARS or len(text) <= SNIPPET_CHARS * 2:
        return short[:SNIPPET_CHARS]
    return _collapsed(text[: SNIPPET_CHARS * 20])[:SNIPPET_CHARS]


def _collapsed(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def window(value: str, match: re.Match[str]) -> str:
    """The match with some context on both sides, starting at a word boundary."""
    room = max(0, (SNIPPET_CHARS - (match.end() - match.start())) // 2)
    start = max(0, match.start() - room)
    if start > 0:
        space = value.find(" ", start, match.start())
        start = space + 1 if space >= 0 else start
    return cut(value[start : match.end() + room])


def html_window(source: str, start: int, end: int, context: int = 90) -> str:
    """The plain text around ``source[start:end]`` (markup stripped, entities decoded, bounded)."""
    lo, hi = max(0, start - context), min(len(source), end + context)
    text = _SCRIPT_OR_STYLE.sub(" ", source[lo:hi])
    text = _TAG.sub(" ", text)
    if lo > 0:
        text = _TAG_HEAD.sub(" ", text, count=1)
    if hi < len(source):
        text = _TAG_TAIL.sub(" ", text, count=1)
    text = html.unescape(text)
    if lo > 0:
        text = text.split(" ", 1)[-1]  # drop the word the window cut in half
    if hi < len(source):
        text = text.rsplit(" ", 1)[0]
    text = collapse(text, limit=10 * SNIPPET_CHARS)
    matched = _bare(collapse(html.unescape(source[start:end]), limit=80))
    if matched.lower() not in text.lower():
        # The match sat inside markup (an attribute, a script URL): show it first.
        text = f"{matched} · {text}" if text else matched
    return collapse(text)


def _bare(fragment: str) -> str:
    """A matched markup fragment without its tag and attribute name (``<a href="x`` -> ``x``)."""
    if "<" in fragment or "=" in fragment:
        fragment = re.split(r"=[\"']?", fragment)[-1]
    return fragment.strip("\"' <>")
