"""Does a fetched page belong to the unit it was found for? Its name must appear, fuzzily, in the
title or in the opening text after the unit-type word ("Website Resmi Kel. Penarukan" confirms
Kelurahan Panarukan), and no other unit's name may fit better ("Kelurahan Sukarame Baru" never
confirms Kelurahan Sukarame)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from spbe_crawler.discovery.evidence import quote, score_text, unit_phrase
from spbe_crawler.discovery.fuzzy import Hit, NameTable, segments, windows
from spbe_crawler.discovery.names import name_forms, normalise, tokens
from spbe_crawler.discovery.rules import DiscoveryRules, load_rules

TITLE_CHARS = 300
SCORE_FLOOR = 0.5
_EPSILON = 1e-9


class PageMatch(NamedTuple):
    confirmed: bool
    score: float
    evidence: str


def page_matches_unit(
    title: str,
    text: str,
    unit_name: str,
    kind: str,
    rivals: Iterable[tuple[str, str]] = (),
    rules: DiscoveryRules | None = None,
) -> PageMatch:
    """Confirm that a page is the site of ``unit_name`` (a ``kind`` unit).

    ``rivals`` are ``(name, kind)`` of other units of the pemda; a rival that fits the page better,
    or as well with a longer name containing this one, refuses the confirmation.
    ``UnitIndex.confirm_page`` passes every unit of the pemda.
    """
    rules = rules or load_rules()
    names = [(unit_name, kind), *rivals]
    table = NameTable(rules)
    for owner, (name, owner_kind) in enumerate(names):
        table.add(owner, owner_kind, name_forms(name, rules))
    max_words = max(len(tokens(name, rules)) for name, _ in names) + 1
    return judge_page(table, names, 0, title, text, max_words, rules)


def judge_page(
    table: NameTable,
    names: Sequence[tuple[str, str]],
    owner: int,
    title: str,
    text: str,
    max_words: int,
    rules: DiscoveryRules,
) -> PageMatch:
    """The verdict for ``owner`` of ``table``; ``names[i]`` is the (name, kind) of owner ``i``."""
    limits = rules.thresholds
    title_hits = table.window_scores(windows(segments(title[:TITLE_CHARS], rules), rules, max_words), SCORE_FLOOR)
    text_windows = windows(segments((text or "")[: limits.page_text_chars], rules), rules, max_words, typed_only=True)
    text_hits = table.window_scores(text_windows, SCORE_FLOOR)
    own, where = _best_of(owner, title_hits, text_hits)
    unit = unit_phrase(rules.label(names[owner][1]), names[owner][0])
    rival_text_hits = {} if where == "title" else text_hits
    rival = _beating_rival(owner, own.score, names, title_hits, rival_text_hits, rules)
    if own.score >= limits.page_accept and rival is not None:
        other, hit = rival
        other_unit = unit_phrase(rules.label(names[other][1]), names[other][0])
        return PageMatch(
            False,
            round(own.score, 4),
            f"halaman lebih cocok dengan {other_unit} (skor {score_text(hit.score)}) daripada {unit} (skor {score_text(own.score)})",
        )
    if own.score >= limits.page_accept:
        place = f"judul '{quote(title, limits.evidence_text_chars)}'" if where == "title" else "awal teks halaman"
        return PageMatch(
            True,
            round(own.score, 4),
            f"{place} memuat nama {unit} sebagai '{own.shown}' (skor {score_text(own.score)})",
        )
    return PageMatch(
        False,
        round(own.score, 4),
        f"nama {unit} tidak ditemukan di judul maupun awal teks halaman (skor terbaik {score_text(own.score)})",
    )


def _best_of(owner: int, title_hits: dict[int, Hit], text_hits: dict[int, Hit]) -> tuple[Hit, str]:
    in_title = title_hits.get(owner, Hit(0.0, ""))
    in_text = text_hits.get(owner, Hit(0.0, ""))
    return (in_title, "title") if in_title.score >= in_text.score else (in_text, "text")


def _beating_rival(
    owner: int,
    score: float,
    names: Sequence[tuple[str, str]],
    title_hits: dict[int, Hit],
    text_hits: dict[int, Hit],
    rules: DiscoveryRules,
) -> tuple[int, Hit] | None:
    """The other owner that fits better, or as well with a longer name containing this one.

    When this owner is named in the title, only rivals named in the title count: a kecamatan home
    page lists its kelurahan ("Langkapura Baru") in the text, under a title naming the kecamatan."""
    own_name = normalise(names[owner][0], rules)
    best: tuple[int, Hit] | None = None
    for other in set(title_hits) | set(text_hits):
        if other == owner:
            continue
        hit, _ = _best_of(other, title_hits, text_hits)
        other_name = normalise(names[other][0], rules)
        longer = own_name in other_name and len(other_name) > len(own_name)
        beats = hit.score > score + _EPSILON or (longer and hit.score >= score - _EPSILON)
        if beats and (best is None or hit.score > best[1].score):
            best = (other, hit)
    return best
