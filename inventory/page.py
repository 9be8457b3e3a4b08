"""The input of the inventory: one fetched page, as the crawler hands it over.

The page is parsed once, by :func:`spbe_crawler.health.page.parse_html` (the survey's one parse per
page, passed in as ``facts``); signature rules read its parts through the one matcher engine
(:mod:`spbe_crawler.matching`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from spbe_crawler.health.page import PageFacts, parse_html
from spbe_crawler.matching.parts import MAX_HTML_CHARS, host_of


@dataclass
class PageData:
    """One fetched page as the crawler hands it to the inventory.

    ``headers`` keys are lower-cased on construction; values may be ``str``, ``bytes`` or lists.
    ``facts`` is the page's one parse when the caller has it (the survey does); otherwise the first
    :data:`MAX_HTML_CHARS` characters of ``html`` are parsed once, on first use.
    """

    url: str
    status: int = 200
    headers: Mapping[str, Any] = field(default_factory=dict)
    html: str = ""
    unit_code: str | None = None
    website_id: int | None = None
    facts: PageFacts | None = None

    def __post_init__(self) -> None:
        self.headers = {str(k).lower(): _header_value(v) for k, v in dict(self.headers).items()}

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def host(self) -> str:
        return host_of(self.url)

    @cached_property
    def parsed(self) -> PageFacts:
        """The page's one parse; a page lxml cannot parse yields empty parts, never an error."""
        if self.facts is not None:
            return self.facts
        return parse_html(self.url, self.status, self.headers, self.html[:MAX_HTML_CHARS] if self.html else "")


def _header_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_header_value(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)
