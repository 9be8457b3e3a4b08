"""Review logic: confirmed values win, history keeps who/when/from/to, second reviewer disagreements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scoring.catalog import Catalog
from scoring.estimator import Estimate
from scoring.framework import Framework
from scoring.review import (
    ROLE_FIRST,
    ROLE_SECOND,
    SOURCE_CONFIRMED,
    SOURCE_ESTIMATED,
    SOURCE_NONE,
    ReviewEntry,
    ReviewError,
    confirmed_reviews,
    disagreements,
    effective_levels,
    history,
    is_repeat,
    new_review,
    previous_level,
)

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def fw() -> Framework:
    return Catalog(ROOT / "spbe_crawler" / "data" / "frameworks").framework("spbe-2020")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def est(indicator: int, level: int | None) -> Estimate:
    return Estimate(indicator, level, 0.8 if level else 0.0, 4, "r")


def test_confirmed_wins_over_estimate_and_none_stays_none(fw: Framework) -> None:
    estimates = [est(35, 3), est(36, 2), est(37, None)]
    reviews = [new_review(fw, 35, 2, "Ani", "login bukan transaksi", now=at(1)), new_review(fw, 5, 3, "Ani", "Perwali SPBE", now=at(2))]
    assert effective_levels(estimates, reviews) == {
        35: (2, SOURCE_CONFIRMED),
        36: (2, SOURCE_ESTIMATED),
        37: (None, SOURCE_NONE),
        5: (3, SOURCE_CONFIRMED),
    }


def test_newest_first_review_wins_and_history_is_kept(fw: Framework) -> None:
    estimates = {35: est(35, 3)}
    reviews: list[ReviewEntry] = []
    for minute, level, who in [(1, 2, "Ani"), (5, 4, "Budi"), (9, 3, "Ani")]:
        prev = previous_level(35, estimates, reviews)
        reviews.append(new_review(fw, 35, level, who, f"ke {level}", previous_level=prev, now=at(minute)))
    shuffled = [reviews[2], reviews[0], reviews[1]]
    assert effective_levels(estimates.values(), shuffled)[35] == (3, SOURCE_CONFIRMED)
    steps = [(h.reviewer, h.from_level, h.to_level, h.when) for h in history(shuffled, 35)]
    assert steps == [("Ani", 3, 2, at(1)), ("Budi", 2, 4, at(5)), ("Ani", 4, 3, at(9))]
    assert history(shuffled, 36) == []


def test_second_reviewer_disagreement_is_listed_but_first_still_wins(fw: Framework) -> None:
    reviews = [
        new_review(fw, 35, 3, "Ani", now=at(1)),
        new_review(fw, 35, 2, "Citra", "tidak ada persetujuan daring", role=ROLE_SECOND, now=at(2)),
        new_review(fw, 44, 4, "Ani", now=at(3)),
        new_review(fw, 44, 4, "Citra", role=ROLE_SECOND, now=at(4)),
        new_review(fw, 42, 2, "Citra", role=ROLE_SECOND, now=at(5)),  # no first review: stands in
    ]
    found = disagreements(reviews)
    assert [(d.indicator, d.first_level, d.first_reviewer, d.second_level, d.second_reviewer) for d in found] == [
        (35, 3, "Ani", 2, "Citra")
    ]
    levels = effective_levels([est(35, 1)], reviews)
    assert levels[35] == (3, SOURCE_CONFIRMED) and levels[42] == (2, SOURCE_CONFIRMED)
    assert confirmed_reviews(reviews)[42].role == ROLE_SECOND


def test_the_second_reviewer_changing_mind_resolves_the_disagreement(fw: Framework) -> None:
    reviews = [new_review(fw, 35, 3, "Ani", now=at(1)), new_review(fw, 35, 2, "Citra", role=ROLE_SECOND, now=at(2))]
    assert disagreements(reviews)
    reviews.append(new_review(fw, 35, 3, "Citra", role=ROLE_SECOND, now=at(3)))
    assert disagreements(reviews) == []


def test_invalid_review_lists_every_problem_in_indonesian(fw: Framework) -> None:
    with pytest.raises(ReviewError) as caught:
        new_review(fw, 99, 7, "  ", role="ketiga")
    problems = caught.value.problems
    assert len(problems) == 4
    assert "indikator 99 tidak ada dalam kerangka spbe-2020" in problems[0]
    assert "tingkat harus bilangan bulat 1–5, berisi 7" in problems[1]
    assert "nama penilai wajib diisi" in problems[2]
    with pytest.raises(ReviewError, match="tingkat harus bilangan bulat"):
        new_review(fw, 35, True, "Ani")  # type: ignore[arg-type]


def test_review_entry_is_normalised(fw: Framework) -> None:
    entry = new_review(fw, 35, 3, "  Ani  ", "  catatan  ", now=at(0))
    assert (entry.reviewer, entry.note, entry.role, entry.framework) == ("Ani", "catatan", ROLE_FIRST, "spbe-2020")
    assert new_review(fw, 35, 3, "Ani").reviewed_at.tzinfo is not None


def test_is_repeat_detects_an_unchanged_reimport(fw: Framework) -> None:
    latest = new_review(fw, 35, 3, "Ani", "ok", now=at(0))
    assert is_repeat(latest, 3, "ok ", "Ani")
    assert not is_repeat(latest, 4, "ok", "Ani")
    assert not is_repeat(latest, 3, "lain", "Ani")
    assert not is_repeat(latest, 3, "ok", "Budi")
    assert not is_repeat(None, 3, "ok", "Ani")
