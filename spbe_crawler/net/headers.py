"""What every request of the survey and the monitor asks for: what a visitor in Indonesia's browser
asks for. Scrapy's and httpx's defaults ask for English (or for anything): a bilingual site that
negotiates the language (Joomla's language filter, Polylang) would show its English pages, which the
Indonesian rules then read, and some firewalls refuse requests without these headers. The survey and
the monitor send the same ones, so they see the same site."""

from __future__ import annotations

VISITOR_HEADERS: dict[str, str] = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "id-ID,id;q=0.9,en;q=0.5",
}
