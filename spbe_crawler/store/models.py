"""SQLModel tables: the one schema every part of the tool writes to.

Units and their websites form the registry; a ``CrawlRun`` groups what one job observed
(site checks, unit outcomes, pages, findings); probes and incidents are the monitoring history;
scores and reviews are the assessment. Times are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from spbe_crawler.vocab import RunKind, RunState, UnitKind, WebsiteRole, WebsiteState


def utcnow() -> datetime:
    """Now, as an aware UTC datetime (SQLModel stores timezone-aware datetimes)."""
    return datetime.now(UTC)


UNIT_KINDS = tuple(kind.value for kind in UnitKind)
WEBSITE_STATES = tuple(state.value for state in WebsiteState)
WEBSITE_ROLES = tuple(role.value for role in WebsiteRole)


class Unit(SQLModel, table=True):
    """A unit kerja: pemda, OPD, kecamatan, kelurahan or desa (Kemendagri code, or ``<pemda>/<slug>``)."""

    code: str = Field(primary_key=True, max_length=64)
    name: str
    kind: str = Field(index=True)
    category: str | None = None  # OPD jenis: dinas, badan, sekretariat, inspektorat, rsud, ...
    parent_code: str | None = Field(default=None, index=True)
    pemda_code: str | None = Field(default=None, index=True)
    source: str = "kemendagri"
    note: str | None = None


class Website(SQLModel, table=True):
    """A website of a unit. ``declared`` ones come from a registry and are never overwritten by discovery."""

    __table_args__ = (UniqueConstraint("unit_code", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_code: str = Field(index=True, foreign_key="unit.code")
    url: str
    host: str = Field(index=True)
    state: str = WebsiteState.DECLARED.value
    role: str = WebsiteRole.UNIT.value
    source: str = "registry"
    confidence: float = 1.0
    evidence: str | None = None
    first_seen: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CrawlRun(SQLModel, table=True):
    """One job over one scope (a pemda): a survey, a probe sweep, a discovery pass."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = RunKind.SURVEY.value  # RunKind
    scope: str = Field(index=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    state: str = RunState.RUNNING.value
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class SiteCheck(SQLModel, table=True):
    """The health of one website in one run: exactly one row per (run, website)."""

    __table_args__ = (UniqueConstraint("run_id", "website_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True, foreign_key="crawlrun.id")
    website_id: int = Field(index=True, foreign_key="website.id")
    unit_code: str = Field(index=True)
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
    signals: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    checked_at: datetime = Field(default_factory=utcnow)


class UnitOutcome(SQLModel, table=True):
    """Every unit in scope gets exactly one outcome per run, including ``no_website``."""

    __table_args__ = (UniqueConstraint("run_id", "unit_code"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True, foreign_key="crawlrun.id")
    unit_code: str = Field(index=True)
    status: str
    website_id: int | None = None
    detail: str = ""


class Page(SQLModel, table=True):
    """One fetched page. The body is kept zlib-compressed (bounded) so rules can be re-run offline."""

    __table_args__ = (UniqueConstraint("run_id", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True, foreign_key="crawlrun.id")
    website_id: int = Field(index=True, foreign_key="website.id")
    url: str
    final_url: str
    status: int
    redirect_chain: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    title: str | None = None
    language: str | None = None
    content_type: str | None = None
    content_hash: str | None = None
    size: int = 0
    published_dates: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    links: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON))
    body_z: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    fetched_at: datetime = Field(default_factory=utcnow)


class Probe(SQLModel, table=True):
    """One availability probe (httpx) of a website; failures are values in ``status``."""

    id: int | None = Field(default=None, primary_key=True)
    website_id: int = Field(index=True, foreign_key="website.id")
    url: str
    started_at: datetime = Field(default_factory=utcnow, index=True)
    status: str
    detail: str = ""
    http_status: int | None = None
    final_url: str | None = None
    redirect_chain: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    ttfb_ms: float | None = None
    total_ms: float | None = None
    size: int | None = None
    tls_expires_at: datetime | None = None
    tls_issuer: str | None = None


class Incident(SQLModel, table=True):
    """A confirmed outage of a website: from the first confirmed failure to the recovery."""

    id: int | None = Field(default=None, primary_key=True)
    website_id: int = Field(index=True, foreign_key="website.id")
    status: str
    detail: str = ""
    started_at: datetime
    ended_at: datetime | None = None


class Finding(SQLModel, table=True):
    """Evidence that a pemda offers a service: rule, URL, plain-text snippet, maturity signals."""

    # One row per unit that shows the evidence: the view lists every unit linking a service.
    __table_args__ = (UniqueConstraint("run_id", "rule_id", "url", "unit_code"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True, foreign_key="crawlrun.id")
    pemda_code: str = Field(index=True)
    unit_code: str = Field(index=True)
    website_id: int | None = Field(default=None, foreign_key="website.id")
    rule_id: str = Field(index=True)
    service: str
    indicators: dict[str, list[int]] = Field(default_factory=dict, sa_column=Column(JSON))
    url: str
    kind: str = "mention"
    snippet: str = ""
    signals: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    confidence: float = 0.0
    seen_at: datetime = Field(default_factory=utcnow)


class Score(SQLModel, table=True):
    """An estimated maturity level of one indicator of one framework for one pemda."""

    __table_args__ = (UniqueConstraint("framework", "pemda_code", "indicator", "run_id"),)

    id: int | None = Field(default=None, primary_key=True)
    framework: str = Field(index=True)
    pemda_code: str = Field(index=True)
    indicator: int
    run_id: int | None = Field(default=None, foreign_key="crawlrun.id")
    level: int | None = None  # None: belum ada bukti
    confidence: float = 0.0
    cap: int | None = None
    rationale: str = ""
    finding_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON))
    estimated_at: datetime = Field(default_factory=utcnow)


class Review(SQLModel, table=True):
    """An assessor's decision on one indicator; rows are history, the newest per reviewer role wins."""

    id: int | None = Field(default=None, primary_key=True)
    framework: str = Field(index=True)
    pemda_code: str = Field(index=True)
    indicator: int
    level: int
    previous_level: int | None = None
    note: str = ""
    reviewer: str
    role: str = "first"  # first | second
    reviewed_at: datetime = Field(default_factory=utcnow)


class DiscoveryCandidate(SQLModel, table=True):
    """A website found for some unit that a person must assign: the match was ambiguous."""

    __table_args__ = (UniqueConstraint("run_id", "host"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True, foreign_key="crawlrun.id")
    url: str
    host: str
    unit_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    source: str = "link"
    evidence: str = ""
    found_at: datetime = Field(default_factory=utcnow)
