"""The workspace's filters over :mod:`spbe_crawler.reports.formatting` (Indonesian numbers, dates,
times in the pemda's own zone), plus the few words only the web pages need."""

from __future__ import annotations

from datetime import date, datetime

from spbe_crawler.reports.formatting import angka, ms, persen, tanggal, waktu, zone_name
from spbe_crawler.vocab import WebsiteState

__all__ = ["angka", "day", "ms", "persen", "site_state", "waktu", "zone_name"]

SITE_STATES = {
    WebsiteState.DECLARED.value: "terdaftar",
    WebsiteState.DISCOVERED.value: "temuan",
    WebsiteState.CONFIRMED.value: "dikonfirmasi",
    WebsiteState.REJECTED.value: "ditolak",
}


def day(value: date | datetime | str | None, code: str | None = None) -> str:
    """``18 November 2026``; also for the ISO dates kept in a site check's signals."""
    if isinstance(value, str):
        try:
            return tanggal(date.fromisoformat(value[:10]), code)
        except ValueError:
            return value or "–"
    return tanggal(value, code)


def site_state(state: str) -> str:
    return SITE_STATES.get(state, state)
