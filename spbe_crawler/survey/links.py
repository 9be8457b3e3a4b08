"""Which links of a site the bounded crawl follows, and in which order.

Same-site links only (the site's host and its ``www.`` twin), canonicalised so that session ids and
fragments never make a page look new; crawler traps (endless calendars, session-id URLs, very long
URLs) are cut by a URL length limit and a cap on pages per path that differ only by query string.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from spbe_crawler.health.page import join_url

SESSION_PARAMS = frozenset({"phpsessid", "jsessionid", "sid", "sessionid", "session_id", "aspsessionid", "cfid", "cftoken"})
SKIP_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|bmp|tiff?|mp[34]|avi|mov|wmv|webm|zip|rar|7z|gz|tgz|exe|apk|iso|"
    r"docx?|xlsx?|pptx?|pdf|css|js|woff2?|ttf|eot)$",
    re.IGNORECASE,
)
# Pages a unit site is expected to have come first (profil, kontak, layanan ...), news next.
PRIORITY_WORDS = re.compile(
    r"profil|struktur|kontak|hubungi|alamat|layanan|pelayanan|maklumat|ppid|informasi-publik|pengaduan|"
    r"berita|artikel|news|agenda",
    re.IGNORECASE,
)


_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
MAX_CONSIDERED = 20_000  # raw URLs a frontier remembers having considered (see LinkFrontier)


_PLAIN_URL = re.compile(r"https?://[a-z0-9.-]+(?:/[A-Za-z0-9._~/-]*(?:\?[A-Za-z0-9._~/=&-]+)?)?")
"""A URL that Scrapy's escaping (``w3lib.url.safe_url_string``) returns unchanged: lower-case ASCII
host without port, and a path and query of characters that are never escaped (no ``%``, no
fragment, no empty query). ``tests/test_survey_links.py`` checks the equality on generated URLs."""


def is_plain_url(url: str) -> bool:
    """Whether Scrapy may take ``url`` as it is (the ``verbatim_url`` request meta): escaping it again
    cost more than any other part of making a request (the host's IDNA encoding)."""
    return _PLAIN_URL.fullmatch(url) is not None


def site_key(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def canonical_url(url: str) -> str:
    """Drop the fragment, session-id parameters (also ``;jsessionid=`` path parameters) and default ports."""
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path) if ";" in parts.path else parts.path
    query = parts.query and urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SESSION_PARAMS]
    )
    netloc = parts.netloc.lower()
    if (parts.scheme == "http" and netloc.endswith(":80")) or (parts.scheme == "https" and netloc.endswith(":443")):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme.lower(), netloc, path or "/", query, ""))


class LinkFrontier:
    """Per-site bookkeeping of what was seen and what may still be fetched.

    ``considered`` remembers the raw URLs already given to :meth:`admit` (at most
    :data:`MAX_CONSIDERED`; later ones are not remembered, only canonicalised each time), so a link
    every page of a site repeats (menus, footers) is turned down without canonicalising it again.
    A second ``admit`` of the same raw URL always gives None anyway: it was then admitted (now
    seen), or refused for a reason that never goes away (``seen``, ``path_counts`` and
    ``scheduled`` only grow). The one visible difference: ``skipped_traps`` counts a trap once per
    distinct raw URL, not once per occurrence on the crawled pages.
    """

    def __init__(self, host: str, max_pages: int, max_url_length: int, same_path_max: int):
        self.key = site_key(host)
        self.max_pages = max_pages
        self.max_url_length = max_url_length
        self.same_path_max = same_path_max
        self.seen: set[str] = set()
        self.path_counts: Counter[str] = Counter()
        self.scheduled = 0
        self.skipped_traps = 0
        self.considered: set[str] = set()

    @property
    def full(self) -> bool:
        """No further link can be admitted (the page cap is reached): callers may skip link work."""
        return self.scheduled >= self.max_pages

    def admit(self, url: str) -> str | None:
        """The canonical URL to fetch, or None when it is off-site, already seen, a trap or over the cap."""
        if url in self.considered:
            return None
        canonical = canonical_url(url)
        parts = urlsplit(canonical)
        if len(self.considered) < MAX_CONSIDERED:  # after the parsing, so a malformed URL raises every time
            self.considered.add(url)
        if parts.scheme not in ("http", "https") or site_key(parts.hostname or "") != self.key:
            return None
        if canonical in self.seen or SKIP_EXTENSIONS.search(parts.path):
            return None
        if len(canonical) > self.max_url_length or self.path_counts[parts.path] >= self.same_path_max:
            self.skipped_traps += 1
            return None
        if self.scheduled >= self.max_pages:
            return None
        self.seen.add(canonical)
        self.path_counts[parts.path] += 1
        self.scheduled += 1
        return canonical

    def mark_seen(self, url: str) -> None:
        canonical = canonical_url(url)
        self.seen.add(canonical)
        self.path_counts[urlsplit(canonical).path] += 1


def ordered_links(base_url: str, links: list[tuple[str, str]]) -> list[str]:
    """Absolute link URLs, expected-content pages first, in document order otherwise."""
    absolute = []
    for href, text in links:
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        absolute.append((_rank(href, text), join_url(base_url, href)))
    return [url for _, url in sorted(absolute, key=lambda item: item[0])]


@lru_cache(maxsize=4096)
def _rank(href: str, text: str) -> int:
    """0 for an expected-content link, 1 otherwise; cached, as a site repeats its menus on every page
    and the case-insensitive search is most of the cost of ordering a page's links."""
    return 0 if PRIORITY_WORDS.search(href) or PRIORITY_WORDS.search(text or "") else 1
