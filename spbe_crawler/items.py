"""Items the survey spider yields; :class:`spbe_crawler.pipelines.StorePipeline` writes them all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional


@dataclass
class PageItem:
    run_id: int
    website_id: Optional[int]  # None for a site discovered during this crawl: resolved by unit_code + site_url
    url: str
    final_url: str
    status: int
    redirect_chain: list[str] = field(default_factory=list)
    title: Optional[str] = None
    language: Optional[str] = None
    content_type: Optional[str] = None
    content_hash: Optional[str] = None
    size: int = 0
    published_dates: list[str] = field(default_factory=list)
    links: list[list[str]] = field(default_factory=list)
    body: Optional[bytes] = None
    unit_code: Optional[str] = None
    site_url: Optional[str] = None


@dataclass
class FindingItem:
    run_id: int
    pemda_code: str
    unit_code: str
    website_id: Optional[int]
    rule_id: str
    service: str
    indicators: dict[str, list[int]]
    url: str
    kind: str
    snippet: str
    signals: list[str]
    confidence: float
    site_url: Optional[str] = None  # resolves website_id for a site discovered in this crawl


@dataclass
class SiteCheckItem:
    run_id: int
    website_id: Optional[int]
    unit_code: str
    url: str
    status: str
    detail: str = ""
    rule: Optional[str] = None
    snippet: Optional[str] = None
    http_status: Optional[int] = None
    final_url: Optional[str] = None
    ip_address: Optional[str] = None
    tls_expires_at: Optional[datetime] = None
    tls_issuer: Optional[str] = None
    elapsed_ms: Optional[int] = None
    signals: dict[str, Any] = field(default_factory=dict)


@dataclass
class WebsiteItem:
    """A unit website found by discovery (link or host-pattern guess) and confirmed by its content."""

    run_id: int
    unit_code: str
    url: str
    source: str
    confidence: float
    evidence: str
    role: str = "unit"


@dataclass
class CandidateItem:
    """An ambiguous discovery, kept for a person to assign."""

    run_id: int
    url: str
    host: str
    unit_codes: list[str]
    source: str
    evidence: str
