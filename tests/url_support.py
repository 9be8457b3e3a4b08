"""Generated base/href pairs, nasty ones included, for checking URL helpers against ``urllib.parse``."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from itertools import product

BASES = (
    "https://a.go.id/",
    "https://a.go.id",
    "http://a.go.id/berita/index.php?id=3#top",
    "HTTPS://Kel-A.Go.Id:443/x/y",
    "Http://a.go.id/x/",
    "https://u:p@a.go.id:8443/a;p?q",
    "https://a.go.id/a;jsessionid=1/b;x=y",
    "https://a.go.id/x/..",
    "https://a.go.id/?q",
    "https://a.go.id#f",
    "http://a.go.id:80",
    "http://[::1]/x",
    "http://[fe80::1]:8080/",
    "http://[::1",
    "http://::1]/",
    "http://[v1.x]/",
    "https://ａ.go.id/",  # fullwidth: allowed, NFKC gives plain ASCII
    "https://a.go.id℀/",  # NFKC gives "a/c": urlsplit refuses it
    "ftp://a.go.id/x",
    "file:///tmp/x",
    "mailto:x@a.go.id",
    "javascript:void(0)",
    "http:/x/y",
    "http:x",
    "https:a.go.id",
    "//a.go.id/x",
    "/x/y",
    "x",
    "",
    " https://a.go.id/ ",
    "\thttps://a.go.id/",
    "\x00https://a.go.id/",
    "https://a.go\n.id/x",
    "https://a.go.id\\x\\y",
)

HREF_PREFIXES = (
    "",
    "/",
    "//",
    "///",
    "http://",
    "https://",
    "HTTP://",
    "Https://",
    "http:",
    "http:/",
    "https:",
    "ftp://",
    "mailto:",
    "javascript:",
    "data:",
    "//a.go.id",
    "//b.go.id:8080",
    "http://a.go.id",
    "https://a.go.id",
    "https://www.a.go.id",
    "http://A.Go.Id:8080",
    "https://u:p@a.go.id",
    "https://a.go.id:",
    "https://[::1]",
    "https://[::1",
    "https://::1]",
    "https://ａ.go.id",
    "https://a.go.id℀",
    " https://a.go.id",
    "\thttps://a.go.id",
    "\x01https://a.go.id",
    "ht\ttp://a.go.id",
    "https:\\\\a.go.id",
    "\\\\a.go.id",
    ".",
    "..",
    "./",
    "../",
    "x/",
    "1http://",
    "+http://",
    "é",
)

HREF_PATHS = (
    "",
    "x",
    "a/b",
    "/",
    "/x",
    "/a/b/",
    "/a//b",
    "/./x",
    "/../x",
    "/a/./b",
    "/a/../b",
    "/a/..",
    "/a/.",
    "/.well-known/x",
    "/a;p",
    "/a;",
    "/a;jsessionid=1/b",
    "/a b",
    "/a\tb",
    "/a\nb",
    "/é",
    "/a%20b",
    "/a\\b",
    "/[x]",
    "/a:b",
    "/a@b",
    "/~u/index.php",
)

HREF_TAILS = ("", "?", "#", "?#", "?q", "#f", "?q#f", "?q#", "?#f", "?a=1&b=2", "#f?x", "?q?x", " ", "\n", ";x", "?;x")

NASTY = (
    "",
    "?",
    "#",
    "?#",
    "?x",
    "#x",
    "/",
    "//",
    ".",
    "..",
    "./",
    "../",
    "../../../../x",
    "./x/../y",
    " ",
    "\x00",
    "\x7f",
    "\t/x",
    "/x\r",
    "\\",
    "\\x",
    "/\\x",
    "http:",
    "http://",
    "http:///x",
    "https:x",
    "HTTP://a.go.id/",
    "http://a.go.id/x?#",
    "http://a.go.id/x#",
    "http://a.go.id/x?",
    "http://a.go.id?",
    "http://a.go.id#",
    "http://a.go.id;x",
    "http://[::1]:80/x",
    "http://[::1/x",
    "/x#frag#frag",
    "/x?y#",
    "//a.go.id/../x",
)

TOKENS = (
    "/",
    "//",
    ".",
    "..",
    "?",
    "#",
    ";",
    ":",
    "@",
    "[",
    "]",
    "\\",
    " ",
    "\t",
    "\n",
    "\x00",
    "%",
    "=",
    "&",
    "a",
    "go.id",
    "http",
    "https",
    "HTTP",
    "://",
    "é",
    "ａ",
    "℀",
    "x",
    "1",
)

PLAIN_TOKENS = ("/", "//", ".", "..", "?", "#", ":", "@", "%20", "=", "&", "-", "~", "a", "go.id", "x1", "index.php", "http://", "https://")
"""Only characters links usually have, so the random hrefs also exercise the fast paths' conditions."""


def hrefs() -> Iterator[str]:
    """Every prefix/path/tail combination, then the hand-picked nasty hrefs."""
    for prefix, path, tail in product(HREF_PREFIXES, HREF_PATHS, HREF_TAILS):
        yield prefix + path + tail
    yield from NASTY


def random_urls(count: int, seed: int = 7, tokens: tuple[str, ...] = TOKENS) -> Iterator[str]:
    """Random concatenations of URL-significant tokens (seeded, so failures reproduce)."""
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(tokens) for _ in range(rng.randint(0, 12)))


def url_pairs(random_count: int = 20_000) -> Iterator[tuple[str, str]]:
    """(base, href) pairs: every generated href against a few common bases, the nasty hrefs against
    every base, and random pairs (random bases too, and plain random hrefs)."""
    for base in BASES[:4]:
        for href in hrefs():
            yield base, href
    for base, href in product(BASES, NASTY + tuple(prefix + "/x?q#f" for prefix in HREF_PREFIXES)):
        yield base, href
    rng = random.Random(11)
    for href in random_urls(random_count):
        yield rng.choice(BASES), href
        yield rng.choice(BASES) + href, href[::-1]
    for href in random_urls(random_count, seed=13, tokens=PLAIN_TOKENS):
        yield rng.choice(BASES), href
        yield rng.choice(BASES), rng.choice(("/", "http://a.go.id/", "https://a.go.id")) + href


def outcome(func: Callable[..., str], *args: str) -> tuple[str, str]:
    """What ``func(*args)`` gives: its result, or the name of the exception it raises."""
    try:
        return "ok", func(*args)
    except Exception as error:  # noqa: BLE001 - the exception type is the outcome compared
        return "raised", type(error).__name__
