"""Publication dates of a page, for freshness: machine-readable markup first, then Indonesian text.

Sources: ``<time datetime>``, ``article:published_time``/``modified_time`` style meta tags, JSON-LD
``datePublished``/``dateModified``, and dates written in the text the way Indonesian sites write
them ("12 Oktober 2026", "Senin, 3 Nov 2025", "03/11/2025" day first, "2025-11-03").
Dates before 2000 and dates more than a day in the future are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

from lxml.etree import _Element as Element  # what lxml.etree's HTML parser makes (no lxml.html classes)

if TYPE_CHECKING:
    from spbe_crawler.health.page import PageFacts

EARLIEST = date(2000, 1, 1)
MAX_DATES = 500
_TEXT_LIMIT = 300_000
_JSONLD_LIMIT = 200_000

MONTHS: dict[str, int] = {
    "januari": 1,
    "jan": 1,
    "january": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "february": 2,
    "maret": 3,
    "mar": 3,
    "march": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "june": 6,
    "juli": 7,
    "jul": 7,
    "july": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "agus": 8,
    "aug": 8,
    "august": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "oct": 10,
    "october": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
    "dec": 12,
    "december": 12,
}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))

_ISO = re.compile(r"(?<![\d/.-])((?:19|20)\d\d)([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
_DMY_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d\d)(?!\d)")
_DMY_WORDS = re.compile(rf"(?<![\w])(\d{{1,2}})(?:\s|-)(?:{_MONTH_ALT})\.?,?(?:\s|-)((?:19|20)\d\d)(?!\d)", re.IGNORECASE)
_MONTH_INITIALS = "".join(sorted({name[0] for name in MONTHS}))
"""First letters of the month names: a cheap look-ahead before the long case-insensitive alternation
(which ``re`` tries name by name), so only a word starting with one of them tries it."""
_MDY_WORDS = re.compile(rf"(?<![\w])(?=[{_MONTH_INITIALS}])(?:{_MONTH_ALT})\.?\s(\d{{1,2}}),?\s((?:19|20)\d\d)(?!\d)", re.IGNORECASE)
_MONTH_WORD = re.compile(rf"(?<![\w])({_MONTH_ALT})(?![\w])", re.IGNORECASE)
_JSONLD_DATE = re.compile(r'"(?:datePublished|dateModified|dateCreated|uploadDate)"\s{0,5}:\s{0,5}"([^"]{4,40})"')

DATE_META_NAMES = frozenset(
    {
        "article:published_time",
        "article:modified_time",
        "og:updated_time",
        "og:published_time",
        "datepublished",
        "datemodified",
        "datecreated",
        "date",
        "dc.date",
        "dc.date.issued",
        "dcterms.created",
        "dcterms.modified",
        "pubdate",
        "publishdate",
        "publish-date",
        "last-modified",
    }
)


def extract_dates(source: PageFacts | str | bytes, today: date | None = None) -> list[date]:
    """All plausible dates of a page, newest first, without duplicates.

    ``source`` is a parsed page (its dates were extracted once by :func:`parse_page`) or raw HTML.
    """
    from spbe_crawler.health.page import PageFacts, parse_page

    if not isinstance(source, PageFacts):
        body = source.encode("utf-8") if isinstance(source, str) else source
        source = parse_page("about:blank", 200, {}, body, encoding_hint="utf-8" if isinstance(source, str) else None)
    return plausible(source.dates, today or date.today())


def plausible(dates: Iterable[date], today: date) -> list[date]:
    """Dates between 2000-01-01 and tomorrow, newest first, unique."""
    latest = today + timedelta(days=1)
    return sorted({d for d in dates if EARLIEST <= d <= latest}, reverse=True)


def dates_from_markup(root: Element, meta: Iterable[tuple[str, str]]) -> list[date]:
    """Dates from ``<time datetime>``, date meta tags and JSON-LD scripts."""
    found: list[date] = []
    for element in root.iter("time"):
        found.extend(dates_from_text(element.get("datetime") or "")[:1])
    for name, content in meta:
        if name in DATE_META_NAMES:
            found.extend(dates_from_text(content)[:1])
    budget = _JSONLD_LIMIT
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or budget <= 0:
            continue
        payload = (script.text or "")[:budget]
        budget -= len(payload)
        for match in _JSONLD_DATE.finditer(payload):
            found.extend(dates_from_text(match.group(1))[:1])
        if len(found) >= MAX_DATES:
            break
    return found[:MAX_DATES]


def dates_from_text(text: str) -> list[date]:
    """Every valid date written in ``text`` (ISO, day/month/year, Indonesian or English month names)."""
    text = text[:_TEXT_LIMIT]
    spans = _year_spans(text)
    found: list[date] = []
    if not spans:  # every date pattern contains a year
        return found
    for match in _scan(_ISO, text, spans):
        _add(found, match.group(1), match.group(3), match.group(4))
    for match in _scan(_DMY_NUMERIC, text, spans):
        _add(found, match.group(3), match.group(2), match.group(1))
    for match in _scan(_DMY_WORDS, text, spans):
        _add(found, match.group(2), _month_of(match.group(0)), match.group(1))
    for match in _scan(_MDY_WORDS, text, spans):
        _add(found, match.group(2), _month_of(match.group(0)), match.group(1))
    return found[:MAX_DATES]


_YEAR = re.compile(r"(?:19|20)\d\d")
_BEFORE_YEAR = 24  # a date starts at most 16 characters before its year ("30 september, 2025")
_AFTER_YEAR = 8  # and ends at most 6 after it ("2025-11-03"), plus the one its look-ahead reads


def _year_spans(text: str) -> list[tuple[int, int]]:
    """Merged windows around every year-like number: every date pattern contains a year, so matching
    inside these windows finds exactly what matching the whole text finds, in a fraction of the time
    (look-behinds still see the text before a window; windows reach past a date's look-ahead)."""
    spans: list[tuple[int, int]] = []
    for start in _year_starts(text):
        lo, hi = max(0, start - _BEFORE_YEAR), min(len(text), start + 4 + _AFTER_YEAR)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], hi)
        else:
            spans.append((lo, hi))
    return spans


def _year_starts(text: str) -> list[int]:
    """Start of every match of ``_YEAR.finditer(text)``. ``re`` tests every character against the
    pattern's first characters; ``str.find`` skips to the next "19" or "20" far faster, so a text
    with few of them (nearly every page) is searched that way: a candidate is a match when two
    decimal digits (``\\d``: ``str.isdecimal``) follow and it does not overlap the previous match."""
    if (text.count("19") + text.count("20")) * _DENSE_CANDIDATES > len(text):
        return [year.start() for year in _YEAR.finditer(text)]
    candidates = sorted(_find_all(text, "19") + _find_all(text, "20"))
    starts: list[int] = []
    end = 0
    for i in candidates:
        if i >= end and text[i + 2 : i + 3].isdecimal() and text[i + 3 : i + 4].isdecimal():
            starts.append(i)
            end = i + 4
    return starts


_DENSE_CANDIDATES = 64  # more than one "19"/"20" in this many characters: the regex is cheaper


def _find_all(text: str, literal: str) -> list[int]:
    found: list[int] = []
    i = text.find(literal)
    while i >= 0:
        found.append(i)
        i = text.find(literal, i + 1)
    return found


def _scan(pattern: re.Pattern[str], text: str, spans: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    for lo, hi in spans:
        yield from pattern.finditer(text, lo, hi)


def _month_of(fragment: str) -> int:
    word = _MONTH_WORD.search(fragment)
    if not word:
        return 0
    name = word.group(1)
    month = MONTHS.get(name.lower())
    if month is None:  # a letter ``re`` folds to ASCII but ``str.lower`` does not ("ſep", "JUNİ")
        month = next((number for key, number in MONTHS.items() if re.fullmatch(re.escape(key), name, re.IGNORECASE)), 0)
    return month


def _add(found: list[date], year: str | int, month: str | int, day: str | int) -> None:
    if len(found) >= MAX_DATES:
        return
    try:
        found.append(date(int(year), int(month), int(day)))
    except ValueError:
        return


def format_tanggal(value: date) -> str:
    """A date the way an Indonesian report writes it: ``12 Oktober 2026``."""
    return f"{value.day} {_BULAN[value.month - 1]} {value.year}"


_BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")
