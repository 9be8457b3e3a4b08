"""``PageFacts``: everything any analyser reads from one fetched page, extracted by one lxml parse.

The health rules, the usage signals, discovery and the signature pack (``inventory``) all read the
same ``PageFacts``: a page is parsed once per survey. Rules read it through the one matcher engine
(:mod:`spbe_crawler.matching`), whose derived parts (``PageFacts.parts``) are computed once per page.
``parse_page`` never raises on page content: malformed markup, a wrong or missing charset, an
empty or binary body all give a ``PageFacts`` (with ``problem`` set when nothing could be parsed).
Every extracted part is bounded, so a hostile multi-megabyte page costs bounded work downstream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
from lxml.etree import _Element as Element  # what lxml.etree's HTML parser makes (no lxml.html classes)

from spbe_crawler.health.dates import dates_from_markup, dates_from_text, plausible
from spbe_crawler.health.decode import decode_body
from spbe_crawler.health.textwalk import normalize_space, walk
from spbe_crawler.matching.parts import PageParts
from spbe_crawler.matching.snippets import collapse

MAX_BODY_BYTES = 2_000_000  # only the first 2 MB of a body is parsed and matched
MAX_TEXT_CHARS = 300_000
MAX_HIDDEN_CHARS = 100_000
MAX_TITLE_CHARS = 500
MAX_LINKS = 5_000
MAX_LINK_TEXT = 300
MAX_HREF = 2_000
MAX_META = 300
MAX_META_CONTENT = 2_000
MAX_ITEMS = 5_000  # scripts and form fields kept per page
ITEM_TEXT_CHARS = 200
MAX_OPTIONS = 50
FIELD_TAGS = ("input", "select", "textarea", "button")
_CONTAINERS = re.compile(
    r"</?(?!(?:a|area|base|title|meta|script|label|input|select|option|textarea|button|form|img)\b)"
    r"[a-z][a-z0-9:-]{0,30}\b[^<>]{0,2000}>",
    re.IGNORECASE,
)
"""Container tags, dropped when a page is nested deeper than libxml2 allows (it would cut the rest)."""

HeaderValue = str | bytes | Sequence[str | bytes]


@dataclass(frozen=True)
class Link:
    href: str  # absolute
    text: str
    hidden: bool = False


@dataclass(frozen=True)
class PageFacts:
    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    html: str = ""  # decoded, first MAX_BODY_BYTES of the body
    encoding: str = "utf-8"
    title: str = ""
    text: str = ""  # visible text, whitespace collapsed
    hidden_text: str = ""
    meta: tuple[tuple[str, str], ...] = ()  # (lower-case name/property/itemprop/http-equiv, content)
    refresh: str | None = None  # content of the first <meta http-equiv="refresh"> outside <noscript>
    base_url: str | None = None  # a usable <base href> the page's relative URLs resolve against (None: the page URL)
    links: tuple[Link, ...] = ()
    lang: str | None = None
    viewport: str | None = None
    generator: str | None = None
    canonical: str | None = None
    amphtml: str | None = None
    scripts: tuple[str, ...] = ()  # absolute src of every <script src>
    fields: tuple[str, ...] = ()  # one line per form field: name | id | placeholder | label ...
    dates: tuple[date, ...] = ()  # newest first
    truncated: bool = False
    problem: str | None = None  # why nothing could be parsed, in Indonesian

    def meta_content(self, name: str) -> str | None:
        """Content of the first meta tag called ``name`` (case-insensitive)."""
        wanted = name.lower()
        return next((content for key, content in self.meta if key == wanted), None)

    @property
    def is_https(self) -> bool:
        return self.url.lower().startswith("https://")

    @cached_property
    def parts(self) -> PageParts:
        """The parts rules read (link lists, bounded views...), derived once per page and shared by
        every rule set (:mod:`spbe_crawler.matching`)."""
        return PageParts(self)


def parse_page(
    url: str,
    status: int,
    headers: Mapping[Any, HeaderValue] | None,
    body: bytes,
    encoding_hint: str | None = None,
    today: date | None = None,
    earlier: PageFacts | None = None,
) -> PageFacts:
    """Decode a fetched page as a browser would and parse it once into the facts every analyser reads.

    ``earlier``: the facts of a copy of this page fetched moments before (the homepage, for its
    search-engine copy). When this one has its URL and decodes to the same markup it is not parsed
    again: its facts are ``earlier``'s with this response's status and headers.
    """
    plain_headers = normalize_headers(headers or {})
    html, encoding = decode_body(body[:MAX_BODY_BYTES], plain_headers.get("content-type"), encoding_hint)
    truncated = len(body) > MAX_BODY_BYTES
    if earlier is not None and (url, html, encoding, truncated) == (earlier.url, earlier.html, earlier.encoding, earlier.truncated):
        copy = _replace(earlier, status=status, headers=plain_headers)
        if "parts" in earlier.__dict__:  # derived from the markup alone: the rules' memo holds for the copy
            copy.__dict__["parts"] = earlier.__dict__["parts"]
        return copy
    return _parse_decoded(url, status, plain_headers, html, encoding, truncated, today)


def parse_html(
    url: str,
    status: int,
    headers: Mapping[Any, HeaderValue] | None,
    html: str,
    encoding: str = "utf-8",
    truncated: bool = False,
    today: date | None = None,
) -> PageFacts:
    """Parse already decoded markup once into :class:`PageFacts` (the one parse of a page)."""
    return _parse_decoded(url, status, normalize_headers(headers or {}), html, encoding, truncated, today)


def _parse_decoded(
    url: str, status: int, plain_headers: dict[str, str], html: str, encoding: str, truncated: bool, today: date | None
) -> PageFacts:
    root = _parse_tree(html)
    if root is None:
        problem = "Halaman kosong atau tidak dapat diurai sebagai HTML"
        return PageFacts(url=url, status=status, headers=plain_headers, html=html, encoding=encoding, truncated=truncated, problem=problem)
    return PageFacts(
        url=url,
        status=status,
        headers=plain_headers,
        html=html,
        encoding=encoding,
        **_facts_from_tree(url, root, truncated, today or date.today()),
    )


def normalize_headers(headers: Mapping[Any, HeaderValue]) -> dict[str, str]:
    """Header names lower-cased, values decoded and repeated values joined (Scrapy gives bytes lists)."""
    plain: dict[str, str] = {}
    for name, value in headers.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        texts = [v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values]
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        plain[key.lower()] = ", ".join(texts)[:MAX_META_CONTENT]
    return plain


def _parse_tree(html: str) -> Element | None:
    """The page's tree; a page nested deeper than libxml2 allows is parsed again flattened.

    libxml2 stops at depth 256 and silently drops the rest of the page, so a hostile (or merely
    badly generated) page could hide everything after a deep nest. Analysers need text, links,
    forms, meta and scripts, not the nesting, so container tags are dropped for the second parse.
    """
    if not html.strip():
        return None
    root, too_deep = _parse_once(html)
    if too_deep:
        root, _ = _parse_once(_CONTAINERS.sub(" ", html))
    return root


def _parse_once(html: str) -> tuple[Element | None, bool]:
    # lxml.etree's HTML parser, not lxml.html's: the same libxml2 parse, but lxml.html looks up an
    # element class in Python for every element the analysers touch (a tenth of the facts' time),
    # and no analyser uses what those classes add.
    parser = lxml.etree.HTMLParser(encoding="utf-8", remove_comments=False, recover=True, no_network=True)
    try:
        root = lxml.etree.fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None, False
    return root, any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)


def _facts_from_tree(url: str, root: Element, truncated: bool, today: date) -> dict[str, Any]:
    """The fields of :class:`PageFacts` read from the tree (the page is built once, with all of them)."""
    walked = walk(root, MAX_TEXT_CHARS, MAX_LINKS)
    meta, refresh = _meta(root)
    text = normalize_space("".join(walked.visible), MAX_TEXT_CHARS)
    hidden_text = normalize_space("".join(walked.hidden), MAX_HIDDEN_CHARS)
    link_base = _link_base(root, url)
    found_dates = dates_from_markup(root, meta) + dates_from_text(text) + dates_from_text(hidden_text)
    meta_dict = {name: content for name, content in reversed(meta)}  # first one wins
    scripts, form_fields = _scripts_and_fields(root, link_base)
    return {
        "title": _title(root),
        "text": text,
        "hidden_text": hidden_text,
        "meta": tuple(meta),
        "refresh": refresh,
        "base_url": link_base if link_base != url else None,
        "links": tuple(_links(walked.anchors, link_base)),
        "lang": (root.get("lang") or root.get("xml:lang") or "").strip()[:20] or None,
        "viewport": meta_dict.get("viewport"),
        "generator": meta_dict.get("generator"),
        "canonical": _head_link(root, "canonical", link_base),
        "amphtml": _head_link(root, "amphtml", link_base),
        "scripts": tuple(scripts),
        "fields": tuple(form_fields),
        "dates": tuple(plausible(found_dates, today)),
        "truncated": truncated or walked.truncated,
    }


def _replace(facts: PageFacts, **changes: object) -> PageFacts:
    return replace(facts, **changes)  # type: ignore[arg-type]


def _title(root: Element) -> str:
    element = next(root.iter("title"), None)
    if element is None:
        return ""
    return normalize_space(_text_content(element)[: MAX_TITLE_CHARS * 4], MAX_TITLE_CHARS)


def _text_content(element: Element) -> str:
    """``element.text_content()`` without its per-call XPath evaluation: the text of an element
    without child nodes, else the text serialisation of the subtree (both are libxml2's node content,
    the concatenated text nodes the XPath ``string()`` of ``text_content`` reads)."""
    if not len(element):
        return element.text or ""
    return lxml.etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def _meta(root: Element) -> tuple[list[tuple[str, str]], str | None]:
    """The page's meta pairs, and its refresh: what a browser with scripts on obeys (not one
    inside ``<noscript>``, the fallback of pages that redirect by script)."""
    found: list[tuple[str, str]] = []
    refresh = None
    for element in root.iter("meta"):
        content = element.get("content")
        key = element.get("name") or element.get("property") or element.get("itemprop") or element.get("http-equiv")
        if content is None or not key:
            continue
        found.append((key.strip().lower()[:100], content.strip()[:MAX_META_CONTENT]))
        if refresh is None and found[-1][0] == "refresh" and next(element.iterancestors("noscript"), None) is None:
            refresh = found[-1][1]
        if len(found) >= MAX_META:
            break
    return found, refresh


def _link_base(root: Element, url: str) -> str:
    """The page URL, or a usable ``<base href>`` (hacked templates carry placeholders there)."""
    element = next(root.iter("base"), None)
    href = (element.get("href") or "").strip() if element is not None else ""
    if href:
        candidate = _absolute(url, href)
        if candidate and urlsplit(candidate).scheme in ("http", "https"):
            return candidate
    return url


def _absolute(base: str, href: str) -> str | None:
    href = "".join(href.split())[:MAX_HREF]
    if not href or href.lower().startswith(("javascript:", "data:", "vbscript:")):
        return None
    try:
        return join_url(base, href)
    except ValueError:  # malformed (e.g. a bad IPv6 literal)
        return None


_PLAIN_HREF = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,/:=?#@%]+")
"""Characters ``urlsplit`` takes literally: no space or control character (stripped or removed), no
``;`` (path parameters), no ``[ ]`` (IPv6 checks), no backslash, nothing outside ASCII (netloc checks)."""


def join_url(base: str, href: str) -> str:
    """Exactly ``urllib.parse.urljoin(base, href)`` (the same result, the same ``ValueError``), cheaper
    for the two shapes nearly every link has.

    * An absolute ``http://`` / ``https://`` href (lower-case scheme, non-empty host) comes back
      unchanged: urljoin returns it as is when its scheme differs from the base's and rebuilds the
      same string from its parts otherwise (it does not resolve dot segments in a URL with a host).
    * A root-relative ``/path`` href with no dot segment is the base's ``scheme://netloc`` followed
      by the href, when the base is an http(s) URL with a host.

    Either way the href must be plain (:data:`_PLAIN_HREF`) with no empty query or fragment
    (``?`` / ``#`` with nothing after them, which urljoin drops), and the base is parsed once per
    distinct base (:func:`_origin`), so a malformed base raises just as urljoin would. Anything else
    (scheme-relative ``//host``, relative paths, ``?query``, ``#fragment``, other schemes...) goes to
    urljoin itself. ``tests/test_health_page.py`` checks the equality on a large generated set.
    """
    if base and href and _PLAIN_HREF.fullmatch(href) and "?#" not in href and href[-1] not in "?#":
        if href[0] == "/":
            if href[1:2] != "/" and "/." not in href:
                origin = _origin(base)
                if origin is not None:
                    return origin + href
        elif href.startswith(("http://", "https://")):
            host_start = href.index("//") + 2
            if href[host_start : host_start + 1] not in ("", "/", "?", "#"):
                _origin(base)  # urljoin parses the base even when the href is absolute: same errors
                return href
    return urljoin(base, href)


@lru_cache(maxsize=256)
def _origin(base: str) -> str | None:
    """``scheme://netloc`` of an http(s) base URL with a host, as urljoin would rebuild it; None for
    any other base. Raises ``ValueError`` on a base urljoin cannot parse."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _links(anchors: Iterable[tuple[Element, bool]], base: str) -> list[Link]:
    links: list[Link] = []
    for element, hidden in anchors:
        href = _absolute(base, element.get("href") or "")
        if href is None:
            continue
        text = normalize_space(_text_content(element)[: MAX_LINK_TEXT * 4], MAX_LINK_TEXT)
        if not text:
            image = next(element.iter("img"), None)
            alt = image.get("alt") if image is not None else None
            text = normalize_space(element.get("title") or alt or "", MAX_LINK_TEXT)
        links.append(Link(href=href, text=text, hidden=hidden))
    return links


def _head_link(root: Element, rel: str, base: str) -> str | None:
    for element in root.iter("link"):
        if rel in (element.get("rel") or "").lower().split():
            return _absolute(base, element.get("href") or "")
    return None


def _scripts_and_fields(root: Element, base: str) -> tuple[list[str], list[str]]:
    """Script sources and one descriptive line per form field (its name, id, placeholder, label ...)."""
    scripts: list[str] = []
    labels: dict[str, str] = {}
    pending: list[tuple[str, list[str]]] = []
    for element in root.iter("script", "label", *FIELD_TAGS):
        tag = element.tag
        if tag == "script":
            src = _absolute(base, element.get("src") or "")
            if src and len(scripts) < MAX_ITEMS:
                scripts.append(src)
        elif tag == "label":
            target = element.get("for")
            if target:
                labels[target] = _collapse(_text_content(element))
        elif len(pending) < MAX_ITEMS:
            _add_field(element, pending)
    form_fields = []
    for field_id, parts in pending:
        if field_id and field_id in labels:
            parts.append(labels[field_id])
        form_fields.append(_collapse(" | ".join(p for p in parts if p)))
    return scripts, form_fields


def _add_field(element: Element, pending: list[tuple[str, list[str]]]) -> None:
    kind = (element.get("type") or "").lower()
    if element.tag == "input" and kind == "hidden":
        return
    parts = [element.get(a) or "" for a in ("name", "id", "placeholder", "aria-label", "title")]
    if element.tag == "button" or kind in ("submit", "button"):
        parts.append(element.get("value") or "")
        parts.append(_text_content(element))
    if element.tag == "select":
        parts.extend((option.text or "") for option in islice(element.iter("option"), MAX_OPTIONS))
    wrapping = next(element.iterancestors("label"), None)
    if wrapping is not None:
        parts.append(wrapping.text or "")
    pending.append((element.get("id") or "", [_collapse(p) for p in parts]))


def _collapse(text: str, limit: int = ITEM_TEXT_CHARS) -> str:
    """Whitespace-collapsed, control-free text of at most ``limit`` characters (``…`` when cut)."""
    return collapse(text[: limit * 20], limit)
