"""The outcome of one probe as a plain value (:class:`ProbeResult`), shared by the prober, the
confirmation state machine and the sweep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from spbe_crawler.store.models import Probe


@dataclass(slots=True)
class ProbeResult:
    """The outcome of a probe as a plain value, field for field a ``Probe`` row (cheap to build in a
    sweep of 100,000 sites; :meth:`to_row` gives the table row)."""

    website_id: int
    url: str
    started_at: datetime
    status: str
    detail: str = ""
    http_status: int | None = None
    final_url: str | None = None
    redirect_chain: list[str] = field(default_factory=list)
    ttfb_ms: float | None = None
    total_ms: float | None = None
    size: int | None = None
    tls_expires_at: datetime | None = None
    tls_issuer: str | None = None

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]

    def to_row(self) -> Probe:
        return Probe(**self.values())
