"""Assessor decisions: confirm or override an estimate, keep the history, compare two reviewers.

Reviews are append-only history. Per indicator the newest review of the *first* reviewer is the
confirmed level; a second reviewer's reviews are a check that lists disagreements and only stand
in when there is no first review at all. Confirmed values win over estimates in every figure.
Domains 1-3 of spbe-2020 are entered by people as ordinary reviews, so they are kept with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from scoring.framework import Framework

ROLE_FIRST = "first"
ROLE_SECOND = "second"
ROLES = (ROLE_FIRST, ROLE_SECOND)
ROLE_LABELS = {ROLE_FIRST: "penilai pertama", ROLE_SECOND: "penilai kedua"}

SOURCE_CONFIRMED = "confirmed"
SOURCE_ESTIMATED = "estimated"
SOURCE_NONE = "none"
SOURCE_LABELS = {SOURCE_CONFIRMED: "dikonfirmasi", SOURCE_ESTIMATED: "perkiraan", SOURCE_NONE: "belum ada"}

MAX_NOTE = 2000
MAX_REVIEWER = 120


class ReviewLike(Protocol):
    indicator: int
    level: int
    reviewer: str
    role: str
    note: str
    reviewed_at: datetime
    previous_level: int | None


class EstimateLike(Protocol):
    indicator: int
    level: int | None


@dataclass(frozen=True)
class ReviewEntry:
    framework: str
    indicator: int
    level: int
    reviewer: str
    note: str
    role: str
    reviewed_at: datetime
    previous_level: int | None = None


@dataclass(frozen=True)
class HistoryItem:
    indicator: int
    reviewer: str
    role: str
    when: datetime
    from_level: int | None
    to_level: int
    note: str


@dataclass(frozen=True)
class Disagreement:
    indicator: int
    first_level: int
    first_reviewer: str
    second_level: int
    second_reviewer: str


class ReviewError(ValueError):
    """Invalid review input; ``problems`` are Bahasa Indonesia messages."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def utcnow() -> datetime:
    """Now as an aware UTC datetime (the store keeps aware datetimes)."""
    return datetime.now(UTC)


def validate_review(framework: Framework, indicator: object, level: object, reviewer: str, role: str) -> list[str]:
    """Problems with a review input, in Bahasa Indonesia; empty when it is acceptable."""
    problems = []
    if isinstance(indicator, bool) or not isinstance(indicator, int) or indicator not in framework.indicators:
        problems.append(f"indikator {indicator} tidak ada dalam kerangka {framework.id}")
    lo, hi = framework.scale_min, framework.scale_max
    if isinstance(level, bool) or not isinstance(level, int) or not lo <= level <= hi:
        problems.append(f"tingkat harus bilangan bulat {lo}–{hi}, berisi {level!r}")
    if not reviewer or not reviewer.strip():
        problems.append("nama penilai wajib diisi")
    elif len(reviewer) > MAX_REVIEWER:
        problems.append(f"nama penilai terlalu panjang (maksimal {MAX_REVIEWER} karakter)")
    if role not in ROLES:
        problems.append(f"peran penilai harus salah satu dari {', '.join(ROLES)}")
    return problems


def new_review(
    framework: Framework,
    indicator: int,
    level: int,
    reviewer: str,
    note: str = "",
    role: str = ROLE_FIRST,
    previous_level: int | None = None,
    now: datetime | None = None,
) -> ReviewEntry:
    """A validated review entry; raises :class:`ReviewError` with every problem found."""
    problems = validate_review(framework, indicator, level, reviewer, role)
    if problems:
        raise ReviewError(problems)
    return ReviewEntry(
        framework.id,
        indicator,
        level,
        reviewer.strip(),
        (note or "").strip()[:MAX_NOTE],
        role,
        now or utcnow(),
        previous_level,
    )


def _order(reviews: Iterable[ReviewLike]) -> list[ReviewLike]:
    indexed = list(enumerate(reviews))
    indexed.sort(key=lambda pair: (pair[1].reviewed_at, getattr(pair[1], "id", None) or 0, pair[0]))
    return [r for _, r in indexed]


def latest_reviews(reviews: Iterable[ReviewLike], role: str = ROLE_FIRST) -> dict[int, ReviewLike]:
    """The newest review per indicator among reviews of ``role``."""
    latest: dict[int, ReviewLike] = {}
    for review in _order(reviews):
        if review.role == role:
            latest[review.indicator] = review
    return latest


def confirmed_reviews(reviews: Iterable[ReviewLike]) -> dict[int, ReviewLike]:
    """The review that sets each indicator's confirmed level: newest first-reviewer one, else second."""
    reviews = list(reviews)
    confirmed = latest_reviews(reviews, ROLE_SECOND)
    confirmed.update(latest_reviews(reviews, ROLE_FIRST))
    return confirmed


def effective_levels(estimates: Iterable[EstimateLike], reviews: Iterable[ReviewLike]) -> dict[int, tuple[int | None, str]]:
    """indicator -> (level, source): a confirmed level wins over an estimate; no value is ``none``."""
    result: dict[int, tuple[int | None, str]] = {}
    for est in estimates:
        source = SOURCE_ESTIMATED if est.level is not None else SOURCE_NONE
        result[est.indicator] = (est.level, source)
    for indicator, review in confirmed_reviews(reviews).items():
        result[indicator] = (review.level, SOURCE_CONFIRMED)
    return result


def history(reviews: Iterable[ReviewLike], indicator: int | None = None) -> list[HistoryItem]:
    """Who changed what, when, from which level to which, oldest first."""
    return [
        HistoryItem(r.indicator, r.reviewer, r.role, r.reviewed_at, r.previous_level, r.level, r.note)
        for r in _order(reviews)
        if indicator is None or r.indicator == indicator
    ]


def disagreements(reviews: Iterable[ReviewLike]) -> list[Disagreement]:
    """Indicators where the newest first and second reviews give different levels."""
    reviews = list(reviews)
    first, second = latest_reviews(reviews, ROLE_FIRST), latest_reviews(reviews, ROLE_SECOND)
    return [
        Disagreement(i, first[i].level, first[i].reviewer, second[i].level, second[i].reviewer)
        for i in sorted(set(first) & set(second))
        if first[i].level != second[i].level
    ]


def is_repeat(latest: ReviewLike | None, level: int, note: str, reviewer: str) -> bool:
    """Does this input repeat the newest review unchanged (re-importing a worksheet)?"""
    return (
        latest is not None and latest.level == level and (latest.note or "") == (note or "").strip() and latest.reviewer == reviewer.strip()
    )


def previous_level(indicator: int, estimates: Mapping[int, EstimateLike], reviews: Iterable[ReviewLike]) -> int | None:
    """The level in effect before a new review: what the assessor is changing from."""
    est = estimates.get(indicator)
    return effective_levels([est] if est else [], reviews).get(indicator, (None, SOURCE_NONE))[0]
