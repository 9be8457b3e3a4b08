"""Fuzzy scores of observed strings (host labels, windows of link text or page title) against the
spellings of many unit names at once.

A text is cut into segments at unit-type words ("Website Resmi | Kel. Penarukan | Kec. Tanjungkarang
Barat"); a name is looked for at any position of the leading segment and right after the type word
in the others, and a segment typed "kecamatan" never names a kelurahan. A window followed by an
extension word ("Sukarame" in "Sukarame Baru") is skipped: it is the start of a longer name.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from spbe_crawler.discovery.names import NameForm, raw_tokens
from spbe_crawler.discovery.rules import DiscoveryRules


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str | None
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Window:
    text: str  # joined tokens, compared with name forms
    kind: str | None  # unit-type word that introduced the segment
    shown: str  # tokens with spaces, for evidence


@dataclass(frozen=True, slots=True)
class Hit:
    score: float
    shown: str


def segments(text: str, rules: DiscoveryRules) -> list[Segment]:
    """``Website Resmi Kel. Penarukan`` -> ``[(None, website resmi), (kelurahan, penarukan)]``."""
    result: list[Segment] = []
    kind: str | None = None
    words: list[str] = []
    for token in raw_tokens(text):
        if token in rules.kind_of_word:
            if words or kind:
                result.append(Segment(kind, tuple(words)))
            kind, words = rules.kind_of_word[token], []
        else:
            words.append(token)
    if words or kind:
        result.append(Segment(kind, tuple(words)))
    return result


def windows(segs: Iterable[Segment], rules: DiscoveryRules, max_words: int, typed_only: bool = False) -> list[Window]:
    """Candidate name spans of up to ``max_words`` tokens; ``typed_only`` keeps segments after a type word."""
    found: list[Window] = []
    for seg in segs:
        if typed_only and seg.kind is None:
            continue
        starts = range(len(seg.words)) if seg.kind is None else range(min(1, len(seg.words)))
        for start in starts:
            for size in range(1, max_words + 1):
                end = start + size
                if end > len(seg.words):
                    break
                if end < len(seg.words) and seg.words[end] in rules.extension_words:
                    continue
                span = seg.words[start:end]
                found.append(Window("".join(span), seg.kind, " ".join(span)))
    return found


def sibling_conflict(observed: str, form: NameForm, extension_words: Collection[str]) -> bool:
    """True when ``observed`` is another unit's name next to ``form``: the same name plus an extension
    word (sukarame -> sukaramebaru), or the same base with a different or no extension word. A
    form's suffix (its kecamatan or kabupaten) is set aside first."""
    if observed == form.text:
        return False
    core = observed
    if form.suffix:
        if not observed.endswith(form.suffix):
            return any(observed.startswith(form.head + word) and not form.suffix.startswith(word) for word in extension_words)
        core = observed[: -len(form.suffix)]
    if core.startswith(form.head) and core[len(form.head) :] in extension_words:
        return True
    if form.base is not None and core.startswith(form.base):
        rest = core[len(form.base) :]
        return rest == "" or rest in extension_words
    return False


class NameTable:
    """Name spellings of many owners (unit positions), scored against one observed string in C."""

    def __init__(self, rules: DiscoveryRules):
        self.rules = rules
        self.texts: list[str] = []
        self.forms: list[NameForm] = []
        self.owners: list[int] = []
        self.kinds: dict[int, str] = {}

    def add(self, owner: int, kind: str, forms: Iterable[NameForm]) -> None:
        self.kinds[owner] = kind
        for form in forms:
            self.texts.append(form.text)
            self.forms.append(form)
            self.owners.append(owner)

    def scores(self, observed: str, floor: float, kinds: Collection[str] | None = None) -> dict[int, float]:
        """Best score per owner at or above ``floor``, siblings capped, owners limited to ``kinds``."""
        best: dict[int, float] = {}
        if not observed:
            return best
        cap = self.rules.thresholds.extension_cap
        for _, raw, index in process.extract(observed, self.texts, scorer=fuzz.ratio, score_cutoff=floor * 100, limit=None):
            owner = self.owners[index]
            if kinds is not None and self.kinds[owner] not in kinds:
                continue
            score = raw / 100
            if sibling_conflict(observed, self.forms[index], self.rules.extension_words):
                score = min(score, cap)
            if score >= floor and score > best.get(owner, -1.0):
                best[owner] = score
        return best

    def window_scores(self, spans: Iterable[Window], floor: float, kinds: Collection[str] | None = None) -> dict[int, Hit]:
        """Best hit per owner over the windows; a typed window only counts for owners of that type."""
        best: dict[int, Hit] = {}
        for window in spans:
            allowed = kinds if window.kind is None else ({window.kind} & set(kinds) if kinds is not None else {window.kind})
            for owner, score in self.scores(window.text, floor, allowed).items():
                if owner not in best or score > best[owner].score:
                    best[owner] = Hit(score, window.shown)
        return best
