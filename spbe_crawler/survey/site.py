"""What the survey learns about one website while its requests are in flight, and its final status."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from spbe_crawler.health.status import Status, info
from spbe_crawler.survey.links import LinkFrontier


@dataclass
class Verdict:
    status: Status
    detail: str
    rule: str | None = None
    snippet: str | None = None


@dataclass
class SiteState:
    website_id: int
    unit_code: str
    pemda_code: str
    url: str
    parent_hosts: frozenset[str]
    frontier: LinkFrontier
    started: float = field(default_factory=time.monotonic)
    pending: int = 0
    finished: bool = False
    failure: Verdict | None = None  # the homepage could not be fetched or used
    verdicts: list[Verdict] = field(default_factory=list)
    http_status: int | None = None
    final_url: str | None = None
    ip_address: str | None = None
    tls_expires_at: Any = None
    tls_issuer: str | None = None
    home_facts: Any = None
    bot_facts: Any = None
    browser_retry: bool = False
    pages: list[Any] = field(default_factory=list)
    signals: dict[str, Any] = field(default_factory=dict)
    probes_requested: set[str] = field(default_factory=set)

    def final(self) -> Verdict:
        """The network failure if the homepage failed; else the most severe verdict; else ok."""
        if self.failure is not None:
            return self.failure
        if not self.verdicts:
            return Verdict(Status.OK, "situs berfungsi")
        return max(self.verdicts, key=lambda v: info(v.status).severity)

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)
