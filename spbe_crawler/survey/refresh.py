"""A ``<meta http-equiv="refresh">`` that sends a visitor elsewhere: a redirect in markup.

Many unit "sites" are one placeholder page whose refresh sends the visitor to the pemda portal; the
survey follows it like an HTTP redirect (same chain, loop and portal checks), so such a unit is not
credited with the portal's website. The content is read the way browsers read it (the HTML
standard's declarative refresh: a delay, then optionally ``;`` or ``,``, ``URL=`` and a quoted or
bare URL), resolved like every URL of the page (against its ``<base href>`` if it has one). A
refresh that only reloads the page, or waits ``max_delay`` seconds or more, is no redirect: the
visitor reads the page first.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from spbe_crawler.health.page import join_url
from spbe_crawler.survey.links import canonical_url

_DELAY = re.compile(r"\s*(\d*)(\.[\d.]*)?")


def refresh_target(content: str | None, page_url: str, max_delay: float, base_url: str | None = None) -> str | None:
    """The absolute URL a refresh with ``content`` on ``page_url`` (whose ``<base href>`` is
    ``base_url``, if any) sends the visitor to, if it redirects."""
    if not content:
        return None
    delay = _DELAY.match(content)
    if delay is None or not (delay.group(1) or delay.group(2)) or int(delay.group(1) or 0) >= max_delay:
        return None
    rest = content[delay.end() :].strip()
    if rest[:1] in (";", ","):
        rest = rest[1:].strip()
    if rest[:3].lower() == "url" and rest[3:].lstrip().startswith("="):
        rest = rest[3:].lstrip()[1:].strip()
    if rest[:1] in ("'", '"'):
        quote, rest = rest[0], rest[1:]
        end = rest.find(quote)
        rest = rest if end < 0 else rest[:end]
    rest = rest.strip()
    if not rest:
        return None  # "5": a reload
    try:
        target = join_url(base_url or page_url, rest)
        if urlsplit(target).scheme not in ("http", "https") or canonical_url(target) == canonical_url(page_url):
            return None
    except ValueError:  # a malformed URL ("http://[::1"): browsers stay on the page too
        return None
    return target
