"""Is a unit's website used well? Freshness and the expected content of a unit site.

The keyword lists are data (``data/health_rules/usage.yaml``); this module evaluates them over the
pages crawled from one site and adds freshness: the newest dated content and how much was posted
in the last 90 days. ``is_stale`` turns old content into a ``stale`` verdict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from spbe_crawler import config
from spbe_crawler.health.dates import format_tanggal, plausible
from spbe_crawler.health.page import PageFacts
from spbe_crawler.health.status import Status
from spbe_crawler.health.verdict import Verdict
from spbe_crawler.matching import HEALTH, Matcher, SpecError, compile_matchers
from spbe_crawler.yamlfile import load_yaml

SIGNAL_KEYS = ("profil", "struktur_organisasi", "kontak", "layanan", "maklumat", "ppid", "pengaduan", "berita", "viewport", "https")
RECENT_DAYS = 90
DEFAULT_STALE_DAYS = 365
STALE_RULE_ID = "stale-content"


class UsageConfigError(ValueError):
    """A usage keyword file that cannot be used; the message names the file and the signal."""


@dataclass(frozen=True)
class SignalSpec:
    key: str
    label: str
    matchers: tuple[Matcher, ...]


@dataclass(frozen=True)
class SignalItem:
    key: str
    label: str  # Indonesian checklist label
    found: bool
    evidence: str | None  # URL that shows it


@dataclass(frozen=True)
class UsageSignals:
    newest_post: date | None
    newest_post_url: str | None
    posts_last_90_days: int  # distinct publication dates seen in the last 90 days
    items: tuple[SignalItem, ...]

    def item(self, key: str) -> SignalItem:
        return next(item for item in self.items if item.key == key)

    def checklist(self) -> list[SignalItem]:
        """The items in checklist order, each with its Indonesian label."""
        return list(self.items)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for storage: ``checklist`` maps key -> evidence URL (None when missing)."""
        return {
            "newest_post": self.newest_post.isoformat() if self.newest_post else None,
            "newest_post_url": self.newest_post_url,
            "posts_last_90_days": self.posts_last_90_days,
            "checklist": {item.key: item.evidence if item.found else None for item in self.items},
            "labels": {item.key: item.label for item in self.items},
        }

    has_profil = property(lambda self: self.item("profil").found)
    has_struktur_organisasi = property(lambda self: self.item("struktur_organisasi").found)
    has_kontak = property(lambda self: self.item("kontak").found)
    has_layanan = property(lambda self: self.item("layanan").found)
    has_maklumat = property(lambda self: self.item("maklumat").found)
    has_ppid = property(lambda self: self.item("ppid").found)
    has_pengaduan = property(lambda self: self.item("pengaduan").found)
    has_berita = property(lambda self: self.item("berita").found)
    has_viewport = property(lambda self: self.item("viewport").found)
    has_https = property(lambda self: self.item("https").found)


class UsageTally:
    """The checklist and the dated content of one site, fed page by page as the crawl goes.

    It keeps what it found (evidence URLs, each page's dates), never the pages: a site's pages are
    freed as soon as they are analysed. The result equals evaluating the pages in the same order.
    """

    def __init__(self, specs: tuple[SignalSpec, ...] | None = None) -> None:
        self.specs = specs if specs is not None else default_usage_specs()
        self.evidence: dict[str, str] = {}  # signal key -> URL of the first page (or link) that shows it
        self.dated: list[tuple[str, tuple[date, ...]]] = []  # (page URL, dates on it), one per page

    def add(self, page: PageFacts) -> None:
        for spec in self.specs:
            if spec.key not in self.evidence:
                hit = next((h for h in (m.search(page) for m in spec.matchers) if h is not None), None)
                if hit is not None:
                    self.evidence[spec.key] = hit.url
        self.dated.append((page.url, page.dates))

    @property
    def pages(self) -> int:
        return len(self.dated)

    def signals(self, today: date) -> UsageSignals:
        items = tuple(SignalItem(s.key, s.label, s.key in self.evidence, self.evidence.get(s.key)) for s in self.specs)
        dated = _content_dates(self.dated, today)
        newest = max(dated, default=None, key=lambda pair: pair[0])
        recent_from = today - timedelta(days=RECENT_DAYS)
        recent = {d for d, _ in dated if d > recent_from}
        return UsageSignals(
            newest_post=newest[0] if newest else None,
            newest_post_url=newest[1] if newest else None,
            posts_last_90_days=len(recent),
            items=items,
        )


def usage_signals(pages: list[PageFacts], today: date, specs: tuple[SignalSpec, ...] | None = None) -> UsageSignals:
    """Evaluate the checklist and freshness over the pages crawled from one site."""
    tally = UsageTally(specs)
    for page in pages:
        tally.add(page)
    return tally.signals(today)


def is_stale(signals: UsageSignals, today: date, threshold_days: int = DEFAULT_STALE_DAYS) -> Verdict | None:
    """A ``stale`` verdict when the newest dated content is older than ``threshold_days``.

    A site with no dated content at all is not called stale: there is nothing to measure.
    """
    if signals.newest_post is None:
        return None
    age = (today - signals.newest_post).days
    if age <= threshold_days:
        return None
    return Verdict(
        status=Status.STALE.value,
        rule_id=STALE_RULE_ID,
        detail=f"Konten terbaru {format_tanggal(signals.newest_post)} ({age} hari sebelum pemeriksaan)",
        snippet=(signals.newest_post_url or "")[:200],
    )


def _content_dates(pages: list[tuple[str, tuple[date, ...]]], today: date) -> list[tuple[date, str]]:
    """(date, page URL) pairs, without a clock widget's "today" that every page prints."""
    per_page = [(url, set(plausible(dates, today))) for url, dates in pages]
    counts = Counter(d for _, dates in per_page for d in dates)
    clock = {today - timedelta(days=1), today, today + timedelta(days=1)}
    chrome = {d for d, n in counts.items() if len(pages) >= 2 and n == len(pages) and d in clock}
    return [(d, url) for url, dates in per_page for d in dates if d not in chrome]


def default_usage_path() -> Path:
    return config.DATA_DIR / "health_rules" / "usage.yaml"


@lru_cache(maxsize=1)
def default_usage_specs() -> tuple[SignalSpec, ...]:
    """The project's checklist, loaded and compiled once per process."""
    return load_usage_specs(default_usage_path())


def load_usage_specs(path: Path | str) -> tuple[SignalSpec, ...]:
    """Load and compile the checklist file; a wrong entry fails with the file name and its key."""
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageConfigError(f"{path}: tidak dapat dibaca: {exc}") from exc
    signals = data.get("signals") if isinstance(data, dict) else None
    if not isinstance(signals, dict) or set(signals) != set(SIGNAL_KEYS):
        found = sorted(signals) if isinstance(signals, dict) else None
        raise UsageConfigError(f"{path}: 'signals' harus berisi tepat kunci {list(SIGNAL_KEYS)}, ditemukan {found}")
    return tuple(_spec(path, key, signals[key]) for key in SIGNAL_KEYS)


def _spec(path: Path, key: str, entry: Any) -> SignalSpec:
    if not isinstance(entry, dict) or set(entry) != {"label", "any"}:
        raise UsageConfigError(f"{path} (sinyal {key!r}): harus berisi tepat 'label' dan 'any'")
    if not isinstance(entry["label"], str) or not entry["label"].strip():
        raise UsageConfigError(f"{path} (sinyal {key!r}): label harus berupa teks")
    try:
        matchers = compile_matchers(entry["any"], HEALTH, "any")
    except SpecError as exc:
        raise UsageConfigError(f"{path} (sinyal {key!r}): {exc}") from exc
    return SignalSpec(key, entry["label"].strip(), matchers)
