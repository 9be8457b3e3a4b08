"""Items the survey spider yields; :class:`spbe_crawler.pipelines.StorePipeline` writes them all.

``website_id`` is the stored id of the site, or a negative key for a site discovered in this crawl:
its :class:`WebsiteItem` (yielded before any other item of the site) carries the same key, and the
pipeline maps the key to the id it stored. Items carry no run id: the pipeline owns the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass
class PageItem:
    website_id: int
    url: str
    final_url: str
    status: int
    redirect_chain: list[str] = field(default_factory=list)
    title: str | None = None
    language: str | None = None
    content_type: str | None = None
    content_hash: str | None = None
    size: int = 0
    published_dates: list[str] = field(default_factory=list)
    links: list[list[str]] = field(default_factory=list)
    body: bytes | None = None


@dataclass
class FindingItem:
    pemda_code: str
    unit_code: str
    website_id: int
    rule_id: str
    service: str
    indicators: dict[str, list[int]]
    url: str
    kind: str
    snippet: str
    signals: list[str]
    confidence: float

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two findings the same evidence (the stored row's unique key within a run)."""
        return (self.rule_id, self.url, self.unit_code)


class _Evidence(Protocol):
    signals: list[str]
    confidence: float
    kind: str
    snippet: str


def merge_finding(existing: _Evidence, seen: _Evidence) -> None:
    """Merge the same evidence seen again (on another page of the site, or in a later crawl) into
    ``existing``: every signal, the highest confidence, the longest snippet, and the page itself
    rather than a menu naming it."""
    existing.signals = sorted(set(existing.signals) | set(seen.signals))
    existing.confidence = max(existing.confidence, seen.confidence)
    if existing.kind == "menu" and seen.kind != "menu":
        existing.kind = seen.kind
    if len(seen.snippet) > len(existing.snippet):
        existing.snippet = seen.snippet


@dataclass
class SiteCheckItem:
    website_id: int
    unit_code: str
    url: str
    status: str
    detail: str = ""
    rule: str | None = None
    snippet: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    ip_address: str | None = None
    tls_expires_at: datetime | None = None
    tls_issuer: str | None = None
    elapsed_ms: int | None = None
    signals: dict[str, Any] = field(default_factory=dict)
    # Page and finding items the spider yielded for this site before its check. Scrapy may hand the
    # check to the pipeline before some of them; the pipeline stores it once it has them all.
    items: int = 0


@dataclass
class WebsiteItem:
    """A unit website found by discovery (link or host-pattern guess) and confirmed by its content."""

    key: int  # the negative website_id the spider's items of this site carry
    unit_code: str
    url: str
    source: str
    confidence: float
    evidence: str
    role: str = "unit"


@dataclass
class CandidateItem:
    """An ambiguous discovery, kept for a person to assign."""

    url: str
    host: str
    unit_codes: list[str]
    source: str
    evidence: str
